//! `cims demo`: an embedded server over SQLite, seeded with fictional records, and the app
//! logged in as a demo user — nothing to install. `--check` does the same without a
//! terminal and reports what each demo user sees.

use std::io::{self, IsTerminal, Write};
use std::process::ExitCode;
use std::sync::Arc;

use clap::Args;

use crate::client::api::{Client, QueueRequest};
use crate::demo::{self, USERS};
use crate::domain::policy::PolicySet;
use crate::store::Store;
use crate::submit::transport::SubmissionsConfig;
use crate::submit::worker::{Pace, Worker};

#[derive(Debug, Args)]
#[command(after_help = "Examples:\n  cims demo\n  cims demo --as carol\n  \
    cims demo --fresh --records 5000\n  cims demo --check\n\n\
    Demo users (switch with --as to see masking change):\n  \
    alice  child protection practitioner (protective intervener): sees everything\n  \
    tess   team manager (protective intervener): endorses, waives\n  \
    carol  CSO incident delegate (not a protective intervener): reporters and other\n         \
    organisations' clients masked\n  \
    rex    regulator viewer (not a protective intervener): critical notifiable incidents\n  \
    ian    Integrity Unit (RCS delegate)\n\n\
    The demo database is demo.db in the data directory (--fresh: a new temporary one). \
    Everything in it is fictional.")]
pub struct DemoArgs {
    /// The demo user to log in as: alice, tess, carol, rex or ian.
    #[arg(long = "as", default_value = "alice")]
    pub user: String,
    /// A new temporary database instead of demo.db in the data directory.
    #[arg(long)]
    pub fresh: bool,
    /// Records to generate on first run (1 to 1,000,000).
    #[arg(long, default_value_t = 400, value_parser = clap::value_parser!(u32).range(1..=1_000_000))]
    pub records: u32,
    /// The generator's seed: the same seed gives the same records.
    #[arg(long, default_value_t = 2026)]
    pub seed: u64,
    /// Seed, serve and query as every demo user without opening the app; exit 0 if all is well.
    #[arg(long)]
    pub check: bool,
    /// The app in the linear mode, for screen readers: no box drawing, one item a line.
    #[arg(long)]
    pub linear: bool,
}

pub fn run(args: &DemoArgs, out: &mut dyn Write, err: &mut dyn Write) -> io::Result<ExitCode> {
    if !USERS.iter().any(|u| u.user == args.user) {
        writeln!(
            err,
            "cims demo: no demo user {:?}; choose one of: {}",
            args.user,
            USERS.iter().map(|u| u.user).collect::<Vec<_>>().join(", ")
        )?;
        return Ok(ExitCode::from(2));
    }
    if !args.check && !io::stdout().is_terminal() {
        writeln!(
            err,
            "cims demo: the app needs a terminal; `cims demo --check` runs without one"
        )?;
        return Ok(ExitCode::FAILURE);
    }
    let temp = tempfile_dir();
    let path = if args.fresh {
        temp.as_ref().map(|d| d.join("demo.db"))
    } else {
        crate::client::session::data_dir().map(|d| d.join("demo.db"))
    };
    let Some(path) = path else {
        writeln!(err, "cims demo: no data directory; try --fresh")?;
        return Ok(ExitCode::FAILURE);
    };
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir)?;
    }
    let runtime = tokio::runtime::Runtime::new()?;
    let result = runtime.block_on(demo_main(args, &path.to_string_lossy(), out));
    if let Some(dir) = temp {
        let _ = std::fs::remove_dir_all(dir);
    }
    match result {
        Ok(code) => Ok(code),
        Err(message) => {
            writeln!(err, "cims demo: {message}")?;
            Ok(ExitCode::FAILURE)
        }
    }
}

/// A progress bar on stderr for seeds long enough to wait for; hidden when stderr is not a
/// terminal.
fn progress_bar(records: usize) -> indicatif::ProgressBar {
    if records < 5 * demo::BATCH || !io::stderr().is_terminal() {
        return indicatif::ProgressBar::hidden();
    }
    let bar = indicatif::ProgressBar::new(records as u64);
    if let Ok(style) = indicatif::ProgressStyle::with_template(
        "seeding {bar:30} {pos}/{len} records, {elapsed} (about {eta} to go)",
    ) {
        bar.set_style(style.progress_chars("#>-"));
    }
    bar
}

