//! The reminders screen's model. The reminders themselves are in the context, where the
//! queue and the record pane read them too.

use std::collections::BTreeSet;

pub use super::compose::Compose;

#[derive(Debug, Clone, Default)]
pub struct ReminderScreen {
    /// The highlighted reminder.
    pub selected: usize,
    /// A reminder being set.
    pub compose: Option<Compose>,
    /// Reminders already called to the user's attention (each once).
    pub alerted: BTreeSet<i64>,
}
