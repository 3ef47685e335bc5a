//! Reminders in the terminal app: `r` sets one on the record at hand, read in Melbourne
//! time; `R` lists them; one whose time comes is said on the message line and calls for
//! attention once, by count only; the record shows its own beside its deadlines.

use chrono::Duration;
use cims::tui::app::{Attention, update};
use cims::tui::mode::{Focus, Mode};
use cims::tui::msg::{Effect, Msg};
use cims::tui::notify::{How, Osc};
use cims::wire::{Reminder, Reminders};
use ratatui::crossterm::event::KeyCode;
use serde_json::json;

use crate::fixtures::melb;
use crate::tui::{both, now, press, record_view, screen, state};

fn typed(s: &mut cims::tui::app::State, text: &str) {
    for c in text.chars() {
        press(s, KeyCode::Char(c));
    }
}

fn reminder(id: i64, record: &str, at: &str, note: &str) -> Reminder {
    Reminder {
        id,
        record: json!(record),
        at: melb(at),
        note: json!(note),
        created_at: now() - Duration::days(1),
    }
}

fn two() -> Reminders {
    Reminders {
        reminders: vec![
            reminder(
                1,
                "INC-2026-000003",
                "2026-11-24 08:30",
                "Call the unit back.",
            ),
            reminder(
                2,
                "INC-2026-000001",
                "2026-11-25 09:00",
                "Check the safety plan.",
            ),
        ],
    }
}

#[test]
fn r_sets_a_reminder_on_the_highlighted_record_at_the_time_typed_in_melbourne() {
    let mut s = state(false);
    press(&mut s, KeyCode::Char('j'));
    press(&mut s, KeyCode::Char('r'));
    assert_eq!(s.mode, Mode::Remind);
    typed(&mut s, "2pm tomorrow");
    both("reminder_writer", &mut s);
    press(&mut s, KeyCode::Enter);
    // Without a note nothing is sent, and the writer says what is missing.
    assert!(press(&mut s, KeyCode::Enter).is_empty());
    assert!(
        s.message
            .as_ref()
            .is_some_and(|(_, m)| m.contains("what to do")),
        "{:?}",
        s.message
    );
    typed(&mut s, "Call the unit back.");
    let sent = press(&mut s, KeyCode::Enter);
    let [Effect::SetReminder { reminder }] = &sent[..] else {
        panic!("{sent:?}");
    };
    assert_eq!(reminder.record, "INC-2026-000002");
    assert_eq!(reminder.at, melb("2026-11-25 14:00"));
    assert_eq!(reminder.note, "Call the unit back.");
}

#[test]
fn a_time_that_does_not_read_is_refused_with_the_forms_that_do_and_esc_cancels() {
    let mut s = state(false);
    press(&mut s, KeyCode::Char('r'));
    typed(&mut s, "soonish");
    press(&mut s, KeyCode::Tab);
    typed(&mut s, "x");
    assert!(press(&mut s, KeyCode::Enter).is_empty());
    let (_, said) = s.message.clone().expect("a message");
    assert!(said.contains("tomorrow 14:30"), "{said}");
    assert!(screen(&mut s, 80, 24).contains("not a time yet"));
    press(&mut s, KeyCode::Esc);
    assert_eq!(s.mode, Mode::Normal);
    assert!(s.reminders.compose.is_none());

    let mut read_only = state(false);
    read_only.context.read_only = true;
    press(&mut read_only, KeyCode::Char('r'));
    assert_eq!(read_only.mode, Mode::Normal, "nothing is written read-only");
}

