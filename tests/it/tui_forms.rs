//! Registering a new record in the terminal app, beside who its people may already be
//! (R-PERSON-1, R-PERSON-2): matching is asked about a client, child or parent once the
//! user leaves their name or date of birth, never per keystroke; an answer for a name
//! retyped since is dropped; `ctrl-o` moves into those proposed and `enter` chooses one as
//! the same person, which is merged only once the record exists.

use cims::tui::app::{State, update};
use cims::tui::forms::{Answer, Input};
use cims::tui::keymap::{Keymap, KeymapError};
use cims::tui::mode::Mode;
use cims::tui::msg::{Effect, Merged, Msg, SameAs};
use cims::tui::reply::Level;
use cims::wire::{Candidate, Candidates, FindPerson};
use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use serde_json::json;

use crate::tui::{both, press, record_view, screen, state};

/// The intake form's fields, in order, as far as the child's parent.
const CHILD_NAME: usize = 4;
const PARENT_NAME: usize = 6;

fn ctrl(s: &mut State, c: char) -> Vec<Effect> {
    update(
        s,
        Msg::Key(KeyEvent::new(KeyCode::Char(c), KeyModifiers::CONTROL)),
    )
}

fn typed(s: &mut State, text: &str) -> Vec<Effect> {
    text.chars()
        .flat_map(|c| press(s, KeyCode::Char(c)))
        .collect()
}

/// `N`, then `ctrl-t`: a new intake report, its first field in focus.
fn intake_form() -> State {
    let mut s = state(false);
    press(&mut s, KeyCode::Char('N'));
    ctrl(&mut s, 't');
    assert_eq!(s.mode, Mode::Form);
    s
}

fn down_to(s: &mut State, field: usize) -> Vec<Effect> {
    let mut sent = Vec::new();
    while s.form.as_ref().map(|f| f.focus) < Some(field) {
        sent.extend(press(s, KeyCode::Down));
    }
    sent
}

fn find(given: &str, family: &str, born: Option<&str>) -> FindPerson {
    FindPerson {
        given_names: given.into(),
        family_name: family.into(),
        aliases: Vec::new(),
        former_family_names: Vec::new(),
        date_of_birth: born.map(String::from),
        cris_number: None,
        phones: Vec::new(),
        addresses: Vec::new(),
        person: None,
    }
}

/// Who Jordon Smyth, born 2014-03-02, may already be: a child of a report, likely, and a
/// sibling of another, possible and capped.
fn proposed() -> Candidates {
    let field = |field: &str, left: &str, right: &str, reason: &str| json!({ "field": field, "left": left, "right": right, "reason": reason, "weight": 1.0, "detail": null });
    Candidates {
        candidates: vec![
            Candidate {
                person: "INT-2026-000009.child0".into(),
                records: 2,
                record: "INT-2026-000009".into(),
                role: "child".into(),
                position: 0,
                band: "likely".into(),
                score: 14.2,
                explanation: json!({
                    "fields": [
                        field("given_name", "jordon", "jordan", "near"),
                        field("family_name", "smyth", "smith", "near"),
                        field("dob", "2014-03-02", "2014-03-02", "match"),
                    ],
                    "capped": null,
                }),
                kept_apart: None,
            },
            Candidate {
                person: "INC-2026-000004.client0".into(),
                records: 1,
                record: "INC-2026-000004".into(),
                role: "client".into(),
                position: 0,
                band: "possible".into(),
                score: 6.0,
                explanation: json!({
                    "fields": [field("family_name", "smyth", "smyth", "match")],
                    "capped": "twins_or_siblings",
                }),
                kept_apart: None,
            },
        ],
    }
}

fn answer(s: &mut State, asked: FindPerson, found: Candidates) {
    update(
        s,
        Msg::MatchedRegistering {
            person: "child0".into(),
            find: Box::new(asked),
            found: Ok(Box::new(found)),
        },
    );
}

/// The child typed, their date of birth typed and left, and matching's answer in.
fn child_with_candidates() -> State {
    let mut s = intake_form();
    down_to(&mut s, CHILD_NAME);
    typed(&mut s, "Jordon Smyth");
    press(&mut s, KeyCode::Down);
    typed(&mut s, "2014-03-02");
    press(&mut s, KeyCode::Down);
    answer(
        &mut s,
        find("Jordon", "Smyth", Some("2014-03-02")),
        proposed(),
    );
    s.message = None;
    s
}

fn chosen(s: &State) -> Option<String> {
    s.form
        .as_ref()
        .and_then(|f| f.people.first())
        .and_then(|p| p.chosen.as_ref())
        .map(|c| c.person.clone())
}

