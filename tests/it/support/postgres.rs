//! A throw-away PostgreSQL cluster for the tests.
//!
//! One cluster is started per test process, lazily, the first time a test asks for it. It lives
//! in a private temporary directory and listens only on a unix socket inside that directory, so
//! test processes never collide on a port. Every test gets its own database in it.
//!
//! Statics are never dropped, so the cluster is stopped by a detached watchdog shell that waits
//! for the test process to exit, then stops the server and removes the directory.
//!
//! When the binaries are missing or the cluster cannot start, the PostgreSQL half of the suite
//! is skipped with a warning, unless `CIMS_REQUIRE_POSTGRES=1` (CI), which makes it a failure.

use std::io::Write;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::sync::OnceLock;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use sqlx::Connection;

/// The OS user that owns and runs the cluster when the tests run as root.
const SERVER_USER: &str = "postgres";

/// A running throw-away cluster.
#[derive(Debug)]
pub struct Cluster {
    /// The directory holding the unix socket (`.s.PGSQL.<port>`).
    socket_dir: PathBuf,
    /// Names the socket file; nothing listens on TCP.
    port: u16,
    /// How long `initdb` plus `pg_ctl start` took.
    startup: Duration,
}

/// The process-wide cluster, started on first use; `None` (after one warning) when PostgreSQL
/// is unavailable. Panics instead when `CIMS_REQUIRE_POSTGRES=1`.
pub fn cluster() -> Option<&'static Cluster> {
    static CLUSTER: OnceLock<Result<Cluster, String>> = OnceLock::new();
    static WARNED: std::sync::Once = std::sync::Once::new();

    match CLUSTER.get_or_init(start) {
        Ok(cluster) => Some(cluster),
        Err(reason) => {
            if std::env::var("CIMS_REQUIRE_POSTGRES").as_deref() == Ok("1") {
                panic!(
                    "PostgreSQL is required (CIMS_REQUIRE_POSTGRES=1) but unavailable: {reason}"
                );
            }
            WARNED.call_once(|| {
                // Written to the real stderr handle: the test harness captures `eprintln!`.
                let _ = writeln!(
                    std::io::stderr(),
                    "WARNING: PostgreSQL tests SKIPPED: {reason} (set CIMS_REQUIRE_POSTGRES=1 to make this an error)"
                );
            });
            None
        }
    }
}

impl Cluster {
    /// Creates a new, empty database and returns a URL for it that `sqlx::AnyPool` and
    /// `sqlx::postgres::PgPoolOptions` accept.
    pub async fn fresh_database(&self) -> String {
        static NEXT: AtomicU64 = AtomicU64::new(0);
        let name = format!(
            "cims_test_{}_{}",
            std::process::id(),
            NEXT.fetch_add(1, Ordering::Relaxed)
        );
        let admin_url = self.url("postgres");
        let mut admin = sqlx::postgres::PgConnection::connect(&admin_url)
            .await
            .unwrap_or_else(|e| panic!("connecting to the test cluster at {admin_url}: {e}"));
        // The name is built here from digits and underscores only.
        sqlx::raw_sql(sqlx::AssertSqlSafe(format!("CREATE DATABASE \"{name}\"")))
            .execute(&mut admin)
            .await
            .unwrap_or_else(|e| panic!("creating test database {name}: {e}"));
        let _ = admin.close().await;
        self.url(&name)
    }

    /// Drops the database `url` names, closing whatever connections a test left open to it.
    /// A failure is only reported: the cluster goes with the test process anyway.
    pub async fn drop_database(&self, url: &str) {
        let Some(name) = url
            .split('?')
            .next()
            .and_then(|base| base.rsplit('/').next())
            .filter(|n| {
                n.starts_with("cims_test_")
                    && n.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_')
            })
        else {
            return;
        };
        let dropped = async {
            let mut admin = sqlx::postgres::PgConnection::connect(&self.url("postgres")).await?;
            sqlx::raw_sql(sqlx::AssertSqlSafe(format!(
                "DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)"
            )))
            .execute(&mut admin)
            .await?;
            admin.close().await
        };
        if let Err(e) = dropped.await {
            let _ = writeln!(std::io::stderr(), "dropping test database {name}: {e}");
        }
    }

