//! The field-by-field comparison of two records and the band it proposes (R-PERSON-2:
//! "candidates come with a field-by-field reason and a band"). Every field yields a reason
//! and a log-likelihood weight: how much more (positive) or less (negative) likely that
//! agreement is between two records of one person than between records of two people. The
//! sum of the weights decides the band. Nothing here merges anything: the band is a
//! proposal for the practitioner.

use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};
use strsim::{jaro_winkler, osa_distance};

use super::blocking::phonetic;
use super::model::{Dob, PersonRecord};
use super::normalise;

/// Every weight and threshold of matching, in one place. The weights are log-likelihood
/// ratios in bits: +3 means the agreement is about eight times as likely between two records
/// of one person as between records of two different people. They were set against the
/// generated population of the person-index quality test (recall of likely and possible
/// over true pairs of at least 0.98, precision of likely at least 0.99, no twins likely);
/// they are policy data, to be tuned against real records.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct MatchWeights {
    /// Jaro–Winkler similarity from which two different spellings of a name are near.
    pub name_near_similarity: f64,
    /// Jaro–Winkler similarity from which two names that share a Double Metaphone code are
    /// near ("Catherine" and "Kathryn"); below it, sounding alike is not enough ("Emily" and
    /// "Amelia", "Lily" and "Layla" share a code but are different names).
    pub phonetic_near_similarity: f64,
    /// Jaro–Winkler similarity from which two addresses with one street number are near.
    pub address_near_similarity: f64,
    pub given_match: f64,
    pub given_near: f64,
    pub given_differs: f64,
    pub family_match: f64,
    pub family_near: f64,
    pub family_differs: f64,
    pub dob_exact: f64,
    pub dob_transposed: f64,
    pub dob_within_month: f64,
    pub dob_same_year: f64,
    pub dob_differs: f64,
    pub cris_match: f64,
    pub cris_differs: f64,
    pub address_match: f64,
    pub address_near: f64,
    pub address_differs: f64,
    pub phone_match: f64,
    pub phone_differs: f64,
    pub sex_match: f64,
    pub sex_differs: f64,
    /// A total of at least this is likely.
    pub likely_threshold: f64,
    /// A total of at least this (and below likely) is possible.
    pub possible_threshold: f64,
}

/// A policy checks every weight is a finite number when it loads (no NaN), so equality is
/// an equivalence and a policy holding weights may be compared as a whole.
impl Eq for MatchWeights {}

impl MatchWeights {
    /// What is wrong with these weights, by key: a value that is not a finite number, a
    /// similarity outside 0 to 1, or a likely threshold not above the possible one.
    pub fn problem(&self) -> Option<(String, String)> {
        let value = serde_json::to_value(self).ok()?;
        let map = value.as_object()?;
        for (key, v) in map {
            if !v.as_f64().is_some_and(f64::is_finite) {
                return Some((key.clone(), "must be a finite number".into()));
            }
        }
        for (key, v) in map.iter().filter(|(k, _)| k.ends_with("_similarity")) {
            if !v.as_f64().is_some_and(|s| s > 0.0 && s <= 1.0) {
                return Some((key.clone(), "a similarity is above 0 and at most 1".into()));
            }
        }
        (self.likely_threshold <= self.possible_threshold).then(|| {
            (
                "likely_threshold".into(),
                "must be above possible_threshold".into(),
            )
        })
    }
}

impl Default for MatchWeights {
    fn default() -> Self {
        MatchWeights {
            name_near_similarity: 0.85,
            phonetic_near_similarity: 0.75,
            address_near_similarity: 0.9,
            given_match: 4.0,
            given_near: 2.5,
            given_differs: -4.0,
            family_match: 3.0,
            family_near: 1.5,
            family_differs: -2.0,
            dob_exact: 5.0,
            dob_transposed: 3.0,
            dob_within_month: 2.0,
            dob_same_year: 1.0,
            dob_differs: -6.0,
            cris_match: 10.0,
            cris_differs: -8.0,
            address_match: 3.0,
            address_near: 1.5,
            address_differs: -0.5,
            phone_match: 3.0,
            phone_differs: -0.5,
            sex_match: 0.5,
            sex_differs: -3.0,
            likely_threshold: 10.0,
            possible_threshold: 4.0,
        }
    }
}

