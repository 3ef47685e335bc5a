//! The learning actions list's model: whose, the rows once they came, the highlighted one.

use crate::wire::LearningActions;

/// The open learning actions, everyone's or the user's own.
#[derive(Debug, Clone, Default)]
pub struct ActionList {
    pub mine: bool,
    pub data: Option<LearningActions>,
    pub selected: usize,
}
