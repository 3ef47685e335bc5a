//! People search in the terminal app (`P`): a name and a date of birth typed as a person
//! would, read as the person sought; who they may be, each with the band and the reasons
//! field by field; `enter` opens the person's timeline: who they are, every record they
//! appear in, the decisions that made them one, and who else they may be, where `s` merges,
//! `d` keeps apart and `u` undoes a decision, each with a reason (R-PERSON-1, R-PERSON-2).

use cims::tui::app::{State, update};
use cims::tui::mode::{Mode, ReasonFor};
use cims::tui::msg::{Effect, Msg};
use cims::tui::person::Row;
use cims::wire::{Candidate, Candidates, KeptApart, PersonEvent, PersonView, TimelineEntry};
use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use serde_json::json;

use crate::fixtures::melb;
use crate::tui::{both, press, screen, state};

fn found() -> Candidates {
    let field = |field: &str, left: &str, right: &str, reason: &str| json!({ "field": field, "left": left, "right": right, "reason": reason, "weight": 1.0, "detail": null });
    Candidates {
        candidates: vec![
            Candidate {
                person: "INT-2026-000001.child0".into(),
                records: 3,
                record: "INT-2026-000001".into(),
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
                    "score": 14.2, "band": "likely", "capped": null,
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
                explanation: json!({ "fields": [], "score": 6.0, "band": "possible", "capped": "twins_or_siblings" }),
                kept_apart: None,
            },
        ],
    }
}

#[test]
fn p_searches_by_name_and_date_of_birth_and_shows_who_they_may_be_with_the_reasons() {
    let mut s = state(false);
    press(&mut s, KeyCode::Char('P'));
    assert_eq!(s.mode, Mode::People);
    for c in "Jordon Smyth 2014-03-02".chars() {
        press(&mut s, KeyCode::Char(c));
    }
    let sent = press(&mut s, KeyCode::Enter);
    let [Effect::FindPeople { find }] = &sent[..] else {
        panic!("{sent:?}");
    };
    assert_eq!(
        (find.given_names.as_str(), find.family_name.as_str()),
        ("Jordon", "Smyth")
    );
    assert_eq!(find.date_of_birth.as_deref(), Some("2014-03-02"));
    update(&mut s, Msg::Candidates(Box::new(found())));
    s.message = None;
    both("people_search", &mut s);
    let drawn = screen(&mut s, 80, 24);
    assert!(
        drawn.contains("family name near (smyth ~ smith)"),
        "{drawn}"
    );
    press(&mut s, KeyCode::Char('j'));
    assert!(screen(&mut s, 120, 40).contains("never likely"));
    let opened = press(&mut s, KeyCode::Enter);
    assert_eq!(s.mode, Mode::Person);
    assert_eq!(
        opened,
        vec![Effect::LoadPerson {
            id: "INC-2026-000004.client0".into()
        }]
    );
}

#[test]
fn a_search_without_a_family_name_says_what_is_missing_and_the_linear_mode_lists_results() {
    let mut s = state(false);
    press(&mut s, KeyCode::Char('P'));
    press(&mut s, KeyCode::Char('J'));
    assert!(press(&mut s, KeyCode::Enter).is_empty());
    assert!(
        s.message
            .as_ref()
            .is_some_and(|(_, m)| m.contains("family name")),
        "{:?}",
        s.message
    );
    let mut linear = state(false);
    linear.context.linear = true;
    press(&mut linear, KeyCode::Char('P'));
    update(&mut linear, Msg::Candidates(Box::new(found())));
    linear.message = None;
    insta::assert_snapshot!("linear_people_80x24", screen(&mut linear, 80, 24));
}

const JORDAN: &str = "INT-2026-000001.child0";

fn entry(
    record: &str,
    kind: &str,
    role: &str,
    at: &str,
    stage: &str,
    status: &str,
    summary: &str,
) -> TimelineEntry {
    TimelineEntry {
        record: record.into(),
        kind: kind.into(),
        role: role.into(),
        position: 0,
        at: melb(at),
        org: "dffh".into(),
        stage: stage.into(),
        status: status.into(),
        summary: summary.into(),
        outcome: None,
    }
}