/// A compared field.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Field {
    GivenName,
    FamilyName,
    Dob,
    Cris,
    Address,
    Phone,
    Sex,
}

/// How a field compares.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Reason {
    Match,
    Near,
    Differs,
    /// One side or both do not know the field.
    Unknown,
}

/// The proposal for a pair (R-PERSON-2): the practitioner decides.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Band {
    Likely,
    Possible,
    Unlikely,
}

/// Why a band is lower than the score alone would make it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Cap {
    /// Same family name and date of birth or address, but clearly different given names:
    /// possibly twins or siblings, who are never likely (R-PERSON-2).
    TwinsOrSiblings,
}

/// One field of the comparison: the values compared (the closest pair when a side has
/// several), how they compare, and the weight that adds to the score.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FieldReason {
    pub field: Field,
    pub left: String,
    pub right: String,
    pub reason: Reason,
    pub weight: f64,
    /// What kind of near or match, where there are several ("day and month transposed").
    pub detail: Option<&'static str>,
}

/// The comparison of two records: every compared field, the score, the band, and the cap
/// that lowered the band, if any.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Explanation {
    pub fields: Vec<FieldReason>,
    pub score: f64,
    pub band: Band,
    pub capped: Option<Cap>,
}

/// Compares two records field by field and proposes a band (R-PERSON-2).
pub fn compare(left: &PersonRecord, right: &PersonRecord, weights: &MatchWeights) -> Explanation {
    let (left_given, right_given) = (normalise::given_names(left), normalise::given_names(right));
    let given = compare_given(&left_given, &right_given, weights);
    let family = compare_family(left, right, weights);
    let dob = compare_dob(left.dob, right.dob, weights);
    let address = compare_addresses(left, right, weights);
    let clearly_different_given = !one_given_name(&left_given, &right_given, weights);
    // R-PERSON-2: twins and siblings share a family name and a date of birth or an address;
    // with clearly different given names (none an alias of the other) they are never likely.
    // A misspelt family name, a date of birth near or known only to the year and a similar
    // address count as shared, so a typo cannot lift siblings to likely.
    let shared = |reason: Reason| matches!(reason, Reason::Match | Reason::Near);
    let capped = (shared(family.reason)
        && (shared(dob.reason) || shared(address.reason))
        && clearly_different_given)
        .then_some(Cap::TwinsOrSiblings);

    let fields = vec![
        given,
        family,
        dob,
        compare_cris(left, right, weights),
        address,
        compare_phones(left, right, weights),
        compare_sex(left, right, weights),
    ];
    let score: f64 = fields.iter().map(|f| f.weight).sum();
    let by_score = if score >= weights.likely_threshold {
        Band::Likely
    } else if score >= weights.possible_threshold {
        Band::Possible
    } else {
        Band::Unlikely
    };
    let band = match (by_score, capped) {
        (Band::Likely, Some(Cap::TwinsOrSiblings)) => Band::Possible,
        (band, _) => band,
    };
    Explanation {
        fields,
        score,
        band,
        capped,
    }
}

/// What the key rows a search read tell of one kind of identifier the search gave (a
/// CRIS number, phones, addresses) for one mention.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Seen {
    /// The search gave none: the field compares as unknown.
    NotGiven,
    /// The mention shares a key of that kind with the person sought.
    Shared,
    /// It does not: every such key's rows were read and it was not among them.
    Absent,
    /// Not known: a key's rows were cut at the most one key contributes.
    Unread,
}

/// [`Seen`] for each kind of identifier that has blocking keys.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Identifiers {
    pub cris: Seen,
    pub phone: Seen,
    pub address: Seen,
}

