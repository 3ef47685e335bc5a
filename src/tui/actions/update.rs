//! The learning actions list's part of `update`: everyone's or the user's own, opening an
//! action's record, and closing an action with its outcome.

use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use crate::tui::mode::{Mode, ReasonFor};
use crate::tui::msg::Effect;
use crate::tui::reply::{Level, Reply};
use crate::wire::LearningActions;

use super::state::ActionList;

pub fn load(list: &ActionList) -> Effect {
    Effect::LoadActions { mine: list.mine }
}

pub fn open(list: &ActionList) -> Vec<Reply> {
    vec![Reply::Mode(Mode::Actions), Reply::Effect(load(list))]
}

pub fn on_actions(list: &mut ActionList, actions: LearningActions) {
    let rows = actions.rows.len();
    list.selected = list.selected.min(rows.saturating_sub(1));
    list.data = Some(actions);
}

pub fn key(list: &mut ActionList, read_only: bool, key: KeyEvent) -> Vec<Reply> {
    let rows = list.data.as_ref().map_or(&[][..], |d| d.rows.as_slice());
    // What the highlighted row stands for, taken before the state changes.
    let chosen = rows
        .get(list.selected)
        .map(|row| (row.record.clone(), row.version, row.action.id));
    match key.code {
        KeyCode::Esc | KeyCode::Char('q') | KeyCode::Char('L') => {
            return vec![Reply::Mode(Mode::Normal)];
        }
        KeyCode::Down | KeyCode::Char('j') => {
            list.selected = (list.selected + 1).min(rows.len().saturating_sub(1));
        }
        KeyCode::Up | KeyCode::Char('k') => list.selected = list.selected.saturating_sub(1),
        KeyCode::Char('m') => {
            list.mine = !list.mine;
            list.selected = 0;
            return vec![Reply::Effect(load(list))];
        }
        KeyCode::Char('r') => return vec![Reply::Effect(load(list))],
        KeyCode::Enter => {
            if let Some((record, _, _)) = chosen {
                return vec![Reply::Mode(Mode::Normal), Reply::OpenRecord(record)];
            }
        }
        KeyCode::Char('c') if !key.modifiers.contains(KeyModifiers::CONTROL) => {
            if read_only {
                return vec![Reply::Message(
                    Level::Error,
                    "read-only mode: nothing can be changed".into(),
                )];
            }
            if let Some((record, version, action)) = chosen {
                return vec![Reply::Mode(Mode::Reason(
                    ReasonFor::CloseAction {
                        record,
                        version,
                        action,
                    },
                    String::new(),
                ))];
            }
        }
        _ => {}
    }
    Vec::new()
}
