//! The app's model: everything the screen shows, and nothing it does not.

use chrono::{DateTime, Utc};

use crate::tui::actions::ActionList;

use super::attention::Attention;
use crate::tui::context::Context;
use crate::tui::forms::Form;
use crate::tui::handover::HandoverScreen;
use crate::tui::help::Help;
use crate::tui::keymap::Keymap;
use crate::tui::mode::{Focus, Mode};
use crate::tui::msg::Connection;
use crate::tui::people::PeopleScreen;
use crate::tui::person::PersonScreen;
use crate::tui::queue::Queue;
use crate::tui::record::RecordPane;
use crate::tui::reminders::ReminderScreen;
use crate::tui::reply::Level;
use crate::tui::since::SinceList;
use crate::tui::theme::Theme;
use crate::tui::trends::Trends;

#[derive(Debug, Clone)]
pub struct State {
    /// What every screen reads.
    pub context: Context,
    pub queue: Queue,
    pub record: RecordPane,
    pub trends: Trends,
    pub actions: ActionList,
    pub since: SinceList,
    pub handover: HandoverScreen,
    pub reminders: ReminderScreen,
    pub people: PeopleScreen,
    pub person: PersonScreen,
    /// The form being filled in, over everything else.
    pub form: Option<Form>,
    pub help: Help,
    pub focus: Focus,
    pub mode: Mode,
    pub connection: Connection,
    pub pending_writes: usize,
    pub message: Option<(Level, String)>,
    /// Blank the screen after this long without a key (none: never).
    pub idle_lock: Option<chrono::Duration>,
    pub last_key: DateTime<Utc>,
    /// The alerts, and the counts they last saw.
    pub attention: Attention,
    pub quit: bool,
}

impl State {
    pub fn new(now: DateTime<Utc>, keymap: Keymap, theme: Theme) -> State {
        State {
            context: Context::new(now, keymap, theme),
            queue: Queue::default(),
            record: RecordPane::default(),
            trends: Trends::default(),
            actions: ActionList::default(),
            since: SinceList::default(),
            handover: HandoverScreen::default(),
            reminders: ReminderScreen::default(),
            people: PeopleScreen::default(),
            person: PersonScreen::default(),
            form: None,
            help: Help::default(),
            focus: Focus::Queue,
            mode: Mode::Normal,
            connection: Connection::Connecting,
            pending_writes: 0,
            message: None,
            idle_lock: None,
            last_key: now,
            attention: Attention::default(),
            quit: false,
        }
    }
}