/// The most `compare(sought, mention)` can score, knowing of the mention only its names and
/// date of birth (`known`, which must carry every name the mention has: see
/// [`super::digest`]) and which identifier keys it shares (R-PERSON-2). The names and the
/// date compare exactly; an identifier the search gave scores its match when shared, its
/// best otherwise; sex, which `known` does not carry, its best. A mention whose bound is below the possible
/// threshold is never banded, so a search need not read it whole.
pub fn bound(
    sought: &PersonRecord,
    known: &PersonRecord,
    identifiers: Identifiers,
    weights: &MatchWeights,
) -> f64 {
    let given = compare_given(
        &normalise::given_names(sought),
        &normalise::given_names(known),
        weights,
    )
    .weight;
    let family = compare_family(sought, known, weights).weight;
    let dob = compare_dob(sought.dob, known.dob, weights).weight;
    let best = |weights: &[f64]| weights.iter().copied().fold(0.0, f64::max);
    let identifier = |seen, matched: f64, others: &[f64]| match seen {
        Seen::NotGiven => 0.0,
        Seen::Shared => matched,
        Seen::Absent => best(others),
        Seen::Unread => best(others).max(matched),
    };
    let cris = identifier(
        identifiers.cris,
        weights.cris_match,
        &[weights.cris_differs],
    );
    let phone = identifier(
        identifiers.phone,
        weights.phone_match,
        &[weights.phone_differs],
    );
    let address = identifier(
        identifiers.address,
        weights.address_match,
        &[weights.address_near, weights.address_differs],
    );
    let sex = if sought.sex.is_some() {
        best(&[weights.sex_match, weights.sex_differs])
    } else {
        0.0
    };
    given + family + dob + cris + phone + address + sex
}

/// Whether two sets of given names (with aliases) share one name: equal, one typo apart (a
/// letter swapped, dropped, doubled or changed) or sounding alike. Anything else is clearly
/// different for the twins and siblings cap (R-PERSON-2): besides names with a Jaro–Winkler
/// similarity below the near similarity, that is names as close as "Olivia" and "Oliver",
/// which are near spellings but different names.
fn one_given_name(left: &[String], right: &[String], weights: &MatchWeights) -> bool {
    left.iter().any(|a| {
        right.iter().any(|b| {
            a == b
                || osa_distance(a, b) <= 1
                || (jaro_winkler(a, b) >= weights.phonetic_near_similarity && sounds_alike(a, b))
        })
    })
}

/// The closest pair of two sets of names (with aliases and former names): equal is a match;
/// similar (Jaro–Winkler at least the near similarity) or sounding alike (a shared Double
/// Metaphone code and some similarity) is near (R-PERSON-1: "similar spellings").
/// Given names (with aliases), weighed as the policy weighs them.
fn compare_given(left: &[String], right: &[String], weights: &MatchWeights) -> FieldReason {
    compare_names(
        Field::GivenName,
        left,
        right,
        weights,
        (
            weights.given_match,
            weights.given_near,
            weights.given_differs,
        ),
    )
}

/// Family names (with former ones), weighed as the policy weighs them.
fn compare_family(
    left: &PersonRecord,
    right: &PersonRecord,
    weights: &MatchWeights,
) -> FieldReason {
    compare_names(
        Field::FamilyName,
        &normalise::family_names(left),
        &normalise::family_names(right),
        weights,
        (
            weights.family_match,
            weights.family_near,
            weights.family_differs,
        ),
    )
}

fn compare_names(
    field: Field,
    left: &[String],
    right: &[String],
    weights: &MatchWeights,
    (matched, near, differs): (f64, f64, f64),
) -> FieldReason {
    let mut best: Option<(u8, f64, &str, &str)> = None;
    for a in left {
        for b in right {
            let similarity = jaro_winkler(a, b);
            let rank = if a == b {
                3
            } else if similarity >= weights.name_near_similarity {
                2
            } else if similarity >= weights.phonetic_near_similarity && sounds_alike(a, b) {
                1
            } else {
                0
            };
            if best.is_none_or(|(r, s, _, _)| (rank, similarity) > (r, s)) {
                best = Some((rank, similarity, a, b));
            }
        }
    }
    let Some((rank, _, a, b)) = best else {
        return FieldReason {
            field,
            left: left.first().cloned().unwrap_or_default(),
            right: right.first().cloned().unwrap_or_default(),
            reason: Reason::Unknown,
            weight: 0.0,
            detail: None,
        };
    };
    let (reason, weight, detail) = match rank {
        3 => (Reason::Match, matched, None),
        2 => (Reason::Near, near, Some("similar spelling")),
        1 => (Reason::Near, near, Some("sounds alike")),
        _ => (Reason::Differs, differs, None),
    };
    FieldReason {
        field,
        left: a.to_owned(),
        right: b.to_owned(),
        reason,
        weight,
        detail,
    }
}