fn message(s: &State) -> String {
    s.message
        .as_ref()
        .map(|(_, m)| m.clone())
        .unwrap_or_default()
}

#[test]
fn r_person_1_matching_is_asked_about_the_child_on_leaving_the_field_never_per_keystroke() {
    let mut s = intake_form();
    down_to(&mut s, CHILD_NAME);
    assert!(
        typed(&mut s, "Jordon Smyth").is_empty(),
        "nothing is asked while typing"
    );
    let asked = press(&mut s, KeyCode::Down);
    assert_eq!(
        asked,
        vec![Effect::MatchRegistering {
            person: "child0".into(),
            find: Box::new(find("Jordon", "Smyth", None)),
        }]
    );
    // The date of birth narrows it: asked again when that field is left.
    assert!(typed(&mut s, "2014-03-02").is_empty());
    let asked = press(&mut s, KeyCode::Down);
    assert_eq!(
        asked,
        vec![Effect::MatchRegistering {
            person: "child0".into(),
            find: Box::new(find("Jordon", "Smyth", Some("2014-03-02"))),
        }]
    );
    // Passing through again, nothing retyped, asks nothing more.
    for key in [KeyCode::Up, KeyCode::Up, KeyCode::Down, KeyCode::Down] {
        assert!(press(&mut s, key).is_empty(), "{key:?}");
    }
}

#[test]
fn r_person_1_a_name_of_one_word_is_not_asked_about_and_the_parent_is_asked_by_name() {
    let mut s = intake_form();
    down_to(&mut s, CHILD_NAME);
    typed(&mut s, "Jordon");
    assert!(press(&mut s, KeyCode::Down).is_empty());
    assert!(down_to(&mut s, PARENT_NAME).is_empty());
    typed(&mut s, "Dana Smyth");
    let asked = press(&mut s, KeyCode::Down);
    assert_eq!(
        asked,
        vec![Effect::MatchRegistering {
            person: "parent0".into(),
            find: Box::new(find("Dana", "Smyth", None)),
        }]
    );
}

#[test]
fn r_person_1_an_answer_for_a_name_retyped_since_is_dropped() {
    let mut s = intake_form();
    down_to(&mut s, CHILD_NAME);
    typed(&mut s, "Jordon Smyth");
    press(&mut s, KeyCode::Down);
    // Back to the name, and retyped before matching answers.
    press(&mut s, KeyCode::Up);
    typed(&mut s, "e");
    answer(&mut s, find("Jordon", "Smyth", None), proposed());
    let form = s.form.as_ref().expect("the form");
    assert!(
        matches!(form.people[0].answer, Answer::Asking),
        "{:?}",
        form.people[0].answer
    );
    assert!(!screen(&mut s, 120, 40).contains("INT-2026-000009"));
    // Leaving the field asks for the name as it now is; that answer is kept.
    let asked = press(&mut s, KeyCode::Down);
    assert_eq!(
        asked,
        vec![Effect::MatchRegistering {
            person: "child0".into(),
            find: Box::new(find("Jordon", "Smythe", None)),
        }]
    );
    answer(&mut s, find("Jordon", "Smythe", None), proposed());
    assert!(screen(&mut s, 120, 40).contains("INT-2026-000009"));
}

#[test]
fn r_person_1_when_matching_cannot_be_asked_the_form_says_so_and_leaving_the_field_asks_again() {
    let mut s = intake_form();
    down_to(&mut s, CHILD_NAME);
    typed(&mut s, "Jordon Smyth");
    press(&mut s, KeyCode::Down);
    update(
        &mut s,
        Msg::MatchedRegistering {
            person: "child0".into(),
            find: Box::new(find("Jordon", "Smyth", None)),
            found: Err("the server could not answer: busy".into()),
        },
    );
    let drawn = screen(&mut s, 80, 24);
    assert!(
        drawn.contains("Who the child may already be: Matching could not be asked (the"),
        "{drawn}"
    );
    assert!(
        drawn.contains("busy): leave the field to ask again."),
        "{drawn}"
    );
    assert_eq!(press(&mut s, KeyCode::Down).len(), 1, "asked again");
}

