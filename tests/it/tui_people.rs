//! People search in the terminal app (`P`): a name and a date of birth typed as a person
//! would, read as the person sought; who they may be, each with the band and the reasons
//! field by field; `enter` opens the record (R-PERSON-1, R-PERSON-2).

use cims::tui::app::update;
use cims::tui::mode::Mode;
use cims::tui::msg::{Effect, Msg};
use cims::wire::{Candidate, Candidates};
use ratatui::crossterm::event::KeyCode;
use serde_json::json;

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
    assert_eq!(s.mode, Mode::Normal);
    assert!(
        opened
            .iter()
            .any(|e| matches!(e, Effect::LoadRecord { id } if id == "INC-2026-000004")),
        "{opened:?}"
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
