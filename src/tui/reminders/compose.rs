//! Setting a reminder: when, then what to do then.

use chrono::{DateTime, Utc};
use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use crate::wire::WriteReminder;

use crate::tui::line::edit;
use crate::tui::when;

/// The longest note the server keeps, and the longest time typed.
const MAX_NOTE: usize = 200;
const MAX_WHEN: usize = 40;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Compose {
    pub record: String,
    /// When, as typed (`09:00 tomorrow`).
    pub when: String,
    pub note: String,
    /// 0: when; 1: the note.
    pub focus: usize,
}

/// What a key in the writer comes to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Step {
    Editing,
    Cancel,
    Send(WriteReminder),
    /// Not complete: what is missing.
    Missing(String),
}

impl Compose {
    pub fn new(record: String) -> Compose {
        Compose {
            record,
            when: String::new(),
            note: String::new(),
            focus: 0,
        }
    }

    /// The reminder written, if both parts are there and the time reads.
    pub fn finished(&self, now: DateTime<Utc>) -> Result<WriteReminder, String> {
        let at = when::parse(&self.when, now)?;
        let note = self.note.trim();
        if note.is_empty() {
            return Err("write what to do then".into());
        }
        Ok(WriteReminder {
            record: self.record.clone(),
            at,
            note: note.to_string(),
        })
    }

    pub fn key(&mut self, key: KeyEvent, now: DateTime<Utc>) -> Step {
        let send = |c: &Compose| match c.finished(now) {
            Ok(reminder) => Step::Send(reminder),
            Err(missing) => Step::Missing(missing),
        };
        match key.code {
            KeyCode::Esc => return Step::Cancel,
            KeyCode::Char('s') if key.modifiers.contains(KeyModifiers::CONTROL) => {
                return send(self);
            }
            KeyCode::Enter if self.focus == 1 => return send(self),
            KeyCode::Enter | KeyCode::Tab | KeyCode::Down => self.focus = 1,
            KeyCode::BackTab | KeyCode::Up => self.focus = 0,
            _ => {
                let limit = if self.focus == 0 { MAX_WHEN } else { MAX_NOTE };
                edit(self.field(), &key, limit);
            }
        }
        Step::Editing
    }

    fn field(&mut self) -> &mut String {
        if self.focus == 0 {
            &mut self.when
        } else {
            &mut self.note
        }
    }
}
