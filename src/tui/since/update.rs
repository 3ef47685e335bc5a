//! The Since list's part of `update`: loading the span, moving, and opening a record.

use ratatui::crossterm::event::{KeyCode, KeyEvent};

use crate::tui::mode::Mode;
use crate::tui::msg::Effect;
use crate::tui::reply::{Level, Reply};
use crate::wire::Since;

use super::state::SinceList;

pub fn load(list: &SinceList) -> Effect {
    Effect::LoadSince { from: list.from }
}

pub fn open(list: &SinceList) -> Vec<Reply> {
    vec![Reply::Mode(Mode::Since), Reply::Effect(load(list))]
}

/// The answer; the first one also says how much changed while the user was away.
pub fn on_since(list: &mut SinceList, since: Since) -> Vec<Reply> {
    let first = list.from.is_none();
    list.from = Some(since.from);
    list.selected = list.selected.min(since.records.len().saturating_sub(1));
    let changed = since.records.len();
    list.data = Some(since);
    if first && changed > 0 {
        let more = list.data.as_ref().is_some_and(|d| d.more);
        vec![Reply::Message(
            Level::Info,
            format!(
                "{changed}{} record(s) changed by others since you last looked: S lists them",
                if more { "+" } else { "" }
            ),
        )]
    } else {
        Vec::new()
    }
}

pub fn key(list: &mut SinceList, key: KeyEvent) -> Vec<Reply> {
    let records = list.data.as_ref().map_or(&[][..], |d| d.records.as_slice());
    match key.code {
        KeyCode::Esc | KeyCode::Char('q') | KeyCode::Char('S') => {
            return vec![Reply::Mode(Mode::Normal)];
        }
        KeyCode::Down | KeyCode::Char('j') => {
            list.selected = (list.selected + 1).min(records.len().saturating_sub(1));
        }
        KeyCode::Up | KeyCode::Char('k') => list.selected = list.selected.saturating_sub(1),
        KeyCode::Char('r') => return vec![Reply::Effect(load(list))],
        KeyCode::Enter => {
            if let Some(record) = records.get(list.selected) {
                return vec![
                    Reply::Mode(Mode::Normal),
                    Reply::OpenRecord(record.id.clone()),
                ];
            }
        }
        _ => {}
    }
    Vec::new()
}
