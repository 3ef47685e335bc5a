//! When a reminder is for, as a person types it — `09:00 tomorrow`, `tomorrow`, `16:30`,
//! `fri 9am`, `in 2h`, `2026-12-20 14:00` — read in Melbourne time, and said back the same
//! way.

use chrono::{DateTime, Datelike, Duration, NaiveDate, NaiveTime, Utc, Weekday};

use crate::domain::local_time;

/// The time of day a reminder is for when only the day is given.
const MORNING: (u32, u32) = (9, 0);

const HELP: &str = "say when: 09:00, tomorrow, tomorrow 14:30, fri 9am, in 2h, 2026-12-20 09:00";

/// `2h`, `90m`, `3d`, after an optional `in` or `+`.
fn after(words: &[&str]) -> Option<Duration> {
    let text = match words {
        ["in", amount] => *amount,
        [amount] => amount.strip_prefix('+').unwrap_or(amount),
        _ => return None,
    };
    let split = text.find(|c: char| !c.is_ascii_digit())?;
    let (number, unit) = text.split_at(split);
    let n: i64 = number.parse().ok().filter(|n| (1..=10_000).contains(n))?;
    match unit {
        "m" | "min" | "mins" => Some(Duration::minutes(n)),
        "h" | "hr" | "hrs" => Some(Duration::hours(n)),
        "d" | "day" | "days" => Some(Duration::days(n)),
        _ => None,
    }
}

/// `09:00`, `9:30`, `9am`, `4pm`, `4:30pm`, `14`.
fn time_of_day(word: &str) -> Option<NaiveTime> {
    let (clock, add) = if let Some(rest) = word.strip_suffix("am") {
        (rest, 0)
    } else if let Some(rest) = word.strip_suffix("pm") {
        (rest, 12)
    } else {
        (word, 0)
    };
    let (hour, minute) = match clock.split_once(':') {
        Some((h, m)) if m.len() == 2 => (h.parse::<u32>().ok()?, m.parse::<u32>().ok()?),
        Some(_) => return None,
        None => (clock.parse::<u32>().ok()?, 0),
    };
    let hour = match (hour, add, word.ends_with("am")) {
        (12, 0, true) => 0,
        (12, 12, _) => 12,
        (h, 12, _) if h < 12 => h + 12,
        (h, _, _) if h < 24 && (add == 0 || h <= 12) => h,
        _ => return None,
    };
    NaiveTime::from_hms_opt(hour, minute, 0)
}

fn weekday(word: &str) -> Option<Weekday> {
    let days = [
        ("mon", Weekday::Mon),
        ("tue", Weekday::Tue),
        ("wed", Weekday::Wed),
        ("thu", Weekday::Thu),
        ("fri", Weekday::Fri),
        ("sat", Weekday::Sat),
        ("sun", Weekday::Sun),
    ];
    days.iter()
        .find(|(short, _)| word.len() >= 3 && word.starts_with(short))
        .map(|(_, day)| *day)
}

/// A day named by a word: today, tomorrow, a weekday (the next one after today) or a date.
fn day(word: &str, today: NaiveDate) -> Option<NaiveDate> {
    match word {
        "today" => Some(today),
        "tomorrow" | "tmrw" => today.succ_opt(),
        _ => weekday(word)
            .map(|wanted| {
                let ahead = (7 + wanted.num_days_from_monday()
                    - today.weekday().num_days_from_monday())
                    % 7;
                today + Duration::days(if ahead == 0 { 7 } else { i64::from(ahead) })
            })
            .or_else(|| NaiveDate::parse_from_str(word, "%Y-%m-%d").ok()),
    }
}

/// The instant a reminder typed as `text` is for, read at `now` in Melbourne time. A time
/// of day alone is the next such time; a day alone is 09:00 on it.
pub fn parse(text: &str, now: DateTime<Utc>) -> Result<DateTime<Utc>, String> {
    let lower = text.trim().to_lowercase();
    let words: Vec<&str> = lower
        .split_whitespace()
        .filter(|w| !matches!(*w, "at" | "on" | "next"))
        .collect();
    if words.is_empty() {
        return Err(HELP.into());
    }
    if let Some(span) = after(&words) {
        return Ok(now + span);
    }
    let today = local_time::local_date(now);
    let (mut date, mut time) = (None, None);
    for word in &words {
        if let Some(d) = day(word, today).filter(|_| date.is_none()) {
            date = Some(d);
        } else if let Some(t) = time_of_day(word).filter(|_| time.is_none()) {
            time = Some(t);
        } else {
            return Err(format!("{word:?}: {HELP}"));
        }
    }
    let morning = NaiveTime::from_hms_opt(MORNING.0, MORNING.1, 0).unwrap_or(NaiveTime::MIN);
    let at = |date: NaiveDate, time: NaiveTime| {
        local_time::at_local(date, time)
            .map(|t| t.with_timezone(&Utc))
            .map_err(|e| e.to_string())
    };
    match (date, time) {
        (Some(date), time) => at(date, time.unwrap_or(morning)),
        (None, Some(time)) => {
            let that = at(today, time)?;
            if that > now {
                Ok(that)
            } else {
                at(today.succ_opt().unwrap_or(today), time)
            }
        }
        (None, None) => Err(HELP.into()),
    }
}

