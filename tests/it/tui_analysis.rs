//! Stage 5 in the app: the Trends screen (counts written beside every bar, hidden counts as
//! `<5`, R-PRIV-4), listing a group's records, the open learning actions and closing one,
//! raising one on an incident, and exporting a view (R-STAGE).

use chrono::{Duration, NaiveDate};
use cims::domain::analytics::{GroupBy, Interval};
use cims::domain::commands::Command;
use cims::domain::model::LearningAction;
use cims::tui::app::update;
use cims::tui::mode::{Focus, Mode, ReasonFor};
use cims::tui::msg::{Effect, Msg};
use cims::wire::{
    Analytics, AnalyticsCount, AnalyticsGroup, AnalyticsPeriod, LearningActionRow, LearningActions,
};
use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use crate::tui::{both, now, press, record_view, screen, state};

fn count(n: u64, hidden: bool) -> AnalyticsCount {
    if hidden && (1..5).contains(&n) {
        AnalyticsCount::Hidden("<5".into())
    } else {
        AnalyticsCount::Exact(n)
    }
}

/// Twelve months to November 2026, the last still under way; six types, one rising.
fn analytics(hidden: bool) -> Analytics {
    let periods: Vec<AnalyticsPeriod> = (0..12)
        .map(|i| {
            let start = NaiveDate::from_ymd_opt(2025, 12, 1)
                .and_then(|d| d.checked_add_months(chrono::Months::new(i)))
                .expect("a month");
            AnalyticsPeriod {
                start,
                end: Interval::Month.end(start),
                label: Interval::Month.label(start),
                partial: i == 11,
            }
        })
        .collect();
    let series: [(&str, &str, [u64; 12]); 6] = [
        (
            "absent_client",
            "Absent client",
            [2, 3, 2, 4, 3, 5, 6, 8, 11, 14, 19, 7],
        ),
        (
            "physical_abuse",
            "Physical abuse",
            [6, 5, 7, 6, 5, 6, 7, 5, 6, 7, 6, 2],
        ),
        (
            "medication_error",
            "Medication error",
            [3, 4, 3, 2, 4, 3, 3, 4, 2, 3, 4, 1],
        ),
        (
            "self_harm",
            "Self-harm",
            [2, 1, 3, 2, 2, 1, 2, 3, 2, 1, 2, 0],
        ),
        ("neglect", "Neglect", [1, 0, 1, 2, 0, 1, 1, 0, 1, 0, 1, 0]),
        ("death", "Death", [0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0]),
    ];
    let dates = "created:2025-12-01..2026-11-24";
    let groups = series
        .iter()
        .map(|(key, label, counts)| AnalyticsGroup {
            key: key.to_string(),
            label: label.to_string(),
            query: Some(format!("kind:incident status:any type:{key} {dates}")),
            total: count(counts.iter().sum(), hidden),
            counts: counts.iter().map(|n| count(*n, hidden)).collect(),
        })
        .collect();
    let period_totals = (0..12)
        .map(|p| count(series.iter().map(|s| s.2[p]).sum(), hidden))
        .collect();
    Analytics {
        by: GroupBy::Type,
        interval: Interval::Month,
        query: format!("kind:incident status:any {dates}"),
        periods,
        groups,
        period_totals,
        total: count(series.iter().flat_map(|s| s.2).sum(), hidden),
        suppressed_below: hidden.then_some(5),
    }
}

fn action_row(record: &str, id: u32, owner: &str, days: i64, what: &str) -> LearningActionRow {
    let due_on = cims::domain::local_time::local_date(now() + Duration::days(days));
    LearningActionRow {
        record: record.into(),
        org: "berry_street".into(),
        stage: "analysis_learning".into(),
        version: 9,
        due_at: cims::domain::local_time::close_of_business(due_on).with_timezone(&chrono::Utc),
        action: LearningAction {
            id,
            what: what.into(),
            owner: owner.into(),
            due_on,
            raised_by: "bo".into(),
            raised_at: now() - Duration::days(30),
            closed: None,
        },
    }
}

