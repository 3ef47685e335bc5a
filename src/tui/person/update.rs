//! The timeline's part of `update`: moving among the records, the decisions and the
//! others; opening a record; asking for the reason a merge or its undoing needs.

use ratatui::crossterm::event::{KeyCode, KeyEvent};

use crate::tui::action::{Action, Key, Scope};
use crate::tui::keymap::Keymap;
use crate::tui::matching::find_person;
use crate::tui::mode::{Mode, ReasonFor};
use crate::tui::msg::Effect;
use crate::tui::reply::{Level, Reply};
use crate::wire::{Candidates, FindPerson, PersonView};

use super::state::{PersonScreen, Row, is_undoing};

/// Rows a page key moves.
const PAGE: usize = 10;

/// The timeline of the person `id` (any of their mentions), read afresh.
pub fn open(screen: &mut PersonScreen, id: String) -> Vec<Reply> {
    *screen = PersonScreen {
        id: id.clone(),
        ..PersonScreen::default()
    };
    vec![
        Reply::Mode(Mode::Person),
        Reply::Effect(Effect::LoadPerson { id }),
    ]
}

/// Who else the person may be is asked by their first name (its last word the family
/// name) and their first date of birth, for them: their own records are left out and
/// those decided not to be them are marked. None without a given and a family name.
fn sought(view: &PersonView) -> Option<FindPerson> {
    find_person(
        view.names.first()?,
        view.dates_of_birth.first().map(String::as_str),
    )
    .map(|find| FindPerson {
        person: Some(view.id.clone()),
        ..find
    })
}

/// Whether the answer is the person on the timeline; one for a person left since is
/// dropped.
fn is_shown(screen: &PersonScreen, view: &PersonView) -> bool {
    view.id == screen.id
}

fn keep_in_rows(screen: &mut PersonScreen) {
    screen.selected = screen.selected.min(screen.rows().len().saturating_sub(1));
}

/// The person as read: shown, and who else they may be asked again.
pub fn on_person(screen: &mut PersonScreen, view: PersonView) -> Vec<Reply> {
    if !is_shown(screen, &view) {
        return Vec::new();
    }
    let find = sought(&view);
    screen.view = Some(view);
    screen.unread = None;
    keep_in_rows(screen);
    match find {
        Some(find) => vec![Reply::Effect(Effect::PersonCandidates {
            person: screen.id.clone(),
            find: Box::new(find),
        })],
        None => {
            screen.candidates = Some(Vec::new());
            Vec::new()
        }
    }
}

/// The person as a merge left them.
pub fn on_merged(screen: &mut PersonScreen, view: PersonView) -> Vec<Reply> {
    if !is_shown(screen, &view) {
        return Vec::new();
    }
    let records = view.records.len();
    let mut replies = on_person(screen, view);
    replies.push(Reply::Message(
        Level::Info,
        format!(
            "merged: {records} record(s) are this person's now; u on the merge in the history undoes it"
        ),
    ));
    replies
}

/// The person as a decision keeping another apart from them left them.
pub fn on_kept_apart(screen: &mut PersonScreen, view: PersonView) -> Vec<Reply> {
    if !is_shown(screen, &view) {
        return Vec::new();
    }
    let mut replies = on_person(screen, view);
    replies.push(Reply::Message(
        Level::Info,
        "kept apart: marked so under who else this may be; u on the decision undoes it".into(),
    ));
    replies
}

/// The person as undoing a decision left them.
pub fn on_undone(screen: &mut PersonScreen, view: PersonView) -> Vec<Reply> {
    if !is_shown(screen, &view) {
        return Vec::new();
    }
    let undone = view
        .history
        .iter()
        .filter(|e| is_undoing(e))
        .max_by_key(|e| e.at)
        .map(|e| (e.merge, e.action == "unmerged"));
    let mut replies = on_person(screen, view);
    if let Some((decision, merge)) = undone {
        let what = if merge { "merge" } else { "decision" };
        replies.push(Reply::Message(
            Level::Info,
            format!("{what} {decision} undone: both events stay in the history"),
        ));
    }
    replies
}

/// Who matching proposes for the person on the timeline; an answer for one left since is
/// dropped.
pub fn on_candidates(screen: &mut PersonScreen, person: &str, found: Candidates) -> Vec<Reply> {
    if person == screen.id {
        screen.candidates = Some(found.candidates);
        screen.unmatched = None;
        keep_in_rows(screen);
    }
    Vec::new()
}

/// The person could not be read: said on the timeline, where the refresh key reads again.
pub fn on_unread(screen: &mut PersonScreen, person: &str, error: String) -> Vec<Reply> {
    if person == screen.id {
        screen.unread = Some(error);
    }
    Vec::new()
}

/// Matching could not be asked who else the person may be: said where they would be.
pub fn on_candidates_failed(screen: &mut PersonScreen, person: &str, error: String) -> Vec<Reply> {
    if person == screen.id {
        screen.candidates = None;
        screen.unmatched = Some(error);
        keep_in_rows(screen);
    }
    Vec::new()
}

