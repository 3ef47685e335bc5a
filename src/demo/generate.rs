//! A deterministic generator of believable, clearly fictional records: the same seed gives
//! the same records, with times relative to `now` so some work is overdue, some due today
//! and some due tonight. Each record is drawn from its own stream (seed, index), so records
//! can be generated in any order, or in parallel, with the same result.

use std::collections::BTreeSet;

use chrono::{DateTime, Duration, NaiveDate, SubsecRound, Utc};

use crate::domain::actor::{Actor, OrgKind, Role};
use crate::domain::model::{
    AboriginalStatus, CareArrangement, Child, Circumstance, Consequence, Details, HarmKind, Impact,
    Incident, Intake, MaramRating, Parent, Person, PriorReport, Probability, ReportedHarm,
    Reporter, Subject, SubjectRelation,
};
use crate::domain::policy::Policy;
use crate::domain::rules;
use crate::store::NewRecord;

/// SplitMix64: small, fast and fixed forever, so a seed always gives the same data
/// (a general-purpose generator may change its algorithm between versions).
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Rng {
        Rng(seed)
    }

    /// The stream for one record of a seed: independent of every other record's.
    pub fn for_record(seed: u64, index: u64) -> Rng {
        let mut mixer = Rng(seed ^ index.wrapping_mul(0xD1B5_4A32_D192_ED03));
        Rng(mixer.next_u64())
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

    /// low ≤ n < high (low when the range is empty).
    pub fn between(&mut self, low: i64, high: i64) -> i64 {
        low + self.below(u64::try_from(high - low).unwrap_or(0)) as i64
    }

    /// True with probability `percent` / 100.
    pub fn chance(&mut self, percent: u64) -> bool {
        self.below(100) < percent
    }

    pub fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        // The lists below are never empty.
        &items[self.below(items.len() as u64) as usize]
    }

    /// An index drawn with the given weights.
    pub fn weighted(&mut self, weights: &[u64]) -> usize {
        let mut roll = self.below(weights.iter().sum());
        for (i, w) in weights.iter().enumerate() {
            if roll < *w {
                return i;
            }
            roll -= w;
        }
        weights.len().saturating_sub(1)
    }
}

const GIVEN: &[&str] = &[
    "Jordan", "Casey", "Riley", "Taylor", "Alex", "Morgan", "Jamie", "Charlie", "Sam", "Quinn",
    "Harper", "Kai", "Skye", "Ari", "Billie", "Drew", "Eden", "Finley", "Jesse", "Lee", "Mika",
    "Rowan", "Sasha", "Tali", "Indi", "Jarrah", "Kirra", "Marlee", "Yindi", "Zeb",
];
pub(super) const FAMILY: &[&str] = &[
    "Smith",
    "Nguyen",
    "Brown",
    "Wilson",
    "Taylor",
    "Martin",
    "Kelly",
    "Walker",
    "Hughes",
    "Murphy",
    "Clarke",
    "Patel",
    "Singh",
    "Tran",
    "Lee",
    "Thompson",
    "White",
    "Harris",
    "Atkinson",
    "Nelson",
    "Rigney",
    "Morgan",
    "Osman",
    "Haddad",
    "Kaur",
    "Papadopoulos",
    "Rossi",
    "Vu",
];
/// Reporters' names come from lists of their own, so a reporter never shares a name with a
/// child or client: the demo's check can then look for reporters' names anywhere.
const REPORTER_GIVEN: &[&str] = &[
    "Beverley",
    "Graham",
    "Marguerite",
    "Desmond",
    "Priya",
    "Anh",
    "Colette",
    "Hamish",
    "Ingrid",
    "Nikolai",
    "Wilhelmina",
    "Bartholomew",
    "Ottilie",
    "Lachlan",
    "Rosalind",
];
const REPORTER_FAMILY: &[&str] = &[
    "Fairbairn",
    "Okonkwo",
    "Lindqvist",
    "Abernethy",
    "Marchetti",
    "Delacroix",
    "Ostrowski",
    "Vandenberg",
    "Quintero",
    "Achterberg",
    "Featherstone",
    "Ravensworth",
];
pub(super) const SUBURBS: &[&str] = &[
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
    "Warrnambool",
    "Wodonga",
    "Sale",
    "Melton",
];
const REPORTERS: &[(&str, bool)] = &[
    ("teacher", true),
    ("school principal", true),
    ("GP", true),
    ("maternal and child health nurse", true),
    ("police", true),
    ("hospital social worker", true),
    ("early childhood educator", true),
    ("neighbour", false),
    ("grandparent", false),
    ("aunt", false),
    ("family friend", false),
    ("parent", false),
];