    /// The URL of database `name` in this cluster, through its unix socket:
    /// `postgres://postgres@localhost/<name>?host=<socket dir>&port=<port>`.
    pub fn url(&self, name: &str) -> String {
        format!(
            "postgres://{SERVER_USER}@localhost/{name}?host={}&port={}",
            encode_query_value(&self.socket_dir.to_string_lossy()),
            self.port
        )
    }

    /// How long `initdb` plus `pg_ctl start` took.
    pub fn startup(&self) -> Duration {
        self.startup
    }
}

/// Percent-encodes everything but unreserved characters and `/`.
fn encode_query_value(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for byte in value.bytes() {
        if byte.is_ascii_alphanumeric() || b"-._~/".contains(&byte) {
            out.push(char::from(byte));
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

fn start() -> Result<Cluster, String> {
    let began = Instant::now();
    let bindir = find_bindir().ok_or_else(|| {
        "no initdb/pg_ctl found (tried `pg_config --bindir`, /usr/lib/postgresql/*/bin, PATH)"
            .to_string()
    })?;
    let as_root = running_as_root();

    let base = tempfile::Builder::new()
        .prefix("cims-pg-")
        .tempdir()
        .map_err(|e| format!("creating a temporary directory: {e}"))?
        .keep();
    let data = base.join("data");
    let socket_dir = base.join("sock");
    let log = base.join("server.log");
    for dir in [&data, &socket_dir] {
        std::fs::create_dir(dir).map_err(|e| format!("creating {}: {e}", dir.display()))?;
    }

    // Spawned before anything can fail, so the directory goes away with the test process
    // however far start-up gets.
    spawn_watchdog(&bindir, &base, &data, as_root)?;

    if as_root {
        let chown = Command::new("chown")
            .arg("-R")
            .arg(format!("{SERVER_USER}:"))
            .arg(&base)
            .output()
            .map_err(|e| format!("running chown: {e}"))?;
        check(
            &chown,
            "chown of the cluster directory to the postgres user",
        )?;
    }

    let initdb = server_command(&bindir.join("initdb"), as_root, &base)
        .args([
            "-A",
            "trust",
            "-U",
            SERVER_USER,
            "-E",
            "UTF8",
            "--no-locale",
            "--no-sync",
        ])
        .arg("-D")
        .arg(&data)
        .output()
        .map_err(|e| format!("running initdb: {e}"))?;
    check(&initdb, "initdb")?;

    let port = random_port();
    // fsync and friends are off: the cluster is thrown away with the test process, so
    // durability buys nothing and costs time.
    let options = format!(
        "-k {} -p {port} -c listen_addresses='' -c fsync=off -c synchronous_commit=off \
         -c full_page_writes=off -c max_connections=200",
        socket_dir.display()
    );
    // `-l` matters: without a log file the server inherits pg_ctl's stdout/stderr pipes and
    // collecting pg_ctl's output would wait for the server to exit.
    let started = server_command(&bindir.join("pg_ctl"), as_root, &base)
        .arg("-w")
        .arg("-D")
        .arg(&data)
        .arg("-l")
        .arg(&log)
        .arg("-o")
        .arg(options)
        .arg("start")
        .output()
        .map_err(|e| format!("running pg_ctl start: {e}"))?;
    if let Err(reason) = check(&started, "pg_ctl start") {
        let server_log = std::fs::read_to_string(&log).unwrap_or_default();
        return Err(format!("{reason}; server log: {}", server_log.trim()));
    }

    Ok(Cluster {
        socket_dir,
        port,
        startup: began.elapsed(),
    })
}

/// A command for a server binary, run as the postgres user when we are root (PostgreSQL
/// refuses to run as root), from a directory that user can read.
fn server_command(program: &Path, as_root: bool, cwd: &Path) -> Command {
    let mut command = if as_root {
        let mut c = Command::new("runuser");
        c.args(["-u", SERVER_USER, "--"]).arg(program);
        c
    } else {
        Command::new(program)
    };
    command.current_dir(cwd).stdin(Stdio::null());
    command
}

fn check(output: &Output, what: &str) -> Result<(), String> {
    if output.status.success() {
        return Ok(());
    }
    let mut text = String::from_utf8_lossy(&output.stderr).trim().to_string();
    if text.is_empty() {
        text = String::from_utf8_lossy(&output.stdout).trim().to_string();
    }
    Err(format!("{what} failed ({}): {text}", output.status))
}

/// Waits (detached, in its own process group so an interrupt of the tests does not reach it)
/// until this process is gone, then stops the server and removes its directory.
fn spawn_watchdog(bindir: &Path, base: &Path, data: &Path, as_root: bool) -> Result<(), String> {
    let pg_ctl = shell_quote(&bindir.join("pg_ctl").to_string_lossy());
    let stop = if as_root {
        format!("runuser -u {SERVER_USER} -- {pg_ctl}")
    } else {
        pg_ctl
    };
    // Retried: a start-up step still running when the process died (initdb) may go on writing
    // into the directory for a moment.
    let script = format!(
        "while kill -0 {pid} 2>/dev/null; do sleep 0.2; done; \
         for attempt in 1 2 3 4 5 6 7 8 9 10; do \
           {stop} -D {data} stop -m immediate >/dev/null 2>&1; \
           rm -rf {base} 2>/dev/null; \
           [ -e {base} ] || break; \
           sleep 0.5; \
         done",
        pid = std::process::id(),
        data = shell_quote(&data.to_string_lossy()),
        base = shell_quote(&base.to_string_lossy()),
    );
    Command::new("sh")
        .arg("-c")
        .arg(script)
        .current_dir("/")
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .process_group(0)
        .spawn()
        .map(|_| ())
        .map_err(|e| format!("spawning the cleanup watchdog: {e}"))
}

fn shell_quote(text: &str) -> String {
    format!("'{}'", text.replace('\'', r"'\''"))
}

fn running_as_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim() == "0")
        .unwrap_or(false)
}

/// A port number in 20000..60000. It only names the socket file in our private directory, so
/// it need not be free on TCP; it is varied anyway.
fn random_port() -> u16 {
    use std::hash::{BuildHasher, RandomState};
    let seed = RandomState::new().hash_one((std::process::id(), Instant::now()));
    20_000 + u16::try_from(seed % 40_000).unwrap_or(0)
}

/// The directory holding `initdb` and `pg_ctl`: `pg_config --bindir`, else the highest
/// version under /usr/lib/postgresql, else the first PATH entry that has both.
fn find_bindir() -> Option<PathBuf> {
    let has_both = |dir: &Path| dir.join("initdb").is_file() && dir.join("pg_ctl").is_file();

    if let Ok(output) = Command::new("pg_config").arg("--bindir").output()
        && output.status.success()
    {
        let dir = PathBuf::from(String::from_utf8_lossy(&output.stdout).trim());
        if has_both(&dir) {
            return Some(dir);
        }
    }

    if let Ok(entries) = std::fs::read_dir("/usr/lib/postgresql") {
        let best = entries
            .filter_map(Result::ok)
            .filter_map(|entry| {
                let version = version_key(&entry.file_name().to_string_lossy())?;
                let dir = entry.path().join("bin");
                has_both(&dir).then_some((version, dir))
            })
            .max_by(|a, b| a.0.cmp(&b.0));
        if let Some((_, dir)) = best {
            return Some(dir);
        }
    }

    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path).find(|dir| has_both(dir))
}

/// "15" -> [15], "9.6" -> [9, 6]; anything else is not a version directory.
fn version_key(name: &str) -> Option<Vec<u32>> {
    name.split('.').map(|part| part.parse().ok()).collect()
}
