//! The record pane's part of `update`: opening a record, what the server sends about it,
//! and the keys that act on it (tabs, ticking, waiving, notes, advancing, endorsing,
//! sending a submission again).

use crate::domain::commands::Command;
use crate::domain::policy::Policy;
use crate::tui::action::Action;
use crate::tui::mode::{Focus, Mode, ReasonFor};
use crate::tui::msg::Effect;
use crate::tui::reply::{Level, Reply};
use crate::wire::{History, RecordView, Submission, SubmissionStatus};

use super::editor::NoteEditor;
use super::state::{
    OpenRecord, RecordPane, RecordTab, checklist_items, id_of, note_at, standing_endorsement,
};
use super::submissions;

/// Open a record in the record pane and ask for it.
pub fn open(pane: &mut RecordPane, id: String) -> Vec<Reply> {
    pane.previewing = None;
    let mut replies = vec![Reply::Focus(Focus::Record)];
    if pane.drafts.contains_key(&id) {
        replies.push(Reply::Message(
            Level::Info,
            "a note draft is waiting for this record: n continues it".into(),
        ));
    }
    // Already shown (the highlight rested on it): it only takes the keyboard.
    if pane
        .open
        .as_ref()
        .is_some_and(|o| o.id == id && o.view.is_some())
    {
        return replies;
    }
    pane.open = Some(OpenRecord::new(id.clone(), None, RecordTab::Details));
    replies.push(Reply::Effect(Effect::LoadRecord { id }));
    replies
}

/// Show a record in the pane as the queue's highlight rests on it; the queue keeps the
/// keyboard.
pub fn preview(pane: &mut RecordPane, id: String) -> Vec<Reply> {
    pane.previewing = Some(id.clone());
    vec![Reply::Effect(Effect::LoadRecord { id })]
}

/// A record just registered, opened as the server sent it; its id.
pub fn show_created(pane: &mut RecordPane, view: RecordView) -> String {
    let id = id_of(&view).unwrap_or_default();
    pane.open = Some(OpenRecord::new(id.clone(), Some(view), RecordTab::Details));
    id
}

/// A record arrived: the open one, or the one being previewed, which then takes the pane
/// (on the tab the pane was at; the history is asked for when that tab shows).
pub fn on_view(pane: &mut RecordPane, id: Option<&str>, view: RecordView) -> Vec<Effect> {
    if let Some(open) = pane.open.as_mut()
        && Some(open.id.as_str()) == id
    {
        open.view = Some(view);
        return arrived(open, false);
    }
    let Some(id) = id.filter(|id| pane.previewing.as_deref() == Some(*id)) else {
        return Vec::new();
    };
    pane.previewing = None;
    let tab = pane.open.as_ref().map_or(RecordTab::Details, |o| o.tab);
    let open = pane
        .open
        .insert(OpenRecord::new(id.to_string(), Some(view), tab));
    arrived(open, true)
}

/// What a record's view asks for once it is in the pane: an incident's submissions, read
/// with it each time so that Details can say why it came back (R-SUBMIT-1), and, for a
/// record new to the pane, its history when that tab shows. A tab the record does not have
/// (an intake report's Submissions) gives way to Details.
fn arrived(open: &mut OpenRecord, new: bool) -> Vec<Effect> {
    if !open.tabs().contains(&open.tab) {
        open.tab = RecordTab::Details;
        open.cursor = 0;
    }
    let mut effects = Vec::new();
    if new && open.tab == RecordTab::History {
        effects.push(Effect::LoadHistory {
            id: open.id.clone(),
        });
    }
    if open.kind() == Some("incident") {
        effects.push(Effect::LoadSubmissions {
            id: open.id.clone(),
        });
    }
    effects
}

pub fn on_history(pane: &mut RecordPane, history: History) {
    if let Some(open) = pane.open.as_mut()
        && open.id == history.record
    {
        open.history = Some(history.events);
    }
}

