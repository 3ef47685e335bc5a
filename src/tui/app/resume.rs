//! Coming back to where the app was left: the view, the filter, the sort, the highlighted
//! record and the tab it was open at (`client::resume` keeps them, without anything
//! identifying).

use crate::client::resume::{Resume, structured_terms};
use crate::tui::mode::Focus;
use crate::tui::msg::Effect;
use crate::tui::queue::SORTS;
use crate::tui::record::{self, RecordTab};

use super::state::State;
use super::update::apply;

/// Where the user is now.
pub fn snapshot(state: &State) -> Resume {
    // A record the user opened, not one the pane only shows as the highlight rests.
    let opened = state
        .record
        .open
        .as_ref()
        .filter(|_| state.focus == Focus::Record);
    Resume {
        view: state
            .queue
            .views
            .get(state.queue.view)
            .map(|v| v.title.clone())
            .unwrap_or_default(),
        filter: structured_terms(&state.queue.filter),
        sort: state.queue.sorted_by().0.to_string(),
        selected: opened
            .map(|open| open.id.clone())
            .or_else(|| state.queue.selected_row().map(|r| r.id.clone())),
        record_tab: opened.map(|open| open.tab.title().to_string()),
    }
}

/// Go back to `resume`: what no longer exists (a view renamed, a sort unknown) is left as
/// it starts. The effects load the record that was open.
pub fn restore(state: &mut State, resume: Resume) -> Vec<Effect> {
    if let Some(view) = state
        .queue
        .views
        .iter()
        .position(|v| v.title == resume.view)
    {
        state.queue.view = view;
    }
    state.queue.filter = structured_terms(&resume.filter);
    if let Some(sort) = SORTS.iter().position(|(key, _)| *key == resume.sort) {
        state.queue.sort = sort;
    }
    state.queue.select_on_load = resume.selected.clone();
    let tab = resume
        .record_tab
        .as_deref()
        .and_then(|title| RecordTab::ALL.into_iter().find(|t| t.title() == title));
    match (resume.selected, tab) {
        (Some(id), Some(tab)) => {
            let replies = record::open(&mut state.record, id.clone());
            if let Some(open) = state.record.open.as_mut() {
                open.tab = tab;
            }
            let mut effects = apply(state, replies);
            if tab == RecordTab::History {
                effects.push(Effect::LoadHistory { id });
            }
            effects
        }
        _ => Vec::new(),
    }
}