/// A private temporary directory for `--fresh`.
fn tempfile_dir() -> Option<std::path::PathBuf> {
    let dir = std::env::temp_dir().join(format!("cims-demo-{}", std::process::id()));
    std::fs::create_dir_all(&dir).ok().map(|()| dir)
}

async fn demo_main(args: &DemoArgs, db: &str, out: &mut dyn Write) -> Result<ExitCode, String> {
    let policies = PolicySet::embedded().map_err(|e| e.to_string())?;
    let store = Store::open(db)
        .await
        .map_err(|e| format!("the demo database {db}: {e}"))?;
    let now = chrono::Utc::now();
    store
        .refresh_stale_projections(&policies, now)
        .await
        .map_err(|e| format!("bringing the demo database up to date: {e}"))?;
    let records = usize::try_from(args.records).unwrap_or(400);
    let started = std::time::Instant::now();
    let bar = progress_bar(records);
    let seeded = demo::seed(&store, &policies, args.seed, records, now, &mut |n| {
        bar.set_position(n as u64);
    })
    .await
    .map_err(|e| format!("seeding: {e}"))?;
    bar.finish_and_clear();
    if seeded {
        let _ = writeln!(
            out,
            "seeded {records} fictional records in {:.1} s",
            started.elapsed().as_secs_f64()
        );
    } else {
        let _ = writeln!(
            out,
            "using the demo database {db}, seeded before (--records and --seed apply to a new one: --fresh, or delete it)"
        );
    }
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .map_err(|e| format!("cannot open a loopback port: {e}"))?;
    let base = format!(
        "http://{}",
        listener.local_addr().map_err(|e| e.to_string())?
    );
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let coherence = if args.check {
        Some(coherent(&store, &policies).await)
    } else {
        None
    };
    // R-SUBMIT-1: the demo transmits: each recipient's submissions are written to a
    // folder beside the database, where a stand-in recipient answers them.
    let home = std::path::Path::new(db).parent().map_or_else(
        || std::path::PathBuf::from("."),
        std::path::Path::to_path_buf,
    );
    let transports = SubmissionsConfig::embedded_default(&home)
        .build(&home)
        .map_err(|e| format!("the demo's submission folders: {e}"))?;
    let (stop_delivery, delivery_stopped) = tokio::sync::watch::channel(false);
    let pace = Pace {
        poll: std::time::Duration::from_secs(1),
        receipt_look: chrono::Duration::seconds(1),
        ..Pace::default()
    };
    let worker = tokio::spawn(
        Worker::new(store.clone(), Arc::new(policies.clone()), transports, pace)
            .run(delivery_stopped.clone()),
    );
    let recipients = tokio::spawn(demo::receipts::simulate(
        home,
        std::time::Duration::from_secs(2),
        delivery_stopped,
    ));
    let server = tokio::spawn(crate::server::serve_on(
        listener,
        store.clone(),
        policies,
        async {
            let _ = stopped.await;
        },
    ));
    let outcome = if let Some(coherence) = coherence {
        match coherence {
            Ok(records) => {
                let _ = writeln!(
                    out,
                    "{records} records could all happen: none that the rules or plain sense rule out"
                );
                check(&store, &base, out).await
            }
            Err(problem) => Err(problem),
        }
    } else {
        app(&store, &base, &args.user, args.linear).await
    };
    let _ = stop.send(());
    let _ = server.await;
    let _ = stop_delivery.send(true);
    let _ = worker.await;
    let _ = recipients.await;
    store.close().await;
    outcome
}

async fn token_for(store: &Store, user: &str) -> Result<String, String> {
    store
        .issue_token(user, chrono::Duration::hours(12))
        .await
        .map(|(token, _)| token)
        .map_err(|e| e.to_string())
}

