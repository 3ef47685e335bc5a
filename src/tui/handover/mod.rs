//! Handovers: those to the user or their team, to read and acknowledge, and writing one at
//! the end of a shift — the records marked in the queue, a line each, to a colleague or to
//! an organisation.

mod compose;
mod state;
mod update;
mod view;

pub use state::{Compose, HandoverScreen};
pub use update::{key, load, on_handovers, on_written, open};
pub use view::{draw, hints, linear_lines};
