//! The queue's part of `update`: pages from the server, live changes, and the keys that
//! move, filter, sort, mark, freeze, switch views and export.

use ratatui::crossterm::event::{KeyCode, KeyEvent};

use crate::tui::line::{Edited, edit};
use crate::tui::mode::Mode;
use crate::tui::msg::Effect;
use crate::tui::reply::{Level, Reply};
use crate::wire::QueuePage;

use super::state::{Queue, SORTS};

pub fn load(queue: &Queue) -> Effect {
    Effect::LoadQueue {
        query: queue.query(),
        sort: queue.sorted_by().0.to_string(),
    }
}

/// The page and the views' counts, read again.
pub fn reload(queue: &mut Queue) -> Vec<Effect> {
    vec![load(queue), load_counts(queue)]
}

pub fn load_counts(queue: &mut Queue) -> Effect {
    queue.counts_stale = false;
    Effect::LoadCounts {
        queries: queue.views.iter().map(|v| v.query.clone()).collect(),
    }
}

pub fn on_page(queue: &mut Queue, page: QueuePage) {
    // Live updates never move the selection off its record.
    let keep = queue
        .select_on_load
        .take()
        .or_else(|| queue.selected_row().map(|r| r.id.clone()));
    queue.rows = page.rows;
    queue.selected = keep
        .and_then(|id| queue.rows.iter().position(|r| r.id == id))
        .unwrap_or_else(|| queue.selected.min(queue.rows.len().saturating_sub(1)));
    keep_in_view(queue);
}

/// The user sees a record at `version`: its row no longer says it changed, unless the row
/// is newer than what is shown.
pub fn seen_at(queue: &mut Queue, id: &str, version: u64) {
    if let Some(row) = queue
        .rows
        .iter_mut()
        .find(|r| r.id == id && r.version <= version)
    {
        row.changed = false;
    }
}

/// A record changed: the queue reloads, and the counts on the next minute. While frozen
/// the change is only counted, and nothing reloads.
pub fn on_change(queue: &mut Queue) -> Option<Effect> {
    if queue.frozen {
        queue.held += 1;
        return None;
    }
    queue.counts_stale = true;
    Some(load(queue))
}

fn keep_in_view(queue: &mut Queue) {
    let page = queue.page.max(1);
    if queue.selected < queue.offset {
        queue.offset = queue.selected;
    } else if queue.selected >= queue.offset + page {
        queue.offset = queue.selected + 1 - page;
    }
}

pub fn move_by(queue: &mut Queue, delta: isize) {
    let last = queue.rows.len().saturating_sub(1);
    queue.selected = queue.selected.saturating_add_signed(delta).min(last);
    keep_in_view(queue);
}

pub fn filter_key(queue: &mut Queue, mut text: String, key: KeyEvent) -> Vec<Reply> {
    match key.code {
        KeyCode::Esc => vec![Reply::Mode(Mode::Normal)],
        KeyCode::Enter => {
            queue.filter = text.trim().to_string();
            queue.selected = 0;
            queue.offset = 0;
            vec![Reply::Mode(Mode::Normal), Reply::Effect(load(queue))]
        }
        _ => match edit(&mut text, &key, usize::MAX) {
            Edited::Yes => vec![Reply::Mode(Mode::Filter(text))],
            Edited::No => Vec::new(),
        },
    }
}

/// The next of the sorts, said on the hints line.
pub fn sort(queue: &mut Queue) -> Vec<Reply> {
    sort_by(queue, (queue.sort + 1) % SORTS.len())
}

/// `<` `>`: the sort moves to the previous or next column shown that the server sorts by,
/// round the ends. From a sort no column shown stands for, it starts at the first or the
/// last of them.
pub fn sort_column(queue: &mut Queue, forward: bool) -> Vec<Reply> {
    let sorts: Vec<usize> = queue.columns.iter().filter_map(|c| c.sort()).collect();
    let here = sorts.iter().position(|s| *s == queue.sort % SORTS.len());
    let n = sorts.len();
    let next = match (here, forward) {
        (Some(i), true) => sorts.get((i + 1) % n),
        (Some(i), false) => sorts.get((i + n - 1) % n),
        (None, true) => sorts.first(),
        (None, false) => sorts.last(),
    };
    match next {
        Some(sort) => sort_by(queue, *sort),
        None => Vec::new(),
    }
}

fn sort_by(queue: &mut Queue, sort: usize) -> Vec<Reply> {
    queue.sort = sort;
    vec![
        Reply::Message(Level::Info, format!("sorted by {}", queue.sorted_by().1)),
        Reply::Effect(load(queue)),
    ]
}

/// Marks the selected row, or unmarks it; it anchors a range.
pub fn mark(queue: &mut Queue) {
    if let Some(row) = queue.selected_row() {
        let id = row.id.clone();
        if !queue.marked.remove(&id) {
            queue.marked.insert(id);
        }
        queue.mark_anchor = Some(queue.selected);
    }
}

/// Marks the rows from the anchor to the selected one.
pub fn mark_range(queue: &mut Queue) {
    let anchor = queue.mark_anchor.unwrap_or(queue.selected);
    let (from, to) = (anchor.min(queue.selected), anchor.max(queue.selected));
    for row in queue.rows.iter().skip(from).take(to - from + 1) {
        queue.marked.insert(row.id.clone());
    }
}

pub fn unmark_all(queue: &mut Queue) {
    queue.marked.clear();
    queue.mark_anchor = None;
}

/// Holds live updates, or lets them in again: the queue reloads if any arrived.
pub fn freeze(queue: &mut Queue) -> Vec<Effect> {
    queue.frozen = !queue.frozen;
    if !queue.frozen && queue.held > 0 {
        queue.held = 0;
        return vec![load(queue)];
    }
    Vec::new()
}

/// The `n`-th view tab, counted from 1.
pub fn show_view(queue: &mut Queue, n: u8) -> Vec<Effect> {
    let index = usize::from(n).saturating_sub(1);
    if index < queue.views.len() {
        queue.view = index;
        queue.selected = 0;
        queue.offset = 0;
        return vec![load(queue)];
    }
    Vec::new()
}

/// The unfiltered view narrowed by `filter` alone.
pub fn show_filtered(queue: &mut Queue, filter: String) -> Effect {
    // The unfiltered view, so that only the filter's own terms apply.
    queue.view = queue
        .views
        .iter()
        .position(|v| v.query.is_empty())
        .unwrap_or(0);
    queue.filter = filter;
    queue.selected = 0;
    queue.offset = 0;
    load(queue)
}

/// `E`: ask before exporting the current view; the file goes in the current directory.
pub fn export(queue: &Queue, now: chrono::DateTime<chrono::Utc>) -> Reply {
    let query = queue.query();
    let title = queue
        .views
        .get(queue.view)
        .map_or("this view", |v| v.title.as_str())
        .to_string();
    let file = crate::client::exports::default_name(
        crate::wire::ExportFormat::Csv,
        now.with_timezone(&chrono::Local),
    );
    let what = if queue.filter.trim().is_empty() {
        format!("\"{title}\"")
    } else {
        format!("\"{title}\" filtered by {}", queue.filter.trim())
    };
    Reply::Mode(Mode::Confirm(
        format!("Export {what} to {file} (masked as shown; recorded in the audit log)? y/n"),
        vec![Effect::Export {
            query,
            sort: queue.sorted_by().0.to_string(),
            file,
        }],
    ))
}
