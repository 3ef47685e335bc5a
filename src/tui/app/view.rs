//! `view(state, frame)`: draws the model and changes nothing. The screens draw themselves
//! in the places laid out here; overlays and prompts go over them.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::widgets::{Block, Borders, Clear, Paragraph, Wrap};

use crate::tui::action::REGISTRY;
use crate::tui::keymap::Keymap;
use crate::tui::layout::{draw_hints, overlay};
use crate::tui::mode::{Focus, Mode, ReasonFor};
use crate::tui::{
    actions, forms, handover, help, people, person, queue, record, reminders, since, trends,
};

use super::linear;
use super::state::State;
use super::status;

/// The smallest terminal the app lays its screen out in.
pub const MIN_SIZE: (u16, u16) = (80, 24);

pub fn view(state: &State, frame: &mut Frame) {
    let area = frame.area();
    if area.width < MIN_SIZE.0 || area.height < MIN_SIZE.1 {
        draw_too_small(frame, area);
        return;
    }
    if state.context.linear {
        linear::view(state, frame);
        return;
    }
    let [top, queue_area, detail, hints] = Layout::vertical([
        Constraint::Length(1),
        Constraint::Percentage(45),
        Constraint::Min(6),
        Constraint::Length(1),
    ])
    .areas(area);
    status::draw(state, frame, top);
    let context = &state.context;
    let message = state.message.as_ref().map(|(_, m)| m.as_str());
    let screen = top.union(hints).inner(ratatui::layout::Margin::new(0, 1));
    let closing_action = matches!(&state.mode, Mode::Reason(ReasonFor::CloseAction { .. }, _));
    // The timeline stays under the prompt for a merge's reason, and under the help and
    // the palette opened from it.
    let on_person = match &state.mode {
        Mode::Person
        | Mode::Reason(
            ReasonFor::SamePerson { .. }
            | ReasonFor::DifferentPerson { .. }
            | ReasonFor::UndoMerge { .. },
            _,
        ) => true,
        Mode::Help | Mode::Palette(..) => state.help.back == Some(Mode::Person),
        _ => false,
    };
    if state.mode == Mode::Trends {
        trends::draw(&state.trends, context, frame, screen);
        draw_hints(message, &trends::hints(&state.trends), frame, hints);
    } else if state.mode == Mode::Handover {
        handover::draw(&state.handover, context, frame, screen);
        draw_hints(message, handover::hints(), frame, hints);
    } else if on_person {
        person::draw(&state.person, context, frame, screen);
        draw_hints(message, &person::hints(&context.keymap), frame, hints);
    } else if state.mode == Mode::People {
        people::draw(&state.people, context, frame, screen);
        draw_hints(message, people::hints(&state.people), frame, hints);
    } else if state.mode == Mode::Reminders {
        reminders::draw(&state.reminders, context, frame, screen);
        draw_hints(message, reminders::hints(), frame, hints);
    } else if state.mode == Mode::Since {
        since::draw(&state.since, context, frame, screen);
        draw_hints(message, since::hints(), frame, hints);
    } else if state.mode == Mode::Actions || closing_action {
        actions::draw(&state.actions, context, frame, screen);
        draw_hints(message, actions::hints(), frame, hints);
    } else {
        let typing = match &state.mode {
            Mode::Filter(text) => Some(text.as_str()),
            _ => None,
        };
        let queue_area = if state.queue.zoomed {
            queue_area.union(detail)
        } else {
            queue_area
        };
        queue::draw(
            &state.queue,
            context,
            state.focus == Focus::Queue,
            typing,
            frame,
            queue_area,
        );
        if !state.queue.zoomed {
            record::draw(
                &state.record,
                context,
                state.focus == Focus::Record,
                frame,
                detail,
            );
        }
        if state.mode == Mode::Note
            && let Some(editor) = &state.record.editor
        {
            record::draw_editor(editor, context, frame, detail);
        }
        draw_hints(message, &key_hints(&context.keymap), frame, hints);
    }
    match &state.mode {
        Mode::Help => help::draw(&state.help, context, frame, area),
        Mode::Palette(text, index) => help::draw_palette(context, text, *index, frame, area),
        Mode::Pick(text, index) => queue::draw_pick(context, text, *index, frame, area),
        Mode::Confirm(question, _) => {
            let lines = question.chars().count().div_ceil(58);
            let rect = overlay(area, 60, u16::try_from(lines + 2).unwrap_or(3).min(10));
            frame.render_widget(Clear, rect);
            frame.render_widget(
                Paragraph::new(question.as_str())
                    .wrap(Wrap { trim: true })
                    .block(
                        Block::new()
                            .borders(Borders::ALL)
                            .border_style(context.theme.focus_border),
                    ),
                rect,
            );
        }
        Mode::Remind => {
            if let Some(compose) = &state.reminders.compose {
                reminders::draw_compose(compose, context, frame, area);
            }
        }
        Mode::Form => {
            if let Some(form) = &state.form {
                forms::draw(form, context, frame, area);
            }
        }
        Mode::Reason(purpose, reason) => {
            let rect = overlay(area, 70, 3);
            frame.render_widget(Clear, rect);
            frame.render_widget(
                Paragraph::new(format!("{reason}▏")).block(
                    Block::new()
                        .borders(Borders::ALL)
                        .border_style(context.theme.focus_border)
                        .title(format!(
                            " {} · reason · enter confirms · esc cancels ",
                            purpose.title()
                        )),
                ),
                rect,
            );
        }
        Mode::Normal
        | Mode::Filter(_)
        | Mode::Note
        | Mode::Trends
        | Mode::Actions
        | Mode::Since
        | Mode::Reminders
        | Mode::People
        | Mode::Person
        | Mode::Handover => {}
    }
}

/// Too small to lay out: say so, with the minimum, rather than draw a broken screen.
fn draw_too_small(frame: &mut Frame, area: Rect) {
    let text = format!(
        "cims needs a terminal of at least {}×{}; this one is {}×{}. Enlarge it (the screen \
         comes back at once), or press q to quit.",
        MIN_SIZE.0, MIN_SIZE.1, area.width, area.height
    );
    frame.render_widget(Paragraph::new(text).wrap(Wrap { trim: true }), area);
}

/// The keys of the panes, from the registry's hints.
fn key_hints(keymap: &Keymap) -> String {
    REGISTRY
        .iter()
        .filter_map(|d| d.hint.map(|h| format!("{} {h}", keymap.keys_of(d.action))))
        .collect::<Vec<_>>()
        .join("  ")
}
