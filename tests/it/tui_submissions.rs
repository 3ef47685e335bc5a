//! An incident's submissions in the terminal app (R-SUBMIT-1): the Submissions tab lists
//! what was sent or queued for the department, the regulator or CCYP, with each
//! recipient's answer; `t` asks for a rejected one to be sent again, or a failing one to be
//! tried now, after a confirm; Details says why a rejected record came back. The app shows
//! what the server sends this user and keeps nothing of it beyond the open record (R-PRIV-8).

use cims::domain::submissions::{Recipient, SubmissionKind};
use cims::tui::app::{State, update};
use cims::tui::mode::Mode;
use cims::tui::msg::{Effect, Msg};
use cims::tui::record::RecordTab;
use cims::tui::reply::Level;
use cims::wire::{Submission, SubmissionStatus};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::crossterm::event::KeyCode;
use ratatui::style::{Color, Modifier};
use serde_json::json;

use crate::api::harness::Persona;
use crate::api::submissions::{endorsed, worker};
use crate::e2e::{AppHome, Pty, server_on_sqlite};
use crate::fixtures::melb;
use crate::transport::{Behaviour, serve_http};
use crate::tui::{both, press, record_view, screen, state};

const RECORD: &str = "INC-2026-000001";

fn submission(id: i64, status: SubmissionStatus) -> Submission {
    Submission {
        id,
        idempotency_key: format!("{RECORD}-v{id}"),
        record_id: Some(RECORD.into()),
        org: "anglicare".into(),
        recipient: Recipient::Department,
        kind: SubmissionKind::IncidentReport,
        status,
        attempts: 1,
        next_try_at: melb("2026-11-23 16:00"),
        lease_until: None,
        sent_at: None,
        answered_at: None,
        reference: None,
        reasons: Vec::new(),
        last_error: None,
        queued_by: "carol".into(),
        queued_at: melb("2026-11-23 16:00"),
        replaces: None,
        batch: None,
        payload: json!({}),
    }
}

/// The first report, rejected by the department with its reasons.
fn rejected() -> Submission {
    Submission {
        sent_at: Some(melb("2026-11-23 16:05")),
        reasons: vec!["date of birth is missing".into(), "impact not given".into()],
        ..submission(1, SubmissionStatus::Rejected)
    }
}

/// The report sent again, accepted this morning.
fn accepted_again() -> Submission {
    Submission {
        sent_at: Some(melb("2026-11-24 08:15")),
        reference: Some("CIMS-004211".into()),
        replaces: Some(1),
        ..submission(2, SubmissionStatus::Accepted)
    }
}

/// The report sent again, not yet tried.
fn queued_again() -> Submission {
    Submission {
        attempts: 0,
        replaces: Some(1),
        ..submission(2, SubmissionStatus::Queued)
    }
}

fn sent(s: &mut State, list: Vec<Submission>) -> Vec<Effect> {
    update(
        s,
        Msg::Submissions {
            record: RECORD.into(),
            answer: Ok(list),
        },
    )
}

/// The incident open, as the server sends it: its submissions are asked for with it.
fn opened() -> State {
    let mut s = state(false);
    press(&mut s, KeyCode::Enter);
    let effects = update(&mut s, Msg::Record(record_view(false)));
    assert!(
        effects.contains(&Effect::LoadSubmissions { id: RECORD.into() }),
        "{effects:?}"
    );
    s
}

/// The incident open on its Submissions tab, which asks for them again as they now are.
fn on_the_tab() -> State {
    let mut s = opened();
    for _ in 0..3 {
        press(&mut s, KeyCode::Char('l'));
    }
    let effects = press(&mut s, KeyCode::Char('l'));
    assert_eq!(effects, vec![Effect::LoadSubmissions { id: RECORD.into() }]);
    assert_eq!(
        s.record.open.as_ref().map(|o| o.tab),
        Some(RecordTab::Submissions)
    );
    s
}

