//! A deterministic generator of believable, clearly fictional records: the same seed gives
//! the same records, with times relative to `now` so some work is overdue, some due today.

use std::collections::BTreeSet;

use chrono::{DateTime, Duration, NaiveDate, Utc};

use crate::domain::actor::{Actor, OrgKind, Role};
use crate::domain::model::{
    AboriginalStatus, CareArrangement, Child, Circumstance, Consequence, Details, HarmKind, Impact,
    Incident, Intake, MaramRating, Parent, Person, PriorReport, Probability, Reporter, Subject,
    SubjectRelation,
};
use crate::store::NewRecord;

/// SplitMix64: small, fast and fixed forever, so a seed always gives the same data
/// (a general-purpose generator may change its algorithm between versions).
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Rng {
        Rng(seed)
    }

    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// 0 ≤ n < bound.
    pub fn below(&mut self, bound: u64) -> u64 {
        if bound == 0 {
            0
        } else {
            self.next_u64() % bound
        }
    }

    /// True with probability `percent` / 100.
    pub fn chance(&mut self, percent: u64) -> bool {
        self.below(100) < percent
    }

    pub fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        // The lists below are never empty.
        &items[self.below(items.len() as u64) as usize]
    }
}

const GIVEN: &[&str] = &[
    "Jordan", "Casey", "Riley", "Taylor", "Alex", "Morgan", "Jamie", "Charlie", "Sam", "Quinn",
    "Harper", "Kai", "Skye", "Ari", "Billie", "Drew", "Eden", "Finley", "Jesse", "Lee",
];
const FAMILY: &[&str] = &[
    "Smith", "Nguyen", "Brown", "Wilson", "Taylor", "Martin", "Kelly", "Walker", "Hughes",
    "Murphy", "Clarke", "Patel", "Singh", "Tran", "Lee", "Thompson", "White", "Harris",
];
const SUBURBS: &[&str] = &[
    "Footscray",
    "Sunshine",
    "Dandenong",
    "Frankston",
    "Geelong",
    "Ballarat",
    "Bendigo",
    "Shepparton",
    "Mildura",
    "Werribee",
    "Broadmeadows",
    "Morwell",
];
const INCIDENT_TYPES: &[&str] = &[
    "physical_abuse",
    "neglect",
    "injury_unexplained",
    "injury_explained",
    "self_harm",
    "absent_client",
    "emotional_psychological_harm",
    "medication_error",
    "sexual_abuse",
    "sexual_exploitation_grooming",
    "serious_risk",
    "inappropriate_physical_treatment",
];
const SERVICE_TYPES: &[&str] = &[
    "out_of_home_care",
    "statutory_child_protection",
    "secure_welfare",
    "family_community_services",
    "youth_services",
];

/// An organisation records can belong to, and who writes them there.
#[derive(Debug, Clone)]
pub struct Author {
    pub org: String,
    pub org_kind: OrgKind,
    pub user: String,
}

impl Author {
    fn actor(&self) -> Actor {
        Actor {
            user: self.user.clone(),
            org: self.org.clone(),
            org_kind: self.org_kind,
            roles: BTreeSet::from([Role::Practitioner]),
            protective_intervener: self.org_kind == OrgKind::Department,
        }
    }
}

fn name(rng: &mut Rng) -> String {
    format!("{} {}", rng.pick(GIVEN), rng.pick(FAMILY))
}

fn birth(rng: &mut Rng, now: DateTime<Utc>, min_age: i64, max_age: i64) -> NaiveDate {
    let days = (min_age * 365) + rng.below(((max_age - min_age) * 365) as u64) as i64;
    (now - Duration::days(days)).date_naive()
}

fn aboriginal(rng: &mut Rng) -> AboriginalStatus {
    match rng.below(10) {
        0 | 1 => AboriginalStatus::Aboriginal,
        2 => AboriginalStatus::UnderAssessment,
        _ => AboriginalStatus::NotAboriginal,
    }
}

fn person(rng: &mut Rng, now: DateTime<Utc>, min_age: i64, max_age: i64) -> Person {
    Person {
        name: name(rng),
        date_of_birth: Some(birth(rng, now, min_age, max_age)),
        aboriginal_status: aboriginal(rng),
        address: Some(format!(
            "{} Example St, {}",
            1 + rng.below(200),
            rng.pick(SUBURBS)
        )),
        phone: None,
        cris_number: Some(format!("CRIS-{:07}", rng.below(10_000_000))),
    }
}

/// Minutes in the past, spread so that deadlines land overdue, due today and later.
fn recent(rng: &mut Rng, now: DateTime<Utc>) -> DateTime<Utc> {
    now - Duration::minutes(30 + rng.below(8 * 24 * 60) as i64)
}

