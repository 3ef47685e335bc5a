//! A form drawn: a line per field, the one in focus marked; a server refusal stands beside
//! the field it names, with its rule, and the classification shows the matrix's guidance.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::Line;
use ratatui::widgets::{Block, Borders, Clear, Paragraph, Wrap};

use crate::tui::context::Context;
use crate::tui::layout::overlay;

use super::state::{Form, FormKind, Input};

/// The form, over everything else.
pub fn draw(form: &Form, context: &Context, frame: &mut Frame, area: Rect) {
    let mut lines = Vec::new();
    let (refused_field, refusal) = match &form.refusal {
        Some((rule, message, field)) => (
            field.clone(),
            Some(match rule {
                Some(rule) => format!("{rule}: {message}"),
                None => message.clone(),
            }),
        ),
        None => (None, None),
    };
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
        // The refusal stands beside the field it names.
        let names_this = refused_field
            .as_deref()
            .is_some_and(|f| f == field.name || (field.name == "client_name" && f == "clients"));
        if names_this && let Some(text) = &refusal {
            lines.push(Line::styled(format!("   ✗ {text}"), context.theme.error));
        }
    }
    let unplaced = refusal.filter(|_| {
        !form.fields.iter().any(|f| {
            refused_field
                .as_deref()
                .is_some_and(|r| r == f.name || (f.name == "client_name" && r == "clients"))
        })
    });
    if let Some(text) = unplaced {
        lines.push(Line::from(""));
        lines.push(Line::styled(format!("✗ {text}"), context.theme.error));
    }
    // R-INT-MATRIX: the matrix's suggestion, and whether this decision needs a rationale.
    if let Some((suggestion, needs_rationale)) = form.guidance() {
        lines.push(Line::from(""));
        lines.push(Line::from(format!(
            "Matrix suggests: {}",
            if suggestion.protective_intervention {
                "protective intervention, urgent"
            } else {
                "no protective intervention report"
            }
        )));
        if needs_rationale {
            lines.push(Line::styled(
                "A written rationale is required for this decision.",
                context.theme.due_soon,
            ));
        }
    }
    let title = match form.kind {
        FormKind::Incident => {
            " new incident · ctrl-t intake instead · ctrl-s registers · esc cancels "
        }
        FormKind::Intake => {
            " new intake report · ctrl-t incident instead · ctrl-s registers · esc cancels "
        }
        FormKind::Classify => " classify the report · ctrl-s records it · esc cancels ",
        FormKind::LearningAction => " raise a learning action · ctrl-s raises it · esc cancels ",
    };
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
