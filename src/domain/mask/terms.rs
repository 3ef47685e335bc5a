//! Strings protected elsewhere in the system, found and redacted in free text (R-PRIV-2).
//!
//! Matching is case-insensitive, treats any run of whitespace in the text as one space of
//! the term, and only matches whole words: a reporter called "Sam" is not found in
//! "Samuel". A phone number is matched by its digits, whatever separators the text uses.

use std::collections::{HashMap, HashSet};

use crate::domain::model::{Record, Reporter};

/// The marker text that replaces a protected string or span in free text (R-PRIV-2, R-PRIV-6).
pub const REDACTED: &str = "[protected]";

/// Terms shorter than this (in characters, after trimming) are ignored, so that redaction
/// never shreds ordinary text.
pub const MIN_TERM_CHARS: usize = 3;

/// A term with this many digits, and nothing but digits and separators, is a number.
const MIN_NUMBER_DIGITS: usize = 6;

/// Characters a number may carry between its digits.
const NUMBER_SEPARATORS: &[char] = &[' ', '-', '.', '(', ')', '+'];

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
enum Pattern {
    /// Words, each folded to lower case, separated by at least one whitespace character.
    Words(Vec<Vec<char>>),
    /// Digits, with any separators between them.
    Digits(Vec<char>),
}

#[derive(Debug, Clone, PartialEq, Eq)]
struct Term {
    text: String,
    pattern: Pattern,
}

/// Strings protected elsewhere in the system: reporters' names, phones, emails and
/// addresses (R-PRIV-2).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ProtectedTerms {
    terms: Vec<Term>,
    /// The patterns already held, so adding is constant time however many there are.
    seen: HashSet<Pattern>,
    /// Terms by the first two characters they can match, so a text position is tried
    /// only against the few terms that could start there.
    by_start: HashMap<(char, char), Vec<usize>>,
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

    /// One protected string; ignored when shorter than [`MIN_TERM_CHARS`].
    pub fn add(&mut self, text: &str) {
        let text = text.trim();
        if text.chars().count() < MIN_TERM_CHARS {
            return;
        }
        let pattern = compile(text);
        if !self.seen.insert(pattern.clone()) {
            return;
        }
        if let Some(key) = start_key(&pattern) {
            self.by_start.entry(key).or_default().push(self.terms.len());
        }
        self.terms.push(Term {
            text: text.to_string(),
            pattern,
        });
    }

    pub fn len(&self) -> usize {
        self.terms.len()
    }

    pub fn is_empty(&self) -> bool {
        self.terms.is_empty()
    }

    pub fn iter(&self) -> impl Iterator<Item = &str> {
        self.terms.iter().map(|t| t.text.as_str())
    }
}

/// The first two characters a pattern matches: two letters (a space when the first
/// word has one letter) or two digits.
fn start_key(pattern: &Pattern) -> Option<(char, char)> {
    match pattern {
        Pattern::Words(words) => {
            let first = words.first()?;
            let second = match first.get(1) {
                Some(c) => *c,
                None if words.len() > 1 => ' ',
                None => return None,
            };
            Some((*first.first()?, second))
        }
        Pattern::Digits(digits) => Some((*digits.first()?, *digits.get(1)?)),
    }
}

/// Every match in `text` as (term index, start, end), trying each position only against
/// the terms whose first two characters fit there.
fn matches(text: &str, terms: &ProtectedTerms) -> Vec<(usize, usize, usize)> {
    let mut found = Vec::new();
    if terms.terms.is_empty() {
        return found;
    }
    let mut previous: Option<char> = None;
    for (at, c) in text.char_indices() {
        let after_word = previous.is_some_and(char::is_alphanumeric);
        previous = Some(c);
        // Whole words only: a match never starts inside a word.
        if after_word && c.is_alphanumeric() {
            continue;
        }
        let rest = &text[at + c.len_utf8()..];
        let mut keys = Vec::with_capacity(2);
        if let Some(next) = rest.chars().next() {
            keys.push((
                fold(c),
                if next.is_whitespace() {
                    ' '
                } else {
                    fold(next)
                },
            ));
        }
        if c.is_ascii_digit()
            && let Some(digit) = rest
                .chars()
                .find(|n| !NUMBER_SEPARATORS.contains(n))
                .filter(char::is_ascii_digit)
        {
            keys.push((c, digit));
        }
        keys.dedup();
        for key in keys {
            for &index in terms.by_start.get(&key).into_iter().flatten() {
                if let Some(end) = match_at(text, at, &terms.terms[index].pattern) {
                    found.push((index, at, end));
                }
            }
        }
    }
    found
}

