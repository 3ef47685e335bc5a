//! One line of text the user types (a search, a reason, a form's field): letters, and the
//! few editing keys every shell has taught them — backspace, ctrl-w for the last word,
//! ctrl-u for the whole line. Any other key with ctrl is no letter: it is left for the
//! screen it was pressed on, never typed into the text.

use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

/// What a key did to the text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Edited {
    /// The key edits text (the text may be as it was: backspace on nothing, or a letter
    /// past `limit`).
    Yes,
    /// Not an editing key: the screen decides what it does.
    No,
}

/// Apply `key` to `text`, holding it to `limit` characters.
pub fn edit(text: &mut String, key: &KeyEvent, limit: usize) -> Edited {
    let ctrl = key.modifiers.contains(KeyModifiers::CONTROL);
    match key.code {
        KeyCode::Backspace if ctrl => delete_word(text),
        KeyCode::Backspace => {
            text.pop();
        }
        KeyCode::Char('u') if ctrl => text.clear(),
        KeyCode::Char('w') if ctrl => delete_word(text),
        KeyCode::Char(c) if !ctrl && !c.is_control() => {
            if text.chars().count() < limit {
                text.push(c);
            }
        }
        _ => return Edited::No,
    }
    Edited::Yes
}

/// The last word and the spaces after it, as a shell's ctrl-w does.
fn delete_word(text: &mut String) {
    let kept = text.trim_end().len();
    text.truncate(kept);
    let start = text
        .char_indices()
        .rev()
        .find(|(_, c)| c.is_whitespace())
        .map_or(0, |(i, c)| i + c.len_utf8());
    text.truncate(start);
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(code: KeyCode, modifiers: KeyModifiers) -> KeyEvent {
        KeyEvent::new(code, modifiers)
    }

    fn typed(start: &str, code: KeyCode, modifiers: KeyModifiers) -> (String, Edited) {
        let mut text = start.to_string();
        let edited = edit(&mut text, &key(code, modifiers), 10);
        (text, edited)
    }

    #[test]
    fn letters_are_typed_up_to_the_limit() {
        assert_eq!(
            typed("Jordan", KeyCode::Char('é'), KeyModifiers::NONE),
            ("Jordané".into(), Edited::Yes)
        );
        assert_eq!(
            typed("Jordan", KeyCode::Char('S'), KeyModifiers::SHIFT),
            ("JordanS".into(), Edited::Yes)
        );
        assert_eq!(
            typed("0123456789", KeyCode::Char('x'), KeyModifiers::NONE),
            ("0123456789".into(), Edited::Yes)
        );
    }

    #[test]
    fn ctrl_u_clears_and_ctrl_w_drops_the_last_word() {
        assert_eq!(
            typed("Mia Tran", KeyCode::Char('u'), KeyModifiers::CONTROL),
            (String::new(), Edited::Yes)
        );
        assert_eq!(
            typed("Mia Tran  ", KeyCode::Char('w'), KeyModifiers::CONTROL),
            ("Mia ".into(), Edited::Yes)
        );
        assert_eq!(
            typed("Mia", KeyCode::Backspace, KeyModifiers::CONTROL),
            (String::new(), Edited::Yes)
        );
        assert_eq!(
            typed("Zoë Ngô", KeyCode::Char('w'), KeyModifiers::CONTROL),
            ("Zoë ".into(), Edited::Yes)
        );
        assert_eq!(
            typed("", KeyCode::Backspace, KeyModifiers::NONE),
            (String::new(), Edited::Yes)
        );
    }

    #[test]
    fn other_ctrl_keys_are_never_typed() {
        for c in ['r', 's', 'o', 'c'] {
            assert_eq!(
                typed("Mia", KeyCode::Char(c), KeyModifiers::CONTROL),
                ("Mia".into(), Edited::No)
            );
        }
        assert_eq!(
            typed("Mia", KeyCode::Enter, KeyModifiers::NONE),
            ("Mia".into(), Edited::No)
        );
    }
}