/// What each demo user sees, through the API: the check a newcomer (or CI) can run. It
/// fails if a user who is not a protective intervener is shown any intake reporter's
/// identity (R-PRIV-1) in the queue, a record or a history.
async fn check(store: &Store, base: &str, out: &mut dyn Write) -> Result<ExitCode, String> {
    let mut reporters = Vec::new();
    let mut phones = Vec::new();
    for demo in USERS {
        let (user, org) = (demo.user, demo.org);
        let client =
            Client::new(base, &token_for(store, user).await?).map_err(|e| e.to_string())?;
        let me = client.me().await.map_err(|e| e.to_string())?;
        if me.user != user {
            return Err(format!("logged in as {} instead of {user}", me.user));
        }
        let all = client.count("").await.map_err(|e| format!("{user}: {e}"))?;
        let overdue = client
            .count("overdue")
            .await
            .map_err(|e| format!("{user}: {e}"))?;
        let soon = client
            .count("due:<24h")
            .await
            .map_err(|e| format!("{user}: {e}"))?;
        let page = client
            .queue(&QueueRequest {
                view: Some("all".into()),
                limit: Some(READ_PER_USER),
                ..QueueRequest::default()
            })
            .await
            .map_err(|e| format!("{user}: {e}"))?;
        let masked = page
            .rows
            .iter()
            .filter(|r| r.subject.get("masked").is_some())
            .count();
        // The most urgent records, and intake reports (where the reporters are) too.
        let intakes = client
            .queue(&QueueRequest {
                q: Some("kind:intake".into()),
                limit: Some(READ_PER_USER),
                ..QueueRequest::default()
            })
            .await
            .map_err(|e| format!("{user}: {e}"))?;
        let mut opened: Vec<&str> = Vec::new();
        for row in page
            .rows
            .iter()
            .take(RECORDS_READ / 2)
            .chain(intakes.rows.iter().take(RECORDS_READ / 2))
        {
            if !opened.contains(&row.id.as_str()) {
                opened.push(&row.id);
            }
        }
        let mut read = serde_json::to_string(&page.rows).map_err(|e| e.to_string())?;
        for id in &opened {
            let row_id = *id;
            let view = client
                .record(row_id)
                .await
                .map_err(|e| format!("{user} reading {row_id}: {e}"))?;
            let history = client
                .history(row_id)
                .await
                .map_err(|e| format!("{user} reading {row_id}'s history: {e}"))?;
            if demo.protective_intervener
                && let Some(name) = view
                    .record
                    .pointer("/details/reporter/name")
                    .and_then(|n| n.as_str())
            {
                reporters.push(name.to_string());
                if let Some(phone) = view
                    .record
                    .pointer("/details/reporter/phone")
                    .and_then(|n| n.as_str())
                {
                    phones.push(phone.to_string());
                }
            }
            read.push_str(&view.record.to_string());
            read.push_str(&serde_json::to_string(&history.events).map_err(|e| e.to_string())?);
        }
        let _ = writeln!(
            out,
            "{user:<6} {org:<10} {:<3} {all:>6} records, {overdue:>5} overdue, {soon:>5} due within 24 h; \
             {masked} of the first {} with the client masked; {} opened",
            if demo.protective_intervener { "PI" } else { "" },
            page.rows.len(),
            opened.len(),
        );
        if !demo.protective_intervener
            && let Some(leak) = reporters.iter().find(|name| read.contains(name.as_str()))
        {
            return Err(format!(
                "{user} is not a protective intervener but was shown a reporter's name ({leak})"
            ));
        }
    }
    if reporters.is_empty() {
        return Err("no intake reporter was read: nothing to check masking against".into());
    }
    let _ = writeln!(
        out,
        "no reporter's identity ({} reporters) shown to a user who is not a protective intervener",
        reporters.len()
    );
    let probes = search_probes(&reporters, &phones);
    for demo in USERS.iter().filter(|u| !u.protective_intervener) {
        let client =
            Client::new(base, &token_for(store, demo.user).await?).map_err(|e| e.to_string())?;
        let count = async |q: &str| {
            client
                .count(q)
                .await
                .map_err(|e| format!("{} searching {q:?}: {e}", demo.user))
        };
        let control = count(RANDOM_TEXT).await?;
        for probe in &probes {
            let found = count(probe).await?;
            if found != control {
                return Err(format!(
                    "{} is not a protective intervener, yet searching {probe:?} finds {found} \
                     records where random text finds {control} (R-PRIV-8)",
                    demo.user
                ));
            }
        }
    }
    let _ = writeln!(
        out,
        "{} searches for reporters' names, parts of them, phrases across them and their phones \
         answer every user who is not a protective intervener as random text does",
        probes.len()
    );
    Ok(ExitCode::SUCCESS)
}

