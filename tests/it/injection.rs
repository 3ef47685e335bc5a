//! Hostile text cannot reach the terminal (DESIGN §7, untrusted text): every string from the
//! server is cleaned when it enters the client, and nothing from data goes into the terminal
//! title, OSC 8 or OSC 52.
//!
//! Terminal payloads written here (OSC 52/0/1/2/8, DCS, APC, PM, SOS, CSI moves and erases,
//! `CSI 6n`, 8-bit C1 forms, bidi controls, unterminated strings, a 10 000-character line, wide
//! and zero-width characters) and the Big List of Naughty Strings (`tests/data/blns.json`) are
//! stored through the HTTP API in every free-text field a user can write. The real app then
//! shows them in a pseudo-terminal: the queue, and the Details, Checklist, Notes and History
//! of the records that hold them. Every byte it writes is checked, the screen is checked
//! frame by frame, and the app must quit cleanly.

use std::time::{Duration, Instant};

use serde_json::{Value, json};

use crate::api::harness::{Api, PATIENCE, Persona};
use crate::e2e::{AppHome, Pty, queue_ids};
use crate::fixtures;
use crate::support::{self, Db};

/// Tall and wide enough that the whole Big List, wrapped, fits the record pane at once.
const ROWS: u16 = 320;
const COLS: u16 = 240;

/// Ends the Big List wherever it is written: on screen, it proves the whole list was drawn.
const END_OF_LIST: &str = "END-OF-THE-BIG-LIST";

/// Strings written to make a terminal do something other than show them.
fn terminal_payloads() -> Vec<(&'static str, String)> {
    let payloads: &[(&str, &str)] = &[
        (
            "OSC 52 clipboard write (BEL)",
            "\u{1b}]52;c;cm0gLXJmIH4K\u{7}clip",
        ),
        (
            "OSC 52 clipboard write (ST)",
            "\u{1b}]52;p;cm0gLXJmIH4K\u{1b}\\clip",
        ),
        ("OSC 52 clipboard read", "\u{1b}]52;c;?\u{7}"),
        ("OSC 0 title", "\u{1b}]0;owned title\u{7}t0"),
        ("OSC 1 icon name", "\u{1b}]1;owned icon\u{7}t1"),
        ("OSC 2 title (ST)", "\u{1b}]2;owned title\u{1b}\\t2"),
        (
            "OSC 8 hyperlink",
            "\u{1b}]8;;https://evil.example/\u{1b}\\click me\u{1b}]8;;\u{1b}\\",
        ),
        ("DCS XTGETTCAP", "\u{1b}P+q544e\u{1b}\\dcs"),
        ("DCS DECRQSS", "\u{1b}P$qm\u{1b}\\dcs"),
        ("APC graphics", "\u{1b}_Gf=100,a=T;AAAA\u{1b}\\apc"),
        ("PM", "\u{1b}^private message\u{1b}\\pm"),
        ("SOS", "\u{1b}Xstart of string\u{1b}\\sos"),
        ("CSI home and erase display", "\u{1b}[H\u{1b}[2Jerased"),
        ("CSI cursor moves", "\u{1b}[10A\u{1b}[5C\u{1b}[3;3Hmoved"),
        ("CSI erase line", "\u{1b}[2Kline"),
        ("CSI 6n device status report", "\u{1b}[6ndsr"),
        ("CSI device attributes", "\u{1b}[c\u{1b}[>cda"),
        ("CSI window title report", "\u{1b}[21treport"),
        ("CSI window resize", "\u{1b}[8;1;1tresize"),
        ("CSI hidden text", "\u{1b}[8mhidden\u{1b}[0m"),
        ("CSI scroll region", "\u{1b}[1;2rscroll"),
        ("leave the alternate screen", "\u{1b}[?1049lleave"),
        ("full reset", "\u{1b}creset"),
        ("8-bit CSI 6n", "\u{9b}6n8bit"),
        ("8-bit OSC 52", "\u{9d}52;c;cm0gLXJmIH4K\u{9c}8bit"),
        ("8-bit DCS and APC", "\u{90}+q544e\u{9c}\u{9f}apc\u{9c}8bit"),
        (
            "other C1 controls",
            "\u{85}\u{84}\u{8d}\u{8e}\u{8f}\u{9a}c1",
        ),
        ("right-to-left override", "\u{202e}gnp.exe\u{202c}rlo"),
        ("bidi isolates", "\u{2066}a\u{2067}b\u{2068}c\u{2069}iso"),
        (
            "bidi marks and embeddings",
            "\u{200e}\u{200f}\u{61c}\u{202a}\u{202b}\u{202d}marks",
        ),
        ("unterminated OSC", "\u{1b}]0;never terminated"),
        ("unterminated DCS", "\u{1b}Pq#0;2;0;0;0"),
        (
            "bell, backspace, carriage return, vertical tab, form feed",
            "bell\u{7}\u{8}\u{8}\r\u{b}\u{c}c0",
        ),
        ("newlines and tabs", "line one\nline two\tafter a tab\r\n"),
        ("DEL and NUL", "del\u{7f}nul\u{0}"),
        ("wide CJK", "児童保護事件管理システム"),
        (
            "emoji with ZWJ, skin tones and variation selectors",
            "👨\u{200d}👩\u{200d}👧\u{200d}👦 👩🏽\u{200d}⚕\u{fe0f} 🏳\u{fe0f}\u{200d}🌈 ☺\u{fe0f} 🇦🇺",
        ),
        (
            "zero-width characters",
            "a\u{200b}b\u{200c}c\u{200d}d\u{feff}e\u{2060}f",
        ),
        (
            "combining marks",
            "Z\u{324}\u{354}\u{367}\u{311}\u{343}a\u{308}\u{356}\u{32d}l\u{36e}\u{312}g\u{30c}",
        ),
        ("line and paragraph separators", "a\u{2028}b\u{2029}c"),
    ];
    let mut all: Vec<(&str, String)> = payloads
        .iter()
        .map(|(name, text)| (*name, (*text).to_string()))
        .collect();
    all.push(("a 10 000-character line", "overlong ".repeat(1_112)));
    all
}