#[test]
fn r_person_2_enter_chooses_the_same_person_and_choosing_again_or_x_clears_it() {
    let mut s = child_with_candidates();
    // Typing goes on while nothing is chosen: ctrl-o moves into the candidates.
    assert!(ctrl(&mut s, 'o').is_empty());
    assert_eq!(s.form.as_ref().and_then(|f| f.browsing), Some(0));
    press(&mut s, KeyCode::Char('j'));
    press(&mut s, KeyCode::Enter);
    assert_eq!(chosen(&s).as_deref(), Some("INC-2026-000004.client0"));
    assert_eq!(
        s.form.as_ref().and_then(|f| f.browsing),
        None,
        "back in the fields"
    );
    assert!(message(&s).contains("merged once registered"));
    let drawn = screen(&mut s, 120, 40);
    assert!(
        drawn.contains("= same as INC-2026-000004.client0 (possible)"),
        "{drawn}"
    );
    // Choosing the same one again clears it.
    ctrl(&mut s, 'o');
    assert_eq!(s.form.as_ref().and_then(|f| f.browsing), Some(1));
    press(&mut s, KeyCode::Enter);
    assert_eq!(chosen(&s), None);
    assert!(!screen(&mut s, 120, 40).contains("= same as"));
    // Another chosen, then x clears it; esc goes back to the fields, the form still open.
    ctrl(&mut s, 'o');
    press(&mut s, KeyCode::Enter);
    assert_eq!(chosen(&s).as_deref(), Some("INT-2026-000009.child0"));
    ctrl(&mut s, 'o');
    press(&mut s, KeyCode::Char('x'));
    assert_eq!(chosen(&s), None);
    assert!(message(&s).contains("no longer chosen"), "{:?}", s.message);
    press(&mut s, KeyCode::Esc);
    assert_eq!(s.mode, Mode::Form);
    assert_eq!(s.form.as_ref().and_then(|f| f.browsing), None);
}

#[test]
fn r_person_2_with_no_one_proposed_ctrl_o_says_what_to_do_and_typing_is_never_taken() {
    let mut s = intake_form();
    down_to(&mut s, CHILD_NAME);
    ctrl(&mut s, 'o');
    assert!(
        message(&s).contains("given and family names"),
        "{:?}",
        s.message
    );
    assert_eq!(s.form.as_ref().and_then(|f| f.browsing), None);
    // x, j and k are letters of a name here.
    typed(&mut s, "Jax Kirk");
    let name = s.form.as_ref().map(|f| f.fields[CHILD_NAME].value.clone());
    assert_eq!(name, Some(Input::Text("Jax Kirk".into())));
}

#[test]
fn the_key_into_the_candidates_can_be_changed_but_never_to_one_a_form_needs() {
    let keys = |action: &str, key: &str| {
        std::collections::BTreeMap::from([(action.to_string(), vec![key.to_string()])])
    };
    assert!(Keymap::new(&keys("candidates", "f6")).is_ok());
    assert!(matches!(
        Keymap::new(&keys("candidates", "esc")),
        Err(KeymapError::Clash { .. })
    ));
}

#[test]
fn r_person_2_a_candidate_chosen_while_registering_is_merged_once_the_record_exists() {
    let mut s = child_with_candidates();
    ctrl(&mut s, 'o');
    press(&mut s, KeyCode::Enter);
    // The parent, named on the form, chosen as a parent of another report.
    typed(&mut s, "Dana Smyth");
    press(&mut s, KeyCode::Down);
    let mut parent = proposed();
    parent.candidates.truncate(1);
    parent.candidates[0].person = "INT-2026-000009.parent0".into();
    parent.candidates[0].role = "parent".into();
    update(
        &mut s,
        Msg::MatchedRegistering {
            person: "parent0".into(),
            find: Box::new(find("Dana", "Smyth", None)),
            found: Ok(Box::new(parent)),
        },
    );
    press(&mut s, KeyCode::Up);
    ctrl(&mut s, 'o');
    press(&mut s, KeyCode::Enter);
    // The rest of what the report needs.
    let form = s.form.as_mut().expect("the form");
    for field in form.fields.iter_mut() {
        match field.name {
            "reporter_name" => field.value = Input::Text("Robin Reporter".into()),
            "concerns" => field.value = Input::Text("Bruising seen at school.".into()),
            _ => {}
        }
    }
    let sent = ctrl(&mut s, 's');
    let [
        Effect::Create {
            same,
            link,
            details,
        },
    ] = &sent[..]
    else {
        panic!("{sent:?}");
    };
    assert_eq!(link, &None);
    let cims::domain::model::Details::Intake(intake) = details.as_ref() else {
        panic!("an intake report: {details:?}");
    };
    assert_eq!(intake.children[0].person.name, "Jordon Smyth");
    assert_eq!(intake.parents[0].person.name, "Dana Smyth");
    let reason = "Chosen as the same person when registering: likely, score 14.2";
    assert_eq!(
        same,
        &vec![
            SameAs {
                mention: "child0".into(),
                with: "INT-2026-000009.child0".into(),
                reason: reason.into(),
                same: true,
            },
            SameAs {
                mention: "parent0".into(),
                with: "INT-2026-000009.parent0".into(),
                reason: reason.into(),
                same: true,
            },
        ]
    );
    // Nothing is merged by the form: the driver merges once the record exists.
    assert!(!sent.iter().any(|e| matches!(e, Effect::MergePeople { .. })));
    let mut created = record_view(false);
    created.record["id"] = json!("INT-2026-000010");
    update(&mut s, Msg::Created(created));
    assert_eq!(message(&s), "INT-2026-000010 registered");
    let reread = update(
        &mut s,
        Msg::MergedOnRegistering(vec![Merged {
            person: "INT-2026-000010.child0".into(),
            with: "INT-2026-000009.child0".into(),
            same: true,
            refused: None,
        }]),
    );
    // Said in a line the message line holds at 80 columns.
    assert_eq!(
        message(&s),
        "INT-2026-000010 registered; child 1 is one person with INT-2026-000009.child0"
    );
    assert!(message(&s).chars().count() <= 80);
    assert_eq!(
        reread,
        vec![Effect::LoadRecord {
            id: "INT-2026-000010".into()
        }]
    );
}

