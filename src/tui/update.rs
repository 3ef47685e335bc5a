//! `update(state, msg) -> effects`: every change to the model, pure and tested without a
//! terminal or a network. Effects are carried out by the driver, whose results come back
//! as messages.

use chrono::{DateTime, Utc};
use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyEventKind, KeyModifiers};

use crate::domain::commands::Command;
use crate::wire::{Change, History, Me, QueuePage, RecordView};

use super::action::{Action, Key, REGISTRY, Scope};
use super::state::{
    Connection, Focus, Level, Mode, NoteEditor, OpenRecord, ReasonFor, RecordTab, State,
};

#[derive(Debug, Clone)]
pub enum Msg {
    Key(KeyEvent),
    Tick(DateTime<Utc>),
    Me(Me),
    Queue(QueuePage),
    Record(RecordView),
    History(History),
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
    Create {
        details: Box<crate::domain::model::Details>,
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
    Quit,
}

fn load_counts(state: &mut State) -> Effect {
    state.counts_stale = false;
    Effect::LoadCounts {
        queries: state.views.iter().map(|v| v.query.clone()).collect(),
    }
}

pub(super) fn load_queue(state: &State) -> Effect {
    Effect::LoadQueue {
        query: state.query(),
        sort: SORTS[state.sort % SORTS.len()].0.to_string(),
    }
}

/// The sorts `s` cycles through: the server's key and how the title names it.
pub const SORTS: [(&str, &str); 5] = [
    ("due", "next deadline"),
    ("-updated", "last changed"),
    ("-created", "newest"),
    ("id", "id"),
    ("stage", "stage"),
];

pub fn update(state: &mut State, msg: Msg) -> Vec<Effect> {
    match msg {
        Msg::Key(key) if key.kind == KeyEventKind::Release => Vec::new(),
        Msg::Key(key) => {
            state.last_key = state.now;
            on_key(state, key)
        }
        Msg::Tick(now) => {
            state.now = now;
            let mut effects = Vec::new();
            if state.counts_stale {
                effects.push(load_counts(state));
            }
            // Someone walked away: identifying details leave the screen.
            if state
                .idle_lock
                .is_some_and(|idle| now - state.last_key >= idle)
            {
                state.privacy = true;
            }
            effects
        }
        Msg::Counts(counts) => {
            state.counts = counts;
            Vec::new()
        }
        Msg::Policy(policy) => {
            state.policy = Some(*policy);
            Vec::new()
        }
        Msg::Colleagues(list) => {
            state.colleagues = list;
            Vec::new()
        }
        Msg::Created(view) => {
            let id = view
                .record
                .get("id")
                .and_then(|v| v.as_str())
                .unwrap_or_default()
                .to_string();
            state.form = None;
            state.mode = Mode::Normal;
            state.message = Some((Level::Info, format!("{id} registered")));
            state.record = Some(OpenRecord {
                id,
                view: Some(view),
                history: None,
                tab: RecordTab::Details,
                cursor: 0,
            });
            state.focus = Focus::Record;
            vec![load_queue(state)]
        }
        Msg::Refused {
            rule,
            message,
            field,
        } => {
            match state.form.as_mut() {
                Some(form) => form.refusal = Some((rule, message, field)),
                None => state.message = Some((Level::Error, message)),
            }
            Vec::new()
        }
        Msg::Me(me) => {
            state.me = Some(me);
            Vec::new()
        }
        Msg::Queue(page) => {
            // Live updates never move the selection off its record.
            let keep = state.selected_row().map(|r| r.id.clone());
            state.rows = page.rows;
            state.selected = keep
                .and_then(|id| state.rows.iter().position(|r| r.id == id))
                .unwrap_or_else(|| state.selected.min(state.rows.len().saturating_sub(1)));
            keep_in_view(state);
            Vec::new()
        }
        Msg::Record(view) => {
            let id = view
                .record
                .get("id")
                .and_then(|v| v.as_str())
                .map(String::from);
            if let Some(open) = state.record.as_mut()
                && Some(&open.id) == id.as_ref()
            {
                open.view = Some(view);
            }
            // A classification or a learning action that went through closes its form.
            let done = state
                .form
                .as_ref()
                .and_then(|f| (f.target.as_ref().map(|(t, _)| t) == id.as_ref()).then_some(f.kind));
            match done {
                Some(super::form::FormKind::Classify) => {
                    state.form = None;
                    state.mode = Mode::Normal;
                    state.message = Some((Level::Info, "classified".into()));
                }
                Some(super::form::FormKind::LearningAction) => {
                    state.form = None;
                    state.mode = Mode::Normal;
                    state.message = Some((
                        Level::Info,
                        "learning action raised: L lists the open ones".into(),
                    ));
                }
                _ => {}
            }
            super::analysis::after_write(state)
        }
        Msg::Analytics(analytics) => {
            let groups = analytics.groups.len();
            state.trends.selected = state.trends.selected.min(groups.saturating_sub(1));
            state.trends.data = Some(*analytics);
            Vec::new()
        }
        Msg::Actions(actions) => {
            let rows = actions.rows.len();
            state.actions.selected = state.actions.selected.min(rows.saturating_sub(1));
            state.actions.data = Some(*actions);
            Vec::new()
        }
        Msg::Exported(message) => {
            state.message = Some((Level::Info, message));
            Vec::new()
        }
        Msg::History(history) => {
            if let Some(open) = state.record.as_mut()
                && open.id == history.record
            {
                open.history = Some(history.events);
            }
            Vec::new()
        }
        Msg::Failed(message) => {
            state.message = Some((Level::Error, message));
            Vec::new()
        }
        Msg::Change(change) => {
            if state.frozen {
                state.held += 1;
                return Vec::new();
            }
            state.counts_stale = true;
            let mut effects = vec![load_queue(state)];
            if let Some(open) = state.record.as_ref().filter(|r| r.id == change.record_id) {
                if open.tab == RecordTab::History {
                    effects.push(Effect::LoadHistory {
                        id: change.record_id.clone(),
                    });
                }
                effects.push(Effect::LoadRecord {
                    id: change.record_id,
                });
            }
            effects
        }
        Msg::Connection(connection) => {
            let reconnected =
                connection == Connection::Live && state.connection != Connection::Live;
            state.connection = connection;
            if reconnected {
                vec![load_queue(state), load_counts(state)]
            } else {
                Vec::new()
            }
        }
        Msg::Pending(n) => {
            state.pending_writes = n;
            Vec::new()
        }
    }
}

fn on_key(state: &mut State, key: KeyEvent) -> Vec<Effect> {
    state.message = None;
    // The privacy screen goes away with any key, and does nothing else.
    if state.privacy {
        state.privacy = false;
        return Vec::new();
    }
    match state.mode.clone() {
        Mode::Filter(text) => filter_key(state, text, key),
        Mode::Help => {
            match key.code {
                KeyCode::Esc | KeyCode::Char('q') | KeyCode::Char('?') => {
                    state.mode = Mode::Normal;
                    state.help_offset = 0;
                }
                KeyCode::Down | KeyCode::Char('j') => state.help_offset += 1,
                KeyCode::Up | KeyCode::Char('k') => {
                    state.help_offset = state.help_offset.saturating_sub(1);
                }
                KeyCode::PageDown | KeyCode::Char(' ') => state.help_offset += 10,
                KeyCode::PageUp => state.help_offset = state.help_offset.saturating_sub(10),
                _ => {}
            }
            Vec::new()
        }
        Mode::Palette(text, index) => palette_key(state, text, index, key),
        Mode::Trends => super::analysis::trends_key(state, key),
        Mode::Actions => super::analysis::actions_key(state, key),
        Mode::Note => note_key(state, key),
        Mode::Form => form_key(state, key),
        Mode::Pick(mut text, index) => {
            let matches = pick_matches(state, &text);
            match key.code {
                KeyCode::Esc => state.mode = Mode::Normal,
                KeyCode::Enter => {
                    state.mode = Mode::Normal;
                    if let Some(chosen) = matches.get(index) {
                        let targets = assign_targets(state);
                        confirm_assign(state, &chosen.user, &targets);
                    }
                }
                KeyCode::Down => {
                    state.mode = Mode::Pick(text, (index + 1).min(matches.len().saturating_sub(1)));
                }
                KeyCode::Up => state.mode = Mode::Pick(text, index.saturating_sub(1)),
                KeyCode::Backspace => {
                    text.pop();
                    state.mode = Mode::Pick(text, 0);
                }
                KeyCode::Char(c) if !c.is_control() => {
                    text.push(c);
                    state.mode = Mode::Pick(text, 0);
                }
                _ => state.mode = Mode::Pick(text, index),
            }
            Vec::new()
        }
        Mode::Reason(purpose, mut reason) => match key.code {
            KeyCode::Esc => {
                state.mode = back_from(&purpose);
                Vec::new()
            }
            KeyCode::Enter => {
                state.mode = back_from(&purpose);
                let reason = reason.trim().to_string();
                let target = match &purpose {
                    ReasonFor::CloseAction {
                        record, version, ..
                    } => Some((record.clone(), *version)),
                    _ => state
                        .record
                        .as_ref()
                        .and_then(|open| open.view.as_ref().map(|v| (open.id.clone(), v.version))),
                };
                match (target, reason.is_empty()) {
                    (_, true) => {
                        state.message = Some((Level::Error, "a reason is needed".into()));
                        Vec::new()
                    }
                    (Some((id, version)), false) => {
                        let command = match purpose {
                            ReasonFor::Waive(item) => Command::Waive { item, reason },
                            ReasonFor::Withdraw(item, _) => {
                                Command::WithdrawEndorsement { item, reason }
                            }
                            ReasonFor::Amend(note, text, protected_spans) => Command::AmendNote {
                                note,
                                text,
                                protected_spans,
                                reason,
                            },
                            ReasonFor::CloseAction { action, .. } => Command::CloseLearningAction {
                                action,
                                outcome: reason,
                            },
                        };
                        vec![Effect::Command {
                            id,
                            version,
                            command: Box::new(command),
                        }]
                    }
                    (None, false) => Vec::new(),
                }
            }
            KeyCode::Backspace => {
                reason.pop();
                state.mode = Mode::Reason(purpose, reason);
                Vec::new()
            }
            KeyCode::Char(c) if !c.is_control() => {
                reason.push(c);
                state.mode = Mode::Reason(purpose, reason);
                Vec::new()
            }
            _ => {
                state.mode = Mode::Reason(purpose, reason);
                Vec::new()
            }
        },
        Mode::Confirm(_, effects) => {
            state.mode = Mode::Normal;
            match key.code {
                KeyCode::Char('y') | KeyCode::Char('Y') => {
                    state.marked.clear();
                    state.mark_anchor = None;
                    effects
                }
                _ => {
                    state.message = Some((Level::Info, "nothing changed".into()));
                    Vec::new()
                }
            }
        }
        Mode::Normal => {
            let scope = match state.focus {
                Focus::Queue => Scope::Queue,
                Focus::Record => Scope::Record,
            };
            match state.keymap.action(Key::from_event(&key), scope) {
                Some(action) => perform(state, action),
                None => Vec::new(),
            }
        }
    }
}

/// Open a record in the record pane and ask for it.
pub(super) fn open_record(state: &mut State, id: String) -> Vec<Effect> {
    state.record = Some(OpenRecord {
        id: id.clone(),
        view: None,
        history: None,
        tab: RecordTab::Details,
        cursor: 0,
    });
    state.focus = Focus::Record;
    if state.drafts.contains_key(&id) {
        state.message = Some((
            Level::Info,
            "a note draft is waiting for this record: n continues it".into(),
        ));
    }
    vec![Effect::LoadRecord { id }]
}

/// Where a reason prompt returns to: the list a learning action was closed from, or the
/// panes.
fn back_from(purpose: &ReasonFor) -> Mode {
    match purpose {
        ReasonFor::CloseAction { .. } => Mode::Actions,
        _ => Mode::Normal,
    }
}

fn form_key(state: &mut State, key: KeyEvent) -> Vec<Effect> {
    use super::form::{Form, FormKind, Input};
    let Some(form) = state.form.as_mut() else {
        state.mode = Mode::Normal;
        return Vec::new();
    };
    let ctrl = key.modifiers.contains(KeyModifiers::CONTROL);
    let now = state.now;
    let last = form.fields.len().saturating_sub(1);
    match key.code {
        KeyCode::Esc => {
            state.form = None;
            state.mode = Mode::Normal;
        }
        KeyCode::Char('t') if ctrl => {
            *form = match form.kind {
                FormKind::Incident => Form::intake(state.now),
                FormKind::Intake => match &state.policy {
                    Some(policy) => Form::incident(policy, state.now),
                    None => return Vec::new(),
                },
                FormKind::Classify | FormKind::LearningAction => return Vec::new(),
            };
        }
        KeyCode::Char('s') if ctrl && form.target.is_some() => {
            match (form.command(now), form.target.clone()) {
                (Ok(command), Some((id, version))) => {
                    form.refusal = None;
                    return vec![Effect::Command {
                        id,
                        version,
                        command: Box::new(command),
                    }];
                }
                (Err((field, message)), _) => form.refusal = Some((None, message, Some(field))),
                (Ok(_), None) => {}
            }
        }
        KeyCode::Char('s') if ctrl => match form.details() {
            Ok(details) => {
                form.refusal = None;
                return vec![Effect::Create {
                    details: Box::new(details),
                }];
            }
            Err((field, message)) => form.refusal = Some((None, message, Some(field))),
        },
        KeyCode::Down | KeyCode::Tab | KeyCode::Enter => form.focus = (form.focus + 1).min(last),
        KeyCode::Up | KeyCode::BackTab => form.focus = form.focus.saturating_sub(1),
        code => {
            if let Some(field) = form.fields.get_mut(form.focus) {
                match (&mut field.value, code) {
                    (Input::Text(text), KeyCode::Char(c)) if !ctrl => text.push(c),
                    (Input::Text(text), KeyCode::Backspace) => {
                        text.pop();
                    }
                    (Input::Choice(options, i), KeyCode::Right | KeyCode::Char(' ')) => {
                        *i = (*i + 1) % options.len().max(1);
                    }
                    (Input::Choice(options, i), KeyCode::Left) => {
                        let n = options.len().max(1);
                        *i = (*i + n - 1) % n;
                    }
                    (Input::Flag(b), KeyCode::Char(' ') | KeyCode::Left | KeyCode::Right) => {
                        *b = !*b;
                    }
                    _ => {}
                }
            }
        }
    }
    Vec::new()
}

fn note_key(state: &mut State, key: KeyEvent) -> Vec<Effect> {
    let Some(editor) = state.editor.as_mut() else {
        state.mode = Mode::Normal;
        return Vec::new();
    };
    let record_id = editor.record_id.clone();
    let ctrl = key.modifiers.contains(KeyModifiers::CONTROL);
    match key.code {
        // R-PRIV-6: the selected passage becomes protected.
        KeyCode::Char('p') if ctrl => {
            match editor.selected() {
                Some(passage) => {
                    editor.protected.push(passage);
                    editor.textarea.cancel_selection();
                    state.message = Some((
                        Level::Info,
                        "marked protected: only protective interveners will read it".into(),
                    ));
                }
                None => {
                    state.message = Some((
                        Level::Info,
                        "select a passage first (shift and the arrows), then ctrl-p".into(),
                    ));
                }
            }
            Vec::new()
        }
        // R-NOTE-CAT: the policy's categories in turn; the server says where one does not fit.
        KeyCode::Char('t') if ctrl && editor.amends.is_none() => {
            match &state.policy {
                Some(policy) if !policy.note_categories.is_empty() => {
                    editor.next_category(policy);
                }
                _ => {
                    state.message = Some((
                        Level::Info,
                        "the policy has no note categories loaded: the note is a case note".into(),
                    ));
                }
            }
            Vec::new()
        }
        KeyCode::Char('s') if ctrl => {
            let text = editor.text();
            if text.trim().is_empty() {
                state.message = Some((Level::Error, "the note is empty".into()));
                return Vec::new();
            }
            let protected_spans = match editor.spans(&text) {
                Ok(spans) => spans,
                Err(passage) => {
                    state.message = Some((
                        Level::Error,
                        format!(
                            "a protected passage was changed ({} characters): select it again and press ctrl-p",
                            passage.chars().count()
                        ),
                    ));
                    return Vec::new();
                }
            };
            if let Some(note) = editor.amends {
                state.editor = None;
                state.mode =
                    Mode::Reason(ReasonFor::Amend(note, text, protected_spans), String::new());
                return Vec::new();
            }
            let version = editor.version;
            let category = editor.category.take().map(|(id, _)| id);
            state.editor = None;
            state.mode = Mode::Normal;
            state.drafts.remove(&record_id);
            vec![
                Effect::Command {
                    id: record_id.clone(),
                    version,
                    command: Box::new(Command::AddNote {
                        category,
                        text,
                        protected_spans,
                    }),
                },
                Effect::ClearDraft { record_id },
            ]
        }
        KeyCode::Esc => {
            let text = editor.text();
            state.editor = None;
            state.mode = Mode::Normal;
            if text.trim().is_empty() {
                state.drafts.remove(&record_id);
                vec![Effect::ClearDraft { record_id }]
            } else {
                state.message = Some((Level::Info, "draft kept: n continues it".into()));
                state.drafts.insert(record_id.clone(), text.clone());
                vec![Effect::SaveDraft { record_id, text }]
            }
        }
        _ => {
            if editor.textarea.input(key) {
                let text = editor.text();
                state.drafts.insert(record_id.clone(), text.clone());
                vec![Effect::SaveDraft { record_id, text }]
            } else {
                Vec::new()
            }
        }
    }
}

fn filter_key(state: &mut State, mut text: String, key: KeyEvent) -> Vec<Effect> {
    match key.code {
        KeyCode::Esc => state.mode = Mode::Normal,
        KeyCode::Enter => {
            state.mode = Mode::Normal;
            state.filter = text.trim().to_string();
            state.selected = 0;
            state.offset = 0;
            return vec![load_queue(state)];
        }
        KeyCode::Backspace => {
            text.pop();
            state.mode = Mode::Filter(text);
        }
        KeyCode::Char(c) if !c.is_control() => {
            text.push(c);
            state.mode = Mode::Filter(text);
        }
        _ => {}
    }
    Vec::new()
}

/// Actions matching what was typed, fuzzily (nucleo), best first; everything when
/// nothing is typed.
pub fn palette_matches(text: &str) -> Vec<&'static super::action::ActionDef> {
    use nucleo_matcher::pattern::{CaseMatching, Normalization, Pattern};
    use nucleo_matcher::{Config, Matcher};
    let pattern = Pattern::parse(text, CaseMatching::Ignore, Normalization::Smart);
    let mut matcher = Matcher::new(Config::DEFAULT);
    let haystacks: Vec<(String, usize)> = REGISTRY
        .iter()
        .enumerate()
        .map(|(i, d)| (format!("{} {}", d.name.replace('_', " "), d.description), i))
        .collect();
    pattern
        .match_list(haystacks.iter().map(|(h, i)| Indexed(h, *i)), &mut matcher)
        .into_iter()
        .map(|(Indexed(_, i), _)| &REGISTRY[i])
        .collect()
}

