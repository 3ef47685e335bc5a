//! The handovers screen's part of `update`.

use ratatui::crossterm::event::{KeyCode, KeyEvent};

use crate::tui::mode::Mode;
use crate::tui::msg::Effect;
use crate::tui::reply::{Level, Reply};
use crate::wire::{Handover, Handovers};

use super::compose::{Compose, Step};
use super::state::HandoverScreen;

pub fn load() -> Effect {
    Effect::LoadHandovers
}

/// Open the screen; `candidates` are what a handover written now would carry.
pub fn open(screen: &mut HandoverScreen, candidates: Vec<String>) -> Vec<Reply> {
    screen.candidates = candidates;
    vec![Reply::Mode(Mode::Handover), Reply::Effect(load())]
}

/// The handovers arrived. On the first answer, handovers waiting for the user open the
/// screen: an incoming worker reads them first.
pub fn on_handovers(screen: &mut HandoverScreen, data: Handovers) -> Vec<Reply> {
    let first = !screen.loaded;
    screen.loaded = true;
    screen.selected = screen.selected.min(data.handovers.len().saturating_sub(1));
    screen.data = Some(data);
    let waiting = screen.waiting();
    if first && waiting > 0 {
        vec![
            Reply::Mode(Mode::Handover),
            Reply::Message(
                Level::Info,
                format!("{waiting} handover(s) for you: read them, and press a to acknowledge"),
            ),
        ]
    } else {
        Vec::new()
    }
}

/// A handover was kept: the writer closes and the list shows it.
pub fn on_written(screen: &mut HandoverScreen, written: &Handover) -> Vec<Reply> {
    screen.compose = None;
    screen.selected = 0;
    let to = written
        .to_user
        .clone()
        .or_else(|| written.to_org.clone())
        .unwrap_or_default();
    vec![
        Reply::Message(
            Level::Info,
            format!("handed over {} record(s) to {to}", written.items.len()),
        ),
        Reply::Effect(load()),
    ]
}

pub fn key(screen: &mut HandoverScreen, read_only: bool, key: KeyEvent) -> Vec<Reply> {
    if let Some(compose) = screen.compose.as_mut() {
        return match compose.key(key) {
            Step::Editing => Vec::new(),
            Step::Cancel => {
                screen.compose = None;
                Vec::new()
            }
            Step::Missing(what) => vec![Reply::Message(Level::Error, what)],
            Step::Send(handover) => vec![Reply::Effect(Effect::WriteHandover {
                handover: Box::new(handover),
            })],
        };
    }
    let handovers = screen
        .data
        .as_ref()
        .map_or(&[][..], |d| d.handovers.as_slice());
    let chosen = handovers.get(screen.selected);
    match key.code {
        KeyCode::Esc | KeyCode::Char('q') | KeyCode::Char('H') => {
            return vec![Reply::Mode(Mode::Normal)];
        }
        KeyCode::Down | KeyCode::Char('j') => {
            screen.selected = (screen.selected + 1).min(handovers.len().saturating_sub(1));
        }
        KeyCode::Up | KeyCode::Char('k') => screen.selected = screen.selected.saturating_sub(1),
        KeyCode::Char('r') => return vec![Reply::Effect(load())],
        KeyCode::Char('a') => {
            return match chosen {
                Some(h) if h.for_me && h.acknowledged_by.is_none() => {
                    vec![Reply::Effect(Effect::AcknowledgeHandover { id: h.id })]
                }
                Some(_) => vec![Reply::Message(
                    Level::Error,
                    "only a handover to you, not yet acknowledged, can be acknowledged".into(),
                )],
                None => Vec::new(),
            };
        }
        KeyCode::Char('w') => {
            if read_only {
                return vec![Reply::Message(
                    Level::Error,
                    "read-only mode: nothing can be changed".into(),
                )];
            }
            if screen.candidates.is_empty() {
                return vec![Reply::Message(
                    Level::Error,
                    "mark the records to hand over in the queue (x), then H and w".into(),
                )];
            }
            screen.compose = Some(Compose::new(&screen.candidates));
        }
        KeyCode::Enter => {
            // The first record of the handover the user may see.
            let record = chosen.and_then(|h| {
                h.items
                    .iter()
                    .find_map(|i| i.record.as_str().map(String::from))
            });
            if let Some(record) = record {
                return vec![Reply::Mode(Mode::Normal), Reply::OpenRecord(record)];
            }
        }
        _ => {}
    }
    Vec::new()
}
