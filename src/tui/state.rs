//! The app's model: everything the screen shows, and nothing it does not.

use std::collections::BTreeSet;

use chrono::{DateTime, Utc};

use crate::domain::analytics::{GroupBy, Interval};
use crate::domain::query::VIEWS;
use crate::wire::{Analytics, LearningActions, Me, QueueRow, RecordView};

use super::keymap::Keymap;
use super::theme::Theme;

/// A saved view: a tab over the queue.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ViewTab {
    pub title: String,
    /// The filter it stands for, in the queue's filter language.
    pub query: String,
}

impl ViewTab {
    /// The views every user has, in tab order.
    pub fn defaults() -> Vec<ViewTab> {
        VIEWS
            .iter()
            .map(|(_, title, query)| ViewTab {
                title: title.to_string(),
                query: query.to_string(),
            })
            .collect()
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RecordTab {
    Details,
    Checklist,
    Notes,
    History,
}

impl RecordTab {
    pub const ALL: [RecordTab; 4] = [
        RecordTab::Details,
        RecordTab::Checklist,
        RecordTab::Notes,
        RecordTab::History,
    ];

    pub fn title(self) -> &'static str {
        match self {
            RecordTab::Details => "Details",
            RecordTab::Checklist => "Checklist",
            RecordTab::Notes => "Notes",
            RecordTab::History => "History",
        }
    }

    pub fn index(self) -> usize {
        RecordTab::ALL.iter().position(|t| *t == self).unwrap_or(0)
    }
}

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
    /// Writing a note in the editor (`State::editor`).
    Note,
    /// Filling in a new record (`State::form`).
    Form,
    /// Choosing whom to assign to: the text typed and the highlighted colleague.
    Pick(String, usize),
    /// Typing the reason a change needs: what it is for and the reason so far.
    Reason(ReasonFor, String),
    /// Asking before a bulk or lasting change: the question and what `y` does.
    Confirm(String, Vec<super::update::Effect>),
    /// The Trends screen (`State::trends`).
    Trends,
    /// The open learning actions (`State::actions`).
    Actions,
}

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

/// The open learning actions, everyone's or the user's own.
#[derive(Debug, Clone, Default)]
pub struct ActionList {
    pub mine: bool,
    pub data: Option<LearningActions>,
    pub selected: usize,
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
        }
    }
}

/// The note being written: soft-wrapped, multi-line.
#[derive(Debug, Clone)]
pub struct NoteEditor {
    pub record_id: String,
    pub version: u64,
    pub textarea: ratatui_textarea::TextArea<'static>,
    /// Passages marked protected (R-PRIV-6), found again in the text when it is sent, so
    /// editing elsewhere never shifts them.
    pub protected: Vec<String>,
    /// The note this amends, if it is an amendment (a new revision; nothing is overwritten).
    pub amends: Option<u32>,
    /// The note's category (R-NOTE-CAT) as (id, name); the policy's default when `None`.
    pub category: Option<(String, String)>,
}

impl NoteEditor {
    pub fn new(record_id: &str, version: u64, draft: Option<&str>) -> NoteEditor {
        let lines = draft
            .map(|d| d.lines().map(String::from).collect())
            .unwrap_or_default();
        let mut textarea = ratatui_textarea::TextArea::new(lines);
        textarea.set_wrap_mode(ratatui_textarea::WrapMode::WordOrGlyph);
        textarea.move_cursor(ratatui_textarea::CursorMove::Bottom);
        textarea.move_cursor(ratatui_textarea::CursorMove::End);
        NoteEditor {
            record_id: record_id.to_string(),
            version,
            textarea,
            protected: Vec::new(),
            amends: None,
            category: None,
        }
    }

    /// The next of the policy's note categories after the one chosen, back to the first.
    pub fn next_category(&mut self, policy: &crate::domain::policy::Policy) {
        let categories = &policy.note_categories;
        let at = self
            .category
            .as_ref()
            .and_then(|(id, _)| categories.iter().position(|c| &c.id == id));
        let next = at.map_or(0, |i| (i + 1) % categories.len().max(1));
        self.category = categories.get(next).map(|c| (c.id.clone(), c.name.clone()));
    }

    /// What the editor's title calls the note.
    pub fn category_name(&self) -> &str {
        self.category
            .as_ref()
            .map_or("note", |(_, name)| name.as_str())
    }

    /// The selected text, if a selection is under way and not empty.
    pub fn selected(&self) -> Option<String> {
        let ((r1, c1), (r2, c2)) = self.textarea.selection_range()?;
        let lines = self.textarea.lines();
        let mut out = String::new();
        for row in r1..=r2 {
            let line = lines.get(row)?;
            let from = if row == r1 { c1 } else { 0 };
            let to = if row == r2 { c2 } else { line.chars().count() };
            out.extend(line.chars().skip(from).take(to.saturating_sub(from)));
            if row < r2 {
                out.push('\n');
            }
        }
        (!out.trim().is_empty()).then_some(out)
    }

