//! A mention's digest (R-PERSON-1, R-PERSON-2): the part of a person a search for
//! candidates scores first. It is kept on each of the mention's key rows, so that a search
//! reads one narrow range of rows per key, bounds each mention's score from them
//! ([`super::score::bound`]), and reads whole only the mentions that may reach a band.
//!
//! It holds the given names, the family name and the date of birth, as a JSON array of
//! three strings (`["Riley","Murphy","2010-08-09"]`, the date as [`Dob`] writes it). A
//! mention known by other names (aliases, former family names) has no digest: its names
//! are too many to keep on every key row, so it is always read whole.

use super::model::{Dob, PersonRecord};

/// The digest of a person as a record names them, or `None` when they are known by other
/// names too.
pub fn digest(person: &PersonRecord) -> Option<String> {
    if !person.aliases.is_empty() || !person.former_family_names.is_empty() {
        return None;
    }
    serde_json::to_string(&(
        &person.given_names,
        &person.family_name,
        person.dob.to_string(),
    ))
    .ok()
}

/// The person a digest holds: names and date of birth, nothing else known; `None` when
/// the text is not a digest.
pub fn undigest(text: &str) -> Option<PersonRecord> {
    let (given, family, dob): (String, String, String) = serde_json::from_str(text).ok()?;
    Some(PersonRecord::new(given, family, Dob::parse(&dob)?))
}

#[cfg(test)]
mod tests {
    use chrono::NaiveDate;

    use super::*;

    #[test]
    fn a_digest_keeps_the_names_and_the_date_of_birth() {
        let date = NaiveDate::from_ymd_opt(2010, 8, 9).map_or(Dob::Unknown, Dob::Exact);
        for dob in [date, Dob::Year(2010), Dob::YearMonth(2010, 8), Dob::Unknown] {
            let mut person = PersonRecord::new("Mary \"Jane\"", "O'Brien", dob);
            person.phones = vec!["0412 345 678".into()];
            let text = digest(&person).unwrap_or_default();
            assert_eq!(
                undigest(&text),
                Some(PersonRecord::new("Mary \"Jane\"", "O'Brien", dob)),
                "{text}"
            );
        }
        let riley = PersonRecord::new("Riley", "Murphy", date);
        assert_eq!(
            digest(&riley).as_deref(),
            Some(r#"["Riley","Murphy","2010-08-09"]"#)
        );
    }

    #[test]
    fn a_person_known_by_other_names_has_no_digest() {
        let mut person = PersonRecord::new("Katherine", "Tran", Dob::Unknown);
        person.aliases = vec!["Katie Nguyen".into()];
        assert_eq!(digest(&person), None);
        person.aliases.clear();
        person.former_family_names = vec!["Jones".into()];
        assert_eq!(digest(&person), None);
    }

    #[test]
    fn text_that_is_not_a_digest_reads_as_none() {
        for text in ["", "[]", r#"["a","b"]"#, r#"["a","b","31/12/2010"]"#, "{}"] {
            assert_eq!(undigest(text), None, "{text}");
        }
        // As PostgreSQL writes one.
        assert!(undigest(r#"["Riley", "Murphy", "unknown"]"#).is_some());
    }
}
