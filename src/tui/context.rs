//! What every screen reads and none changes: who the user is, the policy in force, the
//! time, how things look and which keys do what.

use chrono::{DateTime, Utc};

use crate::domain::policy::Policy;
use crate::wire::{Colleague, Me, Reminder};

use super::keymap::Keymap;
use super::theme::Theme;

#[derive(Debug, Clone)]
pub struct Context {
    pub me: Option<Me>,
    /// The policy in force, for forms (types, services).
    pub policy: Option<Policy>,
    /// Colleagues records can be assigned to.
    pub colleagues: Vec<Colleague>,
    /// The user's open reminders, soonest first.
    pub reminders: Vec<Reminder>,
    pub now: DateTime<Utc>,
    pub keymap: Keymap,
    pub theme: Theme,
    /// The privacy screen: identifying details are off the screen.
    pub privacy: bool,
    /// Look, never change: no write is sent.
    pub read_only: bool,
    /// The linear mode, for screen readers (no box drawing, one item a line).
    pub linear: bool,
}

impl Context {
    pub fn new(now: DateTime<Utc>, keymap: Keymap, theme: Theme) -> Context {
        Context {
            me: None,
            policy: None,
            colleagues: Vec::new(),
            reminders: Vec::new(),
            now,
            keymap,
            theme,
            privacy: false,
            read_only: false,
            linear: false,
        }
    }
}
