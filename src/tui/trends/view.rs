//! The Trends screen drawn. Every bar and line has its number written beside it: nothing
//! is read from length or colour alone, and a hidden count reads `<5` (R-PRIV-4).

use ratatui::Frame;
use ratatui::layout::{Constraint, Direction, Layout, Rect};
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Bar, BarChart, BarGroup, Block, Borders, Paragraph, Sparkline};

use crate::domain::analytics::{GroupBy, Interval};
use crate::tui::context::Context;
use crate::tui::layout::fit;
use crate::wire::{Analytics, AnalyticsCount};

use super::state::Trends;

pub(super) fn grouping_name(by: GroupBy) -> &'static str {
    match by {
        GroupBy::Type => "type",
        GroupBy::Service => "service",
        GroupBy::Org => "organisation",
        GroupBy::Impact => "impact",
        GroupBy::Stage => "stage",
        GroupBy::Outcome => "deadline outcome",
    }
}

pub(super) fn per(interval: Interval) -> &'static str {
    match interval {
        Interval::Week => "week",
        Interval::Month => "month",
    }
}

pub(super) fn groups_name(by: GroupBy) -> &'static str {
    match by {
        GroupBy::Org => "organisations",
        GroupBy::Outcome => "outcomes",
        GroupBy::Impact => "impacts",
        GroupBy::Stage => "stages",
        GroupBy::Service => "services",
        GroupBy::Type => "types",
    }
}

/// The short label under a period's bar: `Nov` for a month, `23/11` for a week.
fn period_tick(interval: Interval, start: chrono::NaiveDate) -> String {
    match interval {
        Interval::Week => start.format("%-d/%-m").to_string(),
        Interval::Month => start.format("%b").to_string(),
    }
}

/// The Trends screen: what is counted, a bar per group, and the highlighted one over time.
pub fn draw(trends: &Trends, context: &Context, frame: &mut Frame, area: Rect) {
    let Some(data) = &trends.data else {
        frame.render_widget(
            Paragraph::new("Counting…").block(Block::new().borders(Borders::ALL).title(" Trends ")),
            area,
        );
        return;
    };
    // The bars take the rows they need; the time chart gets the rest.
    let bar_rows = u16::try_from(data.groups.len() + 2)
        .unwrap_or(u16::MAX)
        .max(3);
    let [summary, bars, time] = Layout::vertical([
        Constraint::Length(2),
        Constraint::Max(bar_rows),
        Constraint::Min(8),
    ])
    .areas(area);
    draw_summary(trends, context, data, frame, summary);
    draw_bars(trends, context, data, frame, bars);
    draw_over_time(trends, data, frame, time);
}

/// What is counted, and the whole count over time as a sparkline with its numbers.
fn draw_summary(
    trends: &Trends,
    context: &Context,
    data: &Analytics,
    frame: &mut Frame,
    area: Rect,
) {
    let (first, last) = (data.periods.first(), data.periods.last());
    let range = match (first, last) {
        (Some(a), Some(b)) => format!("{} – {}", a.label, b.label),
        _ => String::new(),
    };
    let filter = if trends.filter.is_empty() {
        String::new()
    } else {
        format!(" · {}", trends.filter)
    };
    let hidden = data
        .suppressed_below
        .map(|n| format!(" · <{n}: under {n}, hidden"))
        .unwrap_or_default();
    let title = Line::from(vec![
        Span::styled(
            format!("By {} per {}", grouping_name(data.by), per(data.interval)),
            context.theme.header,
        ),
        Span::raw(format!(
            " · {range} · {} incidents{filter}{hidden}",
            data.total
        )),
    ]);
    let [line, spark] =
        Layout::vertical([Constraint::Length(1), Constraint::Length(1)]).areas(area);
    frame.render_widget(Paragraph::new(title), line);
    let values: Vec<u64> = data
        .period_totals
        .iter()
        .map(AnalyticsCount::value)
        .collect();
    let width = u16::try_from(values.len()).unwrap_or(0);
    let [label, chart, numbers] = Layout::horizontal([
        Constraint::Length(14),
        Constraint::Length(width + 1),
        Constraint::Min(10),
    ])
    .areas(spark);
    frame.render_widget(Paragraph::new("All incidents"), label);
    frame.render_widget(Sparkline::default().data(&values), chart);
    let peak = data
        .period_totals
        .iter()
        .zip(&data.periods)
        .filter(|(c, _)| matches!(c, AnalyticsCount::Exact(_)))
        .max_by_key(|(c, _)| c.value());
    let so_far = if last.is_some_and(|p| p.partial) {
        " so far"
    } else {
        ""
    };
    let ends = match (data.period_totals.first(), data.period_totals.last()) {
        (Some(a), Some(b)) => format!("first {a} · last {b}{so_far}"),
        _ => String::new(),
    };
    let peak = peak
        .map(|(c, p)| format!(" · peak {c} ({})", p.label))
        .unwrap_or_default();
    frame.render_widget(Paragraph::new(format!("{ends}{peak}")), numbers);
}

