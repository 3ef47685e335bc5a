//! The Trends screen (stage 5): counts by one grouping over weeks or months, narrowed by a
//! filter in the queue's language; a group's records are listed in the queue.

mod linear;
mod state;
mod update;
mod view;

pub use linear::linear_lines;
pub use state::Trends;
pub use update::{key, load, on_analytics, open};
pub use view::{draw, hints};
