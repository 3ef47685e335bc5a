//! A person's timeline (`enter` on someone found by people search): who they are as the
//! user's records give them, every record they appear in, newest first, the decisions that
//! made them one person or kept another apart, and who else they may be. `s` decides a
//! candidate is this person, `d` that they are not, and `u` undoes a decision, each with a
//! reason (R-PERSON-1, R-PERSON-2); the refresh key
//! reads them again, and what could not be read is said where it would be.

mod state;
mod update;
mod view;

pub use state::{PersonScreen, Row};
pub use update::{
    different_person, key, on_candidates, on_candidates_failed, on_kept_apart, on_merged,
    on_person, on_undone, on_unread, open, reload, same_person, undo_merge,
};
pub use view::{draw, hints, linear_lines};
