//! The record's tabs as lines: Details, Checklist, Notes and History (Submissions has its
//! own module), masked as the server sent them; what the user may not see is drawn as
//! withheld, never left out (R-PRIV-9).

use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use serde_json::Value;

use crate::tui::context::Context;
use crate::tui::layout::{cell, event_line, withheld};
use crate::wire::{RecordView, Submission};

use super::submissions;

fn field(label: &str, value: Span<'static>) -> Line<'static> {
    Line::from(vec![Span::raw(format!("{label:<10}")), value])
}

/// A plain value as words: `physical_abuse` → `physical abuse`, or `default` when absent.
fn words(value: Option<&Value>, default: &str, joiner: &str) -> Span<'static> {
    Span::raw(
        value
            .and_then(Value::as_str)
            .unwrap_or(default)
            .replace('_', joiner),
    )
}

/// The record's learning actions, open first: what, who, by when, or what came of it.
fn learning_actions(record: &Value) -> Vec<Line<'static>> {
    let actions: Vec<crate::domain::model::LearningAction> = record
        .get("learning_actions")
        .cloned()
        .and_then(|v| serde_json::from_value(v).ok())
        .unwrap_or_default();
    let mut sorted: Vec<_> = actions.iter().collect();
    sorted.sort_by_key(|a| (a.closed.is_some(), a.due_on));
    sorted
        .into_iter()
        .map(|a| {
            let state = match &a.closed {
                None => format!("open, {} by {}", a.owner, a.due_on.format("%-d %b %Y")),
                Some(c) => format!("closed: {}", c.outcome),
            };
            field(
                &format!("Action {}", a.id),
                Span::raw(format!("{} ({state})", a.what)),
            )
        })
        .collect()
}

/// The record's details; `sent` are its submissions, for why it came back, if it did.
pub(super) fn details(
    view: &RecordView,
    sent: &[Submission],
    context: &Context,
) -> Vec<Line<'static>> {
    let r = &view.record;
    let d = r.get("details");
    let get = |path: &str| d.and_then(|d| d.pointer(path));
    let mut lines = vec![
        field("Org", words(r.get("org"), "—", "_")),
        field("Stage", words(r.get("stage"), "—", " ")),
    ];
    lines.extend(submissions::returned(sent, context));
    match get("/kind").and_then(Value::as_str) {
        Some("incident") => {
            lines.push(field("Client", cell(get("/clients/0/name"), context)));
            lines.push(field("Type", words(get("/primary_type"), "—", " ")));
            lines.push(field(
                "Impact",
                words(get("/impact"), "not classified", "-"),
            ));
            lines.push(field("Subject", words(get("/subject/relation"), "—", " ")));
            lines.push(field("What", cell(get("/description"), context)));
            lines.extend(learning_actions(r));
        }
        Some("intake") => {
            lines.push(field(
                "Child",
                cell(get("/children/0/person/name"), context),
            ));
            lines.push(field("Reporter", cell(get("/reporter/name"), context)));
            lines.push(field("Concerns", cell(get("/concerns"), context)));
        }
        _ => {}
    }
    // R-LINK-1: the intake report and the incident it was registered for, each way.
    if !view.links.is_empty() {
        let what = if view.links.iter().all(|l| l.starts_with("INT-")) {
            "its new allegation"
        } else {
            "registered for"
        };
        lines.push(field(
            "Linked",
            Span::raw(format!("{} ({what})", view.links.join(", "))),
        ));
    }
    lines.extend(people(view, context));
    lines
}

/// The record's people seen across records (R-PERSON-1): those in other records too, with
/// the earlier reports on a child (R-INT-REREPORT-3) and a client's pattern of incidents
/// (R-PATTERN-1), which asks the delegate to look at the impact again.
fn people(view: &RecordView, context: &Context) -> Vec<Line<'static>> {
    let mut lines = Vec::new();
    for person in &view.people {
        let who = format!("{} {}", person.role, person.position + 1);
        if let Some(pattern) = &person.pattern {
            lines.push(Line::from(vec![
                Span::raw(format!("{:<10}", "Pattern")),
                Span::styled(
                    format!(
                        "{who}: {} incidents in {} days; reconsider impact (R-PATTERN-1)",
                        pattern.incidents.len(),
                        pattern.window_days
                    ),
                    context.theme.due_soon,
                ),
            ]));
        }
        if !person.earlier_reports.is_empty() {
            lines.push(field(
                "Reports",
                Span::raw(format!(
                    "{who}: {} earlier in cims ({})",
                    person.earlier_reports.len(),
                    person.earlier_reports.join(", ")
                )),
            ));
        }
        if person.records > 1 {
            lines.push(field(
                "Person",
                Span::raw(format!(
                    "{who} is in {} records: person:{}",
                    person.records, person.person
                )),
            ));
        }
    }
    lines
}

/// The text a withheld value of `class` is drawn as.
pub(super) fn checklist(view: &RecordView, cursor: usize, context: &Context) -> Vec<Line<'static>> {
    if view.checklist.is_empty() {
        return vec![Line::from("No checklist items at this stage.")];
    }
    view.checklist
        .iter()
        .enumerate()
        .map(|(i, line)| {
            let mark = match line.state.as_str() {
                "done" => "[x]",
                "waived" => "[w]",
                "withheld" => "[▒]",
                _ => "[ ]",
            };
            let need = if line.required { "*" } else { " " };
            // R-PRIV-9: an item whose applying the user may not see is drawn as withheld.
            let lock = match &line.masked {
                Some(class) => format!(" ({}: may apply, not shown)", withheld(class)),
                None if line.may_tick => String::new(),
                None => " (not yours to tick)".to_string(),
            };
            let text = format!("{mark}{need} {}{lock}", line.text);
            if i == cursor {
                Line::styled(text, context.theme.selected)
            } else if line.masked.is_some() {
                Line::styled(text, context.theme.masked)
            } else {
                Line::from(text)
            }
        })
        .collect()
}

pub(super) fn notes(view: &RecordView, context: &Context) -> Vec<Line<'static>> {
    let Some(notes) = view.record.get("notes").and_then(Value::as_array) else {
        return vec![Line::from("No notes yet.")];
    };
    if notes.is_empty() {
        return vec![Line::from("No notes yet.")];
    }
    notes
        .iter()
        .filter_map(|n| {
            let last = n.pointer("/revisions").and_then(Value::as_array)?.last()?;
            Some((n.get("category"), last))
        })
        .flat_map(|(category, rev)| {
            let by = rev
                .get("by")
                .and_then(Value::as_str)
                .unwrap_or("?")
                .to_string();
            // R-NOTE-CAT: the category, or that it is withheld (R-PRIV-9).
            let category = match category {
                Some(Value::String(c)) => format!(" · {}", c.replace('_', " ")),
                Some(Value::Object(masked)) => masked
                    .get("masked")
                    .and_then(Value::as_str)
                    .map_or_else(String::new, |class| format!(" · {}", withheld(class))),
                _ => String::new(),
            };
            vec![
                Line::styled(
                    format!("— {by}{category}"),
                    Style::new().add_modifier(Modifier::BOLD),
                ),
                Line::from(cell(rev.get("text"), context)),
            ]
        })
        .collect()
}

/// One line per event: when, who, what happened (masked as the server sent it).
pub(super) fn history(events: Option<&[Value]>) -> Vec<Line<'static>> {
    let Some(events) = events else {
        return vec![Line::from("loading …")];
    };
    events.iter().map(|e| Line::from(event_line(e))).collect()
}
