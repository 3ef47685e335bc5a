//! The reminders drawn: the list, soonest first, those come due marked in words; the
//! writer over the panes; and a record's own reminders beside its deadlines.

use chrono::{DateTime, Utc};
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::Line;
use ratatui::widgets::{Block, Borders, Clear, Paragraph};

use crate::tui::context::Context;
use crate::tui::layout::{REMINDER_DUE, overlay, readable, scrolled_list};
use crate::wire::Reminder;

use super::compose::Compose;
use super::state::ReminderScreen;
use super::update::due;
use crate::tui::when;

fn line(r: &Reminder, now: DateTime<Utc>) -> String {
    let state = if r.at <= now {
        format!("{REMINDER_DUE} DUE ")
    } else {
        String::new()
    };
    format!(
        "{state}{} · {} · {}",
        when::said(r.at, now),
        readable(&r.record),
        readable(&r.note)
    )
}

/// The title, the lines, and which line is highlighted.
fn body(screen: &ReminderScreen, context: &Context) -> (String, Vec<Line<'static>>, usize) {
    let reminders = &context.reminders;
    let title = format!(
        " Reminders · {} due · {} open ",
        due(reminders, context.now),
        reminders.len()
    );
    if reminders.is_empty() {
        let none =
            "No reminders. r on a record sets one (\"09:00 tomorrow\", \"fri 2pm\", \"in 2h\").";
        return (title, vec![Line::from(none)], 0);
    }
    let lines = reminders
        .iter()
        .enumerate()
        .map(|(i, r)| {
            let text = format!(
                "{} {}",
                if i == screen.selected { "▶" } else { " " },
                line(r, context.now)
            );
            if i == screen.selected {
                Line::styled(text, context.theme.selected)
            } else {
                Line::from(text)
            }
        })
        .collect();
    (title, lines, screen.selected)
}

pub fn draw(screen: &ReminderScreen, context: &Context, frame: &mut Frame, area: Rect) {
    let (title, lines, selected) = body(screen, context);
    scrolled_list(title, lines, selected, context, frame, area);
}

/// The list for the linear mode: its title as a line, then its lines.
pub fn linear_lines(screen: &ReminderScreen, context: &Context) -> Vec<Line<'static>> {
    let (title, lines, _) = body(screen, context);
    std::iter::once(Line::from(format!("{}:", title.trim())))
        .chain(lines)
        .collect()
}

/// The keys of the list, for the hint line.
pub fn hints() -> &'static str {
    "j/k choose · enter opens the record · d done · ctrl-r reload · esc back"
}

/// What the typed time reads as, or why it does not.
fn reading(compose: &Compose, now: DateTime<Utc>) -> String {
    if compose.when.trim().is_empty() {
        return "e.g. 09:00 tomorrow · fri 2pm · in 2h · 2026-12-20 09:00".into();
    }
    match when::parse(&compose.when, now) {
        Ok(at) => format!("→ {}", when::said(at, now)),
        Err(_) => "→ not a time yet".into(),
    }
}

fn compose_lines(compose: &Compose, now: DateTime<Utc>) -> Vec<Line<'static>> {
    let cursor = |field: usize| if compose.focus == field { "▏" } else { "" };
    vec![
        Line::from(format!("When: {}{}", compose.when, cursor(0))),
        Line::from(format!("      {}", reading(compose, now))),
        Line::from(format!("Note: {}{}", compose.note, cursor(1))),
    ]
}

/// The writer, over the panes.
pub fn draw_compose(compose: &Compose, context: &Context, frame: &mut Frame, area: Rect) {
    let rect = overlay(area, 70, 5);
    frame.render_widget(Clear, rect);
    frame.render_widget(
        Paragraph::new(compose_lines(compose, context.now)).block(
            Block::new()
                .borders(Borders::ALL)
                .border_style(context.theme.focus_border)
                .title(format!(
                    " reminder on {} · tab next · enter sets · esc cancels ",
                    compose.record
                )),
        ),
        rect,
    );
}

/// The writer for the linear mode.
pub fn linear_compose(compose: &Compose, context: &Context) -> Vec<Line<'static>> {
    std::iter::once(Line::from(format!(
        "Setting a reminder on {} (tab moves between when and note, enter sets it, esc cancels):",
        compose.record
    )))
    .chain(compose_lines(compose, context.now))
    .collect()
}
