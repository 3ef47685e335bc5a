//! The linear mode, for screen readers: no box drawing and no spinners; one item a line,
//! each value with its label, what has the keyboard first. Changes are announced on the
//! message line in words.

use ratatui::Frame;
use ratatui::text::Line;
use ratatui::widgets::{Paragraph, Wrap};

use crate::tui::action::REGISTRY;
use crate::tui::help::palette_matches;
use crate::tui::layout::linear_rows;
use crate::tui::mode::{Focus, Mode, ReasonFor};
use crate::tui::msg::Connection;
use crate::tui::queue::pick_matches;
use crate::tui::{
    actions, forms, handover, people, person, queue, record, reminders, since, trends,
};

use super::state::State;

fn status(state: &State) -> Line<'static> {
    let mut parts = Vec::new();
    if let Some(me) = &state.context.me {
        parts.push(format!(
            "cims: {}{}, {}",
            me.user,
            if me.protective_intervener {
                ", protective intervener"
            } else {
                ""
            },
            me.organisation.name
        ));
    }
    parts.push(match &state.connection {
        Connection::Live if state.queue.frozen => "live updates frozen".to_string(),
        Connection::Live => "live".to_string(),
        Connection::Connecting => "connecting".to_string(),
        Connection::Offline(why) => format!("offline: {why}"),
    });
    if state.pending_writes > 0 {
        parts.push(format!("{} write(s) not yet sent", state.pending_writes));
    }
    let due = crate::tui::reminders::due(&state.context.reminders, state.context.now);
    if due > 0 {
        parts.push(format!("{due} reminder(s) due"));
    }
    if state.context.read_only {
        parts.push("read-only".to_string());
    }
    Line::from(parts.join("; "))
}

fn views(state: &State) -> Line<'static> {
    let views: Vec<String> = state
        .queue
        .views
        .iter()
        .enumerate()
        .map(|(i, v)| {
            let count = state
                .queue
                .counts
                .get(i)
                .copied()
                .flatten()
                .map_or_else(String::new, |n| format!(" {n}"));
            let shown = if i == state.queue.view {
                " (shown)"
            } else {
                ""
            };
            format!("{} {}{count}{shown}", i + 1, v.title)
        })
        .collect();
    Line::from(format!("Views: {}", views.join("; ")))
}

pub(super) fn view(state: &State, frame: &mut Frame) {
    let area = frame.area();
    let context = &state.context;
    let mut lines = vec![status(state), views(state)];
    if let Some((_, message)) = &state.message {
        lines.push(Line::from(format!("Message: {message}")));
    }
    let room = usize::from(area.height).saturating_sub(lines.len() + 2);
    // The rows left below `lines`, for the screens that fit their lists to them.
    let rest =
        |lines: &[Line]| usize::from(area.height).saturating_sub(linear_rows(lines, area.width));
    match &state.mode {
        Mode::Trends => lines.extend(trends::linear_lines(
            &state.trends,
            rest(&lines),
            area.width,
        )),
        Mode::Actions => lines.extend(actions::linear_lines(
            &state.actions,
            rest(&lines),
            area.width,
            context.now,
        )),
        Mode::Reason(ReasonFor::CloseAction { record, action, .. }, outcome) => {
            lines.push(Line::from(format!(
                "Closing action {action} of {record}, its outcome (enter closes it, esc \
                 cancels): {outcome}"
            )));
            lines.extend(actions::linear_lines(
                &state.actions,
                rest(&lines),
                area.width,
                context.now,
            ));
        }
        Mode::Form => {
            if let Some(form) = &state.form {
                lines.extend(forms::linear_lines(form, context, rest(&lines), area.width));
            }
        }
        Mode::Since => lines.extend(since::linear_lines(&state.since, context)),
        Mode::Handover => lines.extend(handover::linear_lines(&state.handover, context)),
        Mode::Reminders => lines.extend(reminders::linear_lines(&state.reminders, context)),
        Mode::People => lines.extend(people::linear_lines(&state.people, context)),
        Mode::Person => lines.extend(person::linear_lines(
            &state.person,
            context,
            rest(&lines),
            area.width,
        )),
        Mode::Reason(
            purpose @ (ReasonFor::SamePerson { .. }
            | ReasonFor::DifferentPerson { .. }
            | ReasonFor::UndoMerge { .. }),
            reason,
        ) => {
            lines.push(Line::from(format!(
                "{}, reason (enter confirms, esc cancels): {reason}",
                purpose.title()
            )));
            lines.extend(person::linear_lines(
                &state.person,
                context,
                rest(&lines),
                area.width,
            ));
        }
        Mode::Remind => {
            if let Some(compose) = &state.reminders.compose {
                lines.extend(reminders::linear_compose(compose, context));
            }
        }
        Mode::Help => {
            lines.push(Line::from("Keys:"));
            lines.extend(REGISTRY.iter().skip(state.help.offset).map(|d| {
                Line::from(format!(
                    "{}: {}",
                    context.keymap.keys_of(d.action),
                    d.description
                ))
            }));
        }
        Mode::Palette(text, index) => {
            lines.push(Line::from(format!("Command: {text}")));
            for (i, def) in palette_matches(text).iter().take(12).enumerate() {
                let mark = if i == *index { ">" } else { " " };
                lines.push(Line::from(format!(
                    "{mark} {}: {}",
                    def.name, def.description
                )));
            }
        }
        Mode::Pick(text, index) => {
            lines.push(Line::from(format!("Assign to: {text}")));
            for (i, c) in pick_matches(context, text).iter().take(12).enumerate() {
                let mark = if i == *index { ">" } else { " " };
                lines.push(Line::from(format!(
                    "{mark} {} ({})",
                    c.display_name, c.user
                )));
            }
        }
        Mode::Reason(purpose, reason) => lines.push(Line::from(format!(
            "{}, reason (enter confirms, esc cancels): {reason}",
            purpose.title()
        ))),
        Mode::Confirm(question, _) => {
            lines.push(Line::from(format!(
                "{question} (y: yes, any other key: no)"
            )));
        }
        Mode::Note => {
            if let Some(editor) = &state.record.editor {
                lines.push(Line::from(format!(
                    "Writing a {} on {} (ctrl-s saves, esc keeps a draft):",
                    editor.category_name(),
                    editor.record_id
                )));
                lines.extend(editor.text().lines().map(|l| Line::from(l.to_string())));
            }
        }
        Mode::Filter(text) => {
            lines.push(Line::from(format!("Filter being typed: {text}")));
            lines.extend(queue::linear_lines(&state.queue, context, room));
        }
        Mode::Normal => {
            let record = record::linear_lines(&state.record, context);
            if state.focus == Focus::Record {
                lines.extend(record);
            } else {
                let rows = if record.is_empty() { room } else { room / 2 };
                lines.extend(queue::linear_lines(&state.queue, context, rows));
                lines.extend(record);
            }
        }
    }
    frame.render_widget(Paragraph::new(lines).wrap(Wrap { trim: false }), area);
}
