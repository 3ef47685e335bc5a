//! Stage 5 in the app: the Trends screen, the open learning actions, raising and closing
//! actions, and exporting a view. Part of `update`: pure, effects as data.

use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use crate::domain::analytics::{GroupBy, Interval};

use super::state::{Focus, Level, Mode, ReasonFor, State};
use super::update::Effect;

fn load_trends(state: &State) -> Effect {
    Effect::LoadAnalytics {
        by: state.trends.by,
        interval: state.trends.interval,
        q: state.trends.filter.clone(),
    }
}

fn load_actions(state: &State) -> Effect {
    Effect::LoadActions {
        mine: state.actions.mine,
    }
}

pub fn open_trends(state: &mut State) -> Vec<Effect> {
    state.mode = Mode::Trends;
    vec![load_trends(state)]
}

pub fn open_actions(state: &mut State) -> Vec<Effect> {
    state.mode = Mode::Actions;
    vec![load_actions(state)]
}

/// The groupings in the order `b` steps through them.
fn next_grouping(by: GroupBy, step: isize) -> GroupBy {
    let all = GroupBy::ALL;
    let at = all.iter().position(|g| *g == by).unwrap_or(0);
    let n = all.len() as isize;
    all[(at as isize + step).rem_euclid(n) as usize]
}

/// Typing a filter for the counts: `enter` applies it, `esc` leaves it as it was.
fn trends_filter_key(state: &mut State, mut text: String, key: KeyEvent) -> Vec<Effect> {
    let trends = &mut state.trends;
    match key.code {
        KeyCode::Esc => trends.typing = None,
        KeyCode::Enter => {
            trends.typing = None;
            trends.filter = text.trim().to_string();
            trends.selected = 0;
            return vec![load_trends(state)];
        }
        KeyCode::Backspace => {
            text.pop();
            trends.typing = Some(text);
        }
        KeyCode::Char(c) if !c.is_control() && !key.modifiers.contains(KeyModifiers::CONTROL) => {
            text.push(c);
            trends.typing = Some(text);
        }
        _ => trends.typing = Some(text),
    }
    Vec::new()
}

pub fn trends_key(state: &mut State, key: KeyEvent) -> Vec<Effect> {
    if let Some(text) = state.trends.typing.clone() {
        return trends_filter_key(state, text, key);
    }
    let groups = state.trends.data.as_ref().map_or(0, |d| d.groups.len());
    let trends = &mut state.trends;
    match key.code {
        KeyCode::Esc | KeyCode::Char('q') | KeyCode::Char('T') => state.mode = Mode::Normal,
        KeyCode::Down | KeyCode::Char('j') => {
            trends.selected = (trends.selected + 1).min(groups.saturating_sub(1));
        }
        KeyCode::Up | KeyCode::Char('k') => trends.selected = trends.selected.saturating_sub(1),
        KeyCode::Tab | KeyCode::Char('b') => {
            trends.by = next_grouping(trends.by, 1);
            trends.selected = 0;
            return vec![load_trends(state)];
        }
        KeyCode::BackTab | KeyCode::Char('B') => {
            trends.by = next_grouping(trends.by, -1);
            trends.selected = 0;
            return vec![load_trends(state)];
        }
        KeyCode::Char('i') => {
            trends.interval = match trends.interval {
                Interval::Month => Interval::Week,
                Interval::Week => Interval::Month,
            };
            return vec![load_trends(state)];
        }
        KeyCode::Char('r') => return vec![load_trends(state)],
        KeyCode::Char('/') => trends.typing = Some(trends.filter.clone()),
        KeyCode::Enter => return drill_down(state),
        _ => {}
    }
    Vec::new()
}

/// The queue, filtered to the highlighted group's records over the chart's whole range.
fn drill_down(state: &mut State) -> Vec<Effect> {
    let Some(group) = state
        .trends
        .data
        .as_ref()
        .and_then(|d| d.groups.get(state.trends.selected))
        .cloned()
    else {
        return Vec::new();
    };
    let Some(query) = group.query else {
        state.message = Some((
            Level::Info,
            format!(
                "\"{}\": no filter can list records without a value",
                group.label
            ),
        ));
        return Vec::new();
    };
    // The unfiltered view, so that only the group's own terms apply.
    state.view = state
        .views
        .iter()
        .position(|v| v.query.is_empty())
        .unwrap_or(0);
    state.filter = query;
    state.selected = 0;
    state.offset = 0;
    state.focus = Focus::Queue;
    state.mode = Mode::Normal;
    state.message = Some((
        Level::Info,
        format!("{} ({}): / changes the filter", group.label, group.total),
    ));
    vec![super::update::load_queue(state)]
}

