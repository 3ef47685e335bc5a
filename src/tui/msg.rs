//! What `update` is given and what it hands back to the driver: the driver turns input,
//! the change feed and timers into messages, and carries out each effect, whose result
//! comes back as a message.

use chrono::{DateTime, Utc};
use ratatui::crossterm::event::KeyEvent;

use crate::domain::commands::Command;
pub use crate::wire::Change;
use crate::wire::{History, Me, QueuePage, RecordView, Submission};

#[derive(Debug, Clone)]
pub enum Msg {
    Key(KeyEvent),
    Tick(DateTime<Utc>),
    Me(Me),
    Queue(QueuePage),
    /// A page with the query and sort it was asked for: one the queue has moved on from
    /// (another view chosen while it was on its way) is dropped.
    QueueFor {
        query: String,
        sort: String,
        page: QueuePage,
    },
    Record(RecordView),
    History(History),
    /// A record's submissions, newest first, or why they could not be read (R-SUBMIT-1).
    Submissions {
        record: String,
        answer: Result<Vec<Submission>, String>,
    },
    /// The answer to trying submission `id` of `record` again: the submission that will
    /// be sent, or the server's refusal.
    Retried {
        record: String,
        id: i64,
        answer: Result<Box<Submission>, String>,
    },
    /// Records per view, in tab order.
    Counts(Vec<Option<i64>>),
    Policy(Box<crate::domain::policy::Policy>),
    Colleagues(Vec<crate::wire::Colleague>),
    /// A new record was registered.
    Created(RecordView),
    /// The server refused the new record: its rule, message and field.
    Refused {
        rule: Option<String>,
        message: String,
        field: Option<String>,
    },
    Failed(String),
    Change(Change),
    Connection(Connection),
    /// Writes waiting to be sent (offline outbox).
    Pending(usize),
    Analytics(Box<crate::wire::Analytics>),
    Actions(Box<crate::wire::LearningActions>),
    /// An export was written: what and where.
    Exported(String),
    /// The highlight has rested on this record long enough to show it.
    Preview(String),
    /// What the alerts watch, counted, in their order.
    AlertCounts(Vec<Option<i64>>),
    /// What others changed since the user last looked.
    Since(Box<crate::wire::Since>),
    Handovers(Box<crate::wire::Handovers>),
    /// A handover the user wrote was kept.
    HandoverWritten(Box<crate::wire::Handover>),
    /// A handover was acknowledged.
    Acknowledged,
    Reminders(Box<crate::wire::Reminders>),
    /// A reminder the user set was kept.
    ReminderSet(Box<crate::wire::Reminder>),
    ReminderDone,
    /// Who a person searched for may be.
    Candidates(Box<crate::wire::Candidates>),
    /// A person as read.
    Person(Box<crate::wire::PersonView>),
    /// A person as a merge the user decided left them.
    PeopleMerged(Box<crate::wire::PersonView>),
    /// The person on the timeline, as a decision keeping another apart from them left them.
    PeopleKeptApart(Box<crate::wire::PersonView>),
    /// A person as undoing a merge left them.
    MergeUndone(Box<crate::wire::PersonView>),
    /// Who matching proposes the person on a timeline may also be.
    PersonCandidates {
        person: String,
        found: Box<crate::wire::Candidates>,
    },
    /// The person `person` could not be read: why.
    PersonUnread {
        person: String,
        error: String,
    },
    /// Matching could not be asked who the person `person` may also be: why.
    PersonCandidatesFailed {
        person: String,
        error: String,
    },
    /// Who the person being registered as `person` (`child0`) may already be, as sought by
    /// `find`; or why matching could not be asked.
    MatchedRegistering {
        person: String,
        find: Box<crate::wire::FindPerson>,
        found: Result<Box<crate::wire::Candidates>, String>,
    },
    /// What came of the people chosen as the same person while registering, once the
    /// record existed.
    MergedOnRegistering(Vec<Merged>),
}

/// A person of a new record the user chose as the same person as one matching proposed,
/// or decided is not them: merged or kept apart once the record exists, never before
/// (R-PERSON-2).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SameAs {
    /// Their role and place in the new record, as its mentions end: `child0`.
    pub mention: String,
    /// The person chosen, as a mention of theirs (`INT-2026-000009.child0`).
    pub with: String,
    pub reason: String,
    /// One person (merged), or not (kept apart).
    pub same: bool,
}