/// The Big List of Naughty Strings, as vendored.
fn blns() -> Vec<String> {
    let text = include_str!("../data/blns.json");
    serde_json::from_str(text).expect("blns.json is a JSON list of strings")
}

/// Every payload in one text, each named, so one field carries them all.
fn all_in_one(payloads: &[(&str, String)]) -> String {
    payloads
        .iter()
        .map(|(name, text)| format!("[{name}] {text}"))
        .collect::<Vec<_>>()
        .join(" ")
}

/// What a terminal emulator did with the app's output beyond drawing it.
#[derive(Debug, Default)]
struct Recorder {
    events: Vec<String>,
}

impl vt100::Callbacks for Recorder {
    fn audible_bell(&mut self, _: &mut vt100::Screen) {
        self.events.push("audible bell".into());
    }
    fn visual_bell(&mut self, _: &mut vt100::Screen) {
        self.events.push("visual bell".into());
    }
    fn resize(&mut self, _: &mut vt100::Screen, request: (u16, u16)) {
        self.events.push(format!("resize to {request:?}"));
    }
    fn set_window_icon_name(&mut self, _: &mut vt100::Screen, name: &[u8]) {
        self.events.push(format!(
            "icon name set to {:?}",
            String::from_utf8_lossy(name)
        ));
    }
    fn set_window_title(&mut self, _: &mut vt100::Screen, title: &[u8]) {
        self.events
            .push(format!("title set to {:?}", String::from_utf8_lossy(title)));
    }
    fn copy_to_clipboard(&mut self, _: &mut vt100::Screen, _: &[u8], data: &[u8]) {
        self.events.push(format!(
            "clipboard written: {:?}",
            String::from_utf8_lossy(data)
        ));
    }
    fn paste_from_clipboard(&mut self, _: &mut vt100::Screen, _: &[u8]) {
        self.events.push("clipboard read".into());
    }
    fn unhandled_char(&mut self, _: &mut vt100::Screen, c: char) {
        self.events.push(format!("unhandled character {c:?}"));
    }
    fn unhandled_control(&mut self, _: &mut vt100::Screen, b: u8) {
        self.events.push(format!("unhandled control {b:#04x}"));
    }
    fn unhandled_escape(&mut self, _: &mut vt100::Screen, i1: Option<u8>, i2: Option<u8>, b: u8) {
        self.events.push(format!(
            "unhandled escape {i1:?} {i2:?} {:?}",
            char::from(b)
        ));
    }
    fn unhandled_osc(&mut self, _: &mut vt100::Screen, params: &[&[u8]]) {
        let params: Vec<_> = params.iter().map(|p| String::from_utf8_lossy(p)).collect();
        self.events.push(format!("OSC {params:?}"));
    }
    fn on_scroll(&mut self, _: vt100::capture::RowContents<'_>, alternate: bool) {
        if alternate {
            self.events.push("the alternate screen scrolled".into());
        }
    }
}

