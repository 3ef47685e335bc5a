//! The command line, run as the real binary: `cims calendar holidays` (R-CAL) and `cims due`.

use std::process::{Command, Output};

fn cims(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_cims"))
        .args(args)
        .output()
        .unwrap()
}

fn stdout(output: &Output) -> String {
    String::from_utf8(output.stdout.clone()).unwrap()
}

fn stderr(output: &Output) -> String {
    String::from_utf8(output.stderr.clone()).unwrap()
}

/// R-CAL: one line per holiday, date and name separated by two spaces.
#[test]
fn r_cal_cli_holidays_2026_plain() {
    let output = cims(&["calendar", "holidays", "2026"]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let text = stdout(&output);
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 14);
    assert_eq!(lines[0], "2026-01-01  New Year's Day");
    assert!(lines.contains(&"2026-09-25  Friday before the AFL Grand Final"));
    assert_eq!(lines[13], "2026-12-28  Boxing Day (additional)");
    assert!(stderr(&output).is_empty());
}

/// R-CAL: `--json` prints an array of {date, name}.
#[test]
fn r_cal_cli_holidays_2026_json() {
    let output = cims(&["calendar", "holidays", "2026", "--json"]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let value: serde_json::Value = serde_json::from_str(&stdout(&output)).unwrap();
    let array = value.as_array().unwrap();
    assert_eq!(array.len(), 14);
    assert_eq!(
        array[1],
        serde_json::json!({"date": "2026-01-26", "name": "Australia Day"})
    );
}

/// R-CAL: for 2027 the known holidays are printed, the unknown AFL Friday is reported on
/// stderr, and the exit code is 1 because the list is incomplete.
#[test]
fn r_cal_cli_holidays_2027_reports_unknown_afl_friday() {
    let output = cims(&["calendar", "holidays", "2027"]);
    assert_eq!(output.status.code(), Some(1));
    let text = stdout(&output);
    assert!(text.starts_with("2027-01-01  New Year's Day\n"), "{text}");
    assert!(
        text.contains("2027-12-28  Boxing Day (additional)\n"),
        "{text}"
    );
    assert!(!text.contains("AFL"));
    let err = stderr(&output);
    assert!(
        err.contains("the Friday before the AFL Grand Final for 2027 is not known yet"),
        "{err}"
    );
}

/// R-CAL: a year that is not a supported number is a usage error (exit code 2).
#[test]
fn r_cal_cli_bad_year_is_a_usage_error() {
    for year in ["1990", "next", "2100"] {
        let output = cims(&["calendar", "holidays", year]);
        assert_eq!(output.status.code(), Some(2), "{year}");
        assert!(stdout(&output).is_empty());
        assert!(
            stderr(&output).contains("invalid value"),
            "{}",
            stderr(&output)
        );
    }
}

/// R-INT-URGENT-1PM: received 12:59, before 13:00, the day of receipt is day one.
#[test]
fn r_int_urgent_1pm_cli_before_one() {
    let output = cims(&["due", "R-INT-URGENT-1PM", "--from", "2026-11-23 12:59"]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let text = stdout(&output);
    let mut lines = text.lines();
    assert_eq!(lines.next(), Some("2026-11-24 23:59:59 +11:00 (Tue)"));
    let explanation = lines.next().unwrap();
    assert!(
        explanation.contains("received 12:59, before 13:00: Monday is day one"),
        "{explanation}"
    );
}

/// R-INT-URGENT-1PM: received at 13:00 the day of receipt is day zero (JSON form).
#[test]
fn r_int_urgent_1pm_cli_at_one_json() {
    let output = cims(&[
        "due",
        "R-INT-URGENT-1PM",
        "--from",
        "2026-11-23 13:00",
        "--json",
    ]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let value: serde_json::Value = serde_json::from_str(&stdout(&output)).unwrap();
    assert_eq!(
        value,
        serde_json::json!({
            "rule": "R-INT-URGENT-1PM",
            "from": "2026-11-23T13:00:00+11:00",
            "due": "2026-11-25T23:59:59+11:00"
        })
    );
}

/// R-DL-SSR: Christmas, Boxing Day and the additional Monday are skipped.
#[test]
fn r_dl_ssr_cli_skips_christmas() {
    let output = cims(&["due", "R-DL-SSR", "--from", "2026-12-24 10:00", "--json"]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let value: serde_json::Value = serde_json::from_str(&stdout(&output)).unwrap();
    assert_eq!(value["due"], "2026-12-29T17:00:00+11:00");
}

/// An unknown rule or a bad time is a clear error with exit code 2.
#[test]
fn due_cli_rejects_unknown_rules_and_bad_times() {
    let output = cims(&["due", "R-DL-NOPE", "--from", "2026-11-23 10:00"]);
    assert_eq!(output.status.code(), Some(2));
    assert!(stderr(&output).contains("\"R-DL-NOPE\" is not a deadline rule"));
    assert!(stdout(&output).is_empty());
    for bad in ["2026-02-30 10:00", "tomorrow", "2026-10-04 02:30"] {
        let output = cims(&["due", "R-DL-SSR", "--from", bad]);
        assert_eq!(output.status.code(), Some(2), "{bad}");
        assert!(
            stderr(&output).contains("--from"),
            "{bad}: {}",
            stderr(&output)
        );
    }
}

fn cims_with_stdin(args: &[&str], stdin: &str) -> Output {
    use std::io::Write as _;
    let mut child = Command::new(env!("CARGO_BIN_EXE_cims"))
        .args(args)
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(stdin.as_bytes())
        .unwrap();
    child.wait_with_output().unwrap()
}

/// `cims admin` creates organisations and users (password from stdin, argon2-hashed) and
/// issues tokens that the store accepts; revoking one takes effect at once.
#[tokio::test]
async fn admin_creates_organisations_users_and_tokens() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("admin.db").to_string_lossy().into_owned();
    let ok = |output: &Output| {
        assert_eq!(output.status.code(), Some(0), "{}", stderr(output));
    };
    ok(&cims(&[
        "admin",
        "--db",
        &db,
        "org",
        "add",
        "dffh",
        "--name",
        "DFFH",
        "--kind",
        "department",
    ]));
    let again = cims(&[
        "admin",
        "--db",
        &db,
        "org",
        "add",
        "dffh",
        "--name",
        "DFFH",
        "--kind",
        "department",
    ]);
    assert_eq!(again.status.code(), Some(1));
    assert!(
        stderr(&again).contains("already exists"),
        "{}",
        stderr(&again)
    );
    let add_alice = [
        "admin",
        "--db",
        &db,
        "user",
        "add",
        "alice",
        "--org",
        "dffh",
        "--name",
        "Alice",
        "--role",
        "practitioner",
        "--pi",
        "--password-stdin",
    ];
    let short = cims_with_stdin(&add_alice, "short\n");
    assert_eq!(short.status.code(), Some(1));
    assert!(stderr(&short).contains("at least 10 characters"));
    let bad_role = cims(&[
        "admin", "--db", &db, "user", "add", "bob", "--org", "dffh", "--name", "Bob", "--role",
        "wizard",
    ]);
    assert!(stderr(&bad_role).contains("unknown role \"wizard\""));
    ok(&cims_with_stdin(&add_alice, "correct horse battery\n"));
    let listed = cims(&["admin", "--db", &db, "user", "list"]);
    assert_eq!(stdout(&listed).trim(), "alice\tdffh\tpractitioner\tPI");
    let issued = cims(&[
        "admin", "--db", &db, "token", "issue", "alice", "--days", "1",
    ]);
    ok(&issued);
    let token = stdout(&issued).lines().next().unwrap().to_string();
    assert!(token.starts_with("cims_"));

    let store = cims::store::Store::open(&db).await.unwrap();
    let user = store
        .authenticate(&token, chrono::Utc::now())
        .await
        .unwrap();
    assert_eq!(user.map(|u| u.id), Some("alice".to_string()));
    let verified = store
        .verify_password("alice", "correct horse battery")
        .await
        .unwrap();
    assert!(verified.is_some());
    assert!(
        store
            .verify_password("alice", "wrong")
            .await
            .unwrap()
            .is_none()
    );
    store.close().await;

    ok(&cims(&["admin", "--db", &db, "token", "revoke", &token]));
    let store = cims::store::Store::open(&db).await.unwrap();
    assert!(
        store
            .authenticate(&token, chrono::Utc::now())
            .await
            .unwrap()
            .is_none()
    );
    store.close().await;
}

/// `cims demo --check` seeds a fresh database, serves it and reads it as every demo user,
/// with nothing to install: the newcomer's path, checked without a terminal.
#[test]
fn demo_check_seeds_serves_and_reads_as_every_demo_user() {
    let home = tempfile::tempdir().unwrap();
    let output = Command::new(env!("CARGO_BIN_EXE_cims"))
        .args(["demo", "--check", "--fresh", "--records", "300"])
        .env("XDG_DATA_HOME", home.path())
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let text = stdout(&output);
    assert!(text.contains("seeded 300 fictional records"), "{text}");
    for user in ["alice", "tess", "carol", "rex", "ian"] {
        assert!(text.lines().any(|l| l.starts_with(user)), "{user}: {text}");
    }
    assert!(
        text.contains("no reporter's identity"),
        "the check looked for reporters' names in what others see: {text}"
    );
    let rex = text.lines().find(|l| l.starts_with("rex")).unwrap();
    assert!(
        !rex.contains(" 0 of the first"),
        "the regulator sees masked clients: {rex}"
    );
    // Without --fresh the demo keeps its database in the data directory: seeded once,
    // reused after.
    for expected in ["seeded 50 fictional records", "using the demo database"] {
        let output = Command::new(env!("CARGO_BIN_EXE_cims"))
            .args(["demo", "--check", "--records", "50"])
            .env("XDG_DATA_HOME", home.path())
            .output()
            .unwrap();
        assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
        assert!(stdout(&output).contains(expected), "{}", stdout(&output));
    }
    assert!(home.path().join("cims").join("demo.db").exists());
    let unknown = cims(&["demo", "--check", "--as", "mallory"]);
    assert_eq!(unknown.status.code(), Some(2));
    assert!(stderr(&unknown).contains("alice, tess, carol, rex, ian"));
}

/// Every command and subcommand's `--help` ends with at least one example.
#[test]
fn every_command_help_shows_examples() {
    fn walk(command: &clap::Command, path: &str, missing: &mut Vec<String>) {
        let path = format!("{path} {}", command.get_name()).trim().to_string();
        let examples = command
            .get_after_help()
            .is_some_and(|h| h.to_string().contains("Example"));
        if !examples && command.get_name() != "help" {
            missing.push(path.clone());
        }
        for sub in command.get_subcommands() {
            walk(sub, &path, missing);
        }
    }
    let mut missing = Vec::new();
    walk(
        &<cims::cli::Cli as clap::CommandFactory>::command(),
        "",
        &mut missing,
    );
    assert!(missing.is_empty(), "no examples in --help of: {missing:?}");
}

/// `cims completions SHELL` prints a completion script naming the commands.
#[test]
fn completions_are_printed_for_each_shell() {
    for shell in ["bash", "zsh", "fish"] {
        let output = cims(&["completions", shell]);
        assert_eq!(
            output.status.code(),
            Some(0),
            "{shell}: {}",
            stderr(&output)
        );
        let script = stdout(&output);
        assert!(
            script.contains("demo") && script.contains("serve"),
            "{shell}: {script}"
        );
    }
    let unknown = cims(&["completions", "tcsh"]);
    assert_eq!(unknown.status.code(), Some(2));
    assert!(stderr(&unknown).contains("bash"), "{}", stderr(&unknown));
}

/// The errors a newcomer meets first say what is wrong and what to do.
#[test]
fn newcomer_errors_say_what_to_do() {
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("no-such-dir").join("cims.db");
    let output = cims(&[
        "serve",
        "--db",
        &missing.to_string_lossy(),
        "--listen",
        "127.0.0.1:0",
    ]);
    assert_eq!(output.status.code(), Some(1));
    assert!(
        stderr(&output).contains("does not exist: create it"),
        "{}",
        stderr(&output)
    );

    let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let address = taken.local_addr().unwrap().to_string();
    let db = dir.path().join("cims.db");
    let output = cims(&["serve", "--db", &db.to_string_lossy(), "--listen", &address]);
    assert_eq!(output.status.code(), Some(1));
    assert!(
        stderr(&output).contains("already in use"),
        "{}",
        stderr(&output)
    );

    let unused = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let nobody = format!("http://{}", unused.local_addr().unwrap());
    drop(unused);
    let mut login = Command::new(env!("CARGO_BIN_EXE_cims"))
        .args([
            "login",
            "--server",
            &nobody,
            "--user",
            "alice",
            "--password-stdin",
        ])
        .env("XDG_DATA_HOME", dir.path())
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    use std::io::Write as _;
    login.stdin.take().unwrap().write_all(b"secret\n").unwrap();
    let output = login.wait_with_output().unwrap();
    assert_eq!(output.status.code(), Some(1));
    let text = stderr(&output);
    assert!(
        text.contains(&nobody) && text.contains("cims serve"),
        "{text}"
    );
}

/// `cims export` writes the view the server masks for this user to a file only they can
/// read, never over an existing file unless asked, and `-` sends it to standard output.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn export_writes_a_private_file_and_keeps_existing_ones() {
    use std::os::unix::fs::PermissionsExt;

    use crate::api::harness::{Api, Persona};
    use crate::e2e::AppHome;

    let db_dir = tempfile::tempdir().expect("a directory for the database");
    let url = crate::support::database(crate::support::Db::Sqlite, &db_dir)
        .await
        .expect("a SQLite database");
    let api = Api::start(&url).await;
    api.create_incident(Persona::Practitioner, &crate::fixtures::incident())
        .await;
    let home = AppHome::new(&api.server.base, api.token(Persona::Practitioner));
    let out = db_dir.path().join("view.csv");
    let out_text = out.to_string_lossy().to_string();
    let run = |args: Vec<String>| {
        let env: Vec<(String, std::path::PathBuf)> = home
            .env()
            .iter()
            .map(|(name, path)| (name.to_string(), path.to_path_buf()))
            .collect();
        tokio::task::spawn_blocking(move || {
            let mut command = Command::new(env!("CARGO_BIN_EXE_cims"));
            command.arg("export").args(&args).env_clear();
            for (name, value) in env {
                command.env(name, value);
            }
            command.output().expect("run cims export")
        })
    };
    let args = |extra: &[&str]| -> Vec<String> {
        ["--format", "csv", "--query", "status:any"]
            .iter()
            .chain(extra)
            .map(|s| s.to_string())
            .collect()
    };
    let written = run(args(&["--out", &out_text])).await.expect("joined");
    assert!(written.status.success(), "{}", stderr(&written));
    assert!(
        stderr(&written).contains("1 row written"),
        "{}",
        stderr(&written)
    );
    let mode = std::fs::metadata(&out)
        .expect("the file")
        .permissions()
        .mode()
        & 0o777;
    assert_eq!(mode, 0o600, "only the user may read an export");
    let text = std::fs::read_to_string(&out).expect("read the export");
    assert!(text.starts_with("id,kind,org,stage,status"), "{text}");
    assert_eq!(text.lines().count(), 2);

    let again = run(args(&["--out", &out_text])).await.expect("joined");
    assert!(!again.status.success());
    assert!(stderr(&again).contains("--force"), "{}", stderr(&again));
    assert_eq!(
        std::fs::read_to_string(&out).expect("read"),
        text,
        "the file is kept"
    );

    let piped = run(args(&["--out", "-"])).await.expect("joined");
    assert!(piped.status.success(), "{}", stderr(&piped));
    assert_eq!(stdout(&piped), text);

    let bad = run(args(&["--view", "nope", "--out", "-"]))
        .await
        .expect("joined");
    assert!(!bad.status.success());
    assert!(stderr(&bad).contains("nope"), "{}", stderr(&bad));
    api.stop().await;
}

/// `cims submit` lists, shows, tries again and batches submissions through the server as
/// the logged-in user, whose sight and roles apply (R-SUBMIT-1, R-SUBMIT-4, R-PRIV-8); a
/// bad argument is named before the server is asked.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn submit_lists_shows_retries_and_batches_as_the_user_r_submit_4() {
    use crate::api::harness::{Api, Persona};
    use crate::e2e::AppHome;

    let db_dir = tempfile::tempdir().expect("a directory for the database");
    let url = crate::support::database(crate::support::Db::Sqlite, &db_dir)
        .await
        .expect("a SQLite database");
    let api = Api::start(&url).await;
    api.server.store.batch_non_major(true);
    let mut incident = crate::fixtures::incident();
    incident.primary_type = "injury_explained".into();
    incident.subject = None;
    incident.impact = Some(cims::domain::model::Impact::NonMajor);
    let id =
        crate::api::submissions::endorse(&api, &incident, &["classified", "report_written"]).await;
    let carol = AppHome::new(&api.server.base, api.token(Persona::CsoDelegate));
    let rex = AppHome::new(&api.server.base, api.token(Persona::Regulator));
    let run = |home: &AppHome, args: &[&str]| {
        let env: Vec<(String, std::path::PathBuf)> = home
            .env()
            .iter()
            .map(|(name, path)| (name.to_string(), path.to_path_buf()))
            .collect();
        let args: Vec<String> = args.iter().map(|s| s.to_string()).collect();
        tokio::task::spawn_blocking(move || {
            let mut command = Command::new(env!("CARGO_BIN_EXE_cims"));
            command.arg("submit").args(&args).env_clear();
            for (name, value) in env {
                command.env(name, value);
            }
            command.output().expect("run cims submit")
        })
    };
    let listed = run(&carol, &["list"]).await.expect("joined");
    assert!(listed.status.success(), "{}", stderr(&listed));
    let line = stdout(&listed);
    assert!(line.contains(&id) && line.contains("held"), "{line}");

    let month = cims::domain::submissions::BatchMonth::of(chrono::Utc::now()).to_string();
    let built = run(&carol, &["batch", "--month", &month])
        .await
        .expect("joined");
    assert!(built.status.success(), "{}", stderr(&built));
    let text = stdout(&built);
    assert!(
        text.contains(&format!("Batch for {month}")) && text.contains("1 report,"),
        "{text}"
    );
    let number: String = text
        .split("submission ")
        .nth(1)
        .and_then(|rest| rest.split(',').next())
        .expect("the batch's number")
        .to_string();

    let shown = run(&carol, &["show", &number]).await.expect("joined");
    assert!(shown.status.success(), "{}", stderr(&shown));
    let text = stdout(&shown);
    assert!(text.contains("Monthly batch → Department (CIMS)"), "{text}");
    assert!(
        text.contains("Reports    1") && text.contains("Status     queued"),
        "{text}"
    );
    let json = run(&carol, &["show", &number, "--json"])
        .await
        .expect("joined");
    let value: serde_json::Value = serde_json::from_str(&stdout(&json)).expect("JSON");
    assert_eq!(value["payload"]["reports"][0]["record"], id.as_str());
    let member = run(&carol, &["list", "--record", &id])
        .await
        .expect("joined");
    assert!(
        stdout(&member).contains(&format!("in batch {number}")),
        "{}",
        stdout(&member)
    );

    let retried = run(&carol, &["retry", &number]).await.expect("joined");
    assert_eq!(retried.status.code(), Some(1));
    assert!(
        stderr(&retried).contains("nothing to try again"),
        "{}",
        stderr(&retried)
    );
    let again = run(&carol, &["batch", "--month", &month])
        .await
        .expect("joined");
    assert_eq!(again.status.code(), Some(1));
    assert!(
        stderr(&again).contains("built already"),
        "{}",
        stderr(&again)
    );

    // The regulator may not see the records' identifying details: no such submission.
    let hidden = run(&rex, &["show", &number]).await.expect("joined");
    assert_eq!(hidden.status.code(), Some(1));
    assert!(
        stderr(&hidden).contains(&format!("no submission {number}")),
        "{}",
        stderr(&hidden)
    );

    for (args, words) in [
        (
            vec!["list", "--status", "lost"],
            vec!["--status", "lost", "failing"],
        ),
        (
            vec!["list", "--recipient", "police"],
            vec!["--recipient", "regulator"],
        ),
        (
            vec!["batch", "--month", "2026-13"],
            vec!["2026-13", "YYYY-MM"],
        ),
        (vec!["list", "--limit", "0"], vec!["--limit", "1 to 500"]),
    ] {
        let refused = run(&carol, &args).await.expect("joined");
        assert_eq!(refused.status.code(), Some(2), "{args:?}");
        for word in words {
            assert!(
                stderr(&refused).contains(word),
                "{word} in {}",
                stderr(&refused)
            );
        }
    }
    api.stop().await;
}