fn merge_event(action: &str, actor: &str, at: &str, reason: &str) -> PersonEvent {
    PersonEvent {
        merge: 7,
        action: action.into(),
        mention: "INC-2026-000004.client0".into(),
        same_as: JORDAN.into(),
        actor: actor.into(),
        at: melb(at),
        reason: reason.into(),
    }
}

/// Jordan as two reports and an incident give him, one person by a decision of alice's.
fn jordan() -> PersonView {
    let mut closed = entry(
        "INC-2025-000090",
        "incident",
        "client",
        "2025-06-14 10:00",
        "analysis_learning",
        "closed",
        "neglect · non_major",
    );
    closed.outcome = Some("substantiated".into());
    PersonView {
        id: JORDAN.into(),
        names: vec![
            "Jordan Smith".into(),
            "Jordon Smyth".into(),
            "JJ Smith".into(),
        ],
        dates_of_birth: vec!["2014-03-02".into()],
        cris_numbers: vec!["1234567".into()],
        phones: vec!["0400 111 222".into(), "03 9555 0101".into()],
        addresses: vec![
            "12 Example Street, Footscray VIC 3011".into(),
            "3/40 Other Road, Sunshine VIC 3020".into(),
        ],
        records: vec![
            entry(
                "INC-2026-000004",
                "incident",
                "client",
                "2026-11-20 14:30",
                "reporting",
                "open",
                "physical_abuse · major",
            ),
            entry(
                "INT-2026-000001",
                "intake",
                "child",
                "2026-10-02 23:30",
                "assess_classify",
                "open",
                "not classified yet",
            ),
            closed,
        ],
        more: false,
        history: vec![merge_event(
            "merged",
            "alice",
            "2026-11-21 09:15",
            "Same school and mother; the caller spelt the name otherwise",
        )],
    }
}

/// Who else Jordan may be: one already his, two others.
fn others() -> Candidates {
    let field = |field: &str, left: &str, right: &str, reason: &str| json!({ "field": field, "left": left, "right": right, "reason": reason, "weight": 1.0, "detail": null });
    let candidate = |person: &str, band: &str, score: f64, records: usize, explanation| Candidate {
        person: person.into(),
        records,
        record: person.split('.').next().unwrap_or_default().into(),
        role: "child".into(),
        position: 0,
        band: band.into(),
        score,
        explanation,
        kept_apart: None,
    };
    Candidates {
        candidates: vec![
            candidate(JORDAN, "likely", 16.0, 2, json!({ "fields": [] })),
            candidate(
                "INT-2026-000009.child0",
                "likely",
                12.5,
                1,
                json!({ "fields": [
                    field("given_name", "jordan", "jordan", "match"),
                    field("family_name", "smith", "smithe", "near"),
                    field("dob", "2014-03-02", "2014-03-02", "match"),
                ], "capped": null }),
            ),
            candidate(
                "INT-2026-000012.child0",
                "possible",
                5.0,
                1,
                json!({ "fields": [field("given_name", "jordan", "jaden", "near")], "capped": "twins_or_siblings" }),
            ),
        ],
    }
}

fn typed(s: &mut State, text: &str) {
    for c in text.chars() {
        press(s, KeyCode::Char(c));
    }
}

/// People search, Jordan found, `enter` on him: his timeline, read and with who else he may be.
fn timeline() -> State {
    let mut s = state(false);
    press(&mut s, KeyCode::Char('P'));
    typed(&mut s, "Jordon Smyth 2014-03-02");
    press(&mut s, KeyCode::Enter);
    update(&mut s, Msg::Candidates(Box::new(found())));
    press(&mut s, KeyCode::Enter);
    update(&mut s, Msg::Person(Box::new(jordan())));
    update(
        &mut s,
        Msg::PersonCandidates {
            person: JORDAN.into(),
            found: Box::new(others()),
        },
    );
    s.message = None;
    s
}

/// Down to the row `row`.
fn highlight(s: &mut State, row: Row) {
    press(s, KeyCode::Char('g'));
    while s.person.selected_row() != Some(row) {
        let before = s.person.selected;
        press(s, KeyCode::Char('j'));
        assert_ne!(before, s.person.selected, "no row {row:?}");
    }
}