/// How far a record has come: stages advanced past, and whether it was then closed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Progress {
    pub advances: u8,
    pub closed: bool,
}

/// One record to write: who registers it, what it says, when, and how far it goes.
#[derive(Debug, Clone)]
pub struct Planned {
    pub author: Actor,
    pub new: NewRecord,
    pub created_at: DateTime<Utc>,
    pub progress: Progress,
    /// Who its people are across records (R-PERSON-1).
    pub named: Vec<super::families::Named>,
}

fn name(rng: &mut Rng) -> String {
    format!("{} {}", rng.pick(GIVEN), rng.pick(FAMILY))
}

fn first_name(full: &str) -> &str {
    full.split(' ').next().unwrap_or(full)
}

fn birth(rng: &mut Rng, now: DateTime<Utc>, min_age: i64, max_age: i64) -> NaiveDate {
    let days = rng.between(min_age * 365 + 30, max_age * 365 + 330);
    (now - Duration::days(days)).date_naive()
}

fn aboriginal(rng: &mut Rng) -> AboriginalStatus {
    match rng.below(20) {
        0..=2 => AboriginalStatus::Aboriginal,
        3 => AboriginalStatus::TorresStraitIslander,
        4 => AboriginalStatus::AboriginalAndTorresStraitIslander,
        5 | 6 => AboriginalStatus::UnderAssessment,
        _ => AboriginalStatus::NotAboriginal,
    }
}

fn person(rng: &mut Rng, now: DateTime<Utc>, min_age: i64, max_age: i64) -> Person {
    Person {
        name: name(rng),
        date_of_birth: Some(birth(rng, now, min_age, max_age)),
        aboriginal_status: aboriginal(rng),
        aboriginal_status_reason: None,
        address: Some(format!(
            "{} Example St, {}",
            1 + rng.below(200),
            rng.pick(SUBURBS)
        )),
        phone: rng
            .chance(40)
            .then(|| format!("04{:02} 555 {:03}", rng.below(100), rng.below(1000))),
        cris_number: Some(format!("CRIS-{:07}", rng.below(10_000_000))),
    }
}

/// How old a record is, by how far it has come: new work is hours old, reviews are months.
fn age_minutes(rng: &mut Rng, progress: Progress, intake: bool) -> i64 {
    const HOUR: i64 = 60;
    const DAY: i64 = 24 * HOUR;
    let (low, high) = match (intake, progress.closed, progress.advances) {
        (_, true, _) if intake => (3 * DAY, 40 * DAY),
        (_, true, _) => (30 * DAY, 200 * DAY),
        (true, _, 0) => (20, 2 * DAY),
        (true, _, 1) => (4 * HOUR, 4 * DAY),
        (true, _, 2) => (DAY, 7 * DAY),
        (true, _, _) => (2 * DAY, 12 * DAY),
        (false, _, 0) => (20, 4 * DAY),
        (false, _, 1) => (DAY, 14 * DAY),
        (false, _, 2) => (7 * DAY, 70 * DAY),
        (false, _, 3) => (40 * DAY, 110 * DAY),
        (false, _, _) => (60 * DAY, 160 * DAY),
    };
    rng.between(low, high)
}

/// Days back that [`recent`] incidents cover, and their share of all incidents: one year
/// spread evenly.
const RECENT_DAYS: i64 = 14;
const RECENT_PERCENT: u64 = 4;

/// An incident of the last two weeks, still in its first stages: these have the deadlines
/// due today and tonight.
fn recent(rng: &mut Rng) -> (Progress, i64) {
    let progress = Progress {
        advances: u8::from(rng.chance(40)),
        closed: false,
    };
    let age = age_minutes(rng, progress, false).min(RECENT_DAYS * 24 * 60);
    (progress, age)
}

