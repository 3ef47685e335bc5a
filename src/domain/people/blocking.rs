//! Blocking: the keys that decide which pairs of records are compared at all. Two records are
//! compared when they share a key, so every key is a cheap guess at "could be the same
//! person" that holds despite the spelling, alias and family-name variations R-PERSON-1
//! asks matching to find.

use std::collections::BTreeSet;

use rphonetic::DoubleMetaphone;

use super::model::PersonRecord;
use super::normalise;
use super::score::{Identifiers, Seen};

/// The Double Metaphone codes of a normalised name (primary, and the alternate when it
/// differs), so "Catherine" and "Kathryn", "Jayden" and "Jaden" share a code.
pub fn phonetic(normal: &str) -> Vec<String> {
    let joined: String = normal.chars().filter(|c| !c.is_whitespace()).collect();
    if joined.is_empty() {
        return Vec::new();
    }
    let result = DoubleMetaphone::default().double_metaphone(&joined);
    let mut codes = vec![result.primary()];
    let alternate = result.alternate();
    if alternate != codes[0] {
        codes.push(alternate);
    }
    codes.retain(|code| !code.is_empty());
    codes
}

/// The blocking keys of a record (R-PERSON-1):
///
/// - `fy:` the phonetic code of each family name (current, former, and the family part of
///   each alias) with the birth year, when the year is known;
/// - `gy:` the phonetic code of each first given name (including aliases') with the birth
///   year, when the year is known, which finds a person whose family name changed;
/// - `fi:` the phonetic code of each family name with each given initial, which finds a
///   person whose date of birth is unknown on either side. It is made for every record, not
///   only those without a date of birth, because a key only joins a pair when both sides
///   have it, and the side whose date is known cannot know the other side's is not;
/// - `fd:` the phonetic code of each family name with the whole date of birth, when it is
///   exact: a small block that still holds the person when the year's block is large
///   (a common name), where each key reads only its newest mentions;
/// - `cris:` the CRIS number;
/// - `ph:` each normalised phone number;
/// - `ad:` each normalised address, current or past.
pub fn keys(record: &PersonRecord) -> BTreeSet<String> {
    let mut keys = BTreeSet::new();
    let year = record.dob.year();
    let givens = normalise::given_names(record);
    let initials: BTreeSet<char> = givens.iter().filter_map(|g| g.chars().next()).collect();

    for family in normalise::family_names(record) {
        for code in phonetic(&family) {
            if let Some(year) = year {
                keys.insert(format!("fy:{code}:{year}"));
            }
            if let super::model::Dob::Exact(date) = record.dob {
                keys.insert(format!("fd:{code}:{date}"));
            }
            for initial in &initials {
                keys.insert(format!("fi:{code}:{initial}"));
            }
        }
    }
    if let Some(year) = year {
        for given in &givens {
            for code in phonetic(normalise::first_word(given)) {
                keys.insert(format!("gy:{code}:{year}"));
            }
        }
    }
    if let Some(cris) = record.cris_number.as_deref().and_then(normalise::cris) {
        keys.insert(format!("cris:{cris}"));
    }
    for phone in record.phones.iter().filter_map(|p| normalise::phone(p)) {
        keys.insert(format!("ph:{phone}"));
    }
    for address in &record.addresses {
        let address = normalise::address(&address.text);
        if !address.is_empty() {
            keys.insert(format!("ad:{address}"));
        }
    }
    keys
}

/// What the key rows a search read tell of each identifier for one mention: `sought` is
/// the sought person's keys, `shared` those the mention was read under, and `whole` those
/// whose every row the caller may see was read.
pub fn identifiers(
    sought: &BTreeSet<String>,
    shared: &BTreeSet<String>,
    whole: &BTreeSet<String>,
) -> Identifiers {
    let seen = |prefix: &str| {
        let mut of_kind = sought.iter().filter(|k| k.starts_with(prefix)).peekable();
        if of_kind.peek().is_none() {
            Seen::NotGiven
        } else if of_kind.clone().any(|k| shared.contains(k)) {
            Seen::Shared
        } else if of_kind.all(|k| whole.contains(k)) {
            Seen::Absent
        } else {
            Seen::Unread
        }
    };
    Identifiers {
        cris: seen("cris:"),
        phone: seen("ph:"),
        address: seen("ad:"),
    }
}

#[cfg(test)]
mod tests {
    use chrono::NaiveDate;

    use super::*;
    use crate::domain::people::{Address, Dob};

    fn dob(y: i32, m: u32, d: u32) -> Dob {
        NaiveDate::from_ymd_opt(y, m, d).map_or(Dob::Unknown, Dob::Exact)
    }

    fn shared(a: &PersonRecord, b: &PersonRecord) -> BTreeSet<String> {
        keys(a).intersection(&keys(b)).cloned().collect()
    }

    #[test]
    fn similar_spellings_share_a_phonetic_code() {
        for (a, b) in [
            ("catherine", "kathryn"),
            ("katherine", "catherine"),
            ("jayden", "jaden"),
            ("zoe", "zoey"),
            ("mohammed", "muhammad"),
            ("smith", "smyth"),
        ] {
            let a_codes = phonetic(a);
            assert!(
                phonetic(b).iter().any(|code| a_codes.contains(code)),
                "{a} and {b}"
            );
        }
        assert!(phonetic(" ").is_empty());
    }

    #[test]
    fn a_changed_family_name_still_shares_the_given_name_and_year() {
        let a = PersonRecord::new("Jayden", "Smith", dob(2015, 3, 4));
        let b = PersonRecord::new("Jaden", "Papadopoulos", Dob::Year(2015));
        let keys = shared(&a, &b);
        assert!(keys.iter().any(|k| k.starts_with("gy:")), "{keys:?}");
        assert!(!keys.iter().any(|k| k.starts_with("fy:")), "{keys:?}");
    }

    #[test]
    fn an_unknown_date_of_birth_still_shares_family_and_initial() {
        let a = PersonRecord::new("Zoe", "Smith", dob(2015, 3, 4));
        let b = PersonRecord::new("Zoey", "Smyth", Dob::Unknown);
        let keys = shared(&a, &b);
        assert!(keys.iter().any(|k| k.starts_with("fi:")), "{keys:?}");
        assert!(!keys.iter().any(|k| k.starts_with("gy:")));
    }

    #[test]
    fn aliases_former_names_cris_phones_and_addresses_are_keys() {
        let mut a = PersonRecord::new("Katherine", "Tran", Dob::Unknown);
        a.aliases = vec!["Katie Nguyen".into()];
        a.former_family_names = vec!["Jones".into()];
        a.cris_number = Some("ab 123".into());
        a.phones = vec!["+61 412 345 678".into()];
        a.addresses = vec![Address::new("Unit 2, 15 Smith St")];
        let keys = keys(&a);
        for want in ["cris:AB123", "ph:0412345678", "ad:2/15 smith street"] {
            assert!(keys.contains(want), "{want} in {keys:?}");
        }
        for family in ["tran", "nguyen", "jones"] {
            let code = &phonetic(family)[0];
            assert!(
                keys.contains(&format!("fi:{code}:k")),
                "{family} in {keys:?}"
            );
        }
    }
}