#[test]
fn r_person_1_enter_on_someone_found_opens_their_timeline_and_esc_returns_to_the_results() {
    let mut s = state(false);
    press(&mut s, KeyCode::Char('P'));
    typed(&mut s, "Jordon Smyth 2014-03-02");
    press(&mut s, KeyCode::Enter);
    update(&mut s, Msg::Candidates(Box::new(found())));
    let opened = press(&mut s, KeyCode::Enter);
    assert_eq!(s.mode, Mode::Person);
    assert_eq!(opened, vec![Effect::LoadPerson { id: JORDAN.into() }]);
    assert!(screen(&mut s, 80, 24).contains(&format!("Reading {JORDAN}")));

    // An answer for someone else (a timeline left since) is dropped.
    let mut stranger = jordan();
    stranger.id = "INT-2026-000077.child0".into();
    assert!(update(&mut s, Msg::Person(Box::new(stranger))).is_empty());
    assert!(s.person.view.is_none());

    // Read, the timeline asks who else this may be: first name, last word the family name,
    // and the first date of birth.
    let asked = update(&mut s, Msg::Person(Box::new(jordan())));
    let [Effect::PersonCandidates { person, find }] = &asked[..] else {
        panic!("{asked:?}");
    };
    assert_eq!(person, JORDAN);
    assert_eq!(
        (find.given_names.as_str(), find.family_name.as_str()),
        ("Jordan", "Smith")
    );
    assert_eq!(find.date_of_birth.as_deref(), Some("2014-03-02"));

    let drawn = screen(&mut s, 80, 24);
    assert!(drawn.contains("Jordan Smith · Jordon Smyth"), "{drawn}");
    let lines: Vec<&str> = drawn.lines().collect();
    // A record's row: its id between spaces (the title names the mention).
    let at = |id: &str| lines.iter().position(|l| l.contains(&format!(" {id} ")));
    assert!(
        at("INC-2026-000004") < at("INT-2026-000001")
            && at("INT-2026-000001") < at("INC-2025-000090"),
        "newest first: {drawn}"
    );
    // The report received at 23:30 on 2 October, Melbourne time, is dated so.
    assert!(drawn.contains("02 Oct 2026 INT-2026-000001"), "{drawn}");

    press(&mut s, KeyCode::Esc);
    assert_eq!(s.mode, Mode::People);
    assert!(screen(&mut s, 80, 24).contains("People · 2 found"));
}

#[test]
fn r_person_1_enter_on_a_record_of_the_timeline_opens_that_record() {
    let mut s = timeline();
    highlight(&mut s, Row::Record(1));
    let opened = press(&mut s, KeyCode::Enter);
    assert_eq!(s.mode, Mode::Normal);
    assert!(
        opened
            .iter()
            .any(|e| matches!(e, Effect::LoadRecord { id } if id == "INT-2026-000001")),
        "{opened:?}"
    );
}

#[test]
fn r_person_2_who_else_this_may_be_leaves_out_those_already_this_person() {
    let s = timeline();
    let others: Vec<&str> = s
        .person
        .others()
        .iter()
        .map(|c| c.person.as_str())
        .collect();
    assert_eq!(
        others,
        vec!["INT-2026-000009.child0", "INT-2026-000012.child0"]
    );
    // An answer for a person left since is dropped.
    let mut s = s;
    update(
        &mut s,
        Msg::PersonCandidates {
            person: "INT-2026-000077.child0".into(),
            found: Box::new(Candidates {
                candidates: Vec::new(),
            }),
        },
    );
    assert_eq!(s.person.others().len(), 2);
}

