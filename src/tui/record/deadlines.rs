//! The deadlines pane: each deadline with a symbol and its state in words, and on request
//! the rule and how its due time was reached.

use ratatui::text::Line;

use crate::domain::deadlines::Status;
use crate::tui::context::Context;
use crate::tui::layout::{REMINDER_DUE, REMINDER_SET, readable, span_of, withheld};
use crate::tui::when;
use crate::wire::RecordView;

/// The user's reminders on the record, a line each, above its deadlines.
pub(super) fn reminders(record: &str, context: &Context) -> Vec<Line<'static>> {
    context
        .reminders
        .iter()
        .filter(|r| r.record.as_str() == Some(record))
        .map(|r| {
            let mark = if r.at <= context.now {
                REMINDER_DUE
            } else {
                REMINDER_SET
            };
            Line::from(format!(
                "{mark} reminder {}: {}",
                when::said(r.at, context.now),
                readable(&r.note)
            ))
        })
        .collect()
}

pub(super) fn lines(view: &RecordView, explain: bool, context: &Context) -> Vec<Line<'static>> {
    view.deadlines
        .iter()
        .flat_map(|d| {
            let (symbol, when) = match &d.status {
                Status::Met { .. } => ("✓", "met".to_string()),
                Status::MetLate { late_secs, .. } => {
                    ("✓", format!("met {} late", span_of(*late_secs)))
                }
                // R-DL-OWED: kept after its condition stopped applying, with the outcome it had.
                Status::Overdue { late_secs }
                    if d.kept.as_ref().is_some_and(|k| !k.still_applies) =>
                {
                    ("✗", format!("was overdue {}", span_of(*late_secs)))
                }
                Status::Overdue { late_secs } => ("✗", format!("OVERDUE {}", span_of(*late_secs))),
                Status::Excused { .. } => ("–", "excused".to_string()),
                Status::Pending { remaining_secs } if *remaining_secs < 24 * 3600 => {
                    ("!", format!("!! {}", span_of(*remaining_secs)))
                }
                Status::Pending { .. } if d.at_risk(context.now) => (
                    "»",
                    d.due
                        .as_ref()
                        .map(|due| format!("soon · {}", due.at.format("%a %-d %b %H:%M")))
                        .unwrap_or_default(),
                ),
                Status::Pending { .. } => (
                    "·",
                    d.due
                        .as_ref()
                        .map(|due| due.at.format("%a %-d %b %H:%M").to_string())
                        .unwrap_or_default(),
                ),
                Status::Paused { .. } => ("‖", "paused (police)".to_string()),
                Status::NotStarted => ("·", "not started".to_string()),
                Status::Unknown { .. } => ("?", "unknown".to_string()),
                // R-PRIV-9: shown as withheld, never as absent.
                Status::Withheld { masked } => ("▒", withheld(masked.as_str())),
            };
            let mut lines = vec![
                Line::from(format!("{symbol} {}", d.label)),
                Line::from(format!("    {when}")),
            ];
            if let Status::Excused { reason, .. } = &d.status {
                lines.push(Line::from(format!("    {reason}")));
            }
            if let Some(kept) = &d.kept {
                lines.push(Line::from(format!("    kept: {}", kept.because)));
            }
            if explain {
                lines.push(Line::styled(
                    format!("    {}", d.rule),
                    context.theme.header,
                ));
                if let Some(due) = &d.due {
                    lines.push(Line::from(format!("    {}", due.explanation)));
                }
            }
            lines
        })
        .collect()
}