/// The refresh key: the person read again, the timeline kept on screen until they are;
/// who else they may be is asked again once they are.
pub fn reload(screen: &mut PersonScreen) -> Vec<Reply> {
    screen.unread = None;
    screen.unmatched = None;
    vec![
        Reply::Message(Level::Info, format!("reading {} again", screen.id)),
        Reply::Effect(Effect::LoadPerson {
            id: screen.id.clone(),
        }),
    ]
}

/// `enter`: the highlighted record, or the record an other is named in, opens.
fn open_row(screen: &PersonScreen) -> Vec<Reply> {
    let record = match (screen.selected_row(), &screen.view) {
        (Some(Row::Record(i)), Some(view)) => view.records.get(i).map(|r| r.record.clone()),
        (Some(Row::Other(i)), _) => screen.others().get(i).map(|c| c.record.clone()),
        _ => None,
    };
    record.map_or_else(Vec::new, |id| {
        vec![Reply::Mode(Mode::Normal), Reply::OpenRecord(id)]
    })
}

pub fn key(screen: &mut PersonScreen, keymap: &Keymap, key: KeyEvent) -> Vec<Reply> {
    let last = screen.rows().len().saturating_sub(1);
    match key.code {
        KeyCode::Esc | KeyCode::Char('q') => return vec![Reply::Mode(Mode::People)],
        KeyCode::Down | KeyCode::Char('j') => screen.selected = (screen.selected + 1).min(last),
        KeyCode::Up | KeyCode::Char('k') => screen.selected = screen.selected.saturating_sub(1),
        KeyCode::PageDown => screen.selected = (screen.selected + PAGE).min(last),
        KeyCode::PageUp => screen.selected = screen.selected.saturating_sub(PAGE),
        KeyCode::Home | KeyCode::Char('g') => screen.selected = 0,
        KeyCode::End | KeyCode::Char('G') => screen.selected = last,
        KeyCode::Enter => return open_row(screen),
        _ => {
            return match keymap.action(Key::from_event(&key), Scope::Person) {
                Some(
                    action @ (Action::SamePerson
                    | Action::DifferentPerson
                    | Action::UndoMerge
                    | Action::Help
                    | Action::Palette
                    | Action::Privacy
                    | Action::Refresh),
                ) => vec![Reply::Perform(action)],
                _ => Vec::new(),
            };
        }
    }
    Vec::new()
}

/// `s`: the highlighted other is this person, once the user says why; not one decided
/// apart from them while that decision stands.
pub fn same_person(screen: &PersonScreen, on_timeline: bool) -> Vec<Reply> {
    decide_on_other(screen, on_timeline, true)
}

/// `d`: the highlighted other is not this person, once the user says why; matching then
/// marks them so for this person.
pub fn different_person(screen: &PersonScreen, on_timeline: bool) -> Vec<Reply> {
    decide_on_other(screen, on_timeline, false)
}

/// The reason asked for a decision that the highlighted other is (`same`) or is not this
/// person; what stands in the way said instead.
fn decide_on_other(screen: &PersonScreen, on_timeline: bool, same: bool) -> Vec<Reply> {
    let other = screen.selected_other().filter(|_| on_timeline);
    if let Some(apart) = other.and_then(|c| c.kept_apart.as_ref()) {
        let said = if same {
            format!(
                "decided not to be this person (decision {}): u on that decision in the history undoes it first",
                apart.decision
            )
        } else {
            format!(
                "decided not to be this person already (decision {})",
                apart.decision
            )
        };
        return vec![Reply::Message(Level::Error, said)];
    }
    let Some(with) = other.map(|c| c.person.clone()) else {
        let (key, decides) = if same {
            ("s", "they are this person")
        } else {
            ("d", "they are not this person")
        };
        return vec![Reply::Message(
            Level::Error,
            format!(
                "on a person's timeline, highlight someone under \"Who else this may be\": {key} decides {decides}"
            ),
        )];
    };
    let person = screen.id.clone();
    let purpose = if same {
        ReasonFor::SamePerson { person, with }
    } else {
        ReasonFor::DifferentPerson { person, with }
    };
    vec![Reply::Mode(Mode::Reason(purpose, String::new()))]
}

/// `u`: the highlighted decision is undone, once the user says why.
pub fn undo_merge(screen: &PersonScreen, on_timeline: bool) -> Vec<Reply> {
    match screen.standing_decision().filter(|_| on_timeline) {
        Some(event) => vec![Reply::Mode(Mode::Reason(
            ReasonFor::UndoMerge {
                person: screen.id.clone(),
                merge: event.merge,
            },
            String::new(),
        ))],
        None => vec![Reply::Message(
            Level::Error,
            "on a person's timeline, highlight a decision in the history that is not undone: u undoes it"
                .into(),
        )],
    }
}
