//! What each action of the registry does, whether its key was pressed or the palette ran
//! it: most belong to one screen; the app does the rest, and what crosses screens.

use crate::tui::action::Action;
use crate::tui::forms::Form;
use crate::tui::mode::{Focus, Mode, ReasonFor};
use crate::tui::msg::Effect;
use crate::tui::reply::{Level, Reply};
use crate::tui::{actions, handover, people, person, queue, record, reminders, since, trends};

use super::state::State;

/// The actions that write.
fn writes(action: Action) -> bool {
    matches!(
        action,
        Action::Tick
            | Action::NewNote
            | Action::Assign
            | Action::Advance
            | Action::Endorse
            | Action::WithdrawEndorsement
            | Action::NewRecord
            | Action::Waive
            | Action::Classify
            | Action::RaiseAction
            | Action::Remind
            | Action::LinkIncident
            | Action::NewAllegation
            | Action::SamePerson
            | Action::DifferentPerson
            | Action::UndoMerge
            | Action::RetrySubmission
    )
}

fn effects(effects: Vec<Effect>) -> Vec<Reply> {
    effects.into_iter().map(Reply::Effect).collect()
}

pub(super) fn perform(state: &mut State, action: Action) -> Vec<Reply> {
    if state.context.read_only && writes(action) {
        state.message = Some((
            Level::Error,
            "read-only mode: nothing can be changed (start without --read-only to write)".into(),
        ));
        return Vec::new();
    }
    let page = state.queue.page.max(1) as isize;
    match action {
        Action::MoveDown => return move_by(state, 1),
        Action::MoveUp => return move_by(state, -1),
        Action::PageDown => return move_by(state, page),
        Action::PageUp => return move_by(state, -page),
        Action::Top => return move_by(state, isize::MIN / 2),
        Action::Bottom => return move_by(state, isize::MAX / 2),
        Action::Zoom => {
            state.queue.zoomed = !state.queue.zoomed;
            state.focus = Focus::Queue;
            return preview_later(state);
        }
        Action::Open => {
            state.queue.zoomed = false;
            if let Some(row) = state.queue.selected_row() {
                return vec![Reply::OpenRecord(row.id.clone())];
            }
        }
        Action::Back => {
            state.mode = Mode::Normal;
            state.focus = Focus::Queue;
        }
        Action::Quit => return quit(state),
        Action::NextPane => {
            state.focus = match state.focus {
                Focus::Queue if state.record.open.is_some() => Focus::Record,
                _ => Focus::Queue,
            };
        }
        Action::NextTab | Action::PrevTab => {
            return effects(record::next_tab(
                &mut state.record,
                action == Action::NextTab,
            ));
        }
        Action::Filter => state.mode = Mode::Filter(state.queue.filter.clone()),
        Action::Sort => return queue::sort(&mut state.queue),
        Action::SortPrevColumn => return queue::sort_column(&mut state.queue, false),
        Action::SortNextColumn => return queue::sort_column(&mut state.queue, true),
        Action::Help => {
            state.help.back = over(state);
            state.mode = Mode::Help;
        }
        Action::Palette => {
            state.help.back = over(state);
            state.mode = Mode::Palette(String::new(), 0);
        }
        Action::Tick => {
            if state.focus == Focus::Record {
                return record::tick(&state.record);
            }
        }
        Action::Assign => return queue::assign(&state.queue, &state.context),
        Action::Explain => state.record.explain = !state.record.explain,
        Action::Trends => return trends::open(&state.trends),
        Action::LearningActions => return actions::open(&state.actions),
        Action::Since => return since::open(&state.since),
        Action::Handovers => {
            let candidates = if state.queue.marked.is_empty() {
                state
                    .queue
                    .selected_row()
                    .map(|r| r.id.clone())
                    .into_iter()
                    .collect()
            } else {
                state.queue.marked.iter().cloned().collect()
            };
            return handover::open(&mut state.handover, candidates);
        }
        Action::Remind => {
            // The record in the pane when it has the keyboard, else the highlighted row.
            let record = match state.focus {
                Focus::Record => state.record.open.as_ref().map(|o| o.id.clone()),
                Focus::Queue => state.queue.selected_row().map(|r| r.id.clone()),
            };
            return reminders::compose(&mut state.reminders, record, state.context.read_only);
        }
        Action::Reminders => return reminders::open(),
        Action::People => return people::open(&mut state.people),
        Action::SamePerson => {
            return person::same_person(&state.person, state.mode == Mode::Person);
        }
        Action::DifferentPerson => {
            return person::different_person(&state.person, state.mode == Mode::Person);
        }
        Action::UndoMerge => return person::undo_merge(&state.person, state.mode == Mode::Person),
        Action::Candidates => {
            state.message = Some((
                Level::Info,
                format!(
                    "in the form of a new incident or intake report, {} moves into who its client, child or parent may already be",
                    state.context.keymap.keys_of(Action::Candidates)
                ),
            ));
        }
        Action::LinkIncident => {
            if state.record.kind() == Some("intake") && state.record.loaded().is_some() {
                state.mode = Mode::Reason(ReasonFor::LinkIncident, String::new());
            } else {
                state.message = Some((
                    Level::Error,
                    "open the intake report first: it is linked to its incident".into(),
                ));
            }
        }
        Action::NewAllegation => match state.record.loaded() {
            Some((_, view)) if state.record.kind() == Some("incident") => {
                let mut form = Form::allegation(&view.record, state.context.now);
                // Who the child copied across may already be is asked at once.
                let asks = form.ask_all();
                state.form = Some(form);
                state.mode = Mode::Form;
                return effects(asks);
            }
            _ => {
                state.message = Some((
                    Level::Error,
                    "open the incident first: its intake report is registered from it".into(),
                ));
            }
        },
        Action::Export => return vec![queue::export(&state.queue, state.context.now)],
        Action::RaiseAction => return raise_action(state),
        Action::Waive => return record::waive(&state.record),
        Action::WithdrawEndorsement => {
            return record::withdraw(&state.record, state.context.policy.as_ref());
        }
        Action::Classify => {
            if state.record.kind() == Some("intake")
                && let Some((open, view)) = state.record.loaded()
            {
                state.form = Some(Form::classify(&open.id, view.version));
                state.mode = Mode::Form;
            }
        }
        Action::NewRecord => match &state.context.policy {
            Some(policy) => {
                state.form = Some(Form::incident(policy, state.context.now));
                state.mode = Mode::Form;
            }
            None => {
                state.message = Some((
                    Level::Error,
                    "the policy has not loaded yet: try again in a moment".into(),
                ));
                return vec![Reply::Effect(Effect::LoadPolicy)];
            }
        },
        Action::Advance | Action::Endorse => return record::ask_first(&state.record, action),
        Action::RetrySubmission => return record::retry(&state.record),
        Action::NewNote => return record::new_note(&mut state.record),
        Action::Mark => queue::mark(&mut state.queue),
        Action::MarkRange => queue::mark_range(&mut state.queue),
        Action::Privacy => state.context.privacy = true,
        Action::Freeze => return effects(queue::freeze(&mut state.queue)),
        Action::Refresh if state.mode == Mode::Person => return person::reload(&mut state.person),
        Action::Refresh => {
            let mut reload = queue::reload(&mut state.queue);
            reload.push(reminders::load());
            if let Some(open) = &state.record.open {
                reload.push(Effect::LoadRecord {
                    id: open.id.clone(),
                });
            }
            return effects(reload);
        }
        Action::View(n) => return effects(queue::show_view(&mut state.queue, n)),
    }
    Vec::new()
}

