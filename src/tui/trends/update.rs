//! The Trends screen's part of `update`: grouping, interval and filter, and listing the
//! highlighted group's records in the queue.

use ratatui::crossterm::event::{KeyCode, KeyEvent};

use crate::domain::analytics::{GroupBy, Interval};
use crate::tui::line::edit;
use crate::tui::mode::Mode;
use crate::tui::msg::Effect;
use crate::tui::reply::{Level, Reply};
use crate::wire::Analytics;

use super::state::Trends;

pub fn load(trends: &Trends) -> Effect {
    Effect::LoadAnalytics {
        by: trends.by,
        interval: trends.interval,
        q: trends.filter.clone(),
    }
}

pub fn open(trends: &Trends) -> Vec<Reply> {
    vec![Reply::Mode(Mode::Trends), Reply::Effect(load(trends))]
}

pub fn on_analytics(trends: &mut Trends, analytics: Analytics) {
    let groups = analytics.groups.len();
    trends.selected = trends.selected.min(groups.saturating_sub(1));
    trends.data = Some(analytics);
}

/// The groupings in the order `b` steps through them.
fn next_grouping(by: GroupBy, step: isize) -> GroupBy {
    let all = GroupBy::ALL;
    let at = all.iter().position(|g| *g == by).unwrap_or(0);
    let n = all.len() as isize;
    all[(at as isize + step).rem_euclid(n) as usize]
}

/// Typing a filter for the counts: `enter` applies it, `esc` leaves it as it was.
fn filter_key(trends: &mut Trends, mut text: String, key: KeyEvent) -> Vec<Reply> {
    match key.code {
        KeyCode::Esc => trends.typing = None,
        KeyCode::Enter => {
            trends.typing = None;
            trends.filter = text.trim().to_string();
            trends.selected = 0;
            return vec![Reply::Effect(load(trends))];
        }
        _ => {
            edit(&mut text, &key, usize::MAX);
            trends.typing = Some(text);
        }
    }
    Vec::new()
}

pub fn key(trends: &mut Trends, key: KeyEvent) -> Vec<Reply> {
    if let Some(text) = trends.typing.clone() {
        return filter_key(trends, text, key);
    }
    let groups = trends.data.as_ref().map_or(0, |d| d.groups.len());
    match key.code {
        KeyCode::Esc | KeyCode::Char('q') | KeyCode::Char('T') => {
            return vec![Reply::Mode(Mode::Normal)];
        }
        KeyCode::Down | KeyCode::Char('j') => {
            trends.selected = (trends.selected + 1).min(groups.saturating_sub(1));
        }
        KeyCode::Up | KeyCode::Char('k') => trends.selected = trends.selected.saturating_sub(1),
        KeyCode::Tab | KeyCode::Char('b') => {
            trends.by = next_grouping(trends.by, 1);
            trends.selected = 0;
            return vec![Reply::Effect(load(trends))];
        }
        KeyCode::BackTab | KeyCode::Char('B') => {
            trends.by = next_grouping(trends.by, -1);
            trends.selected = 0;
            return vec![Reply::Effect(load(trends))];
        }
        KeyCode::Char('i') => {
            trends.interval = match trends.interval {
                Interval::Month => Interval::Week,
                Interval::Week => Interval::Month,
            };
            return vec![Reply::Effect(load(trends))];
        }
        KeyCode::Char('r') => return vec![Reply::Effect(load(trends))],
        KeyCode::Char('/') => trends.typing = Some(trends.filter.clone()),
        KeyCode::Enter => return drill_down(trends),
        _ => {}
    }
    Vec::new()
}

/// The queue, filtered to the highlighted group's records over the chart's whole range.
fn drill_down(trends: &Trends) -> Vec<Reply> {
    let Some(group) = trends
        .data
        .as_ref()
        .and_then(|d| d.groups.get(trends.selected))
    else {
        return Vec::new();
    };
    let Some(query) = group.query.clone() else {
        return vec![Reply::Message(
            Level::Info,
            format!(
                "\"{}\": no filter can list records without a value",
                group.label
            ),
        )];
    };
    vec![
        Reply::ShowQueue { filter: query },
        Reply::Message(
            Level::Info,
            format!("{} ({}): / changes the filter", group.label, group.total),
        ),
    ]
}
