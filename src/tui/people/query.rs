//! A search as typed — `Jordon Smyth 2014-03-02` — read as the person sought: a date
//! (`YYYY-MM-DD`, `YYYY-MM` or `YYYY`) is the date of birth, a CRIS number and a phone
//! number are themselves, what follows a comma is an address, the last other word is the
//! family name and the words before it the given names.

use crate::tui::matching::is_date;
use crate::wire::FindPerson;

/// A CRIS number as typed: `CRIS-1234567`, or `cris:1234567`.
fn cris(word: &str) -> Option<String> {
    let lower = word.to_ascii_lowercase();
    let digits = lower
        .strip_prefix("cris:")
        .or_else(|| lower.strip_prefix("cris-"))?;
    (!digits.is_empty() && digits.chars().all(|c| c.is_ascii_alphanumeric()))
        .then(|| format!("CRIS-{}", digits.to_ascii_uppercase()))
}

/// A phone number as typed, its groups run together (`0400 111 222`): eight digits or
/// more, led by `0` or `+`.
fn phone(words: &[&str]) -> Option<(String, usize)> {
    let first = words.first()?;
    if !(first.starts_with('0') || first.starts_with('+')) {
        return None;
    }
    let mut taken = 0;
    let mut digits = String::new();
    for word in words {
        let body = word.strip_prefix('+').unwrap_or(word);
        if body.is_empty() || !body.chars().all(|c| c.is_ascii_digit()) {
            break;
        }
        digits.push_str(word);
        taken += 1;
    }
    (digits.trim_start_matches('+').len() >= 8).then_some((digits, taken))
}

/// The person sought, or what is missing. After a comma comes an address (`Jordon Smyth
/// 2014, 12 Example St Footscray`); a CRIS number (`CRIS-1234567`) and a phone number may
/// stand anywhere before it.
pub fn sought(text: &str) -> Result<FindPerson, String> {
    let (person, address) = match text.split_once(',') {
        Some((person, address)) => (person, Some(address.trim()).filter(|a| !a.is_empty())),
        None => (text, None),
    };
    let words: Vec<&str> = person.split_whitespace().collect();
    let (mut dates, mut names, mut crises, mut phones) = (vec![], vec![], vec![], vec![]);
    let mut at = 0;
    while at < words.len() {
        let word = words[at];
        if let Some((number, taken)) = phone(&words[at..]) {
            phones.push(number);
            at += taken;
            continue;
        }
        if is_date(word) {
            dates.push(word);
        } else if let Some(number) = cris(word) {
            crises.push(number);
        } else {
            names.push(word);
        }
        at += 1;
    }
    if dates.len() > 1 || crises.len() > 1 {
        return Err("one date of birth and one CRIS number at most".into());
    }
    let identified = !crises.is_empty() || !phones.is_empty() || address.is_some();
    let (given, family) = match names.as_slice() {
        [] if identified => (String::new(), String::new()),
        [given @ .., family] if !given.is_empty() => (given.join(" "), (*family).to_string()),
        _ => {
            return Err(
                "type a given name and a family name (and a date of birth if known), or a CRIS number, a phone, or an address after a comma"
                    .into(),
            );
        }
    };
    Ok(FindPerson {
        given_names: given,
        family_name: family,
        aliases: Vec::new(),
        former_family_names: Vec::new(),
        date_of_birth: dates.first().map(|d| (*d).to_string()),
        cris_number: crises.into_iter().next(),
        phones,
        addresses: address.map(str::to_string).into_iter().collect(),
        person: None,
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

    #[test]
    fn a_cris_number_a_phone_and_an_address_after_a_comma_are_read_too() {
        let found = sought("Jordan Smith cris:1234567 0400 111 222, 12 Example St, Footscray")
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(found.given_names, "Jordan");
        assert_eq!(found.family_name, "Smith");
        assert_eq!(found.cris_number.as_deref(), Some("CRIS-1234567"));
        assert_eq!(found.phones, vec!["0400111222".to_string()]);
        assert_eq!(
            found.addresses,
            vec!["12 Example St, Footscray".to_string()]
        );
        let by_cris = sought("CRIS-1234567").unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(
            (by_cris.given_names.as_str(), by_cris.family_name.as_str()),
            ("", "")
        );
        let by_address = sought(", 12 Example St Footscray").unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(by_address.addresses.len(), 1);
        assert!(
            sought("Smith 0400 111 222").is_err(),
            "a lone family name is not a name"
        );
        assert!(sought("").is_err());
        assert!(sought("Jo Smith CRIS-1 CRIS-2").is_err());
    }
}