fn actions() -> LearningActions {
    LearningActions {
        rows: vec![
            action_row(
                "INC-2026-000050",
                1,
                "bo",
                -12,
                "Review night staffing across the residential units",
            ),
            action_row(
                "INC-2026-000117",
                2,
                "carol",
                0,
                "Meet police youth liaison about repeat absences",
            ),
            action_row(
                "INC-2026-000191",
                1,
                "alice",
                20,
                "Two-person check for evening medication",
            ),
        ],
        overdue: 1,
        due_today: 1,
        complete: true,
        next_cursor: None,
    }
}

fn ctrl(s: &mut cims::tui::app::State, c: char) -> Vec<Effect> {
    update(
        s,
        Msg::Key(KeyEvent::new(KeyCode::Char(c), KeyModifiers::CONTROL)),
    )
}

fn typed(s: &mut cims::tui::app::State, text: &str) {
    for c in text.chars() {
        press(s, KeyCode::Char(c));
    }
}

#[test]
fn trends_screen_at_80x24_and_120x40() {
    let mut s = state(false);
    press(&mut s, KeyCode::Char('T'));
    update(&mut s, Msg::Analytics(Box::new(analytics(false))));
    both("trends", &mut s);
}

#[test]
fn r_priv_4_trends_write_every_count_beside_its_bar_and_hidden_ones_as_under_5() {
    let mut s = state(true);
    press(&mut s, KeyCode::Char('T'));
    update(&mut s, Msg::Analytics(Box::new(analytics(true))));
    let shown = screen(&mut s, 80, 24);
    assert!(shown.contains("<5: under 5, hidden"), "{shown}");
    for line in shown.lines().filter(|l| {
        l.starts_with('│') && (l.contains("Absent client") || l.contains("Physical abuse"))
    }) {
        assert!(
            line.trim_end_matches('│')
                .trim_end()
                .ends_with(char::is_numeric),
            "a bar's total is written beside it: {line}"
        );
    }
    let death = shown
        .lines()
        .find(|l| l.starts_with('│') && l.contains("Death"))
        .expect("the bar of deaths");
    assert!(death.contains("<5"), "a total of 1 reads <5: {death}");
    both("trends_suppressed", &mut s);
}

#[test]
fn trends_change_grouping_and_interval_and_enter_lists_the_highlighted_groups_records() {
    let mut s = state(false);
    assert_eq!(
        press(&mut s, KeyCode::Char('T')),
        vec![Effect::LoadAnalytics {
            by: GroupBy::Type,
            interval: Interval::Month,
            q: String::new()
        }]
    );
    assert_eq!(s.mode, Mode::Trends);
    assert_eq!(
        press(&mut s, KeyCode::Char('b')),
        vec![Effect::LoadAnalytics {
            by: GroupBy::Service,
            interval: Interval::Month,
            q: String::new()
        }]
    );
    assert_eq!(
        press(&mut s, KeyCode::Char('B')),
        vec![Effect::LoadAnalytics {
            by: GroupBy::Type,
            interval: Interval::Month,
            q: String::new()
        }]
    );
    assert_eq!(
        press(&mut s, KeyCode::Char('i')),
        vec![Effect::LoadAnalytics {
            by: GroupBy::Type,
            interval: Interval::Week,
            q: String::new()
        }]
    );
    update(&mut s, Msg::Analytics(Box::new(analytics(false))));
    press(&mut s, KeyCode::Char('j'));
    assert_eq!(s.trends.selected, 1);
    let effects = press(&mut s, KeyCode::Enter);
    let expected = "kind:incident status:any type:physical_abuse created:2025-12-01..2026-11-24";
    assert_eq!(s.queue.filter, expected);
    assert_eq!((s.mode.clone(), s.focus), (Mode::Normal, Focus::Queue));
    assert!(
        s.queue
            .views
            .get(s.queue.view)
            .is_some_and(|v| v.query.is_empty()),
        "the unfiltered view, so only the group's terms apply"
    );
    assert!(
        matches!(&effects[..], [Effect::LoadQueue { query, .. }] if query == expected),
        "{effects:?}"
    );
    press(&mut s, KeyCode::Char('T'));
    assert_eq!(s.mode, Mode::Trends);

    // `/` narrows the counts with the queue's filter language.
    press(&mut s, KeyCode::Char('/'));
    typed(&mut s, "org:berry_street");
    assert!(screen(&mut s, 80, 24).contains("/ org:berry_street▏"));
    assert_eq!(
        press(&mut s, KeyCode::Enter),
        vec![Effect::LoadAnalytics {
            by: GroupBy::Type,
            interval: Interval::Week,
            q: "org:berry_street".into()
        }]
    );
    press(&mut s, KeyCode::Char('/'));
    typed(&mut s, " type:neglect");
    press(&mut s, KeyCode::Esc);
    assert_eq!(
        s.trends.filter, "org:berry_street",
        "esc leaves the filter as it was"
    );
    assert_eq!(s.mode, Mode::Trends);
    press(&mut s, KeyCode::Esc);
    assert_eq!(s.mode, Mode::Normal);
}