/// The screen the help or the palette opens over, to go back to: a person's timeline, or
/// the panes.
fn over(state: &State) -> Option<Mode> {
    (state.mode == Mode::Person).then_some(Mode::Person)
}

/// Moves the selection of the pane with the keyboard.
fn move_by(state: &mut State, delta: isize) -> Vec<Reply> {
    match state.focus {
        Focus::Queue => {
            queue::move_by(&mut state.queue, delta);
            preview_later(state)
        }
        Focus::Record => {
            record::move_cursor(&mut state.record, delta);
            Vec::new()
        }
    }
}

/// The record pane follows the highlight once it rests (`Msg::Preview`), unless the queue
/// has the whole screen or the record shown is already the highlighted one.
pub(super) fn preview_later(state: &State) -> Vec<Reply> {
    let Some(row) = state.queue.selected_row() else {
        return Vec::new();
    };
    let shown = state.record.open.as_ref().is_some_and(|o| o.id == row.id);
    if state.queue.zoomed || shown {
        return Vec::new();
    }
    vec![Reply::Effect(Effect::PreviewAfter { id: row.id.clone() })]
}

/// `q`: out of the record pane, else out of the app, unless writes are still unsent.
fn quit(state: &mut State) -> Vec<Reply> {
    if state.focus == Focus::Record {
        state.focus = Focus::Queue;
    } else if state.pending_writes > 0 {
        state.message = Some((
            Level::Error,
            format!(
                "{} write(s) not yet sent: they are kept and sent when the server is back; press ctrl-q to quit anyway",
                state.pending_writes
            ),
        ));
    } else {
        state.quit = true;
        return vec![Reply::Effect(Effect::Quit)];
    }
    Vec::new()
}

/// `A` on an incident: the form for a new learning action.
fn raise_action(state: &mut State) -> Vec<Reply> {
    let Some((open, view)) = state.record.loaded() else {
        return Vec::new();
    };
    if state.record.kind() != Some("incident") {
        return vec![Reply::Message(
            Level::Info,
            "learning actions belong to incidents, not intake reports".into(),
        )];
    }
    let me = state
        .context
        .me
        .as_ref()
        .map(|m| m.user.clone())
        .unwrap_or_default();
    state.form = Some(Form::learning_action(
        &open.id,
        view.version,
        &me,
        &state.context.colleagues,
        state.context.now,
    ));
    state.mode = Mode::Form;
    Vec::new()
}
