//! Terminal benchmark: the real `cims` binary in a 120×40 pseudo-terminal against a real
//! server over a seeded SQLite database, measured from the terminal's side — what a user's
//! terminal (or an SSH link) receives.
//!
//!   cargo bench --bench tui                           # 10,000 and 100,000 records
//!   cargo bench --bench tui -- --records 20000 --runs 3
//!
//! Measures, per database size: start-up to the first frame and to the first frame that
//! shows a record; bytes per keystroke for a one-row move inside the queue and for a move
//! that scrolls it; bytes per move when the highlight rests and the record pane previews
//! the row; bytes written in five idle seconds; and keystroke-to-frame latency
//! (first output byte, and the end of the frame's synchronized update).

#[path = "common/measure.rs"]
mod measure;

#[path = "common/seed.rs"]
mod seed;

use std::io::{Read, Write};
use std::num::NonZeroU16;
use std::path::Path;
use std::sync::{Arc, Condvar, Mutex};
use std::time::{Duration, Instant};

use chrono::Utc;
use cims::domain::policy::PolicySet;
use cims::store::Store;
use portable_pty::{Child, CommandBuilder, MasterPty, PtySize, native_pty_system};

const ROWS: u16 = 40;
const COLS: u16 = 120;
/// The smaller database start-up is also measured at.
const SMALL: usize = 10_000;
/// One-row moves inside the queue, measured.
const MOVES: usize = 200;
/// Moves past the bottom of the queue, measured.
const SCROLLS: usize = 100;
const IDLE: Duration = Duration::from_secs(5);
/// One-row moves each followed by a rest long enough for the preview, measured.
const RESTED_MOVES: usize = 24;
/// Presses of a key bound to nothing, measured.
const UNBOUND: usize = 20;
/// How long anything may take before the benchmark gives up.
const PATIENCE: Duration = Duration::from_secs(30);
/// The end of a synchronized update: every frame the app draws ends with it.
const FRAME_END: &[u8] = b"\x1b[?2026l";

struct Options {
    records: usize,
    runs: usize,
}

fn options() -> Options {
    Options {
        records: measure::flag("--records")
            .map(|n| n.parse().expect("--records takes a number"))
            .unwrap_or(100_000),
        runs: measure::flag("--runs")
            .map(|n| n.parse().expect("--runs takes a number"))
            .unwrap_or(5),
    }
}

/// What the reader thread has seen of the app's output.
struct Seen {
    parser: vt100::Parser,
    bytes: usize,
    /// When each read returned, and how many bytes it held.
    chunks: Vec<(Instant, usize)>,
    /// Frames completed so far (synchronized updates ended).
    frames: usize,
    /// When the last frame ended.
    frame_at: Option<Instant>,
    /// The last few bytes, to find a frame end split across two reads.
    tail: Vec<u8>,
    closed: bool,
}

struct Shared {
    seen: Mutex<Seen>,
    changed: Condvar,
}

/// The app in a pseudo-terminal.
struct App {
    shared: Arc<Shared>,
    writer: Box<dyn Write + Send>,
    child: Box<dyn Child + Send + Sync>,
    _master: Box<dyn MasterPty + Send>,
    started: Instant,
}

impl App {
    fn spawn(home: &Path) -> App {
        let pair = native_pty_system()
            .openpty(PtySize {
                rows: ROWS,
                cols: COLS,
                pixel_width: 0,
                pixel_height: 0,
            })
            .expect("open a pseudo-terminal");
        let mut command = CommandBuilder::new(env!("CARGO_BIN_EXE_cims"));
        command.env_clear();
        command.env("HOME", home);
        command.env("XDG_DATA_HOME", home.join("data"));
        command.env("XDG_CONFIG_HOME", home.join("config"));
        command.env("TERM", "xterm-256color");
        command.env("LANG", "C.UTF-8");
        let shared = Arc::new(Shared {
            seen: Mutex::new(Seen {
                parser: vt100::Parser::new(
                    NonZeroU16::new(ROWS).expect("rows"),
                    NonZeroU16::new(COLS).expect("cols"),
                    0,
                ),
                bytes: 0,
                chunks: Vec::new(),
                frames: 0,
                frame_at: None,
                tail: Vec::new(),
                closed: false,
            }),
            changed: Condvar::new(),
        });
        let started = Instant::now();
        let child = pair
            .slave
            .spawn_command(command)
            .expect("start cims in the pseudo-terminal");
        drop(pair.slave);
        let mut reader = pair.master.try_clone_reader().expect("a pty reader");
        let writer = pair.master.take_writer().expect("a pty writer");
        let sink = shared.clone();
        std::thread::spawn(move || {
            let mut buffer = vec![0u8; 1 << 16];
            loop {
                let read = reader.read(&mut buffer);
                let at = Instant::now();
                let mut seen = sink.seen.lock().expect("output lock");
                match read {
                    Ok(0) | Err(_) => {
                        seen.closed = true;
                        sink.changed.notify_all();
                        return;
                    }
                    Ok(n) => {
                        let chunk = &buffer[..n];
                        seen.parser.process(chunk);
                        seen.bytes += n;
                        seen.chunks.push((at, n));
                        let mut window = std::mem::take(&mut seen.tail);
                        window.extend_from_slice(chunk);
                        let ends = window
                            .windows(FRAME_END.len())
                            .filter(|w| *w == FRAME_END)
                            .count();
                        if ends > 0 {
                            seen.frames += ends;
                            seen.frame_at = Some(at);
                        }
                        let keep = window.len().saturating_sub(FRAME_END.len() - 1);
                        seen.tail = window[keep..].to_vec();
                        sink.changed.notify_all();
                    }
                }
            }
        });
        App {
            shared,
            writer,
            child,
            _master: pair.master,
            started,
        }
    }