fn message(s: &State) -> Option<(Level, String)> {
    s.message.clone()
}

#[test]
fn r_submit_1_the_submissions_tab_lists_each_one_with_its_reference_or_reasons() {
    let mut s = on_the_tab();
    assert!(screen(&mut s, 80, 24).contains("loading …"));
    sent(&mut s, vec![accepted_again(), rejected()]);
    both("submissions_tab", &mut s);
    let drawn = screen(&mut s, 80, 24);
    for line in [
        "#2 Incident report → department",
        "✓ accepted, 1 attempt · sends again #1",
        "ref CIMS-004211 · sent 08:15 today",
        "#1 Incident report → department",
        "✗ rejected, 1 attempt",
        "– date of birth is missing",
        "– impact not given",
    ] {
        assert!(drawn.contains(line), "{line:?} in\n{drawn}");
    }
    // Sent again and accepted: nothing is left to send again, and Details says nothing
    // came back.
    assert!(!drawn.contains("sends it again"), "{drawn}");
    press(&mut s, KeyCode::Char('l'));
    assert!(!screen(&mut s, 120, 40).contains("Returned"));
}

#[test]
fn r_submit_1_a_failing_submission_shows_its_last_error_and_next_try() {
    let mut s = on_the_tab();
    sent(
        &mut s,
        vec![Submission {
            attempts: 3,
            next_try_at: melb("2026-11-24 09:30"),
            last_error: Some("the department answered 503 Service Unavailable".into()),
            ..submission(3, SubmissionStatus::Failing)
        }],
    );
    let drawn = screen(&mut s, 120, 40);
    for line in [
        "! failing, 3 attempts",
        "next try 09:30 today",
        "last error: the department answered 503 Service Unavailable",
        "t sends it again",
    ] {
        assert!(drawn.contains(line), "{line:?} in\n{drawn}");
    }
}

#[test]
fn r_submit_4_a_report_held_for_the_month_s_batch_and_one_sent_in_it_say_so() {
    let mut s = on_the_tab();
    sent(
        &mut s,
        vec![
            Submission {
                attempts: 0,
                ..submission(5, SubmissionStatus::Held)
            },
            Submission {
                batch: Some(9),
                ..submission(4, SubmissionStatus::Batched)
            },
        ],
    );
    let drawn = screen(&mut s, 80, 24);
    for line in [
        "◦ held for the month's batch, not yet tried",
        "↑ in the month's batch, 1 attempt",
        "sent with batch #9",
    ] {
        assert!(drawn.contains(line), "{line:?} in\n{drawn}");
    }
    assert!(!drawn.contains("t sends it again"), "{drawn}");
}

#[test]
fn r_submit_1_the_tab_says_when_nothing_was_sent_and_when_the_server_could_not_answer() {
    let mut s = on_the_tab();
    sent(&mut s, Vec::new());
    let drawn = screen(&mut s, 80, 24);
    assert!(
        drawn.contains("Nothing sent or queued for this record."),
        "{drawn}"
    );

    update(
        &mut s,
        Msg::Submissions {
            record: RECORD.into(),
            answer: Err("the server could not answer: busy".into()),
        },
    );
    assert_eq!(
        message(&s),
        Some((
            Level::Error,
            format!("{RECORD}'s submissions: the server could not answer: busy")
        ))
    );
    let drawn = screen(&mut s, 120, 40);
    assert!(
        drawn.contains("The submissions could not be read: the server could not answer: busy."),
        "{drawn}"
    );
    // Another record's answer is not this one's.
    sent(&mut s, vec![rejected()]);
    update(
        &mut s,
        Msg::Submissions {
            record: "INC-2026-000009".into(),
            answer: Ok(Vec::new()),
        },
    );
    assert!(screen(&mut s, 120, 40).contains("✗ rejected"));
}