#[test]
fn r_stage_open_learning_actions_list_and_close_one_with_its_outcome() {
    let mut s = state(false);
    assert_eq!(
        press(&mut s, KeyCode::Char('L')),
        vec![Effect::LoadActions { mine: false }]
    );
    update(&mut s, Msg::Actions(Box::new(actions())));
    both("learning_actions", &mut s);
    let shown = screen(&mut s, 80, 24);
    assert!(shown.contains("OVERDUE 12d"), "{shown}");
    assert!(shown.contains("today"), "{shown}");
    assert!(shown.contains("in 20d"), "{shown}");
    assert_eq!(
        press(&mut s, KeyCode::Char('m')),
        vec![Effect::LoadActions { mine: true }]
    );
    press(&mut s, KeyCode::Char('j'));
    press(&mut s, KeyCode::Char('c'));
    assert_eq!(
        s.mode,
        Mode::Reason(
            ReasonFor::CloseAction {
                record: "INC-2026-000117".into(),
                version: 9,
                action: 2
            },
            String::new()
        )
    );
    assert!(
        screen(&mut s, 80, 24).contains("Open learning actions"),
        "the list stays behind the prompt"
    );
    typed(&mut s, "Met liaison officer; joint plan agreed");
    let effects = press(&mut s, KeyCode::Enter);
    assert_eq!(
        effects,
        vec![Effect::Command {
            id: "INC-2026-000117".into(),
            version: 9,
            command: Box::new(Command::CloseLearningAction {
                action: 2,
                outcome: "Met liaison officer; joint plan agreed".into()
            })
        }]
    );
    assert_eq!(s.mode, Mode::Actions, "back to the list");
    // The answer reloads the list.
    let mut view = record_view(false);
    view.record["id"] = "INC-2026-000117".into();
    assert_eq!(
        update(&mut s, Msg::Record(view)),
        vec![Effect::LoadActions { mine: true }]
    );
    assert_eq!(
        press(&mut s, KeyCode::Enter),
        vec![Effect::LoadRecord {
            id: "INC-2026-000117".into()
        }]
    );
    assert_eq!((s.mode.clone(), s.focus), (Mode::Normal, Focus::Record));
}