    fn key(&mut self, key: &[u8]) -> Instant {
        self.writer.write_all(key).expect("type");
        self.writer.flush().expect("type");
        Instant::now()
    }

    /// Wait (up to [`PATIENCE`]) until `ok` holds of what has been seen.
    fn wait<T>(&self, what: &str, mut ok: impl FnMut(&Seen) -> Option<T>) -> T {
        let deadline = Instant::now() + PATIENCE;
        let mut seen = self.shared.seen.lock().expect("output lock");
        loop {
            if let Some(value) = ok(&seen) {
                return value;
            }
            let now = Instant::now();
            if now >= deadline || seen.closed {
                panic!(
                    "gave up waiting for {what}; the screen:\n{}",
                    seen.parser.screen().contents()
                );
            }
            seen = self
                .shared
                .changed
                .wait_timeout(seen, deadline - now)
                .expect("output lock")
                .0;
        }
    }

    /// Wait until nothing has been written for `quiet`.
    fn settle(&self, quiet: Duration) {
        loop {
            let before = self.seen(|s| s.bytes);
            std::thread::sleep(quiet);
            if self.seen(|s| s.bytes) == before {
                return;
            }
        }
    }

    fn seen<T>(&self, f: impl FnOnce(&Seen) -> T) -> T {
        f(&self.shared.seen.lock().expect("output lock"))
    }

    /// Press `key` and wait for the frame it causes: (bytes written, time to the first byte,
    /// time to the end of the frame).
    fn press(&mut self, key: &[u8]) -> (usize, Duration, Duration) {
        let (bytes, frames, chunks) = self.seen(|s| (s.bytes, s.frames, s.chunks.len()));
        let sent = self.key(key);
        let (first, done) = self.wait("a frame after a key", |s| {
            (s.frames > frames).then(|| {
                let first = s.chunks.get(chunks).map_or(sent, |c| c.0);
                (first, s.frame_at.unwrap_or(first))
            })
        });
        let written = self.seen(|s| s.bytes) - bytes;
        (
            written,
            first.saturating_duration_since(sent),
            done.saturating_duration_since(sent),
        )
    }

    /// The record id on the queue's first visible row.
    fn top_row(&self) -> Option<String> {
        self.seen(|s| first_id(&s.parser.screen().contents()))
    }

    fn quit(mut self) {
        self.key(b"q");
        let deadline = Instant::now() + PATIENCE;
        loop {
            if let Some(status) = self.child.try_wait().expect("the app's status") {
                assert!(status.success(), "the app exited with {status:?}");
                return;
            }
            if Instant::now() >= deadline {
                let _ = self.child.kill();
                panic!(
                    "the app did not quit; the screen:\n{}",
                    self.seen(|s| s.parser.screen().contents())
                );
            }
            std::thread::sleep(Duration::from_millis(10));
        }
    }
}

/// The first record id (`INC-…`, `INT-…`) on the screen.
fn first_id(screen: &str) -> Option<String> {
    screen
        .split(|c: char| c.is_whitespace() || c == '│' || c == '▶')
        .find(|w| {
            (w.starts_with("INC-") || w.starts_with("INT-"))
                && w.len() >= 13
                && w.ends_with(|c: char| c.is_ascii_digit())
        })
        .map(String::from)
}

fn write_private(path: &Path, text: &str) {
    use std::os::unix::fs::{DirBuilderExt, OpenOptionsExt};
    std::fs::DirBuilder::new()
        .recursive(true)
        .mode(0o700)
        .create(path.parent().expect("a parent"))
        .expect("directory");
    std::fs::OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(true)
        .mode(0o600)
        .open(path)
        .and_then(|mut f| f.write_all(text.as_bytes()))
        .expect("write a private file");
}

