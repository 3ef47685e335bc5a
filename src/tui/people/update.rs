//! The people search's part of `update`.

use ratatui::crossterm::event::{KeyCode, KeyEvent};

use crate::tui::action::{Action, Key, Scope};
use crate::tui::keymap::Keymap;
use crate::tui::line::edit;
use crate::tui::mode::Mode;
use crate::tui::msg::Effect;
use crate::tui::reply::{Level, Reply};
use crate::wire::Candidates;

use super::query::sought;
use super::state::PeopleScreen;

/// The longest search typed.
const MAX_TEXT: usize = 120;

pub fn open(screen: &mut PeopleScreen) -> Vec<Reply> {
    screen.typing = true;
    vec![Reply::Mode(Mode::People)]
}

pub fn on_candidates(screen: &mut PeopleScreen, found: Candidates) -> Vec<Reply> {
    screen.selected = 0;
    let n = found.candidates.len();
    screen.found = Some(found);
    screen.typing = false;
    vec![Reply::Message(
        Level::Info,
        format!("{n} found: enter opens the person's timeline, / searches again"),
    )]
}

pub fn key(screen: &mut PeopleScreen, keymap: &Keymap, key: KeyEvent) -> Vec<Reply> {
    if screen.typing {
        match key.code {
            KeyCode::Esc => return vec![Reply::Mode(Mode::Normal)],
            KeyCode::Enter => {
                return match sought(&screen.text) {
                    Ok(find) => vec![Reply::Effect(Effect::FindPeople {
                        find: Box::new(find),
                    })],
                    Err(missing) => vec![Reply::Message(Level::Error, missing)],
                };
            }
            _ => {
                edit(&mut screen.text, &key, MAX_TEXT);
            }
        }
        return Vec::new();
    }
    let found = screen
        .found
        .as_ref()
        .map_or(&[][..], |f| f.candidates.as_slice());
    match key.code {
        KeyCode::Esc | KeyCode::Char('q') | KeyCode::Char('P') => {
            return vec![Reply::Mode(Mode::Normal)];
        }
        KeyCode::Char('/') => screen.typing = true,
        KeyCode::Down | KeyCode::Char('j') => {
            screen.selected = (screen.selected + 1).min(found.len().saturating_sub(1));
        }
        KeyCode::Up | KeyCode::Char('k') => screen.selected = screen.selected.saturating_sub(1),
        KeyCode::Enter => {
            if let Some(c) = found.get(screen.selected) {
                return vec![Reply::OpenPerson(c.person.clone())];
            }
        }
        // The privacy screen, as everywhere else.
        _ => {
            if keymap.action(Key::from_event(&key), Scope::Everywhere) == Some(Action::Privacy) {
                return vec![Reply::Perform(Action::Privacy)];
            }
        }
    }
    Vec::new()
}
