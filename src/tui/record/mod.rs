//! The record pane: the open record's Details, Checklist, Notes, History and Submissions
//! tabs, the deadlines beside them, and the note editor.

mod deadlines;
mod editor;
mod editor_keys;
mod state;
mod submissions;
mod tabs;
mod update;
mod view;

pub use editor::NoteEditor;
pub use editor_keys::key as editor_key;
pub use state::{OpenRecord, RecordPane, RecordTab, checklist_items, id_of};
pub use update::{
    ask_first, move_cursor, new_note, next_tab, on_change, on_history, on_retried, on_submissions,
    on_view, open, preview, retry, show_created, tick, waive, withdraw,
};
pub use view::{draw, draw_editor, linear_lines};
