//! Strings protected elsewhere in the system, found and redacted in free text (R-PRIV-2).
//!
//! Text and terms are cut into the same tokens: runs of letters and digits, folded to lower
//! case without diacritics, so matching is case-insensitive, ignores the punctuation and
//! spacing between words, and only matches whole words: a reporter called "Sam" is not
//! found in "Samuel". Digits separated only by spaces, dashes, dots, brackets or a plus
//! are one number, and a phone number is written one way whatever its spelling: `+61 400
//! 111 222`, `(0400) 111-222` and `400111222` are all `0400111222`; a landline's local
//! eight digits match it too.
//!
//! Each term is kept as the hashes of its token prefixes, so finding every term in a text
//! costs a few hash lookups per word of the text, however many terms there are.

use std::collections::HashMap;
use std::hash::{DefaultHasher, Hasher};

use unicode_normalization::UnicodeNormalization;
use unicode_normalization::char::is_combining_mark;

use crate::domain::model::{Record, Reporter};

/// The marker text that replaces a protected string or span in free text (R-PRIV-2, R-PRIV-6).
pub const REDACTED: &str = "[protected]";

/// Terms shorter than this (in characters, after trimming) are ignored, so that redaction
/// never shreds ordinary text.
pub const MIN_TERM_CHARS: usize = 3;

/// Characters a number may carry between its digits.
const NUMBER_SEPARATORS: &[char] = &[' ', '-', '.', '(', ')', '+'];

/// Most separator characters between two groups of digits of one number.
const MAX_NUMBER_GAP: usize = 3;

/// A word of a text: where it lies (bytes) and its folded form.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Token {
    pub start: usize,
    pub end: usize,
    pub text: String,
}

/// Strings protected elsewhere in the system: reporters' names, phones, emails and
/// addresses (R-PRIV-2).
///
/// Not `Clone`: the one set of a process grows in place, and adding a term never copies it.
///
/// ```compile_fail
/// fn copy(terms: &cims::domain::mask::ProtectedTerms) -> cims::domain::mask::ProtectedTerms {
///     terms.clone()
/// }
/// ```
#[derive(Debug, Default, PartialEq, Eq)]
pub struct ProtectedTerms {
    /// The hash of every token prefix of every term, and whether a whole term ends there.
    prefixes: HashMap<u64, bool>,
    terms: usize,
}

impl ProtectedTerms {
    pub fn new() -> ProtectedTerms {
        ProtectedTerms::default()
    }

    /// The identifying strings of every intake reporter in `records` (R-PRIV-1, R-PRIV-2).
    pub fn from_records<'a>(records: impl IntoIterator<Item = &'a Record>) -> ProtectedTerms {
        let mut terms = ProtectedTerms::new();
        for record in records {
            if let Some(intake) = record.intake() {
                terms.add_reporter(&intake.reporter);
            }
        }
        terms
    }

    /// A reporter's name, phone, email and address. Written consent does not lift the
    /// redaction: the text may be read in another organisation's record (R-PRIV-2).
    pub fn add_reporter(&mut self, reporter: &Reporter) {
        for text in reporter.identifying_strings() {
            self.add(text);
        }
    }

    /// One protected string; ignored when shorter than [`MIN_TERM_CHARS`]. True when it
    /// was not known before.
    pub fn add(&mut self, text: &str) -> bool {
        let mut added = false;
        for pattern in patterns(text) {
            added |= self.add_pattern(&pattern);
        }
        added
    }

    fn add_pattern(&mut self, pattern: &[String]) -> bool {
        let mut hash = SEED;
        let last = pattern.len().saturating_sub(1);
        for (index, token) in pattern.iter().enumerate() {
            hash = extend(hash, token);
            let ends = self.prefixes.entry(hash).or_insert(false);
            if index == last && !*ends {
                *ends = true;
                self.terms += 1;
                return true;
            }
        }
        false
    }

    /// Would [`ProtectedTerms::add`] learn anything new from `text`?
    pub fn knows(&self, text: &str) -> bool {
        patterns(text).iter().all(|pattern| {
            let mut hash = SEED;
            for token in pattern {
                hash = extend(hash, token);
            }
            self.prefixes.get(&hash) == Some(&true)
        })
    }

    /// How many distinct token sequences are protected.
    pub fn len(&self) -> usize {
        self.terms
    }

    pub fn is_empty(&self) -> bool {
        self.terms == 0
    }
}

