//! The record pane's model: the open record and where the user is in it, the note being
//! written, and the drafts kept.

use std::collections::BTreeMap;

use crate::domain::policy::Policy;
use crate::wire::{RecordView, Submission};

use super::editor::NoteEditor;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RecordTab {
    Details,
    Checklist,
    Notes,
    History,
    /// What the record has sent or queued for the department, the regulator or CCYP
    /// (R-SUBMIT-1); incidents only.
    Submissions,
}

impl RecordTab {
    pub const ALL: [RecordTab; 5] = [
        RecordTab::Details,
        RecordTab::Checklist,
        RecordTab::Notes,
        RecordTab::History,
        RecordTab::Submissions,
    ];

    /// The tabs a record of `kind` has: an intake report sends nothing, so it has no
    /// Submissions tab; a record not yet read has them all.
    pub fn of_kind(kind: Option<&str>) -> &'static [RecordTab] {
        match kind {
            Some("intake") => &RecordTab::ALL[..4],
            _ => &RecordTab::ALL,
        }
    }

    pub fn title(self) -> &'static str {
        match self {
            RecordTab::Details => "Details",
            RecordTab::Checklist => "Checklist",
            RecordTab::Notes => "Notes",
            RecordTab::History => "History",
            RecordTab::Submissions => "Submissions",
        }
    }

    pub fn index(self) -> usize {
        RecordTab::ALL.iter().position(|t| *t == self).unwrap_or(0)
    }
}

/// The open record and where the user is in it.
#[derive(Debug, Clone)]
pub struct OpenRecord {
    pub id: String,
    pub view: Option<RecordView>,
    /// The record's events, masked, once the History tab asked for them.
    pub history: Option<Vec<serde_json::Value>>,
    /// An incident's submissions, newest first, read with it; or why they could not be
    /// (R-SUBMIT-1).
    pub submissions: Option<Result<Vec<Submission>, String>>,
    pub tab: RecordTab,
    /// The highlighted line of the tab (a checklist item, a note, a submission …).
    pub cursor: usize,
}

impl OpenRecord {
    pub fn new(id: String, view: Option<RecordView>, tab: RecordTab) -> OpenRecord {
        OpenRecord {
            id,
            view,
            history: None,
            submissions: None,
            tab,
            cursor: 0,
        }
    }

    /// The record's kind (`incident`, `intake`) once it has loaded.
    pub fn kind(&self) -> Option<&str> {
        self.view
            .as_ref()?
            .record
            .pointer("/details/kind")?
            .as_str()
    }

    pub fn tabs(&self) -> &'static [RecordTab] {
        RecordTab::of_kind(self.kind())
    }

    /// The submissions read, none while they are asked for or could not be read.
    pub fn sent(&self) -> &[Submission] {
        match &self.submissions {
            Some(Ok(list)) => list,
            _ => &[],
        }
    }

    /// Moves the cursor by `delta`; on the Submissions tab it stays on a submission, so
    /// that `G` reaches the oldest.
    pub fn move_cursor(&mut self, delta: isize) {
        let moved = self.cursor.saturating_add_signed(delta);
        self.cursor = match self.tab {
            RecordTab::Submissions => moved.min(self.sent().len().saturating_sub(1)),
            _ => moved,
        };
    }
}

#[derive(Debug, Clone, Default)]
pub struct RecordPane {
    pub open: Option<OpenRecord>,
    pub editor: Option<NoteEditor>,
    /// The deadlines pane explains each due time (rule, days skipped).
    pub explain: bool,
    /// Note drafts kept on disk, by record id, offered back when the record is opened.
    pub drafts: BTreeMap<String, String>,
    /// The record the highlight rests on, asked for: the pane keeps what it shows until it
    /// arrives, so it is drawn once, not blanked first.
    pub previewing: Option<String>,
}

impl RecordPane {
    /// The open record once it has loaded, and its view.
    pub fn loaded(&self) -> Option<(&OpenRecord, &RecordView)> {
        let open = self.open.as_ref()?;
        Some((open, open.view.as_ref()?))
    }

    /// The open record's kind (`incident`, `intake`) once it has loaded.
    pub fn kind(&self) -> Option<&str> {
        self.open.as_ref()?.kind()
    }
}

/// The id of the record a view shows.
pub fn id_of(view: &RecordView) -> Option<String> {
    view.record
        .get("id")
        .and_then(|v| v.as_str())
        .map(String::from)
}

/// The checklist lines of the open record's current stage: (item id, done or waived), or
/// `None` for an item withheld from the user (R-PRIV-9), which nothing here acts on.
pub fn checklist_items(view: &RecordView) -> Vec<(String, Option<bool>)> {
    view.checklist
        .iter()
        .map(|line| {
            let done = (line.masked.is_none()).then(|| line.state != "open");
            (line.id.clone(), done)
        })
        .collect()
}

/// The endorsement the record holds that was given last, as (item id, its text): of the
/// policy's items that cover facts (R-LOCK-1), those the record shows as done.
pub(super) fn standing_endorsement(
    policy: Option<&Policy>,
    record: &serde_json::Value,
) -> Option<(String, String)> {
    let policy = policy?;
    let kind = record.pointer("/details/kind")?.as_str()?;
    let done = record.get("checklist")?.as_object()?;
    policy
        .checklist
        .iter()
        .filter(|item| item.kind.as_str() == kind && !item.covers.is_empty())
        .filter_map(|item| {
            let given = done.get(&item.id)?;
            // Withheld from this reader (R-PRIV-9): nothing here acts on it.
            if given.get("masked").is_some() {
                return None;
            }
            let at = given
                .get("at")
                .and_then(|at| at.as_str())
                .unwrap_or_default();
            Some((at.to_string(), item.id.clone(), item.text.clone()))
        })
        .max()
        .map(|(_, id, text)| (id, text))
}

/// The id and current text of the `index`-th note of a record view.
pub(super) fn note_at(view: &RecordView, index: usize) -> Option<(u32, String)> {
    let note = view.record.get("notes")?.as_array()?.get(index)?;
    let id = u32::try_from(note.get("id")?.as_u64()?).ok()?;
    let text = note
        .pointer("/revisions")?
        .as_array()?
        .last()?
        .get("text")?
        .as_str()?;
    Some((id, text.to_string()))
}
