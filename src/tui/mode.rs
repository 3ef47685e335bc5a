//! What has the keyboard: a pane, or a prompt, overlay or screen over them.

use super::msg::Effect;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Focus {
    Queue,
    Record,
}

/// What has the keyboard besides the panes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Mode {
    Normal,
    /// Typing a filter; the text so far.
    Filter(String),
    Help,
    /// Typing in the palette: the text and the highlighted entry.
    Palette(String, usize),
    /// Writing a note in the editor (`RecordPane::editor`).
    Note,
    /// Filling in a new record (`State::form`).
    Form,
    /// Choosing whom to assign to: the text typed and the highlighted colleague.
    Pick(String, usize),
    /// Typing the reason a change needs: what it is for and the reason so far.
    Reason(ReasonFor, String),
    /// Asking before a bulk or lasting change: the question and what `y` does.
    Confirm(String, Vec<Effect>),
    /// The Trends screen (`State::trends`).
    Trends,
    /// The open learning actions (`State::actions`).
    Actions,
    /// What others changed since the user last looked (`State::since`).
    Since,
    /// Handovers to and from the user (`State::handover`).
    Handover,
    /// The user's reminders (`State::reminders`).
    Reminders,
    /// Setting a reminder (`State::reminders.compose`).
    Remind,
    /// People search (`State::people`).
    People,
    /// A person's timeline (`State::person`).
    Person,
}

/// What a reason is asked for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ReasonFor {
    /// Waiving this checklist item.
    Waive(String),
    /// Amending this note with this text and these protected spans.
    Amend(u32, String, Vec<crate::domain::model::Span>),
    /// Withdrawing the endorsement given by this item (R-LOCK-1), as (item id, its text).
    Withdraw(String, String),
    /// Closing a learning action of a record at a version: the reason is its outcome.
    CloseAction {
        record: String,
        version: u64,
        action: u32,
    },
    /// Linking the open intake report to an incident: the text is the incident's id.
    LinkIncident,
    /// Deciding that `with` is the person on the timeline, `person` (R-PERSON-2).
    SamePerson { person: String, with: String },
    /// Deciding that `with` is not the person on the timeline, `person` (R-PERSON-2).
    DifferentPerson { person: String, with: String },
    /// Undoing the decision `merge`, from the timeline of `person`.
    UndoMerge { person: String, merge: i64 },
}

impl ReasonFor {
    pub fn title(&self) -> String {
        match self {
            ReasonFor::Waive(item) => format!("waive {}", item.replace('_', " ")),
            ReasonFor::Amend(note, _, _) => format!("amend note {note}"),
            ReasonFor::Withdraw(_, text) => format!("withdraw \"{text}\""),
            ReasonFor::CloseAction { record, action, .. } => {
                format!("close action {action} of {record} · outcome")
            }
            ReasonFor::LinkIncident => "link to the incident it was registered for · its id".into(),
            ReasonFor::SamePerson { person, with } => format!("{with} is {person}"),
            ReasonFor::DifferentPerson { person, with } => format!("{with} is not {person}"),
            ReasonFor::UndoMerge { merge, .. } => format!("undo decision {merge}"),
        }
    }
}