/// An incident from earlier in the last year, as far along as its age makes likely: the
/// number registered each month stays steady, and older incidents are mostly closed.
fn settled(rng: &mut Rng) -> (Progress, i64) {
    const DAY: i64 = 24 * 60;
    let age = rng.between(RECENT_DAYS * DAY, 365 * DAY);
    let step = |rng: &mut Rng, from: u8| from + u8::from(rng.chance(50));
    let (advances, closed) = match age / DAY {
        0..=20 => (step(rng, 1), false),
        21..=60 => (step(rng, 2), false),
        61..=150 if rng.chance(45) => (4, true),
        61..=150 => (step(rng, 3), false),
        _ => (4, rng.chance(88)),
    };
    (Progress { advances, closed }, age)
}

/// How far an intake report has come.
fn intake_progress(rng: &mut Rng) -> Progress {
    // Weights for 0..=3 stages advanced, then closed.
    let weights: &[u64] = &[30, 25, 18, 12, 15];
    let pick = rng.weighted(weights);
    if pick == weights.len() - 1 {
        Progress {
            advances: 3,
            closed: true,
        }
    } else {
        Progress {
            advances: pick as u8,
            closed: false,
        }
    }
}

fn description(rng: &mut Rng, kind: &str, client: &str, subject: Option<&str>) -> String {
    let c = first_name(client);
    let s = subject.map_or("another person", first_name);
    let place = rng.pick(SUBURBS);
    match kind {
        "physical_abuse" | "inappropriate_physical_treatment" => format!(
            "{c} came back to the house in {place} with a red mark on the upper arm and said \
             {s} had grabbed and pushed them during an argument about phone time."
        ),
        "sexual_abuse" | "inappropriate_sexual_behaviour" => format!(
            "{c} told a youth worker that {s} had touched them in a way that made them \
             uncomfortable. The worker listened, did not question further and stayed with {c}."
        ),
        "sexual_exploitation_grooming" | "sexual_exploitation_suspected" => format!(
            "Staff found messages on {c}'s phone from an older person offering gifts and lifts; \
             {c} has been seen getting into an unknown car near the station in {place}."
        ),
        "neglect" => format!(
            "{c} arrived at school without food for the third day running and said there was \
             nothing to eat at home in {place}; clothes not changed since last week."
        ),
        "absent_client" => format!(
            "{c} did not return to the unit in {place} by the agreed time of 9 pm; phone off. \
             Staff checked known places and reported {c} missing."
        ),
        "self_harm" | "attempted_suicide" => format!(
            "Night staff found {c} with cuts to the forearm; first aid given and the after-hours \
             mental health line called. {c} is now with a staff member at all times."
        ),
        "medication_error" => format!(
            "{c} was given the evening dose twice because the medication chart was not signed \
             at handover. Nurse-on-call advice followed; {c} monitored overnight."
        ),
        "death" => format!(
            "The service was told this morning that {c} had died. Family and the placement team \
             have been contacted; circumstances are not yet known."
        ),
        "escape_from_secure_facility" => format!(
            "{c} climbed the courtyard fence during recreation and left the secure unit; police \
             were called straight away and {c} was found two hours later in {place}."
        ),
        "financial_abuse" => format!(
            "{c}'s allowance card has been used for purchases {c} did not make; {s} had access \
             to the card at the last contact visit."
        ),
        "emotional_psychological_abuse" | "emotional_psychological_harm" => format!(
            "{c} was distressed after a phone call with {s}, who said {c} would never go home; \
             {c} stayed in their room and would not eat dinner."
        ),
        "injury_explained" | "injury_unexplained" => format!(
            "Carer noticed bruising on {c}'s shin at bath time. {c} said it happened at the \
             park in {place}; the carer took photographs and booked a GP visit."
        ),
        _ => format!(
            "{c} was at serious risk after an incident in {place}; staff made {c} safe and wrote \
             down what was said and seen straight away."
        ),
    }
}

/// The demo's trend: absences from residential units climb over the last four months
/// at every service organisation, steepest at Berry Street, where by now they are most
/// of its new incidents.
fn in_trend(rng: &mut Rng, author: &Actor, age_minutes: i64) -> bool {
    const TREND_DAYS: i64 = 120;
    let days = age_minutes / (24 * 60);
    let peak = match author.org.as_str() {
        "berry_street" => 80,
        _ if author.org_kind == OrgKind::Cso => 50,
        _ => 0,
    };
    days < TREND_DAYS
        && rng.chance(u64::try_from(peak * (TREND_DAYS - days) / TREND_DAYS).unwrap_or(0))
}