/// A record changed: if it is the open one, it reloads, with its history when shown (its
/// submissions are read when it arrives).
pub fn on_change(pane: &RecordPane, record_id: String) -> Vec<Effect> {
    let mut effects = Vec::new();
    if let Some(open) = pane.open.as_ref().filter(|r| r.id == record_id) {
        if open.tab == RecordTab::History {
            effects.push(Effect::LoadHistory {
                id: record_id.clone(),
            });
        }
        effects.push(Effect::LoadRecord { id: record_id });
    }
    effects
}

/// The record's submissions arrived (R-SUBMIT-1): kept if it is still the open record; a
/// failure is said on the message line, as other reads' are, and on the tab.
pub fn on_submissions(
    pane: &mut RecordPane,
    record: &str,
    answer: Result<Vec<Submission>, String>,
) -> Vec<Reply> {
    let Some(open) = pane.open.as_mut().filter(|o| o.id == record) else {
        return Vec::new();
    };
    let failed = answer.as_ref().err().cloned();
    open.submissions = Some(answer);
    open.move_cursor(0);
    failed
        .map(|e| Reply::Message(Level::Error, format!("{record}'s submissions: {e}")))
        .into_iter()
        .collect()
}

pub fn move_cursor(pane: &mut RecordPane, delta: isize) {
    if let Some(open) = pane.open.as_mut() {
        open.move_cursor(delta);
    }
}

/// The next tab the record has, or the one before; History asks for the events, and
/// Submissions for what was sent, as it is now.
pub fn next_tab(pane: &mut RecordPane, forward: bool) -> Vec<Effect> {
    let Some(open) = pane.open.as_mut() else {
        return Vec::new();
    };
    let tabs = open.tabs();
    let n = tabs.len();
    let i = tabs.iter().position(|t| *t == open.tab).unwrap_or(0);
    let next = if forward {
        (i + 1) % n
    } else {
        (i + n - 1) % n
    };
    open.tab = tabs[next];
    open.cursor = 0;
    let id = open.id.clone();
    match open.tab {
        RecordTab::History => vec![Effect::LoadHistory { id }],
        RecordTab::Submissions => vec![Effect::LoadSubmissions { id }],
        _ => Vec::new(),
    }
}

/// R-SUBMIT-1: on the Submissions tab, try the highlighted failing submission now, or send
/// the rejected one again, once the user says yes.
pub fn retry(pane: &RecordPane) -> Vec<Reply> {
    let Some((open, _)) = pane.loaded() else {
        return Vec::new();
    };
    let info = |text: String| vec![Reply::Message(Level::Info, text)];
    if open.tab != RecordTab::Submissions {
        return info("open the Submissions tab to choose what to send again".into());
    }
    let all = open.sent();
    let Some(chosen) = all.get(open.cursor) else {
        return info(format!("{} has nothing sent to try again", open.id));
    };
    if let Some(again) = all.iter().find(|s| s.replaces == Some(chosen.id)) {
        return info(format!(
            "#{} is sent again already, as #{}",
            chosen.id, again.id
        ));
    }
    if !submissions::retryable(chosen, all) {
        return info(format!(
            "#{} is {}: nothing to try again",
            chosen.id,
            chosen.status.as_str()
        ));
    }
    let what = submissions::what(chosen);
    let question = match chosen.status {
        SubmissionStatus::Rejected => format!(
            "Send #{} ({what}) again, as {} now stands? y / n",
            chosen.id, open.id
        ),
        _ => format!("Try #{} ({what}) again now? y / n", chosen.id),
    };
    vec![Reply::Mode(Mode::Confirm(
        question,
        vec![Effect::RetrySubmission {
            record: open.id.clone(),
            id: chosen.id,
        }],
    ))]
}

