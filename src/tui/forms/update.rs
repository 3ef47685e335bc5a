//! The forms' part of `update`: typing, choosing and moving between fields, switching an
//! incident for an intake report, choosing who a person being registered already is,
//! sending, and what the server answers.

use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use crate::tui::action::{Action, Key, Scope};
use crate::tui::context::Context;
use crate::tui::line::edit;
use crate::tui::mode::Mode;
use crate::tui::msg::Effect;
use crate::tui::reply::{Level, Reply};
use crate::wire::{Candidate, FindPerson};

use super::state::{Form, FormKind, Input};

/// A key while a form is open; `esc` closes it, or, in the candidates, goes back to the
/// fields.
pub fn key(slot: &mut Option<Form>, context: &Context, key: KeyEvent) -> Vec<Reply> {
    let Some(form) = slot.as_mut() else {
        return vec![Reply::Mode(Mode::Normal)];
    };
    let ctrl = key.modifiers.contains(KeyModifiers::CONTROL);
    let now = context.now;
    let last = form.fields.len().saturating_sub(1);
    // A character typed into a text field is text, whatever a key override gives it.
    let typing = !ctrl
        && matches!(key.code, KeyCode::Char(_))
        && form.browsing.is_none()
        && matches!(
            form.fields.get(form.focus).map(|f| &f.value),
            Some(Input::Text(_))
        );
    let candidates = !typing
        && context.keymap.action(Key::from_event(&key), Scope::Form) == Some(Action::Candidates);
    if let Some(replies) = form.browse_key(key, candidates) {
        return replies;
    }
    if candidates {
        return form.browse();
    }
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
                    same: form.same(),
                })];
            }
            Err((field, message)) => form.refusal = Some((None, message, Some(field))),
        },
        KeyCode::Down | KeyCode::Tab | KeyCode::Enter => {
            let from = form.focus;
            form.focus = (form.focus + 1).min(last);
            return form.left(from);
        }
        KeyCode::Up | KeyCode::BackTab => {
            let from = form.focus;
            form.focus = form.focus.saturating_sub(1);
            return form.left(from);
        }
        code => {
            if let Some(field) = form.fields.get_mut(form.focus) {
                match (&mut field.value, code) {
                    (Input::Text(text), _) => {
                        edit(text, &key, usize::MAX);
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

/// Matching answered who the person being registered as `person` (`child0`) may already
/// be, sought as `find`: dropped when the form is gone or they have been retyped since.
pub fn on_candidates(
    slot: &mut Option<Form>,
    person: &str,
    find: FindPerson,
    found: Result<Vec<Candidate>, String>,
) {
    if let Some(form) = slot.as_mut() {
        form.answered(person, find, found);
    }
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
