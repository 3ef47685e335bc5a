//! `cims calendar …`: the Victorian business calendar (R-CAL).

use std::io::{self, Write};
use std::process::ExitCode;

use clap::{Args, Subcommand};

use crate::domain::calendar::{Calendar, CalendarError, FIRST_YEAR, Holiday, LAST_YEAR};

#[derive(Debug, Subcommand)]
pub enum CalendarCommand {
    /// List the Victorian public holidays of a year.
    #[command(after_help = "Examples:\n  cims calendar holidays 2026\n  \
        cims calendar holidays 2026 --json\n\n\
        Prints one line per holiday: the date, two spaces, the name. Weekend holidays are \
        listed too. If the Friday before the AFL Grand Final is not yet known for the year, \
        the other holidays are printed, the gap is reported on stderr and the exit code is 1.")]
    Holidays(HolidaysArgs),
}

#[derive(Debug, Args)]
pub struct HolidaysArgs {
    /// The year, 2016 to 2099, e.g. 2026.
    #[arg(value_parser = year_parser())]
    pub year: i32,
    /// Print a JSON array of {"date": "YYYY-MM-DD", "name": "…"} instead of lines.
    #[arg(long)]
    pub json: bool,
}

/// Years the calendar covers; anything else is a usage error.
fn year_parser() -> clap::builder::RangedI64ValueParser<i32> {
    clap::value_parser!(i32).range(i64::from(FIRST_YEAR)..=i64::from(LAST_YEAR))
}

pub fn run(
    command: CalendarCommand,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> io::Result<ExitCode> {
    match command {
        CalendarCommand::Holidays(args) => holidays(&args, out, err),
    }
}

fn holidays(args: &HolidaysArgs, out: &mut dyn Write, err: &mut dyn Write) -> io::Result<ExitCode> {
    let calendar = match Calendar::embedded() {
        Ok(calendar) => calendar,
        Err(e) => {
            writeln!(err, "cims: the built-in calendar data is invalid: {e}")?;
            return Ok(ExitCode::FAILURE);
        }
    };
    let (list, missing) = calendar.holidays_known(args.year);
    print_holidays(&list, args.json, out)?;
    match missing {
        None => Ok(ExitCode::SUCCESS),
        Some(e @ CalendarError::UnknownAflFriday { .. }) => {
            writeln!(err, "cims: the list above is incomplete: {e}")?;
            Ok(ExitCode::FAILURE)
        }
        Some(e) => {
            writeln!(err, "cims: {e}")?;
            Ok(ExitCode::FAILURE)
        }
    }
}

fn print_holidays(list: &[Holiday], json: bool, out: &mut dyn Write) -> io::Result<()> {
    if json {
        serde_json::to_writer_pretty(&mut *out, list)?;
        writeln!(out)
    } else {
        for holiday in list {
            writeln!(out, "{}  {}", holiday.date.format("%Y-%m-%d"), holiday.name)?;
        }
        Ok(())
    }
}