#[test]
fn r_stage_a_learning_action_is_raised_on_the_open_incident_with_a_checked_due_date() {
    let mut s = state(false);
    press(&mut s, KeyCode::Enter);
    update(&mut s, Msg::Record(record_view(false)));
    press(&mut s, KeyCode::Char('A'));
    assert_eq!(s.mode, Mode::Form);
    typed(&mut s, "Two staff on nights");
    press(&mut s, KeyCode::Down);
    press(&mut s, KeyCode::Down);
    for _ in 0..10 {
        press(&mut s, KeyCode::Backspace);
    }
    typed(&mut s, "next week");
    assert!(ctrl(&mut s, 's').is_empty(), "a bad date is not sent");
    let form = s.form.as_ref().expect("the form stays open");
    assert_eq!(
        form.refusal.as_ref().and_then(|r| r.2.as_deref()),
        Some("due_on")
    );
    for _ in 0.."next week".len() {
        press(&mut s, KeyCode::Backspace);
    }
    typed(&mut s, "+14");
    let effects = ctrl(&mut s, 's');
    let due_on = cims::domain::local_time::local_date(now()) + Duration::days(14);
    assert_eq!(
        effects,
        vec![Effect::Command {
            id: "INC-2026-000001".into(),
            version: 4,
            command: Box::new(Command::RaiseLearningAction {
                what: "Two staff on nights".into(),
                owner: "alice".into(),
                due_on
            })
        }]
    );
    update(&mut s, Msg::Record(record_view(false)));
    assert_eq!(
        s.mode,
        Mode::Normal,
        "the form closes once the action is raised"
    );

    s.context.read_only = true;
    press(&mut s, KeyCode::Char('A'));
    assert_eq!(s.mode, Mode::Normal, "read-only raises nothing");
}

#[test]
fn e_exports_the_current_view_after_asking() {
    let mut s = state(false);
    press(&mut s, KeyCode::Char('3'));
    assert!(press(&mut s, KeyCode::Char('E')).is_empty());
    let Mode::Confirm(question, _) = &s.mode else {
        panic!("export asks first: {:?}", s.mode);
    };
    assert!(question.contains("\"Overdue\""), "{question}");
    assert!(question.contains("audit"), "{question}");
    let effects = press(&mut s, KeyCode::Char('y'));
    assert!(
        matches!(&effects[..], [Effect::Export { query, file, .. }]
            if query == "overdue" && file.starts_with("cims-export-") && file.ends_with(".csv")),
        "{effects:?}"
    );
}

#[test]
fn linear_trends_give_each_group_a_line_with_every_periods_count_named_and_hidden_ones_as_under_5()
{
    let mut s = state(true);
    s.context.linear = true;
    press(&mut s, KeyCode::Char('T'));
    update(&mut s, Msg::Analytics(Box::new(analytics(true))));
    both("linear_trends_suppressed", &mut s);
    // A group's periods carry on over indented lines.
    let shown = screen(&mut s, 80, 24).replace("\n    ", " ");
    for line in [
        "6 types, Absent client highlighted (1 of 6):",
        "> Absent client: total 84; Dec 2025 <5, Jan 2026 <5, Feb <5, Mar <5, Apr <5, May 5, \
         Jun 6, Jul 8, Aug 11, Sep 14, Oct 19, Nov 7 so far",
        "  Death: total <5; Dec 2025 0, Jan 2026 0, Feb 0, Mar 0, Apr <5,",
    ] {
        assert!(shown.contains(line), "{line:?} in\n{shown}");
    }
}

#[test]
fn linear_trends_keep_the_highlighted_group_and_the_keys_on_screen_when_groups_outnumber_rows() {
    let mut data = analytics(false);
    let first = data.groups[0].clone();
    data.groups = (1..=30)
        .map(|n| AnalyticsGroup {
            label: format!("Service {n}"),
            ..first.clone()
        })
        .collect();
    let mut s = state(false);
    s.context.linear = true;
    press(&mut s, KeyCode::Char('T'));
    update(&mut s, Msg::Analytics(Box::new(data)));
    for _ in 0..20 {
        press(&mut s, KeyCode::Char('j'));
    }
    let shown = screen(&mut s, 80, 24);
    assert!(shown.contains("Keys: j/k choose a group"), "{shown}");
    assert!(
        shown.contains("Service 21 highlighted (21 of 30)"),
        "{shown}"
    );
    assert!(shown.contains("> Service 21: total"), "{shown}");
    assert!(!shown.contains("Service 1:"), "{shown}");
}

