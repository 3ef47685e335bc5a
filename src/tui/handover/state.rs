//! The handovers screen's model.

use crate::wire::Handovers;

pub use super::compose::Compose;

#[derive(Debug, Clone, Default)]
pub struct HandoverScreen {
    pub data: Option<Handovers>,
    /// The highlighted handover.
    pub selected: usize,
    /// The records a new handover would carry: those marked in the queue, or the one
    /// highlighted, when the screen was opened.
    pub candidates: Vec<String>,
    /// A handover being written.
    pub compose: Option<Compose>,
    /// Handovers have been read once (the first answer may open the screen).
    pub loaded: bool,
}

impl HandoverScreen {
    /// Handovers to the user not yet acknowledged.
    pub fn waiting(&self) -> usize {
        self.data.as_ref().map_or(0, |d| {
            d.handovers
                .iter()
                .filter(|h| h.for_me && h.acknowledged_by.is_none())
                .count()
        })
    }
}