/// A time as the user would say it: `16:30 today`, `09:00 tomorrow`, `Fri 5 Dec 09:00`,
/// and with its year in place of the weekday when that is not this one
/// (`20 Dec 2025 23:20`).
pub fn said(at: DateTime<Utc>, now: DateTime<Utc>) -> String {
    let local = at.with_timezone(&local_time::ZONE);
    let today = local_time::local_date(now);
    let clock = local.format("%H:%M");
    match (local.date_naive() - today).num_days() {
        0 => format!("{clock} today"),
        1 => format!("{clock} tomorrow"),
        -1 => format!("{clock} yesterday"),
        _ if local.year() != today.year() => local.format("%-d %b %Y %H:%M").to_string(),
        _ => local.format("%a %-d %b %H:%M").to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Wednesday 2 December 2026, 15:00 in Melbourne (AEDT, UTC+11).
    fn now() -> DateTime<Utc> {
        "2026-12-02T04:00:00Z".parse().unwrap_or_default()
    }

    fn local(text: &str) -> String {
        parse(text, now())
            .map(|t| {
                t.with_timezone(&local_time::ZONE)
                    .format("%a %Y-%m-%d %H:%M")
                    .to_string()
            })
            .unwrap_or_else(|e| e)
    }

    #[test]
    fn days_and_times_in_either_order_are_read_in_melbourne_time() {
        assert_eq!(local("09:00 tomorrow"), "Thu 2026-12-03 09:00");
        assert_eq!(local("at 9am tomorrow"), "Thu 2026-12-03 09:00");
        assert_eq!(local("tomorrow"), "Thu 2026-12-03 09:00");
        assert_eq!(local("tomorrow 2:30pm"), "Thu 2026-12-03 14:30");
        assert_eq!(local("16:30"), "Wed 2026-12-02 16:30");
        assert_eq!(local("fri"), "Fri 2026-12-04 09:00");
        assert_eq!(local("next wed 14:00"), "Wed 2026-12-09 14:00");
        assert_eq!(local("2026-12-20 08:15"), "Sun 2026-12-20 08:15");
        assert_eq!(local("12am tomorrow"), "Thu 2026-12-03 00:00");
        assert_eq!(local("12pm"), "Thu 2026-12-03 12:00");
    }

    #[test]
    fn a_time_already_past_today_is_tomorrow_and_spans_count_from_now() {
        assert_eq!(local("10:00"), "Thu 2026-12-03 10:00");
        assert_eq!(local("in 2h"), "Wed 2026-12-02 17:00");
        assert_eq!(local("90m"), "Wed 2026-12-02 16:30");
        assert_eq!(local("+3d"), "Sat 2026-12-05 15:00");
    }

    #[test]
    fn what_cannot_be_read_is_refused_with_the_forms_that_can() {
        for bad in [
            "",
            "soon",
            "25:00",
            "9:5",
            "13pm",
            "tomorrow tomorrow",
            "in 0h",
        ] {
            let refused = parse(bad, now()).expect_err(bad);
            assert!(refused.contains("tomorrow 14:30"), "{bad}: {refused}");
        }
    }

    #[test]
    fn a_time_is_said_back_relative_to_today() {
        let at = |t: &str| t.parse::<DateTime<Utc>>().unwrap_or_default();
        assert_eq!(said(at("2026-12-02T05:30:00Z"), now()), "16:30 today");
        assert_eq!(said(at("2026-12-02T22:00:00Z"), now()), "09:00 tomorrow");
        assert_eq!(said(at("2026-12-04T22:00:00Z"), now()), "Sat 5 Dec 09:00");
        assert_eq!(said(at("2025-12-20T12:20:00Z"), now()), "20 Dec 2025 23:20");
        assert_eq!(said(at("2027-01-07T22:00:00Z"), now()), "8 Jan 2027 09:00");
    }
}