/// One horizontal bar per group, its total written beside it; the highlighted one marked.
fn draw_bars(trends: &Trends, context: &Context, data: &Analytics, frame: &mut Frame, area: Rect) {
    let block = Block::new()
        .borders(Borders::ALL)
        .border_style(context.theme.focus_border)
        .title(format!(
            " {} {} · enter lists the highlighted one's records ",
            data.groups.len(),
            groups_name(data.by)
        ));
    let inner = block.inner(area);
    frame.render_widget(block, area);
    if data.groups.is_empty() {
        frame.render_widget(
            Paragraph::new("Nothing was recorded in this period."),
            inner,
        );
        return;
    }
    let rows = usize::from(inner.height).max(1);
    let selected = trends.selected.min(data.groups.len() - 1);
    let first = selected.saturating_sub(rows - 1);
    let label_width = usize::from(inner.width / 3).clamp(12, 34);
    let shown: Vec<_> = data
        .groups
        .iter()
        .enumerate()
        .skip(first)
        .take(rows)
        .collect();
    let bars: Vec<Bar> = shown
        .iter()
        .map(|(i, group)| {
            let marker = if *i == selected { "▶ " } else { "  " };
            let label = format!("{marker}{}", fit(&group.label, label_width - 2));
            let style = if *i == selected {
                context.theme.selected
            } else {
                Style::default()
            };
            Bar::default()
                .value(group.total.value())
                .label(Line::styled(label, style))
                .text_value(String::new())
        })
        .collect();
    let [chart, numbers] =
        Layout::horizontal([Constraint::Min(20), Constraint::Length(8)]).areas(inner);
    let max = data
        .groups
        .iter()
        .map(|g| g.total.value())
        .max()
        .unwrap_or(1);
    frame.render_widget(
        BarChart::default()
            .direction(Direction::Horizontal)
            .bar_width(1)
            .bar_gap(0)
            .max(max.max(1))
            .data(BarGroup::default().bars(&bars)),
        chart,
    );
    let counts: Vec<Line> = shown
        .iter()
        .map(|(i, group)| {
            let line = Line::from(format!("{:>7}", group.total.to_string()));
            if *i == selected {
                line.style(context.theme.selected)
            } else {
                line
            }
        })
        .collect();
    frame.render_widget(Paragraph::new(counts), numbers);
}

/// The highlighted group per period: a bar each, with its count under it.
fn draw_over_time(trends: &Trends, data: &Analytics, frame: &mut Frame, area: Rect) {
    let Some(group) = data.groups.get(trends.selected) else {
        frame.render_widget(Block::new().borders(Borders::ALL), area);
        return;
    };
    let under_way = if data.periods.last().is_some_and(|p| p.partial) {
        " · * so far"
    } else {
        ""
    };
    let block = Block::new().borders(Borders::ALL).title(format!(
        " {} per {}{under_way} ",
        fit(&group.label, 40),
        per(data.interval)
    ));
    let inner = block.inner(area);
    frame.render_widget(block, area);
    let periods = data.periods.len().max(1);
    let [chart, counts] =
        Layout::vertical([Constraint::Min(2), Constraint::Length(1)]).areas(inner);
    let slot = usize::from(inner.width) / periods;
    let bar_width = u16::try_from(slot.saturating_sub(1).clamp(1, 6)).unwrap_or(1);
    let bars: Vec<Bar> = data
        .periods
        .iter()
        .zip(&group.counts)
        .map(|(period, count)| {
            let so_far = if period.partial { "*" } else { "" };
            Bar::default()
                .value(count.value())
                .label(Line::from(format!(
                    "{}{so_far}",
                    period_tick(data.interval, period.start)
                )))
                .text_value(String::new())
        })
        .collect();
    frame.render_widget(
        BarChart::default()
            .bar_width(bar_width)
            .bar_gap(1)
            .bar_style(Style::default().add_modifier(Modifier::BOLD))
            .data(BarGroup::default().bars(&bars)),
        chart,
    );
    let step = usize::from(bar_width) + 1;
    let line: String = group
        .counts
        .iter()
        .map(|c| format!("{:<step$}", fit(&c.to_string(), step)))
        .collect();
    frame.render_widget(Paragraph::new(line), counts);
}

/// The keys of the screen, for the hint line; while a filter is typed, the filter.
pub fn hints(trends: &Trends) -> String {
    match &trends.typing {
        Some(text) => format!("/ {text}▏ (org:… type:… service:… created:…) enter applies"),
        None => {
            "j/k · enter its records · b grouping · i week/month · / filter · esc back".to_string()
        }
    }
}
