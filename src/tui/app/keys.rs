//! A key goes to what has the keyboard: a screen, an overlay, the reason and confirm
//! prompts, or, in the panes, the action the keymap gives it.

use ratatui::crossterm::event::{KeyCode, KeyEvent};

use crate::domain::commands::Command;
use crate::tui::action::{Key, Scope};
use crate::tui::mode::{Focus, Mode, ReasonFor};
use crate::tui::msg::Effect;
use crate::tui::reply::{Level, Reply};
use crate::tui::{actions, forms, handover, help, people, queue, record, reminders, since, trends};

use super::perform::perform;
use super::state::State;

pub(super) fn on_key(state: &mut State, key: KeyEvent) -> Vec<Reply> {
    state.message = None;
    // The privacy screen goes away with any key, and does nothing else.
    if state.context.privacy {
        state.context.privacy = false;
        return Vec::new();
    }
    match state.mode.clone() {
        Mode::Filter(text) => queue::filter_key(&mut state.queue, text, key),
        Mode::Help => help::key(&mut state.help, key),
        Mode::Palette(text, index) => help::palette_key(text, index, key),
        Mode::Trends => trends::key(&mut state.trends, key),
        Mode::Actions => actions::key(&mut state.actions, state.context.read_only, key),
        Mode::Since => since::key(&mut state.since, key),
        Mode::Handover => handover::key(&mut state.handover, state.context.read_only, key),
        Mode::People => people::key(&mut state.people, key),
        Mode::Reminders => reminders::key(&mut state.reminders, &state.context.reminders, key),
        Mode::Remind => reminders::compose_key(&mut state.reminders, state.context.now, key),
        Mode::Note => record::editor_key(&mut state.record, state.context.policy.as_ref(), key),
        Mode::Form => forms::key(&mut state.form, &state.context, key),
        Mode::Pick(text, index) => queue::pick_key(&state.queue, &state.context, text, index, key),
        Mode::Reason(purpose, reason) => reason_key(state, purpose, reason, key),
        Mode::Confirm(_, effects) => {
            state.mode = Mode::Normal;
            match key.code {
                KeyCode::Char('y') | KeyCode::Char('Y') => {
                    queue::unmark_all(&mut state.queue);
                    effects.into_iter().map(Reply::Effect).collect()
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
            match state.context.keymap.action(Key::from_event(&key), scope) {
                Some(action) => perform(state, action),
                None => Vec::new(),
            }
        }
    }
}

/// Typing the reason a change needs: `enter` sends the change with it, `esc` drops it.
fn reason_key(
    state: &mut State,
    purpose: ReasonFor,
    mut reason: String,
    key: KeyEvent,
) -> Vec<Reply> {
    match key.code {
        KeyCode::Esc => state.mode = back_from(&purpose),
        KeyCode::Enter => {
            state.mode = back_from(&purpose);
            let reason = reason.trim().to_string();
            let target = match &purpose {
                ReasonFor::CloseAction {
                    record, version, ..
                } => Some((record.clone(), *version)),
                _ => state
                    .record
                    .loaded()
                    .map(|(open, view)| (open.id.clone(), view.version)),
            };
            match (target, reason.is_empty()) {
                (_, true) => {
                    let needed = match purpose {
                        ReasonFor::LinkIncident => "the incident's id is needed",
                        _ => "a reason is needed",
                    };
                    state.message = Some((Level::Error, needed.into()));
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
                        ReasonFor::LinkIncident => Command::LinkIncident { incident: reason },
                    };
                    return vec![Reply::Effect(Effect::Command {
                        id,
                        version,
                        command: Box::new(command),
                    })];
                }
                (None, false) => {}
            }
        }
        KeyCode::Backspace => {
            reason.pop();
            state.mode = Mode::Reason(purpose, reason);
        }
        KeyCode::Char(c) if !c.is_control() => {
            reason.push(c);
            state.mode = Mode::Reason(purpose, reason);
        }
        _ => {}
    }
    Vec::new()
}

/// Where a reason prompt returns to: the list a learning action was closed from, or the
/// panes.
fn back_from(purpose: &ReasonFor) -> Mode {
    match purpose {
        ReasonFor::CloseAction { .. } => Mode::Actions,
        _ => Mode::Normal,
    }
}