fn incident(
    rng: &mut Rng,
    now: DateTime<Utc>,
    author: &Actor,
    policy: &Policy,
    trend: bool,
) -> Incident {
    // The scenario comes first: where the child was, then the service that fits the child
    // and the setting, then who could be the subject there, then what could happen there.
    let care = if trend {
        CareArrangement::ResidentialCare
    } else if author.org_kind == OrgKind::Department {
        *rng.pick(&[
            CareArrangement::KinshipCpApproved,
            CareArrangement::RespiteCpApproved,
            CareArrangement::WithPractitioner,
            CareArrangement::SecureWelfare,
        ])
    } else {
        *rng.pick(&[
            CareArrangement::ResidentialCare,
            CareArrangement::ResidentialCare,
            CareArrangement::FosterCare,
            CareArrangement::KinshipCsoManaged,
        ])
    };
    // Children are in care through out-of-home care, and some through another service a
    // child can be a client of (disability, health, youth); never one for adults only.
    let for_children: Vec<&str> = policy
        .service_types
        .iter()
        .filter(|s| !s.adults_only)
        .map(|s| s.id.as_str())
        .collect();
    let service_type = match care {
        CareArrangement::SecureWelfare => "secure_welfare",
        CareArrangement::WithPractitioner => "statutory_child_protection",
        _ if !trend && rng.chance(25) => rng.pick(&for_children),
        _ => "out_of_home_care",
    }
    .to_string();
    let secure = care == CareArrangement::SecureWelfare;
    let possible: Vec<&str> = policy
        .incident_types
        .iter()
        .map(|t| t.id.as_str())
        .filter(|t| secure || *t != "escape_from_secure_facility")
        .collect();
    let primary = if trend {
        "absent_client".to_string()
    } else {
        rng.pick(&possible).to_string()
    };
    let secondary = rng
        .chance(15)
        .then(|| rng.pick(&possible).to_string())
        .filter(|t| *t != primary);
    let client = person(rng, now, 2, 17);
    let relation = *rng.pick(match care {
        CareArrangement::KinshipCpApproved | CareArrangement::KinshipCsoManaged => &[
            SubjectRelation::KinshipCarer,
            SubjectRelation::Client,
            SubjectRelation::Other,
        ][..],
        CareArrangement::FosterCare | CareArrangement::RespiteCpApproved => &[
            SubjectRelation::Carer,
            SubjectRelation::Client,
            SubjectRelation::Other,
        ][..],
        CareArrangement::WithPractitioner => {
            &[SubjectRelation::DepartmentalStaff, SubjectRelation::Other][..]
        }
        _ => &[
            SubjectRelation::Staff,
            SubjectRelation::Staff,
            SubjectRelation::Client,
            SubjectRelation::Client,
            SubjectRelation::Other,
        ][..],
    });
    let subject = (!matches!(
        primary.as_str(),
        "self_harm" | "absent_client" | "attempted_suicide" | "death" | "medication_error"
    ))
    .then(|| {
        let (low, high) = if relation == SubjectRelation::Client {
            (10, 17)
        } else {
            (19, 65)
        };
        Subject {
            relation,
            person: Some(person(rng, now, low, high)),
        }
    });
    let mut circumstances = BTreeSet::new();
    for (c, percent) in [
        (Circumstance::HospitalTreatment, 25),
        (Circumstance::PoliceInvolved, 20),
        (Circumstance::Relocation, 5),
        (Circumstance::EmergencyEvent, 3),
        (Circumstance::SeriousNeglect, 5),
    ] {
        if rng.chance(percent) {
            circumstances.insert(c);
        }
    }
    if primary == "death" && rng.chance(70) {
        circumstances.insert(Circumstance::UnexpectedDeath);
    }
    let identified_at = now;
    let description = description(
        rng,
        &primary,
        &client.name,
        subject
            .as_ref()
            .and_then(|s| s.person.as_ref())
            .map(|p| p.name.as_str()),
    );
    let mut incident = Incident {
        identified_at,
        occurred_at: Some(identified_at - Duration::minutes(rng.between(0, 600))),
        clients: vec![client],
        subject,
        care_arrangement: care,
        harm: if rng.chance(80) {
            HarmKind::Harm
        } else {
            HarmKind::LikelySeriousHarm
        },
        service_type,
        primary_type: primary,
        secondary_type: secondary,
        impact: Some(if rng.chance(35) {
            Impact::Major
        } else {
            Impact::NonMajor
        }),
        circumstances,
        description,
        location: Some(format!(
            "{}, {}",
            rng.pick(&[
                "Residential unit",
                "Carer's home",
                "School",
                "Shopping centre",
                "Park"
            ]),
            rng.pick(SUBURBS)
        )),
        responsibility_reason: None,
    };
    // R-IMPACT-1, R-IMPACT-2: some incidents are major whatever the first impression.
    if rules::incident::major_by_definition(&incident, policy).is_some()
        || rules::incident::must_be_major(&incident, policy)
    {
        incident.impact = Some(Impact::Major);
    }
    incident
}

