//! `update(state, msg) -> effects`: every change to the model, pure and tested without a
//! terminal or a network. Effects are carried out by the driver, whose results come back
//! as messages. Each message goes to the screens it concerns; what they reply beyond their
//! own state, the app does here.

use ratatui::crossterm::event::KeyEventKind;

use crate::tui::mode::{Focus, Mode};
use crate::tui::msg::{Connection, Effect, Merged, Msg};
use crate::tui::reply::{Level, Reply};
use crate::tui::{
    actions, forms, handover, people, person, queue, record, reminders, since, trends,
};

use super::attention;
use super::keys::on_key;
use super::perform::{perform, preview_later};
use super::state::State;

pub fn update(state: &mut State, msg: Msg) -> Vec<Effect> {
    match msg {
        Msg::Key(key) if key.kind == KeyEventKind::Release => Vec::new(),
        Msg::Key(key) => {
            state.last_key = state.context.now;
            let replies = on_key(state, key);
            apply(state, replies)
        }
        Msg::Tick(now) => {
            state.context.now = now;
            let mut effects = attention::on_tick(&mut state.attention);
            // Reminders set on another machine arrive, and those whose time has come alert.
            effects.push(reminders::load());
            if state.queue.counts_stale {
                effects.push(queue::load_counts(&mut state.queue));
            }
            // Someone walked away: identifying details leave the screen.
            if state
                .idle_lock
                .is_some_and(|idle| now - state.last_key >= idle)
            {
                state.context.privacy = true;
            }
            effects
        }
        Msg::Counts(counts) => {
            state.queue.counts = counts;
            Vec::new()
        }
        Msg::Policy(policy) => {
            state.context.policy = Some(*policy);
            Vec::new()
        }
        Msg::Colleagues(list) => {
            state.context.colleagues = list;
            Vec::new()
        }
        Msg::Created(view) => {
            let id = record::show_created(&mut state.record, view);
            state.form = None;
            state.mode = Mode::Normal;
            state.message = Some((Level::Info, format!("{id} registered")));
            state.focus = Focus::Record;
            vec![queue::load(&state.queue)]
        }
        Msg::Refused {
            rule,
            message,
            field,
        } => {
            let replies = forms::refused(state.form.as_mut(), rule, message, field);
            apply(state, replies)
        }
        Msg::Me(me) => {
            state.context.me = Some(me);
            Vec::new()
        }
        Msg::QueueFor { query, sort, page } => {
            if query == state.queue.query() && sort == state.queue.sorted_by().0 {
                update(state, Msg::Queue(page))
            } else {
                Vec::new()
            }
        }
        Msg::Queue(page) => {
            queue::on_page(&mut state.queue, page);
            let mut reload = Vec::new();
            if !state.queue.has_page {
                state.queue.has_page = true;
                if std::mem::take(&mut state.queue.reload_after_first_page) {
                    reload = queue::reload(&mut state.queue);
                }
            }
            // The record on screen is seen as it is, whatever the page was counted against.
            if let Some((open, view)) = state.record.loaded() {
                queue::seen_at(&mut state.queue, &open.id, view.version);
            }
            // The pane follows the highlight, unless the user is in the record.
            let replies = if state.focus == Focus::Queue {
                preview_later(state)
            } else {
                Vec::new()
            };
            let mut effects = apply(state, replies);
            effects.extend(reload);
            effects
        }
        Msg::Preview(id) => {
            // Only if the highlight is still there and nothing else has the keyboard.
            let resting = state.queue.selected_row().is_some_and(|r| r.id == id);
            let shown = state.record.open.as_ref().is_some_and(|o| o.id == id)
                || state.record.previewing.as_deref() == Some(id.as_str());
            if !resting || shown || state.focus != Focus::Queue || state.queue.zoomed {
                return Vec::new();
            }
            let replies = record::preview(&mut state.record, id);
            apply(state, replies)
        }
        Msg::Record(view) => {
            let id = record::id_of(&view);
            let version = view.version;
            let history = record::on_view(&mut state.record, id.as_deref(), view);
            let seen = seen(state, id.as_deref(), version);
            let replies = forms::landed(&mut state.form, id.as_deref());
            let mut effects = apply(state, replies);
            // After a write lands, the open list shows where things now stand.
            if state.mode == Mode::Actions {
                effects.push(actions::load(&state.actions));
            }
            effects.extend(history);
            effects.extend(seen);
            effects
        }
        Msg::Analytics(analytics) => {
            trends::on_analytics(&mut state.trends, *analytics);
            Vec::new()
        }
        Msg::Actions(list) => {
            actions::on_actions(&mut state.actions, *list);
            Vec::new()
        }
        Msg::Exported(message) => {
            state.message = Some((Level::Info, message));
            Vec::new()
        }
        Msg::History(history) => {
            record::on_history(&mut state.record, history);
            Vec::new()
        }
        Msg::Submissions { record: id, answer } => {
            let replies = record::on_submissions(&mut state.record, &id, answer);
            apply(state, replies)
        }
        Msg::Retried {
            record: id,
            id: submission,
            answer,
        } => {
            let replies = record::on_retried(id, submission, answer);
            apply(state, replies)
        }
        Msg::Failed(message) => {
            state.message = Some((Level::Error, message));
            Vec::new()
        }
        Msg::Change(change) => {
            // The linear mode says what changed, as a plain line.
            if state.context.linear {
                state.message = Some((
                    Level::Info,
                    format!("{} changed (version {})", change.record_id, change.version),
                ));
            }
            let mut effects: Vec<Effect> = attention::on_change(&mut state.attention, &change)
                .into_iter()
                .collect();
            let Some(reload) = queue::on_change(&mut state.queue) else {
                return effects;
            };
            effects.push(reload);
            effects.extend(record::on_change(&state.record, change.record_id));
            effects
        }
        Msg::Since(answer) => {
            let replies = since::on_since(&mut state.since, *answer);
            apply(state, replies)
        }
        Msg::Handovers(data) => {
            let replies = handover::on_handovers(&mut state.handover, *data);
            let waiting = state.handover.waiting();
            let mut effects = apply(state, replies);
            effects.extend(attention::on_handovers(&mut state.attention, waiting));
            effects
        }
        Msg::HandoverWritten(written) => {
            let replies = handover::on_written(&mut state.handover, &written);
            queue::unmark_all(&mut state.queue);
            apply(state, replies)
        }
        Msg::Acknowledged => {
            state.message = Some((Level::Info, "handover acknowledged".into()));
            vec![handover::load()]
        }
        Msg::Reminders(data) => {
            let (replies, newly_due) = reminders::on_reminders(
                &mut state.reminders,
                &mut state.context.reminders,
                *data,
                state.context.now,
            );
            let mut effects = apply(state, replies);
            effects.extend(attention::on_reminders(&state.attention, newly_due));
            effects
        }
        Msg::ReminderSet(set) => {
            let replies = reminders::on_set(&mut state.reminders, &set, state.context.now);
            let mut effects = apply(state, replies);
            // Its record is in Mine now, and its row carries the time.
            effects.extend(queue::reload(&mut state.queue));
            effects
        }
        Msg::Candidates(found) => {
            let replies = people::on_candidates(&mut state.people, *found);
            apply(state, replies)
        }
        Msg::Person(view) => {
            let replies = person::on_person(&mut state.person, *view);
            apply(state, replies)
        }
        Msg::PeopleMerged(view) => {
            let replies = person::on_merged(&mut state.person, *view);
            apply(state, replies)
        }
        Msg::PeopleKeptApart(view) => {
            let replies = person::on_kept_apart(&mut state.person, *view);
            apply(state, replies)
        }
        Msg::MergeUndone(view) => {
            let replies = person::on_undone(&mut state.person, *view);
            apply(state, replies)
        }
        Msg::PersonCandidates { person: of, found } => {
            let replies = person::on_candidates(&mut state.person, &of, *found);
            apply(state, replies)
        }
        Msg::PersonUnread { person: of, error } => {
            let replies = person::on_unread(&mut state.person, &of, error);
            apply(state, replies)
        }
        Msg::PersonCandidatesFailed { person: of, error } => {
            let replies = person::on_candidates_failed(&mut state.person, &of, error);
            apply(state, replies)
        }
        Msg::MatchedRegistering {
            person: of,
            find,
            found,
        } => {
            let found = found.map(|f| f.candidates);
            forms::on_candidates(&mut state.form, &of, *find, found);
            Vec::new()
        }
        Msg::MergedOnRegistering(merged) => merged_on_registering(state, &merged),
        Msg::ReminderDone => {
            let replies = reminders::on_done();
            let mut effects = apply(state, replies);
            effects.extend(queue::reload(&mut state.queue));
            effects
        }
        Msg::AlertCounts(counts) => attention::on_counts(&mut state.attention, counts),
        Msg::Connection(connection) => {
            let reconnected =
                connection == Connection::Live && state.connection != Connection::Live;
            state.connection = connection;
            if reconnected && !state.queue.has_page {
                // The first page is on its way: nothing competes with it. Once it is on
                // screen it is read again, in case a change came before the feed was live.
                state.queue.reload_after_first_page = true;
                Vec::new()
            } else if reconnected {
                queue::reload(&mut state.queue)
            } else {
                Vec::new()
            }
        }
        Msg::Pending(n) => {
            state.pending_writes = n;
            Vec::new()
        }
    }
}

