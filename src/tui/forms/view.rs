//! A form drawn: a line per field, the one in focus marked; a server refusal stands beside
//! the field it names, with its rule, and the classification shows the matrix's guidance.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::Line;
use ratatui::widgets::{Block, Borders, Clear, Paragraph, Wrap};

use crate::tui::context::Context;
use crate::tui::layout::{linear_list, overlay};

use super::state::{Field, Form, FormKind, Input};

/// What the form is, and its own keys besides moving and choosing.
fn purpose(kind: FormKind) -> (&'static str, &'static [&'static str]) {
    match kind {
        FormKind::Incident => (
            "new incident",
            &["ctrl-t intake instead", "ctrl-s registers", "esc cancels"],
        ),
        FormKind::Intake => (
            "new intake report",
            &["ctrl-t incident instead", "ctrl-s registers", "esc cancels"],
        ),
        FormKind::Classify => ("classify the report", &["ctrl-s records it", "esc cancels"]),
        FormKind::LearningAction => (
            "raise a learning action",
            &["ctrl-s raises it", "esc cancels"],
        ),
    }
}

/// What the form is, naming the incident a new intake report will be linked to (R-LINK-1).
fn title_of(form: &Form) -> (String, &'static [&'static str]) {
    let (what, keys) = purpose(form.kind);
    match &form.link {
        Some(incident) => (format!("{what}, to be linked to {incident}"), keys),
        None => (what.to_string(), keys),
    }
}

/// Whether the refusal naming `refused` stands beside `field`.
fn names(refused: Option<&str>, field: &Field) -> bool {
    refused.is_some_and(|f| f == field.name || (field.name == "client_name" && f == "clients"))
}

/// The field the last refusal names, if it is on the form.
fn refused_field(form: &Form) -> Option<&str> {
    let named = form.refusal.as_ref().and_then(|(_, _, f)| f.as_deref());
    form.fields
        .iter()
        .any(|f| names(named, f))
        .then_some(named)
        .flatten()
}

/// R-INT-MATRIX: the matrix's suggestion, and whether this decision needs a rationale.
fn guidance(form: &Form) -> Option<(String, bool)> {
    form.guidance().map(|(suggestion, needs_rationale)| {
        let suggests = if suggestion.protective_intervention {
            "protective intervention, urgent"
        } else {
            "no protective intervention report"
        };
        (format!("Matrix suggests: {suggests}"), needs_rationale)
    })
}

const RATIONALE_REQUIRED: &str = "A written rationale is required for this decision.";

/// The form, over everything else.
pub fn draw(form: &Form, context: &Context, frame: &mut Frame, area: Rect) {
    let mut lines = Vec::new();
    let refused = refused_field(form);
    let refusal = form.refusal.as_ref().map(|(rule, message, _)| match rule {
        Some(rule) => format!("{rule}: {message}"),
        None => message.clone(),
    });
    for (i, field) in form.fields.iter().enumerate() {
        let value = match &field.value {
            Input::Text(t) if i == form.focus => format!("{t}▏"),
            Input::Text(t) => t.clone(),
            Input::Choice(options, n) => options
                .get(*n)
                .map(|(_, label)| format!("◂ {label} ▸"))
                .unwrap_or_default(),
            Input::Flag(b) => if *b { "[x] yes" } else { "[ ] no" }.to_string(),
        };
        let need = if field.required { "*" } else { " " };
        let line = format!("{need}{:<34} {value}", field.label);
        lines.push(if i == form.focus {
            Line::styled(line, context.theme.selected)
        } else {
            Line::from(line)
        });
        if names(refused, field)
            && let Some(text) = &refusal
        {
            lines.push(Line::styled(format!("   ✗ {text}"), context.theme.error));
        }
    }
    if let Some(text) = refusal.filter(|_| refused.is_none()) {
        lines.push(Line::from(""));
        lines.push(Line::styled(format!("✗ {text}"), context.theme.error));
    }
    if let Some((suggests, needs_rationale)) = guidance(form) {
        lines.push(Line::from(""));
        lines.push(Line::from(suggests));
        if needs_rationale {
            lines.push(Line::styled(RATIONALE_REQUIRED, context.theme.due_soon));
        }
    }
    let (what, keys) = title_of(form);
    let title = format!(" {what} · {} ", keys.join(" · "));
    let rect = overlay(area, 100, 22);
    frame.render_widget(Clear, rect);
    frame.render_widget(
        Paragraph::new(lines).wrap(Wrap { trim: false }).block(
            Block::new()
                .borders(Borders::ALL)
                .border_style(context.theme.focus_border)
                .title(title),
        ),
        rect,
    );
}