#[test]
fn r_submit_1_t_asks_first_then_sends_the_rejected_one_again_and_reads_the_tab_again() {
    let mut s = on_the_tab();
    sent(&mut s, vec![rejected()]);
    assert!(
        screen(&mut s, 80, 24).contains("  t sends it again"),
        "the key is under the highlighted submission"
    );

    assert!(press(&mut s, KeyCode::Char('t')).is_empty());
    let Mode::Confirm(question, _) = &s.mode else {
        panic!("a confirm, not {:?}", s.mode);
    };
    assert_eq!(
        question,
        &format!("Send #1 (Incident report → department) again, as {RECORD} now stands? y / n")
    );
    press(&mut s, KeyCode::Char('n'));
    assert_eq!(s.mode, Mode::Normal);

    press(&mut s, KeyCode::Char('t'));
    let effects = press(&mut s, KeyCode::Char('y'));
    assert_eq!(
        effects,
        vec![Effect::RetrySubmission {
            record: RECORD.into(),
            id: 1
        }]
    );
    let effects = update(
        &mut s,
        Msg::Retried {
            record: RECORD.into(),
            id: 1,
            answer: Ok(Box::new(queued_again())),
        },
    );
    assert_eq!(effects, vec![Effect::LoadSubmissions { id: RECORD.into() }]);
    assert_eq!(
        message(&s),
        Some((Level::Info, "#1 is sent again as #2, queued".into()))
    );
    sent(&mut s, vec![queued_again(), rejected()]);
    let drawn = screen(&mut s, 80, 24);
    assert!(
        drawn.contains("◦ queued, not yet tried · sends again #1"),
        "{drawn}"
    );

    // Sent again already: the first is not offered again.
    press(&mut s, KeyCode::Char('j'));
    assert!(press(&mut s, KeyCode::Char('t')).is_empty());
    assert_eq!(s.mode, Mode::Normal);
    assert_eq!(
        message(&s),
        Some((Level::Info, "#1 is sent again already, as #2".into()))
    );
}

#[test]
fn r_submit_1_a_refusal_to_send_again_is_said_in_the_server_s_words() {
    let mut s = on_the_tab();
    sent(&mut s, vec![rejected()]);
    press(&mut s, KeyCode::Char('t'));
    press(&mut s, KeyCode::Char('y'));
    let effects = update(
        &mut s,
        Msg::Retried {
            record: RECORD.into(),
            id: 1,
            answer: Err("not allowed: your roles may not send submissions again".into()),
        },
    );
    assert_eq!(effects, vec![Effect::LoadSubmissions { id: RECORD.into() }]);
    assert_eq!(
        message(&s),
        Some((
            Level::Error,
            "#1 not sent again: not allowed: your roles may not send submissions again".into()
        ))
    );
}

#[test]
fn r_submit_1_t_acts_only_on_a_rejected_or_failing_submission_of_the_tab() {
    let mut s = on_the_tab();
    sent(&mut s, vec![accepted_again(), rejected()]);
    assert!(press(&mut s, KeyCode::Char('t')).is_empty());
    assert_eq!(
        message(&s),
        Some((Level::Info, "#2 is accepted: nothing to try again".into()))
    );
    // The cursor stays on the submissions: G reaches the oldest, and no further.
    press(&mut s, KeyCode::Char('G'));
    assert_eq!(s.record.open.as_ref().map(|o| o.cursor), Some(1));

    let mut details = opened();
    sent(&mut details, vec![rejected()]);
    assert!(press(&mut details, KeyCode::Char('t')).is_empty());
    assert_eq!(details.mode, Mode::Normal);
    assert_eq!(
        message(&details),
        Some((
            Level::Info,
            "open the Submissions tab to choose what to send again".into()
        ))
    );
}