fn prior_reports(rng: &mut Rng, now: DateTime<Utc>) -> Vec<PriorReport> {
    // Some children are reported again and again: a third report within a year
    // (R-INT-REREPORT-3), a fifth without investigation (R-INT-REREPORT-5).
    let (count, window_days) = match rng.below(100) {
        0..=3 => (5 + rng.below(2), 900),
        4..=11 => (3, 300),
        12..=40 => (1 + rng.below(2), 900),
        _ => (0, 0),
    };
    (0..count)
        .map(|_| PriorReport {
            received_on: (now - Duration::days(rng.between(20, 20 + window_days))).date_naive(),
            investigated: count < 3 && rng.chance(40),
        })
        .collect()
}

const CONCERNS: &[&str] = &[
    "The reporter has seen bruising on the children's arms twice this month and says they \
     are often left alone overnight.",
    "The children have missed most of the school term; when they attend they are hungry and \
     in the same clothes.",
    "Loud arguments and things breaking are heard from the house most nights; the youngest \
     was seen crying on the front step at 11 pm.",
    "The older child told the reporter that a visitor to the house touches them and tells \
     them to keep it secret.",
    "The parent was intoxicated at school pick-up and drove off with the children; police \
     were called.",
    "The baby has lost weight since the last health check and missed two appointments.",
    "The young person is staying at different addresses and has been seen with much older \
     adults who give them alcohol.",
];

/// The kinds of harm a concern describes (R-INT-POLICE), read from its words.
fn reported_harm(concerns: &str) -> BTreeSet<ReportedHarm> {
    let text = concerns.to_lowercase();
    let mut harm = BTreeSet::new();
    for (words, kind) in [
        (
            &["hit", "bruis", "pushed", "belt"][..],
            ReportedHarm::PhysicalAbuse,
        ),
        (
            &["touches", "keep it secret"][..],
            ReportedHarm::SexualAbuse,
        ),
        (
            &["left alone", "hungry", "lost weight", "missed"][..],
            ReportedHarm::Neglect,
        ),
        (
            &["arguments", "things breaking"][..],
            ReportedHarm::FamilyViolence,
        ),
        (
            &["intoxicated", "alcohol"][..],
            ReportedHarm::SeriousNeglect,
        ),
    ] {
        if words.iter().any(|w| text.contains(w)) {
            harm.insert(kind);
        }
    }
    harm
}

fn intake(rng: &mut Rng, now: DateTime<Utc>) -> Intake {
    let concerns = rng.pick(CONCERNS).to_string();
    let family = rng.pick(FAMILY);
    let children = (0..1 + rng.below(3))
        .map(|_| {
            let mut person = person(rng, now, 0, 17);
            person.name = format!("{} {family}", rng.pick(GIVEN));
            // Behaviour of concern is not recorded of an infant or toddler.
            let old_enough = person.age_on(now.date_naive()).is_some_and(|age| age >= 5);
            Child {
                person,
                sexually_abusive_behaviour: old_enough && rng.chance(4),
                rso_contact: rng.chance(3),
                prior_reports: prior_reports(rng, now),
                known_reports: Vec::new(),
            }
        })
        .collect();
    let family_violence = rng.chance(35);
    let (relationship, professional) = *rng.pick(REPORTERS);
    let reporter_name = format!("{} {}", rng.pick(REPORTER_GIVEN), rng.pick(REPORTER_FAMILY));
    let parents = (0..1 + rng.below(2))
        .map(|i| Parent {
            person: person(rng, now, 19, 50),
            relationship: Some(if i == 0 { "mother" } else { "father" }.to_string()),
            // The mother and the father of every child of the report.
            parent_of: None,
        })
        .collect();
    let assessed = rng.chance(80);
    Intake {
        received_at: now,
        reporter: Reporter {
            email: professional.then(|| {
                format!(
                    "{}@example.org",
                    reporter_name.to_lowercase().replace(' ', ".")
                )
            }),
            name: reporter_name,
            relationship: Some(relationship.to_string()),
            phone: Some(format!(
                "04{:02} 555 {:03}",
                rng.below(100),
                rng.below(1000)
            )),
            address: None,
            professional,
            consented_in_writing: false,
        },
        children,
        parents,
        concerns: concerns.clone(),
        family_violence,
        maram: (family_violence && rng.chance(70)).then(|| {
            *rng.pick(&[
                MaramRating::AtRisk,
                MaramRating::ElevatedRisk,
                MaramRating::ElevatedRisk,
                MaramRating::SeriousRisk,
                MaramRating::SeriousRiskImmediateProtection,
            ])
        }),
        consequence: assessed.then(|| {
            *rng.pick(&[
                Consequence::Severe,
                Consequence::Significant,
                Consequence::Significant,
                Consequence::Concerning,
                Consequence::InsufficientEvidence,
            ])
        }),
        probability: assessed.then(|| {
            *rng.pick(&[
                Probability::VeryLikely,
                Probability::Likely,
                Probability::Unlikely,
            ])
        }),
        decision: None,
        feedback_exception: None,
        rereport_decision: None,
        auto_pir: BTreeSet::new(),
        harm_types: reported_harm(&concerns),
    }
}

