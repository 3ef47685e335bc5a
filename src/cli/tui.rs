//! `cims` (or `cims tui`): the terminal app, against the server in the config.

use std::io::{self, IsTerminal, Write};
use std::path::PathBuf;
use std::process::ExitCode;

use clap::Args;

use crate::client::api::Client;
use crate::client::outbox::Outbox;
use crate::client::session;
use crate::tui::app::State;
use crate::tui::config::Config;
use crate::tui::theme::Theme;

#[derive(Debug, Args, Default)]
#[command(
    after_help = "Examples:\n  cims\n  cims tui --server https://cims.internal:8443\n  \
    NO_COLOR=1 cims tui --config ~/cims-night.toml\n\n\
    Log in first with `cims login --server URL`. Keys: ? shows them all, : runs any action \
    by name, q quits."
)]
pub struct TuiArgs {
    /// The server; default: the config's [server] url, else the one saved at login.
    #[arg(long)]
    pub server: Option<String>,
    /// The config file; default: config.toml in the platform config directory.
    #[arg(long)]
    pub config: Option<PathBuf>,
    /// Look without changing anything: no write is sent.
    #[arg(long)]
    pub read_only: bool,
    /// The linear mode, for screen readers: no box drawing, one item a line (also the
    /// config's [ui] linear).
    #[arg(long)]
    pub linear: bool,
}

/// The config and a client for the server: `server` if given, else the config's
/// [server] url, else the one saved at login; with the token saved at login.
pub(super) fn connect(
    server: Option<&str>,
    config: Option<&std::path::Path>,
) -> Result<(Config, Client), String> {
    let path = config.map(PathBuf::from).or_else(Config::default_path);
    let config = match &path {
        Some(path) => Config::load(path).map_err(|e| e.to_string())?,
        None => Config::default(),
    };
    let config_has_server = path.as_ref().is_some_and(|p| p.exists());
    let server = server.map(String::from).unwrap_or_else(|| {
        if config_has_server {
            config.server.url.clone()
        } else {
            session::load_server()
        }
    });
    let token = session::load_token()
        .map_err(|e| e.to_string())?
        .ok_or_else(|| format!("not logged in: run `cims login --server {server}`"))?;
    let client = Client::new(&server, &token).map_err(|e| e.to_string())?;
    Ok((config, client))
}

/// Logs go to `cims.log` in the data directory, never to the terminal the app draws on.
fn init_file_log(data: &std::path::Path) {
    let path = data.join("cims.log");
    let mut options = std::fs::OpenOptions::new();
    options.create(true).append(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let Ok(file) = options.open(&path) else {
        return;
    };
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info,sqlx=warn"));
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::sync::Mutex::new(file))
        .with_ansi(false)
        .try_init();
}

pub fn run(args: &TuiArgs, err: &mut dyn Write) -> io::Result<ExitCode> {
    let fail = |err: &mut dyn Write, message: String| -> io::Result<ExitCode> {
        writeln!(err, "cims: {message}")?;
        Ok(ExitCode::FAILURE)
    };
    if !io::stdout().is_terminal() {
        return fail(
            err,
            "the terminal app needs a terminal; for scripts use the API (see `cims serve --help`)"
                .into(),
        );
    }
    let (config, client) = match connect(args.server.as_deref(), args.config.as_deref()) {
        Ok(found) => found,
        Err(message) => return fail(err, message),
    };
    let theme = match Theme::choose(&config.ui.theme, std::env::var("NO_COLOR").ok().as_deref()) {
        Ok(theme) => theme,
        Err(e) => return fail(err, e.to_string()),
    };
    let keymap = match config.keymap() {
        Ok(keymap) => keymap,
        Err(e) => return fail(err, e.to_string()),
    };
    let Some(data) = session::data_dir() else {
        return fail(
            err,
            "no data directory could be found for the outbox".into(),
        );
    };
    if let Err(e) = std::fs::create_dir_all(&data) {
        return fail(err, format!("the data directory {}: {e}", data.display()));
    }
    let outbox = match Outbox::open(data.join("outbox.json")) {
        Ok(outbox) => outbox,
        Err(e) => return fail(err, e.to_string()),
    };
    init_file_log(&data);
    let mut state = State::new(chrono::Utc::now(), keymap, theme);
    state.context.read_only = args.read_only;
    state.context.linear = args.linear || config.ui.linear;
    state.queue.views = config.views();
    state.queue.columns = config.ui.columns.clone();
    state.attention = crate::tui::app::Attention::new(
        &config.alerts,
        &state.queue.views,
        config.ui.notify,
        config.ui.handover_alert,
    )
    .with_reminder(config.ui.reminder_alert);
    state.idle_lock = (config.ui.idle_lock_minutes > 0)
        .then(|| chrono::Duration::minutes(i64::from(config.ui.idle_lock_minutes)));
    let runtime = tokio::runtime::Runtime::new()?;
    let drafts = crate::client::drafts::Drafts::new(data.join("drafts"));
    match runtime.block_on(crate::tui::driver::run(
        state,
        client,
        outbox,
        drafts,
        Some(data.join("resume.toml")),
    )) {
        Ok(()) => Ok(ExitCode::SUCCESS),
        Err(e) => fail(err, format!("the terminal failed: {e}")),
    }
}