/// A mention of a person in words, short enough for the message line: `child 1` for
/// `INT-2026-000010.child0`; the mention itself when it does not read so.
fn in_words(mention: &str) -> String {
    let role = mention.rsplit_once('.').map_or(mention, |(_, role)| role);
    let digits = role.trim_start_matches(|c: char| !c.is_ascii_digit());
    match digits.parse::<usize>() {
        Ok(n) if !digits.is_empty() => format!("{} {}", &role[..role.len() - digits.len()], n + 1),
        _ => mention.to_string(),
    }
}

/// R-PERSON-2: what came of the people chosen as the same as others while registering,
/// on the message line after what the registering said; the new record, if shown, is read
/// again with its people as they now are.
fn merged_on_registering(state: &mut State, merged: &[Merged]) -> Vec<Effect> {
    let said: Vec<String> = merged
        .iter()
        .map(|m| {
            let who = in_words(&m.person);
            match (&m.refused, m.same) {
                (None, true) => format!("{who} is one person with {}", m.with),
                (None, false) => format!("{who} is kept apart from {}", m.with),
                (Some(why), true) => format!("{who} was not merged with {}: {why}", m.with),
                (Some(why), false) => format!("{who} was not kept apart from {}: {why}", m.with),
            }
        })
        .collect();
    let refused = merged.iter().any(|m| m.refused.is_some());
    let before = state.message.take();
    let level = match &before {
        Some((Level::Error, _)) => Level::Error,
        _ if refused => Level::Error,
        _ => Level::Info,
    };
    let text = match before {
        Some((_, text)) => format!("{text}; {}", said.join("; ")),
        None => said.join("; "),
    };
    state.message = Some((level, text));
    let shown = state.record.open.as_ref().map(|o| o.id.clone());
    shown
        .filter(|id| {
            merged
                .iter()
                .any(|m| m.person.starts_with(&format!("{id}.")))
        })
        .map(|id| Effect::LoadRecord { id })
        .into_iter()
        .collect()
}