fn sounds_alike(a: &str, b: &str) -> bool {
    let a_codes = phonetic(normalise::first_word(a));
    phonetic(normalise::first_word(b))
        .iter()
        .any(|code| a_codes.contains(code))
}

fn compare_dob(left: Dob, right: Dob, weights: &MatchWeights) -> FieldReason {
    let (reason, weight, detail) = match (left, right) {
        (Dob::Unknown, _) | (_, Dob::Unknown) => (Reason::Unknown, 0.0, None),
        (Dob::Exact(a), Dob::Exact(b)) => exact_dates(a, b, weights),
        (a, b) => {
            let months_differ = matches!((a.month(), b.month()), (Some(x), Some(y)) if x != y);
            if a.year() == b.year() && !months_differ {
                (Reason::Near, weights.dob_same_year, Some("same year only"))
            } else {
                (Reason::Differs, weights.dob_differs, None)
            }
        }
    };
    FieldReason {
        field: Field::Dob,
        left: left.to_string(),
        right: right.to_string(),
        reason,
        weight,
        detail,
    }
}

fn exact_dates(
    a: NaiveDate,
    b: NaiveDate,
    weights: &MatchWeights,
) -> (Reason, f64, Option<&'static str>) {
    if a == b {
        (Reason::Match, weights.dob_exact, None)
    } else if a.year() == b.year() && a.month() == b.day() && a.day() == b.month() {
        (
            Reason::Near,
            weights.dob_transposed,
            Some("day and month transposed"),
        )
    } else if (a - b).num_days().abs() <= 31 {
        (
            Reason::Near,
            weights.dob_within_month,
            Some("within 31 days"),
        )
    } else {
        (Reason::Differs, weights.dob_differs, None)
    }
}

fn compare_cris(left: &PersonRecord, right: &PersonRecord, weights: &MatchWeights) -> FieldReason {
    let a = left.cris_number.as_deref().and_then(normalise::cris);
    let b = right.cris_number.as_deref().and_then(normalise::cris);
    let (reason, weight) = match (&a, &b) {
        (Some(a), Some(b)) if a == b => (Reason::Match, weights.cris_match),
        (Some(_), Some(_)) => (Reason::Differs, weights.cris_differs),
        _ => (Reason::Unknown, 0.0),
    };
    FieldReason {
        field: Field::Cris,
        left: a.unwrap_or_default(),
        right: b.unwrap_or_default(),
        reason,
        weight,
        detail: None,
    }
}

/// Any current or past address of one side against any of the other (R-PERSON-1). Two
/// addresses are near when they have one street number and a similar rest ("15 smith
/// street" and "15 smyth street").
fn compare_addresses(
    left: &PersonRecord,
    right: &PersonRecord,
    weights: &MatchWeights,
) -> FieldReason {
    let normal = |record: &PersonRecord| -> Vec<String> {
        record
            .addresses
            .iter()
            .map(|a| normalise::address(&a.text))
            .filter(|a| !a.is_empty())
            .collect()
    };
    let (a, b) = (normal(left), normal(right));
    let mut best: Option<(u8, f64, &str, &str)> = None;
    for x in &a {
        for y in &b {
            let (x_number, x_rest) = x.split_once(' ').unwrap_or((x, ""));
            let (y_number, y_rest) = y.split_once(' ').unwrap_or((y, ""));
            let similarity = if x_number == y_number {
                jaro_winkler(x_rest, y_rest)
            } else {
                0.0
            };
            let rank = if x == y {
                2
            } else if similarity >= weights.address_near_similarity {
                1
            } else {
                0
            };
            if best.is_none_or(|(r, s, _, _)| (rank, similarity) > (r, s)) {
                best = Some((rank, similarity, x, y));
            }
        }
    }
    let (left_text, right_text, reason, weight) = match best {
        None => (
            a.first().cloned().unwrap_or_default(),
            b.first().cloned().unwrap_or_default(),
            Reason::Unknown,
            0.0,
        ),
        Some((rank, _, x, y)) => {
            let (reason, weight) = match rank {
                2 => (Reason::Match, weights.address_match),
                1 => (Reason::Near, weights.address_near),
                _ => (Reason::Differs, weights.address_differs),
            };
            (x.to_owned(), y.to_owned(), reason, weight)
        }
    };
    FieldReason {
        field: Field::Address,
        left: left_text,
        right: right_text,
        reason,
        weight,
        detail: None,
    }
}

