//! The Trends screen's model: what is counted, how, and the counts once they came.

use crate::domain::analytics::{GroupBy, Interval};
use crate::wire::Analytics;

/// The Trends screen: counts by one grouping over weeks or months (stage 5).
#[derive(Debug, Clone)]
pub struct Trends {
    pub by: GroupBy,
    pub interval: Interval,
    pub data: Option<Analytics>,
    /// The highlighted group: its bar, and its line over time.
    pub selected: usize,
    /// What the counts are narrowed to, in the queue's filter language.
    pub filter: String,
    /// A filter being typed (`/`), not yet applied.
    pub typing: Option<String>,
}

impl Default for Trends {
    fn default() -> Trends {
        Trends {
            by: GroupBy::Type,
            interval: Interval::Month,
            data: None,
            selected: 0,
            filter: String::new(),
            typing: None,
        }
    }
}