/// One escape sequence in the app's output.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Escape {
    /// `ESC [ params final`.
    Csi { params: String, last: char },
    /// `ESC` and the byte after it, for everything else.
    Other(char),
}

/// Every escape sequence in `text`, in order.
fn escapes(text: &str) -> Vec<Escape> {
    let mut found = Vec::new();
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        if c != '\u{1b}' {
            continue;
        }
        match chars.next() {
            Some('[') => {
                let mut params = String::new();
                let mut last = '\0';
                for c in chars.by_ref() {
                    if ('\u{40}'..='\u{7e}').contains(&c) {
                        last = c;
                        break;
                    }
                    params.push(c);
                }
                found.push(Escape::Csi { params, last });
            }
            Some(other) => found.push(Escape::Other(other)),
            None => found.push(Escape::Other('\0')),
        }
    }
    found
}

/// The CSI sequences a ratatui/crossterm frame is made of: cursor position, colours and
/// attributes, erases, and the private modes the app sets and restores (alternate screen,
/// cursor, synchronized update, bracketed paste, focus and mouse reports, keyboard flags).
fn is_drawing(escape: &Escape) -> bool {
    let Escape::Csi { params, last } = escape else {
        return false;
    };
    let numeric = |p: &str| {
        p.chars()
            .all(|c| c.is_ascii_digit() || c == ';' || c == ':')
    };
    match last {
        'H' | 'm' | 'J' | 'K' | 'A' | 'B' | 'C' | 'D' | 'G' | 'd' => numeric(params),
        'h' | 'l' => params
            .strip_prefix('?')
            .is_some_and(|modes| numeric(modes) && !modes.is_empty()),
        'u' => params.strip_prefix(['>', '<', '=']).is_some_and(numeric),
        'q' => params.strip_suffix(' ').is_some_and(numeric),
        _ => false,
    }
}

/// The code points that must never be written: C1 controls (an 8-bit terminal reads them
/// as CSI, OSC, DCS …) and the bidirectional formatting controls (they reorder what the
/// user reads).
fn is_never_written(c: char) -> bool {
    matches!(c,
        '\u{80}'..='\u{9f}'
        | '\u{202a}'..='\u{202e}'
        | '\u{2066}'..='\u{2069}'
        | '\u{200e}'
        | '\u{200f}'
        | '\u{61c}')
}

/// Every byte the app wrote carries no control sequence from the data: no OSC (title,
/// hyperlink, clipboard), no DCS, APC, PM or SOS, no device status or attribute request, no
/// C1 code point, no bidi control; only the sequences a frame is drawn with.
fn assert_output_clean(bytes: &[u8]) {
    let text = std::str::from_utf8(bytes).unwrap_or_else(|e| {
        panic!("the app wrote bytes that are not UTF-8 (an 8-bit terminal could read them as C1 controls): {e}")
    });
    let forbidden: Vec<String> = text
        .chars()
        .filter(|c| is_never_written(*c))
        .map(|c| format!("U+{:04X}", u32::from(c)))
        .collect();
    assert!(
        forbidden.is_empty(),
        "C1 or bidi controls were written to the terminal: {forbidden:?}"
    );
    for needle in [
        "\u{1b}]",
        "\u{1b}P",
        "\u{1b}_",
        "\u{1b}^",
        "\u{1b}X",
        "\u{1b}[6n",
        "\u{1b}[c",
        "\u{1b}c",
    ] {
        assert!(
            !text.contains(needle),
            "the app wrote {needle:?} to the terminal"
        );
    }
    let foreign: Vec<Escape> = escapes(text)
        .into_iter()
        .filter(|e| !is_drawing(e))
        .collect();
    assert!(
        foreign.is_empty(),
        "escape sequences that do not draw a frame reached the terminal: {foreign:?}"
    );
}