/// A field's value in words: the text or `empty`, the choice, `yes` or `no`.
fn said(input: &Input) -> String {
    match input {
        Input::Text(t) if t.is_empty() => "empty".to_string(),
        Input::Text(t) => t.clone(),
        Input::Choice(options, n) => options
            .get(*n)
            .map(|(_, label)| label.clone())
            .unwrap_or_default(),
        Input::Flag(b) => if *b { "yes" } else { "no" }.to_string(),
    }
}

/// `Editing: Impact (choice 2 of 3: Major)`, and a choice's options, the chosen one marked.
fn editing(field: &Field) -> Vec<Line<'static>> {
    let value = said(&field.value);
    match &field.value {
        Input::Text(_) => {
            let need = if field.required { "required " } else { "" };
            vec![Line::from(format!(
                "Editing: {} ({need}text: {value})",
                field.label
            ))]
        }
        Input::Flag(_) => vec![Line::from(format!(
            "Editing: {} (yes or no: {value})",
            field.label
        ))],
        Input::Choice(options, n) => {
            let choices: Vec<String> = options
                .iter()
                .enumerate()
                .map(|(i, (_, label))| {
                    if i == *n {
                        format!("{label} (chosen)")
                    } else {
                        label.clone()
                    }
                })
                .collect();
            vec![
                Line::from(format!(
                    "Editing: {} (choice {} of {}: {value})",
                    field.label,
                    n + 1,
                    options.len()
                )),
                Line::from(format!("Choices: {}.", choices.join("; "))),
            ]
        }
    }
}

/// The form for the linear mode: the field being edited first and the keys, then every
/// field as `Label: value` with a refusal in a line under the field it names, cut to what
/// fits in `rows` rows of `width` columns around the one being edited.
pub fn linear_lines(form: &Form, rows: usize, width: u16) -> Vec<Line<'static>> {
    let (what, keys) = title_of(form);
    let mut head: Vec<Line> = form.fields.get(form.focus).map(editing).unwrap_or_default();
    head.push(Line::from(format!(
        "Keys: tab, enter or down next field, up previous, left, right or space change a \
         choice, {}.",
        keys.join(", ")
    )));
    head.push(Line::from(format!(
        "Form: {what}, field {} of {}:",
        form.focus + 1,
        form.fields.len()
    )));
    let refused = refused_field(form);
    let refusal = form.refusal.as_ref().map(|(rule, message, _)| match rule {
        Some(rule) => format!("Refused ({rule}): {message}"),
        None => format!("Refused: {message}"),
    });
    let fields = form
        .fields
        .iter()
        .enumerate()
        .map(|(i, field)| {
            let need = if field.required { " (required)" } else { "" };
            let mut lines = vec![Line::from(format!(
                "{} {}{need}: {}",
                if i == form.focus { ">" } else { " " },
                field.label,
                said(&field.value)
            ))];
            if names(refused, field)
                && let Some(text) = &refusal
            {
                lines.push(Line::from(text.clone()));
            }
            lines
        })
        .collect();
    let mut tail = Vec::new();
    if let Some(text) = refusal.filter(|_| refused.is_none()) {
        tail.push(Line::from(text));
    }
    if let Some((suggests, needs_rationale)) = guidance(form) {
        tail.push(Line::from(format!("{suggests}.")));
        if needs_rationale {
            tail.push(Line::from(RATIONALE_REQUIRED));
        }
    }
    let rows = rows.saturating_sub(tail.len());
    let mut lines = linear_list(head, fields, form.focus, rows, width);
    lines.extend(tail);
    lines
}
