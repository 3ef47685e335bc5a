//! Who a record names, and as what (R-PERSON-1): each person a record holds — an incident's
//! clients and the subject of the allegation, an intake report's children, parents and
//! reporter — as matching sees them. The person index is built from these mentions.

use serde::{Deserialize, Serialize};

use crate::domain::model::{Details, Person, Record, Reporter};

use super::model::{Address, Dob, PersonRecord};

/// The part a person plays in a record.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    Client,
    Subject,
    Child,
    Parent,
    /// Protected: only those who may see protected details match against reporters
    /// (R-PERSON-3, R-PRIV-1).
    Reporter,
}

impl Role {
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Client => "client",
            Role::Subject => "subject",
            Role::Child => "child",
            Role::Parent => "parent",
            Role::Reporter => "reporter",
        }
    }

    pub fn parse(text: &str) -> Option<Role> {
        [
            Role::Client,
            Role::Subject,
            Role::Child,
            Role::Parent,
            Role::Reporter,
        ]
        .into_iter()
        .find(|r| r.as_str() == text)
    }
}

/// Where a mention is: its record, its role there and which of that role it is.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct MentionRef {
    pub record_id: String,
    pub role: Role,
    pub position: usize,
}

impl MentionRef {
    /// `INT-2026-000123.child0` (in any case: record ids are upper case, roles lower), or
    /// `None` when the text is not one.
    pub fn parse(text: &str) -> Option<MentionRef> {
        let (record_id, slot) = text.rsplit_once('.')?;
        let digits = slot.find(|c: char| c.is_ascii_digit())?;
        let (role, position) = slot.split_at(digits);
        let position: usize = position.parse().ok()?;
        let valid_record = !record_id.is_empty()
            && record_id.len() <= 40
            && record_id
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-');
        (valid_record && position < 1000).then_some(MentionRef {
            record_id: record_id.to_ascii_uppercase(),
            role: Role::parse(&role.to_ascii_lowercase())?,
            position,
        })
    }
}

impl std::fmt::Display for MentionRef {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{}.{}{}",
            self.record_id,
            self.role.as_str(),
            self.position
        )
    }
}

/// One person named by a record: in which role, which of them (0 for the first), and who.
#[derive(Debug, Clone, PartialEq)]
pub struct Mention {
    pub role: Role,
    pub position: usize,
    pub person: PersonRecord,
}

/// A full name split as the record holds it: the last word the family name.
fn named(name: &str, dob: Dob) -> Option<PersonRecord> {
    let words: Vec<&str> = name.split_whitespace().collect();
    let (given, family) = match words.as_slice() {
        [] => return None,
        [one] => ((*one).to_string(), ""),
        [given @ .., family] => (given.join(" "), *family),
    };
    Some(PersonRecord::new(given, family, dob))
}

fn of_person(person: &Person) -> Option<PersonRecord> {
    let dob = person.date_of_birth.map_or(Dob::Unknown, Dob::Exact);
    let mut record = named(&person.name, dob)?;
    record.cris_number = person.cris_number.clone();
    record.phones = person.phone.iter().cloned().collect();
    record.addresses = person.address.iter().map(Address::new).collect();
    Some(record)
}

fn of_reporter(reporter: &Reporter) -> Option<PersonRecord> {
    let mut record = named(&reporter.name, Dob::Unknown)?;
    record.phones = reporter.phone.iter().cloned().collect();
    record.addresses = reporter.address.iter().map(Address::new).collect();
    Some(record)
}

/// Every person the record names, in a stable order.
pub fn mentions(record: &Record) -> Vec<Mention> {
    let mut out = Vec::new();
    let mut push = |role: Role, position: usize, person: Option<PersonRecord>| {
        if let Some(person) = person {
            out.push(Mention {
                role,
                position,
                person,
            });
        }
    };
    match &record.details {
        Details::Incident(incident) => {
            for (i, client) in incident.clients.iter().enumerate() {
                push(Role::Client, i, of_person(client));
            }
            if let Some(person) = incident.subject.as_ref().and_then(|s| s.person.as_ref()) {
                push(Role::Subject, 0, of_person(person));
            }
        }
        Details::Intake(intake) => {
            for (i, child) in intake.children.iter().enumerate() {
                push(Role::Child, i, of_person(&child.person));
            }
            for (i, parent) in intake.parents.iter().enumerate() {
                push(Role::Parent, i, of_person(&parent.person));
            }
            push(Role::Reporter, 0, of_reporter(&intake.reporter));
        }
    }
    out
}