#[test]
fn r_person_2_s_on_a_candidate_merges_with_a_reason() {
    let mut s = timeline();
    // Not on a candidate: s says where to be.
    assert!(press(&mut s, KeyCode::Char('s')).is_empty());
    assert_eq!(s.mode, Mode::Person);
    assert!(
        s.message
            .as_ref()
            .is_some_and(|(_, m)| m.contains("Who else this may be"))
    );

    highlight(&mut s, Row::Other(0));
    assert!(screen(&mut s, 120, 40).contains("family name near (smith ~ smithe)"));
    assert!(press(&mut s, KeyCode::Char('s')).is_empty());
    assert_eq!(
        s.mode,
        Mode::Reason(
            ReasonFor::SamePerson {
                person: JORDAN.into(),
                with: "INT-2026-000009.child0".into()
            },
            String::new()
        )
    );
    // The timeline stays under the prompt.
    let drawn = screen(&mut s, 80, 24);
    assert!(
        drawn.contains("INT-2026-000009.child0 is INT-2026-000001.child0 · reason"),
        "{drawn}"
    );
    assert!(drawn.contains("Who else this may be"), "{drawn}");

    // No reason, no merge.
    assert!(press(&mut s, KeyCode::Enter).is_empty());
    assert_eq!(s.mode, Mode::Person);
    assert!(
        s.message
            .as_ref()
            .is_some_and(|(_, m)| m == "a reason is needed")
    );

    press(&mut s, KeyCode::Char('s'));
    typed(&mut s, "Same school, same mother");
    let sent = press(&mut s, KeyCode::Enter);
    assert_eq!(s.mode, Mode::Person);
    assert_eq!(
        sent,
        vec![Effect::MergePeople {
            person: JORDAN.into(),
            with: "INT-2026-000009.child0".into(),
            reason: "Same school, same mother".into(),
        }]
    );

    // The timeline reloads from the answer, and asks again who else this may be.
    let mut merged = jordan();
    merged.records.insert(
        1,
        entry(
            "INT-2026-000009",
            "intake",
            "child",
            "2026-11-01 10:00",
            "conclude",
            "closed",
            "not classified yet",
        ),
    );
    let mut second = merge_event(
        "merged",
        "carol",
        "2026-11-24 09:00",
        "Same school, same mother",
    );
    second.merge = 8;
    second.mention = "INT-2026-000009.child0".into();
    merged.history.push(second);
    let again = update(&mut s, Msg::PeopleMerged(Box::new(merged)));
    assert!(
        matches!(&again[..], [Effect::PersonCandidates { .. }]),
        "{again:?}"
    );
    assert!(
        s.message
            .as_ref()
            .is_some_and(|(_, m)| m.starts_with("merged: 4 record(s)"))
    );
    let others: Vec<&str> = s
        .person
        .others()
        .iter()
        .map(|c| c.person.as_str())
        .collect();
    assert_eq!(others, vec!["INT-2026-000012.child0"]);

    // A refusal reads on the message line, in the server's words.
    s.message = None;
    update(
        &mut s,
        Msg::Failed("not merged: refused: INT-2026-000001.child0 and INT-2026-000012.child0 are one person already".into()),
    );
    assert!(screen(&mut s, 120, 40).contains("are one person already"));
}

#[test]
fn r_person_2_u_on_a_merge_not_undone_undoes_it_with_a_reason() {
    let mut s = timeline();
    assert!(press(&mut s, KeyCode::Char('u')).is_empty());
    assert!(
        s.message
            .as_ref()
            .is_some_and(|(_, m)| m.contains("decision in the history"))
    );

    highlight(&mut s, Row::Event(0));
    press(&mut s, KeyCode::Char('u'));
    assert_eq!(
        s.mode,
        Mode::Reason(
            ReasonFor::UndoMerge {
                person: JORDAN.into(),
                merge: 7
            },
            String::new()
        )
    );
    // Esc drops it, back on the timeline.
    press(&mut s, KeyCode::Esc);
    assert_eq!(s.mode, Mode::Person);
    press(&mut s, KeyCode::Char('u'));
    typed(&mut s, "The mother says they are cousins");
    let sent = press(&mut s, KeyCode::Enter);
    assert_eq!(
        sent,
        vec![Effect::UndoMerge {
            person: JORDAN.into(),
            merge: 7,
            reason: "The mother says they are cousins".into(),
        }]
    );

    let mut undone = jordan();
    undone.records.remove(0);
    undone.history.push(merge_event(
        "unmerged",
        "alice",
        "2026-11-24 09:05",
        "The mother says they are cousins",
    ));
    update(&mut s, Msg::MergeUndone(Box::new(undone)));
    assert!(
        s.message
            .as_ref()
            .is_some_and(|(_, m)| m.starts_with("merge 7 undone"))
    );
    assert!(screen(&mut s, 120, 40).contains("09:15 merged by alice (undone since)"));
    // A merge undone is not undone again.
    highlight(&mut s, Row::Event(0));
    assert!(press(&mut s, KeyCode::Char('u')).is_empty());
    assert_eq!(s.mode, Mode::Person);
}