pub fn actions_key(state: &mut State, key: KeyEvent) -> Vec<Effect> {
    let list = &mut state.actions;
    let rows = list.data.as_ref().map_or(&[][..], |d| d.rows.as_slice());
    // What the highlighted row stands for, taken before the state changes.
    let chosen = rows
        .get(list.selected)
        .map(|row| (row.record.clone(), row.version, row.action.id));
    match key.code {
        KeyCode::Esc | KeyCode::Char('q') | KeyCode::Char('L') => state.mode = Mode::Normal,
        KeyCode::Down | KeyCode::Char('j') => {
            list.selected = (list.selected + 1).min(rows.len().saturating_sub(1));
        }
        KeyCode::Up | KeyCode::Char('k') => list.selected = list.selected.saturating_sub(1),
        KeyCode::Char('m') => {
            list.mine = !list.mine;
            list.selected = 0;
            return vec![load_actions(state)];
        }
        KeyCode::Char('r') => return vec![load_actions(state)],
        KeyCode::Enter => {
            if let Some((record, _, _)) = chosen {
                state.mode = Mode::Normal;
                return super::update::open_record(state, record);
            }
        }
        KeyCode::Char('c') if !key.modifiers.contains(KeyModifiers::CONTROL) => {
            if state.read_only {
                state.message = Some((
                    Level::Error,
                    "read-only mode: nothing can be changed".into(),
                ));
            } else if let Some((record, version, action)) = chosen {
                state.mode = Mode::Reason(
                    ReasonFor::CloseAction {
                        record,
                        version,
                        action,
                    },
                    String::new(),
                );
            }
        }
        _ => {}
    }
    Vec::new()
}

/// After a write lands, the open list shows where things now stand.
pub fn after_write(state: &State) -> Vec<Effect> {
    if state.mode == Mode::Actions {
        vec![load_actions(state)]
    } else {
        Vec::new()
    }
}

/// `E`: ask before exporting the current view; the file goes in the current directory.
pub fn export_view(state: &mut State) -> Vec<Effect> {
    let query = state.query();
    let title = state
        .views
        .get(state.view)
        .map_or("this view", |v| v.title.as_str())
        .to_string();
    let file = crate::client::exports::default_name(
        crate::wire::ExportFormat::Csv,
        state.now.with_timezone(&chrono::Local),
    );
    let what = if state.filter.trim().is_empty() {
        format!("\"{title}\"")
    } else {
        format!("\"{title}\" filtered by {}", state.filter.trim())
    };
    state.mode = Mode::Confirm(
        format!("Export {what} to {file} (masked as shown; recorded in the audit log)? y/n"),
        vec![Effect::Export {
            query,
            sort: super::update::SORTS[state.sort % super::update::SORTS.len()]
                .0
                .to_string(),
            file,
        }],
    );
    Vec::new()
}

/// `A` on an incident: the form for a new learning action.
pub fn raise_action(state: &mut State) -> Vec<Effect> {
    let Some((id, version, incident)) = state.record.as_ref().and_then(|open| {
        open.view.as_ref().map(|v| {
            (
                open.id.clone(),
                v.version,
                v.record.pointer("/details/kind").and_then(|k| k.as_str()) == Some("incident"),
            )
        })
    }) else {
        return Vec::new();
    };
    if !incident {
        state.message = Some((
            Level::Info,
            "learning actions belong to incidents, not intake reports".into(),
        ));
        return Vec::new();
    }
    let me = state
        .me
        .as_ref()
        .map(|m| m.user.clone())
        .unwrap_or_default();
    state.form = Some(super::form::Form::learning_action(
        &id,
        version,
        &me,
        &state.colleagues,
        state.now,
    ));
    state.mode = Mode::Form;
    Vec::new()
}