const SEED: u64 = 0x0c1a_5e00_d5ee_d5ee;

fn extend(hash: u64, token: &str) -> u64 {
    let mut hasher = DefaultHasher::new();
    hasher.write_u64(hash);
    hasher.write(token.as_bytes());
    hasher.finish()
}

/// The token sequences that stand for a protected string: its tokens, and for a landline
/// number also its local eight digits. Empty when the string is too short to protect.
pub fn patterns(text: &str) -> Vec<Vec<String>> {
    let text = text.trim();
    if text.chars().count() < MIN_TERM_CHARS {
        return Vec::new();
    }
    let tokens: Vec<String> = tokens(text).into_iter().map(|t| t.text).collect();
    if tokens.is_empty() {
        return Vec::new();
    }
    let mut out = vec![tokens.clone()];
    if let [number] = tokens.as_slice()
        && let Some(local) = landline_local(number)
    {
        out.push(vec![local.to_string()]);
    }
    out
}

/// An Australian landline in national form (`0` and area code 2, 3, 7 or 8, ten digits)
/// is often written as its local eight digits.
fn landline_local(number: &str) -> Option<&str> {
    let bytes = number.as_bytes();
    let landline = bytes.len() == 10
        && bytes[0] == b'0'
        && matches!(bytes[1], b'2' | b'3' | b'7' | b'8')
        && bytes.iter().all(u8::is_ascii_digit);
    landline.then(|| &number[2..])
}

/// A word folded for matching: lower case, compatibility forms, no diacritics.
fn fold(word: &str) -> String {
    if word.is_ascii() {
        return word.to_ascii_lowercase();
    }
    word.nfkd()
        .filter(|c| !is_combining_mark(*c))
        .flat_map(char::to_lowercase)
        .collect()
}

/// A number in one spelling: the country code 61 becomes the trunk 0, and a nine-digit
/// number without its 0 gets it back.
fn canonical_number(digits: &str) -> String {
    match digits.len() {
        11 if digits.starts_with("61") => format!("0{}", &digits[2..]),
        9 if !digits.starts_with('0') => format!("0{digits}"),
        _ => digits.to_string(),
    }
}

/// The words of `text` in order, numbers joined and written one way.
pub fn tokens(text: &str) -> Vec<Token> {
    let mut words: Vec<Token> = Vec::new();
    let mut start = None;
    for (at, c) in text
        .char_indices()
        .chain(std::iter::once((text.len(), ' ')))
    {
        match (start, c.is_alphanumeric() && at < text.len()) {
            (None, true) => start = Some(at),
            (Some(from), false) => {
                words.push(Token {
                    start: from,
                    end: at,
                    text: fold(&text[from..at]),
                });
                start = None;
            }
            _ => {}
        }
    }
    join_numbers(text, words)
}

fn is_number(word: &str) -> bool {
    word.bytes().all(|b| b.is_ascii_digit())
}

/// Groups of digits with only number separators between them are one number.
fn join_numbers(text: &str, words: Vec<Token>) -> Vec<Token> {
    let mut out: Vec<Token> = Vec::with_capacity(words.len());
    for word in words {
        if let Some(last) = out.last_mut()
            && is_number(&last.text)
            && is_number(&word.text)
        {
            let gap = &text[last.end..word.start];
            if gap.chars().count() <= MAX_NUMBER_GAP
                && gap.chars().all(|c| NUMBER_SEPARATORS.contains(&c))
            {
                last.end = word.end;
                last.text.push_str(&word.text);
                continue;
            }
        }
        out.push(word);
    }
    for word in &mut out {
        if is_number(&word.text) {
            word.text = canonical_number(&word.text);
        }
    }
    out
}