#[test]
fn r_person_2_d_on_a_candidate_keeps_them_apart_and_matching_marks_them_after_that() {
    let mut s = timeline();
    // Not on a candidate: d says where to be.
    assert!(press(&mut s, KeyCode::Char('d')).is_empty());
    assert!(
        s.message
            .as_ref()
            .is_some_and(|(_, m)| m.contains("d decides they are not this person"))
    );

    highlight(&mut s, Row::Other(1));
    press(&mut s, KeyCode::Char('d'));
    let drawn = screen(&mut s, 80, 24);
    assert!(
        drawn.contains("INT-2026-000012.child0 is not INT-2026-000001.child0 · reason"),
        "{drawn}"
    );
    // No reason, no decision.
    assert!(press(&mut s, KeyCode::Enter).is_empty());
    press(&mut s, KeyCode::Char('d'));
    typed(&mut s, "Twin brother, Jaden");
    let sent = press(&mut s, KeyCode::Enter);
    assert_eq!(s.mode, Mode::Person);
    assert_eq!(
        sent,
        vec![Effect::KeepApart {
            person: JORDAN.into(),
            with: "INT-2026-000012.child0".into(),
            reason: "Twin brother, Jaden".into(),
        }]
    );

    // The answer: the decision in his history, and matching asked again, which marks the
    // twin as decided apart.
    let mut apart = jordan();
    let mut decision = merge_event(
        "kept_apart",
        "alice",
        "2026-11-24 09:00",
        "Twin brother, Jaden",
    );
    decision.merge = 9;
    decision.same_as = "INT-2026-000012.child0".into();
    apart.history.push(decision);
    let again = update(&mut s, Msg::PeopleKeptApart(Box::new(apart)));
    assert!(
        matches!(&again[..], [Effect::PersonCandidates { .. }]),
        "{again:?}"
    );
    assert!(
        s.message
            .as_ref()
            .is_some_and(|(_, m)| m.starts_with("kept apart: marked so"))
    );
    let mut marked = others();
    marked.candidates[2].kept_apart = Some(KeptApart {
        decision: 9,
        actor: "alice".into(),
        at: melb("2026-11-24 09:00"),
        reason: "Twin brother, Jaden".into(),
    });
    update(
        &mut s,
        Msg::PersonCandidates {
            person: JORDAN.into(),
            found: Box::new(marked),
        },
    );
    let drawn = screen(&mut s, 120, 40);
    assert!(drawn.contains("kept apart by alice"), "{drawn}");
    assert!(drawn.contains("· decision 9"), "{drawn}");
    assert!(
        drawn.contains("apart      5.0  INT-2026-000012")
            && drawn.contains("not this person: decision 9 by alice"),
        "{drawn}"
    );
    // s on the twin is refused in the app; d again says it is decided.
    highlight(&mut s, Row::Other(1));
    assert!(press(&mut s, KeyCode::Char('s')).is_empty());
    assert_eq!(s.mode, Mode::Person);
    assert!(
        s.message
            .as_ref()
            .is_some_and(|(_, m)| m.contains("undoes it first"))
    );
    assert!(press(&mut s, KeyCode::Char('d')).is_empty());
    assert!(
        s.message
            .as_ref()
            .is_some_and(|(_, m)| m.contains("already (decision 9)"))
    );

    // u on the decision undoes it, with a reason.
    highlight(&mut s, Row::Event(1));
    press(&mut s, KeyCode::Char('u'));
    assert_eq!(
        s.mode,
        Mode::Reason(
            ReasonFor::UndoMerge {
                person: JORDAN.into(),
                merge: 9
            },
            String::new()
        )
    );
    typed(&mut s, "Same boy after all");
    let sent = press(&mut s, KeyCode::Enter);
    assert_eq!(
        sent,
        vec![Effect::UndoMerge {
            person: JORDAN.into(),
            merge: 9,
            reason: "Same boy after all".into(),
        }]
    );
    let mut undone = s.person.view.clone().expect("the timeline");
    let mut undoing = merge_event(
        "apart_undone",
        "alice",
        "2026-11-24 09:10",
        "Same boy after all",
    );
    undoing.merge = 9;
    undone.history.push(undoing);
    update(&mut s, Msg::MergeUndone(Box::new(undone)));
    assert!(
        s.message
            .as_ref()
            .is_some_and(|(_, m)| m.starts_with("decision 9 undone"))
    );
    assert!(screen(&mut s, 120, 40).contains("kept apart by alice (undone since)"));
}

