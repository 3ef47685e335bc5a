//! The timeline's model: the person asked for, as the server last answered, and who the
//! server proposes they may also be.

use crate::wire::{Candidate, PersonEvent, PersonView};

/// A line the highlight can rest on, in the order drawn.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Row {
    /// One of the person's records.
    Record(usize),
    /// A decision of the person's history.
    Event(usize),
    /// Someone else this may be.
    Other(usize),
}

#[derive(Debug, Clone, Default)]
pub struct PersonScreen {
    /// The person, as the mention they were opened by (`INT-2026-000123.child0`).
    pub id: String,
    /// The person as last read; none while they are read.
    pub view: Option<PersonView>,
    /// Who matching proposes for the person's name and date of birth; none until answered.
    pub candidates: Option<Vec<Candidate>>,
    /// Which of [`PersonScreen::rows`] is highlighted.
    pub selected: usize,
    /// Why the person could not be read, when last asked for.
    pub unread: Option<String>,
    /// Why matching could not be asked who else they may be.
    pub unmatched: Option<String>,
}

impl PersonScreen {
    /// The candidates who are not this person already: none is a mention of their records.
    pub fn others(&self) -> Vec<&Candidate> {
        let Some(view) = &self.view else {
            return Vec::new();
        };
        let theirs = |c: &Candidate| {
            view.records.iter().any(|r| {
                (r.record == c.record && r.role == c.role && r.position == c.position)
                    || format!("{}.{}{}", r.record, r.role, r.position) == c.person
            })
        };
        self.candidates
            .iter()
            .flatten()
            .filter(|c| !theirs(c))
            .collect()
    }

    /// Every line the highlight can rest on: the records, the history, the others.
    pub fn rows(&self) -> Vec<Row> {
        let Some(view) = &self.view else {
            return Vec::new();
        };
        (0..view.records.len())
            .map(Row::Record)
            .chain((0..view.history.len()).map(Row::Event))
            .chain((0..self.others().len()).map(Row::Other))
            .collect()
    }

    pub fn selected_row(&self) -> Option<Row> {
        self.rows().get(self.selected).copied()
    }

    /// A decision of the history that a later event undid.
    pub fn undone(&self, merge: i64) -> bool {
        self.view
            .as_ref()
            .is_some_and(|v| v.history.iter().any(|e| e.merge == merge && is_undoing(e)))
    }

    /// The highlighted decision, if it is one still standing: a merge, or two kept apart.
    pub fn standing_decision(&self) -> Option<&PersonEvent> {
        let Some(Row::Event(i)) = self.selected_row() else {
            return None;
        };
        let event = self.view.as_ref()?.history.get(i)?;
        (!is_undoing(event) && !self.undone(event.merge)).then_some(event)
    }
}

/// An event that undid a decision, rather than made one.
pub fn is_undoing(event: &PersonEvent) -> bool {
    matches!(event.action.as_str(), "unmerged" | "apart_undone")
}

impl PersonScreen {
    /// The highlighted other, if it is someone matching proposes.
    pub fn selected_other(&self) -> Option<&Candidate> {
        match self.selected_row()? {
            Row::Other(i) => self.others().get(i).copied(),
            _ => None,
        }
    }
}
