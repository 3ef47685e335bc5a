//! `cims serve`: the HTTP API on SQLite (a file, the default) or PostgreSQL.

use std::io::{self, Write};
use std::net::{Ipv4Addr, SocketAddr};
use std::path::PathBuf;
use std::process::ExitCode;

use clap::Args;

use std::sync::Arc;

use crate::domain::policy::PolicySet;
use crate::store::{Backend, Store};
use crate::submit::transport::SubmissionsConfig;
use crate::submit::worker::{Pace, Worker};

#[derive(Debug, Args)]
#[command(after_help = "Examples:\n  cims serve\n  \
    cims serve --db /var/lib/cims/cims.db --listen 127.0.0.1:8080\n  \
    cims serve --db postgres://cims@db.internal/cims --listen 127.0.0.1:8080\n  \
    cims serve --listen 0.0.0.0:8443 --tls-cert /etc/cims/cert.pem --tls-key /etc/cims/key.pem\n\n\
    A loopback address (127.0.0.1, ::1, localhost) is served over plain HTTP; any other address \
    needs --tls-cert and --tls-key, or --insecure-http when a proxy in front terminates TLS.\n\
    Several servers may share one PostgreSQL database: each streams every change on its feed.\n\
    Stop with Ctrl-C or SIGTERM: requests in flight finish first. Logs go to stderr \
    (RUST_LOG=debug for more).")]
pub struct ServeArgs {
    /// SQLite file path (created if missing) or postgres:// URL. Default: cims.db in the
    /// data directory.
    #[arg(long)]
    pub db: Option<String>,
    /// Address and port to listen on (an IP address, or localhost).
    #[arg(long, default_value = "127.0.0.1:8080", value_parser = parse_listen)]
    pub listen: SocketAddr,
    /// Serve HTTPS with this PEM certificate chain.
    #[arg(long, value_name = "PATH", requires = "tls_key")]
    pub tls_cert: Option<PathBuf>,
    /// The PEM private key of --tls-cert.
    #[arg(long, value_name = "PATH", requires = "tls_cert")]
    pub tls_key: Option<PathBuf>,
    /// Serve plain HTTP on a non-loopback address (only behind a proxy that terminates TLS).
    #[arg(long, conflicts_with = "tls_cert")]
    pub insecure_http: bool,
    /// Where submissions go (TOML, see config.example.toml): each recipient's `https`
    /// endpoint or `directory`. A recipient not given there, or every one without this
    /// file, has its submissions written as files to `submissions/<recipient>` beside the
    /// database (or in the data directory) for manual upload.
    #[arg(long, value_name = "PATH")]
    pub submissions: Option<PathBuf>,
}

/// Usage errors exit with 2, like clap's own.
const USAGE: u8 = 2;

/// `IP:PORT`, `[IPv6]:PORT` or `localhost:PORT`.
fn parse_listen(text: &str) -> Result<SocketAddr, String> {
    if let Ok(address) = text.parse() {
        return Ok(address);
    }
    match text.rsplit_once(':') {
        Some((host, port)) if host.eq_ignore_ascii_case("localhost") => port
            .parse::<u16>()
            .map(|port| SocketAddr::from((Ipv4Addr::LOCALHOST, port)))
            .map_err(|_| format!("{port:?} is not a port number")),
        _ => Err("give an IP address and a port, e.g. 127.0.0.1:8080 or 0.0.0.0:8443".into()),
    }
}

/// Plain HTTP off the loopback interface would carry passwords, tokens and client data in
/// the clear: refused unless asked for by name.
fn plaintext_refusal(args: &ServeArgs) -> Option<String> {
    let plain = args.tls_cert.is_none() && !args.insecure_http;
    (plain && !args.listen.ip().is_loopback()).then(|| {
        format!(
            "refusing to serve plain HTTP on {}: it is not a loopback address, so passwords, \
             tokens and client data would cross the network unencrypted. Give --tls-cert PATH \
             --tls-key PATH (PEM) to serve HTTPS, or --insecure-http if a proxy in front of \
             cims terminates TLS.",
            args.listen
        )
    })
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
    if let Some(refusal) = plaintext_refusal(args) {
        writeln!(err, "cims serve: {refusal}")?;
        return Ok(ExitCode::from(USAGE));
    }
    let tls = match (&args.tls_cert, &args.tls_key) {
        (Some(cert), Some(key)) => match crate::server::tls::config(cert, key) {
            Ok(config) => Some(config),
            Err(message) => {
                writeln!(err, "cims serve: {message}")?;
                return Ok(ExitCode::FAILURE);
            }
        },
        _ => None,
    };
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
        let refreshed = store
            .refresh_stale_projections(&policies, chrono::Utc::now())
            .await
            .map_err(|e| format!("bringing the queue's columns up to date: {e}"))?;
        if refreshed > 0 {
            tracing::info!(refreshed, "queue rows recomputed for this version");
        }
        if store.backend() == Backend::Postgres {
            store.spawn_replica_listener(db.clone());
        }
        let home = submissions_home(&db);
        let config = submissions_config(args.submissions.as_deref(), &home)?;
        let transports = config.build(&home)?;
        // R-SUBMIT-4: hold non-major reports for their month's batch, or send what an
        // earlier run held on its own now.
        store.batch_non_major(config.batch_non_major);
        if !config.batch_non_major {
            let released = store
                .release_held(chrono::Utc::now())
                .await
                .map_err(|e| format!("sending held reports on their own: {e}"))?;
            if released > 0 {
                tracing::info!(
                    released,
                    "held reports sent on their own: [batch] is not set"
                );
            }
        }
        let (stop_worker, stopped) = tokio::sync::watch::channel(false);
        let worker = tokio::spawn(
            Worker::new(
                store.clone(),
                Arc::new(policies.clone()),
                transports,
                Pace {
                    lease: config
                        .lease_seconds
                        .and_then(|seconds| i64::try_from(seconds).ok())
                        .map_or(Pace::default().lease, chrono::Duration::seconds),
                    ..Pace::default()
                },
            )
            .run(stopped),
        );
        let served = crate::server::serve(store, policies, args.listen, tls).await;
        let _ = stop_worker.send(true);
        let _ = worker.await;
        served.map_err(|e| match e.kind() {
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

/// Where submissions written as files go by default: beside a SQLite database, or in the
/// data directory.
fn submissions_home(db: &str) -> PathBuf {
    let file = db.strip_prefix("sqlite://").unwrap_or(db);
    let beside = (!db.contains("://") || db.starts_with("sqlite:"))
        .then(|| std::path::Path::new(file.split('?').next().unwrap_or(file)).parent())
        .flatten()
        .filter(|dir| !dir.as_os_str().is_empty())
        .map(std::path::Path::to_path_buf);
    beside
        .or_else(|| {
            directories::ProjectDirs::from("au", "cims", "cims").map(|d| d.data_dir().to_path_buf())
        })
        .unwrap_or_else(|| PathBuf::from("."))
}

/// Where submissions go, from the file given or the embedded default.
fn submissions_config(
    file: Option<&std::path::Path>,
    home: &std::path::Path,
) -> Result<SubmissionsConfig, String> {
    match file {
        Some(path) => {
            let text = std::fs::read_to_string(path)
                .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
            SubmissionsConfig::parse(&text).map_err(|e| format!("{}: {e}", path.display()))
        }
        None => Ok(SubmissionsConfig::embedded_default(home)),
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