#[test]
fn r_person_2_merging_and_undoing_are_in_the_help_and_the_palette_and_not_in_read_only_mode() {
    let mut s = timeline();
    press(&mut s, KeyCode::Char('?'));
    assert_eq!(s.mode, Mode::Help);
    for _ in 0..40 {
        press(&mut s, KeyCode::Char('j'));
    }
    let help = screen(&mut s, 120, 40);
    assert!(
        help.contains("Timeline: merge the highlighted candidate")
            && help.contains("Timeline: decide the highlighted candidate is not"),
        "{help}"
    );
    press(&mut s, KeyCode::Esc);
    assert_eq!(
        s.mode,
        Mode::Person,
        "the help closes back onto the timeline"
    );

    highlight(&mut s, Row::Other(1));
    press(&mut s, KeyCode::Char(':'));
    typed(&mut s, "same person");
    press(&mut s, KeyCode::Enter);
    assert!(
        matches!(&s.mode, Mode::Reason(ReasonFor::SamePerson { with, .. }, _) if with == "INT-2026-000012.child0"),
        "{:?}",
        s.mode
    );
    press(&mut s, KeyCode::Esc);

    s.context.read_only = true;
    assert!(press(&mut s, KeyCode::Char('s')).is_empty());
    assert_eq!(s.mode, Mode::Person);
    assert!(
        s.message
            .as_ref()
            .is_some_and(|(_, m)| m.contains("read-only"))
    );
}

#[test]
fn a_persons_timeline_at_80x24_and_120x40_and_in_the_linear_mode() {
    let mut s = timeline();
    both("person_timeline", &mut s);
    highlight(&mut s, Row::Other(0));
    insta::assert_snapshot!("person_timeline_candidate_80x24", screen(&mut s, 80, 24));
    // Without colour the highlight still shows.
    s.context.theme = cims::tui::theme::Theme::built_in("mono").expect("mono");
    assert!(screen(&mut s, 80, 24).contains("▶ likely"));
    // Behind the privacy screen, who the person is leaves the screen.
    s.context.privacy = true;
    let hidden = screen(&mut s, 120, 40);
    assert!(
        !hidden.contains("Jordan Smith")
            && !hidden.contains("Example Street")
            && !hidden.contains("smithe")
            && !hidden.contains("the caller spelt"),
        "{hidden}"
    );

    let mut linear = timeline();
    linear.context.linear = true;
    insta::assert_snapshot!("linear_person_timeline_80x24", screen(&mut linear, 80, 24));
}

#[test]
fn a_person_who_cannot_be_read_is_said_so_on_the_timeline_and_ctrl_r_reads_them_again() {
    let mut s = state(false);
    press(&mut s, KeyCode::Char('P'));
    typed(&mut s, "Jordon Smyth 2014-03-02");
    press(&mut s, KeyCode::Enter);
    update(&mut s, Msg::Candidates(Box::new(found())));
    press(&mut s, KeyCode::Enter);
    update(
        &mut s,
        Msg::PersonUnread {
            person: JORDAN.into(),
            error: "the server could not answer: busy".into(),
        },
    );
    let drawn = screen(&mut s, 80, 24);
    assert!(!drawn.contains("Reading"), "{drawn}");
    assert!(
        drawn.contains(&format!(
            "{JORDAN} could not be read: the server could not answer: busy"
        )),
        "{drawn}"
    );
    assert!(drawn.contains("ctrl-r reads it again"), "{drawn}");
    let ctrl_r = Msg::Key(KeyEvent::new(KeyCode::Char('r'), KeyModifiers::CONTROL));
    assert_eq!(
        update(&mut s, ctrl_r),
        vec![Effect::LoadPerson { id: JORDAN.into() }]
    );
    assert_eq!(s.mode, Mode::Person);
    assert!(screen(&mut s, 80, 24).contains(&format!("Reading {JORDAN}")));
    // Another person's failure is not this one's.
    update(
        &mut s,
        Msg::PersonUnread {
            person: "INT-2026-000077.child0".into(),
            error: "no such record".into(),
        },
    );
    assert!(screen(&mut s, 80, 24).contains(&format!("Reading {JORDAN}")));
}

