//! The `cims` command line: argument definitions and the commands behind them. Each
//! subcommand group lives in its own module; `main.rs` only parses and dispatches.

pub mod admin;
pub mod calendar;
pub mod demo;
pub mod due;
pub mod export;
pub mod login;
pub mod serve;
pub mod submit;
pub mod tui;

use std::io::Write;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

/// Client incident and intake management for Victorian community services.
#[derive(Debug, Parser)]
#[command(
    name = "cims",
    version,
    about,
    long_about = None,
    after_help = "Examples:\n  cims calendar holidays 2026\n  cims due R-INT-URGENT-1PM --from \"2026-11-23 12:59\""
)]
pub struct Cli {
    /// Without a command: the terminal app.
    #[command(subcommand)]
    pub command: Option<Command>,
    /// The terminal app in the linear mode, for screen readers (without a command).
    #[arg(long)]
    pub linear: bool,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// The Victorian business calendar: public holidays and business days.
    #[command(
        subcommand,
        after_help = "Example:\n  cims calendar holidays 2026 --json"
    )]
    Calendar(calendar::CalendarCommand),
    /// When a deadline falls due if its clock starts at a given local time.
    Due(due::DueArgs),
    /// Run the HTTP API server.
    Serve(serve::ServeArgs),
    /// Manage organisations, users and tokens directly on the database.
    #[command(
        after_help = "Examples:\n  cims admin org add dffh --name \"DFFH Child Protection\" --kind department\n  \
        printf '%s\\n' \"$PASSWORD\" | cims admin user add alice --org dffh --name \"Alice Nguyen\" --role practitioner --pi --password-stdin\n  \
        cims admin token issue alice --days 30"
    )]
    Admin(admin::AdminArgs),
    /// Log in to a server and keep the token for the terminal app.
    Login(login::LoginArgs),
    /// The terminal app (also what `cims` alone runs).
    Tui(tui::TuiArgs),
    /// Write a view's rows to a CSV or JSON file, masked as the app shows them.
    Export(export::ExportArgs),
    /// What cims sends to the department, the regulator and CCYP: list, show, retry, and
    /// the month-end batch.
    Submit(submit::SubmitArgs),
    /// Try cims with nothing to install: an embedded server, fictional records, the app.
    Demo(demo::DemoArgs),
    /// Print a shell completion script.
    #[command(
        after_help = "Examples:\n  cims completions bash > ~/.local/share/bash-completion/completions/cims\n  \
        cims completions zsh > \"${fpath[1]}/_cims\"\n  cims completions fish > ~/.config/fish/completions/cims.fish"
    )]
    Completions {
        /// bash, zsh, fish, elvish or powershell.
        shell: clap_complete::Shell,
    },
}

/// Runs a parsed command, writing results to `out` and problems to `err`.
pub fn run(cli: Cli, out: &mut dyn Write, err: &mut dyn Write) -> ExitCode {
    let result = match cli.command.unwrap_or_else(|| {
        Command::Tui(tui::TuiArgs {
            linear: cli.linear,
            ..tui::TuiArgs::default()
        })
    }) {
        Command::Tui(args) => tui::run(&args, err),
        Command::Demo(args) => demo::run(&args, out, err),
        Command::Export(args) => export::run(&args, out, err),
        Command::Submit(args) => submit::run(&args, out, err),
        Command::Calendar(command) => calendar::run(command, out, err),
        Command::Due(args) => due::run(&args, out, err),
        Command::Serve(args) => serve::run(&args, err),
        Command::Admin(args) => admin::run(args, &mut std::io::stdin().lock(), out, err),
        Command::Login(args) => login::run(&args, &mut std::io::stdin().lock(), out, err),
        Command::Completions { shell } => {
            clap_complete::generate(
                shell,
                &mut <Cli as clap::CommandFactory>::command(),
                "cims",
                out,
            );
            Ok(ExitCode::SUCCESS)
        }
    };
    match result {
        Ok(code) => code,
        // A reader that stops early (e.g. `| head`) is not an error worth reporting.
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => ExitCode::SUCCESS,
        Err(e) => {
            // Output is gone (e.g. a closed pipe); report it if stderr still works.
            let _ = writeln!(err, "cims: could not write output: {e}");
            ExitCode::FAILURE
        }
    }
}
