//! What a screen's update hands back to the app. A screen changes only its own state and
//! never calls another; anything beyond it (the mode, the focus, the message line, another
//! screen) it asks for here, and the app does it.

use super::action::Action;
use super::mode::{Focus, Mode};
use super::msg::Effect;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Level {
    Info,
    Error,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Reply {
    /// For the driver to carry out.
    Effect(Effect),
    /// Give the keyboard to this mode.
    Mode(Mode),
    Focus(Focus),
    /// Show this on the hints line.
    Message(Level, String),
    /// Open this record in the record pane and ask for it.
    OpenRecord(String),
    /// Show the timeline of the person this mention names, and ask for it.
    OpenPerson(String),
    /// The queue with the keyboard, filtered by this in the unfiltered view.
    ShowQueue {
        filter: String,
    },
    /// Run this action as its key does.
    Perform(Action),
}