/// The character drawn at `row`, `col`.
fn at(screen: &vt100::Screen, row: u16, col: u16) -> String {
    screen
        .cell(row, col)
        .map(|cell| cell.contents().to_string())
        .unwrap_or_default()
}

/// The frame is where the app drew it: the status line on top with who is logged in, the
/// queue's box across the full width, and below it the record's box and the deadlines' box
/// side by side, every border character in its column on every row, the hints on the last
/// line. Text that a terminal draws wider or narrower than the app measured it would push
/// or pull these borders out of place.
fn assert_frame_intact(screen: &vt100::Screen, what: &str) -> Frame {
    let contents = screen.contents();
    let fail = |problem: String| -> ! {
        panic!("{what}: the frame is broken: {problem}; the screen:\n{contents}")
    };
    let last = COLS - 1;
    let top: String = screen.rows(0, COLS).next().unwrap_or_default();
    if !(top.starts_with(" 1 Mine") && top.contains("alice") && top.contains("● live")) {
        fail(format!("the status line reads {top:?}"));
    }
    if at(screen, 1, 0) != "┌" || at(screen, 1, last) != "┐" {
        fail("the queue's top corners moved".into());
    }
    let mut row = 2;
    while at(screen, row, 0) == "│" {
        if at(screen, row, last) != "│" {
            fail(format!("row {row} of the queue lost its right border"));
        }
        row += 1;
    }
    if at(screen, row, 0) != "└" || at(screen, row, last) != "┘" {
        fail(format!("the queue's bottom corners are not on row {row}"));
    }
    let record_top = row + 1;
    if at(screen, record_top, 0) != "┌" || at(screen, record_top, last) != "┐" {
        fail(format!(
            "the record pane does not start on row {record_top}"
        ));
    }
    let split = (1..last)
        .find(|&col| at(screen, record_top, col) == "┐")
        .unwrap_or_else(|| fail("the record pane has no right corner".into()));
    if at(screen, record_top, split + 1) != "┌" {
        fail("the deadlines pane does not start beside the record pane".into());
    }
    let mut row = record_top + 1;
    while at(screen, row, 0) == "│" {
        for col in [split, split + 1, last] {
            if at(screen, row, col) != "│" {
                fail(format!("row {row} lost the border in column {col}"));
            }
        }
        row += 1;
    }
    let bottom = [(0, "└"), (split, "┘"), (split + 1, "└"), (last, "┘")];
    if bottom.iter().any(|(col, c)| at(screen, row, *col) != *c) {
        fail(format!("the panes' bottom corners are not on row {row}"));
    }
    if row != ROWS - 2 {
        fail(format!("the panes end on row {row}, not above the hints"));
    }
    Frame {
        record_top,
        split,
        bottom: row,
    }
}

/// Where the record pane is on the screen.
struct Frame {
    record_top: u16,
    /// The record pane's right border.
    split: u16,
    /// The panes' bottom border.
    bottom: u16,
}

/// The text drawn on `row` from column `from` up to (not including) `to`.
fn text_between(screen: &vt100::Screen, row: u16, from: u16, to: u16) -> String {
    (from..to).map(|col| at(screen, row, col)).collect()
}

