//! The open learning actions drawn: how each due date stands in words, the record, the
//! organisation, the owner and what will change.

use chrono::{DateTime, Utc};
use ratatui::Frame;
use ratatui::layout::{Constraint, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph, Row, Table};

use crate::domain::local_time;
use crate::tui::context::Context;
use crate::tui::layout::{linear_list, linear_parts};
use crate::wire::LearningActionRow;

use super::state::ActionList;

/// How a due date stands: overdue by so many days, due today, or due in so many days.
enum Standing {
    Overdue(i64),
    Today,
    In(i64),
}

fn standing(due_at: DateTime<Utc>, now: DateTime<Utc>) -> Standing {
    let today = local_time::local_date(now);
    let due_on = local_time::local_date(due_at);
    if due_at < now {
        Standing::Overdue((today - due_on).num_days().max(0))
    } else if due_on == today {
        Standing::Today
    } else {
        Standing::In((due_on - today).num_days())
    }
}

/// `OVERDUE 3d`, `today`, `in 12d`: how the due date stands, in words.
fn due_words(due_at: DateTime<Utc>, now: DateTime<Utc>) -> String {
    match standing(due_at, now) {
        Standing::Overdue(days) => format!("OVERDUE {days}d"),
        Standing::Today => "today".to_string(),
        Standing::In(days) => format!("in {days}d"),
    }
}

/// The open learning actions, a row each.
pub fn draw(list: &ActionList, context: &Context, frame: &mut Frame, area: Rect) {
    let whose = whose(list);
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

fn whose(list: &ActionList) -> &'static str {
    if list.mine { "yours" } else { "everyone's" }
}

/// An action in the linear mode: every value with its label, each whole on its line.
fn linear_row(
    row: &LearningActionRow,
    highlighted: bool,
    now: DateTime<Utc>,
    width: u16,
) -> Vec<Line<'static>> {
    let state = match (&row.action.closed, standing(row.due_at, now)) {
        (Some(_), _) => "closed".to_string(),
        (None, Standing::Overdue(days)) => format!("open, overdue by {days} day(s)"),
        (None, Standing::Today) => "open, due today".to_string(),
        (None, Standing::In(days)) => format!("open, due in {days} day(s)"),
    };
    let values = [
        format!("record {} ({})", row.record, row.org),
        format!("action: {}", row.action.what),
        format!("owner {}", row.action.owner),
        format!("due {}", row.action.due_on.format("%a %-d %b %Y")),
        format!("state {state}"),
    ];
    let mark = if highlighted { "> " } else { "  " };
    linear_parts(mark.to_string(), &values, "; ", width)
}

/// The list for the linear mode: what it holds and its keys, then an action a line, cut
/// to what fits in `rows` rows of `width` columns.
pub fn linear_lines(
    list: &ActionList,
    rows: usize,
    width: u16,
    now: DateTime<Utc>,
) -> Vec<Line<'static>> {
    let keys = Line::from(
        "Keys: j/k choose, enter opens its record, c closes it with its outcome, m yours or \
         everyone's, esc back.",
    );
    let Some(data) = &list.data else {
        return vec![
            Line::from(format!("Open learning actions, {}: loading.", whose(list))),
            keys,
        ];
    };
    let selected = list.selected.min(data.rows.len().saturating_sub(1));
    let title = if data.rows.is_empty() {
        format!("Open learning actions, {}: none.", whose(list))
    } else {
        format!(
            "Open learning actions, {}: {} open, {} overdue, {} due today{}; action {} of {} \
             highlighted.",
            whose(list),
            data.rows.len(),
            data.overdue,
            data.due_today,
            if data.complete {
                ""
            } else {
                ", more than shown"
            },
            selected + 1,
            data.rows.len()
        )
    };
    let rows_of: Vec<Vec<Line>> = data
        .rows
        .iter()
        .enumerate()
        .map(|(i, row)| linear_row(row, i == selected, now, width))
        .collect();
    linear_list(
        vec![Line::from(title), keys],
        rows_of,
        selected,
        rows,
        width,
    )
}

/// The keys of the list, for the hint line.
pub fn hints() -> &'static str {
    "j/k choose · enter opens its record · c close (outcome) · m mine/all · esc back"
}