fn ms(d: Duration) -> String {
    format!("{:.1} ms", d.as_secs_f64() * 1000.0)
}

struct Figures {
    records: usize,
    first_frame: Vec<Duration>,
    first_queue: Vec<Duration>,
    move_bytes: Vec<usize>,
    scroll_bytes: Vec<usize>,
    /// A one-row move and the record pane's preview once the highlight rests.
    rested_bytes: Vec<usize>,
    idle_bytes: usize,
    unbound_bytes: f64,
    first_byte: Vec<Duration>,
    frame_done: Vec<Duration>,
}

/// Seed `records`, serve them, and measure the app against them.
fn measure(runtime: &tokio::runtime::Runtime, records: usize, runs: usize) -> Figures {
    let dir = tempfile::tempdir().expect("tempdir");
    let url = format!("sqlite://{}/bench.db?mode=rwc", dir.path().display());
    let (store, base, stop, server, seeded) = runtime.block_on(async {
        let store = Store::open(&url).await.expect("open store");
        let policies = PolicySet::embedded().expect("policy");
        let seeded = seed::records(&store, 42, records, Utc::now(), &policies)
            .await
            .unwrap_or_default();
        let (base, stop, server) = seed::serve(&store, policies).await;
        (store, base, stop, server, seeded)
    });
    eprintln!("{records} records seeded in {:.1} s", seeded.as_secs_f64());
    let token = runtime
        .block_on(store.issue_token(seed::PI_USER, chrono::Duration::hours(2)))
        .expect("token")
        .0;
    let home = dir.path().join("home");
    write_private(&home.join("data/cims/token"), &token);
    write_private(
        &home.join("config/cims/config.toml"),
        &format!("[server]\nurl = \"{base}\"\n"),
    );

    // Start-up, several times; the last run goes on to the other measurements.
    let mut first_frame = Vec::new();
    let mut first_queue = Vec::new();
    let mut app = None;
    for run in 0..runs.max(1) {
        let started_app = App::spawn(&home);
        let started = started_app.started;
        let frame = started_app.wait("the first frame", |s| s.frame_at);
        let queue = started_app.wait("a record on screen", |s| {
            first_id(&s.parser.screen().contents()).map(|_| s.frame_at.unwrap_or(started))
        });
        first_frame.push(frame - started);
        first_queue.push(queue - started);
        if run + 1 < runs.max(1) {
            started_app.settle(Duration::from_millis(300));
            started_app.quit();
        } else {
            app = Some(started_app);
        }
    }
    let mut app = app.expect("an app");
    // The All view, then wait until the queue has loaded and nothing else is coming.
    app.key(b"6");
    app.wait("the All view", |s| {
        first_id(&s.parser.screen().contents()).map(|_| ())
    });
    app.settle(Duration::from_millis(500));

    // (c) Five idle seconds.
    let before = app.seen(|s| s.bytes);
    std::thread::sleep(IDLE);
    let idle_bytes = app.seen(|s| s.bytes) - before;

    // Keys bound to nothing: nothing changed, so nothing should be drawn.
    let before = app.seen(|s| s.bytes);
    for _ in 0..UNBOUND {
        app.key(b"%");
        std::thread::sleep(Duration::from_millis(50));
    }
    app.settle(Duration::from_millis(200));
    let unbound_bytes = (app.seen(|s| s.bytes) - before) as f64 / UNBOUND as f64;

    // (b, d) One-row moves inside the view: down four, up four, from the top.
    // Already at the top changes nothing, so it may draw nothing: no frame is awaited.
    app.key(b"g");
    app.settle(Duration::from_millis(200));
    let mut move_bytes = Vec::new();
    let mut scroll_bytes = Vec::new();
    let mut first_byte = Vec::new();
    let mut frame_done = Vec::new();
    for i in 0..MOVES {
        let key: &[u8] = if (i / 4) % 2 == 0 { b"j" } else { b"k" };
        let top = app.top_row();
        let (bytes, first, done) = app.press(key);
        assert_eq!(top, app.top_row(), "a move near the top scrolled the queue");
        move_bytes.push(bytes);
        first_byte.push(first);
        frame_done.push(done);
    }
    // Moves past the bottom: each scrolls the queue by one row.
    // Already at the top changes nothing, so it may draw nothing: no frame is awaited.
    app.key(b"g");
    app.settle(Duration::from_millis(200));
    let mut presses = 0;
    while scroll_bytes.len() < SCROLLS {
        presses += 1;
        assert!(presses < SCROLLS + 100, "the queue never scrolled");
        let top = app.top_row();
        let (bytes, first, done) = app.press(b"j");
        first_byte.push(first);
        frame_done.push(done);
        if app.top_row() == top {
            move_bytes.push(bytes);
        } else {
            scroll_bytes.push(bytes);
        }
    }
    app.settle(Duration::from_millis(200));
    // (b) With the preview: a move, then rest until the record pane has followed.
    app.key(b"g");
    app.settle(Duration::from_millis(400));
    let mut rested_bytes = Vec::new();
    for i in 0..RESTED_MOVES {
        let key: &[u8] = if (i / 4) % 2 == 0 { b"j" } else { b"k" };
        let before = app.seen(|s| s.bytes);
        app.key(key);
        app.settle(Duration::from_millis(400));
        rested_bytes.push(app.seen(|s| s.bytes) - before);
    }
    app.quit();

    runtime.block_on(async {
        let _ = stop.send(());
        let _ = server.await;
        store.close().await;
    });
    first_frame.sort();
    first_queue.sort();
    first_byte.sort();
    frame_done.sort();
    Figures {
        records,
        first_frame,
        first_queue,
        move_bytes,
        scroll_bytes,
        rested_bytes,
        idle_bytes,
        unbound_bytes,
        first_byte,
        frame_done,
    }
}

