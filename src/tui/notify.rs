//! Calling for attention when the worker is looking elsewhere: the terminal bell, and a
//! desktop notification by OSC 9 or OSC 777 where the terminal shows one. The text of a
//! notification is written by the app from counts and view titles ("1 new in Urgent
//! intake"), never from record data; it is still reduced to plain printable characters so
//! that nothing in it can end the sequence early.

use serde::Deserialize;

/// How an alert calls for attention.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum How {
    Off,
    /// The terminal bell (BEL).
    #[default]
    Bell,
    /// The bell and a desktop notification.
    Notify,
}

/// Which desktop-notification sequence the terminal understands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Osc {
    /// `OSC 9 ; text` (iTerm2, WezTerm, Windows Terminal, kitty, foot …).
    #[default]
    Osc9,
    /// `OSC 777 ; notify ; title ; text` (urxvt, VTE terminals such as GNOME Terminal).
    Osc777,
}

const BEL: u8 = 0x07;
const ESC: u8 = 0x1b;
/// The longest notification text sent; longer text is cut at a character boundary.
const MAX_TEXT: usize = 120;

/// Printable ASCII only: no control character, no `;` (the OSC 777 field separator).
fn plain(text: &str) -> String {
    text.chars()
        .map(|c| {
            if c.is_ascii_graphic() && c != ';' || c == ' ' {
                c
            } else {
                '?'
            }
        })
        .take(MAX_TEXT)
        .collect()
}

/// Inside tmux a sequence reaches the outer terminal only wrapped in a DCS passthrough,
/// with every ESC in it doubled (tmux needs `allow-passthrough on` for it).
fn through_tmux(sequence: &[u8]) -> Vec<u8> {
    let mut out = b"\x1bPtmux;".to_vec();
    for &b in sequence {
        if b == ESC {
            out.push(ESC);
        }
        out.push(b);
    }
    out.extend_from_slice(b"\x1b\\");
    out
}

/// The bytes that call for attention `how`, with `text` for a notification.
pub fn sequence(how: How, osc: Osc, text: &str, in_tmux: bool) -> Vec<u8> {
    let mut out = Vec::new();
    if how == How::Off {
        return out;
    }
    out.push(BEL);
    if how == How::Notify {
        let text = plain(text);
        let osc = match osc {
            Osc::Osc9 => format!("\x1b]9;{text}\x07"),
            Osc::Osc777 => format!("\x1b]777;notify;cims;{text}\x07"),
        };
        if in_tmux {
            out.extend(through_tmux(osc.as_bytes()));
        } else {
            out.extend_from_slice(osc.as_bytes());
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_bell_alone_or_nothing() {
        assert_eq!(sequence(How::Bell, Osc::Osc9, "x", false), vec![BEL]);
        assert!(sequence(How::Off, Osc::Osc9, "x", false).is_empty());
    }

    #[test]
    fn a_notification_by_osc_9_or_777_with_plain_text() {
        let bytes = sequence(How::Notify, Osc::Osc9, "1 new in Urgent intake", false);
        assert_eq!(bytes, b"\x07\x1b]9;1 new in Urgent intake\x07");
        let bytes = sequence(How::Notify, Osc::Osc777, "bad\x07;\x1b]text", false);
        assert_eq!(bytes, b"\x07\x1b]777;notify;cims;bad???]text\x07");
    }

    #[test]
    fn inside_tmux_the_notification_passes_through_with_its_escapes_doubled() {
        let bytes = sequence(How::Notify, Osc::Osc9, "2 at risk", true);
        assert_eq!(bytes, b"\x07\x1bPtmux;\x1b\x1b]9;2 at risk\x07\x1b\\");
    }
}
