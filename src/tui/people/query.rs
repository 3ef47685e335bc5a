//! A search as typed — `Jordon Smyth 2014-03-02` — read as the person sought: a date
//! (`YYYY-MM-DD`, `YYYY-MM` or `YYYY`) is the date of birth, the last other word the family
//! name, the words before it the given names.

use crate::wire::FindPerson;

fn is_date(word: &str) -> bool {
    let parts: Vec<&str> = word.split('-').collect();
    let digits = |p: &&str, n: usize| p.len() == n && p.chars().all(|c| c.is_ascii_digit());
    match parts.as_slice() {
        [y] => digits(y, 4),
        [y, m] => digits(y, 4) && digits(m, 2),
        [y, m, d] => digits(y, 4) && digits(m, 2) && digits(d, 2),
        _ => false,
    }
}

/// The person sought, or what is missing.
pub fn sought(text: &str) -> Result<FindPerson, String> {
    let words: Vec<&str> = text.split_whitespace().collect();
    let (dates, names): (Vec<&str>, Vec<&str>) = words.into_iter().partition(|w| is_date(w));
    if dates.len() > 1 {
        return Err("one date of birth at most".into());
    }
    let [given @ .., family] = names.as_slice() else {
        return Err("type a given name and a family name, and a date of birth if known".into());
    };
    if given.is_empty() {
        return Err("type a given name before the family name".into());
    }
    Ok(FindPerson {
        given_names: given.join(" "),
        family_name: (*family).to_string(),
        aliases: Vec::new(),
        former_family_names: Vec::new(),
        date_of_birth: dates.first().map(|d| (*d).to_string()),
        cris_number: None,
        phones: Vec::new(),
        addresses: Vec::new(),
    })
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
