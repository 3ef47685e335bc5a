//! Reminders: personal follow-ups on records (`r` sets one on the record at hand, `R`
//! lists them). The server keeps them, so they follow the user to another machine; their
//! records are in the Mine view, and a reminder whose time comes calls for attention.

mod compose;
mod state;
mod update;
mod view;

pub use state::{Compose, ReminderScreen};
pub use update::{compose, compose_key, due, key, load, on_done, on_reminders, on_set, open};
pub use view::{draw, draw_compose, hints, linear_compose, linear_lines};
