//! `cims submit`: what cims sends to the department, the regulator and CCYP (R-SUBMIT),
//! through the server as the logged-in user, so their sight and roles apply: list, show
//! one, try one again, and build the organisation's month-end batch now.

use std::io::{self, Write};
use std::path::PathBuf;
use std::process::ExitCode;

use chrono::{DateTime, Utc};
use clap::{Args, Subcommand};

use crate::client::api::encode;
use crate::client::{Client, ClientError};
use crate::domain::local_time;
use crate::domain::submissions::{BatchMonth, Recipient};
use crate::store::{Submission, SubmissionStatus};

#[derive(Debug, Args)]
#[command(
    after_help = "Examples:\n  cims submit list --status failing\n  cims submit show 42\n  \
    cims submit retry 42\n  cims submit batch --month 2026-11"
)]
pub struct SubmitArgs {
    #[command(subcommand)]
    pub command: SubmitCommand,
    /// The server; default: the config's [server] url, else the one saved at login.
    #[arg(long, global = true)]
    pub server: Option<String>,
    /// The config file; default: config.toml in the platform config directory.
    #[arg(long, global = true)]
    pub config: Option<PathBuf>,
}

#[derive(Debug, Subcommand)]
pub enum SubmitCommand {
    /// Submissions you may see, newest first.
    #[command(after_help = "Examples:\n  cims submit list --status failing\n  \
        cims submit list --record INC-2026-000123 --json")]
    List {
        /// queued, held, batched, sending, awaiting, accepted, rejected, failing, withdrawn.
        #[arg(long)]
        status: Option<String>,
        /// department, regulator or ccyp.
        #[arg(long)]
        recipient: Option<String>,
        /// One record's submissions.
        #[arg(long)]
        record: Option<String>,
        /// How many, 1 to 500.
        #[arg(long, default_value_t = 50)]
        limit: u16,
        /// Print the server's JSON.
        #[arg(long)]
        json: bool,
    },
    /// One submission: its status, answer and attempts.
    #[command(after_help = "Examples:\n  cims submit show 42\n  cims submit show 42 --json")]
    Show {
        /// The submission's number.
        id: i64,
        /// Print the server's JSON, payload included.
        #[arg(long)]
        json: bool,
    },
    /// Try a failing submission again now, or send a rejected one again.
    #[command(after_help = "Example:\n  cims submit retry 42")]
    Retry {
        /// The submission's number.
        id: i64,
    },
    /// Build your organisation's batch of non-major incident reports for a month now
    /// (R-SUBMIT-4); the server builds it by itself once the month has ended.
    #[command(after_help = "Example:\n  cims submit batch --month 2026-11")]
    Batch {
        /// YYYY-MM, a month in Melbourne that has begun.
        #[arg(long)]
        month: String,
    },
}

pub fn run(args: &SubmitArgs, out: &mut dyn Write, err: &mut dyn Write) -> io::Result<ExitCode> {
    match submit(args, out) {
        Ok(()) => Ok(ExitCode::SUCCESS),
        Err(Problem::Usage(message)) => {
            writeln!(err, "cims submit: {message}")?;
            Ok(ExitCode::from(2))
        }
        Err(Problem::Failed(message)) => {
            writeln!(err, "cims submit: {message}")?;
            Ok(ExitCode::FAILURE)
        }
        Err(Problem::Output(e)) => Err(e),
    }
}

enum Problem {
    /// A bad argument, found before asking the server.
    Usage(String),
    Failed(String),
    Output(io::Error),
}

impl From<io::Error> for Problem {
    fn from(e: io::Error) -> Problem {
        Problem::Output(e)
    }
}

fn submit(args: &SubmitArgs, out: &mut dyn Write) -> Result<(), Problem> {
    let query = match &args.command {
        SubmitCommand::List {
            status,
            recipient,
            record,
            limit,
            ..
        } => list_query(
            status.as_deref(),
            recipient.as_deref(),
            record.as_deref(),
            *limit,
        )
        .map_err(Problem::Usage)?,
        SubmitCommand::Batch { month } => {
            BatchMonth::parse(month).map_err(Problem::Usage)?;
            String::new()
        }
        SubmitCommand::Show { .. } | SubmitCommand::Retry { .. } => String::new(),
    };
    let (_, client) = super::tui::connect(args.server.as_deref(), args.config.as_deref())
        .map_err(Problem::Failed)?;
    let runtime = tokio::runtime::Runtime::new().map_err(|e| Problem::Failed(e.to_string()))?;
    runtime.block_on(ask(&client, &args.command, &query, out))
}

/// The list's query string, checked here so a mistake is named before the server is asked.
fn list_query(
    status: Option<&str>,
    recipient: Option<&str>,
    record: Option<&str>,
    limit: u16,
) -> Result<String, String> {
    let mut query = Vec::new();
    if let Some(status) = status {
        SubmissionStatus::parse(status).ok_or_else(|| {
            format!(
                "--status {status:?}: use one of {}",
                SubmissionStatus::ALL
                    .map(SubmissionStatus::as_str)
                    .join(", ")
            )
        })?;
        query.push(format!("status={status}"));
    }
    if let Some(recipient) = recipient {
        Recipient::parse(recipient).ok_or_else(|| {
            format!("--recipient {recipient:?}: use department, regulator or ccyp")
        })?;
        query.push(format!("recipient={recipient}"));
    }
    if let Some(record) = record {
        query.push(format!("record={}", encode(record)));
    }
    if !(1..=500).contains(&limit) {
        return Err(format!("--limit {limit}: use 1 to 500"));
    }
    query.push(format!("limit={limit}"));
    Ok(query.join("&"))
}

