//! A search as typed — `Jordon Smyth 2014-03-02` — read as the person sought: a date
//! (`YYYY-MM-DD`, `YYYY-MM` or `YYYY`) is the date of birth, the last other word the family
//! name, the words before it the given names.

use crate::tui::matching::{find_person, is_date};
use crate::wire::FindPerson;

/// The person sought, or what is missing.
pub fn sought(text: &str) -> Result<FindPerson, String> {
    let words: Vec<&str> = text.split_whitespace().collect();
    let (dates, names): (Vec<&str>, Vec<&str>) = words.into_iter().partition(|w| is_date(w));
    if dates.len() > 1 {
        return Err("one date of birth at most".into());
    }
    match names.as_slice() {
        [] => Err("type a given name and a family name, and a date of birth if known".into()),
        [_] => Err("type a given name before the family name".into()),
        _ => find_person(&names.join(" "), dates.first().copied())
            .ok_or_else(|| "type a given name and a family name".into()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_and_a_date_are_read_from_what_is_typed() {
        let found = sought("Mary Jane Smyth 2014-03-02").unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(found.given_names, "Mary Jane");
        assert_eq!(found.family_name, "Smyth");
        assert_eq!(found.date_of_birth.as_deref(), Some("2014-03-02"));
        let year = sought("2014 Jordan Smith").unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(year.date_of_birth.as_deref(), Some("2014"));
        assert!(sought("Smith").is_err());
        assert!(sought("Jo Smith 2014 2015").is_err());
    }
}