/// A palette line and the registry entry it stands for.
struct Indexed<'a>(&'a str, usize);

impl AsRef<str> for Indexed<'_> {
    fn as_ref(&self) -> &str {
        self.0
    }
}

fn palette_key(state: &mut State, mut text: String, index: usize, key: KeyEvent) -> Vec<Effect> {
    match key.code {
        KeyCode::Esc => state.mode = Mode::Normal,
        KeyCode::Enter => {
            state.mode = Mode::Normal;
            if let Some(def) = palette_matches(&text).get(index) {
                return perform(state, def.action);
            }
        }
        KeyCode::Down => {
            let n = palette_matches(&text).len();
            state.mode = Mode::Palette(text, (index + 1).min(n.saturating_sub(1)));
        }
        KeyCode::Up => state.mode = Mode::Palette(text, index.saturating_sub(1)),
        KeyCode::Backspace => {
            text.pop();
            state.mode = Mode::Palette(text, 0);
        }
        KeyCode::Char(c) if !c.is_control() => {
            text.push(c);
            state.mode = Mode::Palette(text, 0);
        }
        _ => {}
    }
    Vec::new()
}

fn keep_in_view(state: &mut State) {
    let page = state.page.max(1);
    if state.selected < state.offset {
        state.offset = state.selected;
    } else if state.selected >= state.offset + page {
        state.offset = state.selected + 1 - page;
    }
}

