//! Writing a handover: to whom, then a line for each record.

use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use crate::tui::line::edit;
use crate::wire::{HandoverLine, WriteHandover};

/// The longest line the server keeps.
const MAX_LINE: usize = 300;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Compose {
    /// A colleague's user name, or `org:<id>` for a whole organisation.
    pub to: String,
    /// Each record with its line.
    pub lines: Vec<(String, String)>,
    /// 0: the addressee; then the lines.
    pub focus: usize,
}

/// What a key in the writer comes to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Step {
    Editing,
    Cancel,
    /// Complete: the handover to send.
    Send(WriteHandover),
    /// Not complete: what is missing.
    Missing(String),
}

impl Compose {
    pub fn new(records: &[String]) -> Compose {
        Compose {
            to: String::new(),
            lines: records.iter().map(|r| (r.clone(), String::new())).collect(),
            focus: 0,
        }
    }

    fn focused(&mut self) -> &mut String {
        match self.focus {
            0 => &mut self.to,
            n => self
                .lines
                .get_mut(n - 1)
                .map_or(&mut self.to, |(_, line)| line),
        }
    }

    fn last(&self) -> usize {
        self.lines.len()
    }

    /// The handover written, if every part is there.
    pub fn finished(&self) -> Result<WriteHandover, String> {
        let to = self.to.trim();
        if to.is_empty() {
            return Err("say whom to hand over to: a user name, or org:<organisation>".into());
        }
        if let Some((record, _)) = self.lines.iter().find(|(_, l)| l.trim().is_empty()) {
            return Err(format!("write a line for {record}"));
        }
        let (to_user, to_org) = match to.strip_prefix("org:") {
            Some(org) => (None, Some(org.trim().to_string())),
            None => (Some(to.to_string()), None),
        };
        Ok(WriteHandover {
            to_user,
            to_org,
            items: self
                .lines
                .iter()
                .map(|(record, line)| HandoverLine {
                    record: record.clone(),
                    line: line.trim().to_string(),
                })
                .collect(),
        })
    }

    pub fn key(&mut self, key: KeyEvent) -> Step {
        let send = |c: &Compose| match c.finished() {
            Ok(handover) => Step::Send(handover),
            Err(missing) => Step::Missing(missing),
        };
        match key.code {
            KeyCode::Esc => return Step::Cancel,
            KeyCode::Char('s') if key.modifiers.contains(KeyModifiers::CONTROL) => {
                return send(self);
            }
            KeyCode::Enter if self.focus == self.last() => return send(self),
            KeyCode::Enter | KeyCode::Tab | KeyCode::Down => {
                self.focus = (self.focus + 1).min(self.last());
            }
            KeyCode::BackTab | KeyCode::Up => self.focus = self.focus.saturating_sub(1),
            _ => {
                let limit = if self.focus == 0 { 64 } else { MAX_LINE };
                edit(self.focused(), &key, limit);
            }
        }
        Step::Editing
    }
}
