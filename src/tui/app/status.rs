//! The top line of the screen.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use crate::tui::msg::Connection;
use crate::tui::tab_bar;

use super::state::State;

/// The top line: the view tabs with their counts, then who the user is and how the link
/// stands.
pub(super) fn draw(state: &State, frame: &mut Frame, area: Rect) {
    let views: Vec<(&str, Option<i64>)> = state
        .queue
        .views
        .iter()
        .enumerate()
        .map(|(i, v)| {
            (
                v.title.as_str(),
                state.queue.counts.get(i).copied().flatten(),
            )
        })
        .collect();
    let room = usize::from(area.width);
    let every_title = tab_bar::fit(&views, state.queue.view, room);
    let tabs_width = tab_bar::width(&every_title.tabs);
    let link = match &state.connection {
        Connection::Live if state.queue.frozen => "‖ frozen".to_string(),
        Connection::Live => "● live".to_string(),
        Connection::Connecting => "○ connecting".to_string(),
        Connection::Offline(_) => "✕ offline".to_string(),
    };
    let pending = if state.pending_writes > 0 {
        format!(" · {} unsent", state.pending_writes)
    } else {
        String::new()
    };
    // Reminders whose time has come, by count (R lists them).
    let due = crate::tui::reminders::due(&state.context.reminders, state.context.now);
    let reminded = if due > 0 {
        format!(" · {} {due} due", crate::tui::layout::REMINDER_DUE)
    } else {
        String::new()
    };
    let read_only = if state.context.read_only {
        " · read-only"
    } else {
        ""
    };
    let status = |org: bool| {
        let who = match &state.context.me {
            Some(me) => format!(
                "{}{}{} ",
                me.user,
                if org {
                    format!(" · {}", me.organisation.name)
                } else {
                    String::new()
                },
                if me.protective_intervener {
                    " · PI"
                } else {
                    ""
                }
            ),
            None => String::new(),
        };
        format!("  {who}· {link}{reminded}{pending}{read_only}")
    };
    // The organisation is named where the view tabs leave room for it.
    let with_org = status(true);
    let fits = |text: &str| tabs_width + text.chars().count() < room;
    let without_org = status(false);
    let right = if fits(&with_org) {
        with_org
    } else if fits(&without_org) {
        without_org
    } else {
        // The narrowest form: who, PI, and the link as its symbol alone.
        let symbol = link.split_whitespace().next().unwrap_or("");
        let who = state.context.me.as_ref().map_or(String::new(), |me| {
            format!(
                "{}{}",
                me.user,
                if me.protective_intervener { " PI" } else { "" }
            )
        });
        let pending = if state.pending_writes > 0 {
            format!(" {}↑", state.pending_writes)
        } else {
            String::new()
        };
        let reminded = if due > 0 {
            format!(" {}{due}", crate::tui::layout::REMINDER_DUE)
        } else {
            String::new()
        };
        format!(" {who} {symbol}{reminded}{pending}")
    };
    let right_width = right.chars().count() + 1;
    let [left, right_area] = Layout::horizontal([
        Constraint::Min(10),
        Constraint::Length(u16::try_from(right_width).unwrap_or(u16::MAX)),
    ])
    .areas(area);
    let fitted = tab_bar::fit(&views, state.queue.view, usize::from(left.width));
    frame.render_widget(Paragraph::new(tabs_line(state, &fitted)), left);
    frame.render_widget(Paragraph::new(right), right_area);
}

/// The fitted tabs as one line: each whole, the selected one highlighted, `‹ ›` where
/// tabs are out of sight.
fn tabs_line(state: &State, fitted: &tab_bar::Fitted) -> Line<'static> {
    let mut spans = Vec::new();
    if fitted.hidden_before {
        spans.push(Span::raw(tab_bar::BEFORE));
    }
    for (n, tab) in fitted.tabs.iter().enumerate() {
        if n > 0 {
            spans.push(Span::raw("│"));
        }
        let text = tab.drawn();
        spans.push(if tab.index == state.queue.view {
            Span::styled(text, state.context.theme.selected)
        } else {
            Span::raw(text)
        });
    }
    if fitted.hidden_after {
        spans.push(Span::raw(tab_bar::AFTER));
    }
    Line::from(spans)
}
