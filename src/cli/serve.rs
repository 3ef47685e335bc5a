//! `cims serve`: the HTTP API on SQLite (a file, the default) or PostgreSQL.

use std::io::{self, Write};
use std::net::SocketAddr;
use std::process::ExitCode;

use clap::Args;

use crate::domain::policy::PolicySet;
use crate::store::{Backend, Store};

#[derive(Debug, Args)]
#[command(after_help = "Examples:\n  cims serve\n  \
    cims serve --db /var/lib/cims/cims.db --listen 127.0.0.1:8080\n  \
    cims serve --db postgres://cims@db.internal/cims --listen 127.0.0.1:8080\n\n\
    Several servers may share one PostgreSQL database: each streams every change on its feed.\n\
    Stop with Ctrl-C or SIGTERM: requests in flight finish first. Logs go to stderr \
    (RUST_LOG=debug for more).")]
pub struct ServeArgs {
    /// SQLite file path (created if missing) or postgres:// URL. Default: cims.db in the
    /// data directory.
    #[arg(long)]
    pub db: Option<String>,
    /// Address and port to listen on.
    #[arg(long, default_value = "127.0.0.1:8080")]
    pub listen: SocketAddr,
}

/// The default database: `cims.db` in the platform data directory.
pub fn default_db() -> Option<String> {
    let dirs = directories::ProjectDirs::from("au", "cims", "cims")?;
    let dir = dirs.data_dir();
    std::fs::create_dir_all(dir).ok()?;
    Some(dir.join("cims.db").to_string_lossy().into_owned())
}

/// The database to use: the one given, or the default; an error says what to do.
pub fn database(given: Option<&str>, err: &mut dyn Write) -> io::Result<Option<String>> {
    match given.map(String::from).or_else(default_db) {
        Some(db) => Ok(Some(db)),
        None => {
            writeln!(
                err,
                "cims: no data directory could be found or created; give --db PATH"
            )?;
            Ok(None)
        }
    }
}

pub fn init_logging() {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info,sqlx=warn"));
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(io::stderr)
        .with_ansi(io::IsTerminal::is_terminal(&io::stderr()))
        .try_init();
}

pub fn run(args: &ServeArgs, err: &mut dyn Write) -> io::Result<ExitCode> {
    let Some(db) = database(args.db.as_deref(), err)? else {
        return Ok(ExitCode::FAILURE);
    };
    let policies = match PolicySet::embedded() {
        Ok(p) => p,
        Err(e) => {
            writeln!(err, "cims serve: the built-in policy is invalid: {e}")?;
            return Ok(ExitCode::FAILURE);
        }
    };
    init_logging();
    let runtime = tokio::runtime::Runtime::new()?;
    let result: Result<(), String> = runtime.block_on(async {
        let store = Store::open(&db)
            .await
            .map_err(|e| format!("cannot open the database {}: {e}", redact_url(&db)))?;
        if store.backend() == Backend::Postgres {
            store.spawn_replica_listener(db.clone());
        }
        crate::server::serve(store, policies, args.listen)
            .await
            .map_err(|e| match e.kind() {
                io::ErrorKind::AddrInUse => format!(
                    "{} is already in use: stop the other server or choose --listen 127.0.0.1:PORT",
                    args.listen
                ),
                _ => format!("cannot serve on {}: {e}", args.listen),
            })
    });
    match result {
        Ok(()) => Ok(ExitCode::SUCCESS),
        Err(message) => {
            writeln!(err, "cims serve: {message}")?;
            Ok(ExitCode::FAILURE)
        }
    }
}

/// A database URL without its password, for messages and logs.
pub fn redact_url(db: &str) -> String {
    match (db.find("://"), db.rfind('@')) {
        (Some(scheme), Some(at)) if at > scheme => {
            let credentials = &db[scheme + 3..at];
            match credentials.split_once(':') {
                Some((user, _)) => format!("{}{user}:***{}", &db[..scheme + 3], &db[at..]),
                None => db.to_string(),
            }
        }
        _ => db.to_string(),
    }
}
