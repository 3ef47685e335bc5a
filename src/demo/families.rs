//! The families the demo's records are about (R-PERSON-1). A child comes back: a third of
//! the reports and incidents are about a family reported before, and each report writes
//! its people as a caller gave them — a name misspelt, a nickname, a date of birth unknown
//! or with day and month swapped, the family moved house, no CRIS number to hand.
//! Siblings share a family name and an address; twins a date of birth too. Each family is
//! drawn from its own stream, and each record's way of writing it from another, so the
//! records the generator made before are unchanged in everything but their people.

use chrono::{DateTime, Datelike, Duration, NaiveDate, Utc};

use crate::domain::model::{AboriginalStatus, Child, Details, Person};
use crate::domain::people::Role;

use super::generate::{FAMILY, Rng, SUBURBS};

/// Salts that keep the families' streams apart from the records' own.
const FAMILY_SALT: u64 = 0x5EED_FA11_1E50_0001;
const WRITING_SALT: u64 = 0x5EED_FA11_1E50_0002;

/// The share (percent) of records about a family reported before.
const REPEAT_PERCENT: u64 = 33;
/// The share (percent) of a practitioner's decisions that a repeat is the same person.
pub const DECIDED_PERCENT: u64 = 60;
/// The share (percent) of twins, both reported, whom a practitioner has decided are two.
pub const TWINS_APART_PERCENT: u64 = 50;

const GIVEN: &[(&str, Option<&str>)] = &[
    ("Jordan", None),
    ("Casey", None),
    ("Riley", None),
    ("Katherine", Some("Katie")),
    ("Alexander", Some("Alex")),
    ("Samantha", Some("Sam")),
    ("Charlotte", Some("Charlie")),
    ("William", Some("Billy")),
    ("Jessica", Some("Jess")),
    ("Thomas", Some("Tom")),
    ("Harper", None),
    ("Kai", None),
    ("Skye", None),
    ("Mia", None),
    ("Ava", None),
    ("Noah", None),
    ("Oliver", Some("Ollie")),
    ("Isabella", Some("Bella")),
    ("Jarrah", None),
    ("Kirra", None),
    ("Marlee", None),
    ("Yindi", None),
    ("Zeb", None),
    ("Lucas", Some("Luke")),
    ("Matilda", Some("Tilly")),
    ("Benjamin", Some("Ben")),
    ("Ruby", None),
    ("Hugo", None),
    ("Aisha", None),
    ("Mohammed", None),
];
const PARENT_GIVEN: &[&str] = &[
    "Sarah", "Emma", "Leah", "Nicole", "Rebecca", "Michelle", "Daniel", "Matthew", "Luke", "Craig",
    "Shane", "Ahmed",
];
const STREETS: &[&str] = &[
    "Station St",
    "High St",
    "Church St",
    "Railway Pde",
    "Queen St",
    "Victoria Rd",
    "Main Rd",
    "Park Ave",
    "Hill Cres",
    "Bridge Rd",
];

/// One child of a family, as the family is.
#[derive(Debug, Clone)]
struct Member {
    given: &'static str,
    nickname: Option<&'static str>,
    born: NaiveDate,
    cris: String,
}

/// A family: its children (twins among them sometimes), its parents, where it lived and
/// where it lives now.
#[derive(Debug, Clone)]
pub struct Family {
    name: &'static str,
    children: Vec<Member>,
    mother: &'static str,
    father: Option<&'static str>,
    status: AboriginalStatus,
    /// The address before the move, the move, and the address after.
    before: String,
    moved: DateTime<Utc>,
    after: String,
    phone: String,
}

fn address(rng: &mut Rng) -> String {
    format!(
        "{} {}, {}",
        1 + rng.below(180),
        rng.pick(STREETS),
        rng.pick(SUBURBS)
    )
}

