//! The terminal app's core without a terminal: `update` for every action of the registry,
//! and what `view` draws at 80×24 and 120×40 (DESIGN §7).

use std::collections::BTreeMap;

use chrono::{Duration, Utc};
use cims::tui::action::{Action, REGISTRY, parse_key};
use cims::tui::app::{State, update, view};
use cims::tui::keymap::{Keymap, KeymapError};
use cims::tui::mode::{Focus, Mode};
use cims::tui::msg::{Connection, Effect, Msg};
use cims::tui::record::RecordTab;
use cims::tui::theme::Theme;
use cims::wire::{ChecklistLine, Me, OrganisationDto, QueuePage, QueueRow, RecordView};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyEventKind, KeyModifiers};
use serde_json::json;

use crate::fixtures::melb;

pub(crate) fn now() -> chrono::DateTime<Utc> {
    melb("2026-11-24 09:00")
}

fn row(n: usize, subject: serde_json::Value) -> QueueRow {
    QueueRow {
        id: format!("INC-2026-{n:06}"),
        kind: "incident".into(),
        org: "anglicare".into(),
        stage: "identification_response".into(),
        status: "open".into(),
        assignee: n.is_multiple_of(2).then(|| "carol".to_string()),
        version: 2,
        next_due: Some(now() + Duration::hours(n as i64 * 7 - 20)),
        at_risk_from: None,
        impact: Some(
            if n.is_multiple_of(3) {
                "non_major"
            } else {
                "major"
            }
            .into(),
        ),
        primary_type: Some("physical_abuse".into()),
        subject,
        people: 1,
        owed: Vec::new(),
        changed: false,
        reminder: None,
        created_at: Some(now() - Duration::days(n as i64)),
        updated_at: Some(now() - Duration::hours(n as i64)),
    }
}

fn page(masked: bool) -> QueuePage {
    QueuePage {
        rows: (1..=30)
            .map(|n| {
                row(
                    n,
                    if masked {
                        json!({"masked": "identifying", "display": "J.S. (12)"})
                    } else {
                        json!("Jordan Smith")
                    },
                )
            })
            .collect(),
        next_cursor: None,
    }
}

pub(crate) fn record_view(masked: bool) -> RecordView {
    let name = if masked {
        json!({"masked": "identifying", "display": "J.S. (12)"})
    } else {
        json!("Jordan Smith")
    };
    let mut checklist = vec![
        ChecklistLine {
            id: "immediate_safety".into(),
            text: "Client's immediate safety ensured".into(),
            required: true,
            rule: "R-STAGE".into(),
            state: "done".into(),
            may_tick: true,
            masked: None,
        },
        ChecklistLine {
            id: "medical_attention".into(),
            text: "Medical attention arranged, or not needed".into(),
            required: true,
            rule: "R-STAGE".into(),
            state: "open".into(),
            may_tick: true,
            masked: None,
        },
    ];
    if masked {
        // R-PRIV-9: an item whose applying reads a field the non-PI may not see.
        checklist.push(ChecklistLine {
            id: "cultural_support".into(),
            text: "Cultural support offered".into(),
            required: true,
            rule: "R-ABORIGINAL-1".into(),
            state: "withheld".into(),
            may_tick: false,
            masked: Some("cultural".into()),
        });
    }
    RecordView {
        record: json!({
            "id": "INC-2026-000001",
            "org": "anglicare",
            "stage": "identification_response",
            "details": {
                "kind": "incident",
                "clients": [{"name": name}],
                "primary_type": "physical_abuse",
                "impact": "major",
                "subject": {"relation": "staff"},
                "description": "Jordan said a staff member pushed him.",
            },
            "checklist": {"immediate_safety": {"state": "done"}},
            "notes": [{"id": 1, "revisions": [{"text": "Called the unit manager.", "by": "carol"}]}],
        }),
        version: 4,
        deadlines: Vec::new(),
        checklist,
        warnings: Vec::new(),
        links: Vec::new(),
        people: Vec::new(),
    }
}

pub(crate) fn me(pi: bool) -> Me {
    Me {
        user: if pi { "alice" } else { "carol" }.into(),
        display_name: "Someone".into(),
        organisation: OrganisationDto {
            id: "anglicare".into(),
            name: "Anglicare Victoria".into(),
            kind: cims::domain::actor::OrgKind::Cso,
        },
        roles: vec![cims::domain::actor::Role::Practitioner],
        protective_intervener: pi,
    }
}

pub(crate) fn state(masked: bool) -> State {
    let mut s = State::new(now(), Keymap::default(), Theme::default());
    update(&mut s, Msg::Me(me(!masked)));
    update(&mut s, Msg::Connection(Connection::Live));
    update(
        &mut s,
        Msg::Policy(Box::new(crate::fixtures::current().clone())),
    );
    update(&mut s, Msg::Queue(page(masked)));
    s
}

pub(crate) fn key(code: KeyCode) -> Msg {
    Msg::Key(KeyEvent::new(code, KeyModifiers::NONE))
}

pub(crate) fn press(s: &mut State, code: KeyCode) -> Vec<Effect> {
    update(s, key(code))
}