/// What came of a [`SameAs`] once the record existed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Merged {
    /// The new record's mention of the person: `INT-2026-000010.child0`.
    pub person: String,
    pub with: String,
    /// Merged with them, or kept apart from them.
    pub same: bool,
    /// The server's refusal, or why it could not be asked; none once merged.
    pub refused: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Effect {
    LoadQueue {
        query: String,
        /// The server's sort key, e.g. `due` or `-updated`.
        sort: String,
    },
    LoadRecord {
        id: String,
    },
    LoadHistory {
        id: String,
    },
    /// What the record `id` has sent or queued (R-SUBMIT-1).
    LoadSubmissions {
        id: String,
    },
    /// Try the failing submission `id` of `record` now, or send the rejected one again.
    RetrySubmission {
        record: String,
        id: i64,
    },
    Create {
        details: Box<crate::domain::model::Details>,
        /// R-LINK-1: the incident the new intake report is linked to once kept.
        link: Option<String>,
        /// Its people chosen as the same as others, merged once it is kept (R-PERSON-2).
        same: Vec<SameAs>,
    },
    LoadPolicy,
    LoadColleagues,
    /// Count what each view's query matches (the tab counts).
    LoadCounts {
        queries: Vec<String>,
    },
    /// Keep the note being written, as typed.
    SaveDraft {
        record_id: String,
        text: String,
    },
    ClearDraft {
        record_id: String,
    },
    Command {
        id: String,
        version: u64,
        command: Box<Command>,
    },
    LoadAnalytics {
        by: crate::domain::analytics::GroupBy,
        interval: crate::domain::analytics::Interval,
        /// The filter the counts cover, in the queue's language (may be empty).
        q: String,
    },
    LoadActions {
        mine: bool,
    },
    /// Export the view with this query and sort as CSV to `file` in the current directory.
    Export {
        query: String,
        sort: String,
        file: String,
    },
    LoadHandovers,
    WriteHandover {
        handover: Box<crate::wire::WriteHandover>,
    },
    AcknowledgeHandover {
        id: i64,
    },
    LoadReminders,
    FindPeople {
        find: Box<crate::wire::FindPerson>,
    },
    /// Read a person through any of their mentions.
    LoadPerson {
        id: String,
    },
    /// Who the person being registered as `person` (`child0`) may already be, sought as
    /// `find` (R-PERSON-1).
    MatchRegistering {
        person: String,
        find: Box<crate::wire::FindPerson>,
    },
    /// Who else the person `person` may be, sought as `find`.
    PersonCandidates {
        person: String,
        find: Box<crate::wire::FindPerson>,
    },
    /// `with` is the person `person`, for `reason` (R-PERSON-2).
    MergePeople {
        person: String,
        with: String,
        reason: String,
    },
    /// `with` is not the person `person`, for `reason` (R-PERSON-2).
    KeepApart {
        person: String,
        with: String,
        reason: String,
    },
    /// Undo the decision `merge`, for `reason`; the timeline of `person` reads as it left
    /// them.
    UndoMerge {
        person: String,
        merge: i64,
        reason: String,
    },
    SetReminder {
        reminder: Box<crate::wire::WriteReminder>,
    },
    FinishReminder {
        id: i64,
    },
    /// The user has seen the record at this version.
    MarkSeen {
        id: String,
        version: u64,
    },
    /// What others changed after `from` (the user's last look when none).
    LoadSince {
        from: Option<i64>,
    },
    /// Count what each alert watches.
    LoadAlertCounts {
        queries: Vec<String>,
    },
    /// Call for attention: the bell, and a notification with this text.
    Attention {
        how: super::notify::How,
        osc: super::notify::Osc,
        text: String,
    },
    /// Send `Msg::Preview(id)` after a moment, so that a key held down loads nothing until
    /// it is let go.
    PreviewAfter {
        id: String,
    },
    Quit,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Connection {
    Connecting,
    Live,
    Offline(String),
}