/// Move a record's own times (awareness, receipt) to `at`.
fn started(details: &mut Details, at: DateTime<Utc>) {
    match details {
        Details::Incident(i) => {
            let before = i.occurred_at.map(|o| i.identified_at - o);
            i.identified_at = at;
            i.occurred_at = before.map(|b| at - b);
        }
        Details::Intake(n) => n.received_at = at,
    }
}

/// The people who register records: practitioners of organisations that provide services.
fn authors(people: &[Actor]) -> Vec<&Actor> {
    people
        .iter()
        .filter(|a| {
            a.roles.contains(&Role::Practitioner)
                && matches!(a.org_kind, OrgKind::Department | OrgKind::Cso)
        })
        .collect()
}

/// Record `index` of `seed`: its author, details, when it began and how far it has come.
/// `None` when no one in `people` registers records.
pub fn plan(
    seed: u64,
    index: u64,
    now: DateTime<Utc>,
    people: &[Actor],
    policy: &Policy,
) -> Option<Planned> {
    let authors = authors(people);
    if authors.is_empty() {
        return None;
    }
    let mut rng = Rng::for_record(seed, index);
    let author = *rng.pick(&authors);
    // Intake reports are registered by child protection, which also reports incidents.
    let as_intake = author.org_kind == OrgKind::Department && rng.chance(55);
    // Incidents come from the whole year, evenly; intake reports are short-lived.
    let (progress, age) = if as_intake {
        let progress = intake_progress(&mut rng);
        (progress, age_minutes(&mut rng, progress, true))
    } else if rng.chance(RECENT_PERCENT) {
        recent(&mut rng)
    } else {
        settled(&mut rng)
    };
    // Whole seconds, as the event log keeps times.
    let now = now.trunc_subsecs(0);
    let started_at = now - Duration::minutes(age);
    let mut details = if as_intake {
        Details::Intake(intake(&mut rng, started_at))
    } else {
        let trend = in_trend(&mut rng, author, age);
        Details::Incident(incident(&mut rng, started_at, author, policy, trend))
    };
    started(&mut details, started_at);
    let named = super::families::write_family(&mut details, seed, index, now);
    let created_at = (started_at + Duration::minutes(rng.between(5, 90))).min(now);
    Some(Planned {
        author: author.clone(),
        new: NewRecord {
            org: author.org.clone(),
            details,
            assignee: rng.chance(55).then(|| author.user.clone()),
        },
        created_at,
        progress,
        named,
    })
}

/// `count` new records as they would be registered now, without history (for writing
/// through the API).
pub fn records(
    seed: u64,
    count: usize,
    now: DateTime<Utc>,
    people: &[Actor],
    policy: &Policy,
) -> Vec<(NewRecord, Actor)> {
    (0..count as u64)
        .filter_map(|i| plan(seed, i, now, people, policy))
        .map(|mut p| {
            started(&mut p.new.details, now - Duration::minutes(5));
            (p.new, p.author)
        })
        .collect()
}