/// Which protected strings `text` contains, to warn its author on save (R-PRIV-2).
pub fn protected_terms_in(text: &str, terms: &ProtectedTerms) -> Vec<String> {
    let mut indexes: Vec<usize> = matches(text, terms)
        .into_iter()
        .map(|(i, _, _)| i)
        .collect();
    indexes.sort_unstable();
    indexes.dedup();
    indexes
        .into_iter()
        .map(|i| terms.terms[i].text.clone())
        .collect()
}

/// `text` with every occurrence of a protected string replaced by [`REDACTED`] (R-PRIV-2).
pub fn redact_terms(text: &str, terms: &ProtectedTerms) -> String {
    let ranges = matches(text, terms)
        .into_iter()
        .map(|(_, start, end)| (start, end))
        .collect();
    replace_ranges(text, ranges)
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

fn fold(c: char) -> char {
    c.to_lowercase().next().unwrap_or(c)
}

fn compile(text: &str) -> Pattern {
    let digits: Vec<char> = text.chars().filter(char::is_ascii_digit).collect();
    let only_number = text
        .chars()
        .all(|c| c.is_ascii_digit() || NUMBER_SEPARATORS.contains(&c));
    if only_number && digits.len() >= MIN_NUMBER_DIGITS {
        return Pattern::Digits(digits);
    }
    Pattern::Words(
        text.split_whitespace()
            .map(|word| word.chars().map(fold).collect())
            .collect(),
    )
}

/// The end of a match of `pattern` starting at byte `start` of `text`, if there is one.
fn match_at(text: &str, start: usize, pattern: &Pattern) -> Option<usize> {
    let before = text.get(..start)?.chars().next_back();
    let rest = text.get(start..)?;
    let mut chars = rest.char_indices().peekable();
    let (first, last) = match pattern {
        Pattern::Words(words) => {
            let first = *words.first()?.first()?;
            let last = *words.last()?.last()?;
            for (index, word) in words.iter().enumerate() {
                if index > 0 {
                    let mut spaces = 0;
                    while chars.next_if(|&(_, c)| c.is_whitespace()).is_some() {
                        spaces += 1;
                    }
                    if spaces == 0 {
                        return None;
                    }
                }
                for &expected in word {
                    match chars.next() {
                        Some((_, c)) if fold(c) == expected => {}
                        _ => return None,
                    }
                }
            }
            (first, last)
        }
        Pattern::Digits(digits) => {
            for (index, &expected) in digits.iter().enumerate() {
                if index > 0 {
                    while chars
                        .next_if(|&(_, c)| NUMBER_SEPARATORS.contains(&c))
                        .is_some()
                    {}
                }
                match chars.next() {
                    Some((_, c)) if c == expected => {}
                    _ => return None,
                }
            }
            (*digits.first()?, *digits.last()?)
        }
    };
    let end = chars.peek().map_or(text.len(), |&(at, _)| start + at);
    let after = text.get(end..)?.chars().next();
    // Whole words only: no letter or digit may continue the match on either side.
    let joins = |edge: char, neighbour: Option<char>| {
        edge.is_alphanumeric() && neighbour.is_some_and(char::is_alphanumeric)
    };
    if joins(first, before) || joins(last, after) {
        return None;
    }
    Some(end)
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
    fn r_priv_2_matches_phone_numbers_by_digits() {
        let t = terms(&["0400 111 222"]);
        assert_eq!(
            redact_terms("call 0400-111-222 or 0400111222, not 04001112223", &t),
            "call [protected] or [protected], not 04001112223"
        );
        assert_eq!(protected_terms_in("ring 0400111222", &t), ["0400 111 222"]);
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
    fn r_priv_2_handles_multibyte_text() {
        let t = terms(&["Zoë Ng"]);
        assert_eq!(redact_terms("ça: ZOË NG — ok", &t), "ça: [protected] — ok");
    }
}
