//! R-CAL: the `cims calendar holidays` command, run as the real binary.

use std::process::{Command, Output};

fn cims(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_cims"))
        .args(args)
        .output()
        .unwrap()
}

fn stdout(output: &Output) -> String {
    String::from_utf8(output.stdout.clone()).unwrap()
}

fn stderr(output: &Output) -> String {
    String::from_utf8(output.stderr.clone()).unwrap()
}

/// R-CAL: one line per holiday, date and name separated by two spaces.
#[test]
fn r_cal_cli_holidays_2026_plain() {
    let output = cims(&["calendar", "holidays", "2026"]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let text = stdout(&output);
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 14);
    assert_eq!(lines[0], "2026-01-01  New Year's Day");
    assert!(lines.contains(&"2026-09-25  Friday before the AFL Grand Final"));
    assert_eq!(lines[13], "2026-12-28  Boxing Day (additional)");
    assert!(stderr(&output).is_empty());
}

/// R-CAL: `--json` prints an array of {date, name}.
#[test]
fn r_cal_cli_holidays_2026_json() {
    let output = cims(&["calendar", "holidays", "2026", "--json"]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let value: serde_json::Value = serde_json::from_str(&stdout(&output)).unwrap();
    let array = value.as_array().unwrap();
    assert_eq!(array.len(), 14);
    assert_eq!(
        array[1],
        serde_json::json!({"date": "2026-01-26", "name": "Australia Day"})
    );
}

/// R-CAL: for 2027 the known holidays are printed, the unknown AFL Friday is reported on
/// stderr, and the exit code is 1 because the list is incomplete.
#[test]
fn r_cal_cli_holidays_2027_reports_unknown_afl_friday() {
    let output = cims(&["calendar", "holidays", "2027"]);
    assert_eq!(output.status.code(), Some(1));
    let text = stdout(&output);
    assert!(text.starts_with("2027-01-01  New Year's Day\n"), "{text}");
    assert!(
        text.contains("2027-12-28  Boxing Day (additional)\n"),
        "{text}"
    );
    assert!(!text.contains("AFL"));
    let err = stderr(&output);
    assert!(
        err.contains("the Friday before the AFL Grand Final for 2027 is not known yet"),
        "{err}"
    );
}

/// R-CAL: a year that is not a supported number is a usage error (exit code 2).
#[test]
fn r_cal_cli_bad_year_is_a_usage_error() {
    for year in ["1990", "next", "2100"] {
        let output = cims(&["calendar", "holidays", year]);
        assert_eq!(output.status.code(), Some(2), "{year}");
        assert!(stdout(&output).is_empty());
        assert!(
            stderr(&output).contains("invalid value"),
            "{}",
            stderr(&output)
        );
    }
}