fn incident(rng: &mut Rng, now: DateTime<Utc>, author: &Author) -> Incident {
    let primary = rng.pick(INCIDENT_TYPES).to_string();
    let care = if author.org_kind == OrgKind::Department {
        *rng.pick(&[
            CareArrangement::KinshipCpApproved,
            CareArrangement::RespiteCpApproved,
            CareArrangement::WithPractitioner,
            CareArrangement::SecureWelfare,
        ])
    } else {
        *rng.pick(&[
            CareArrangement::ResidentialCare,
            CareArrangement::FosterCare,
            CareArrangement::KinshipCsoManaged,
        ])
    };
    let relation = *rng.pick(&[
        SubjectRelation::Staff,
        SubjectRelation::Carer,
        SubjectRelation::KinshipCarer,
        SubjectRelation::Client,
        SubjectRelation::Other,
    ]);
    let subject = (!matches!(primary.as_str(), "self_harm" | "absent_client")).then(|| Subject {
        relation,
        person: Some(person(rng, now, 12, 60)),
    });
    let abusive = matches!(
        primary.as_str(),
        "physical_abuse" | "neglect" | "sexual_abuse" | "sexual_exploitation_grooming"
    );
    let impact = if abusive || rng.chance(30) {
        Impact::Major
    } else {
        Impact::NonMajor
    };
    let mut circumstances = BTreeSet::new();
    if rng.chance(20) {
        circumstances.insert(Circumstance::HospitalTreatment);
    }
    if rng.chance(15) {
        circumstances.insert(Circumstance::PoliceInvolved);
    }
    let identified_at = recent(rng, now);
    let client = person(rng, now, 3, 17);
    let description = format!(
        "{} told staff about an incident at the placement in {}. Staff checked on their \
         safety and recorded what was said.",
        client.name.split(' ').next().unwrap_or("The young person"),
        rng.pick(SUBURBS)
    );
    Incident {
        identified_at,
        occurred_at: Some(identified_at - Duration::minutes(rng.below(600) as i64)),
        clients: vec![client],
        subject,
        care_arrangement: care,
        harm: if rng.chance(85) {
            HarmKind::Harm
        } else {
            HarmKind::LikelySeriousHarm
        },
        service_type: rng.pick(SERVICE_TYPES).to_string(),
        primary_type: primary,
        secondary_type: None,
        impact: Some(impact),
        circumstances,
        description,
        location: Some(format!("Placement, {}", rng.pick(SUBURBS))),
    }
}

fn intake(rng: &mut Rng, now: DateTime<Utc>) -> Intake {
    let children = (0..1 + rng.below(3))
        .map(|_| Child {
            person: person(rng, now, 0, 17),
            sexually_abusive_behaviour: rng.chance(3),
            rso_contact: rng.chance(2),
            prior_reports: (0..rng.below(5))
                .map(|_| PriorReport {
                    received_on: (now - Duration::days(30 + rng.below(900) as i64)).date_naive(),
                    investigated: rng.chance(30),
                })
                .collect(),
        })
        .collect();
    let family_violence = rng.chance(35);
    let reporter_name = name(rng);
    Intake {
        received_at: recent(rng, now),
        reporter: Reporter {
            name: reporter_name,
            relationship: Some(
                rng.pick(&["teacher", "neighbour", "GP", "relative", "police"])
                    .to_string(),
            ),
            phone: Some(format!(
                "04{:02} {:03} {:03}",
                rng.below(100),
                rng.below(1000),
                rng.below(1000)
            )),
            email: None,
            address: None,
            professional: rng.chance(60),
            consented_in_writing: false,
        },
        children,
        parents: vec![Parent {
            person: person(rng, now, 20, 50),
            relationship: Some("parent".to_string()),
        }],
        concerns: "The reporter is worried about bruising and about the children being left \
                   alone overnight."
            .to_string(),
        family_violence,
        maram: family_violence.then_some(MaramRating::ElevatedRisk),
        consequence: Some(*rng.pick(&[
            Consequence::Severe,
            Consequence::Significant,
            Consequence::Concerning,
        ])),
        probability: Some(*rng.pick(&[
            Probability::VeryLikely,
            Probability::Likely,
            Probability::Unlikely,
        ])),
        decision: None,
        feedback_exception: None,
        rereport_decision: None,
        auto_pir: BTreeSet::new(),
    }
}

/// `count` new records spread over the authors; intakes only from department authors.
pub fn records(
    seed: u64,
    count: usize,
    now: DateTime<Utc>,
    authors: &[Author],
) -> Vec<(NewRecord, Actor)> {
    if authors.is_empty() {
        return Vec::new();
    }
    let mut rng = Rng::new(seed);
    let department: Vec<&Author> = authors
        .iter()
        .filter(|a| a.org_kind == OrgKind::Department)
        .collect();
    (0..count)
        .map(|_| {
            let author = rng.pick(authors);
            let as_intake = !department.is_empty() && rng.chance(25);
            let (author, details) = if as_intake {
                let author = *rng.pick(&department);
                (author, Details::Intake(intake(&mut rng, now)))
            } else {
                (author, Details::Incident(incident(&mut rng, now, author)))
            };
            (
                NewRecord {
                    org: author.org.clone(),
                    details,
                    assignee: rng.chance(50).then(|| author.user.clone()),
                },
                author.actor(),
            )
        })
        .collect()
}
