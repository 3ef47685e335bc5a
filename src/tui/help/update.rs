//! The help overlay's and the palette's part of `update`: scrolling the keys, and finding
//! an action by what is typed.

use ratatui::crossterm::event::{KeyCode, KeyEvent};

use crate::tui::action::{ActionDef, REGISTRY};
use crate::tui::line::{Edited, edit};
use crate::tui::mode::Mode;
use crate::tui::reply::Reply;

use super::state::Help;

/// A key while the help overlay is shown.
pub fn key(help: &mut Help, key: KeyEvent) -> Vec<Reply> {
    match key.code {
        KeyCode::Esc | KeyCode::Char('q') | KeyCode::Char('?') => {
            help.offset = 0;
            return vec![Reply::Mode(help.leave())];
        }
        KeyCode::Down | KeyCode::Char('j') => help.offset += 1,
        KeyCode::Up | KeyCode::Char('k') => help.offset = help.offset.saturating_sub(1),
        KeyCode::PageDown | KeyCode::Char(' ') => help.offset += 10,
        KeyCode::PageUp => help.offset = help.offset.saturating_sub(10),
        _ => {}
    }
    Vec::new()
}

/// Actions matching what was typed, fuzzily (nucleo), best first; everything when
/// nothing is typed.
pub fn palette_matches(text: &str) -> Vec<&'static ActionDef> {
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

/// A key in the palette: the text typed and the highlighted entry so far; `enter` runs it
/// over the screen the palette was opened from.
pub fn palette_key(help: &mut Help, mut text: String, index: usize, key: KeyEvent) -> Vec<Reply> {
    match key.code {
        KeyCode::Esc => vec![Reply::Mode(help.leave())],
        KeyCode::Enter => {
            let mut replies = vec![Reply::Mode(help.leave())];
            if let Some(def) = palette_matches(&text).get(index) {
                replies.push(Reply::Perform(def.action));
            }
            replies
        }
        KeyCode::Down => {
            let n = palette_matches(&text).len();
            vec![Reply::Mode(Mode::Palette(
                text,
                (index + 1).min(n.saturating_sub(1)),
            ))]
        }
        KeyCode::Up => vec![Reply::Mode(Mode::Palette(text, index.saturating_sub(1)))],
        _ => match edit(&mut text, &key, usize::MAX) {
            Edited::Yes => vec![Reply::Mode(Mode::Palette(text, 0))],
            Edited::No => Vec::new(),
        },
    }
}