/// The answer to a retry, on the message line in the server's words; the submissions of
/// the record are read again either way, as they now stand.
pub fn on_retried(record: String, id: i64, answer: Result<Box<Submission>, String>) -> Vec<Reply> {
    let said = match answer {
        Ok(again) if again.replaces == Some(id) => (
            Level::Info,
            format!(
                "#{id} is sent again as #{}, {}",
                again.id,
                again.status.as_str()
            ),
        ),
        Ok(again) => (Level::Info, format!("#{} is tried again now", again.id)),
        Err(e) => (Level::Error, format!("#{id} not sent again: {e}")),
    };
    vec![
        Reply::Message(said.0, said.1),
        Reply::Effect(Effect::LoadSubmissions { id: record }),
    ]
}

/// Space on the Checklist tab: tick the item under the cursor, or untick it.
pub fn tick(pane: &RecordPane) -> Vec<Reply> {
    let Some(open) = &pane.open else {
        return Vec::new();
    };
    if open.tab != RecordTab::Checklist {
        return Vec::new();
    }
    let Some(view) = &open.view else {
        return Vec::new();
    };
    let send = |command| {
        vec![Reply::Effect(Effect::Command {
            id: open.id.clone(),
            version: view.version,
            command: Box::new(command),
        })]
    };
    match checklist_items(view).get(open.cursor) {
        Some((item, Some(false))) => send(Command::Tick { item: item.clone() }),
        Some((item, Some(true))) => send(Command::Untick { item: item.clone() }),
        Some((_, None)) => vec![Reply::Message(
            Level::Info,
            "this item depends on details you may not see".into(),
        )],
        None => Vec::new(),
    }
}

/// Waive the open checklist item under the cursor: a reason is asked for.
pub fn waive(pane: &RecordPane) -> Vec<Reply> {
    if let Some((open, view)) = pane.loaded()
        && open.tab == RecordTab::Checklist
        && let Some((item, Some(false))) = checklist_items(view).get(open.cursor).cloned()
    {
        return vec![Reply::Mode(Mode::Reason(
            ReasonFor::Waive(item),
            String::new(),
        ))];
    }
    Vec::new()
}

/// Withdraw the endorsement the record holds (R-LOCK-1): a reason is asked for.
pub fn withdraw(pane: &RecordPane, policy: Option<&Policy>) -> Vec<Reply> {
    let Some((open, view)) = pane.loaded() else {
        return Vec::new();
    };
    match standing_endorsement(policy, &view.record) {
        Some((item, text)) => vec![Reply::Mode(Mode::Reason(
            ReasonFor::Withdraw(item, text),
            String::new(),
        ))],
        None => vec![Reply::Message(
            Level::Info,
            format!("{} holds no endorsement to withdraw", open.id),
        )],
    }
}

/// Advancing the record's stage or endorsing it, asked about first.
pub fn ask_first(pane: &RecordPane, action: Action) -> Vec<Reply> {
    let Some((open, view)) = pane.loaded() else {
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
    vec![Reply::Mode(Mode::Confirm(
        question,
        vec![Effect::Command {
            id: open.id.clone(),
            version: view.version,
            command: Box::new(command),
        }],
    ))]
}

/// `n`: the editor, with the draft kept for the record if there is one.
pub fn new_note(pane: &mut RecordPane) -> Vec<Reply> {
    let Some((open, view)) = pane.loaded() else {
        return Vec::new();
    };
    // On the Notes tab, n amends the note under the cursor.
    if open.tab == RecordTab::Notes
        && let Some((note, text)) = note_at(view, open.cursor)
    {
        let mut editor = NoteEditor::new(&open.id, view.version, Some(&text));
        editor.amends = Some(note);
        pane.editor = Some(editor);
        return vec![Reply::Mode(Mode::Note)];
    }
    let draft = pane.drafts.get(&open.id).map(String::as_str);
    let editor = NoteEditor::new(&open.id, view.version, draft);
    pane.editor = Some(editor);
    vec![Reply::Mode(Mode::Note), Reply::Focus(Focus::Record)]
}
