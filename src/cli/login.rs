//! `cims login`: exchange a username and password for a token and keep it (0600) where the
//! terminal app finds it.

use std::io::{self, BufRead, IsTerminal, Write};
use std::process::ExitCode;

use clap::Args;

use crate::client::api::normalise_base;
use crate::client::session::{self, DEFAULT_SERVER, TOKEN_ENV};
use crate::client::{Client, ClientError};

#[derive(Debug, Args)]
#[command(
    after_help = "Examples:\n  cims login --server http://127.0.0.1:8080 --user alice\n  \
    printf '%s\\n' \"$PASSWORD\" | cims login --server https://cims.internal:8443 --user alice --password-stdin\n\n\
    The token is saved, readable by you only, in the data directory (~/.local/share/cims/token \
    on Linux); CIMS_TOKEN, when set, is used instead."
)]
pub struct LoginArgs {
    /// The server's address.
    #[arg(long, default_value = DEFAULT_SERVER)]
    pub server: String,
    /// Username; asked for when not given.
    #[arg(long)]
    pub user: Option<String>,
    /// Read the password from the first line of stdin instead of asking on the terminal.
    #[arg(long)]
    pub password_stdin: bool,
}

pub fn run(
    args: &LoginArgs,
    input: &mut dyn BufRead,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> io::Result<ExitCode> {
    match login(args, input, err) {
        Ok(done) => {
            writeln!(out, "{done}")?;
            Ok(ExitCode::SUCCESS)
        }
        Err(message) => {
            writeln!(err, "cims login: {message}")?;
            Ok(ExitCode::FAILURE)
        }
    }
}

fn login(args: &LoginArgs, input: &mut dyn BufRead, err: &mut dyn Write) -> Result<String, String> {
    let server = normalise_base(&args.server).map_err(|e| e.to_string())?;
    let user = match &args.user {
        Some(user) => user.trim().to_string(),
        None if !args.password_stdin && io::stdin().is_terminal() => {
            prompt_line("Username: ", input, err)?
        }
        None => return Err("give --user NAME".to_string()),
    };
    if user.is_empty() {
        return Err("the username is empty".to_string());
    }
    let password = if args.password_stdin {
        first_line(input)?
    } else {
        ask_password(&format!("Password for {user} at {server}: "), err)?
    };
    if password.is_empty() {
        return Err("the password is empty".to_string());
    }
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| format!("cannot start: {e}"))?;
    let session = runtime
        .block_on(Client::login(&server, &user, &password))
        .map_err(|e| match e {
            ClientError::Offline { server, reason } => format!(
                "cannot reach the server at {server} ({reason}); start one with `cims serve` or give --server URL"
            ),
            ClientError::Unauthorized => format!("wrong username or password for {server}"),
            other => format!("{server}: {other}"),
        })?;
    let path = session::save_token(&session.token).map_err(|e| e.to_string())?;
    session::save_server(&server).map_err(|e| e.to_string())?;
    if std::env::var_os(TOKEN_ENV).is_some() {
        let _ = writeln!(
            err,
            "cims login: note: {TOKEN_ENV} is set and is used instead of the saved token"
        );
    }
    Ok(format!(
        "logged in as {user} at {server}; token saved to {} (expires {})",
        path.display(),
        session.expires_at.to_rfc3339()
    ))
}

fn first_line(input: &mut dyn BufRead) -> Result<String, String> {
    let mut line = String::new();
    input
        .read_line(&mut line)
        .map_err(|e| format!("cannot read the password from stdin: {e}"))?;
    Ok(line.trim_end_matches(['\r', '\n']).to_string())
}

fn prompt_line(
    prompt: &str,
    input: &mut dyn BufRead,
    err: &mut dyn Write,
) -> Result<String, String> {
    write!(err, "{prompt}")
        .and_then(|()| err.flush())
        .map_err(|e| format!("cannot ask: {e}"))?;
    let mut line = String::new();
    input
        .read_line(&mut line)
        .map_err(|e| format!("cannot read the answer: {e}"))?;
    Ok(line.trim().to_string())
}

/// Raw mode for as long as this lives: restored on every way out, panics included.
struct RawMode;

impl RawMode {
    fn enable() -> io::Result<RawMode> {
        ratatui::crossterm::terminal::enable_raw_mode()?;
        Ok(RawMode)
    }
}

impl Drop for RawMode {
    fn drop(&mut self) {
        let _ = ratatui::crossterm::terminal::disable_raw_mode();
    }
}

/// Ask for a password on the terminal without echoing it.
fn ask_password(prompt: &str, err: &mut dyn Write) -> Result<String, String> {
    use ratatui::crossterm::event::{self, Event, KeyCode, KeyEventKind, KeyModifiers};

    let no_terminal = |e: io::Error| {
        format!("cannot ask for the password on a terminal ({e}); pipe it in with --password-stdin")
    };
    write!(err, "{prompt}")
        .and_then(|()| err.flush())
        .map_err(no_terminal)?;
    let raw = RawMode::enable().map_err(no_terminal)?;
    let mut password = String::new();
    let outcome = loop {
        let key = match event::read() {
            Ok(Event::Key(key)) if key.kind != KeyEventKind::Release => key,
            Ok(_) => continue,
            Err(e) => break Err(format!("cannot read the password: {e}")),
        };
        let ctrl = key.modifiers.contains(KeyModifiers::CONTROL);
        match key.code {
            KeyCode::Enter => break Ok(()),
            KeyCode::Char('c') if ctrl => break Err("cancelled".to_string()),
            KeyCode::Char('d') if ctrl && password.is_empty() => {
                break Err("cancelled".to_string());
            }
            KeyCode::Char('u') if ctrl => password.clear(),
            KeyCode::Esc => break Err("cancelled".to_string()),
            KeyCode::Backspace => {
                password.pop();
            }
            KeyCode::Char(c) if !ctrl => password.push(c),
            _ => {}
        }
    };
    drop(raw);
    let _ = writeln!(err);
    outcome.map(|()| password)
}
