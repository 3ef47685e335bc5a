//! `cims due RULE-ID --from "YYYY-MM-DD HH:MM"`: when a deadline falls due if its clock
//! starts at a local Melbourne time (R-DL-*, R-INT-DL-*, R-INT-URGENT-1PM).

use std::io::{self, Write};
use std::process::ExitCode;

use chrono::{SecondsFormat, Utc};
use clap::Args;
use serde::Serialize;

use crate::domain::deadlines;
use crate::domain::local_time;
use crate::domain::policy::PolicySet;

#[derive(Debug, Args)]
#[command(
    after_help = "Examples:\n  cims due R-INT-URGENT-1PM --from \"2026-11-23 12:59\"\n  \
    cims due R-DL-SSR --from \"2026-12-24 10:00\" --json\n\n\
    The rule is judged by the policy in force on the start date. Prints the due instant and \
    a one-line explanation (the days counted and the days skipped). An unknown rule or a bad \
    time is an error with exit code 2."
)]
pub struct DueArgs {
    /// A deadline rule of the policy, e.g. R-DL-REPORT, R-DL-SSR, R-INT-URGENT-1PM.
    pub rule: String,
    /// When the clock starts, in Melbourne local time: "YYYY-MM-DD HH:MM".
    #[arg(long)]
    pub from: String,
    /// Print {"rule", "from", "due"} as JSON (times in RFC 3339 with their offset).
    #[arg(long)]
    pub json: bool,
}

#[derive(Serialize)]
struct DueJson<'a> {
    rule: &'a str,
    from: String,
    due: String,
}

const USAGE: u8 = 2;

pub fn run(args: &DueArgs, out: &mut dyn Write, err: &mut dyn Write) -> io::Result<ExitCode> {
    let from = match local_time::parse_local(&args.from) {
        Ok(from) => from,
        Err(e) => {
            writeln!(err, "cims due: --from: {e}")?;
            return Ok(ExitCode::from(USAGE));
        }
    };
    let policies = match PolicySet::embedded() {
        Ok(policies) => policies,
        Err(e) => {
            writeln!(err, "cims due: the built-in policy is invalid: {e}")?;
            return Ok(ExitCode::FAILURE);
        }
    };
    let start = from.with_timezone(&Utc);
    // R-ERA: the policy in force when the clock starts.
    let policy = policies.in_force_at(start);
    let Some(rule) = policy.deadline(&args.rule) else {
        let known = policy
            .deadlines
            .iter()
            .map(|d| d.id.as_str())
            .collect::<Vec<_>>()
            .join(", ");
        writeln!(
            err,
            "cims due: {:?} is not a deadline rule of policy {} (known: {known})",
            args.rule, policy.id
        )?;
        return Ok(ExitCode::from(USAGE));
    };
    let due = match deadlines::due(&rule.due, start, &policies.calendar, 0, &[]) {
        Ok(due) => due,
        Err(e) => {
            writeln!(err, "cims due: {e}")?;
            return Ok(ExitCode::FAILURE);
        }
    };
    if args.json {
        let json = DueJson {
            rule: &rule.id,
            from: from.to_rfc3339_opts(SecondsFormat::Secs, false),
            due: due.at.to_rfc3339_opts(SecondsFormat::Secs, false),
        };
        serde_json::to_writer(&mut *out, &json)?;
        writeln!(out)?;
    } else {
        writeln!(out, "{}", due.at.format("%Y-%m-%d %H:%M:%S %:z (%a)"))?;
        writeln!(out, "{}: {}", rule.label, due.explanation)?;
    }
    Ok(ExitCode::SUCCESS)
}
