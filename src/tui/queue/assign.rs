//! Assigning records: the marked rows, else the selected one, to a colleague picked from
//! the list (or to oneself when none loaded), always after asking.

use ratatui::crossterm::event::{KeyCode, KeyEvent};

use crate::domain::commands::Command;
use crate::tui::context::Context;
use crate::tui::line::{Edited, edit};
use crate::tui::mode::Mode;
use crate::tui::msg::Effect;
use crate::tui::reply::Reply;
use crate::wire::Colleague;

use super::state::Queue;

/// `a`: pick whom to assign to: the colleagues list when it loaded, else oneself.
pub fn assign(queue: &Queue, context: &Context) -> Vec<Reply> {
    let targets = targets(queue);
    if targets.is_empty() {
        return Vec::new();
    }
    if context.colleagues.is_empty() {
        context
            .me
            .as_ref()
            .map(|me| confirm(&me.user, &targets))
            .into_iter()
            .collect()
    } else {
        vec![Reply::Mode(Mode::Pick(String::new(), 0))]
    }
}

/// A key while picking: the text typed and the highlighted colleague so far.
pub fn pick_key(
    queue: &Queue,
    context: &Context,
    mut text: String,
    index: usize,
    key: KeyEvent,
) -> Vec<Reply> {
    let matches = pick_matches(context, &text);
    let mode = match key.code {
        KeyCode::Esc => Mode::Normal,
        KeyCode::Enter => {
            let mut replies = vec![Reply::Mode(Mode::Normal)];
            if let Some(chosen) = matches.get(index) {
                replies.push(confirm(&chosen.user, &targets(queue)));
            }
            return replies;
        }
        KeyCode::Down => Mode::Pick(text, (index + 1).min(matches.len().saturating_sub(1))),
        KeyCode::Up => Mode::Pick(text, index.saturating_sub(1)),
        _ => match edit(&mut text, &key, usize::MAX) {
            Edited::Yes => Mode::Pick(text, 0),
            Edited::No => Mode::Pick(text, index),
        },
    };
    vec![Reply::Mode(mode)]
}

/// The records an assignment applies to: the marked rows, else the selected one.
fn targets(queue: &Queue) -> Vec<(String, u64)> {
    if queue.marked.is_empty() {
        queue
            .selected_row()
            .map(|r| (r.id.clone(), r.version))
            .into_iter()
            .collect()
    } else {
        queue
            .rows
            .iter()
            .filter(|r| queue.marked.contains(&r.id))
            .map(|r| (r.id.clone(), r.version))
            .collect()
    }
}

fn confirm(user: &str, targets: &[(String, u64)]) -> Reply {
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
    Reply::Mode(Mode::Confirm(
        format!("Assign {} record(s) to {user}? y / n", targets.len()),
        effects,
    ))
}

/// Colleagues whose name or user id holds what was typed, and the current user first.
pub fn pick_matches(context: &Context, text: &str) -> Vec<Colleague> {
    let text = text.to_lowercase();
    let me = context.me.as_ref().map(|m| m.user.as_str());
    let mut list: Vec<Colleague> = context
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
