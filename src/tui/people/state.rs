//! The people search's model: what is typed, and what was found for it.

use crate::wire::Candidates;

#[derive(Debug, Clone, Default)]
pub struct PeopleScreen {
    /// The search as typed: given names, family name, a date of birth if known.
    pub text: String,
    /// Typing the search (else choosing among what was found).
    pub typing: bool,
    pub found: Option<Candidates>,
    pub selected: usize,
}