impl Family {
    /// Family `id` of `seed`, its children 0 to 17 at `now`.
    pub fn of(seed: u64, id: u64, now: DateTime<Utc>) -> Family {
        let mut rng = Rng::for_record(seed ^ FAMILY_SALT, id);
        let name = *rng.pick(FAMILY);
        let mut children: Vec<Member> = Vec::new();
        for _ in 0..1 + rng.below(4) {
            let (given, nickname) = *rng.pick(GIVEN);
            if children.iter().any(|c| c.given == given) {
                continue;
            }
            let twin = children.last().filter(|_| rng.chance(12)).map(|c| c.born);
            let born = twin
                .unwrap_or_else(|| (now - Duration::days(rng.between(200, 17 * 365))).date_naive());
            children.push(Member {
                given,
                nickname,
                born,
                cris: format!("CRIS-{:07}", rng.below(10_000_000)),
            });
        }
        let status = match rng.below(20) {
            0..=2 => AboriginalStatus::Aboriginal,
            3 => AboriginalStatus::AboriginalAndTorresStraitIslander,
            _ => AboriginalStatus::NotAboriginal,
        };
        Family {
            name,
            mother: PARENT_GIVEN[rng.below(8) as usize],
            father: rng.chance(60).then(|| *rng.pick(&PARENT_GIVEN[6..])),
            status,
            before: address(&mut rng),
            moved: now - Duration::days(rng.between(30, 720)),
            after: address(&mut rng),
            phone: format!("04{:02} 555 {:03}", rng.below(100), rng.below(1000)),
            children,
        }
    }
}

/// The twin born just before this child, if they have one: same family name, date of
/// birth and address, a given name of their own.
pub fn elder_twin(seed: u64, who: Who, now: DateTime<Utc>) -> Option<Who> {
    if who.member == 0 || who.member >= 100 {
        return None;
    }
    let family = Family::of(seed, who.family, now);
    let (elder, this) = (
        family.children.get(who.member - 1)?,
        family.children.get(who.member)?,
    );
    (elder.born == this.born).then_some(Who {
        family: who.family,
        member: who.member - 1,
    })
}

/// Which family record `index` is about: one reported before, a third of the time.
pub fn family_of(seed: u64, index: u64) -> u64 {
    let mut rng = Rng::for_record(seed ^ WRITING_SALT, index);
    if index > 0 && rng.chance(REPEAT_PERCENT) {
        rng.below(index)
    } else {
        index
    }
}

/// A name as a caller spells it: sometimes one letter dropped, doubled or two swapped.
fn misspelt(rng: &mut Rng, name: &str) -> String {
    let chars: Vec<char> = name.chars().collect();
    if chars.len() < 4 || !rng.chance(8) {
        return name.to_string();
    }
    let at = 1 + rng.below(chars.len() as u64 - 2) as usize;
    let mut out = chars.clone();
    match rng.below(3) {
        0 => {
            out.remove(at);
        }
        1 => out.insert(at, chars[at]),
        _ => out.swap(at, at + 1),
    }
    out.into_iter().collect()
}

/// A date of birth as a report gives it: unknown sometimes, day and month swapped now
/// and then.
fn dob_as_given(rng: &mut Rng, born: NaiveDate) -> Option<NaiveDate> {
    match rng.below(100) {
        0..=3 => None,
        4..=6 if born.day() <= 12 && born.day() != born.month() => {
            NaiveDate::from_ymd_opt(born.year(), born.day(), born.month())
        }
        _ => Some(born),
    }
}

impl Family {
    fn child_as_written(&self, rng: &mut Rng, member: &Member, at: DateTime<Utc>) -> Person {
        let given = match member.nickname {
            Some(nickname) if rng.chance(15) => nickname,
            _ => member.given,
        };
        let lived = if at < self.moved {
            &self.before
        } else {
            &self.after
        };
        Person {
            name: format!("{} {}", misspelt(rng, given), misspelt(rng, self.name)),
            date_of_birth: dob_as_given(rng, member.born),
            aboriginal_status: self.status,
            aboriginal_status_reason: None,
            address: rng.chance(90).then(|| lived.clone()),
            phone: rng.chance(40).then(|| self.phone.clone()),
            cris_number: rng.chance(70).then(|| member.cris.clone()),
        }
    }

