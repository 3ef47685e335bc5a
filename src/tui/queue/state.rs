//! The queue's model: the view tabs, the rows the server sent for the current one, and
//! where the user is among them.

use std::collections::BTreeSet;

use crate::tui::config::ViewTab;
use crate::wire::QueueRow;

use super::columns::Column;

/// The sorts `s` cycles through, and `<` `>` choose among by column: the server's key and how the title names it.
pub const SORTS: [(&str, &str); 5] = [
    ("due", "next deadline"),
    ("-updated", "last changed"),
    ("-created", "newest"),
    ("id", "id"),
    ("stage", "stage"),
];

#[derive(Debug, Clone)]
pub struct Queue {
    pub views: Vec<ViewTab>,
    pub view: usize,
    /// The filter typed with `/`, on top of the view's own.
    pub filter: String,
    pub rows: Vec<QueueRow>,
    /// The columns shown, in order (`[ui] columns`).
    pub columns: Vec<Column>,
    /// How many records each view holds, when known.
    pub counts: Vec<Option<i64>>,
    /// Something changed since the counts were loaded; they reload on the next minute.
    pub counts_stale: bool,
    /// A page has arrived since the app started.
    pub has_page: bool,
    /// Reload the page and the counts once the first page is on screen.
    pub reload_after_first_page: bool,
    /// Which of the sorts the queue is in (see `SORTS`).
    pub sort: usize,
    pub selected: usize,
    /// The first row on screen; only visible rows are built.
    pub offset: usize,
    /// Rows the last drawn frame had room for.
    pub page: usize,
    pub frozen: bool,
    /// Changes that arrived while frozen, applied on resume.
    pub held: usize,
    pub marked: BTreeSet<String>,
    pub mark_anchor: Option<usize>,
    /// The record to highlight when the next page arrives (where the app was left).
    pub select_on_load: Option<String>,
    /// The queue has the whole screen (`z`).
    pub zoomed: bool,
}

impl Default for Queue {
    fn default() -> Queue {
        Queue {
            views: ViewTab::defaults(),
            view: 0,
            filter: String::new(),
            rows: Vec::new(),
            columns: Column::DEFAULT.to_vec(),
            counts: Vec::new(),
            counts_stale: false,
            has_page: false,
            reload_after_first_page: false,
            sort: 0,
            selected: 0,
            offset: 0,
            page: 10,
            frozen: false,
            held: 0,
            marked: BTreeSet::new(),
            mark_anchor: None,
            select_on_load: None,
            zoomed: false,
        }
    }
}

impl Queue {
    /// The filter the queue is asked for: the view's and the user's together.
    pub fn query(&self) -> String {
        let view = self.views.get(self.view).map_or("", |v| v.query.as_str());
        format!("{view} {}", self.filter).trim().to_string()
    }

    pub fn selected_row(&self) -> Option<&QueueRow> {
        self.rows.get(self.selected)
    }

    /// The sort in force: the server's key and how the title names it.
    pub fn sorted_by(&self) -> (&'static str, &'static str) {
        SORTS[self.sort % SORTS.len()]
    }

    /// The column shown that the queue is sorted by, and whether the sort is descending.
    pub fn sorted_column(&self) -> Option<(Column, bool)> {
        let sort = self.sort % SORTS.len();
        self.columns
            .iter()
            .find(|c| c.sort() == Some(sort))
            .map(|c| (*c, self.sorted_by().0.starts_with('-')))
    }
}