#[test]
fn when_matching_cannot_be_asked_the_timeline_says_so_under_who_else_this_may_be() {
    let mut s = timeline();
    update(
        &mut s,
        Msg::PersonCandidatesFailed {
            person: JORDAN.into(),
            error: "the server could not answer: busy".into(),
        },
    );
    let drawn = screen(&mut s, 120, 40);
    assert!(!drawn.contains("Asking matching"), "{drawn}");
    assert!(
        drawn.contains(
            "Matching could not be asked (the server could not answer: busy): ctrl-r asks again."
        ),
        "{drawn}"
    );
    assert!(!drawn.contains("INT-2026-000009"), "{drawn}");
    // Read again, the timeline stays on screen; a failure to read it again is said above it.
    let ctrl_r = Msg::Key(KeyEvent::new(KeyCode::Char('r'), KeyModifiers::CONTROL));
    assert_eq!(
        update(&mut s, ctrl_r),
        vec![Effect::LoadPerson { id: JORDAN.into() }]
    );
    update(
        &mut s,
        Msg::PersonUnread {
            person: JORDAN.into(),
            error: "no server at http://127.0.0.1:1 (refused)".into(),
        },
    );
    let drawn = screen(&mut s, 120, 40);
    assert!(drawn.contains("Not read again (no server"), "{drawn}");
    assert!(drawn.contains("Records · 3, newest first"), "{drawn}");
    // Read at last: who else he may be is asked again.
    let asked = update(&mut s, Msg::Person(Box::new(jordan())));
    assert!(
        matches!(&asked[..], [Effect::PersonCandidates { .. }]),
        "{asked:?}"
    );
    assert!(!screen(&mut s, 120, 40).contains("Not read again"));
    linear_unread_snapshot();
}

/// The linear mode says a person could not be read in words, with the key to try again.
fn linear_unread_snapshot() {
    let mut linear = state(false);
    linear.context.linear = true;
    press(&mut linear, KeyCode::Char('P'));
    update(&mut linear, Msg::Candidates(Box::new(found())));
    press(&mut linear, KeyCode::Enter);
    update(
        &mut linear,
        Msg::PersonUnread {
            person: JORDAN.into(),
            error: "the server could not answer: busy".into(),
        },
    );
    linear.message = None;
    insta::assert_snapshot!("linear_person_unread_80x24", screen(&mut linear, 80, 24));
}

#[test]
fn the_privacy_screen_blanks_the_search_and_the_match_reasons_on_people_search() {
    let mut s = state(false);
    press(&mut s, KeyCode::Char('P'));
    typed(&mut s, "Jordon Smyth 2014-03-02");
    press(&mut s, KeyCode::Enter);
    update(&mut s, Msg::Candidates(Box::new(found())));
    assert!(screen(&mut s, 80, 24).contains("jordon ~ jordan"));
    press(&mut s, KeyCode::Char('p'));
    assert!(s.context.privacy);
    assert_eq!(s.mode, Mode::People);
    for (width, height) in [(80, 24), (120, 40)] {
        let drawn = screen(&mut s, width, height);
        for hidden in ["Jordon", "jordon", "smyth", "2014-03-02"] {
            assert!(!drawn.contains(hidden), "{hidden} at {width}: {drawn}");
        }
        assert!(drawn.contains("likely    14.2  INT-2026-000001"), "{drawn}");
    }
    s.context.linear = true;
    let said = screen(&mut s, 80, 24);
    assert!(!said.contains("jordon"), "{said}");
    s.context.linear = false;
    // Any key takes the privacy screen away, and does nothing else.
    press(&mut s, KeyCode::Char('j'));
    assert!(!s.context.privacy);
    assert!(screen(&mut s, 80, 24).contains("jordon ~ jordan"));
}
