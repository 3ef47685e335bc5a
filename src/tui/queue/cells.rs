//! A row's value in each column: as the table shows it, and in words for the linear mode.
//! The deadline reads as text, and stands out in the theme too.

use chrono::{DateTime, Utc};
use ratatui::style::Style;
use ratatui::text::Span;

use crate::tui::context::Context;
use crate::tui::layout::{cell, due_text};
use crate::wire::QueueRow;

use super::columns::Column;

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

/// How long ago: `45m`, `3h`, `2d`.
fn age(at: Option<DateTime<Utc>>, now: DateTime<Utc>) -> String {
    let Some(at) = at else {
        return "—".to_string();
    };
    let minutes = (now - at).num_minutes().max(0);
    match minutes {
        0..60 => format!("{minutes}m"),
        60..1440 => format!("{}h", minutes / 60),
        _ => format!("{}d", minutes / 1440),
    }
}

/// `MAJOR`, `non-major` (`non-maj` where it is not `full`), `—`.
fn impact_of(row: &QueueRow, full: bool) -> &'static str {
    match row.impact.as_deref() {
        Some("major") => "MAJOR",
        Some(_) if full => "non-major",
        Some(_) => "non-maj",
        None => "—",
    }
}

/// A row's value in a column of the table.
pub(super) fn cell_of(
    column: Column,
    row: &QueueRow,
    context: &Context,
    wide: bool,
) -> Span<'static> {
    match column {
        Column::Id => Span::raw(row.id.clone()),
        Column::Due => {
            let due = due_text(row.next_due, row.at_risk_from, context.now);
            let style = due_style(&due, context);
            Span::styled(due, style)
        }
        // R-ORDER-2: an earlier stage is owed again.
        Column::Stage => Span::raw(short(
            &if row.owed.is_empty() {
                row.stage.clone()
            } else {
                format!("↩{}", row.stage)
            },
            if wide { 16 } else { 8 },
        )),
        Column::Impact => Span::raw(impact_of(row, false)),
        Column::Type => Span::raw(type_label(row, context, wide)),
        Column::Who => who_of(row, context),
        Column::Assignee => Span::raw(row.assignee.clone().unwrap_or_default()),
        Column::Org => Span::raw(row.org.clone()),
        Column::Kind => Span::raw(row.kind.clone()),
        Column::Updated => Span::raw(age(row.updated_at, context.now)),
        Column::Created => Span::raw(age(row.created_at, context.now)),
    }
}

/// A row's value in a column, in words, for the linear mode.
pub(super) fn said(column: Column, row: &QueueRow, context: &Context) -> String {
    match column {
        Column::Id => row.id.clone(),
        Column::Due => due_text(row.next_due, row.at_risk_from, context.now),
        Column::Stage => row.stage.replace('_', " "),
        Column::Impact if row.impact.is_none() => "none".to_string(),
        Column::Impact => impact_of(row, true).to_string(),
        Column::Type => type_label(row, context, true),
        Column::Who => who_of(row, context).content.into_owned(),
        Column::Assignee => row.assignee.clone().unwrap_or_else(|| "nobody".into()),
        Column::Org => row.org.clone(),
        Column::Kind => row.kind.clone(),
        Column::Updated if row.updated_at.is_none() => "unknown".to_string(),
        Column::Updated => format!("{} ago", age(row.updated_at, context.now)),
        Column::Created if row.created_at.is_none() => "unknown".to_string(),
        Column::Created => format!("{} ago", age(row.created_at, context.now)),
    }
}
