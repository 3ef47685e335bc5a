//! The open learning actions drawn: how each due date stands in words, the record, the
//! organisation, the owner and what will change.

use chrono::{DateTime, Utc};
use ratatui::Frame;
use ratatui::layout::{Constraint, Rect};
use ratatui::style::Style;
use ratatui::text::Span;
use ratatui::widgets::{Block, Borders, Paragraph, Row, Table};

use crate::domain::local_time;
use crate::tui::context::Context;

use super::state::ActionList;

/// `OVERDUE 3d`, `today`, `in 12d`: how the due date stands, in words.
fn due_words(due_at: DateTime<Utc>, now: DateTime<Utc>) -> String {
    let today = local_time::local_date(now);
    let due_on = local_time::local_date(due_at);
    if due_at < now {
        format!("OVERDUE {}d", (today - due_on).num_days().max(0))
    } else if due_on == today {
        "today".to_string()
    } else {
        format!("in {}d", (due_on - today).num_days())
    }
}

/// The open learning actions, a row each.
pub fn draw(list: &ActionList, context: &Context, frame: &mut Frame, area: Rect) {
    let whose = if list.mine { "yours" } else { "everyone's" };
    let Some(data) = &list.data else {
        frame.render_widget(
            Paragraph::new("Loading…").block(
                Block::new()
                    .borders(Borders::ALL)
                    .title(format!(" Open learning actions · {whose} ")),
            ),
            area,
        );
        return;
    };
    let title = format!(
        " Open learning actions · {whose} · {} open · {} overdue · {} due today{} ",
        data.rows.len(),
        data.overdue,
        data.due_today,
        if data.complete {
            ""
        } else {
            " · more than shown"
        }
    );
    let block = Block::new()
        .borders(Borders::ALL)
        .border_style(context.theme.focus_border)
        .title(title);
    let inner = block.inner(area);
    let visible = usize::from(inner.height.saturating_sub(1)).max(1);
    let first = list.selected.saturating_sub(visible - 1);
    let rows: Vec<Row> = data
        .rows
        .iter()
        .enumerate()
        .skip(first)
        .take(visible)
        .map(|(i, row)| {
            let due = due_words(row.due_at, context.now);
            let due_style = if due.starts_with("OVERDUE") {
                context.theme.overdue
            } else if due == "today" {
                context.theme.due_soon
            } else {
                Style::default()
            };
            let cells = vec![
                Span::styled(due, due_style),
                Span::raw(row.record.clone()),
                Span::raw(row.org.clone()),
                Span::raw(row.action.owner.clone()),
                Span::raw(row.action.what.clone()),
            ];
            let r = Row::new(cells);
            if i == list.selected {
                r.style(context.theme.selected)
            } else {
                r
            }
        })
        .collect();
    if data.rows.is_empty() {
        frame.render_widget(
            Paragraph::new("No open learning actions.").block(block),
            area,
        );
        return;
    }
    let table = Table::new(
        rows,
        [
            Constraint::Length(12),
            Constraint::Length(15),
            Constraint::Length(12),
            Constraint::Length(6),
            Constraint::Min(10),
        ],
    )
    .header(Row::new(["due", "record", "org", "owner", "what"]).style(context.theme.header))
    .block(block);
    frame.render_widget(table, area);
}

/// The keys of the list, for the hint line.
pub fn hints() -> &'static str {
    "j/k choose · enter opens its record · c close (outcome) · m mine/all · esc back"
}
