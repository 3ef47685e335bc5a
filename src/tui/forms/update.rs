//! The forms' part of `update`: typing, choosing and moving between fields, switching an
//! incident for an intake report, sending, and what the server answers.

use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use crate::tui::context::Context;
use crate::tui::mode::Mode;
use crate::tui::msg::Effect;
use crate::tui::reply::{Level, Reply};

use super::state::{Form, FormKind, Input};

/// A key while a form is open; `esc` closes it.
pub fn key(slot: &mut Option<Form>, context: &Context, key: KeyEvent) -> Vec<Reply> {
    let Some(form) = slot.as_mut() else {
        return vec![Reply::Mode(Mode::Normal)];
    };
    let ctrl = key.modifiers.contains(KeyModifiers::CONTROL);
    let now = context.now;
    let last = form.fields.len().saturating_sub(1);
    match key.code {
        KeyCode::Esc => {
            *slot = None;
            return vec![Reply::Mode(Mode::Normal)];
        }
        KeyCode::Char('t') if ctrl => {
            *form = match form.kind {
                FormKind::Incident => Form::intake(now),
                FormKind::Intake => match &context.policy {
                    Some(policy) => Form::incident(policy, now),
                    None => return Vec::new(),
                },
                FormKind::Classify | FormKind::LearningAction => return Vec::new(),
            };
        }
        KeyCode::Char('s') if ctrl && form.target.is_some() => {
            match (form.command(now), form.target.clone()) {
                (Ok(command), Some((id, version))) => {
                    form.refusal = None;
                    return vec![Reply::Effect(Effect::Command {
                        id,
                        version,
                        command: Box::new(command),
                    })];
                }
                (Err((field, message)), _) => form.refusal = Some((None, message, Some(field))),
                (Ok(_), None) => {}
            }
        }
        KeyCode::Char('s') if ctrl => match form.details() {
            Ok(details) => {
                form.refusal = None;
                return vec![Reply::Effect(Effect::Create {
                    details: Box::new(details),
                    link: form.link.clone(),
                })];
            }
            Err((field, message)) => form.refusal = Some((None, message, Some(field))),
        },
        KeyCode::Down | KeyCode::Tab | KeyCode::Enter => form.focus = (form.focus + 1).min(last),
        KeyCode::Up | KeyCode::BackTab => form.focus = form.focus.saturating_sub(1),
        code => {
            if let Some(field) = form.fields.get_mut(form.focus) {
                match (&mut field.value, code) {
                    (Input::Text(text), KeyCode::Char(c)) if !ctrl => text.push(c),
                    (Input::Text(text), KeyCode::Backspace) => {
                        text.pop();
                    }
                    (Input::Choice(options, i), KeyCode::Right | KeyCode::Char(' ')) => {
                        *i = (*i + 1) % options.len().max(1);
                    }
                    (Input::Choice(options, i), KeyCode::Left) => {
                        let n = options.len().max(1);
                        *i = (*i + n - 1) % n;
                    }
                    (Input::Flag(b), KeyCode::Char(' ') | KeyCode::Left | KeyCode::Right) => {
                        *b = !*b;
                    }
                    _ => {}
                }
            }
        }
    }
    Vec::new()
}

/// The server refused what a form sent: shown beside the field it names; with no form
/// open, as a message.
pub fn refused(
    form: Option<&mut Form>,
    rule: Option<String>,
    message: String,
    field: Option<String>,
) -> Vec<Reply> {
    match form {
        Some(form) => {
            form.refusal = Some((rule, message, field));
            Vec::new()
        }
        None => vec![Reply::Message(Level::Error, message)],
    }
}

/// The record with this id came back from the server: a classification or a learning
/// action that went through closes its form.
pub fn landed(slot: &mut Option<Form>, id: Option<&str>) -> Vec<Reply> {
    let done = slot
        .as_ref()
        .and_then(|f| (f.target.as_ref().map(|(t, _)| t.as_str()) == id).then_some(f.kind));
    let said = match done {
        Some(FormKind::Classify) => "classified",
        Some(FormKind::LearningAction) => "learning action raised: L lists the open ones",
        _ => return Vec::new(),
    };
    *slot = None;
    vec![
        Reply::Mode(Mode::Normal),
        Reply::Message(Level::Info, said.into()),
    ]
}