#[test]
fn r_person_2_d_on_a_candidate_while_registering_keeps_them_apart_once_the_record_exists() {
    let mut s = child_with_candidates();
    ctrl(&mut s, 'o');
    // The second, a possible twin: not this child.
    press(&mut s, KeyCode::Char('j'));
    press(&mut s, KeyCode::Char('d'));
    assert_eq!(
        message(&s),
        "the child is not INC-2026-000004.client0: kept apart once registered"
    );
    assert!(message(&s).chars().count() <= 80);
    let drawn = screen(&mut s, 120, 40);
    assert!(drawn.contains("▶≠ possible"), "{drawn}");
    // Again: undecided; and again: decided.
    press(&mut s, KeyCode::Char('d'));
    assert!(message(&s).contains("no longer decided not to be"));
    press(&mut s, KeyCode::Char('d'));
    // The first chosen as the same child; both decisions go with the record.
    press(&mut s, KeyCode::Char('k'));
    press(&mut s, KeyCode::Enter);
    let drawn = screen(&mut s, 120, 40);
    assert!(
        drawn.contains("= same as INT-2026-000009.child0 (likely)")
            && drawn.contains("≠ not INC-2026-000004.client0 (possible)"),
        "{drawn}"
    );
    let form = s.form.as_mut().expect("the form");
    for field in form.fields.iter_mut() {
        match field.name {
            "reporter_name" => field.value = Input::Text("Robin Reporter".into()),
            "concerns" => field.value = Input::Text("Bruising seen at school.".into()),
            _ => {}
        }
    }
    let sent = ctrl(&mut s, 's');
    let [Effect::Create { same, .. }] = &sent[..] else {
        panic!("{sent:?}");
    };
    assert_eq!(
        same,
        &vec![
            SameAs {
                mention: "child0".into(),
                with: "INT-2026-000009.child0".into(),
                reason: "Chosen as the same person when registering: likely, score 14.2".into(),
                same: true,
            },
            SameAs {
                mention: "child0".into(),
                with: "INC-2026-000004.client0".into(),
                reason: "Decided not the same person when registering: possible, score 6.0".into(),
                same: false,
            },
        ]
    );
    let mut created = record_view(false);
    created.record["id"] = json!("INT-2026-000010");
    update(&mut s, Msg::Created(created));
    update(
        &mut s,
        Msg::MergedOnRegistering(vec![Merged {
            person: "INT-2026-000010.child0".into(),
            with: "INC-2026-000004.client0".into(),
            same: false,
            refused: None,
        }]),
    );
    assert_eq!(
        message(&s),
        "INT-2026-000010 registered; child 1 is kept apart from INC-2026-000004.client0"
    );

    // Choosing one decided apart as the same undecides it.
    let mut s = child_with_candidates();
    ctrl(&mut s, 'o');
    press(&mut s, KeyCode::Char('d'));
    press(&mut s, KeyCode::Enter);
    let form = s.form.as_ref().expect("the form");
    assert!(form.people[0].apart.is_empty());
    assert!(form.people[0].chosen.is_some());
}

