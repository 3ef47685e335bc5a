//! A person as the screens ask matching about them (R-PERSON-1): a name's last word is the
//! family name and the words before it the given names; a date of birth is `YYYY-MM-DD`,
//! `YYYY-MM` or `YYYY`.

use crate::wire::FindPerson;

/// Whether `word` is a date of birth as matching takes one.
pub fn is_date(word: &str) -> bool {
    let parts: Vec<&str> = word.split('-').collect();
    let digits = |p: &&str, n: usize| p.len() == n && p.chars().all(|c| c.is_ascii_digit());
    match parts.as_slice() {
        [y] => digits(y, 4),
        [y, m] => digits(y, 4) && digits(m, 2),
        [y, m, d] => digits(y, 4) && digits(m, 2) && digits(d, 2),
        _ => false,
    }
}

/// The person named `name` (two words or more) and born on `date_of_birth` if known; none
/// without a given and a family name.
pub fn find_person(name: &str, date_of_birth: Option<&str>) -> Option<FindPerson> {
    let words: Vec<&str> = name.split_whitespace().collect();
    let [given @ .., family] = words.as_slice() else {
        return None;
    };
    if given.is_empty() {
        return None;
    }
    Some(FindPerson {
        given_names: given.join(" "),
        family_name: (*family).to_string(),
        aliases: Vec::new(),
        former_family_names: Vec::new(),
        date_of_birth: date_of_birth.map(str::to_string),
        cris_number: None,
        phones: Vec::new(),
        addresses: Vec::new(),
        person: None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_name_of_two_words_or_more_is_a_person_and_dates_are_read_at_three_precisions() {
        let found = find_person(" Mary  Jane Smyth ", Some("2014-03")).map(|f| {
            (
                f.given_names,
                f.family_name,
                f.date_of_birth.unwrap_or_default(),
            )
        });
        assert_eq!(
            found,
            Some(("Mary Jane".into(), "Smyth".into(), "2014-03".into()))
        );
        assert!(find_person("Smyth", None).is_none());
        assert!(["2014", "2014-03", "2014-03-02"].iter().all(|d| is_date(d)));
        assert!(
            !["14", "2014-3-2", "2014-03-02-01", "born"]
                .iter()
                .any(|d| is_date(d))
        );
    }
}
