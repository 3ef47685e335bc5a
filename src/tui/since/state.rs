//! The Since list's model: the span it reads and its answer, and the highlighted record.

use crate::wire::Since;

#[derive(Debug, Clone, Default)]
pub struct SinceList {
    /// The span's start, from the first answer: reloading reads the same span, however
    /// many records the user has looked at since.
    pub from: Option<i64>,
    pub data: Option<Since>,
    pub selected: usize,
}

impl SinceList {
    /// The changes are known: records may be marked seen without moving the span.
    pub fn ready(&self) -> bool {
        self.from.is_some()
    }
}
