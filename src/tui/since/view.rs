//! The Since list drawn: each changed record with its stage, and under it what others
//! changed, a line each.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::Line;

use crate::domain::local_time;
use crate::tui::context::Context;
use crate::tui::layout::{event_line, scrolled_list};

use super::state::SinceList;

/// The title, the lines, and which line the highlighted record starts at.
fn body(list: &SinceList, context: &Context) -> (String, Vec<Line<'static>>, usize) {
    let Some(data) = &list.data else {
        return (
            " Since you last looked ".into(),
            vec![Line::from("Loading…")],
            0,
        );
    };
    let when = data.looked_at.map_or_else(String::new, |at| {
        format!(
            " ({})",
            at.with_timezone(&local_time::ZONE)
                .format("%a %-d %b %H:%M")
        )
    });
    let title = format!(
        " Since you last looked{when} · {}{} record(s) changed by others ",
        data.records.len(),
        if data.more { "+" } else { "" }
    );
    if data.records.is_empty() {
        let none = "Nothing changed by others since you last looked.";
        return (title, vec![Line::from(none)], 0);
    }
    let mut lines = Vec::new();
    let mut selected_line = 0;
    for (i, record) in data.records.iter().enumerate() {
        let head = format!(
            "{} {}  {}  {}",
            if i == list.selected { "▶" } else { " " },
            record.id,
            record.kind,
            record.stage.replace('_', " ")
        );
        if i == list.selected {
            selected_line = lines.len();
            lines.push(Line::styled(head, context.theme.selected));
        } else {
            lines.push(Line::from(head));
        }
        lines.extend(
            record
                .events
                .iter()
                .map(|e| Line::from(format!("    {}", event_line(e)))),
        );
    }
    (title, lines, selected_line)
}

pub fn draw(list: &SinceList, context: &Context, frame: &mut Frame, area: Rect) {
    let (title, lines, selected_line) = body(list, context);
    scrolled_list(title, lines, selected_line, context, frame, area);
}

/// The list for the linear mode: its title as a line, then its lines.
pub fn linear_lines(list: &SinceList, context: &Context) -> Vec<Line<'static>> {
    let (title, lines, _) = body(list, context);
    std::iter::once(Line::from(format!("{}:", title.trim())))
        .chain(lines)
        .collect()
}

/// The keys of the list, for the hint line.
pub fn hints() -> &'static str {
    "j/k choose · enter opens the record · r reload · esc back"
}