/// The record shown is seen at its version: its row loses its changed mark, and the server
/// keeps the mark once the span of the Since list is fixed (so the span does not move).
fn seen(state: &mut State, id: Option<&str>, version: u64) -> Option<Effect> {
    let id = id?;
    state.record.open.as_ref().filter(|o| o.id == id)?;
    queue::seen_at(&mut state.queue, id, version);
    state.since.ready().then(|| Effect::MarkSeen {
        id: id.to_string(),
        version,
    })
}

/// Start watching what the alerts watch: the first counts are what later ones are
/// compared with.
pub fn watch(state: &mut State) -> Option<Effect> {
    attention::load(&mut state.attention)
}

/// Do what the screens replied, in order; the effects among them are the driver's.
pub(super) fn apply(state: &mut State, replies: Vec<Reply>) -> Vec<Effect> {
    let mut effects = Vec::new();
    for reply in replies {
        match reply {
            Reply::Effect(effect) => effects.push(effect),
            Reply::Mode(mode) => state.mode = mode,
            Reply::Focus(focus) => state.focus = focus,
            Reply::Message(level, text) => state.message = Some((level, text)),
            Reply::OpenRecord(id) => {
                let replies = record::open(&mut state.record, id);
                effects.extend(apply(state, replies));
            }
            Reply::OpenPerson(id) => {
                let replies = person::open(&mut state.person, id);
                effects.extend(apply(state, replies));
            }
            Reply::ShowQueue { filter } => {
                effects.push(queue::show_filtered(&mut state.queue, filter));
                state.focus = Focus::Queue;
                state.mode = Mode::Normal;
            }
            Reply::Perform(action) => {
                let replies = perform(state, action);
                effects.extend(apply(state, replies));
            }
        }
    }
    effects
}
