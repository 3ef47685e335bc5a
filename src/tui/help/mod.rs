//! The help overlay (`?`), every key from the action registry, and the command palette
//! (`:`), which runs any action by name.

mod state;
mod update;
mod view;

pub use state::Help;
pub use update::{key, palette_key, palette_matches};
pub use view::{draw, draw_palette};