fn compare_phones(
    left: &PersonRecord,
    right: &PersonRecord,
    weights: &MatchWeights,
) -> FieldReason {
    let normal = |record: &PersonRecord| -> Vec<String> {
        record
            .phones
            .iter()
            .filter_map(|p| normalise::phone(p))
            .collect()
    };
    let (a, b) = (normal(left), normal(right));
    let shared = a.iter().find(|p| b.contains(p));
    let (left_text, right_text, reason, weight) = match shared {
        Some(phone) => (
            phone.clone(),
            phone.clone(),
            Reason::Match,
            weights.phone_match,
        ),
        None if a.is_empty() || b.is_empty() => (
            a.first().cloned().unwrap_or_default(),
            b.first().cloned().unwrap_or_default(),
            Reason::Unknown,
            0.0,
        ),
        None => (
            a[0].clone(),
            b[0].clone(),
            Reason::Differs,
            weights.phone_differs,
        ),
    };
    FieldReason {
        field: Field::Phone,
        left: left_text,
        right: right_text,
        reason,
        weight,
        detail: None,
    }
}

fn compare_sex(left: &PersonRecord, right: &PersonRecord, weights: &MatchWeights) -> FieldReason {
    let (reason, weight) = match (left.sex, right.sex) {
        (Some(a), Some(b)) if a == b => (Reason::Match, weights.sex_match),
        (Some(_), Some(_)) => (Reason::Differs, weights.sex_differs),
        _ => (Reason::Unknown, 0.0),
    };
    let text = |sex: Option<super::model::Sex>| sex.map(|s| format!("{s:?}").to_lowercase());
    FieldReason {
        field: Field::Sex,
        left: text(left.sex).unwrap_or_default(),
        right: text(right.sex).unwrap_or_default(),
        reason,
        weight,
        detail: None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::people::{Address, Sex};

    fn date(y: i32, m: u32, d: u32) -> Dob {
        NaiveDate::from_ymd_opt(y, m, d).map_or(Dob::Unknown, Dob::Exact)
    }

    fn child(given: &str, family: &str, dob: Dob) -> PersonRecord {
        let mut record = PersonRecord::new(given, family, dob);
        record.sex = Some(Sex::Female);
        record.phones = vec!["0412 345 678".into()];
        record.addresses = vec![Address::new("Unit 2, 15 Smith St, Footscray")];
        record
    }

    fn field(explanation: &Explanation, field: Field) -> &FieldReason {
        &explanation.fields[explanation
            .fields
            .iter()
            .position(|f| f.field == field)
            .unwrap_or_else(|| panic!("{field:?} compared"))]
    }

    #[test]
    fn the_same_record_is_likely_with_every_field_a_match() {
        let mut a = child("Katherine", "Nguyen", date(2014, 5, 9));
        a.cris_number = Some("123456".into());
        let explanation = compare(&a, &a.clone(), &MatchWeights::default());
        assert_eq!(explanation.band, Band::Likely);
        assert_eq!(explanation.fields.len(), 7);
        assert!(explanation.fields.iter().all(|f| f.reason == Reason::Match));
        assert_eq!(explanation.capped, None);
    }

    #[test]
    fn similar_spellings_and_transposed_dates_are_near() {
        let a = child("Katherine", "Nguyen", date(2014, 5, 9));
        let b = child("Kathryn", "Nguyen", date(2014, 9, 5));
        let explanation = compare(&a, &b, &MatchWeights::default());
        assert_eq!(field(&explanation, Field::GivenName).reason, Reason::Near);
        let dob = field(&explanation, Field::Dob);
        assert_eq!(
            (dob.reason, dob.detail),
            (Reason::Near, Some("day and month transposed"))
        );
        assert_eq!(explanation.band, Band::Likely);
    }

    #[test]
    fn dates_of_birth_compare_at_the_precision_both_sides_know() {
        let w = MatchWeights::default();
        let reason = |a, b| {
            let r = compare_dob(a, b, &w);
            (r.reason, r.detail)
        };
        let day = date(2014, 5, 9);
        assert_eq!(reason(day, day), (Reason::Match, None));
        assert_eq!(
            reason(day, date(2014, 5, 30)),
            (Reason::Near, Some("within 31 days"))
        );
        assert_eq!(reason(day, date(2014, 8, 9)), (Reason::Differs, None));
        assert_eq!(
            reason(day, Dob::Year(2014)),
            (Reason::Near, Some("same year only"))
        );
        assert_eq!(
            reason(Dob::YearMonth(2014, 5), day),
            (Reason::Near, Some("same year only"))
        );
        assert_eq!(
            reason(Dob::YearMonth(2014, 6), day),
            (Reason::Differs, None)
        );
        assert_eq!(reason(Dob::Year(2013), day), (Reason::Differs, None));
        assert_eq!(reason(Dob::Unknown, day), (Reason::Unknown, None));
    }

    #[test]
    fn twins_are_capped_at_possible_and_the_explanation_says_so() {
        // R-PERSON-2
        let a = child("Olivia", "Nguyen", date(2014, 5, 9));
        let b = child("Harper", "Nguyen", date(2014, 5, 9));
        let explanation = compare(&a, &b, &MatchWeights::default());
        assert!(explanation.score >= MatchWeights::default().likely_threshold);
        assert_eq!(explanation.band, Band::Possible);
        assert_eq!(explanation.capped, Some(Cap::TwinsOrSiblings));
        let json = serde_json::to_value(&explanation).unwrap_or_default();
        assert_eq!(json["capped"], "twins_or_siblings");
        assert_eq!(json["fields"][0]["field"], "given_name");
    }

    #[test]
    fn twins_with_near_but_different_names_are_capped_too() {
        // R-PERSON-2
        let a = child("Olivia", "King", date(2014, 5, 9));
        let mut b = child("Oliver", "King", date(2014, 5, 9));
        b.sex = None;
        let explanation = compare(&a, &b, &MatchWeights::default());
        assert_eq!(field(&explanation, Field::GivenName).reason, Reason::Near);
        assert_eq!(explanation.capped, Some(Cap::TwinsOrSiblings));
        assert_eq!(explanation.band, Band::Possible);
    }

    #[test]
    fn a_typo_or_an_alike_sounding_spelling_is_not_a_sibling() {
        let w = MatchWeights::default();
        let names = |n: &[&str]| n.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        assert!(one_given_name(&names(&["jayden"]), &names(&["jaydne"]), &w));
        assert!(one_given_name(
            &names(&["catherine"]),
            &names(&["kathryn"]),
            &w
        ));
        assert!(!one_given_name(&names(&["emily"]), &names(&["amelia"]), &w));
        assert!(!one_given_name(&names(&["lily"]), &names(&["layla"]), &w));
        assert!(!one_given_name(
            &names(&["olivia"]),
            &names(&["oliver"]),
            &w
        ));
    }

    #[test]
    fn an_alias_is_not_a_sibling() {
        let mut a = child("Katherine", "Nguyen", date(2014, 5, 9));
        a.aliases = vec!["Kitty Nguyen".into()];
        let b = child("Kitty", "Nguyen", date(2014, 5, 9));
        let explanation = compare(&a, &b, &MatchWeights::default());
        assert_eq!(explanation.capped, None);
        assert_eq!(explanation.band, Band::Likely);
    }

    #[test]
    fn nearby_addresses_are_near_but_neighbours_differ() {
        let w = MatchWeights::default();
        let mut a = child("A", "B", Dob::Unknown);
        let mut b = a.clone();
        a.addresses = vec![Address::new("15 Smith St")];
        b.addresses = vec![Address::new("9 Oak Rd"), Address::new("15 Smyth Street")];
        assert_eq!(compare_addresses(&a, &b, &w).reason, Reason::Near);
        b.addresses = vec![Address::new("17 Smith St")];
        assert_eq!(compare_addresses(&a, &b, &w).reason, Reason::Differs);
        b.addresses.clear();
        assert_eq!(compare_addresses(&a, &b, &w).reason, Reason::Unknown);
    }
}