    /// The byte spans of the protected passages in `text`; the first passage no longer
    /// found is the error.
    pub fn spans(&self, text: &str) -> Result<Vec<crate::domain::model::Span>, String> {
        let mut ranges: Vec<(usize, usize)> = Vec::new();
        for passage in &self.protected {
            let found: Vec<(usize, usize)> = text
                .match_indices(passage.as_str())
                .map(|(at, m)| (at, at + m.len()))
                .collect();
            if found.is_empty() {
                return Err(passage.clone());
            }
            ranges.extend(found);
        }
        ranges.sort_unstable();
        let mut merged: Vec<(usize, usize)> = Vec::new();
        for (start, end) in ranges {
            match merged.last_mut() {
                Some(last) if start <= last.1 => last.1 = last.1.max(end),
                _ => merged.push((start, end)),
            }
        }
        Ok(merged
            .into_iter()
            .map(|(start, end)| crate::domain::model::Span { start, end })
            .collect())
    }

    pub fn text(&self) -> String {
        self.textarea.lines().join("\n")
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Connection {
    Connecting,
    Live,
    Offline(String),
}

/// The open record and where the user is in it.
#[derive(Debug, Clone)]
pub struct OpenRecord {
    pub id: String,
    pub view: Option<RecordView>,
    /// The record's events, masked, once the History tab asked for them.
    pub history: Option<Vec<serde_json::Value>>,
    pub tab: RecordTab,
    /// The highlighted line of the tab (a checklist item, a note …).
    pub cursor: usize,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Level {
    Info,
    Error,
}

#[derive(Debug, Clone)]
pub struct State {
    pub me: Option<Me>,
    pub views: Vec<ViewTab>,
    pub view: usize,
    /// The filter typed with `/`, on top of the view's own.
    pub filter: String,
    pub rows: Vec<QueueRow>,
    /// How many records each view holds, when known.
    pub counts: Vec<Option<i64>>,
    /// Something changed since the counts were loaded; they reload on the next minute.
    pub counts_stale: bool,
    /// Which of the sorts the queue is in (see `update::SORTS`).
    pub sort: usize,
    pub selected: usize,
    /// The first row on screen; only visible rows are built.
    pub offset: usize,
    /// Rows the last drawn frame had room for.
    pub page: usize,
    pub record: Option<OpenRecord>,
    pub focus: Focus,
    pub mode: Mode,
    pub connection: Connection,
    pub pending_writes: usize,
    pub frozen: bool,
    /// Changes that arrived while frozen, applied on resume.
    pub held: usize,
    pub marked: BTreeSet<String>,
    pub mark_anchor: Option<usize>,
    pub privacy: bool,
    pub message: Option<(Level, String)>,
    pub now: DateTime<Utc>,
    pub keymap: Keymap,
    pub theme: Theme,
    pub editor: Option<NoteEditor>,
    /// Look, never change: no write is sent.
    pub read_only: bool,
    pub form: Option<super::form::Form>,
    /// Colleagues records can be assigned to.
    pub colleagues: Vec<crate::wire::Colleague>,
    /// The deadlines pane explains each due time (rule, days skipped).
    pub explain: bool,
    /// The policy in force, for forms (types, services).
    pub policy: Option<crate::domain::policy::Policy>,
    /// Blank the screen after this long without a key (none: never).
    pub idle_lock: Option<chrono::Duration>,
    pub last_key: DateTime<Utc>,
    /// Note drafts kept on disk, by record id, offered back when the record is opened.
    pub drafts: std::collections::BTreeMap<String, String>,
    pub trends: Trends,
    pub actions: ActionList,
    /// The first line of the key list shown by `?`, when it is longer than the screen.
    pub help_offset: usize,
    pub quit: bool,
}

impl State {
    pub fn new(now: DateTime<Utc>, keymap: Keymap, theme: Theme) -> State {
        State {
            me: None,
            views: ViewTab::defaults(),
            view: 0,
            filter: String::new(),
            rows: Vec::new(),
            sort: 0,
            counts: Vec::new(),
            counts_stale: false,
            selected: 0,
            offset: 0,
            page: 10,
            record: None,
            focus: Focus::Queue,
            mode: Mode::Normal,
            connection: Connection::Connecting,
            pending_writes: 0,
            frozen: false,
            held: 0,
            marked: BTreeSet::new(),
            mark_anchor: None,
            privacy: false,
            message: None,
            now,
            keymap,
            theme,
            editor: None,
            read_only: false,
            form: None,
            explain: false,
            colleagues: Vec::new(),
            policy: None,
            idle_lock: None,
            last_key: now,
            drafts: std::collections::BTreeMap::new(),
            trends: Trends::default(),
            actions: ActionList::default(),
            help_offset: 0,
            quit: false,
        }
    }

    /// The filter the queue is asked for: the view's and the user's together.
    pub fn query(&self) -> String {
        let view = self.views.get(self.view).map_or("", |v| v.query.as_str());
        format!("{view} {}", self.filter).trim().to_string()
    }

    pub fn selected_row(&self) -> Option<&QueueRow> {
        self.rows.get(self.selected)
    }
}