    fn parent_as_written(&self, rng: &mut Rng, given: &str, at: DateTime<Utc>) -> Person {
        Person {
            name: format!("{given} {}", misspelt(rng, self.name)),
            aboriginal_status: self.status,
            address: Some(if at < self.moved {
                self.before.clone()
            } else {
                self.after.clone()
            }),
            phone: rng.chance(60).then(|| self.phone.clone()),
            ..Person::default()
        }
    }
}

/// Who a record names, by family and member: the same key in two records is one person.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Who {
    pub family: u64,
    /// The child's place in the family; parents after the children (100 the mother,
    /// 101 the father).
    pub member: usize,
}

/// One person a planned record names, and who they are.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Named {
    pub role: Role,
    pub position: usize,
    pub who: Who,
}

/// Write the family of record `index` into its details, as the report gives them: an
/// intake report's children and parents, an incident's client. What else the record says
/// stays as it was generated.
pub fn write_family(
    details: &mut Details,
    seed: u64,
    index: u64,
    now: DateTime<Utc>,
) -> Vec<Named> {
    let id = family_of(seed, index);
    let family = Family::of(seed, id, now);
    let mut rng = Rng::for_record(!(seed ^ WRITING_SALT), index);
    let mut named = Vec::new();
    match details {
        Details::Intake(intake) => {
            let at = intake.received_at;
            // Children born by the day of the report; most of them are in it.
            let born: Vec<usize> = (0..family.children.len())
                .filter(|&m| family.children[m].born < at.date_naive())
                .collect();
            let Some(&eldest) = born.first() else {
                return named;
            };
            let mut members: Vec<usize> = born.into_iter().filter(|_| rng.chance(85)).collect();
            if members.is_empty() {
                members.push(eldest);
            }
            let generated = std::mem::take(&mut intake.children);
            for (position, member) in members.into_iter().enumerate() {
                let person = family.child_as_written(&mut rng, &family.children[member], at);
                let old_enough = person.age_on(at.date_naive()).is_some_and(|age| age >= 5);
                let like = generated.get(position).cloned();
                intake.children.push(Child {
                    person,
                    sexually_abusive_behaviour: old_enough
                        && like.as_ref().is_some_and(|c| c.sexually_abusive_behaviour),
                    rso_contact: like.as_ref().is_some_and(|c| c.rso_contact),
                    prior_reports: like.map(|c| c.prior_reports).unwrap_or_default(),
                    known_reports: Vec::new(),
                });
                named.push(Named {
                    role: Role::Child,
                    position,
                    who: Who { family: id, member },
                });
            }
            let parents: Vec<(&str, usize)> = std::iter::once((family.mother, 100))
                .chain(family.father.map(|f| (f, 101)))
                .collect();
            intake.parents.truncate(parents.len());
            for (position, (parent, (given, member))) in
                intake.parents.iter_mut().zip(parents).enumerate()
            {
                parent.person = family.parent_as_written(&mut rng, given, at);
                named.push(Named {
                    role: Role::Parent,
                    position,
                    who: Who { family: id, member },
                });
            }
        }
        Details::Incident(incident) => {
            let at = incident.identified_at;
            // A client in care is 2 to 17 on the day.
            let of_age: Vec<usize> = (0..family.children.len())
                .filter(|&m| {
                    let age = (at.date_naive() - family.children[m].born).num_days() / 365;
                    (2..=17).contains(&age)
                })
                .collect();
            if of_age.is_empty() {
                return named;
            }
            let member = *rng.pick(&of_age);
            if let Some(client) = incident.clients.first_mut() {
                *client = family.child_as_written(&mut rng, &family.children[member], at);
                named.push(Named {
                    role: Role::Client,
                    position: 0,
                    who: Who { family: id, member },
                });
            }
        }
    }
    named
}