/// Every record, open or closed, through the coherence check (`demo::coherence`): the
/// number of records, or the first incoherent ones.
async fn coherent(store: &Store, policies: &PolicySet) -> Result<usize, String> {
    use crate::store::{QueueQuery, Scope, SortKey, Viewer};
    let now = chrono::Utc::now();
    let q = QueueQuery {
        viewer: Viewer {
            user: "demo-check".into(),
            org: String::new(),
            scope: Scope::All,
            identifying_everywhere: true,
            protected: true,
        },
        filter: crate::domain::query::Filter {
            status: crate::domain::query::StatusFilter::Any,
            ..Default::default()
        },
        sort: SortKey::Id,
        descending: false,
        limit: 500,
        cursor: None,
        now,
    };
    let mut records = 0;
    let mut problems = Vec::new();
    store
        .each_page(&q, policies, |rows| {
            for row in rows {
                records += 1;
                let record = &row.record;
                for problem in demo::coherence::problems(record, policies.of_record(record)) {
                    problems.push(format!("{}: {problem}", record.id));
                }
            }
            problems.len() < 20
        })
        .await
        .map_err(|e| format!("reading the records: {e}"))?;
    if problems.is_empty() {
        Ok(records)
    } else {
        Err(format!("incoherent demo records: {}", problems.join("; ")))
    }
}

/// Text no record holds: what a search for a hidden value must look like.
const RANDOM_TEXT: &str = "qzxv-7k3w";

/// Searches for what only protective interveners may find: each reporter's name, its
/// words, the longer part of each word, a phrase that runs across the name, and the phone
/// in other spellings (R-PRIV-8).
fn search_probes(reporters: &[String], phones: &[String]) -> Vec<String> {
    let mut probes = std::collections::BTreeSet::new();
    for name in reporters.iter().take(40) {
        probes.insert(format!("\"{}\"", name.to_lowercase()));
        for word in name.split_whitespace() {
            probes.insert(word.to_lowercase());
            let chars: Vec<char> = word.chars().collect();
            if chars.len() >= 6 {
                probes.insert(
                    chars[..chars.len() - 1]
                        .iter()
                        .collect::<String>()
                        .to_lowercase(),
                );
            }
        }
        if let Some(last) = name.split_whitespace().last() {
            probes.insert(format!("\"{}, saw\"", last.to_lowercase()));
            probes.insert(format!("\"{} rang\"", last.to_lowercase()));
        }
    }
    for phone in phones.iter().take(40) {
        let digits: String = phone.chars().filter(char::is_ascii_digit).collect();
        if digits.len() > 8 {
            probes.insert(digits.clone());
            probes.insert(digits[1..].to_string());
            probes.insert(digits[digits.len() - 7..].to_string());
        }
    }
    probes.into_iter().collect()
}

/// The app's first message: who the demo is logged in as, and who else to try.
fn start_line(user: &str) -> String {
    let others: Vec<&str> = USERS
        .iter()
        .map(|u| u.user)
        .filter(|u| *u != user)
        .collect();
    let role = USERS.iter().find(|u| u.user == user).map_or("", |u| u.role);
    format!(
        "Demo as {user} ({role}). Others: cims demo --as {}",
        others.join("|")
    )
}

/// Queue rows read per user, and how many of those records are opened with their history.
const READ_PER_USER: u32 = 200;
const RECORDS_READ: usize = 60;

async fn app(store: &Store, base: &str, user: &str, linear: bool) -> Result<ExitCode, String> {
    let client = Client::new(base, &token_for(store, user).await?).map_err(|e| e.to_string())?;
    let data = crate::client::session::data_dir().ok_or("no data directory")?;
    std::fs::create_dir_all(&data).map_err(|e| format!("{}: {e}", data.display()))?;
    let outbox = crate::client::outbox::Outbox::open(data.join("demo-outbox.json"))
        .map_err(|e| e.to_string())?;
    let drafts = crate::client::drafts::Drafts::new(data.join("demo-drafts"));
    let theme =
        crate::tui::theme::Theme::choose("ansi16", std::env::var("NO_COLOR").ok().as_deref())
            .map_err(|e| e.to_string())?;
    let mut state = crate::tui::app::State::new(
        chrono::Utc::now(),
        crate::tui::keymap::Keymap::default(),
        theme,
    );
    state.message = Some((crate::tui::reply::Level::Info, start_line(user)));
    state.context.linear = linear;
    crate::tui::driver::run(
        state,
        client,
        outbox,
        drafts,
        Some(data.join("demo-resume.toml")),
    )
    .await
    .map_err(|e| format!("the terminal failed: {e}"))?;
    Ok(ExitCode::SUCCESS)
}
