//! The queue drawn: only the rows on screen are built, in the columns chosen, the sort
//! marked in their header.

use ratatui::Frame;
use ratatui::layout::{Constraint, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, Paragraph, Row, Table};

use crate::tui::context::Context;
use crate::tui::layout::{REMINDER_DUE, REMINDER_SET, overlay};
use crate::tui::when;

use super::assign::pick_matches;
use super::cells::{cell_of, said};
use super::columns::{Column, stretching};
use super::state::Queue;

/// The queue pane; `typing` is a filter being typed, shown in the title.
pub fn draw(
    queue: &Queue,
    context: &Context,
    focused: bool,
    typing: Option<&str>,
    frame: &mut Frame,
    area: Rect,
) {
    let title = match typing {
        Some(text) => format!(" / {text}▏"),
        None if !queue.filter.is_empty() => format!(
            " queue · by {} · filter: {} ",
            queue.sorted_by().1,
            queue.filter
        ),
        None => format!(" queue · by {} ", queue.sorted_by().1),
    };
    let block = Block::new()
        .borders(Borders::ALL)
        .title(title)
        .border_style(if focused {
            context.theme.focus_border
        } else {
            context.theme.border
        });
    let inner_height = usize::from(area.height.saturating_sub(3));
    // At 80 columns the type gives way first; the id, the deadline and who never do.
    let wide = area.width >= 100;
    let sorted = queue.sorted_column();
    let header = Row::new(
        std::iter::once(String::new()).chain(queue.columns.iter().map(|c| match sorted {
            // The sort reads as text, not colour alone.
            Some((s, descending)) if s == *c => {
                format!("{}{}", c.header(), if descending { "▼" } else { "▲" })
            }
            _ => c.header().to_string(),
        })),
    )
    .style(context.theme.header);
    let rows = queue
        .rows
        .iter()
        .enumerate()
        .skip(queue.offset)
        .take(inner_height)
        .map(|(i, row)| {
            // One flag, the most pressing: `*` marked for a bulk action, `◷` a reminder of
            // the user's come due, `•` changed by others since the user saw it, `◦` a
            // reminder still to come.
            let reminder = row.reminder.map(|at| at <= context.now);
            let flag = if queue.marked.contains(&row.id) {
                "*"
            } else if reminder == Some(true) {
                REMINDER_DUE
            } else if row.changed {
                "•"
            } else if reminder == Some(false) {
                REMINDER_SET
            } else {
                ""
            };
            let mark = format!("{}{flag}", if i == queue.selected { "▶" } else { " " });
            let cells = std::iter::once(Span::raw(mark.trim_end().to_string())).chain(
                queue
                    .columns
                    .iter()
                    .map(|c| cell_of(*c, row, context, wide)),
            );
            let r = Row::new(cells.collect::<Vec<_>>());
            if i == queue.selected {
                r.style(context.theme.selected)
            } else {
                r
            }
        });
    let stretch = stretching(&queue.columns);
    let widths = std::iter::once(Constraint::Length(2)).chain(
        queue
            .columns
            .iter()
            .map(|c| c.width(wide, Some(*c) == stretch)),
    );
    let table = Table::new(rows, widths).header(header).block(block);
    frame.render_widget(table, area);
    if queue.rows.is_empty() {
        let inner = area.inner(ratatui::layout::Margin::new(2, 2));
        frame.render_widget(Paragraph::new("Nothing to show in this view."), inner);
    }
}

/// The queue for the linear mode: one record a line, each value with its label, the
/// highlighted one first marked `>`.
pub fn linear_lines(queue: &Queue, context: &Context, room: usize) -> Vec<Line<'static>> {
    let mut lines = vec![Line::from(format!(
        "Queue, sorted by {}{}: {} record(s), row {} highlighted{}.",
        queue.sorted_by().1,
        if queue.filter.is_empty() {
            String::new()
        } else {
            format!(", filter {}", queue.filter)
        },
        queue.rows.len(),
        queue.selected + 1,
        if queue.marked.is_empty() {
            String::new()
        } else {
            format!(", {} marked", queue.marked.len())
        }
    ))];
    if queue.rows.is_empty() {
        lines.push(Line::from("Nothing to show in this view."));
    }
    for (i, row) in queue.rows.iter().enumerate().skip(queue.offset).take(room) {
        let mut flags = Vec::new();
        if queue.marked.contains(&row.id) {
            flags.push("marked");
        }
        if row.changed {
            flags.push("changed since you saw it");
        }
        let reminded = row.reminder.map(|at| {
            if at <= context.now {
                "your reminder is due".to_string()
            } else {
                format!("your reminder {}", when::said(at, context.now))
            }
        });
        if let Some(text) = reminded.as_deref() {
            flags.push(text);
        }
        // The id names its line when it leads; anywhere else it is labelled as the rest.
        let leads = queue.columns.first() == Some(&Column::Id);
        let values: Vec<String> = queue
            .columns
            .iter()
            .skip(usize::from(leads))
            .map(|c| format!("{} {}", c.label(), said(*c, row, context)))
            .collect();
        lines.push(Line::from(format!(
            "{} {}{}{}",
            if i == queue.selected { ">" } else { " " },
            if leads {
                format!("{}: ", row.id)
            } else {
                String::new()
            },
            values.join("; "),
            if flags.is_empty() {
                String::new()
            } else {
                format!("; {}", flags.join(", "))
            }
        )));
    }
    lines
}

/// Whom to assign to: what was typed, and the colleagues it matches.
pub fn draw_pick(context: &Context, text: &str, index: usize, frame: &mut Frame, area: Rect) {
    let rect = overlay(area, 60, 14);
    let mut lines = vec![Line::from(format!("assign to: {text}▏"))];
    for (i, c) in pick_matches(context, text).iter().take(12).enumerate() {
        let line = format!("{:<24} {} ({})", c.display_name, c.user, c.organisation);
        lines.push(if i == index {
            Line::styled(line, context.theme.selected)
        } else {
            Line::from(line)
        });
    }
    frame.render_widget(Clear, rect);
    frame.render_widget(
        Paragraph::new(lines).block(
            Block::new()
                .borders(Borders::ALL)
                .title(" assign · enter chooses · esc cancels "),
        ),
        rect,
    );
}