/// Nothing is drawn under the queue's Assignee heading (no record is assigned): text a
/// terminal draws wider than the app measured it spills there.
fn assert_nothing_spills_into_the_assignee_column(screen: &vt100::Screen, what: &str) {
    let last = COLS - 1;
    let heading = 2;
    let column = (1..last)
        .find(|&col| text_between(screen, heading, col, col + 8) == "Assignee")
        .unwrap_or_else(|| panic!("{what}: no Assignee heading:\n{}", screen.contents()));
    let mut row = heading + 1;
    while at(screen, row, 0) == "│" {
        let spilt = text_between(screen, row, column, last);
        assert!(
            spilt.trim().is_empty(),
            "{what}: row {row} has {spilt:?} under Assignee:\n{}",
            screen.contents()
        );
        row += 1;
    }
}

/// Every line of the record pane is blank or satisfies `ok`: nothing is left over from what
/// was drawn there before.
fn assert_record_lines(
    screen: &vt100::Screen,
    frame: &Frame,
    what: &str,
    ok: impl Fn(&str) -> bool,
) {
    for row in frame.record_top + 1..frame.bottom {
        let line = text_between(screen, row, 1, frame.split);
        let line = line.trim();
        assert!(
            line.is_empty() || ok(line),
            "{what}: row {row} reads {line:?}:\n{}",
            screen.contents()
        );
    }
}

impl Pty {
    /// Wait until the app has written nothing for a while: a frame larger than one read of
    /// the pseudo-terminal arrives in pieces, and a screen read between them is half drawn.
    async fn settled(&self) {
        let deadline = Instant::now() + PATIENCE;
        let written = || self.output.lock().expect("the output lock").bytes.len();
        let mut before = written();
        loop {
            tokio::time::sleep(Duration::from_millis(250)).await;
            let now = written();
            if now == before {
                return;
            }
            assert!(
                Instant::now() < deadline,
                "the app kept writing for {PATIENCE:?}"
            );
            before = now;
        }
    }

    /// The screen's frame, checked once the app has stopped writing, with the queue's Assignee column empty and, on the
    /// Checklist and History tabs, nothing but checklist items or events in the record pane.
    async fn assert_frame(&self, what: &str, tab: Option<&str>) {
        self.settled().await;
        let screen = self
            .output
            .lock()
            .expect("the output lock")
            .parser
            .screen()
            .clone();
        let screen = &screen;
        let frame = assert_frame_intact(screen, what);
        assert_nothing_spills_into_the_assignee_column(screen, what);
        const DAYS: [&str; 7] = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];
        match tab {
            Some("Checklist") => {
                assert_record_lines(screen, &frame, what, |line| line.starts_with('['))
            }
            Some("History") => assert_record_lines(screen, &frame, what, |line| {
                DAYS.iter().any(|day| line.starts_with(day))
            }),
            _ => {}
        }
    }
}

/// A command that must be accepted; the record's new version.
async fn accepted(api: &Api, persona: Persona, id: &str, version: u64, command: Value) -> u64 {
    let what = format!("{persona:?} sends {} to {id}", command["command"]);
    let view = api
        .command(persona, id, version, &command)
        .await
        .expect(200, &what);
    view["version"].as_u64().expect("a version")
}

/// An incident whose every free-text field holds `text`.
fn incident_holding(text: &str) -> cims::domain::model::Incident {
    let mut incident = fixtures::incident();
    incident.description = text.to_string();
    incident.location = Some(text.to_string());
    for person in incident.clients.iter_mut().chain(
        incident
            .subject
            .iter_mut()
            .filter_map(|s| s.person.as_mut()),
    ) {
        person.name = text.to_string();
        person.address = Some(text.to_string());
        person.phone = Some(text.to_string());
        person.cris_number = Some(text.to_string());
    }
    incident
}