fn move_by(state: &mut State, delta: isize) {
    match state.focus {
        Focus::Queue => {
            let last = state.rows.len().saturating_sub(1);
            state.selected = state.selected.saturating_add_signed(delta).min(last);
            keep_in_view(state);
        }
        Focus::Record => {
            if let Some(open) = state.record.as_mut() {
                open.cursor = open.cursor.saturating_add_signed(delta);
            }
        }
    }
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
fn standing_endorsement(state: &State, record: &serde_json::Value) -> Option<(String, String)> {
    let policy = state.policy.as_ref()?;
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

/// The records an assignment applies to: the marked rows, else the selected one.
fn assign_targets(state: &State) -> Vec<(String, u64)> {
    if state.marked.is_empty() {
        state
            .selected_row()
            .map(|r| (r.id.clone(), r.version))
            .into_iter()
            .collect()
    } else {
        state
            .rows
            .iter()
            .filter(|r| state.marked.contains(&r.id))
            .map(|r| (r.id.clone(), r.version))
            .collect()
    }
}

fn confirm_assign(state: &mut State, user: &str, targets: &[(String, u64)]) {
    let effects = targets
        .iter()
        .map(|(id, version)| Effect::Command {
            id: id.clone(),
            version: *version,
            command: Box::new(Command::Assign {
                user: Some(user.to_string()),
            }),
        })
        .collect();
    state.mode = Mode::Confirm(
        format!("Assign {} record(s) to {user}? y / n", targets.len()),
        effects,
    );
}

/// Colleagues whose name or user id holds what was typed, and the current user first.
pub fn pick_matches(state: &State, text: &str) -> Vec<crate::wire::Colleague> {
    let text = text.to_lowercase();
    let me = state.me.as_ref().map(|m| m.user.as_str());
    let mut list: Vec<crate::wire::Colleague> = state
        .colleagues
        .iter()
        .filter(|c| {
            c.display_name.to_lowercase().contains(&text) || c.user.to_lowercase().contains(&text)
        })
        .cloned()
        .collect();
    list.sort_by_key(|c| Some(c.user.as_str()) != me);
    list
}

/// The id and current text of the `index`-th note of a record view.
fn note_at(view: &RecordView, index: usize) -> Option<(u32, String)> {
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

fn perform(state: &mut State, action: Action) -> Vec<Effect> {
    if state.read_only
        && matches!(
            action,
            Action::Tick
                | Action::NewNote
                | Action::Assign
                | Action::Advance
                | Action::Endorse
                | Action::WithdrawEndorsement
                | Action::NewRecord
                | Action::Waive
                | Action::Classify
                | Action::RaiseAction
        )
    {
        state.message = Some((
            Level::Error,
            "read-only mode: nothing can be changed (start without --read-only to write)".into(),
        ));
        return Vec::new();
    }
    let page = state.page.max(1) as isize;
    match action {
        Action::MoveDown => move_by(state, 1),
        Action::MoveUp => move_by(state, -1),
        Action::PageDown => move_by(state, page),
        Action::PageUp => move_by(state, -page),
        Action::Top => move_by(state, isize::MIN / 2),
        Action::Bottom => move_by(state, isize::MAX / 2),
        Action::Open => {
            if let Some(row) = state.selected_row() {
                let id = row.id.clone();
                return open_record(state, id);
            }
        }
        Action::Back => {
            state.mode = Mode::Normal;
            state.focus = Focus::Queue;
        }
        Action::Quit => {
            if state.focus == Focus::Record {
                state.focus = Focus::Queue;
            } else if state.pending_writes > 0 {
                state.message = Some((
                    Level::Error,
                    format!(
                        "{} write(s) not yet sent: they are kept and sent when the server is back; press ctrl-q to quit anyway",
                        state.pending_writes
                    ),
                ));
            } else {
                state.quit = true;
                return vec![Effect::Quit];
            }
        }
        Action::NextPane => {
            state.focus = match state.focus {
                Focus::Queue if state.record.is_some() => Focus::Record,
                _ => Focus::Queue,
            };
        }
        Action::NextTab | Action::PrevTab => {
            if let Some(open) = state.record.as_mut() {
                let n = RecordTab::ALL.len();
                let i = open.tab.index();
                let next = if action == Action::NextTab {
                    (i + 1) % n
                } else {
                    (i + n - 1) % n
                };
                open.tab = RecordTab::ALL[next];
                open.cursor = 0;
                if open.tab == RecordTab::History {
                    return vec![Effect::LoadHistory {
                        id: open.id.clone(),
                    }];
                }
            }
        }
        Action::Filter => state.mode = Mode::Filter(state.filter.clone()),
        Action::Sort => {
            state.sort = (state.sort + 1) % SORTS.len();
            state.message = Some((Level::Info, format!("sorted by {}", SORTS[state.sort].1)));
            return vec![load_queue(state)];
        }
        Action::Help => state.mode = Mode::Help,
        Action::Palette => state.mode = Mode::Palette(String::new(), 0),
        Action::Tick => return tick(state),
        Action::Assign => {
            let targets = assign_targets(state);
            if targets.is_empty() {
                return Vec::new();
            }
            // Pick who: the colleagues list when it loaded, else oneself.
            if state.colleagues.is_empty() {
                if let Some(me) = state.me.as_ref().map(|m| m.user.clone()) {
                    confirm_assign(state, &me, &targets);
                }
            } else {
                state.mode = Mode::Pick(String::new(), 0);
            }
        }
        Action::Explain => state.explain = !state.explain,
        Action::Trends => return super::analysis::open_trends(state),
        Action::LearningActions => return super::analysis::open_actions(state),
        Action::Export => return super::analysis::export_view(state),
        Action::RaiseAction => return super::analysis::raise_action(state),
        Action::Waive => {
            if let Some(open) = &state.record
                && open.tab == RecordTab::Checklist
                && let Some(view) = &open.view
                && let Some((item, Some(false))) = checklist_items(view).get(open.cursor).cloned()
            {
                state.mode = Mode::Reason(ReasonFor::Waive(item), String::new());
            }
        }
        Action::WithdrawEndorsement => {
            let Some(open) = &state.record else {
                return Vec::new();
            };
            let Some(view) = &open.view else {
                return Vec::new();
            };
            match standing_endorsement(state, &view.record) {
                Some((item, text)) => {
                    state.mode = Mode::Reason(ReasonFor::Withdraw(item, text), String::new());
                }
                None => {
                    state.message = Some((
                        Level::Info,
                        format!("{} holds no endorsement to withdraw", open.id),
                    ));
                }
            }
        }
        Action::Classify => {
            if let Some(open) = &state.record
                && let Some(view) = &open.view
                && view
                    .record
                    .pointer("/details/kind")
                    .and_then(|k| k.as_str())
                    == Some("intake")
            {
                state.form = Some(super::form::Form::classify(&open.id, view.version));
                state.mode = Mode::Form;
            }
        }
        Action::NewRecord => match &state.policy {
            Some(policy) => {
                state.form = Some(super::form::Form::incident(policy, state.now));
                state.mode = Mode::Form;
            }
            None => {
                state.message = Some((
                    Level::Error,
                    "the policy has not loaded yet: try again in a moment".into(),
                ));
                return vec![Effect::LoadPolicy];
            }
        },
        Action::Advance | Action::Endorse => {
            let Some(open) = &state.record else {
                return Vec::new();
            };
            let Some(view) = &open.view else {
                return Vec::new();
            };
            let (command, question) = if action == Action::Advance {
                (
                    Command::AdvanceStage,
                    format!("Advance {} to its next stage? y / n", open.id),
                )
            } else {
                (Command::Endorse, format!("Endorse {}? y / n", open.id))
            };
            state.mode = Mode::Confirm(
                question,
                vec![Effect::Command {
                    id: open.id.clone(),
                    version: view.version,
                    command: Box::new(command),
                }],
            );
        }
        Action::NewNote => {
            if let Some(open) = &state.record
                && let Some(view) = &open.view
            {
                // On the Notes tab, n amends the note under the cursor.
                if open.tab == RecordTab::Notes
                    && let Some((note, text)) = note_at(view, open.cursor)
                {
                    let mut editor = NoteEditor::new(&open.id, view.version, Some(&text));
                    editor.amends = Some(note);
                    state.editor = Some(editor);
                    state.mode = Mode::Note;
                    return Vec::new();
                }
                let draft = state.drafts.get(&open.id).map(String::as_str);
                state.editor = Some(NoteEditor::new(&open.id, view.version, draft));
                state.mode = Mode::Note;
                state.focus = Focus::Record;
            }
        }
        Action::Mark => {
            if let Some(row) = state.selected_row() {
                let id = row.id.clone();
                if !state.marked.remove(&id) {
                    state.marked.insert(id);
                }
                state.mark_anchor = Some(state.selected);
            }
        }
        Action::MarkRange => {
            let anchor = state.mark_anchor.unwrap_or(state.selected);
            let (from, to) = (anchor.min(state.selected), anchor.max(state.selected));
            for row in state.rows.iter().skip(from).take(to - from + 1) {
                state.marked.insert(row.id.clone());
            }
        }
        Action::Privacy => state.privacy = true,
        Action::Freeze => {
            state.frozen = !state.frozen;
            if !state.frozen && state.held > 0 {
                state.held = 0;
                return vec![load_queue(state)];
            }
        }
        Action::Refresh => {
            let mut effects = vec![load_queue(state), load_counts(state)];
            if let Some(open) = &state.record {
                effects.push(Effect::LoadRecord {
                    id: open.id.clone(),
                });
            }
            return effects;
        }
        Action::View(n) => {
            let index = usize::from(n).saturating_sub(1);
            if index < state.views.len() {
                state.view = index;
                state.selected = 0;
                state.offset = 0;
                return vec![load_queue(state)];
            }
        }
    }
    Vec::new()
}

fn tick(state: &mut State) -> Vec<Effect> {
    let Some(open) = &state.record else {
        return Vec::new();
    };
    if state.focus != Focus::Record || open.tab != RecordTab::Checklist {
        return Vec::new();
    }
    let Some(view) = &open.view else {
        return Vec::new();
    };
    match checklist_items(view).get(open.cursor) {
        Some((item, Some(false))) => vec![Effect::Command {
            id: open.id.clone(),
            version: view.version,
            command: Box::new(Command::Tick { item: item.clone() }),
        }],
        Some((item, Some(true))) => vec![Effect::Command {
            id: open.id.clone(),
            version: view.version,
            command: Box::new(Command::Untick { item: item.clone() }),
        }],
        Some((_, None)) => {
            state.message = Some((
                Level::Info,
                "this item depends on details you may not see".into(),
            ));
            Vec::new()
        }
        None => Vec::new(),
    }
}
