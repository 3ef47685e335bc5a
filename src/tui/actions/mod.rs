//! The open learning actions (stage 5): everyone's or the user's own, how each due date
//! stands, and closing one with its outcome.

mod state;
mod update;
mod view;

pub use state::ActionList;
pub use update::{key, load, on_actions, open};
pub use view::{draw, hints, linear_lines};
