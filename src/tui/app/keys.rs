//! A key goes to what has the keyboard: a screen, an overlay, the reason and confirm
//! prompts, or, in the panes, the action the keymap gives it.

use ratatui::crossterm::event::{KeyCode, KeyEvent};

use crate::domain::commands::Command;
use crate::tui::action::{Key, Scope};
use crate::tui::line::edit;
use crate::tui::mode::{Focus, Mode, ReasonFor};
use crate::tui::msg::Effect;
use crate::tui::reply::{Level, Reply};
use crate::tui::{
    actions, forms, handover, help, people, person, queue, record, reminders, since, trends,
};

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
        Mode::Palette(text, index) => help::palette_key(&mut state.help, text, index, key),
        Mode::Trends => trends::key(&mut state.trends, key),
        Mode::Actions => actions::key(&mut state.actions, state.context.read_only, key),
        Mode::Since => since::key(&mut state.since, key),
        Mode::Handover => handover::key(&mut state.handover, state.context.read_only, key),
        Mode::People => people::key(&mut state.people, &state.context.keymap, key),
        Mode::Person => person::key(&mut state.person, &state.context.keymap, key),
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
            if reason.is_empty() {
                let needed = match purpose {
                    ReasonFor::LinkIncident => "the incident's id is needed",
                    _ => "a reason is needed",
                };
                state.message = Some((Level::Error, needed.into()));
                return Vec::new();
            }
            return sent(state, purpose, reason)
                .into_iter()
                .map(Reply::Effect)
                .collect();
        }
        _ => {
            edit(&mut reason, &key, usize::MAX);
            state.mode = Mode::Reason(purpose, reason);
        }
    }
    Vec::new()
}

/// The change a reason was typed for; a record's change needs the record loaded.
fn sent(state: &State, purpose: ReasonFor, reason: String) -> Option<Effect> {
    let open = || {
        state
            .record
            .loaded()
            .map(|(open, view)| (open.id.clone(), view.version))
    };
    let (id, version, command) = match purpose {
        ReasonFor::SamePerson { person, with } => {
            return Some(Effect::MergePeople {
                person,
                with,
                reason,
            });
        }
        ReasonFor::DifferentPerson { person, with } => {
            return Some(Effect::KeepApart {
                person,
                with,
                reason,
            });
        }
        ReasonFor::UndoMerge { person, merge } => {
            return Some(Effect::UndoMerge {
                person,
                merge,
                reason,
            });
        }
        ReasonFor::CloseAction {
            record,
            version,
            action,
        } => (
            record,
            version,
            Command::CloseLearningAction {
                action,
                outcome: reason,
            },
        ),
        ReasonFor::Waive(item) => {
            let (id, version) = open()?;
            (id, version, Command::Waive { item, reason })
        }
        ReasonFor::Withdraw(item, _) => {
            let (id, version) = open()?;
            (id, version, Command::WithdrawEndorsement { item, reason })
        }
        ReasonFor::Amend(note, text, protected_spans) => {
            let (id, version) = open()?;
            let command = Command::AmendNote {
                note,
                text,
                protected_spans,
                reason,
            };
            (id, version, command)
        }
        ReasonFor::LinkIncident => {
            let (id, version) = open()?;
            (id, version, Command::LinkIncident { incident: reason })
        }
    };
    Some(Effect::Command {
        id,
        version,
        command: Box::new(command),
    })
}

/// Where a reason prompt returns to: the list a learning action was closed from, the
/// timeline a merge was decided or undone on, or the panes.
fn back_from(purpose: &ReasonFor) -> Mode {
    match purpose {
        ReasonFor::CloseAction { .. } => Mode::Actions,
        ReasonFor::SamePerson { .. }
        | ReasonFor::DifferentPerson { .. }
        | ReasonFor::UndoMerge { .. } => Mode::Person,
        _ => Mode::Normal,
    }
}
