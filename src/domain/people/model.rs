//! A person as matching sees one (R-PERSON-1): one report's view of an identity, with every
//! name, date of birth, phone and address that report knows.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

/// A date of birth, as precisely as it was reported.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Dob {
    Exact(NaiveDate),
    Year(i32),
    /// Year and month (1–12).
    YearMonth(i32, u32),
    Unknown,
}

impl Dob {
    /// The year of birth, when it is known.
    pub fn year(&self) -> Option<i32> {
        match self {
            Dob::Exact(date) => Some(chrono::Datelike::year(date)),
            Dob::Year(year) | Dob::YearMonth(year, _) => Some(*year),
            Dob::Unknown => None,
        }
    }

    /// A date of birth as `Display` writes it: `YYYY-MM-DD`, `YYYY-MM`, `YYYY` or
    /// `unknown`; `None` when the text is none of them.
    pub fn parse(text: &str) -> Option<Dob> {
        if text == "unknown" {
            return Some(Dob::Unknown);
        }
        if let Ok(date) = NaiveDate::parse_from_str(text, "%Y-%m-%d") {
            return Some(Dob::Exact(date));
        }
        match text.split('-').collect::<Vec<_>>().as_slice() {
            [year] if year.len() == 4 => year.parse().ok().map(Dob::Year),
            [year, month] if year.len() == 4 && month.len() == 2 => {
                let month = month.parse().ok().filter(|m| (1..=12).contains(m))?;
                Some(Dob::YearMonth(year.parse().ok()?, month))
            }
            _ => None,
        }
    }

    /// The month of birth, when it is known.
    pub fn month(&self) -> Option<u32> {
        match self {
            Dob::Exact(date) => Some(chrono::Datelike::month(date)),
            Dob::YearMonth(_, month) => Some(*month),
            Dob::Year(_) | Dob::Unknown => None,
        }
    }
}

impl std::fmt::Display for Dob {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Dob::Exact(date) => write!(f, "{}", date.format("%Y-%m-%d")),
            Dob::Year(year) => write!(f, "{year}"),
            Dob::YearMonth(year, month) => write!(f, "{year}-{month:02}"),
            Dob::Unknown => f.write_str("unknown"),
        }
    }
}

/// Sex as recorded.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Sex {
    Female,
    Male,
    Other,
}

/// An address the person lived at, with the dates it applied from and to when known.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Address {
    pub text: String,
    pub from: Option<NaiveDate>,
    pub to: Option<NaiveDate>,
}

impl Address {
    /// An address with no known dates.
    pub fn new(text: impl Into<String>) -> Self {
        Address {
            text: text.into(),
            from: None,
            to: None,
        }
    }
}

/// One record's view of a person, as matching compares it (R-PERSON-1).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PersonRecord {
    /// Given names in order, the first one first ("Mary Jane").
    pub given_names: String,
    pub family_name: String,
    /// Other full names the person is known by ("Katie Nguyen"); a one-word alias is a
    /// given name.
    pub aliases: Vec<String>,
    pub former_family_names: Vec<String>,
    pub dob: Dob,
    pub sex: Option<Sex>,
    pub cris_number: Option<String>,
    pub phones: Vec<String>,
    /// Current and past addresses.
    pub addresses: Vec<Address>,
}

impl PersonRecord {
    /// A record with just a name and a date of birth.
    pub fn new(given_names: impl Into<String>, family_name: impl Into<String>, dob: Dob) -> Self {
        PersonRecord {
            given_names: given_names.into(),
            family_name: family_name.into(),
            aliases: Vec::new(),
            former_family_names: Vec::new(),
            dob,
            sex: None,
            cris_number: None,
            phones: Vec::new(),
            addresses: Vec::new(),
        }
    }
}
