//! Australia/Melbourne local time (R-CAL): deadlines are stated in Melbourne local time, so
//! every conversion between a calendar date and an instant goes through here.

use chrono::{
    DateTime, LocalResult, NaiveDate, NaiveDateTime, NaiveTime, TimeDelta, TimeZone, Utc,
};
use chrono_tz::Tz;

/// The time zone all deadlines are expressed in (R-CAL).
pub const ZONE: Tz = chrono_tz::Australia::Melbourne;

/// The formats `parse_local` accepts, tried in order.
const FORMATS: [&str; 4] = [
    "%Y-%m-%d %H:%M",
    "%Y-%m-%dT%H:%M",
    "%Y-%m-%d %H:%M:%S",
    "%Y-%m-%dT%H:%M:%S",
];

/// Why a Melbourne local time could not be turned into an instant.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum LocalTimeError {
    /// The local time falls in the hour skipped when daylight saving starts.
    #[error(
        "{local} does not exist in Melbourne: clocks go forward an hour when daylight saving \
         starts, skipping it"
    )]
    Nonexistent { local: NaiveDateTime },
    /// The text is not a local date and time in a recognised form.
    #[error(
        "expected a Melbourne local date and time like \"2026-03-09 17:00\" \
         (YYYY-MM-DD HH:MM, optionally :SS, with a space or 'T' between date and time), \
         but got \"{given}\""
    )]
    Unparseable { given: String },
}

/// The Melbourne calendar date on which `instant` falls (R-CAL).
pub fn local_date(instant: DateTime<Utc>) -> NaiveDate {
    instant.with_timezone(&ZONE).date_naive()
}

/// The instant of `time` on `date` in Melbourne (R-CAL).
///
/// A time skipped when daylight saving starts is an error; a time that occurs twice when
/// daylight saving ends resolves to the earlier of the two instants.
pub fn at_local(date: NaiveDate, time: NaiveTime) -> Result<DateTime<Tz>, LocalTimeError> {
    let local = date.and_time(time);
    match ZONE.from_local_datetime(&local) {
        LocalResult::Single(instant) => Ok(instant),
        LocalResult::Ambiguous(earlier, _later) => Ok(earlier),
        LocalResult::None => Err(LocalTimeError::Nonexistent { local }),
    }
}

/// The last second of `date` in Melbourne: 23:59:59 local (R-CAL).
pub fn end_of_day(date: NaiveDate) -> DateTime<Tz> {
    lenient(date.and_time(NaiveTime::MIN) + TimeDelta::seconds(86_399))
}

/// Start of business on `date` in Melbourne: 09:00 local (R-CAL).
pub fn start_of_business(date: NaiveDate) -> DateTime<Tz> {
    lenient(date.and_time(NaiveTime::MIN) + TimeDelta::hours(9))
}

/// Close of business on `date` in Melbourne: 17:00 local (R-CAL).
pub fn close_of_business(date: NaiveDate) -> DateTime<Tz> {
    lenient(date.and_time(NaiveTime::MIN) + TimeDelta::hours(17))
}

/// Parses a Melbourne local time such as "2026-03-09 17:00" (R-CAL).
pub fn parse_local(s: &str) -> Result<DateTime<Tz>, LocalTimeError> {
    let trimmed = s.trim();
    let local = FORMATS
        .iter()
        .find_map(|format| NaiveDateTime::parse_from_str(trimmed, format).ok())
        .ok_or_else(|| LocalTimeError::Unparseable {
            given: s.to_owned(),
        })?;
    at_local(local.date(), local.time())
}

/// Resolves a local time that must always yield an instant. Melbourne never skips these
/// times, but should a zone rule ever do so, the local reading is taken with the UTC offset
/// in force a day earlier, which lands just after the skipped interval.
fn lenient(local: NaiveDateTime) -> DateTime<Tz> {
    match ZONE.from_local_datetime(&local) {
        LocalResult::Single(instant) | LocalResult::Ambiguous(instant, _) => instant,
        LocalResult::None => {
            let day_before = local - TimeDelta::days(1);
            let offset = ZONE
                .offset_from_local_datetime(&day_before)
                .earliest()
                .map_or(TimeDelta::hours(10), |o| {
                    TimeDelta::seconds(i64::from(chrono::Offset::fix(&o).local_minus_utc()))
                });
            ZONE.from_utc_datetime(&(local - offset))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn date(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    #[test]
    fn r_cal_lenient_resolves_a_skipped_time_after_the_gap() {
        // 2026-10-04 02:30 does not exist; read with the +10:00 offset it is 03:30 +11:00.
        let instant = lenient(date(2026, 10, 4).and_hms_opt(2, 30, 0).unwrap());
        assert_eq!(instant.to_rfc3339(), "2026-10-04T03:30:00+11:00");
    }

    #[test]
    fn r_cal_local_date_crosses_midnight_in_melbourne() {
        let instant = Utc.with_ymd_and_hms(2026, 3, 8, 14, 0, 0).unwrap();
        assert_eq!(local_date(instant), date(2026, 3, 9));
    }
}