/// An intake report whose every free-text field holds `text`.
fn intake_holding(text: &str) -> cims::domain::model::Intake {
    let mut intake = fixtures::intake();
    intake.concerns = text.to_string();
    let reporter = &mut intake.reporter;
    reporter.name = text.to_string();
    reporter.relationship = Some(text.to_string());
    reporter.phone = Some(text.to_string());
    reporter.email = Some(text.to_string());
    reporter.address = Some(text.to_string());
    for parent in &mut intake.parents {
        parent.relationship = Some(text.to_string());
    }
    for person in intake
        .children
        .iter_mut()
        .map(|c| &mut c.person)
        .chain(intake.parents.iter_mut().map(|p| &mut p.person))
    {
        person.name = text.to_string();
        person.address = Some(text.to_string());
        person.phone = Some(text.to_string());
        person.cris_number = Some(text.to_string());
    }
    intake
}

/// The free-text commands on a record: notes (one per string), a note amended with a
/// reason.
async fn annotate(api: &Api, id: &str, mut version: u64, texts: &[String], reason: &str) {
    let me = Persona::Practitioner;
    for text in texts {
        version = accepted(
            api,
            me,
            id,
            version,
            json!({ "command": "add_note", "text": text }),
        )
        .await;
    }
    accepted(
        api,
        me,
        id,
        version,
        json!({ "command": "amend_note", "note": 1, "text": reason, "reason": reason }),
    )
    .await;
}

/// Move the queue's selection to `id` and open it on its Details tab.
async fn open(pty: &mut Pty, id: &str) {
    pty.keys("g");
    let screen = pty
        .wait_for("the selection on the first row", |s| {
            let first = queue_ids(s).into_iter().next().unwrap_or_default();
            s.lines().any(|l| l.contains('▶') && l.contains(&first))
        })
        .await;
    let index = queue_ids(&screen)
        .iter()
        .position(|row| row == id)
        .unwrap_or_else(|| panic!("{id} is not in the queue:\n{screen}"));
    pty.keys(&"j".repeat(index));
    pty.wait_for(&format!("{id} selected"), |s| {
        s.lines().any(|l| l.contains('▶') && l.contains(id))
    })
    .await;
    pty.keys("\r");
    pty.wait_for(&format!("{id} open on its details"), |s| {
        s.contains(&format!("{id} ─ [Details]")) && s.contains("Stage")
    })
    .await;
}