pub(crate) fn screen(s: &mut State, width: u16, height: u16) -> String {
    let mut terminal = Terminal::new(TestBackend::new(width, height)).expect("terminal");
    s.queue.page = usize::from(height / 2);
    terminal.draw(|frame| view(s, frame)).expect("draw");
    let buffer = terminal.backend().buffer().clone();
    (0..height)
        .map(|y| {
            (0..width)
                .map(|x| buffer[(x, y)].symbol().to_string())
                .collect::<String>()
                .trim_end()
                .to_string()
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// The screen line under the first one holding `label`, at 120×40: where a form shows the
/// refusal that names that field.
fn line_under(s: &mut State, label: &str) -> String {
    let shown = screen(s, 120, 40);
    let lines: Vec<&str> = shown.lines().collect();
    let at = lines
        .iter()
        .position(|l| l.contains(label))
        .unwrap_or_else(|| panic!("no {label:?} on the screen:\n{shown}"));
    lines.get(at + 1).copied().unwrap_or_default().to_string()
}

/// The screen at the minimum size and at a common larger one.
pub(crate) fn both(name: &str, s: &mut State) {
    insta::assert_snapshot!(format!("{name}_80x24"), screen(s, 80, 24));
    insta::assert_snapshot!(format!("{name}_120x40"), screen(s, 120, 40));
}

#[test]
fn every_registry_action_has_a_unique_name_and_keys_that_parse() {
    let mut names = std::collections::BTreeSet::new();
    for def in REGISTRY {
        assert!(names.insert(def.name), "{} twice", def.name);
        assert!(!def.description.is_empty());
        for k in def.keys {
            parse_key(k).unwrap_or_else(|e| panic!("{}: {e}", def.name));
        }
    }
    // The defaults do not clash.
    Keymap::new(&BTreeMap::new()).expect("default keymap");
}

#[test]
fn keymap_overrides_replace_keys_and_bad_ones_are_named() {
    let overrides = BTreeMap::from([("move_down".to_string(), vec!["o".to_string()])]);
    let keymap = Keymap::new(&overrides).expect("keymap");
    assert_eq!(keymap.keys_of(Action::MoveDown), "o");
    let unknown = BTreeMap::from([("fly".to_string(), vec!["z".to_string()])]);
    assert_eq!(
        Keymap::new(&unknown).unwrap_err(),
        KeymapError::UnknownAction("fly".into())
    );
    let clash = BTreeMap::from([("move_down".to_string(), vec!["k".to_string()])]);
    assert!(matches!(
        Keymap::new(&clash),
        Err(KeymapError::Clash { .. })
    ));
    let bad = BTreeMap::from([("move_down".to_string(), vec!["ctrl-".to_string()])]);
    assert!(matches!(Keymap::new(&bad), Err(KeymapError::BadKey { .. })));
}

#[test]
fn moving_opening_and_tabs() {
    let mut s = state(false);
    press(&mut s, KeyCode::Char('j'));
    press(&mut s, KeyCode::Down);
    assert_eq!(s.queue.selected, 2);
    press(&mut s, KeyCode::Char('k'));
    assert_eq!(s.queue.selected, 1);
    press(&mut s, KeyCode::Char('G'));
    assert_eq!(s.queue.selected, 29);
    assert!(s.queue.offset > 0, "the selection stays on screen");
    press(&mut s, KeyCode::Char('g'));
    assert_eq!((s.queue.selected, s.queue.offset), (0, 0));
    press(&mut s, KeyCode::PageDown);
    assert_eq!(s.queue.selected, s.queue.page);
    press(&mut s, KeyCode::PageUp);
    assert_eq!(s.queue.selected, 0);
    let effects = press(&mut s, KeyCode::Enter);
    assert_eq!(
        effects,
        vec![Effect::LoadRecord {
            id: "INC-2026-000001".into()
        }]
    );
    assert_eq!(s.focus, Focus::Record);
    update(&mut s, Msg::Record(record_view(false)));
    press(&mut s, KeyCode::Char('l'));
    assert_eq!(
        s.record.open.as_ref().map(|r| r.tab),
        Some(RecordTab::Checklist)
    );
    press(&mut s, KeyCode::Char('h'));
    press(&mut s, KeyCode::Char('h'));
    assert_eq!(
        s.record.open.as_ref().map(|r| r.tab),
        Some(RecordTab::Submissions),
        "an incident's tabs go round through its submissions"
    );
    press(&mut s, KeyCode::Char('h'));
    assert_eq!(
        s.record.open.as_ref().map(|r| r.tab),
        Some(RecordTab::History)
    );
    press(&mut s, KeyCode::Tab);
    assert_eq!(s.focus, Focus::Queue);
    press(&mut s, KeyCode::Tab);
    assert_eq!(s.focus, Focus::Record);
    press(&mut s, KeyCode::Esc);
    assert_eq!(s.focus, Focus::Queue);
}

#[test]
fn ticking_sends_the_command_at_the_version_read() {
    let mut s = state(false);
    press(&mut s, KeyCode::Enter);
    update(&mut s, Msg::Record(record_view(false)));
    press(&mut s, KeyCode::Char('l'));
    press(&mut s, KeyCode::Char('j'));
    let effects = press(&mut s, KeyCode::Char(' '));
    assert_eq!(
        effects,
        vec![Effect::Command {
            id: "INC-2026-000001".into(),
            version: 4,
            command: Box::new(cims::domain::commands::Command::Tick {
                item: "medical_attention".into()
            }),
        }]
    );
    // Space in the queue does nothing.
    press(&mut s, KeyCode::Esc);
    assert!(press(&mut s, KeyCode::Char(' ')).is_empty());
}

#[test]
fn r_priv_9_withheld_items_deadlines_and_changes_are_drawn_as_withheld_and_not_acted_on() {
    use cims::domain::deadlines::{Deadline, Status};
    use cims::domain::policy::FieldClass;
    let mut s = state(true);
    press(&mut s, KeyCode::Enter);
    let mut view = record_view(true);
    view.deadlines.push(Deadline {
        id: "R-INT-DL-FB".into(),
        rule: "R-INT-DL-FB".into(),
        label: "Feedback to the professional reporter".into(),
        started_at: None,
        due: None,
        status: Status::Withheld {
            masked: FieldClass::Protected,
        },
        at_risk_from: None,
        kept: None,
    });
    update(&mut s, Msg::Record(view));
    let drawn = screen(&mut s, 120, 40);
    assert!(
        drawn.contains("▒ Feedback to the professional reporter")
            && drawn.contains("▒▒▒ protected"),
        "{drawn}"
    );
    // Space on the withheld item sends nothing and says why.
    press(&mut s, KeyCode::Char('l'));
    press(&mut s, KeyCode::Char('j'));
    press(&mut s, KeyCode::Char('j'));
    assert!(press(&mut s, KeyCode::Char(' ')).is_empty());
    assert!(
        s.message
            .as_ref()
            .is_some_and(|(_, m)| m.contains("details you may not see")),
        "{:?}",
        s.message
    );
    update(
        &mut s,
        Msg::History(cims::wire::History {
            record: "INC-2026-000001".into(),
            events: vec![
                json!({"seq": 4, "version": 4, "at": "2026-11-23T01:30:00Z", "by": "alice",
                       "change": {"masked": "cultural"}}),
            ],
        }),
    );
    press(&mut s, KeyCode::Char('l'));
    press(&mut s, KeyCode::Char('l'));
    let drawn = screen(&mut s, 120, 40);
    assert!(drawn.contains("change withheld: ▒▒▒ cultural"), "{drawn}");
}

/// Every line the user types takes a shell's editing keys — ctrl-w drops the last word,
/// ctrl-u the whole line — and no other ctrl key is typed into it as a letter.
#[test]
fn typed_lines_take_ctrl_w_and_ctrl_u_and_never_type_a_ctrl_key() {
    let ctrl = |s: &mut State, c: char| {
        update(
            s,
            Msg::Key(KeyEvent::new(KeyCode::Char(c), KeyModifiers::CONTROL)),
        )
    };
    let mut s = state(false);
    press(&mut s, KeyCode::Char('/'));
    for c in "impact:major overdue".chars() {
        press(&mut s, KeyCode::Char(c));
    }
    ctrl(&mut s, 'w');
    assert_eq!(s.mode, Mode::Filter("impact:major ".into()));
    ctrl(&mut s, 'r');
    assert_eq!(s.mode, Mode::Filter("impact:major ".into()));
    ctrl(&mut s, 'u');
    assert_eq!(s.mode, Mode::Filter(String::new()));
    press(&mut s, KeyCode::Esc);

    // People search: the last search typed over at once.
    press(&mut s, KeyCode::Char('P'));
    for c in "Jordon Smyth".chars() {
        press(&mut s, KeyCode::Char(c));
    }
    ctrl(&mut s, 'u');
    for c in "Mia Tran".chars() {
        press(&mut s, KeyCode::Char(c));
    }
    assert_eq!(s.people.text, "Mia Tran");
    press(&mut s, KeyCode::Esc);

    // The palette.
    press(&mut s, KeyCode::Char(':'));
    for c in "same person".chars() {
        press(&mut s, KeyCode::Char(c));
    }
    ctrl(&mut s, 'w');
    assert_eq!(s.mode, Mode::Palette("same ".into(), 0));
}

#[test]
fn filtering_views_marks_freeze_privacy_help_palette_refresh_and_quit() {
    let mut s = state(false);
    press(&mut s, KeyCode::Char('/'));
    for c in "impact:major".chars() {
        press(&mut s, KeyCode::Char(c));
    }
    assert_eq!(s.mode, Mode::Filter("impact:major".into()));
    let effects = press(&mut s, KeyCode::Enter);
    assert_eq!(
        effects,
        vec![Effect::LoadQueue {
            query: "mine impact:major".into(),
            sort: "due".into()
        }]
    );
    let effects = press(&mut s, KeyCode::Char('6'));
    assert_eq!(
        effects,
        vec![Effect::LoadQueue {
            query: "impact:major".into(),
            sort: "due".into()
        }]
    );
    press(&mut s, KeyCode::Char('x'));
    press(&mut s, KeyCode::Char('j'));
    press(&mut s, KeyCode::Char('j'));
    press(&mut s, KeyCode::Char('v'));
    assert_eq!(s.queue.marked.len(), 3);
    press(&mut s, KeyCode::Char('f'));
    assert!(s.queue.frozen);
    let change = cims::wire::Change {
        seq: 9,
        record_id: "INC-2026-000002".into(),
        version: 3,
    };
    assert!(
        update(&mut s, Msg::Change(change.clone())).is_empty(),
        "frozen"
    );
    assert_eq!(
        press(&mut s, KeyCode::Char('f')).len(),
        1,
        "resumes with a reload"
    );
    assert!(!update(&mut s, Msg::Change(change)).is_empty());
    press(&mut s, KeyCode::Char('p'));
    assert!(s.context.privacy);
    press(&mut s, KeyCode::Char('j'));
    assert!(
        !s.context.privacy,
        "any key lifts the privacy screen and does nothing else"
    );
    press(&mut s, KeyCode::Char('?'));
    assert_eq!(s.mode, Mode::Help);
    press(&mut s, KeyCode::Esc);
    press(&mut s, KeyCode::Char(':'));
    for c in "priv".chars() {
        press(&mut s, KeyCode::Char(c));
    }
    press(&mut s, KeyCode::Enter);
    assert!(s.context.privacy, "the palette runs actions by name");
    press(&mut s, KeyCode::Esc);
    let refreshed = update(
        &mut s,
        Msg::Key(KeyEvent::new(KeyCode::Char('r'), KeyModifiers::CONTROL)),
    );
    assert!(matches!(
        refreshed[..],
        [
            Effect::LoadQueue { .. },
            Effect::LoadCounts { .. },
            Effect::LoadReminders
        ]
    ));
    let sorted = press(&mut s, KeyCode::Char('s'));
    assert_eq!(
        sorted,
        vec![Effect::LoadQueue {
            query: "impact:major".into(),
            sort: "-updated".into()
        }]
    );
    update(&mut s, Msg::Pending(2));
    assert!(
        press(&mut s, KeyCode::Char('q')).is_empty(),
        "unsent writes: asks first"
    );
    update(&mut s, Msg::Pending(0));
    assert_eq!(press(&mut s, KeyCode::Char('q')), vec![Effect::Quit]);
}

#[test]
fn key_releases_are_ignored_and_live_updates_keep_the_selection() {
    let mut s = state(false);
    let release = KeyEvent::new_with_kind(
        KeyCode::Char('j'),
        KeyModifiers::NONE,
        KeyEventKind::Release,
    );
    update(&mut s, Msg::Key(release));
    assert_eq!(s.queue.selected, 0);
    press(&mut s, KeyCode::Char('j'));
    press(&mut s, KeyCode::Char('j'));
    let mut reordered = page(false);
    reordered.rows.reverse();
    update(&mut s, Msg::Queue(reordered));
    assert_eq!(
        s.queue.selected_row().map(|r| r.id.as_str()),
        Some("INC-2026-000003")
    );
}

#[test]
fn queue_screen_at_80x24_and_120x40() {
    let mut s = state(false);
    both("queue", &mut s);
}

/// The queue of `state(false)` with `[ui] columns` as a config file gives it.
fn with_columns(columns: &str) -> State {
    use cims::tui::config::Config;
    let config = Config::parse("c.toml", &format!("[ui]\ncolumns = {columns}\n")).expect("columns");
    let mut s = state(false);
    s.queue.columns = config.ui.columns;
    s
}

/// The queue's header line as drawn at `width` columns.
fn queue_header(s: &mut State, width: u16) -> String {
    let drawn = screen(s, width, if width < 100 { 24 } else { 40 });
    drawn.lines().nth(2).unwrap_or_default().to_string()
}

#[test]
fn the_queue_shows_the_columns_the_config_chooses_in_the_order_it_gives() {
    let mut s = with_columns(r#"["due", "id", "updated", "org", "who"]"#);
    both("queue_chosen_columns", &mut s);
    for width in [80, 120] {
        let header = queue_header(&mut s, width);
        let at = |name: &str| {
            header
                .find(name)
                .unwrap_or_else(|| panic!("{name} in {header:?}"))
        };
        assert!(
            at("Due") < at("ID") && at("ID") < at("Updated") && at("Updated") < at("Org"),
            "{header}"
        );
        assert!(at("Org") < at("Who"), "{header}");
        for hidden in ["Stage", "Impact", "Type", "Assignee"] {
            assert!(!header.contains(hidden), "{hidden} in {header}");
        }
    }
    let drawn = screen(&mut s, 80, 24);
    assert!(
        drawn.contains("OVERDUE 13h00m INC-2026-000001 1h") && drawn.contains("anglicare"),
        "{drawn}"
    );
}

#[test]
fn the_config_refuses_an_unknown_or_repeated_column_and_a_list_without_the_id_or_the_deadline() {
    use cims::tui::config::Config;
    for (columns, says) in [
        (r#"["id", "due", "colour"]"#, r#""colour" is not a column"#),
        (r#"["id", "due", "who", "who"]"#, r#""who" is listed twice"#),
        (r#"["due", "who"]"#, r#""id" is missing"#),
        (r#"["id", "stage"]"#, r#""due" is missing"#),
        ("[]", "the list is empty"),
    ] {
        let e = Config::parse("c.toml", &format!("[ui]\ncolumns = {columns}\n"))
            .unwrap_err()
            .to_string();
        assert!(
            e.starts_with("c.toml: [ui] columns: ") && e.contains(says),
            "{columns}: {e}"
        );
    }
    let e = Config::parse("c.toml", "[ui]\ncolumns = [\"who\", \"due\"]\n").unwrap_err();
    assert!(e.to_string().contains("always shown"), "{e}");
}

#[test]
fn angle_brackets_sort_by_the_previous_or_next_column_shown_and_the_header_marks_it() {
    let mut s = with_columns(r#"["id", "due", "who", "updated", "stage"]"#);
    let load = |sort: &str| {
        vec![Effect::LoadQueue {
            query: "mine".into(),
            sort: sort.into(),
        }]
    };
    assert!(queue_header(&mut s, 120).contains("Due▲"));
    assert_eq!(press(&mut s, KeyCode::Char('>')), load("-updated"));
    for width in [80, 120] {
        let header = queue_header(&mut s, width);
        assert!(
            header.contains("Updated▼") && !header.contains("Due▲"),
            "{header}"
        );
    }
    assert_eq!(press(&mut s, KeyCode::Char('>')), load("stage"));
    assert_eq!(
        press(&mut s, KeyCode::Char('>')),
        load("id"),
        "round the end"
    );
    assert_eq!(press(&mut s, KeyCode::Char('<')), load("stage"), "and back");
    assert!(queue_header(&mut s, 80).contains("Stage▲"));
    assert_eq!(press(&mut s, KeyCode::Char('<')), load("-updated"));

    // `s` goes on from the same sort, through those no column shown stands for.
    assert_eq!(press(&mut s, KeyCode::Char('s')), load("-created"));
    let header = queue_header(&mut s, 120);
    assert!(!header.contains('▲') && !header.contains('▼'), "{header}");
    assert_eq!(
        press(&mut s, KeyCode::Char('>')),
        load("id"),
        "from a sort no column shows, > starts at the first column that sorts"
    );
    assert_eq!(press(&mut s, KeyCode::Char('s')), load("stage"));
}

#[test]
fn in_the_record_pane_the_greater_than_key_still_advances_the_stage() {
    let mut s = state(false);
    press(&mut s, KeyCode::Enter);
    update(&mut s, Msg::Record(record_view(false)));
    assert!(press(&mut s, KeyCode::Char('>')).is_empty());
    assert!(matches!(&s.mode, Mode::Confirm(q, _) if q.contains("INC-2026-000001")));
    assert_eq!(s.queue.sorted_by().0, "due", "the sort is untouched");
}

#[test]
fn a_key_may_serve_the_queue_and_the_record_but_never_two_actions_in_one_scope() {
    use cims::tui::action::Scope;
    let keymap = Keymap::default();
    let key = parse_key(">").expect("key");
    assert_eq!(
        keymap.action(key, Scope::Queue),
        Some(Action::SortNextColumn)
    );
    assert_eq!(keymap.action(key, Scope::Record), Some(Action::Advance));
    let zoom = BTreeMap::from([("zoom".to_string(), vec![">".to_string()])]);
    assert_eq!(
        Keymap::new(&zoom).unwrap_err(),
        KeymapError::Clash {
            key: ">".into(),
            first: "sort_next_column".into(),
            second: "zoom".into(),
        }
    );
    let rebound = BTreeMap::from([("sort_prev_column".to_string(), vec!["[".to_string()])]);
    let keymap = Keymap::new(&rebound).expect("rebound");
    assert_eq!(keymap.keys_of(Action::SortPrevColumn), "[");
}

#[test]
fn the_linear_mode_lists_the_configured_columns_in_their_order_with_their_labels() {
    let mut s = with_columns(r#"["due", "id", "kind", "created", "assignee"]"#);
    s.context.linear = true;
    let drawn = screen(&mut s, 120, 40);
    assert!(
        drawn.contains(
            "> due OVERDUE 13h00m; id INC-2026-000001; kind incident; created 1d ago; \
             assignee nobody"
        ),
        "{drawn}"
    );
    assert!(
        !drawn.contains("; stage ") && !drawn.contains("; who "),
        "{drawn}"
    );
}

#[test]
fn record_tabs_for_a_pi_and_for_a_non_pi() {
    for (masked, who) in [(false, "pi"), (true, "non_pi")] {
        let mut s = state(masked);
        press(&mut s, KeyCode::Enter);
        update(&mut s, Msg::Record(record_view(masked)));
        both(&format!("record_details_{who}"), &mut s);
        press(&mut s, KeyCode::Char('l'));
        both(&format!("record_checklist_{who}"), &mut s);
    }
    let masked = screen(&mut state(true), 120, 40);
    assert!(masked.contains("J.S. (12)") && !masked.contains("Jordan Smith"));
}

#[test]
fn help_and_palette_overlays() {
    let mut s = state(false);
    press(&mut s, KeyCode::Char('?'));
    both("help", &mut s);
    // At 80×24 the list scrolls, and says how much of it is on screen.
    let top = screen(&mut s, 80, 24);
    assert!(
        top.contains(&format!("of {} · j/k scroll", REGISTRY.len())),
        "{top}"
    );
    for _ in 0..REGISTRY.len() {
        press(&mut s, KeyCode::Char('j'));
    }
    let bottom = screen(&mut s, 80, 24);
    let last = REGISTRY.last().expect("actions").description;
    assert!(bottom.contains(last), "the last key is reached: {bottom}");
    press(&mut s, KeyCode::Esc);
    press(&mut s, KeyCode::Char(':'));
    press(&mut s, KeyCode::Char('m'));
    both("palette", &mut s);
}

#[test]
fn the_selection_is_visible_without_colour() {
    let mut s = state(false);
    let mut terminal = Terminal::new(TestBackend::new(80, 24)).expect("terminal");
    terminal.draw(|frame| view(&s, frame)).expect("draw");
    let buffer = terminal.backend().buffer();
    // The selected row (first data row, under the tabs line, border and header) is reversed.
    let reversed = (0..80).any(|x| {
        buffer[(x, 3)]
            .modifier
            .contains(ratatui::style::Modifier::REVERSED)
    });
    assert!(reversed, "the selected row is drawn reversed");
    s.context.privacy = true;
    let privacy = screen(&mut s, 80, 24);
    assert!(
        !privacy.contains("Jordan"),
        "the privacy screen hides names"
    );
}

#[test]
fn themes_built_in_parse_and_no_color_chooses_mono() {
    for name in ["ansi16", "mono", "high-contrast"] {
        let theme = Theme::built_in(name).expect(name);
        assert_eq!(theme.name, name);
        assert!(
            theme
                .selected
                .add_modifier
                .contains(ratatui::style::Modifier::REVERSED)
                || theme.selected.bg.is_some(),
            "{name}: the selection stands out without relying on the foreground colour"
        );
    }
    assert_eq!(
        Theme::choose("ansi16", Some("1")).expect("theme").name,
        "mono"
    );
    assert_eq!(
        Theme::choose("ansi16", Some("")).expect("theme").name,
        "ansi16"
    );
    assert_eq!(Theme::choose("ansi16", None).expect("theme").name, "ansi16");
    let mono = Theme::built_in("mono").expect("mono");
    for style in [
        mono.selected,
        mono.masked,
        mono.overdue,
        mono.due_soon,
        mono.error,
    ] {
        assert_eq!((style.fg, style.bg), (None, None), "mono has no colour");
    }
}

#[test]
fn bad_themes_name_the_problem() {
    let unknown_colour = "name = \"x\"\n[styles]\nselected = { fg = \"teal\" }\n";
    let e = Theme::from_toml("x.toml", unknown_colour).unwrap_err();
    assert!(e.to_string().contains("unknown colour \"teal\""), "{e}");
    let missing = "name = \"x\"\n[styles]\nselected = {}\n";
    let e = Theme::from_toml("x.toml", missing).unwrap_err();
    assert!(e.to_string().contains("is missing"), "{e}");
    let unknown_style = "name = \"x\"\n[styles]\nsparkle = {}\n";
    let e = Theme::from_toml("x.toml", unknown_style).unwrap_err();
    assert!(e.to_string().contains("unknown style \"sparkle\""), "{e}");
    assert!(Theme::built_in("neon").is_err());
}

#[test]
fn the_example_config_is_valid_and_bad_keys_are_named_with_the_file() {
    use cims::tui::config::Config;
    let example = include_str!("../../config.example.toml");
    let config = Config::parse("config.example.toml", example).expect("example config");
    assert_eq!(config, Config::default());
    let e = Config::parse("c.toml", "[ui]\nthem = \"mono\"\n").unwrap_err();
    assert!(e.to_string().starts_with("c.toml: "), "{e}");
    assert!(e.to_string().contains("them"), "{e}");
    let e = Config::parse("c.toml", "[server]\nurl = \"ftp://x\"\n").unwrap_err();
    assert!(e.to_string().contains("[server] url"), "{e}");
    let e = Config::parse("c.toml", "[keys]\nfly = [\"z\"]\n").unwrap_err();
    assert!(e.to_string().contains("fly"), "{e}");
    let e = Config::parse(
        "c.toml",
        "[[views]]\ntitle = \"Mine too\"\nquery = \"colour:red\"\n",
    )
    .unwrap_err();
    assert!(e.to_string().contains("colour"), "{e}");
    let ok = Config::parse(
        "c.toml",
        "[[views]]\ntitle = \"My intakes\"\nquery = \"kind:intake assigned:me\"\n",
    )
    .expect("a view of one's own");
    assert_eq!(ok.views().len(), 7);
}

#[test]
fn the_history_tab_loads_and_shows_the_events() {
    let mut s = state(false);
    press(&mut s, KeyCode::Enter);
    update(&mut s, Msg::Record(record_view(false)));
    press(&mut s, KeyCode::Char('l'));
    press(&mut s, KeyCode::Char('l'));
    let effects = press(&mut s, KeyCode::Char('l'));
    assert_eq!(
        effects,
        vec![Effect::LoadHistory {
            id: "INC-2026-000001".into()
        }]
    );
    update(
        &mut s,
        Msg::History(cims::wire::History {
            record: "INC-2026-000001".into(),
            events: vec![
                json!({"seq": 1, "version": 1, "at": "2026-11-23T00:00:00Z", "by": "carol",
                       "change": {"event": "created", "id": "INC-2026-000001"}}),
                json!({"seq": 3, "version": 3, "at": "2026-11-23T01:30:00Z", "by": "carol",
                       "change": {"event": "item_ticked", "item": "immediate_safety"}}),
            ],
        }),
    );
    both("history_tab", &mut s);
    let screen = screen(&mut s, 120, 40);
    assert!(
        screen.contains("Mon 23 Nov 11:00 carol      created"),
        "{screen}"
    );
    assert!(screen.contains("item ticked: immediate safety"), "{screen}");
    // A change to the open record while on History reloads both.
    let effects = update(
        &mut s,
        Msg::Change(cims::wire::Change {
            seq: 4,
            record_id: "INC-2026-000001".into(),
            version: 5,
        }),
    );
    assert!(effects.contains(&Effect::LoadHistory {
        id: "INC-2026-000001".into()
    }));
}

#[test]
fn notes_are_written_in_the_editor_with_drafts_kept_as_typed() {
    let mut s = state(false);
    press(&mut s, KeyCode::Enter);
    update(&mut s, Msg::Record(record_view(false)));
    press(&mut s, KeyCode::Char('n'));
    assert_eq!(s.mode, Mode::Note);
    let mut last = Vec::new();
    for c in "Called Jordan".chars() {
        last = press(&mut s, KeyCode::Char(c));
    }
    assert_eq!(
        last,
        vec![Effect::SaveDraft {
            record_id: "INC-2026-000001".into(),
            text: "Called Jordan".into()
        }],
        "every keystroke keeps the draft"
    );
    press(&mut s, KeyCode::Enter);
    for c in "at 3pm.".chars() {
        press(&mut s, KeyCode::Char(c));
    }
    both("notes_editor", &mut s);
    // Esc keeps the draft; opening the record again offers it; n continues it.
    let effects = press(&mut s, KeyCode::Esc);
    assert!(
        matches!(&effects[..], [Effect::SaveDraft { text, .. }] if text == "Called Jordan\nat 3pm.")
    );
    press(&mut s, KeyCode::Esc);
    press(&mut s, KeyCode::Enter);
    assert!(s.message.as_ref().is_some_and(|(_, m)| m.contains("draft")));
    update(&mut s, Msg::Record(record_view(false)));
    press(&mut s, KeyCode::Char('n'));
    let saved = update(
        &mut s,
        Msg::Key(KeyEvent::new(KeyCode::Char('s'), KeyModifiers::CONTROL)),
    );
    assert_eq!(
        saved,
        vec![
            Effect::Command {
                id: "INC-2026-000001".into(),
                version: 4,
                command: Box::new(cims::domain::commands::Command::AddNote {
                    category: None,
                    text: "Called Jordan\nat 3pm.".into(),
                    protected_spans: vec![],
                }),
            },
            Effect::ClearDraft {
                record_id: "INC-2026-000001".into()
            },
        ]
    );
    assert_eq!(s.mode, Mode::Normal);
    assert!(s.record.drafts.is_empty());
}

#[test]
fn an_idle_screen_blanks_identifying_details() {
    let mut s = state(false);
    s.idle_lock = Some(Duration::minutes(10));
    update(&mut s, Msg::Tick(now() + Duration::minutes(5)));
    press(&mut s, KeyCode::Char('j'));
    update(&mut s, Msg::Tick(now() + Duration::minutes(14)));
    assert!(
        !s.context.privacy,
        "a key five minutes in restarted the count"
    );
    update(&mut s, Msg::Tick(now() + Duration::minutes(15)));
    assert!(s.context.privacy);
    assert!(!screen(&mut s, 80, 24).contains("Jordan"));
}

#[test]
fn bulk_assignment_asks_first_and_sends_one_command_per_record() {
    let mut s = state(false);
    press(&mut s, KeyCode::Char('x'));
    press(&mut s, KeyCode::Char('j'));
    press(&mut s, KeyCode::Char('x'));
    assert!(
        press(&mut s, KeyCode::Char('a')).is_empty(),
        "nothing before the confirm"
    );
    assert!(matches!(&s.mode, Mode::Confirm(q, _) if q.contains("Assign 2 record(s) to alice")));
    both("confirm", &mut s);
    let effects = press(&mut s, KeyCode::Char('y'));
    assert_eq!(effects.len(), 2);
    assert!(
        effects
            .iter()
            .all(|e| matches!(e, Effect::Command { command, version: 2, .. }
        if **command == cims::domain::commands::Command::Assign { user: Some("alice".into()) }))
    );
    assert!(s.queue.marked.is_empty());
    // Anything but y changes nothing.
    press(&mut s, KeyCode::Char('a'));
    assert!(press(&mut s, KeyCode::Char('n')).is_empty());
    assert_eq!(s.mode, Mode::Normal);
}

#[test]
fn the_palette_matches_fuzzily_best_first() {
    use cims::tui::help::palette_matches;
    assert_eq!(palette_matches("").len(), REGISTRY.len());
    assert_eq!(palette_matches("prvcy")[0].name, "privacy");
    assert_eq!(palette_matches("new note")[0].name, "new_note");
    assert!(palette_matches("zzzqqq").is_empty());
}

#[test]
fn read_only_mode_changes_nothing() {
    let mut s = state(false);
    s.context.read_only = true;
    press(&mut s, KeyCode::Enter);
    update(&mut s, Msg::Record(record_view(false)));
    press(&mut s, KeyCode::Char('l'));
    for key in ['j', ' ', 'n', 'a'] {
        let effects = press(&mut s, KeyCode::Char(key));
        assert!(
            effects.iter().all(|e| !matches!(e, Effect::Command { .. })),
            "{key}: {effects:?}"
        );
    }
    assert_eq!(s.mode, Mode::Normal, "no editor, no confirm");
    assert!(
        s.message
            .as_ref()
            .is_some_and(|(_, m)| m.contains("read-only"))
    );
    assert!(screen(&mut s, 120, 40).contains("read-only"));
}

#[test]
fn advancing_and_endorsing_ask_first_and_send_at_the_version_read() {
    use cims::domain::commands::Command;
    for (key, command) in [('>', Command::AdvanceStage), ('e', Command::Endorse)] {
        let mut s = state(false);
        press(&mut s, KeyCode::Enter);
        update(&mut s, Msg::Record(record_view(false)));
        assert!(press(&mut s, KeyCode::Char(key)).is_empty());
        assert!(matches!(&s.mode, Mode::Confirm(q, _) if q.contains("INC-2026-000001")));
        assert_eq!(
            press(&mut s, KeyCode::Char('y')),
            vec![Effect::Command {
                id: "INC-2026-000001".into(),
                version: 4,
                command: Box::new(command),
            }]
        );
    }
}

#[test]
fn view_tabs_show_counts_reloaded_at_most_each_minute_after_changes() {
    let mut s = state(false);
    update(
        &mut s,
        Msg::Counts(vec![
            Some(12),
            Some(5),
            Some(3),
            Some(30),
            Some(0),
            Some(212),
        ]),
    );
    let top = screen(&mut s, 120, 40);
    assert!(
        top.contains("1 Mine 12") && top.contains("6 All 212"),
        "{top}"
    );
    let change = cims::wire::Change {
        seq: 9,
        record_id: "INC-2026-000002".into(),
        version: 3,
    };
    let effects = update(&mut s, Msg::Change(change));
    assert!(
        effects
            .iter()
            .all(|e| !matches!(e, Effect::LoadCounts { .. })),
        "not on every change"
    );
    let effects = update(&mut s, Msg::Tick(now() + Duration::minutes(1)));
    assert!(matches!(
        &effects[..],
        [Effect::LoadReminders, Effect::LoadCounts { queries }] if queries.len() == 6
    ));
    assert_eq!(
        update(&mut s, Msg::Tick(now() + Duration::minutes(2))),
        [Effect::LoadReminders],
        "counts only once; reminders every minute"
    );
}

/// R-PRIV-6: a passage selected in the editor and marked with ctrl-p travels as a protected
/// span of the note, found again when the note is sent.
#[test]
fn r_priv_6_a_selected_passage_is_sent_as_a_protected_span() {
    let mut s = state(false);
    press(&mut s, KeyCode::Enter);
    update(&mut s, Msg::Record(record_view(false)));
    press(&mut s, KeyCode::Char('n'));
    for c in "Aunt Jo called.".chars() {
        press(&mut s, KeyCode::Char(c));
    }
    press(&mut s, KeyCode::Home);
    let shift_right = KeyEvent::new(KeyCode::Right, KeyModifiers::SHIFT);
    for _ in 0..7 {
        update(&mut s, Msg::Key(shift_right));
    }
    let ctrl = |c| Msg::Key(KeyEvent::new(KeyCode::Char(c), KeyModifiers::CONTROL));
    update(&mut s, ctrl('p'));
    assert_eq!(
        s.record.editor.as_ref().map(|e| e.protected.clone()),
        Some(vec!["Aunt Jo".to_string()])
    );
    // Editing elsewhere does not move the span.
    press(&mut s, KeyCode::End);
    for c in " Again.".chars() {
        press(&mut s, KeyCode::Char(c));
    }
    let effects = update(&mut s, ctrl('s'));
    assert_eq!(
        effects[0],
        Effect::Command {
            id: "INC-2026-000001".into(),
            version: 4,
            command: Box::new(cims::domain::commands::Command::AddNote {
                category: None,
                text: "Aunt Jo called. Again.".into(),
                protected_spans: vec![cims::domain::model::Span { start: 0, end: 7 }],
            }),
        }
    );
    // A protected passage edited away must be marked again.
    press(&mut s, KeyCode::Char('n'));
    for c in "Robin rang".chars() {
        press(&mut s, KeyCode::Char(c));
    }
    press(&mut s, KeyCode::Home);
    for _ in 0..5 {
        update(&mut s, Msg::Key(shift_right));
    }
    update(&mut s, ctrl('p'));
    press(&mut s, KeyCode::Home);
    press(&mut s, KeyCode::Delete);
    assert!(update(&mut s, ctrl('s')).is_empty());
    assert!(
        s.message
            .as_ref()
            .is_some_and(|(_, m)| m.contains("protected passage was changed"))
    );
}

#[test]
fn a_new_incident_form_sends_the_details_and_shows_a_refusal_beside_its_field() {
    let mut s = state(false);
    update(
        &mut s,
        Msg::Policy(Box::new(crate::fixtures::current().clone())),
    );
    press(&mut s, KeyCode::Char('N'));
    assert_eq!(s.mode, Mode::Form);
    let ctrl = |c| Msg::Key(KeyEvent::new(KeyCode::Char(c), KeyModifiers::CONTROL));
    // Nothing typed: the first required field is named.
    assert!(update(&mut s, ctrl('s')).is_empty());
    assert!(
        matches!(&s.form.as_ref().and_then(|f| f.refusal.clone()), Some((None, m, Some(f))) if m.contains("Client's name") && f == "client_name")
    );
    for c in "Jordan Smith".chars() {
        press(&mut s, KeyCode::Char(c));
    }
    // Down to the description (the last field) and type it.
    for _ in 0..11 {
        press(&mut s, KeyCode::Down);
    }
    for c in "Pushed by a staff member.".chars() {
        press(&mut s, KeyCode::Char(c));
    }
    let effects = update(&mut s, ctrl('s'));
    let [Effect::Create { details, .. }] = &effects[..] else {
        panic!("expected a create: {effects:?}");
    };
    let cims::domain::model::Details::Incident(incident) = details.as_ref() else {
        panic!("an incident");
    };
    assert_eq!(incident.clients[0].name, "Jordan Smith");
    assert_eq!(incident.description, "Pushed by a staff member.");
    update(
        &mut s,
        Msg::Refused {
            rule: Some("R-SCOPE-2".into()),
            message: "the child was in the care of a parent".into(),
            field: Some("care_arrangement".into()),
        },
    );
    both("incident_form_refused", &mut s);
    let under = line_under(&mut s, "Where was the child?");
    assert!(under.contains("✗ R-SCOPE-2: the child was in the care of a parent"));
    // ctrl-t switches to an intake report.
    update(&mut s, ctrl('t'));
    assert!(screen(&mut s, 120, 40).contains("new intake report"));
}

#[test]
fn the_linear_new_incident_form_tells_the_field_being_edited_first_and_a_refusal_under_its_field() {
    let mut s = state(false);
    s.context.linear = true;
    press(&mut s, KeyCode::Char('N'));
    for c in "Jordan Smith".chars() {
        press(&mut s, KeyCode::Char(c));
    }
    for _ in 0..3 {
        press(&mut s, KeyCode::Down);
    }
    press(&mut s, KeyCode::Right);
    update(
        &mut s,
        Msg::Refused {
            rule: Some("R-SCOPE-2".into()),
            message: "the child was in the care of a parent".into(),
            field: Some("care_arrangement".into()),
        },
    );
    both("linear_incident_form_refused", &mut s);
    let shown = screen(&mut s, 120, 40);
    let lines: Vec<&str> = shown.lines().collect();
    assert_eq!(
        lines.get(2).copied(),
        Some(
            "Editing: Where was the child? (scope) (choice 2 of 12: Kinship care managed by a \
             CSO)"
        ),
        "{shown}"
    );
    assert!(
        shown.contains(
            "Choices: Kinship care approved by CP; Kinship care managed by a CSO (chosen);"
        ),
        "{shown}"
    );
    assert!(
        shown.contains("  Client's name (required): Jordan Smith\n"),
        "{shown}"
    );
    assert_eq!(
        line_under(&mut s, "> Where was the child? (scope) (required):"),
        "Refused (R-SCOPE-2): the child was in the care of a parent"
    );
}

#[test]
fn the_linear_classify_form_lists_the_decisions_and_says_the_matrix_guidance_in_lines() {
    let mut s = state(false);
    s.context.linear = true;
    press(&mut s, KeyCode::Enter);
    let mut view = record_view(false);
    view.record["details"] = json!({"kind": "intake", "children": [{"person": {"name": "Casey Brown"}}],
        "reporter": {"name": "Robin"}, "concerns": "bruises"});
    update(&mut s, Msg::Record(view));
    press(&mut s, KeyCode::Char('c'));
    press(&mut s, KeyCode::Down);
    press(&mut s, KeyCode::Down);
    for _ in 0..4 {
        press(&mut s, KeyCode::Right);
    }
    both("linear_classify_form", &mut s);
    let shown = screen(&mut s, 120, 40);
    for line in [
        "Editing: Decision (choice 5 of 7: Child wellbeing)",
        "> Decision (required): Child wellbeing",
        "  Rationale: empty",
        "Matrix suggests: protective intervention, urgent.",
        "A written rationale is required for this decision.",
        "Keys: tab, enter or down next field, up previous, left, right or space change a choice, \
         ctrl-s records it, esc cancels.",
    ] {
        assert!(shown.contains(line), "{line:?} in\n{shown}");
    }
}

#[test]
fn a_theme_can_be_a_file() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("night.toml");
    let text = include_str!("../../themes/high-contrast.toml").replace("high-contrast", "night");
    std::fs::write(&path, text).expect("write theme");
    let theme = Theme::choose(path.to_str().expect("utf-8 path"), None).expect("theme file");
    assert_eq!(theme.name, "night");
    let missing = Theme::choose("/nonexistent/theme.toml", None).unwrap_err();
    assert!(missing.to_string().contains("cannot be read"), "{missing}");
}

/// At a reason prompt: enter alone sends nothing; `key` asks again, and the reason typed
/// is sent. What was sent.
fn give_reason(s: &mut State, key: char, reason: &str) -> Vec<Effect> {
    assert!(
        press(s, KeyCode::Enter).is_empty(),
        "no reason, nothing sent"
    );
    press(s, KeyCode::Char(key));
    for c in reason.chars() {
        press(s, KeyCode::Char(c));
    }
    press(s, KeyCode::Enter)
}

#[test]
fn waiving_asks_for_a_reason_and_deadlines_explain_themselves_on_request() {
    use cims::domain::deadlines::{Deadline, Due, Status};
    let mut s = state(false);
    press(&mut s, KeyCode::Enter);
    let mut view = record_view(false);
    view.deadlines = vec![Deadline {
        id: "R-DL-REPORT".into(),
        rule: "R-DL-REPORT".into(),
        label: "Incident report".into(),
        started_at: Some(now()),
        due: Some(Due {
            at: chrono::DateTime::parse_from_rfc3339("2026-11-26T23:59:59+11:00").expect("time"),
            explanation: "3rd business day after Mon 23 Nov 2026, end of day".into(),
            skipped: vec![],
        }),
        status: Status::Pending {
            remaining_secs: 3 * 86_400,
        },
        at_risk_from: None,
        kept: None,
    }];
    update(&mut s, Msg::Record(view));
    assert!(!screen(&mut s, 120, 40).contains("3rd business day"));
    press(&mut s, KeyCode::Char('D'));
    let explained = screen(&mut s, 120, 40);
    assert!(explained.contains("R-DL-REPORT"), "{explained}");
    assert!(explained.contains("3rd business day"), "{explained}");
    // Waive the open item with a reason.
    press(&mut s, KeyCode::Char('l'));
    press(&mut s, KeyCode::Char('j'));
    press(&mut s, KeyCode::Char('w'));
    assert!(
        matches!(&s.mode, Mode::Reason(cims::tui::mode::ReasonFor::Waive(item), _) if item == "medical_attention")
    );
    assert_eq!(
        give_reason(&mut s, 'w', "no injury"),
        vec![Effect::Command {
            id: "INC-2026-000001".into(),
            version: 4,
            command: Box::new(cims::domain::commands::Command::Waive {
                item: "medical_attention".into(),
                reason: "no injury".into(),
            }),
        }]
    );
}

#[test]
fn on_the_notes_tab_n_amends_the_note_with_a_reason() {
    let mut s = state(false);
    press(&mut s, KeyCode::Enter);
    let mut view = record_view(false);
    view.record["notes"] =
        json!([{"id": 1, "revisions": [{"text": "Called the unit.", "by": "carol"}]}]);
    update(&mut s, Msg::Record(view));
    press(&mut s, KeyCode::Char('l'));
    press(&mut s, KeyCode::Char('l'));
    both("notes_tab", &mut s);
    press(&mut s, KeyCode::Char('n'));
    assert_eq!(s.record.editor.as_ref().and_then(|e| e.amends), Some(1));
    assert_eq!(
        s.record.editor.as_ref().map(|e| e.text()),
        Some("Called the unit.".into())
    );
    press(&mut s, KeyCode::Backspace);
    for c in " manager at 3pm.".chars() {
        press(&mut s, KeyCode::Char(c));
    }
    let ctrl_s = Msg::Key(KeyEvent::new(KeyCode::Char('s'), KeyModifiers::CONTROL));
    assert!(update(&mut s, ctrl_s).is_empty(), "a reason comes first");
    for c in "added the time".chars() {
        press(&mut s, KeyCode::Char(c));
    }
    assert_eq!(
        press(&mut s, KeyCode::Enter),
        vec![Effect::Command {
            id: "INC-2026-000001".into(),
            version: 4,
            command: Box::new(cims::domain::commands::Command::AmendNote {
                note: 1,
                text: "Called the unit manager at 3pm.".into(),
                protected_spans: vec![],
                reason: "added the time".into(),
            }),
        }]
    );
}

/// R-INT-MATRIX: the classification form shows the matrix's suggestion and when a rationale
/// is required, and sends the assessment with the decision.
#[test]
fn r_int_matrix_the_classification_form_guides_and_sends_the_decision() {
    use cims::domain::model::{Classification, Consequence, Probability};
    let mut s = state(false);
    press(&mut s, KeyCode::Enter);
    let mut view = record_view(false);
    view.record["details"] = json!({"kind": "intake", "children": [{"person": {"name": "Casey Brown"}}],
        "reporter": {"name": "Robin"}, "concerns": "bruises"});
    update(&mut s, Msg::Record(view));
    press(&mut s, KeyCode::Char('c'));
    assert_eq!(s.mode, Mode::Form);
    press(&mut s, KeyCode::Down);
    press(&mut s, KeyCode::Down);
    for _ in 0..4 {
        press(&mut s, KeyCode::Right);
    }
    let shown = screen(&mut s, 120, 40);
    assert!(
        shown.contains("Matrix suggests: protective intervention, urgent"),
        "{shown}"
    );
    assert!(shown.contains("A written rationale is required"), "{shown}");
    let ctrl_s = Msg::Key(KeyEvent::new(KeyCode::Char('s'), KeyModifiers::CONTROL));
    let effects = update(&mut s, ctrl_s);
    assert_eq!(
        effects,
        vec![Effect::Command {
            id: "INC-2026-000001".into(),
            version: 4,
            command: Box::new(cims::domain::commands::Command::ClassifyIntake {
                classifications: [Classification::ChildWellbeing].into(),
                urgency: None,
                rationale: None,
                consequence: Some(Consequence::Severe),
                probability: Some(Probability::VeryLikely),
            }),
        }]
    );
    update(
        &mut s,
        Msg::Refused {
            rule: Some("R-INT-MATRIX".into()),
            message: "a written rationale is required".into(),
            field: Some("rationale".into()),
        },
    );
    both("classify_form_refused", &mut s);
    let under = line_under(&mut s, " Rationale");
    assert!(under.contains("✗ R-INT-MATRIX"), "{under}");
}

#[test]
fn assigning_picks_a_colleague_then_asks_first() {
    let mut s = state(false);
    let colleague = |user: &str, name: &str| cims::wire::Colleague {
        user: user.into(),
        display_name: name.into(),
        organisation: "dffh".into(),
    };
    update(
        &mut s,
        Msg::Colleagues(vec![
            colleague("tess", "Tess Manager"),
            colleague("alice", "Alice Nguyen"),
        ]),
    );
    press(&mut s, KeyCode::Char('a'));
    assert_eq!(s.mode, Mode::Pick(String::new(), 0));
    let first = cims::tui::queue::pick_matches(&s.context, "");
    assert_eq!(first[0].user, "alice", "oneself comes first");
    for c in "tess".chars() {
        press(&mut s, KeyCode::Char(c));
    }
    press(&mut s, KeyCode::Enter);
    assert!(matches!(&s.mode, Mode::Confirm(q, _) if q.contains("to tess")));
    let effects = press(&mut s, KeyCode::Char('y'));
    assert_eq!(
        effects,
        vec![Effect::Command {
            id: "INC-2026-000001".into(),
            version: 2,
            command: Box::new(cims::domain::commands::Command::Assign {
                user: Some("tess".into())
            }),
        }]
    );
}

/// Below 80×24 the app says how big the terminal must be instead of drawing a broken
/// screen, and draws the queue again once the terminal is large enough.
#[test]
fn a_terminal_below_80x24_is_told_the_minimum() {
    let mut s = state(false);
    let small = screen(&mut s, 60, 20);
    assert!(small.contains("at least 80×24"), "{small}");
    assert!(small.contains("60×20"), "{small}");
    assert!(!small.contains("queue"), "{small}");
    let enough = screen(&mut s, 80, 24);
    assert!(enough.contains("queue"), "{enough}");
}

fn with_policy(s: &mut State) {
    let policy = cims::domain::policy::PolicySet::embedded()
        .expect("policy")
        .current()
        .clone();
    update(s, Msg::Policy(Box::new(policy)));
}

/// R-LOCK-1: `W` withdraws the endorsement the open record holds, with a reason, so a
/// covered fact can be corrected and the report endorsed again.
#[test]
fn r_lock_1_w_withdraws_the_record_s_endorsement_with_a_reason() {
    let mut s = state(false);
    with_policy(&mut s);
    press(&mut s, KeyCode::Enter);
    update(&mut s, Msg::Record(record_view(false)));
    press(&mut s, KeyCode::Char('W'));
    assert_eq!(s.mode, Mode::Normal, "nothing endorsed, nothing asked");
    assert!(
        screen(&mut s, 80, 24).contains("no endorsement to withdraw"),
        "{}",
        screen(&mut s, 80, 24)
    );

    let mut view = record_view(false);
    view.record["checklist"]["endorsed"] =
        json!({"state": "done", "by": "carol", "at": "2026-11-24T01:00:00Z"});
    update(&mut s, Msg::Record(view));
    press(&mut s, KeyCode::Char('W'));
    assert!(
        matches!(&s.mode, Mode::Reason(cims::tui::mode::ReasonFor::Withdraw(item, _), _) if item == "endorsed"),
        "{:?}",
        s.mode
    );
    assert!(screen(&mut s, 80, 24).contains("withdraw"));
    assert_eq!(
        give_reason(&mut s, 'W', "wrong impact"),
        vec![Effect::Command {
            id: "INC-2026-000001".into(),
            version: 4,
            command: Box::new(cims::domain::commands::Command::WithdrawEndorsement {
                item: "endorsed".into(),
                reason: "wrong impact".into(),
            }),
        }]
    );
}

/// R-NOTE-CAT: ctrl-t in the note editor steps through the policy's note categories, shown
/// in the editor's title, and the note is sent with the one chosen.
#[test]
fn r_note_cat_ctrl_t_chooses_the_note_s_category() {
    let mut s = state(false);
    with_policy(&mut s);
    press(&mut s, KeyCode::Enter);
    update(&mut s, Msg::Record(record_view(false)));
    press(&mut s, KeyCode::Char('n'));
    let ctrl = |c| Msg::Key(KeyEvent::new(KeyCode::Char(c), KeyModifiers::CONTROL));
    let categories = cims::domain::policy::PolicySet::embedded()
        .expect("policy")
        .current()
        .note_categories
        .clone();
    assert!(categories.len() > 1, "the policy has note categories");
    update(&mut s, ctrl('t'));
    update(&mut s, ctrl('t'));
    let chosen = &categories[1];
    assert!(
        screen(&mut s, 120, 40).contains(&chosen.name),
        "{}",
        screen(&mut s, 120, 40)
    );
    for c in "Spoke with the supervisor.".chars() {
        press(&mut s, KeyCode::Char(c));
    }
    let effects = update(&mut s, ctrl('s'));
    assert_eq!(
        effects[0],
        Effect::Command {
            id: "INC-2026-000001".into(),
            version: 4,
            command: Box::new(cims::domain::commands::Command::AddNote {
                category: Some(chosen.id.clone()),
                text: "Spoke with the supervisor.".into(),
                protected_spans: Vec::new(),
            }),
        }
    );
}

#[test]
fn no_number_is_ever_cut_at_80x24_with_nine_views_and_every_deadline_figure_is_whole() {
    use cims::tui::config::ViewTab;
    use cims::tui::layout::due_text;
    let mut s = state(false);
    for title in ["Urgent intake", "Night shift", "Sexual abuse"] {
        s.queue.views.push(ViewTab {
            title: title.into(),
            query: "kind:intake".into(),
        });
    }
    assert_eq!(s.queue.views.len(), 9);
    let counts = [12, 5, 31, 3, 86, 212_000, 7, 1409, 999];
    update(
        &mut s,
        Msg::Counts(counts.iter().map(|n| Some(*n)).collect()),
    );
    let mut rows = page(false).rows;
    rows[0].next_due = Some(now() - Duration::days(400));
    rows[1].next_due = Some(now() + Duration::days(3));
    rows[1].at_risk_from = Some(now() - Duration::hours(1));
    rows[2].next_due = Some(now() + Duration::minutes(90));
    update(
        &mut s,
        Msg::Queue(QueuePage {
            rows: rows.clone(),
            next_cursor: None,
        }),
    );
    for view in [0, 5, 8] {
        s.queue.view = view;
        let drawn = screen(&mut s, 80, 24);
        let top = drawn.lines().next().expect("top line");
        // Each tab stands between dividers; the last one before the status.
        let tabs: Vec<&str> = top
            .split('│')
            .map(|t| t.split("  ").next().unwrap_or(t).trim())
            .collect();
        for (i, n) in counts.iter().enumerate() {
            let whole = format!("{} {n}", i + 1);
            let titled = format!("{} {} {n}", i + 1, s.queue.views[i].title);
            assert!(
                tabs.contains(&whole.as_str()) || tabs.contains(&titled.as_str()),
                "view {view}: count {n} of tab {} is whole in {top:?}",
                i + 1
            );
        }
        assert!(
            top.contains(&format!("{} {}", view + 1, s.queue.views[view].title)),
            "the selected view keeps its title: {top:?}"
        );
        for row in rows.iter().filter(|r| drawn.contains(&r.id)) {
            let figure = due_text(row.next_due, row.at_risk_from, now());
            assert!(drawn.contains(&figure), "{figure} whole in\n{drawn}");
        }
    }
    let drawn = screen(&mut s, 80, 24);
    assert!(
        drawn.contains("OVERDUE 400d") && drawn.contains("soon 3d0h"),
        "{drawn}"
    );
    assert!(drawn.contains("!! 1h30m"), "{drawn}");
}

#[test]
fn a_restart_comes_back_to_the_view_filter_sort_record_and_tab_without_the_words_typed() {
    use cims::tui::app::{restore, snapshot};
    let mut s = state(false);
    press(&mut s, KeyCode::Char('5'));
    s.queue.filter = "impact:major Jordan".into();
    press(&mut s, KeyCode::Char('s'));
    press(&mut s, KeyCode::Down);
    press(&mut s, KeyCode::Down);
    let id = s.queue.selected_row().expect("row").id.clone();
    press(&mut s, KeyCode::Enter);
    update(&mut s, Msg::Record(record_view(false)));
    press(&mut s, KeyCode::Char('l'));
    press(&mut s, KeyCode::Char('l'));
    let tab = s.record.open.as_ref().expect("open").tab;
    assert_ne!(tab, RecordTab::Details);

    let kept = snapshot(&s);
    assert_eq!(kept.filter, "impact:major", "a name typed is never kept");
    let mut again = State::new(now(), Keymap::default(), Theme::default());
    let effects = restore(&mut again, kept);
    assert_eq!(again.queue.view, 4);
    assert_eq!(again.queue.filter, "impact:major");
    assert_eq!(again.queue.sort, s.queue.sort);
    assert_eq!(again.record.open.as_ref().map(|o| o.tab), Some(tab));
    assert!(
        effects.contains(&Effect::LoadRecord { id: id.clone() }),
        "{effects:?}"
    );
    update(&mut again, Msg::Queue(page(false)));
    assert_eq!(again.queue.selected_row().map(|r| r.id.clone()), Some(id));
}

#[test]
fn a_sort_chosen_by_column_comes_back_after_a_restart() {
    use cims::tui::app::{restore, snapshot};
    let mut s = with_columns(r#"["id", "due", "updated"]"#);
    press(&mut s, KeyCode::Char('<'));
    press(&mut s, KeyCode::Char('<'));
    let kept = snapshot(&s);
    assert_eq!(kept.sort, "-updated");
    let mut again = State::new(now(), Keymap::default(), Theme::default());
    again.queue.columns = s.queue.columns.clone();
    restore(&mut again, kept);
    assert_eq!(
        cims::tui::queue::load(&again.queue),
        Effect::LoadQueue {
            query: "mine".into(),
            sort: "-updated".into()
        }
    );
    update(&mut again, Msg::Queue(page(false)));
    assert!(queue_header(&mut again, 80).contains("Updated▼"));
}

#[test]
fn the_record_pane_follows_the_highlight_once_it_rests_and_z_gives_the_queue_the_screen() {
    let mut s = state(false);
    let effects = press(&mut s, KeyCode::Char('j'));
    let second = s.queue.selected_row().expect("row").id.clone();
    assert_eq!(
        effects,
        vec![Effect::PreviewAfter { id: second.clone() }],
        "a move only asks for a preview later: no request per key held down"
    );
    press(&mut s, KeyCode::Char('j'));
    // The first preview arrives after the highlight moved on: nothing is loaded.
    assert!(update(&mut s, Msg::Preview(second)).is_empty());
    let third = s.queue.selected_row().expect("row").id.clone();
    let effects = update(&mut s, Msg::Preview(third.clone()));
    assert_eq!(effects, vec![Effect::LoadRecord { id: third.clone() }]);
    assert_eq!(s.focus, Focus::Queue, "the queue keeps the keyboard");
    assert_eq!(
        cims::tui::app::snapshot(&s).record_tab,
        None,
        "a record only previewed is not reopened on the next start"
    );
    // The pane keeps what it shows until the record arrives: drawn once, not blanked.
    assert_eq!(s.record.previewing.as_deref(), Some(third.as_str()));
    let mut view = record_view(false);
    view.record["id"] = json!(third);
    update(&mut s, Msg::Record(view));
    assert_eq!(
        s.record.open.as_ref().map(|o| o.id.as_str()),
        Some(third.as_str())
    );
    // Enter on a record already shown only moves the keyboard to it.
    assert!(press(&mut s, KeyCode::Enter).is_empty());
    assert_eq!(s.focus, Focus::Record);

    press(&mut s, KeyCode::Esc);
    press(&mut s, KeyCode::Char('z'));
    assert!(s.queue.zoomed);
    let drawn = screen(&mut s, 80, 24);
    assert!(!drawn.contains("deadlines"), "no record pane:\n{drawn}");
    assert!(
        drawn.contains(&s.queue.rows[15].id),
        "more rows fit:\n{drawn}"
    );
    assert!(
        press(&mut s, KeyCode::Char('j'))
            .iter()
            .all(|e| !matches!(e, Effect::PreviewAfter { .. })),
        "nothing is previewed while the queue has the screen"
    );
    press(&mut s, KeyCode::Char('z'));
    assert!(!s.queue.zoomed);
}

#[test]
fn alerts_call_for_attention_when_a_watched_count_grows_and_name_only_the_view() {
    use cims::tui::app::{Attention, watch};
    use cims::tui::config::Config;
    use cims::tui::notify::How;
    let config = Config::parse(
        "c.toml",
        "[ui]\nhandover_alert = \"notify\"\n\n\
         [[alerts]]\nview = \"Intake\"\nwhen = \"new\"\nhow = \"notify\"\n\n\
         [[alerts]]\nview = \"Mine\"\nwhen = \"at_risk\"\nhow = \"bell\"\n",
    )
    .expect("alerts");
    let mut s = state(false);
    s.attention = Attention::new(
        &config.alerts,
        &s.queue.views,
        config.ui.notify,
        config.ui.handover_alert,
    );
    let first = watch(&mut s);
    assert_eq!(
        first,
        Some(Effect::LoadAlertCounts {
            queries: vec!["kind:intake".into(), "mine due:at_risk".into()]
        })
    );
    assert!(
        update(&mut s, Msg::AlertCounts(vec![Some(7), Some(2)])).is_empty(),
        "the first counts are what later ones are compared with"
    );
    // A colleague registers a record: its first version.
    let change = cims::wire::Change {
        seq: 9,
        record_id: "INT-2026-000077".into(),
        version: 1,
    };
    let effects = update(&mut s, Msg::Change(change.clone()));
    assert!(
        effects.contains(&first.clone().expect("load")),
        "{effects:?}"
    );
    let effects = update(&mut s, Msg::AlertCounts(vec![Some(8), Some(2)]));
    let [Effect::Attention { how, text, .. }] = &effects[..] else {
        panic!("one call for attention: {effects:?}");
    };
    assert_eq!((*how, text.as_str()), (How::Notify, "1 new in Intake"));
    assert!(!text.contains("INT-2026") && !text.contains("Casey"));
    // A later version of a record is no new record; time passing may put one at risk.
    let later = cims::wire::Change {
        version: 2,
        ..change
    };
    assert!(
        !update(&mut s, Msg::Change(later))
            .iter()
            .any(|e| matches!(e, Effect::LoadAlertCounts { .. }))
    );
    let effects = update(&mut s, Msg::Tick(now()));
    assert!(
        effects.contains(&Effect::LoadHandovers),
        "handovers are read every minute"
    );
    assert!(
        effects
            .iter()
            .any(|e| matches!(e, Effect::LoadAlertCounts { .. }))
    );
    let effects = update(&mut s, Msg::AlertCounts(vec![Some(8), Some(4)]));
    assert!(
        matches!(&effects[..], [Effect::Attention { how: How::Bell, text, .. }] if text == "2 more at risk in Mine"),
        "{effects:?}"
    );
    // Fewer is no news; a count that failed is not news either.
    assert!(update(&mut s, Msg::AlertCounts(vec![Some(5), None])).is_empty());
    update(&mut s, Msg::Tick(now()));
    assert!(update(&mut s, Msg::AlertCounts(vec![Some(5), Some(4)])).is_empty());

    // A handover to the user: the first answer is what later ones are compared with.
    update(&mut s, Msg::Handovers(Box::new(handovers_answer())));
    let mut more = handovers_answer();
    let mut second = more.handovers[0].clone();
    second.id = 9;
    more.handovers.insert(0, second);
    let effects = update(&mut s, Msg::Handovers(Box::new(more)));
    assert!(
        matches!(&effects[..], [Effect::Attention { how: How::Notify, text, .. }] if text == "1 new handover(s) for you"),
        "{effects:?}"
    );
    let e = Config::parse("c.toml", "[[alerts]]\nview = \"Urgent\"\nwhen = \"new\"\n").unwrap_err();
    assert!(e.to_string().contains("\"Urgent\""), "{e}");
    let e = Config::parse("c.toml", "[[alerts]]\nview = \"Mine\"\nwhen = \"soon\"\n").unwrap_err();
    assert!(e.to_string().contains("soon"), "{e}");
}

fn since_answer() -> cims::wire::Since {
    serde_json::from_value(json!({
        "from": 41,
        "looked_at": "2026-11-23T06:02:00Z",
        "more": false,
        "records": [
            {
                "id": "INT-2026-000077", "kind": "intake", "stage": "intake_1_receive",
                "events": [{
                    "at": "2026-11-23T20:15:00Z", "by": "tess",
                    "change": {"event": "created"}
                }]
            },
            {
                "id": "INC-2026-000003", "kind": "incident", "stage": "identification_response",
                "events": [
                    {"at": "2026-11-23T21:00:00Z", "by": "tess",
                     "change": {"event": "note_added"}},
                    {"at": "2026-11-23T21:05:00Z", "by": "tess",
                     "change": {"event": "assigned", "to": "carol"}}
                ]
            }
        ]
    }))
    .expect("a Since answer")
}

#[test]
fn since_lists_what_others_changed_and_the_queue_marks_it_until_seen() {
    let mut s = state(false);
    // Before the span is fixed, nothing is marked seen: the span must not move.
    press(&mut s, KeyCode::Enter);
    let first = s.queue.rows[0].clone();
    let mut view = record_view(false);
    view.record["id"] = json!(first.id);
    let effects = update(&mut s, Msg::Record(view.clone()));
    assert!(
        !effects.iter().any(|e| matches!(e, Effect::MarkSeen { .. })),
        "{effects:?}"
    );
    press(&mut s, KeyCode::Esc);

    update(&mut s, Msg::Since(Box::new(since_answer())));
    assert!(
        s.message
            .as_ref()
            .is_some_and(|(_, m)| m.contains("2 record(s) changed by others")),
        "{:?}",
        s.message
    );
    let effects = press(&mut s, KeyCode::Char('S'));
    assert_eq!(effects, vec![Effect::LoadSince { from: Some(41) }]);
    assert_eq!(s.mode, Mode::Since);
    both("since", &mut s);
    press(&mut s, KeyCode::Char('j'));
    let effects = press(&mut s, KeyCode::Enter);
    assert_eq!(
        effects,
        vec![Effect::LoadRecord {
            id: "INC-2026-000003".into()
        }]
    );
    assert_eq!(s.mode, Mode::Normal);

    // A row changed by others carries a mark in text until its record is seen.
    let mut page = page(false);
    page.rows[2].changed = true;
    update(&mut s, Msg::Queue(page));
    let drawn = screen(&mut s, 80, 24);
    assert!(drawn.contains("│ • INC-2026-000003"), "{drawn}");
    let mut view = record_view(false);
    view.record["id"] = json!("INC-2026-000003");
    let version = view.version;
    let effects = update(&mut s, Msg::Record(view));
    assert!(
        effects.contains(&Effect::MarkSeen {
            id: "INC-2026-000003".into(),
            version
        }),
        "{effects:?}"
    );
    assert!(!s.queue.rows[2].changed);
}

fn handovers_answer() -> cims::wire::Handovers {
    serde_json::from_value(json!({
        "handovers": [{
            "id": 7, "author": "tess", "to_user": "alice", "to_org": null,
            "written_at": "2026-11-24T06:00:00Z",
            "acknowledged_by": null, "acknowledged_at": null, "for_me": true,
            "items": [
                {"record": "INC-2026-000003", "line": "Call the unit back before 9."},
                {"record": {"masked": "identifying"}, "line": {"masked": "identifying"}}
            ]
        }]
    }))
    .expect("handovers")
}

#[test]
fn a_handover_waiting_opens_at_start_is_acknowledged_and_one_is_written_for_marked_records() {
    let mut s = state(false);
    update(&mut s, Msg::Handovers(Box::new(handovers_answer())));
    assert_eq!(s.mode, Mode::Handover, "an incoming worker reads it first");
    both("handovers", &mut s);
    assert_eq!(
        press(&mut s, KeyCode::Char('a')),
        vec![Effect::AcknowledgeHandover { id: 7 }]
    );
    assert_eq!(
        update(&mut s, Msg::Acknowledged),
        vec![Effect::LoadHandovers]
    );
    press(&mut s, KeyCode::Esc);
    assert_eq!(s.mode, Mode::Normal);

    // Two records marked in the queue, handed over to the night team.
    press(&mut s, KeyCode::Char('x'));
    press(&mut s, KeyCode::Char('j'));
    press(&mut s, KeyCode::Char('x'));
    let marked: Vec<String> = s.queue.marked.iter().cloned().collect();
    assert_eq!(marked.len(), 2);
    assert_eq!(
        press(&mut s, KeyCode::Char('H')),
        vec![Effect::LoadHandovers]
    );
    press(&mut s, KeyCode::Char('w'));
    for c in "org:dffh".chars() {
        press(&mut s, KeyCode::Char(c));
    }
    press(&mut s, KeyCode::Tab);
    for c in "Mum rings at 8.".chars() {
        press(&mut s, KeyCode::Char(c));
    }
    press(&mut s, KeyCode::Tab);
    // The last line is still empty: nothing is sent, and the user is told why.
    assert!(press(&mut s, KeyCode::Enter).is_empty());
    assert!(
        s.message
            .as_ref()
            .is_some_and(|(_, m)| m.contains(&format!("write a line for {}", marked[1])))
    );
    for c in "Bed found.".chars() {
        press(&mut s, KeyCode::Char(c));
    }
    both("handover_writing", &mut s);
    let sent = press(&mut s, KeyCode::Enter);
    let expected = cims::wire::WriteHandover {
        to_user: None,
        to_org: Some("dffh".into()),
        items: vec![
            cims::wire::HandoverLine {
                record: marked[0].clone(),
                line: "Mum rings at 8.".into(),
            },
            cims::wire::HandoverLine {
                record: marked[1].clone(),
                line: "Bed found.".into(),
            },
        ],
    };
    assert_eq!(
        sent,
        vec![Effect::WriteHandover {
            handover: Box::new(expected)
        }]
    );
    let written: cims::wire::Handover = serde_json::from_value(json!({
        "id": 8, "author": "alice", "to_user": null, "to_org": "dffh",
        "written_at": "2026-11-24T07:00:00Z", "acknowledged_by": null,
        "acknowledged_at": null, "for_me": false,
        "items": [{"record": marked[0], "line": "Mum rings at 8."},
                  {"record": marked[1], "line": "Bed found."}]
    }))
    .expect("written");
    let effects = update(&mut s, Msg::HandoverWritten(Box::new(written)));
    assert_eq!(effects, vec![Effect::LoadHandovers]);
    assert!(s.handover.compose.is_none() && s.queue.marked.is_empty());
}

#[test]
fn the_linear_mode_draws_no_boxes_one_item_a_line_and_announces_changes() {
    let boxes = ['┌', '┐', '└', '┘', '│', '─', '├', '┤'];
    let no_boxes = |drawn: &str| {
        assert!(
            !drawn.chars().any(|c| boxes.contains(&c)),
            "box drawing in the linear mode:\n{drawn}"
        );
    };
    let mut s = state(false);
    s.context.linear = true;
    update(
        &mut s,
        Msg::Counts(vec![
            Some(12),
            Some(5),
            Some(31),
            Some(3),
            Some(86),
            Some(2120),
        ]),
    );
    both("linear_queue", &mut s);
    let drawn = screen(&mut s, 80, 24);
    no_boxes(&drawn);
    assert!(
        drawn.contains("Views: 1 Mine 12 (shown); 2 Due today 5"),
        "{drawn}"
    );
    assert!(
        drawn.contains("> INC-2026-000001: due OVERDUE 13h00m; stage identification response"),
        "{drawn}"
    );

    press(&mut s, KeyCode::Enter);
    let mut view = record_view(false);
    view.record["id"] = json!("INC-2026-000001");
    update(&mut s, Msg::Record(view));
    both("linear_record", &mut s);
    let drawn = screen(&mut s, 80, 24);
    no_boxes(&drawn);
    assert!(
        drawn.contains("Record INC-2026-000001, tab Details (1 of 5):"),
        "{drawn}"
    );

    press(&mut s, KeyCode::Esc);
    update(
        &mut s,
        Msg::Change(cims::wire::Change {
            seq: 3,
            record_id: "INC-2026-000004".into(),
            version: 5,
        }),
    );
    assert!(screen(&mut s, 80, 24).contains("Message: INC-2026-000004 changed (version 5)"));

    update(&mut s, Msg::Since(Box::new(since_answer())));
    press(&mut s, KeyCode::Char('S'));
    both("linear_since", &mut s);
    no_boxes(&screen(&mut s, 120, 40));
    press(&mut s, KeyCode::Esc);
    update(&mut s, Msg::Handovers(Box::new(handovers_answer())));
    both("linear_handovers", &mut s);
    no_boxes(&screen(&mut s, 120, 40));
}

/// Start-up: the first page has the server to itself; when the feed goes live before it
/// arrives, the page and the counts are read again once it is on screen, so a change made
/// before the feed was live is not missed. A later reconnect reloads at once.
#[test]
fn the_first_page_is_not_raced_and_is_read_again_once_the_feed_is_live() {
    let mut s = State::new(now(), Keymap::default(), Theme::default());
    assert!(update(&mut s, Msg::Connection(Connection::Live)).is_empty());
    let effects = update(&mut s, Msg::Queue(page(false)));
    assert!(
        effects
            .iter()
            .any(|e| matches!(e, Effect::LoadQueue { .. }))
            && effects
                .iter()
                .any(|e| matches!(e, Effect::LoadCounts { .. })),
        "{effects:?}"
    );
    let again = update(&mut s, Msg::Queue(page(false)));
    assert!(
        !again.iter().any(|e| matches!(e, Effect::LoadQueue { .. })),
        "read again once only: {again:?}"
    );
    update(&mut s, Msg::Connection(Connection::Offline("gone".into())));
    let back = update(&mut s, Msg::Connection(Connection::Live));
    assert!(
        matches!(
            back[..],
            [Effect::LoadQueue { .. }, Effect::LoadCounts { .. }]
        ),
        "{back:?}"
    );
}

/// R-LINK-1: from an incident, `I` registers its intake report with the child and the facts
/// copied across, to be linked once kept; on an intake, `K` links it by the incident's id;
/// the Details tab shows the link.
#[test]
fn r_link_1_an_incident_s_new_allegation_is_registered_from_it_and_linked() {
    let mut s = state(false);
    press(&mut s, KeyCode::Enter);
    update(&mut s, Msg::Record(record_view(false)));
    press(&mut s, KeyCode::Char('I'));
    assert_eq!(s.mode, Mode::Form);
    let drawn = screen(&mut s, 120, 40);
    assert!(drawn.contains("Jordan Smith"), "{drawn}");
    // The concerns wrap in the form beside who the child may already be.
    assert!(
        drawn.contains("Incident INC-2026-000001: Jordan"),
        "{drawn}"
    );
    let concerns = s
        .form
        .as_ref()
        .and_then(|f| f.fields.iter().find(|f| f.name == "concerns"))
        .map(|f| f.value.clone());
    assert_eq!(
        concerns,
        Some(cims::tui::forms::Input::Text(
            "Incident INC-2026-000001: Jordan said a staff member pushed him.".into()
        ))
    );
    assert!(drawn.contains("to be linked to INC-2026-000001"), "{drawn}");
    let effects = update(
        &mut s,
        Msg::Key(KeyEvent::new(KeyCode::Char('s'), KeyModifiers::CONTROL)),
    );
    // The reporter's name is still to be given: nothing is sent yet.
    assert!(effects.is_empty(), "{effects:?}");
    let form = s.form.as_mut().expect("the form");
    form.fields
        .iter_mut()
        .filter(|f| f.name == "reporter_name")
        .for_each(|f| f.value = cims::tui::forms::Input::Text("Robin Reporter".into()));
    let effects = update(
        &mut s,
        Msg::Key(KeyEvent::new(KeyCode::Char('s'), KeyModifiers::CONTROL)),
    );
    let [Effect::Create { link, details, .. }] = &effects[..] else {
        panic!("{effects:?}");
    };
    assert_eq!(link.as_deref(), Some("INC-2026-000001"));
    assert!(matches!(**details, cims::domain::model::Details::Intake(_)));

    // On an intake, K asks for the incident's id and sends the link.
    let mut intake = record_view(false);
    intake.record["id"] = json!("INT-2026-000009");
    intake.record["details"] = json!({"kind": "intake", "concerns": "Bruising."});
    intake.links = vec!["INC-2026-000001".into()];
    let mut s = state(false);
    s.queue.rows[0].id = "INT-2026-000009".into();
    s.queue.rows[0].kind = "intake".into();
    press(&mut s, KeyCode::Enter);
    update(&mut s, Msg::Record(intake));
    assert!(screen(&mut s, 120, 40).contains("Linked    INC-2026-000001 (registered for)"));
    press(&mut s, KeyCode::Char('K'));
    for c in "INC-2026-000007".chars() {
        press(&mut s, KeyCode::Char(c));
    }
    let sent = press(&mut s, KeyCode::Enter);
    assert!(
        matches!(&sent[..], [Effect::Command { command, .. }]
            if **command == cims::domain::commands::Command::LinkIncident { incident: "INC-2026-000007".into() }),
        "{sent:?}"
    );
}

/// A page asked for one view and answered after another was chosen is dropped: the queue
/// never shows the rows of a view the user has left.
#[test]
fn a_page_overtaken_by_another_view_is_dropped() {
    let mut s = state(false);
    press(&mut s, KeyCode::Char('6'));
    let all = s.queue.query();
    let empty = QueuePage {
        rows: Vec::new(),
        next_cursor: None,
    };
    update(
        &mut s,
        Msg::QueueFor {
            query: "mine".into(),
            sort: "due".into(),
            page: empty.clone(),
        },
    );
    assert_eq!(s.queue.rows.len(), 30, "the Mine page came too late");
    update(
        &mut s,
        Msg::QueueFor {
            query: all,
            sort: "due".into(),
            page: empty,
        },
    );
    assert!(s.queue.rows.is_empty(), "the All page is the queue's");
}

/// R-PERSON-1, R-PATTERN-1, R-INT-REREPORT-3: the record's Details tab says who is in other
/// records, a client's pattern of incidents and a child's earlier reports in cims.
#[test]
fn details_show_a_persons_other_records_their_pattern_and_earlier_reports() {
    let mut view = record_view(false);
    view.people = vec![cims::wire::RecordPerson {
        person: "INC-2026-000001.client0".into(),
        role: "client".into(),
        position: 0,
        records: 4,
        earlier_reports: Vec::new(),
        pattern: Some(cims::wire::IncidentPattern {
            incidents: vec![
                "INC-2026-000001".into(),
                "INC-2026-000002".into(),
                "INC-2026-000003".into(),
            ],
            window_days: 90,
        }),
    }];
    let mut s = state(false);
    press(&mut s, KeyCode::Enter);
    update(&mut s, Msg::Record(view.clone()));
    let shown = screen(&mut s, 120, 40);
    assert!(
        shown.contains(
            "Pattern   client 1: 3 incidents in 90 days; reconsider impact (R-PATTERN-1)"
        ),
        "{shown}"
    );
    assert!(
        shown.contains("Person    client 1 is in 4 records: person:INC-2026-000001.client0"),
        "{shown}"
    );

    view.people = vec![cims::wire::RecordPerson {
        person: "INT-2026-000009.child0".into(),
        role: "child".into(),
        position: 0,
        records: 1,
        earlier_reports: vec!["INT-2026-000005".into(), "INT-2026-000002".into()],
        pattern: None,
    }];
    update(&mut s, Msg::Record(view));
    let shown = screen(&mut s, 120, 40);
    assert!(
        shown.contains("Reports   child 1: 2 earlier in cims (INT-2026-000005, INT-2026-000002)"),
        "{shown}"
    );
    assert!(!shown.contains("Pattern"), "{shown}");
    assert!(!shown.contains("is in 1 records"), "{shown}");
}
