//! The top line of the screen.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::widgets::{Paragraph, Tabs};

use crate::tui::msg::Connection;

use super::state::State;

/// The top line: the view tabs with their counts, then who the user is and how the link
/// stands.
pub(super) fn draw(state: &State, frame: &mut Frame, area: Rect) {
    let titles: Vec<String> = state
        .queue
        .views
        .iter()
        .enumerate()
        .map(
            |(i, v)| match state.queue.counts.get(i).copied().flatten() {
                Some(n) => format!("{} {} {n}", i + 1, v.title),
                None => format!("{} {}", i + 1, v.title),
            },
        )
        .collect();
    // Tabs with their dividers and padding.
    let tabs_width: usize = titles.iter().map(|t| t.chars().count() + 3).sum();
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
        format!("  {who}· {link}{pending}{read_only}")
    };
    // The organisation is named where the view tabs leave room for it.
    let with_org = status(true);
    let fits = |text: &str| tabs_width + text.chars().count() < usize::from(area.width);
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
        format!(" {who} {symbol}{pending}")
    };
    let width = u16::try_from(right.chars().count() + 1).unwrap_or(u16::MAX);
    let [left, right_area] =
        Layout::horizontal([Constraint::Min(10), Constraint::Length(width)]).areas(area);
    let tabs = Tabs::new(titles)
        .select(state.queue.view)
        .highlight_style(state.context.theme.selected)
        .divider("│");
    frame.render_widget(tabs, left);
    frame.render_widget(Paragraph::new(right), right_area);
}