#[test]
fn a_reminder_come_due_is_said_once_and_calls_for_attention_by_count_only() {
    let mut s = state(false);
    s.attention =
        Attention::new(&[], &s.queue.views, Osc::Osc9, How::Off).with_reminder(How::Notify);
    let effects = update(&mut s, Msg::Reminders(Box::new(two())));
    assert_eq!(
        effects,
        [Effect::Attention {
            how: How::Notify,
            osc: Osc::Osc9,
            text: "1 reminder(s) due".into()
        }],
        "the notification names no record and no note"
    );
    let (_, said) = s.message.clone().expect("said on the message line");
    assert!(
        said.contains("INC-2026-000003") && said.contains("Call the unit back."),
        "{said}"
    );
    let top = screen(&mut s, 80, 24);
    assert!(top.lines().next().is_some_and(|l| l.contains("◷")), "{top}");
    assert!(
        update(&mut s, Msg::Reminders(Box::new(two()))).is_empty(),
        "each reminder calls once"
    );
    // A minute past its time, the second one comes due.
    update(&mut s, Msg::Tick(melb("2026-11-25 09:01")));
    let later = update(&mut s, Msg::Reminders(Box::new(two())));
    assert!(
        matches!(&later[..], [Effect::Attention { text, .. }] if text == "1 reminder(s) due"),
        "{later:?}"
    );
}

#[test]
fn capital_r_lists_reminders_soonest_first_and_d_marks_one_done() {
    let mut s = state(false);
    update(&mut s, Msg::Reminders(Box::new(two())));
    s.message = None;
    let opened = press(&mut s, KeyCode::Char('R'));
    assert_eq!(s.mode, Mode::Reminders);
    assert_eq!(opened, [Effect::LoadReminders]);
    both("reminders", &mut s);
    press(&mut s, KeyCode::Char('j'));
    assert_eq!(
        press(&mut s, KeyCode::Char('d')),
        [Effect::FinishReminder { id: 2 }]
    );
    let done = update(&mut s, Msg::ReminderDone);
    assert!(done.contains(&Effect::LoadReminders), "{done:?}");
    let opened = press(&mut s, KeyCode::Enter);
    assert_eq!(s.mode, Mode::Normal);
    assert!(
        opened
            .iter()
            .any(|e| matches!(e, Effect::LoadRecord { id } if id == "INC-2026-000001")),
        "{opened:?}"
    );
}

#[test]
fn the_record_shows_its_reminders_above_its_deadlines_and_the_linear_mode_lists_them() {
    let mut s = state(false);
    update(&mut s, Msg::Reminders(Box::new(two())));
    s.message = None;
    press(&mut s, KeyCode::Enter);
    update(&mut s, Msg::Record(record_view(false)));
    assert_eq!(s.focus, Focus::Record);
    let drawn = screen(&mut s, 120, 40);
    assert!(
        drawn.contains("◦ reminder 09:00 tomorrow: Check the"),
        "{drawn}"
    );
    let mut linear = state(false);
    linear.context.linear = true;
    update(&mut linear, Msg::Reminders(Box::new(two())));
    linear.message = None;
    press(&mut linear, KeyCode::Char('R'));
    insta::assert_snapshot!("linear_reminders_80x24", screen(&mut linear, 80, 24));
}

#[test]
fn a_row_with_a_reminder_carries_its_mark_in_text_and_the_linear_mode_says_it() {
    let mut s = state(false);
    s.queue.rows[2].reminder = Some(now() - Duration::minutes(30));
    s.queue.rows[4].reminder = Some(now() + Duration::days(1));
    let drawn = screen(&mut s, 80, 24);
    let line_of = |id: &str| {
        drawn
            .lines()
            .find(|l| l.contains(id))
            .unwrap_or_default()
            .to_string()
    };
    assert!(line_of("INC-2026-000003").contains("◷ INC"), "{drawn}");
    assert!(line_of("INC-2026-000005").contains("◦ INC"), "{drawn}");
    s.context.linear = true;
    let linear = screen(&mut s, 80, 24).replace('\n', " ");
    assert!(linear.contains("your reminder is due"), "{linear}");
    assert!(linear.contains("your reminder 09:00 tomorrow"), "{linear}");
}