/// What finding the terms in a text found, and the work it took.
struct Scan {
    /// Every match as a byte range, the longest at each word.
    found: Vec<(usize, usize)>,
    /// Hash lookups made: at most one per word of the text and token of the longest term
    /// that starts there, whatever the number of terms.
    lookups: usize,
}

fn scan(text: &str, terms: &ProtectedTerms) -> Scan {
    let mut scan = Scan {
        found: Vec::new(),
        lookups: 0,
    };
    if terms.is_empty() {
        return scan;
    }
    let words = tokens(text);
    for (first, word) in words.iter().enumerate() {
        let mut hash = SEED;
        let mut end = None;
        for next in &words[first..] {
            hash = extend(hash, &next.text);
            scan.lookups += 1;
            match terms.prefixes.get(&hash) {
                None => break,
                Some(true) => end = Some(next.end),
                Some(false) => {}
            }
        }
        if let Some(end) = end {
            scan.found.push((word.start, end));
        }
    }
    scan
}

fn matches(text: &str, terms: &ProtectedTerms) -> Vec<(usize, usize)> {
    scan(text, terms).found
}

/// The protected strings `text` contains, as written there, to warn a protective
/// intervener who writes them (R-PRIV-2, R-PRIV-10).
pub fn protected_terms_in<'t>(text: &'t str, terms: &ProtectedTerms) -> Vec<&'t str> {
    let mut found: Vec<&str> = matches(text, terms)
        .into_iter()
        .filter_map(|(start, end)| text.get(start..end))
        .collect();
    found.dedup();
    found
}

/// `text` with every occurrence of a protected string replaced by [`REDACTED`] (R-PRIV-2).
pub fn redact_terms(text: &str, terms: &ProtectedTerms) -> String {
    replace_ranges(text, matches(text, terms))
}

