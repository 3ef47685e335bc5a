//! The real `cims` binary in a pseudo-terminal against a real server (DESIGN §7, §8): the
//! queue appears, the saved views and the filter narrow it, a checklist item ticked with
//! the keyboard is done on the server, a note written in the editor is kept as a draft as it
//! is typed and then sent, `q` leaves the record and then quits with status 0,
//! the terminal is given back as it was found, and nothing is written to its title.

use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use portable_pty::{Child, CommandBuilder, MasterPty, PtySize, native_pty_system};
use serde_json::Value;

use crate::api::harness::{Api, PATIENCE, Persona};
use crate::fixtures;
use crate::support::{self, Db};

const ROWS: u16 = 40;
const COLS: u16 = 120;

/// What the app has written so far: the screen it makes and every byte of it.
pub(crate) struct Output {
    pub(crate) parser: vt100::Parser,
    pub(crate) bytes: Vec<u8>,
    /// The pty gave end of file or an error: the app and everything holding it are gone.
    closed: bool,
}

/// The app running in a pseudo-terminal.
pub(crate) struct Pty {
    pub(crate) output: Arc<Mutex<Output>>,
    writer: Box<dyn Write + Send>,
    pub(crate) child: Box<dyn Child + Send + Sync>,
    _master: Box<dyn MasterPty + Send>,
}

impl Pty {
    /// Run the `cims` binary with exactly the environment `env` (and nothing inherited).
    pub(crate) fn spawn(env: &[(&str, &Path)]) -> Pty {
        Pty::spawn_sized(env, ROWS, COLS)
    }

    /// As [`Pty::spawn`], in a terminal of `rows` × `cols`.
    pub(crate) fn spawn_sized(env: &[(&str, &Path)], rows: u16, cols: u16) -> Pty {
        let pair = native_pty_system()
            .openpty(PtySize {
                rows,
                cols,
                pixel_width: 0,
                pixel_height: 0,
            })
            .expect("open a pseudo-terminal");
        let mut command = CommandBuilder::new(env!("CARGO_BIN_EXE_cims"));
        command.env_clear();
        for (name, value) in env {
            command.env(name, value);
        }
        command.env("TERM", "xterm-256color");
        command.env("LANG", "C.UTF-8");
        let child = pair
            .slave
            .spawn_command(command)
            .expect("start cims in the pseudo-terminal");
        // Only the child holds the terminal's far end now: when it exits, reads end.
        drop(pair.slave);
        let mut reader = pair.master.try_clone_reader().expect("a pty reader");
        let writer = pair.master.take_writer().expect("a pty writer");
        let output = Arc::new(Mutex::new(Output {
            parser: vt100::Parser::new(
                std::num::NonZeroU16::new(rows).expect("rows"),
                std::num::NonZeroU16::new(cols).expect("cols"),
                0,
            ),
            bytes: Vec::new(),
            closed: false,
        }));
        let sink = output.clone();
        std::thread::spawn(move || {
            let mut buffer = [0u8; 8192];
            loop {
                let read = reader.read(&mut buffer);
                let mut out = sink.lock().expect("the output lock");
                match read {
                    Ok(0) | Err(_) => {
                        out.closed = true;
                        return;
                    }
                    Ok(n) => {
                        out.parser.process(&buffer[..n]);
                        out.bytes.extend_from_slice(&buffer[..n]);
                    }
                }
            }
        });
        Pty {
            output,
            writer,
            child,
            _master: pair.master,
        }
    }

    pub(crate) fn screen(&self) -> String {
        self.output
            .lock()
            .expect("the output lock")
            .parser
            .screen()
            .contents()
    }

    pub(crate) fn keys(&mut self, keys: &str) {
        self.writer
            .write_all(keys.as_bytes())
            .and_then(|()| self.writer.flush())
            .expect("type into the pseudo-terminal");
    }