#[test]
fn r_submit_1_sending_again_is_in_the_help_and_the_palette_and_not_in_read_only_mode() {
    let matches = cims::tui::help::palette_matches("retry submission");
    assert_eq!(matches.first().map(|d| d.name), Some("retry_submission"));
    let mut s = on_the_tab();
    press(&mut s, KeyCode::Char('?'));
    for _ in 0..60 {
        press(&mut s, KeyCode::Char('j'));
    }
    let help = screen(&mut s, 120, 40);
    assert!(
        help.contains("t              Send the highlighted rejected or failing submission again"),
        "{help}"
    );
    press(&mut s, KeyCode::Esc);

    sent(&mut s, vec![rejected()]);
    s.context.read_only = true;
    assert!(press(&mut s, KeyCode::Char('t')).is_empty());
    assert_eq!(s.mode, Mode::Normal);
    assert!(message(&s).is_some_and(|(_, m)| m.contains("read-only")));
}

#[test]
fn r_submit_1_details_says_why_a_rejected_record_came_back() {
    let mut s = opened();
    sent(&mut s, vec![rejected()]);
    both("details_returned", &mut s);
    let wide = screen(&mut s, 200, 40);
    assert!(
        wide.contains(
            "Returned  Incident report rejected by the department: date of birth is missing; impact not given"
        ),
        "{wide}"
    );
    // The reasons are the recipient's free text: the privacy screen blanks them.
    press(&mut s, KeyCode::Char('p'));
    let private = screen(&mut s, 200, 40);
    assert!(!private.contains("date of birth"), "{private}");
    assert!(
        private.contains("rejected by the department: ░░░░"),
        "{private}"
    );
    press(&mut s, KeyCode::Char('x'));
    // Sent again: no longer returned.
    sent(&mut s, vec![queued_again(), rejected()]);
    assert!(!screen(&mut s, 200, 40).contains("Returned"));
}

#[test]
fn r_submit_1_an_intake_report_has_no_submissions_tab() {
    let mut s = state(false);
    press(&mut s, KeyCode::Enter);
    let mut intake = record_view(false);
    intake.record["details"]["kind"] = json!("intake");
    let effects = update(&mut s, Msg::Record(intake));
    assert!(
        !effects
            .iter()
            .any(|e| matches!(e, Effect::LoadSubmissions { .. })),
        "{effects:?}"
    );
    for _ in 0..4 {
        let effects = press(&mut s, KeyCode::Char('l'));
        assert!(
            !effects.contains(&Effect::LoadSubmissions { id: RECORD.into() }),
            "{effects:?}"
        );
    }
    assert_eq!(
        s.record.open.as_ref().map(|o| o.tab),
        Some(RecordTab::Details),
        "four tabs, round to Details"
    );
    let drawn = screen(&mut s, 120, 40);
    assert!(
        drawn.contains("[Details] │ Checklist │ Notes │ History ─"),
        "{drawn}"
    );
}

#[test]
fn r_submit_1_without_colour_the_highlighted_submission_is_reversed_and_statuses_are_words() {
    let mut s = on_the_tab();
    s.context.theme = cims::tui::theme::Theme::built_in("mono").expect("mono");
    sent(&mut s, vec![accepted_again(), rejected()]);
    let mut terminal = Terminal::new(TestBackend::new(80, 24)).expect("terminal");
    terminal
        .draw(|frame| cims::tui::app::view(&s, frame))
        .expect("draw");
    let buffer = terminal.backend().buffer().clone();
    let row = (0..24)
        .find(|y| {
            (0..80)
                .map(|x| buffer[(x, *y)].symbol())
                .collect::<String>()
                .contains("#2 Incident report")
        })
        .expect("the highlighted submission");
    let first = (0..80)
        .find(|x| buffer[(*x, row)].symbol() == "#")
        .expect("its first cell");
    let style = buffer[(first, row)].style();
    assert!(style.add_modifier.contains(Modifier::REVERSED), "{style:?}");
    let plain = |c: Option<Color>| matches!(c, None | Some(Color::Reset));
    assert!(plain(style.fg) && plain(style.bg), "{style:?}");
    let status: String = (0..80).map(|x| buffer[(x, row + 1)].symbol()).collect();
    assert!(status.contains("✓ accepted"), "{status}");
}