fn mean(values: &[usize]) -> f64 {
    if values.is_empty() {
        return 0.0;
    }
    values.iter().sum::<usize>() as f64 / values.len() as f64
}

fn print(all: &[Figures]) {
    let header: Vec<String> = all
        .iter()
        .map(|f| format!("{} records", f.records))
        .collect();
    let row = |name: &str, cells: Vec<String>| {
        let cells: Vec<String> = cells.iter().map(|c| format!("{c:>24}")).collect();
        println!("{name:<44}{}", cells.join(""));
    };
    println!();
    println!("cims terminal app, {COLS}×{ROWS} pseudo-terminal, SQLite, release build");
    row("", header);
    row(
        "start-up to first frame: median (min–max)",
        all.iter()
            .map(|f| {
                format!(
                    "{} ({}–{})",
                    ms(measure::percentile(&f.first_frame, 0.5)),
                    ms(measure::percentile(&f.first_frame, 0.0)).trim_end_matches(" ms"),
                    ms(measure::percentile(&f.first_frame, 1.0)).trim_end_matches(" ms")
                )
            })
            .collect(),
    );
    row(
        "start-up to a record on screen",
        all.iter()
            .map(|f| {
                format!(
                    "{} ({}–{})",
                    ms(measure::percentile(&f.first_queue, 0.5)),
                    ms(measure::percentile(&f.first_queue, 0.0)).trim_end_matches(" ms"),
                    ms(measure::percentile(&f.first_queue, 1.0)).trim_end_matches(" ms")
                )
            })
            .collect(),
    );
    row(
        "bytes per one-row move (j/k, mean)",
        all.iter()
            .map(|f| {
                format!(
                    "{:.0} B ({} moves)",
                    mean(&f.move_bytes),
                    f.move_bytes.len()
                )
            })
            .collect(),
    );
    row(
        "bytes per move past the bottom (mean)",
        all.iter()
            .map(|f| {
                format!(
                    "{:.0} B ({} moves)",
                    mean(&f.scroll_bytes),
                    f.scroll_bytes.len()
                )
            })
            .collect(),
    );
    row(
        "bytes per move, preview drawn (mean)",
        all.iter()
            .map(|f| {
                format!(
                    "{:.0} B ({} moves)",
                    mean(&f.rested_bytes),
                    f.rested_bytes.len()
                )
            })
            .collect(),
    );
    row(
        "bytes written in 5 s idle",
        all.iter().map(|f| format!("{} B", f.idle_bytes)).collect(),
    );
    row(
        "bytes per key bound to nothing (%, mean)",
        all.iter()
            .map(|f| format!("{:.0} B", f.unbound_bytes))
            .collect(),
    );
    row(
        "key to first byte p50 / p99",
        all.iter()
            .map(|f| {
                format!(
                    "{} / {}",
                    ms(measure::percentile(&f.first_byte, 0.5)),
                    ms(measure::percentile(&f.first_byte, 0.99))
                )
            })
            .collect(),
    );
    row(
        "key to end of frame p50 / p99",
        all.iter()
            .map(|f| {
                format!(
                    "{} / {}",
                    ms(measure::percentile(&f.frame_done, 0.5)),
                    ms(measure::percentile(&f.frame_done, 0.99))
                )
            })
            .collect(),
    );
}

fn main() {
    let options = options();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime");
    sqlx::any::install_default_drivers();
    let mut sizes = vec![options.records];
    if options.records > SMALL {
        sizes.insert(0, SMALL);
    }
    let all: Vec<Figures> = sizes
        .into_iter()
        .map(|records| measure(&runtime, records, options.runs))
        .collect();
    print(&all);
}