#[test]
fn r_person_2_a_merge_refused_after_registering_is_said_in_the_server_s_words_and_the_record_stays()
{
    let mut s = child_with_candidates();
    let mut created = record_view(false);
    created.record["id"] = json!("INT-2026-000010");
    update(&mut s, Msg::Created(created));
    update(
        &mut s,
        Msg::MergedOnRegistering(vec![Merged {
            person: "INT-2026-000010.child0".into(),
            with: "INT-2026-000009.child0".into(),
            same: true,
            refused: Some("not allowed: you may not see INT-2026-000009".into()),
        }]),
    );
    assert_eq!(s.message.as_ref().map(|(l, _)| *l), Some(Level::Error));
    assert!(
        message(&s).ends_with(
            "child 1 was not merged with INT-2026-000009.child0: not allowed: you may not see \
             INT-2026-000009"
        ),
        "{}",
        message(&s)
    );
    assert!(message(&s).starts_with("INT-2026-000010 registered"));
    assert_eq!(s.mode, Mode::Normal);
    assert!(s.form.is_none());
}

#[test]
fn r_person_1_an_allegation_s_child_copied_from_the_incident_is_asked_about_at_once() {
    let mut s = state(false);
    press(&mut s, KeyCode::Enter);
    update(&mut s, Msg::Record(record_view(false)));
    let asked = press(&mut s, KeyCode::Char('I'));
    assert_eq!(
        asked,
        vec![Effect::MatchRegistering {
            person: "child0".into(),
            find: Box::new(find("Jordan", "Smith", None)),
        }]
    );
}

#[test]
fn r_person_1_the_intake_form_with_who_the_child_may_already_be_at_80x24_and_120x40() {
    let mut s = child_with_candidates();
    ctrl(&mut s, 'o');
    press(&mut s, KeyCode::Enter);
    s.message = None;
    both("intake_form_candidates", &mut s);
    let wide = screen(&mut s, 120, 40);
    for shown in [
        "Who the child may already be",
        "Asked: Jordon Smyth, 2014-03-02",
        " = likely 14.2 · in 2 record(s)",
        "INT-2026-000009 child 1",
        "given name near (jordon ~ jordan)",
        "= same as INT-2026-000009.child0 (likely)",
    ] {
        assert!(wide.contains(shown), "{shown:?} in\n{wide}");
    }
    let narrow = screen(&mut s, 80, 24);
    assert!(
        narrow.contains("Who the child may already be: 2 found · ctrl-o to choose among them"),
        "{narrow}"
    );
    assert!(
        narrow.contains(" = likely    14.2  INT-2026-000009  child 1  · in 2 record(s)"),
        "{narrow}"
    );
    // In the candidates: at 80 columns they take the form's place, with the reasons.
    ctrl(&mut s, 'o');
    press(&mut s, KeyCode::Char('j'));
    both("intake_form_choosing", &mut s);
    let narrow = screen(&mut s, 80, 24);
    assert!(narrow.contains("never likely"), "{narrow}");
    assert!(!narrow.contains("Reporter's name"), "{narrow}");
}

#[test]
fn r_person_1_the_linear_form_says_who_the_child_may_already_be_and_lists_them_to_choose() {
    let mut s = child_with_candidates();
    s.context.linear = true;
    ctrl(&mut s, 'o');
    press(&mut s, KeyCode::Enter);
    s.message = None;
    insta::assert_snapshot!(
        "linear_intake_form_candidates_80x24",
        screen(&mut s, 80, 24)
    );
    let shown = screen(&mut s, 120, 40);
    for line in [
        "  Same person as INT-2026-000009.child0 (likely), merged once registered.",
        "Who the child (Jordon Smyth, 2014-03-02) may already be: 2 found, ctrl-o to choose \
         among them:",
        "  likely; score 14.2; INT-2026-000009; as child 1; in 2 record(s); chosen",
    ] {
        assert!(shown.contains(line), "{line:?} in\n{shown}");
    }
    ctrl(&mut s, 'o');
    press(&mut s, KeyCode::Char('j'));
    insta::assert_snapshot!("linear_intake_form_choosing_80x24", screen(&mut s, 80, 24));
    let shown = screen(&mut s, 120, 40);
    assert!(
        shown.contains("> possible; score 6.0; INC-2026-000004; as client 1; in 1 record(s)"),
        "{shown}"
    );
    assert!(
        shown.contains("    family name match (smyth ~ smyth)"),
        "{shown}"
    );
}

#[test]
fn behind_the_privacy_screen_the_form_s_candidates_read_without_names_or_reasons() {
    let mut s = child_with_candidates();
    s.context.privacy = true;
    let wide = screen(&mut s, 120, 40);
    assert!(!wide.contains("Asked: Jordon"), "{wide}");
    assert!(!wide.contains("jordon ~ jordan"), "{wide}");
    assert!(wide.contains("INT-2026-000009 child 1"), "{wide}");
}