/// Carol's incident, endorsed, and its report rejected by the department: it is back with
/// her, with the department's reasons.
async fn rejected_on_a_server() -> (tempfile::TempDir, crate::api::harness::Api, String) {
    let (db_dir, api) = server_on_sqlite().await;
    let id = endorsed(&api, "Client fell in the bathroom; seen by the GP.").await;
    let (_receiver, endpoint) = serve_http(Behaviour::Reject).await;
    let folder = tempfile::tempdir().expect("a directory");
    let worker = worker(
        &api,
        folder.path(),
        &endpoint,
        chrono::Duration::minutes(10),
    );
    assert_eq!(worker.round().await.expect("a round"), 1);
    (db_dir, api, id)
}

/// The incident opened from the All view.
async fn opened_in_a_terminal(pty: &mut Pty, id: &str) {
    pty.wait_for("the queue, live", |s| s.contains("● live"))
        .await;
    pty.keys("6");
    pty.wait_for("the incident", |s| s.contains(id)).await;
    pty.keys("\r");
    pty.wait_for("the incident open", |s| s.contains(&format!("{id} ─")))
        .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn r_submit_1_in_a_terminal_details_says_why_the_report_came_back_and_t_sends_it_again() {
    let (_db_dir, api, id) = rejected_on_a_server().await;
    let home = AppHome::new(&api.server.base, api.token(Persona::CsoDelegate));
    let mut pty = Pty::spawn(&home.env());
    opened_in_a_terminal(&mut pty, &id).await;
    pty.wait_for("why it came back, on Details", |s| {
        s.contains("Returned  Incident report rejected by the department: date of birth is")
    })
    .await;
    pty.keys("llll");
    let screen = pty
        .wait_for("the rejected report", |s| {
            s.contains("[Submissions]") && s.contains("– impact not given")
        })
        .await;
    assert!(screen.contains("– date of birth is missing"), "{screen}");
    pty.keys("t");
    pty.wait_for("the question", |s| {
        s.contains("Send #1 (Incident report → department) again")
    })
    .await;
    pty.keys("y");
    pty.wait_for("the new submission on the tab", |s| {
        s.contains("#1 is sent again as #2, queued")
            && s.contains("◦ queued, not yet tried · sends again #1")
    })
    .await;
    let again = api
        .get(Persona::CsoDelegate, "/v1/submissions/2")
        .await
        .expect(200, "the submission sent again");
    assert_eq!(again["replaces"], 1);
    assert_eq!(again["record_id"], id.as_str());
    pty.keys("q");
    pty.quit().await;
    api.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn r_submit_1_in_a_terminal_a_user_whose_roles_may_not_send_again_is_told_so() {
    let (_db_dir, api, id) = rejected_on_a_server().await;
    // A child protection practitioner sees the incident, but may not send it again.
    let home = AppHome::new(&api.server.base, api.token(Persona::Practitioner));
    let mut pty = Pty::spawn(&home.env());
    opened_in_a_terminal(&mut pty, &id).await;
    pty.keys("llll");
    pty.wait_for("its rejected report", |s| {
        s.contains("[Submissions]") && s.contains("✗ rejected, 1 attempt")
    })
    .await;
    pty.keys("t");
    pty.wait_for("the question", |s| {
        s.contains("Send #1 (Incident report → department) again")
    })
    .await;
    pty.keys("y");
    pty.wait_for("the refusal", |s| {
        s.contains("#1 not sent again: not allowed: your roles may not send submissions again")
    })
    .await;
    let all = api
        .get(
            Persona::CsoDelegate,
            &format!("/v1/submissions?record={id}"),
        )
        .await
        .expect(200, "the record's submissions");
    assert_eq!(all["submissions"].as_array().map(Vec::len), Some(1));
    pty.keys("q");
    pty.quit().await;
    api.stop().await;
}