#[test]
fn linear_learning_actions_give_each_action_a_labelled_line_and_ask_for_the_outcome_in_a_line() {
    let mut s = state(false);
    s.context.linear = true;
    press(&mut s, KeyCode::Char('L'));
    update(&mut s, Msg::Actions(Box::new(actions())));
    press(&mut s, KeyCode::Char('j'));
    // An action's values carry on over indented lines.
    let shown = screen(&mut s, 120, 40).replace("\n    ", " ");
    for line in [
        "Open learning actions, everyone's: 3 open, 1 overdue, 1 due today; action 2 of 3 \
         highlighted.",
        "  record INC-2026-000050 (berry_street); action: Review night staffing across the \
         residential units; owner bo; due Thu 12 Nov 2026; state open, overdue by 12 day(s)",
        "> record INC-2026-000117 (berry_street); action: Meet police youth liaison about \
         repeat absences; owner carol; due Tue 24 Nov 2026; state open, due today",
    ] {
        assert!(shown.contains(line), "{line:?} in\n{shown}");
    }
    press(&mut s, KeyCode::Char('c'));
    typed(&mut s, "Met liaison officer");
    both("linear_learning_actions_closing", &mut s);
    let shown = screen(&mut s, 80, 24);
    assert!(
        shown.contains("Closing action 2 of INC-2026-000117, its outcome"),
        "{shown}"
    );
}

/// The numbers written on a screen, each whole.
fn numbers(shown: &str) -> std::collections::BTreeSet<String> {
    shown
        .split(|c: char| !c.is_ascii_digit())
        .filter(|n| !n.is_empty())
        .map(String::from)
        .collect()
}

#[test]
fn linear_trends_actions_and_forms_draw_no_boxes_or_bars_and_trends_keep_every_number_whole() {
    let drawing = [
        '┌', '┐', '└', '┘', '│', '─', '█', '▇', '▆', '▅', '▄', '▃', '▂', '▁',
    ];
    let plain = |s: &mut cims::tui::app::State, what: &str| {
        for (width, height) in [(80, 24), (120, 40)] {
            let shown = screen(s, width, height);
            assert!(
                !shown.chars().any(|c| drawing.contains(&c)),
                "{what} at {width}x{height} draws boxes or bars:\n{shown}"
            );
        }
    };
    for hidden in [false, true] {
        let mut s = state(hidden);
        press(&mut s, KeyCode::Char('T'));
        update(&mut s, Msg::Analytics(Box::new(analytics(hidden))));
        press(&mut s, KeyCode::Char('j'));
        for (width, height) in [(80, 24), (120, 40)] {
            s.context.linear = false;
            let boxed = screen(&mut s, width, height);
            s.context.linear = true;
            let linear = numbers(&screen(&mut s, width, height));
            for n in numbers(&boxed) {
                assert!(
                    linear.contains(&n),
                    "{n} of the boxed Trends at {width}x{height} is not in the linear \
                     one:\n{boxed}\n{}",
                    screen(&mut s, width, height)
                );
            }
        }
        plain(&mut s, "Trends");
    }

    let mut s = state(false);
    s.context.linear = true;
    press(&mut s, KeyCode::Char('L'));
    update(&mut s, Msg::Actions(Box::new(actions())));
    plain(&mut s, "the learning actions");
    press(&mut s, KeyCode::Char('c'));
    assert!(matches!(
        s.mode,
        Mode::Reason(ReasonFor::CloseAction { .. }, _)
    ));
    plain(&mut s, "closing a learning action");
    press(&mut s, KeyCode::Esc);
    press(&mut s, KeyCode::Esc);

    press(&mut s, KeyCode::Char('N'));
    assert_eq!(s.mode, Mode::Form);
    plain(&mut s, "the new incident form");
    ctrl(&mut s, 't');
    assert!(screen(&mut s, 80, 24).contains("Form: new intake report"));
    plain(&mut s, "the new intake form");
    press(&mut s, KeyCode::Esc);
    press(&mut s, KeyCode::Enter);
    update(&mut s, Msg::Record(record_view(false)));
    press(&mut s, KeyCode::Char('A'));
    assert_eq!(s.mode, Mode::Form);
    plain(&mut s, "the learning action form");
}