/// Visit the open record's tabs in turn, checking the frame on each; `shown` says what each
/// tab must show once it has loaded.
async fn visit_tabs(pty: &mut Pty, id: &str, shown: [&str; 4]) {
    for (n, (tab, text)) in ["Details", "Checklist", "Notes", "History"]
        .into_iter()
        .zip(shown)
        .enumerate()
    {
        if n > 0 {
            pty.keys("l");
        }
        pty.wait_for(&format!("{id} on {tab} showing {text:?}"), |s| {
            s.contains(&format!("[{tab}]")) && s.contains(text)
        })
        .await;
        pty.assert_frame(&format!("{id}, {tab} tab"), Some(tab))
            .await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hostile_text_from_the_server_never_reaches_the_terminal_as_control_sequences() {
    let began = Instant::now();
    let db_dir = tempfile::tempdir().expect("a directory for the database");
    let url = support::database(Db::Sqlite, &db_dir)
        .await
        .expect("a SQLite database");
    let api = Api::start(&url).await;
    let me = Persona::Practitioner;
    let payloads = terminal_payloads();
    let blns = blns();
    let everything = all_in_one(&payloads);
    // Every tenth string of the Big List goes into every field; all of it into the BLNS
    // record's description and notes.
    let blns_sample: String = blns
        .iter()
        .step_by(10)
        .cloned()
        .collect::<Vec<_>>()
        .join(" ");
    let mut fields_written = 0usize;
    let mut bytes_stored = 0usize;

    // One incident per payload, named by it: the queue lists each.
    let mut named = Vec::new();
    for (_, text) in &payloads {
        let id = api.create_incident(me, &incident_holding(text)).await;
        fields_written += 10;
        bytes_stored += 10 * text.len();
        named.push(id);
    }

    // An incident and an intake holding every payload and the sample in every field, with
    // notes, an amended note, a waived item and a feedback exception.
    let hostile = format!("{everything} {blns_sample}");
    let incident = api.create_incident(me, &incident_holding(&hostile)).await;
    let intake = api.create_intake(me, &intake_holding(&hostile)).await;
    fields_written += 10 + 15;
    bytes_stored += 25 * hostile.len();
    let notes: Vec<String> = payloads.iter().map(|(_, text)| text.clone()).collect();
    for id in [&incident, &intake] {
        let version = api.version(me, id).await;
        annotate(&api, id, version, &notes, &hostile).await;
        fields_written += notes.len() + 2;
        bytes_stored += notes.iter().map(String::len).sum::<usize>() + 2 * hostile.len();
    }
    let version = api.version(Persona::TeamManager, &incident).await;
    accepted(
        &api,
        Persona::TeamManager,
        &incident,
        version,
        json!({ "command": "waive", "item": "medical_attention", "reason": hostile }),
    )
    .await;
    let version = api.version(me, &intake).await;
    accepted(
        &api,
        me,
        &intake,
        version,
        json!({ "command": "record_feedback_exception", "reason": hostile }),
    )
    .await;
    fields_written += 2;
    bytes_stored += 2 * hostile.len();

    // The whole Big List: in one description, and in notes of 40 strings each.
    let whole = format!("{} {END_OF_LIST}", blns.join(" "));
    let mut listed = fixtures::incident();
    listed.description = whole.clone();
    listed.clients[0].name = "Big List".to_string();
    let big = api.create_incident(me, &listed).await;
    let chunks: Vec<String> = blns
        .chunks(40)
        .map(|chunk| chunk.join(" "))
        .chain([END_OF_LIST.to_string()])
        .collect();
    let version = api.version(me, &big).await;
    annotate(&api, &big, version, &chunks, END_OF_LIST).await;
    fields_written += 1 + chunks.len() + 2;
    bytes_stored += whole.len() * 2;
    let stored_in = began.elapsed();

    let home = AppHome::new(&api.server.base, api.token(me));
    let mut pty = Pty::spawn_sized(&home.env(), ROWS, COLS);

    pty.wait_for("the queue", |s| {
        s.contains(" queue ") && s.contains("● live") && s.contains("alice")
    })
    .await;
    pty.keys("6");
    let all: Vec<&String> = named.iter().chain([&incident, &intake, &big]).collect();
    pty.wait_for("every record in the All view", |s| {
        let ids = queue_ids(s);
        all.iter().all(|id| ids.contains(id))
    })
    .await;
    pty.assert_frame("the queue of hostile records", None).await;

    open(&mut pty, &incident).await;
    visit_tabs(
        &mut pty,
        &incident,
        ["[OSC 52 clipboard write", "[ ]", "— alice", "item waived"],
    )
    .await;
    pty.keys("q");

    open(&mut pty, &intake).await;
    visit_tabs(
        &mut pty,
        &intake,
        ["[OSC 52 clipboard write", "[ ]", "— alice", "note amended"],
    )
    .await;
    pty.keys("q");

    open(&mut pty, &big).await;
    visit_tabs(
        &mut pty,
        &big,
        [END_OF_LIST, "[ ]", END_OF_LIST, "note added"],
    )
    .await;

    pty.keys("q");
    pty.quit().await;

    let bytes = pty.output.lock().expect("the output lock").bytes.clone();
    assert_output_clean(&bytes);
    let mut replay = vt100::Parser::new_with_callbacks(
        std::num::NonZeroU16::new(ROWS).expect("rows"),
        std::num::NonZeroU16::new(COLS).expect("cols"),
        0,
        Recorder::default(),
    );
    replay.process(&bytes);
    assert_eq!(
        replay.callbacks().events,
        Vec::<String>::new(),
        "a terminal did only what drawing the frames asks of it"
    );
    assert!(
        !replay.screen().alternate_screen(),
        "the app left the alternate screen on exit"
    );

    eprintln!(
        "terminal injection: {} payloads and {} Big List strings, {fields_written} fields \
         ({bytes_stored} bytes) stored in {stored_in:?}; {} bytes of output checked; {:?} in all",
        payloads.len(),
        blns.len(),
        bytes.len(),
        began.elapsed()
    );
    api.stop().await;
}
