//! The reminders' part of `update`: setting one, the list, and noticing when one falls due.

use chrono::{DateTime, Utc};
use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use crate::tui::layout::readable;
use crate::tui::mode::Mode;
use crate::tui::msg::Effect;
use crate::tui::reply::{Level, Reply};
use crate::wire::{Reminder, Reminders};

use super::compose::{Compose, Step};
use super::state::ReminderScreen;
use crate::tui::when;

pub fn load() -> Effect {
    Effect::LoadReminders
}

/// Open the list.
pub fn open() -> Vec<Reply> {
    vec![Reply::Mode(Mode::Reminders), Reply::Effect(load())]
}

/// Start setting a reminder on `record` (the one at hand).
pub fn compose(screen: &mut ReminderScreen, record: Option<String>, read_only: bool) -> Vec<Reply> {
    if read_only {
        return vec![Reply::Message(
            Level::Error,
            "read-only mode: nothing can be changed".into(),
        )];
    }
    let Some(record) = record else {
        return vec![Reply::Message(
            Level::Error,
            "choose a record first, then r sets a reminder on it".into(),
        )];
    };
    screen.compose = Some(Compose::new(record));
    vec![Reply::Mode(Mode::Remind)]
}

pub fn compose_key(screen: &mut ReminderScreen, now: DateTime<Utc>, key: KeyEvent) -> Vec<Reply> {
    let Some(compose) = screen.compose.as_mut() else {
        return vec![Reply::Mode(Mode::Normal)];
    };
    match compose.key(key, now) {
        Step::Editing => Vec::new(),
        Step::Cancel => {
            screen.compose = None;
            vec![Reply::Mode(Mode::Normal)]
        }
        Step::Missing(what) => vec![Reply::Message(Level::Error, what)],
        Step::Send(reminder) => vec![Reply::Effect(Effect::SetReminder {
            reminder: Box::new(reminder),
        })],
    }
}

/// A reminder was kept: the writer closes, and the list and the queue show it.
pub fn on_set(screen: &mut ReminderScreen, set: &Reminder, now: DateTime<Utc>) -> Vec<Reply> {
    screen.compose = None;
    vec![
        Reply::Mode(Mode::Normal),
        Reply::Message(
            Level::Info,
            format!(
                "reminder set on {} for {}",
                readable(&set.record),
                when::said(set.at, now)
            ),
        ),
        Reply::Effect(load()),
    ]
}

pub fn on_done() -> Vec<Reply> {
    vec![
        Reply::Message(Level::Info, "reminder done".into()),
        Reply::Effect(load()),
    ]
}

/// How many of the reminders have come due at `now`.
pub fn due(reminders: &[Reminder], now: DateTime<Utc>) -> usize {
    reminders.iter().filter(|r| r.at <= now).count()
}

/// The reminders arrived: those newly come due are said on the message line (the screen
/// may show a record's note; the notification never does), and counted for attention.
pub fn on_reminders(
    screen: &mut ReminderScreen,
    kept: &mut Vec<Reminder>,
    data: Reminders,
    now: DateTime<Utc>,
) -> (Vec<Reply>, usize) {
    *kept = data.reminders;
    screen.selected = screen.selected.min(kept.len().saturating_sub(1));
    let newly: Vec<&Reminder> = kept
        .iter()
        .filter(|r| r.at <= now && screen.alerted.insert(r.id))
        .collect();
    let Some(first) = newly.first() else {
        return (Vec::new(), 0);
    };
    let more = match newly.len() {
        1 => String::new(),
        n => format!(" (+{} more: R lists them)", n - 1),
    };
    let said = format!(
        "reminder: {} — {}{more}",
        readable(&first.record),
        readable(&first.note)
    );
    (vec![Reply::Message(Level::Info, said)], newly.len())
}

pub fn key(screen: &mut ReminderScreen, reminders: &[Reminder], key: KeyEvent) -> Vec<Reply> {
    let chosen = reminders.get(screen.selected);
    match key.code {
        KeyCode::Esc | KeyCode::Char('q') | KeyCode::Char('R') => {
            return vec![Reply::Mode(Mode::Normal)];
        }
        KeyCode::Down | KeyCode::Char('j') => {
            screen.selected = (screen.selected + 1).min(reminders.len().saturating_sub(1));
        }
        KeyCode::Up | KeyCode::Char('k') => screen.selected = screen.selected.saturating_sub(1),
        KeyCode::Char('r') if key.modifiers.contains(KeyModifiers::CONTROL) => {
            return vec![Reply::Effect(load())];
        }
        KeyCode::Char('d') => {
            if let Some(r) = chosen {
                return vec![Reply::Effect(Effect::FinishReminder { id: r.id })];
            }
        }
        KeyCode::Enter => {
            if let Some(record) = chosen.and_then(|r| r.record.as_str()) {
                return vec![
                    Reply::Mode(Mode::Normal),
                    Reply::OpenRecord(record.to_string()),
                ];
            }
        }
        _ => {}
    }
    Vec::new()
}
