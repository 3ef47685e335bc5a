//! Writing a note: kept as a draft at every keystroke; passages can be marked protected
//! and the note given a category; saving sends it, or asks the reason for an amendment.

use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use crate::domain::commands::Command;
use crate::domain::policy::Policy;
use crate::tui::mode::{Mode, ReasonFor};
use crate::tui::msg::Effect;
use crate::tui::reply::{Level, Reply};

use super::state::RecordPane;

/// A key while writing a note.
pub fn key(pane: &mut RecordPane, policy: Option<&Policy>, key: KeyEvent) -> Vec<Reply> {
    let Some(editor) = pane.editor.as_mut() else {
        return vec![Reply::Mode(Mode::Normal)];
    };
    let record_id = editor.record_id.clone();
    let ctrl = key.modifiers.contains(KeyModifiers::CONTROL);
    match key.code {
        // R-PRIV-6: the selected passage becomes protected.
        KeyCode::Char('p') if ctrl => match editor.selected() {
            Some(passage) => {
                editor.protected.push(passage);
                editor.textarea.cancel_selection();
                vec![Reply::Message(
                    Level::Info,
                    "marked protected: only protective interveners will read it".into(),
                )]
            }
            None => vec![Reply::Message(
                Level::Info,
                "select a passage first (shift and the arrows), then ctrl-p".into(),
            )],
        },
        // R-NOTE-CAT: the policy's categories in turn; the server says where one does not fit.
        KeyCode::Char('t') if ctrl && editor.amends.is_none() => match policy {
            Some(policy) if !policy.note_categories.is_empty() => {
                editor.next_category(policy);
                Vec::new()
            }
            _ => vec![Reply::Message(
                Level::Info,
                "the policy has no note categories loaded: the note is a case note".into(),
            )],
        },
        KeyCode::Char('s') if ctrl => {
            let text = editor.text();
            if text.trim().is_empty() {
                return vec![Reply::Message(Level::Error, "the note is empty".into())];
            }
            let protected_spans = match editor.spans(&text) {
                Ok(spans) => spans,
                Err(passage) => {
                    return vec![Reply::Message(
                        Level::Error,
                        format!(
                            "a protected passage was changed ({} characters): select it again and press ctrl-p",
                            passage.chars().count()
                        ),
                    )];
                }
            };
            if let Some(note) = editor.amends {
                pane.editor = None;
                return vec![Reply::Mode(Mode::Reason(
                    ReasonFor::Amend(note, text, protected_spans),
                    String::new(),
                ))];
            }
            let version = editor.version;
            let category = editor.category.take().map(|(id, _)| id);
            pane.editor = None;
            pane.drafts.remove(&record_id);
            vec![
                Reply::Mode(Mode::Normal),
                Reply::Effect(Effect::Command {
                    id: record_id.clone(),
                    version,
                    command: Box::new(Command::AddNote {
                        category,
                        text,
                        protected_spans,
                    }),
                }),
                Reply::Effect(Effect::ClearDraft { record_id }),
            ]
        }
        KeyCode::Esc => {
            let text = editor.text();
            pane.editor = None;
            if text.trim().is_empty() {
                pane.drafts.remove(&record_id);
                vec![
                    Reply::Mode(Mode::Normal),
                    Reply::Effect(Effect::ClearDraft { record_id }),
                ]
            } else {
                pane.drafts.insert(record_id.clone(), text.clone());
                vec![
                    Reply::Mode(Mode::Normal),
                    Reply::Message(Level::Info, "draft kept: n continues it".into()),
                    Reply::Effect(Effect::SaveDraft { record_id, text }),
                ]
            }
        }
        _ => {
            if editor.textarea.input(key) {
                let text = editor.text();
                pane.drafts.insert(record_id.clone(), text.clone());
                vec![Reply::Effect(Effect::SaveDraft { record_id, text })]
            } else {
                Vec::new()
            }
        }
    }
}
