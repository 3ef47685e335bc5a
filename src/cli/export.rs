//! `cims export`: a view's rows as CSV or JSON, masked by the server for the user exactly
//! as the app shows them, written to a file only its owner can read (0600). The server
//! records every export in its audit log.

use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Args, ValueEnum};

use crate::client::exports::{default_name, refuse_existing, save};
use crate::wire::{ExportFormat, ExportRequest};

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    Csv,
    Json,
}

#[derive(Debug, Args)]
#[command(
    after_help = "Examples:\n  cims export --format csv --query \"impact:major status:any\"\n  \
    cims export --format json --view overdue --out overdue.json\n  \
    cims export --format csv --query \"type:neglect created:2026-07-01..2026-09-30\" --out - | wc -l"
)]
pub struct ExportArgs {
    /// csv or json.
    #[arg(long, value_enum)]
    pub format: Format,
    /// The queue's filter language, e.g. `impact:major org:anglicare status:any`.
    #[arg(long)]
    pub query: Option<String>,
    /// A saved view: mine, due_today, overdue, major, intake, all.
    #[arg(long)]
    pub view: Option<String>,
    /// due (default), updated, created, id, stage; prefix `-` for descending.
    #[arg(long)]
    pub sort: Option<String>,
    /// The file to write (created 0600); `-` for standard output. Default:
    /// cims-export-<date>-<time>.<format> in the current directory.
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// Replace the file if it exists.
    #[arg(long)]
    pub force: bool,
    /// The server; default: the config's [server] url, else the one saved at login.
    #[arg(long)]
    pub server: Option<String>,
    /// The config file; default: config.toml in the platform config directory.
    #[arg(long)]
    pub config: Option<PathBuf>,
}

pub fn run(args: &ExportArgs, out: &mut dyn Write, err: &mut dyn Write) -> io::Result<ExitCode> {
    match export(args, out) {
        Ok(Some(message)) => {
            writeln!(err, "{message}")?;
            Ok(ExitCode::SUCCESS)
        }
        Ok(None) => Ok(ExitCode::SUCCESS),
        Err(message) => {
            writeln!(err, "cims export: {message}")?;
            Ok(ExitCode::FAILURE)
        }
    }
}

fn export(args: &ExportArgs, out: &mut dyn Write) -> Result<Option<String>, String> {
    let (_, client) = super::tui::connect(args.server.as_deref(), args.config.as_deref())?;
    let format = match args.format {
        Format::Csv => ExportFormat::Csv,
        Format::Json => ExportFormat::Json,
    };
    let request = ExportRequest {
        format,
        q: args.query.clone(),
        view: args.view.clone(),
        sort: args.sort.clone(),
    };
    let path = args
        .out
        .clone()
        .unwrap_or_else(|| PathBuf::from(default_name(format, chrono::Local::now())));
    // Refuse before asking the server, so a refused file costs no audited export.
    if path != Path::new("-") {
        refuse_existing(&path, args.force)?;
    }
    let runtime = tokio::runtime::Runtime::new().map_err(|e| e.to_string())?;
    let export = runtime
        .block_on(client.export(&request))
        .map_err(|e| e.to_string())?;
    if path == Path::new("-") {
        out.write_all(&export.bytes)
            .map_err(|e| format!("writing standard output: {e}"))?;
        return Ok(None);
    }
    save(&path, &export.bytes, export.rows, args.force).map(Some)
}
