//! The Trends screen for the linear mode: what is counted, the keys, then a line per group
//! with its total and every period's count, each period named. A hidden count reads `<5`
//! as in the boxed view (R-PRIV-4).

use chrono::Datelike;
use ratatui::text::Line;

use crate::domain::analytics::Interval;
use crate::tui::layout::{linear_list, linear_parts};
use crate::wire::{Analytics, AnalyticsCount};

use super::state::Trends;
use super::view::{grouping_name, groups_name, per};

/// The periods named: months as `Nov`, weeks by their Monday as `23 Nov`, with the year
/// on the first and wherever it changes.
fn period_names(data: &Analytics) -> Vec<String> {
    let mut year = None;
    data.periods
        .iter()
        .map(|period| {
            let short = match data.interval {
                Interval::Week => period.start.format("%-d %b"),
                Interval::Month => period.start.format("%b"),
            };
            let this = period.start.year();
            let name = if year == Some(this) {
                short.to_string()
            } else {
                format!("{short} {this}")
            };
            year = Some(this);
            name
        })
        .collect()
}

/// `Dec 2025 14`, `Jan 2026 16`, …, `Nov 10 so far`: each period's count after its name.
fn over_time(data: &Analytics, names: &[String], counts: &[AnalyticsCount]) -> Vec<String> {
    names
        .iter()
        .zip(&data.periods)
        .zip(counts)
        .map(|((name, period), count)| {
            let so_far = if period.partial { " so far" } else { "" };
            format!("{name} {count}{so_far}")
        })
        .collect()
}

fn title(trends: &Trends, data: &Analytics) -> String {
    let range = match (data.periods.first(), data.periods.last()) {
        (Some(a), Some(b)) => format!(", {} to {}", a.label, b.label),
        _ => String::new(),
    };
    let weeks = match data.interval {
        Interval::Week => " (weeks named by their Monday)",
        Interval::Month => "",
    };
    let filter = if trends.filter.is_empty() {
        String::new()
    } else {
        format!(", filter {}", trends.filter)
    };
    let hidden = data
        .suppressed_below
        .map(|n| format!("; counts under {n} are hidden and read <{n}"))
        .unwrap_or_default();
    format!(
        "Trends by {} per {}{weeks}{range}{filter}: {} incidents{hidden}.",
        grouping_name(data.by),
        per(data.interval),
        data.total
    )
}

/// The screen's lines, its groups cut to what fits in `rows` rows of `width` columns.
pub fn linear_lines(trends: &Trends, rows: usize, width: u16) -> Vec<Line<'static>> {
    let keys = Line::from(match &trends.typing {
        Some(text) => format!(
            "Filter being typed: {text} (org:, type:, service:, created:; enter applies, esc \
             leaves it as it was)"
        ),
        None => "Keys: j/k choose a group, enter lists its records, b grouping, i week or \
                 month, / filter, esc back."
            .to_string(),
    });
    let Some(data) = &trends.data else {
        return vec![Line::from("Trends: counting."), keys];
    };
    let names = period_names(data);
    let peak = data
        .period_totals
        .iter()
        .zip(&data.periods)
        .filter(|(c, _)| matches!(c, AnalyticsCount::Exact(_)))
        .max_by_key(|(c, _)| c.value())
        .map(|(c, p)| format!("; peak {c} in {}", p.label))
        .unwrap_or_default();
    let mut all = over_time(data, &names, &data.period_totals);
    if let Some(last) = all.last_mut() {
        last.push_str(&peak);
    }
    let mut head = vec![Line::from(title(trends, data)), keys];
    head.extend(linear_parts("All incidents: ".into(), &all, ", ", width));
    let selected = trends.selected.min(data.groups.len().saturating_sub(1));
    head.push(Line::from(match data.groups.get(selected) {
        Some(group) => format!(
            "{} {}, {} highlighted ({} of {}):",
            data.groups.len(),
            groups_name(data.by),
            group.label,
            selected + 1,
            data.groups.len()
        ),
        None => "Nothing was recorded in this period.".to_string(),
    }));
    let groups = data
        .groups
        .iter()
        .enumerate()
        .map(|(i, group)| {
            let mark = if i == selected { ">" } else { " " };
            let lead = format!("{mark} {}: total {}; ", group.label, group.total);
            linear_parts(lead, &over_time(data, &names, &group.counts), ", ", width)
        })
        .collect();
    linear_list(head, groups, selected, rows, width)
}
