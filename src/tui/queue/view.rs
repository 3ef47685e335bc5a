//! The queue drawn: only the rows on screen are built; the deadline reads as text, and
//! stands out in the theme too.

use ratatui::Frame;
use ratatui::layout::{Constraint, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, Paragraph, Row, Table};

use crate::tui::context::Context;
use crate::tui::layout::{DUE_WIDTH, cell, due_text, overlay};
use crate::wire::QueueRow;

use super::assign::pick_matches;
use super::state::Queue;

/// The style of a due text: overdue, due within a day and at risk stand out (the text says
/// so too).
fn due_style(text: &str, context: &Context) -> Style {
    if text.starts_with("OVERDUE") {
        context.theme.overdue
    } else if text.starts_with("!!") || text.starts_with("soon") {
        context.theme.due_soon
    } else {
        Style::new()
    }
}

/// `identification_response` → `identification…` when it must fit `width`.
fn short(id: &str, width: usize) -> String {
    let text = id.replace('_', " ");
    if text.chars().count() <= width {
        text
    } else {
        let cut: String = text.chars().take(width.saturating_sub(1)).collect();
        format!("{cut}…")
    }
}

/// The incident type by the policy's name, or its short label where the column is narrow
/// (`SexAb`, `Neglect`); an intake is an intake.
fn type_label(row: &QueueRow, context: &Context, wide: bool) -> String {
    let Some(id) = row.primary_type.as_deref() else {
        return if row.kind == "intake" {
            "Intake"
        } else {
            "—"
        }
        .to_string();
    };
    let known = context
        .policy
        .as_ref()
        .and_then(|p| p.incident_types.iter().find(|t| t.id == id));
    match known {
        Some(t) if wide => t.name.clone(),
        Some(t) => t.short.clone(),
        None => id.replace('_', " "),
    }
}

fn who_of(row: &QueueRow, context: &Context) -> Span<'static> {
    let span = cell(Some(&row.subject), context);
    if row.people > 1 && !context.privacy {
        Span::styled(format!("{} +{}", span.content, row.people - 1), span.style)
    } else {
        span
    }
}

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
    let header = Row::new([
        "", "ID", "Due", "Stage", "Impact", "Type", "Who", "Assignee",
    ])
    .style(context.theme.header);
    let rows = queue
        .rows
        .iter()
        .enumerate()
        .skip(queue.offset)
        .take(inner_height)
        .map(|(i, row)| {
            // `*` marked for a bulk action; `•` changed by others since the user saw it.
            let flag = if queue.marked.contains(&row.id) {
                "*"
            } else if row.changed {
                "•"
            } else {
                ""
            };
            let mark = format!("{}{flag}", if i == queue.selected { "▶" } else { " " });
            let r = Row::new(vec![
                Span::raw(mark.trim_end().to_string()),
                Span::raw(row.id.clone()),
                {
                    let due = due_text(row.next_due, row.at_risk_from, context.now);
                    let style = due_style(&due, context);
                    Span::styled(due, style)
                },
                // R-ORDER-2: an earlier stage is owed again.
                Span::raw(short(
                    &if row.owed.is_empty() {
                        row.stage.clone()
                    } else {
                        format!("↩{}", row.stage)
                    },
                    if wide { 16 } else { 8 },
                )),
                Span::raw(match row.impact.as_deref() {
                    Some("major") => "MAJOR",
                    Some(_) => "non-maj",
                    None => "—",
                }),
                Span::raw(type_label(row, context, wide)),
                who_of(row, context),
                Span::raw(row.assignee.clone().unwrap_or_default()),
            ]);
            if i == queue.selected {
                r.style(context.theme.selected)
            } else {
                r
            }
        });
    let widths = [
        Constraint::Length(2),
        Constraint::Length(15),
        Constraint::Length(DUE_WIDTH),
        Constraint::Length(if wide { 16 } else { 8 }),
        Constraint::Length(7),
        Constraint::Min(7),
        Constraint::Length(if wide { 13 } else { 12 }),
        Constraint::Length(if wide { 10 } else { 6 }),
    ];
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
        lines.push(Line::from(format!(
            "{} {}: due {}; stage {}; impact {}; type {}; who {}; assignee {}{}",
            if i == queue.selected { ">" } else { " " },
            row.id,
            due_text(row.next_due, row.at_risk_from, context.now),
            row.stage.replace('_', " "),
            row.impact.as_deref().map_or("none", |i| if i == "major" {
                "MAJOR"
            } else {
                "non-major"
            }),
            type_label(row, context, true),
            who_of(row, context).content,
            row.assignee.as_deref().unwrap_or("nobody"),
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
