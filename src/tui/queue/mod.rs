//! The queue: the view tabs' records, one row each, with their next deadline; filtering,
//! sorting, marking, freezing live updates, assigning and exporting.

mod assign;
mod cells;
mod columns;
mod state;
mod update;
mod view;

pub use assign::{assign, pick_key, pick_matches};
pub use columns::{Column, problem as columns_problem};
pub use state::{Queue, SORTS};
pub use update::{
    export, filter_key, freeze, load, load_counts, mark, mark_range, move_by, on_change, on_page,
    reload, seen_at, show_filtered, show_view, sort, sort_column, unmark_all,
};
pub use view::{draw, draw_pick, linear_lines};