/// Replace byte ranges of `text` (on character boundaries) by [`REDACTED`]; overlapping or
/// touching ranges become one.
pub(super) fn replace_ranges(text: &str, mut ranges: Vec<(usize, usize)>) -> String {
    if ranges.is_empty() {
        return text.to_string();
    }
    ranges.sort_unstable();
    let mut merged: Vec<(usize, usize)> = Vec::with_capacity(ranges.len());
    for (start, end) in ranges {
        match merged.last_mut() {
            Some(last) if start <= last.1 => last.1 = last.1.max(end),
            _ => merged.push((start, end)),
        }
    }
    let mut out = text.to_string();
    // From the last range to the first, so earlier offsets stay valid.
    for &(start, end) in merged.iter().rev() {
        out.replace_range(start..end, REDACTED);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn terms(list: &[&str]) -> ProtectedTerms {
        let mut terms = ProtectedTerms::new();
        for t in list {
            terms.add(t);
        }
        terms
    }

    #[test]
    fn r_priv_2_matches_case_insensitively_and_across_whitespace() {
        let t = terms(&["Robin Reporter"]);
        assert_eq!(
            redact_terms("Said ROBIN\n  reporter's friend.", &t),
            "Said [protected]'s friend."
        );
    }

    #[test]
    fn r_priv_2_matches_whole_words_only() {
        let t = terms(&["Sam"]);
        assert_eq!(
            redact_terms("Samuel and Sam.", &t),
            "Samuel and [protected]."
        );
    }

    #[test]
    fn r_priv_2_ignores_short_terms() {
        let t = terms(&["Al", "  x ", ""]);
        assert!(t.is_empty());
        assert_eq!(redact_terms("Al went out", &t), "Al went out");
    }

    #[test]
    fn r_priv_2_matches_phone_numbers_in_every_spelling() {
        let t = terms(&["0400 111 222"]);
        assert_eq!(
            redact_terms("call 0400-111-222 or 0400111222, not 04001112223", &t),
            "call [protected] or [protected], not 04001112223"
        );
        assert_eq!(
            redact_terms("+61 400 111 222; 61400111222; 400 111 222.", &t),
            "+[protected]; [protected]; [protected]."
        );
        assert_eq!(protected_terms_in("ring 0400111222", &t), ["0400111222"]);
    }

    #[test]
    fn r_priv_2_a_landline_matches_its_local_number() {
        let t = terms(&["(03) 9123 4567"]);
        assert_eq!(
            redact_terms("home 9123 4567, work +61 3 9123 4567", &t),
            "home [protected], work +[protected]"
        );
    }

    #[test]
    fn r_priv_2_overlapping_terms_redact_once() {
        let t = terms(&["Robin Reporter", "Reporter Street"]);
        assert_eq!(
            redact_terms("at Robin Reporter Street today", &t),
            "at [protected] today"
        );
    }

    #[test]
    fn r_priv_2_handles_multibyte_text_and_diacritics() {
        let t = terms(&["Zoë Ng"]);
        assert_eq!(redact_terms("ça: ZOË NG — ok", &t), "ça: [protected] — ok");
        assert_eq!(redact_terms("Zoe Ng rang", &t), "[protected] rang");
    }

    #[test]
    fn r_priv_2_punctuation_between_words_does_not_hide_a_term() {
        let t = terms(&["Robin Reporter", "robin@example.org"]);
        assert_eq!(
            redact_terms("robin.reporter wrote from ROBIN@EXAMPLE.ORG.", &t),
            "[protected] wrote from [protected]."
        );
    }

    #[test]
    fn r_priv_2_finding_terms_costs_the_same_with_ten_terms_or_a_hundred_thousand() {
        let text = "Robin Reporter7 rang from 12 Example St about Robin, then Sam Citizen rang";
        let mut few = ProtectedTerms::new();
        for n in 0..5 {
            few.add(&format!("Robin Reporter{}", n + 5));
            few.add(&format!("{} Example St", n + 10));
        }
        let mut many = ProtectedTerms::new();
        for n in 0..50_000 {
            many.add(&format!("Robin Reporter{n}"));
            many.add(&format!("{n} Example St"));
        }
        let (small, large) = (scan(text, &few), scan(text, &many));
        assert_eq!(small.found, large.found, "the same two matches");
        assert_eq!(small.found.len(), 2);
        assert_eq!(
            (small.lookups, large.lookups),
            (small.lookups, small.lookups),
            "the same lookups against {} terms as against {}",
            many.len(),
            few.len()
        );
        assert!(small.lookups <= tokens(text).len() * 4);
    }

    #[test]
    fn r_priv_2_adding_a_term_touches_only_its_own_prefixes() {
        let mut t = ProtectedTerms::new();
        for n in 0..100_000 {
            t.add(&format!("Robin Reporter{n}"));
        }
        let before = t.prefixes.len();
        assert!(t.add("Alex Quinn Example"));
        assert_eq!(
            t.prefixes.len() - before,
            3,
            "one entry per token prefix, nothing else"
        );
        assert!(!t.add("alex quinn example"), "known already: nothing added");
        assert_eq!(t.prefixes.len() - before, 3);
    }

    #[test]
    fn r_priv_2_many_terms_sharing_words_stay_apart() {
        let mut t = ProtectedTerms::new();
        for n in 0..50_000 {
            t.add(&format!("Robin Reporter{n}"));
        }
        assert_eq!(t.len(), 50_000);
        assert!(t.knows("robin reporter49999"));
        assert!(!t.knows("robin reporter50000"));
        assert_eq!(
            redact_terms("Robin Reporter7 and Robin Reporter", &t),
            "[protected] and Robin Reporter"
        );
    }
}