async fn ask(
    client: &Client,
    command: &SubmitCommand,
    query: &str,
    out: &mut dyn Write,
) -> Result<(), Problem> {
    let failed = |e: ClientError| Problem::Failed(e.to_string());
    let not_found = |id: i64| {
        move |e: ClientError| match e {
            ClientError::NotFound => {
                Problem::Failed(format!("no submission {id}, or not one you may see"))
            }
            other => Problem::Failed(other.to_string()),
        }
    };
    match command {
        SubmitCommand::List { json, .. } => {
            let list = client.submissions(query).await.map_err(failed)?;
            if *json {
                write_json(out, &list)?;
            } else if list.submissions.is_empty() {
                writeln!(out, "No submissions.")?;
            } else {
                for s in &list.submissions {
                    writeln!(out, "{}", summary(s))?;
                }
            }
        }
        SubmitCommand::Show { id, json } => {
            let submission = client.submission(*id).await.map_err(not_found(*id))?;
            if *json {
                write_json(out, &submission)?;
            } else {
                write!(out, "{}", details(&submission))?;
            }
        }
        SubmitCommand::Retry { id } => {
            let again = client.retry_submission(*id).await.map_err(not_found(*id))?;
            if again.id == *id {
                writeln!(out, "Submission {id} will be tried again now.")?;
            } else {
                writeln!(
                    out,
                    "Submission {id} will be sent again as submission {}.",
                    again.id
                )?;
            }
        }
        SubmitCommand::Batch { month } => {
            let sent = client.send_batch(month).await.map_err(failed)?;
            match &sent.batch {
                Some(batch) => writeln!(
                    out,
                    "Batch for {}: submission {}, {} report{}, queued to be sent.",
                    sent.month,
                    batch.id,
                    sent.reports,
                    if sent.reports == 1 { "" } else { "s" }
                )?,
                None if sent.reports > 0 => writeln!(
                    out,
                    "Batch for {}: {} reports, queued to be sent.",
                    sent.month, sent.reports
                )?,
                None => writeln!(
                    out,
                    "No non-major incident report is waiting for the batch for {}.",
                    sent.month
                )?,
            }
            for record in &sent.sent_on_their_own {
                writeln!(
                    out,
                    "{record}: no longer non-major, so its report goes on its own."
                )?;
            }
        }
    }
    Ok(())
}

fn write_json<T: serde::Serialize>(out: &mut dyn Write, value: &T) -> Result<(), Problem> {
    let text = serde_json::to_string_pretty(value).map_err(|e| Problem::Failed(e.to_string()))?;
    writeln!(out, "{text}")?;
    Ok(())
}

/// Melbourne local time, to the minute.
fn local(at: DateTime<Utc>) -> String {
    at.with_timezone(&local_time::ZONE)
        .format("%Y-%m-%d %H:%M")
        .to_string()
}

/// The submission's state in words: its reference, reasons, error or next try.
fn state(s: &Submission) -> String {
    match s.status {
        SubmissionStatus::Accepted => format!(
            "accepted {}",
            s.reference.as_deref().unwrap_or("(no reference)")
        ),
        SubmissionStatus::Failing => format!("failing, next try {}", local(s.next_try_at)),
        SubmissionStatus::Rejected => format!("rejected: {}", s.reasons.join("; ")),
        SubmissionStatus::Batched => match s.batch {
            Some(batch) => format!("in batch {batch}"),
            None => "batched".into(),
        },
        other => other.as_str().into(),
    }
}

fn summary(s: &Submission) -> String {
    format!(
        "{:>6}  {:<18} {:<26} {:<17} {}",
        s.id,
        s.record_id.as_deref().unwrap_or("(batch)"),
        format!("{} → {}", s.kind.label(), s.recipient.as_str()),
        local(s.queued_at),
        state(s)
    )
}

fn details(s: &Submission) -> String {
    let mut lines = vec![
        format!("Submission {}", s.id),
        format!("  Kind       {} → {}", s.kind.label(), s.recipient.label()),
        format!(
            "  Record     {}",
            s.record_id.as_deref().unwrap_or("(a month's batch)")
        ),
        format!("  Key        {}", s.idempotency_key),
        format!("  Status     {}", state(s)),
        format!("  Queued     {} by {}", local(s.queued_at), s.queued_by),
        format!("  Attempts   {}", s.attempts),
    ];
    if let Some(sent) = s.sent_at {
        lines.push(format!("  Sent       {}", local(sent)));
    }
    if let Some(answered) = s.answered_at {
        lines.push(format!("  Answered   {}", local(answered)));
    }
    for reason in &s.reasons {
        lines.push(format!("  Reason     {reason}"));
    }
    if let Some(error) = &s.last_error {
        lines.push(format!("  Last error {error}"));
    }
    if let Some(replaces) = s.replaces {
        lines.push(format!("  Sends again submission {replaces}"));
    }
    if let Some(batch) = s.batch {
        lines.push(format!("  In batch   {batch}"));
    }
    if let Some(count) = s.payload.get("count").and_then(serde_json::Value::as_u64) {
        lines.push(format!("  Reports    {count}"));
    }
    lines.push(String::new());
    lines.join("\n")
}
