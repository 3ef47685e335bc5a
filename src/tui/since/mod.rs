//! Since: what others changed after the user's last look, per record, in the words of each
//! record's history — what an incoming shift reads first.

mod state;
mod update;
mod view;

pub use state::SinceList;
pub use update::{key, load, on_since, open};
pub use view::{draw, hints, linear_lines};