    /// Wait until the screen satisfies `ok`; fails with the screen as it is.
    pub(crate) async fn wait_for(&self, what: &str, ok: impl Fn(&str) -> bool) -> String {
        let deadline = Instant::now() + PATIENCE;
        loop {
            let screen = self.screen();
            if ok(&screen) {
                return screen;
            }
            if Instant::now() >= deadline {
                panic!("waited {PATIENCE:?} for {what}; the screen:\n{screen}");
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }

    /// Wait for the app to exit; its status.
    pub(crate) async fn exit(&mut self, within: Duration) -> portable_pty::ExitStatus {
        let deadline = Instant::now() + within;
        loop {
            if let Some(status) = self.child.try_wait().expect("the app's status") {
                return status;
            }
            if Instant::now() >= deadline {
                let screen = self.screen();
                let _ = self.child.kill();
                panic!("the app did not exit within {within:?}; the screen:\n{screen}");
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }

    /// `q` from the queue: the app exits with status 0 and every byte it wrote is read.
    pub(crate) async fn quit(&mut self) {
        self.keys("q");
        let status = self.exit(Duration::from_secs(5)).await;
        assert!(
            status.success(),
            "the app exits with status 0, not {status:?}; the screen:\n{}",
            self.screen()
        );
        self.drained().await;
    }

    /// Wait until every byte the app wrote has been read.
    pub(crate) async fn drained(&self) {
        let deadline = Instant::now() + PATIENCE;
        while !self.output.lock().expect("the output lock").closed {
            assert!(
                Instant::now() < deadline,
                "the pseudo-terminal stayed open after the app exited"
            );
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }
}

impl Drop for Pty {
    fn drop(&mut self) {
        if let Ok(None) = self.child.try_wait() {
            let _ = self.child.kill();
        }
    }
}

/// The record ids on the screen, top to bottom, one per line.
pub(crate) fn queue_ids(screen: &str) -> Vec<String> {
    screen
        .lines()
        .filter_map(|line| {
            line.split(|c: char| c.is_whitespace() || c == '│' || c == '▶')
                .find(|word| {
                    (word.starts_with("INC-") || word.starts_with("INT-")) && word.len() >= 13
                })
                .map(String::from)
        })
        .collect()
}

/// A home directory for the app: its token, and a configuration naming the server.
pub(crate) struct AppHome {
    dir: tempfile::TempDir,
    data: PathBuf,
    config: PathBuf,
}

impl AppHome {
    pub(crate) fn new(server: &str, token: &str) -> AppHome {
        AppHome::configured(server, token, "")
    }

    /// As [`AppHome::new`], with more of `config.toml` after the server's address.
    pub(crate) fn configured(server: &str, token: &str, more: &str) -> AppHome {
        let dir = tempfile::tempdir().expect("a home directory");
        let data = dir.path().join("data");
        let config = dir.path().join("config");
        write_private(&data.join("cims").join("token"), token);
        write_private(
            &config.join("cims").join("config.toml"),
            &format!("[server]\nurl = \"{server}\"\n{more}"),
        );
        AppHome { dir, data, config }
    }

    /// Where the app keeps its note draft for a record.
    pub(crate) fn draft(&self, record: &str) -> PathBuf {
        self.data
            .join("cims")
            .join("drafts")
            .join(format!("{record}.txt"))
    }

    /// The environment the app runs with: this home and nothing else.
    pub(crate) fn env(&self) -> [(&'static str, &Path); 3] {
        [
            ("HOME", self.dir.path()),
            ("XDG_DATA_HOME", &self.data),
            ("XDG_CONFIG_HOME", &self.config),
        ]
    }
}

fn write_private(path: &Path, text: &str) {
    use std::os::unix::fs::{DirBuilderExt, OpenOptionsExt};
    let dir = path.parent().expect("a parent directory");
    std::fs::DirBuilder::new()
        .recursive(true)
        .mode(0o700)
        .create(dir)
        .expect("create the directory");
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path)
        .expect("create the file");
    file.write_all(text.as_bytes()).expect("write the file");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_real_binary_in_a_terminal_ticks_an_item_writes_a_note_and_quits_cleanly() {
    let (_db_dir, api) = server_on_sqlite().await;
    let me = Persona::Practitioner;

    let mut incident = fixtures::incident();
    let first_incident = api.create_incident(me, &incident).await;
    incident.identified_at += chrono::Duration::hours(3);
    let second_incident = api.create_incident(me, &incident).await;
    let mut intake = fixtures::intake();
    let first_intake = api.create_intake(me, &intake).await;
    intake.received_at += chrono::Duration::hours(2);
    let second_intake = api.create_intake(me, &intake).await;
    let all = [
        &first_incident,
        &second_incident,
        &first_intake,
        &second_intake,
    ];
    let intakes = [&first_intake, &second_intake];

    // Which intake the queue lists first (it sorts by next deadline), as the API says.
    let page = api
        .get(me, "/v1/queue?limit=50&q=kind%3Aintake")
        .await
        .expect(200, "the practitioner reads the intake queue");
    let top_intake = page["rows"][0]["id"]
        .as_str()
        .expect("the first intake's id")
        .to_string();

    let home = AppHome::new(&api.server.base, api.token(me));
    let mut pty = Pty::spawn(&home.env());

    pty.wait_for("the queue", |s| {
        s.contains(" queue ") && s.contains("● live") && s.contains("alice")
    })
    .await;

    pty.keys("6");
    let screen = pty
        .wait_for("every record in the All view", |s| {
            let ids = queue_ids(s);
            all.iter().all(|id| ids.contains(id))
        })
        .await;
    assert_eq!(
        queue_ids(&screen).len(),
        all.len(),
        "the All view lists each record once:\n{screen}"
    );

    pty.keys("/kind:intake");
    pty.wait_for("the filter being typed", |s| s.contains("/ kind:intake"))
        .await;
    pty.keys("\r");
    let screen = pty
        .wait_for("only the intakes", |s| {
            s.contains("filter: kind:intake") && {
                let ids = queue_ids(s);
                ids.len() == intakes.len() && intakes.iter().all(|id| ids.contains(id))
            }
        })
        .await;
    assert_eq!(
        queue_ids(&screen).first(),
        Some(&top_intake),
        "the intake due first is listed first:\n{screen}"
    );

    pty.keys("\r");
    pty.wait_for("the record open on its details", |s| {
        s.contains(&format!("{top_intake} ─ [Details]")) && s.contains("Reporter")
    })
    .await;
    pty.keys("l");
    let screen = pty
        .wait_for("the checklist tab", |s| {
            s.contains("[Checklist]") && s.contains("[ ]")
        })
        .await;
    let view = api
        .get(me, &format!("/v1/records/{top_intake}"))
        .await
        .expect(200, "the practitioner reads the record");
    let first_item = view["checklist"][0]["id"]
        .as_str()
        .expect("the checklist has a first item")
        .to_string();
    assert_eq!(
        view["checklist"][0]["state"], "open",
        "the first item starts open"
    );
    assert_eq!(
        view["checklist"][0]["may_tick"], true,
        "the practitioner may tick the first item:\n{screen}"
    );

    pty.keys(" ");
    let deadline = Instant::now() + PATIENCE;
    let ticked = loop {
        let view = api
            .get(me, &format!("/v1/records/{top_intake}"))
            .await
            .expect(200, "the practitioner reads the record");
        if view["record"]["checklist"][&first_item]["state"] == "done" {
            break view;
        }
        if Instant::now() >= deadline {
            panic!(
                "{first_item} was not done on the server within {PATIENCE:?}: {}\nthe screen:\n{}",
                view["record"]["checklist"],
                pty.screen()
            );
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    assert_eq!(
        ticked["record"]["checklist"][&first_item]["by"],
        Value::from("alice"),
        "ticked as the logged-in user"
    );
    pty.wait_for("the item shown done", |s| s.contains("[x]"))
        .await;

    // A note, written in the editor over two lines: kept on disk as it is typed, sent
    // with ctrl-s, then shown on the Notes tab.
    pty.keys("n");
    pty.wait_for("the note editor", |s| {
        s.contains(&format!("note on {top_intake}"))
    })
    .await;
    pty.keys("Rang the reporter.\rHome visit booked for Thursday.");
    pty.wait_for("the note as typed", |s| {
        s.contains("Rang the reporter.") && s.contains("Home visit booked for Thursday.")
    })
    .await;
    let note = "Rang the reporter.\nHome visit booked for Thursday.";
    let draft = home.draft(&top_intake);
    let deadline = Instant::now() + PATIENCE;
    while std::fs::read_to_string(&draft).ok().as_deref() != Some(note) {
        assert!(
            Instant::now() < deadline,
            "the draft at {} was not kept as typed: {:?}",
            draft.display(),
            std::fs::read_to_string(&draft)
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&draft)
            .expect("the draft's metadata")
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600, "the draft is private to its owner");
    }
    pty.keys("\x13");
    let deadline = Instant::now() + PATIENCE;
    loop {
        let view = api
            .get(me, &format!("/v1/records/{top_intake}"))
            .await
            .expect(200, "the practitioner reads the record");
        let last = view["record"]["notes"]
            .as_array()
            .and_then(|notes| notes.last())
            .and_then(|n| n["revisions"].as_array()?.last().cloned());
        if let Some(revision) = last {
            assert_eq!(revision["text"], note, "the note as typed");
            assert_eq!(revision["by"], "alice", "written as the logged-in user");
            break;
        }
        if Instant::now() >= deadline {
            panic!(
                "the note did not reach the server within {PATIENCE:?}; the screen:\n{}",
                pty.screen()
            );
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let deadline = Instant::now() + PATIENCE;
    while draft.exists() {
        assert!(
            Instant::now() < deadline,
            "the draft was not removed once the note was sent"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    pty.keys("l");
    pty.wait_for("the note on the Notes tab", |s| {
        s.contains("[Notes]") && s.contains("— alice") && s.contains("Home visit booked")
    })
    .await;

    // The first `q` only leaves the record pane.
    pty.keys("q");
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert!(
        pty.child.try_wait().expect("the app's status").is_none(),
        "the first q left the record pane without quitting"
    );
    pty.quit().await;

    let (alternate, bytes) = {
        let output = pty.output.lock().expect("the output lock");
        (
            output.parser.screen().alternate_screen(),
            output.bytes.clone(),
        )
    };
    assert!(!alternate, "the app left the alternate screen on exit");
    let has = |needle: &[u8]| bytes.windows(needle.len()).any(|w| w == needle);
    assert!(has(b"\x1b[?1049h"), "the app used the alternate screen");
    assert!(has(b"\x1b[?1049l"), "the app left the alternate screen");
    assert!(has(b"\x1b[?25h"), "the app showed the cursor again");
    for title in [b"\x1b]0;", b"\x1b]1;", b"\x1b]2;"] {
        assert!(
            !has(title),
            "the app set the terminal title ({:?})",
            String::from_utf8_lossy(title)
        );
    }
    api.stop().await;
}

/// A server on a fresh SQLite database, and the directory that holds it (kept while the
/// test runs).
pub(crate) async fn server_on_sqlite() -> (tempfile::TempDir, Api) {
    let db_dir = tempfile::tempdir().expect("a directory for the database");
    let url = support::database(Db::Sqlite, &db_dir)
        .await
        .expect("a SQLite database");
    (db_dir, Api::start(&url).await)
}

/// Every OSC sequence (`ESC ]` … BEL or ST) the app wrote, as text.
fn osc_sequences(bytes: &[u8]) -> Vec<String> {
    let mut found = Vec::new();
    let mut rest = bytes;
    while let Some(start) = rest.windows(2).position(|w| w == b"\x1b]") {
        let after = &rest[start + 2..];
        let end = after
            .iter()
            .position(|b| *b == 0x07 || *b == 0x1b)
            .unwrap_or(after.len());
        found.push(String::from_utf8_lossy(&after[..end]).into_owned());
        rest = &after[end..];
    }
    found
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_colleague_s_change_and_new_intake_ring_the_bell_are_marked_and_listed_since() {
    let (_db_dir, api) = server_on_sqlite().await;
    let me = Persona::Practitioner;
    let mine = api.create_intake(me, &fixtures::intake()).await;
    let other = api.create_intake(me, &fixtures::intake()).await;
    let home = AppHome::configured(
        &api.server.base,
        api.token(me),
        "[[alerts]]\nview = \"Intake\"\nwhen = \"new\"\nhow = \"notify\"\n",
    );
    let mut pty = Pty::spawn(&home.env());
    pty.wait_for("the queue, live", |s| {
        s.contains(" queue ") && s.contains("● live")
    })
    .await;
    // The first counts are in before the colleague writes: wait for the tab's count.
    pty.wait_for("the Intake count", |s| s.contains("5 Intake 2"))
        .await;
    // Alice's record is shown once the highlight rests on it, and so marked seen.
    pty.keys("6");
    pty.wait_for("her record previewed", |s| s.contains(&format!("{mine} ─")))
        .await;
    let deadline = Instant::now() + PATIENCE;
    while api
        .store()
        .last_look("alice")
        .await
        .expect("marks")
        .is_none()
    {
        assert!(
            Instant::now() < deadline,
            "the record was never marked seen"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    // She moves on to her other record: the first is no longer on screen.
    pty.keys("j");
    pty.wait_for("her other record previewed", |s| {
        s.contains(&format!("{other} ─"))
    })
    .await;
    api.note(Persona::TeamManager, &mine, "Rang the school back.")
        .await;
    let bells_before = {
        let out = pty.output.lock().expect("the output lock");
        out.bytes.iter().filter(|b| **b == 0x07).count()
    };

    let mut urgent = fixtures::intake();
    urgent.children[0].person.name = "Robin Quarry".into();
    let id = api.create_intake(Persona::TeamManager, &urgent).await;

    let deadline = Instant::now() + PATIENCE;
    let sequences = loop {
        let (bells, sequences) = {
            let out = pty.output.lock().expect("the output lock");
            (
                out.bytes.iter().filter(|b| **b == 0x07).count(),
                osc_sequences(&out.bytes),
            )
        };
        if bells > bells_before && sequences.iter().any(|s| s.starts_with("9;")) {
            break sequences;
        }
        assert!(
            Instant::now() < deadline,
            "no bell and notification; the screen:\n{}",
            pty.screen()
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    };
    assert!(
        sequences.contains(&"9;1 new in Intake".to_string()),
        "{sequences:?}"
    );
    for sequence in &sequences {
        for client_data in ["Robin", "Quarry", "Casey", "Brown", id.as_str()] {
            assert!(
                !sequence.contains(client_data),
                "{sequence:?} holds {client_data}"
            );
        }
    }
    // Her record, changed by a colleague since she saw it, carries the mark in text.
    pty.wait_for("the changed mark on her record", |s| {
        s.contains(&format!("• {mine}"))
    })
    .await;
    // Since lists both: her record with the note, and the new intake.
    pty.keys("S");
    pty.wait_for("both in the Since list", |s| {
        s.contains("Since you last looked") && s.contains(&mine) && s.contains(&id)
    })
    .await;
    pty.keys("S");
    pty.wait_for("the queue again", |s| !s.contains("Since you last looked"))
        .await;
    pty.quit().await;
    api.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_reminder_set_on_another_machine_comes_due_in_the_app_and_is_done_from_it() {
    let (_db_dir, api) = server_on_sqlite().await;
    let me = Persona::Practitioner;
    let record = api.create_intake(me, &fixtures::intake()).await;
    // Set elsewhere (here, straight through the API), a minute ago: it is due.
    api.post(
        me,
        "/v1/reminders",
        &serde_json::json!({
            "record": record,
            "at": chrono::Utc::now() - chrono::Duration::minutes(1),
            "note": "Ring the school back.",
        }),
    )
    .await
    .expect(201, "a reminder");
    let home = AppHome::configured(
        &api.server.base,
        api.token(me),
        "[ui]\nreminder_alert = \"notify\"\n",
    );
    let mut pty = Pty::spawn(&home.env());
    // In Mine (the first view), marked due, and said on the message line.
    pty.wait_for("the reminder, said and marked", |s| {
        s.contains("Ring the school back.") && s.contains(&format!("◷ {record}"))
    })
    .await;
    let deadline = Instant::now() + PATIENCE;
    let sequences = loop {
        let sequences = {
            let out = pty.output.lock().expect("the output lock");
            osc_sequences(&out.bytes)
        };
        if !sequences.is_empty() {
            break sequences;
        }
        assert!(
            Instant::now() < deadline,
            "no notification:\n{}",
            pty.screen()
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    };
    assert_eq!(sequences, ["9;1 reminder(s) due"]);
    pty.keys("R");
    pty.wait_for("the list", |s| s.contains("Reminders · 1 due · 1 open"))
        .await;
    pty.keys("d");
    pty.wait_for("none left", |s| s.contains("Reminders · 0 due · 0 open"))
        .await;
    let open = api.get(me, "/v1/reminders").await.expect(200, "hers");
    assert_eq!(open["reminders"], serde_json::json!([]));
    pty.keys("q");
    pty.quit().await;
    api.stop().await;
}

/// R-LINK-1, in a terminal: from an incident, `I` registers its intake report with the
/// child and facts copied across, and the report is linked to the incident.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_incident_s_new_allegation_is_registered_from_it_and_linked() {
    let (_db_dir, api) = server_on_sqlite().await;
    let me = Persona::Practitioner;
    let incident = api.create_incident(me, &fixtures::incident()).await;
    let home = AppHome::new(&api.server.base, api.token(me));
    let mut pty = Pty::spawn(&home.env());
    pty.wait_for("the queue, live", |s| s.contains("● live"))
        .await;
    pty.keys("6");
    pty.wait_for("the incident", |s| s.contains(&incident))
        .await;
    pty.keys("\r");
    pty.wait_for("the incident open", |s| {
        s.contains(&format!("{incident} ─"))
    })
    .await;
    // The pane may show the highlighted row before the opened record has loaded; until
    // it has, `I` says to open the incident first, and is pressed again.
    let form = format!("to be linked to {incident}");
    let not_yet = "open the incident first";
    for attempt in 0.. {
        assert!(attempt < 10, "no form; the screen:\n{}", pty.screen());
        pty.keys("I");
        let started = Instant::now();
        let mut screen = pty.screen();
        while !(screen.contains(&form) || screen.contains(not_yet))
            && started.elapsed() < Duration::from_secs(2)
        {
            tokio::time::sleep(Duration::from_millis(20)).await;
            screen = pty.screen();
        }
        if screen.contains(&form) {
            break;
        }
        if !screen.contains(not_yet) {
            // Pressed while the queue still had the keys (`enter` not yet handled):
            // open the record again.
            pty.keys("\r");
            continue;
        }
        // Said once per press: clear it before the next.
        pty.keys("\x1b");
        pty.wait_for("the word gone", |s| !s.contains(not_yet))
            .await;
    }
    // The reporter's name is the one field the incident cannot give.
    pty.keys("\x1b[B");
    pty.keys("Robin Reporter");
    pty.keys("\x13");
    let screen = pty
        .wait_for("registered and linked", |s| {
            s.contains("registered") && s.contains(&format!("Linked    {incident}"))
        })
        .await;
    let intake = screen
        .split_whitespace()
        .find(|w| w.starts_with("INT-"))
        .expect("the new report's id")
        .to_string();
    let seen = api
        .get(me, &format!("/v1/records/{incident}"))
        .await
        .expect(200, "the incident");
    assert_eq!(seen["links"], serde_json::json!([intake]));
    // The new report has the keyboard: q goes back to the queue, then quits.
    pty.keys("q");
    pty.quit().await;
    api.stop().await;
}

/// R-PERSON-1, in a terminal: `P`, a name spelt otherwise and a date of birth, and the
/// child of an earlier report is found with the reasons; `enter` shows the child's
/// timeline, and `enter` on its record opens the report.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn people_search_finds_a_child_spelt_otherwise() {
    let (_db_dir, api) = server_on_sqlite().await;
    let me = Persona::Practitioner;
    let intake = api.create_intake(me, &fixtures::intake()).await;
    let home = AppHome::new(&api.server.base, api.token(me));
    let mut pty = Pty::spawn(&home.env());
    pty.wait_for("the queue, live", |s| s.contains("● live"))
        .await;
    pty.keys("P");
    pty.wait_for("people search", |s| s.contains("Search:"))
        .await;
    pty.keys("Kasey Browne 2018-03-10\r");
    pty.wait_for("the child found, with reasons", |s| {
        s.contains(&intake) && s.contains("child 1") && s.contains("dob match")
    })
    .await;
    pty.keys("\r");
    pty.wait_for("the child's timeline", |s| {
        s.contains("Records · 1, newest first") && s.contains("Casey Brown")
    })
    .await;
    pty.keys("\r");
    pty.wait_for("the report open", |s| s.contains(&format!("{intake} ─")))
        .await;
    pty.keys("q");
    pty.quit().await;
    api.stop().await;
}

fn intake_naming(name: &str, dob: &str) -> cims::domain::model::Intake {
    cims::domain::model::Intake {
        children: vec![cims::domain::model::Child {
            person: fixtures::person(name, dob),
            sexually_abusive_behaviour: false,
            rso_contact: false,
            prior_reports: Vec::new(),
            known_reports: Vec::new(),
        }],
        ..fixtures::intake()
    }
}

/// R-PERSON-2, in a terminal: a child searched for, their timeline opened, the report
/// that spells them otherwise proposed under who else this may be; `s` on it with a reason
/// merges them, and the timeline shows both reports and the decision; `u` on the decision
/// with a reason undoes it; `d` on the cousin proposed again keeps them apart.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn r_person_2_a_child_is_merged_with_a_candidate_on_their_timeline_with_a_reason_and_undone()
{
    let (_db_dir, api) = server_on_sqlite().await;
    let me = Persona::Practitioner;
    let first = api.create_intake(me, &fixtures::intake()).await;
    let second = api
        .create_intake(me, &intake_naming("Kasey Browne", "2018-03-10"))
        .await;
    let home = AppHome::new(&api.server.base, api.token(me));
    let mut pty = Pty::spawn(&home.env());
    pty.wait_for("the queue, live", |s| s.contains("● live"))
        .await;
    pty.keys("P");
    pty.wait_for("people search", |s| s.contains("Search:"))
        .await;
    pty.keys("Casey Brown 2018-03-10\r");
    pty.wait_for("both children found", |s| {
        s.contains("People · 2 found") && s.contains(&first) && s.contains(&second)
    })
    .await;
    pty.keys("\r");
    let timeline = pty
        .wait_for("the timeline, with who else this may be", |s| {
            s.contains("Records · 1, newest first")
                && s.contains("Who else this may be")
                && s.contains("record(s)")
        })
        .await;
    // The one found first is on the timeline; the other is proposed.
    let (mine, other) = if timeline.contains(&format!(" {first} child 1")) {
        (&first, &second)
    } else {
        (&second, &first)
    };
    assert!(
        timeline.contains(&format!("{other}  child 1")),
        "{timeline}"
    );
    pty.keys("G");
    pty.keys("s");
    pty.wait_for("the reason asked", |s| s.contains("· reason ·"))
        .await;
    pty.keys("Same school and mother; spelt otherwise\r");
    let merged = pty
        .wait_for("both reports on the timeline", |s| {
            s.contains("Records · 2, newest first") && s.contains("merged by alice")
        })
        .await;
    assert!(
        merged.contains(&format!(" {first} ")) && merged.contains(&format!(" {second} ")),
        "{merged}"
    );
    assert!(merged.contains("No one else proposed"), "{merged}");
    let person = api
        .get(me, &format!("/v1/people/{mine}.child0"))
        .await
        .expect(200, "the person");
    assert_eq!(person["records"].as_array().map(Vec::len), Some(2));
    assert_eq!(
        person["history"][0]["reason"],
        serde_json::json!("Same school and mother; spelt otherwise")
    );
    // The decision undone, with a reason: one report again, both decisions kept.
    pty.keys("G");
    pty.keys("u");
    pty.wait_for("the reason asked", |s| s.contains("undo decision"))
        .await;
    pty.keys("Cousins, says the mother\r");
    pty.wait_for("one report again, the other proposed again", |s| {
        s.contains("Records · 1, newest first")
            && s.contains("(undone since)")
            && s.contains("unmerged by alice")
            && s.contains(&format!("{other}  child 1"))
    })
    .await;
    // Decided not to be one person: the decision in the history, the cousin marked apart.
    pty.keys("G");
    pty.keys("d");
    pty.wait_for("the reason asked", |s| s.contains("· reason ·"))
        .await;
    pty.keys("Cousins: two children\r");
    pty.wait_for("kept apart, and marked so", |s| {
        s.contains("kept apart by alice") && s.contains("not this person: decision")
    })
    .await;
    let kept = api
        .post(
            me,
            &format!("/v1/people/{mine}.child0/merge"),
            &serde_json::json!({ "with": format!("{other}.child0"), "reason": "same" }),
        )
        .await;
    assert_eq!(kept.status.as_u16(), 409, "{}", kept.body);
    // Back to the search, to the queue, and out.
    pty.keys("\x1b");
    pty.wait_for("the search again", |s| s.contains("Search:"))
        .await;
    pty.keys("\x1b");
    pty.wait_for("the queue again", |s| !s.contains("Search:"))
        .await;
    pty.quit().await;
    api.stop().await;
}

/// R-PERSON-1 and R-PERSON-2, in a terminal: a new intake report for a child already in an
/// earlier report, spelt otherwise; leaving the date of birth shows the earlier child beside
/// the form, `ctrl-o` and `enter` choose them as the same person, and once the report is
/// registered both reports are one person's, merged with the reason the choice gives.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn r_person_2_a_child_chosen_as_the_same_person_while_registering_is_one_person_with_them() {
    let (_db_dir, api) = server_on_sqlite().await;
    let me = Persona::Practitioner;
    let earlier = api.create_intake(me, &fixtures::intake()).await;
    let home = AppHome::new(&api.server.base, api.token(me));
    let mut pty = Pty::spawn(&home.env());
    pty.wait_for("the queue, live", |s| s.contains("● live"))
        .await;
    // Until the policy has loaded, `N` says to try again in a moment.
    let not_yet = "the policy has not loaded yet";
    loop {
        pty.keys("N");
        let screen = pty
            .wait_for("the new incident form, or word to wait", |s| {
                s.contains("new incident ·") || s.contains(not_yet)
            })
            .await;
        if screen.contains("new incident ·") {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    pty.keys("\x14");
    pty.wait_for("the new intake form", |s| s.contains("new intake report ·"))
        .await;
    // Down to the reporter, then to the child: name and date of birth, spelt otherwise.
    pty.keys("\x1b[BRobin Reporter");
    pty.keys("\x1b[B\x1b[B\x1b[BKasey Browne\x1b[B2018-03-10\x1b[B");
    pty.wait_for("the earlier child beside the form", |s| {
        s.contains("Who the child may already be") && s.contains(&format!("{earlier} child 1"))
    })
    .await;
    pty.keys("\x0f");
    pty.wait_for("the keyboard in the candidates", |s| {
        s.contains("enter same · d not same")
    })
    .await;
    pty.keys("\r");
    pty.wait_for("the choice under the child's name", |s| {
        s.contains(&format!("= same as {earlier}.child0"))
    })
    .await;
    // Down past the parent and their status to the concerns, then register.
    pty.keys("\x1b[B\x1b[BBruises seen at school.");
    pty.wait_for("the concerns typed", |s| {
        s.contains("Bruises seen at school.")
    })
    .await;
    pty.keys("\x13");
    let screen = pty
        .wait_for("registered, and the child merged", |s| {
            s.contains("registered; child 1 is one person with")
        })
        .await;
    let registered = screen
        .split_whitespace()
        .find(|w| w.starts_with("INT-") && *w != earlier && !w.contains('.'))
        .map(|w| w.trim_end_matches(';').to_string())
        .expect("the new report's id");
    assert_ne!(registered, earlier);
    let person = api
        .get(me, &format!("/v1/people/{registered}.child0"))
        .await
        .expect(200, "the new report's child");
    let mut records: Vec<&str> = person["records"]
        .as_array()
        .map(|rs| rs.iter().filter_map(|r| r["record"].as_str()).collect())
        .unwrap_or_default();
    records.sort_unstable();
    let mut both = vec![earlier.as_str(), registered.as_str()];
    both.sort_unstable();
    assert_eq!(records, both, "both reports are one person's: {person}");
    let reason = person["history"][0]["reason"].as_str().unwrap_or_default();
    assert!(
        reason.starts_with("Chosen as the same person when registering: ")
            && reason.contains(", score "),
        "{person}"
    );
    // The new report has the keyboard: q goes back to the queue, then quits.
    pty.keys("q");
    pty.quit().await;
    api.stop().await;
}
