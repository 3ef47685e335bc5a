//! Normal forms of names, phones and addresses, so that spellings of one thing compare equal
//! (R-PERSON-1: "all known family and given names … and similar spellings", "current and
//! past addresses").

use unicode_normalization::UnicodeNormalization;
use unicode_normalization::char::is_combining_mark;

use super::model::PersonRecord;

/// Lower case, without diacritics, without punctuation: "Zoë O'Brien-Smith" is
/// "zoe obriensmith". Apostrophes, hyphens and other punctuation join the letters either side;
/// runs of white space become one space.
pub fn name(text: &str) -> String {
    let folded: String = text
        .nfd()
        .filter(|c| !is_combining_mark(*c))
        .flat_map(char::to_lowercase)
        .filter(|c| c.is_alphanumeric() || c.is_whitespace())
        .collect();
    folded.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// The given part and the family part of a full name such as an alias, each normalised: the
/// family name is the last word and the given names are the words before it. A one-word
/// name is a given name.
pub fn full_name_parts(text: &str) -> (Option<String>, Option<String>) {
    let normal = name(text);
    let words: Vec<&str> = normal.split(' ').filter(|w| !w.is_empty()).collect();
    match words.as_slice() {
        [] => (None, None),
        [given] => (Some((*given).to_owned()), None),
        [given @ .., family] => (Some(given.join(" ")), Some((*family).to_owned())),
    }
}

/// The first word of a normalised given name.
pub fn first_word(normal: &str) -> &str {
    normal.split(' ').next().unwrap_or(normal)
}

/// Every given name a record knows, normalised: the given names in full, the first of them,
/// and the given part of each alias (in full and its first word), without repeats.
pub fn given_names(record: &PersonRecord) -> Vec<String> {
    let mut out = Vec::new();
    let mut push = |given: String| {
        if given.is_empty() {
            return;
        }
        let first = first_word(&given).to_owned();
        for candidate in [given, first] {
            if !out.contains(&candidate) {
                out.push(candidate);
            }
        }
    };
    push(name(&record.given_names));
    for alias in &record.aliases {
        if let (Some(given), _) = full_name_parts(alias) {
            push(given);
        }
    }
    out
}

/// Every family name a record knows, normalised: the family name, former family names and
/// the family part of each alias, without repeats.
pub fn family_names(record: &PersonRecord) -> Vec<String> {
    let aliases = record
        .aliases
        .iter()
        .filter_map(|alias| full_name_parts(alias).1);
    let mut out: Vec<String> = Vec::new();
    for family in std::iter::once(name(&record.family_name))
        .chain(record.former_family_names.iter().map(|former| name(former)))
        .chain(aliases)
    {
        if !family.is_empty() && !out.contains(&family) {
            out.push(family);
        }
    }
    out
}

/// A CRIS number in one form: upper case letters and digits only.
pub fn cris(text: &str) -> Option<String> {
    let normal: String = text
        .chars()
        .filter(char::is_ascii_alphanumeric)
        .map(|c| c.to_ascii_uppercase())
        .collect();
    (!normal.is_empty()).then_some(normal)
}

/// A phone number as its digits, an Australian number written one way: `+61 412 345 678`,
/// `(0412) 345-678` and `0412345678` are all `0412345678`. `None` when there are no digits.
pub fn phone(text: &str) -> Option<String> {
    let digits: String = text.chars().filter(char::is_ascii_digit).collect();
    if digits.is_empty() {
        return None;
    }
    // "+61 (0) 4…" carries the trunk zero after the country code; "+61 4…" does not.
    let national = if let Some(rest) = digits.strip_prefix("610") {
        format!("0{rest}")
    } else if let Some(rest) = digits.strip_prefix("61").filter(|rest| rest.len() == 9) {
        format!("0{rest}")
    } else if digits.len() == 9 && !digits.starts_with('0') {
        format!("0{digits}")
    } else {
        digits
    };
    Some(national)
}

/// The words that introduce a unit number: "Unit 2, 15 Smith St" is "2/15 smith street".
const UNIT_WORDS: &[&str] = &[
    "unit",
    "u",
    "apartment",
    "apt",
    "flat",
    "villa",
    "townhouse",
];

/// Street types written short and in full.
const STREET_TYPES: &[(&str, &str)] = &[
    ("st", "street"),
    ("rd", "road"),
    ("ave", "avenue"),
    ("av", "avenue"),
    ("cres", "crescent"),
    ("cr", "crescent"),
    ("ct", "court"),
    ("crt", "court"),
    ("dr", "drive"),
    ("pde", "parade"),
    ("pl", "place"),
    ("ln", "lane"),
    ("hwy", "highway"),
    ("tce", "terrace"),
    ("bvd", "boulevard"),
    ("blvd", "boulevard"),
    ("cl", "close"),
    ("gr", "grove"),
];

/// An address in one form: lower case, without diacritics or punctuation, street types in
/// full, and a unit written as "unit/number": "Unit 2, 15 St Kilda Rd" and "2/15 St. Kilda
/// Road" are both "2/15 saint kilda road". "St" straight after a street number is "saint";
/// elsewhere it is "street".
pub fn address(text: &str) -> String {
    let folded: String = text
        .nfd()
        .filter(|c| !is_combining_mark(*c))
        .flat_map(char::to_lowercase)
        .map(|c| match c {
            '/' => '/',
            c if c.is_alphanumeric() => c,
            '\'' | '’' => '\0',
            _ => ' ',
        })
        .filter(|c| *c != '\0')
        .collect();
    let spaced = folded.replace('/', " / ");
    let words: Vec<&str> = spaced.split_whitespace().collect();

    let mut out: Vec<String> = Vec::with_capacity(words.len());
    // Whether the next street number joins the unit number before it.
    let mut join_next = false;
    let mut i = 0;
    while i < words.len() {
        let word = words[i];
        let next = words.get(i + 1).copied();
        if UNIT_WORDS.contains(&word)
            && let Some(unit) = next.filter(|unit| is_street_number(unit))
        {
            out.push(unit.to_owned());
            join_next = true;
            i += 2;
            continue;
        }
        if word == "/" {
            join_next = out.last().is_some_and(|prev| is_street_number(prev));
            i += 1;
            continue;
        }
        match out.last_mut() {
            Some(unit) if join_next && is_street_number(word) => {
                unit.push('/');
                unit.push_str(word);
            }
            prev => {
                let after_number = prev.is_some_and(|prev| is_street_number(prev));
                out.push(street_word(word, after_number).to_owned());
            }
        }
        join_next = false;
        i += 1;
    }
    out.join(" ")
}

/// A street or unit number: digits, perhaps with a letter ("15a") or a unit already joined.
fn is_street_number(word: &str) -> bool {
    word.chars().next().is_some_and(|c| c.is_ascii_digit())
        && word.chars().all(|c| c.is_ascii_alphanumeric() || c == '/')
}

fn street_word(word: &str, after_number: bool) -> &str {
    if word == "st" && after_number {
        return "saint";
    }
    STREET_TYPES
        .iter()
        .find(|(short, _)| *short == word)
        .map_or(word, |(_, full)| full)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::people::Dob;

    #[test]
    fn names_fold_case_diacritics_and_punctuation() {
        assert_eq!(name("Zoë"), "zoe");
        assert_eq!(name("  O'Brien  "), "obrien");
        assert_eq!(name("Smith-Jones"), "smithjones");
        assert_eq!(name("JOSÉ  María"), "jose maria");
        assert_eq!(name("Nguyễn"), "nguyen");
        assert_eq!(name("D’Arcy."), "darcy");
    }

    #[test]
    fn a_full_name_is_given_names_then_a_family_name() {
        assert_eq!(
            full_name_parts("Mary-Anne Kate O'Neil"),
            (Some("maryanne kate".into()), Some("oneil".into()))
        );
        assert_eq!(full_name_parts("Katie"), (Some("katie".into()), None));
        assert_eq!(full_name_parts(" - "), (None, None));
        assert_eq!(first_word("mary jane"), "mary");
    }

    #[test]
    fn phones_are_written_one_way() {
        let want = Some("0412345678".to_owned());
        assert_eq!(phone("+61 412 345 678"), want);
        assert_eq!(phone("0412 345 678"), want);
        assert_eq!(phone("(0412) 345-678"), want);
        assert_eq!(phone("+61 (0) 412 345 678"), want);
        assert_eq!(phone("412345678"), want);
        assert_eq!(phone("03 9123 4567"), Some("0391234567".into()));
        assert_eq!(phone("+61 3 9123 4567"), Some("0391234567".into()));
        assert_eq!(phone("n/a"), None);
    }

    #[test]
    fn street_types_are_written_in_full() {
        assert_eq!(address("15 Smith St"), "15 smith street");
        assert_eq!(address("15 Smith Street"), "15 smith street");
        assert_eq!(address("3 Oak Rd."), "3 oak road");
        assert_eq!(address("3 Elm Ave, Footscray"), "3 elm avenue footscray");
        assert_eq!(address("9 Banksia Cres"), "9 banksia crescent");
        assert_eq!(address("9 Wattle Ct"), "9 wattle court");
        assert_eq!(address("4 Ocean Dr"), "4 ocean drive");
        assert_eq!(address("4 Beach Pde"), "4 beach parade");
    }

    #[test]
    fn a_unit_is_written_one_way() {
        let want = "2/15 smith street";
        assert_eq!(address("Unit 2, 15 Smith St"), want);
        assert_eq!(address("2/15 Smith St"), want);
        assert_eq!(address("2 / 15 Smith Street"), want);
        assert_eq!(address("Apt 2 15 Smith St."), want);
        assert_eq!(address("U 2 15 SMITH ST"), want);
        assert_eq!(address("Unit 12A/7 Smith St"), "12a/7 smith street");
    }

    #[test]
    fn st_after_a_street_number_is_saint() {
        assert_eq!(address("100 St Kilda Rd"), "100 saint kilda road");
        assert_eq!(
            address("Unit 2, 15 St Georges Rd"),
            "2/15 saint georges road"
        );
    }

    #[test]
    fn a_record_knows_every_given_and_family_name_of_its_aliases() {
        let mut record = PersonRecord::new("Katherine Rose", "Nguyễn", Dob::Unknown);
        record.aliases = vec!["Katie Tran".into(), "Kat".into()];
        record.former_family_names = vec!["Nguyen".into(), "O'Hara".into()];
        assert_eq!(
            given_names(&record),
            ["katherine rose", "katherine", "katie", "kat"]
        );
        assert_eq!(family_names(&record), ["nguyen", "ohara", "tran"]);
    }

    #[test]
    fn cris_numbers_ignore_case_and_spacing() {
        assert_eq!(cris(" ab-123 456"), Some("AB123456".into()));
        assert_eq!(cris("--"), None);
    }
}
