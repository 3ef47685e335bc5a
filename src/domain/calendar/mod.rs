//! The Victorian business calendar (R-CAL): public holidays under the Public Holidays Act
//! 1993 (Vic) s6, computed by rule, plus editable data (param) for the Friday before the AFL
//! Grand Final and for dated additions and removals. A business day is any day that is not a
//! Saturday, Sunday or public holiday.
//!
//! Melbourne Cup Day is the statewide default; a non-metropolitan council's substitute day
//! is not modelled.

mod data;
mod rules;

use std::collections::{BTreeMap, HashMap};

use chrono::{Datelike, NaiveDate, Weekday};
use serde::Serialize;

pub use data::{Addition, CalendarData, EMBEDDED_TOML, Removal};

/// The first year the calendar covers: the current set of holidays (including Easter Sunday
/// and the Friday before the AFL Grand Final) has applied since 2016.
pub const FIRST_YEAR: i32 = 2016;
/// The last year the calendar covers: the bundled time zone data has Melbourne's daylight
/// saving changes only up to 2099, so later deadlines could not be placed correctly.
pub const LAST_YEAR: i32 = 2099;

/// A Victorian public holiday (R-CAL).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Holiday {
    pub date: NaiveDate,
    pub name: String,
}

/// Why the calendar cannot answer a question about a date or year.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum CalendarError {
    #[error(
        "the Friday before the AFL Grand Final for {year} is not known yet; add it to the \
         calendar data when it is announced"
    )]
    UnknownAflFriday { year: i32 },
    #[error("the business calendar covers {FIRST_YEAR} to {LAST_YEAR}, not {year}")]
    YearOutOfRange { year: i32 },
}

/// What is wrong with the calendar data, and where.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum CalendarDataError {
    #[error("calendar data: {0}")]
    Syntax(String),
    #[error("afl_grand_final_friday: \"{key}\" is not a year")]
    NotAYear { key: String },
    #[error("afl_grand_final_friday: {year} is listed more than once")]
    DuplicateYear { year: i32 },
    #[error("{place}: expected a date like 2026-09-25 (unquoted), got {value}")]
    NotADate { place: String, value: String },
    #[error("afl_grand_final_friday {year}: {date} is not in {year}")]
    WrongYear { year: i32, date: NaiveDate },
    #[error(
        "afl_grand_final_friday {year}: {date} is outside September and October, when the Grand Final is played"
    )]
    OutsideSeason { year: i32, date: NaiveDate },
    #[error("afl_grand_final_friday {year}: {date} is a {weekday}, not a Friday")]
    NotAFriday {
        year: i32,
        date: NaiveDate,
        weekday: &'static str,
    },
    #[error(
        "{place}: {date} is outside the years the calendar covers ({FIRST_YEAR} to {LAST_YEAR})"
    )]
    OutOfRange { place: String, date: NaiveDate },
    #[error("{place}: {date} is listed more than once")]
    DuplicateDate { place: String, date: NaiveDate },
    #[error("{place}: {date} needs a {what}")]
    MissingText {
        place: String,
        date: NaiveDate,
        what: &'static str,
    },
    #[error("additions: {date} is already a public holiday ({existing})")]
    AlreadyAHoliday { date: NaiveDate, existing: String },
    #[error("removals: {date} is not a computed public holiday, so there is nothing to remove")]
    RemovesNothing { date: NaiveDate },
}

/// The business calendar (R-CAL): holidays for every covered year, computed once.
#[derive(Clone, Debug)]
pub struct Calendar {
    years: BTreeMap<i32, Year>,
    /// Holiday names by date; several holidays on one date are joined with " and ".
    names: HashMap<NaiveDate, String>,
}

#[derive(Clone, Debug)]
struct Year {
    holidays: Vec<Holiday>,
    afl_friday_known: bool,
}

impl Calendar {
    /// The calendar built from the data shipped with cims (`policy/calendar.toml`).
    pub fn embedded() -> Result<Self, CalendarDataError> {
        Self::from_toml(EMBEDDED_TOML)
    }

    /// The calendar built from calendar data in TOML.
    pub fn from_toml(text: &str) -> Result<Self, CalendarDataError> {
        Self::new(CalendarData::from_toml(text)?)
    }

    /// Checks `data` and computes the holidays of every covered year (R-CAL).
    pub fn new(data: CalendarData) -> Result<Self, CalendarDataError> {
        validate(&data)?;
        let mut years = BTreeMap::new();
        for year in FIRST_YEAR..=LAST_YEAR {
            let afl_friday = data.afl_grand_final_friday.get(&year).copied();
            if let Some(holidays) = rules::computed(year, afl_friday) {
                let afl_friday_known = afl_friday.is_some();
                years.insert(
                    year,
                    Year {
                        holidays,
                        afl_friday_known,
                    },
                );
            }
        }

        // R-CAL (param): removals take out every computed holiday on their date.
        for removal in &data.removals {
            let year = years
                .get_mut(&removal.date.year())
                .ok_or(CalendarDataError::RemovesNothing { date: removal.date })?;
            let before = year.holidays.len();
            year.holidays.retain(|h| h.date != removal.date);
            if year.holidays.len() == before {
                return Err(CalendarDataError::RemovesNothing { date: removal.date });
            }
        }

        // R-CAL (param): additions add a holiday on a date that is not already one.
        for addition in &data.additions {
            let Some(year) = years.get_mut(&addition.date.year()) else {
                return Err(CalendarDataError::OutOfRange {
                    place: "additions".to_owned(),
                    date: addition.date,
                });
            };
            if let Some(existing) = year.holidays.iter().find(|h| h.date == addition.date) {
                return Err(CalendarDataError::AlreadyAHoliday {
                    date: addition.date,
                    existing: existing.name.clone(),
                });
            }
            year.holidays.push(Holiday {
                date: addition.date,
                name: addition.name.trim().to_owned(),
            });
            year.holidays.sort_by_key(|h| h.date);
        }

        let mut names: HashMap<NaiveDate, String> = HashMap::new();
        for holiday in years.values().flat_map(|y| &y.holidays) {
            names
                .entry(holiday.date)
                .and_modify(|name| {
                    name.push_str(" and ");
                    name.push_str(&holiday.name);
                })
                .or_insert_with(|| holiday.name.clone());
        }

        Ok(Self { years, names })
    }

    /// All public holidays of `year` in date order, weekend ones included (R-CAL). Fails
    /// when the Friday before that year's AFL Grand Final is not known: never a guess.
    pub fn holidays(&self, year: i32) -> Result<Vec<Holiday>, CalendarError> {
        let entry = self.year(year)?;
        if entry.afl_friday_known {
            Ok(entry.holidays.clone())
        } else {
            Err(CalendarError::UnknownAflFriday { year })
        }
    }

    /// Every public holiday of `year` that is known, and what is missing, if anything: the
    /// Friday before the AFL Grand Final when it is not known, or the whole year when it is
    /// outside the calendar (R-CAL).
    pub fn holidays_known(&self, year: i32) -> (Vec<Holiday>, Option<CalendarError>) {
        match self.year(year) {
            Ok(entry) if entry.afl_friday_known => (entry.holidays.clone(), None),
            Ok(entry) => (
                entry.holidays.clone(),
                Some(CalendarError::UnknownAflFriday { year }),
            ),
            Err(e) => (Vec::new(), Some(e)),
        }
    }

    /// The name of the public holiday on `date`, if any (R-CAL). Only Fridays of the
    /// football finals season can be an unknown AFL Grand Final eve, so only they fail for
    /// such a year: a deadline in January is never held up by September's fixture.
    pub fn holiday_on(&self, date: NaiveDate) -> Result<Option<&str>, CalendarError> {
        let entry = self.year(date.year())?;
        if let Some(name) = self.names.get(&date) {
            Ok(Some(name))
        } else if !entry.afl_friday_known && could_be_afl_friday(date) {
            Err(CalendarError::UnknownAflFriday { year: date.year() })
        } else {
            Ok(None)
        }
    }

    /// Whether `date` is a business day: not a Saturday, Sunday or public holiday (R-CAL).
    pub fn is_business_day(&self, date: NaiveDate) -> Result<bool, CalendarError> {
        self.year(date.year())?;
        if is_weekend(date) {
            return Ok(false);
        }
        Ok(self.holiday_on(date)?.is_none())
    }

    /// The `n`-th business day strictly after `from`; `from` itself when `n` is 0 (R-CAL).
    pub fn add_business_days(&self, from: NaiveDate, n: u32) -> Result<NaiveDate, CalendarError> {
        self.year(from.year())?;
        let mut date = from;
        let mut remaining = n;
        while remaining > 0 {
            date = date
                .succ_opt()
                .ok_or(CalendarError::YearOutOfRange { year: date.year() })?;
            if self.is_business_day(date)? {
                remaining -= 1;
            }
        }
        Ok(date)
    }

    /// The first business day strictly after `from` (R-CAL).
    pub fn next_business_day(&self, from: NaiveDate) -> Result<NaiveDate, CalendarError> {
        self.add_business_days(from, 1)
    }

    /// The days in (`from`, `to`] that are not business days, each with why: "Saturday",
    /// "Sunday", the holiday's name, or both, e.g. "Saturday, ANZAC Day" (R-CAL).
    pub fn skipped_days(
        &self,
        from: NaiveDate,
        to: NaiveDate,
    ) -> Result<Vec<(NaiveDate, String)>, CalendarError> {
        let mut skipped = Vec::new();
        for date in from.iter_days().skip(1).take_while(|d| *d <= to) {
            let holiday = self.holiday_on(date)?;
            let reason = match (is_weekend(date), holiday) {
                (true, Some(name)) => format!("{}, {name}", weekday_name(date.weekday())),
                (true, None) => weekday_name(date.weekday()).to_owned(),
                (false, Some(name)) => name.to_owned(),
                (false, None) => continue,
            };
            skipped.push((date, reason));
        }
        Ok(skipped)
    }

    fn year(&self, year: i32) -> Result<&Year, CalendarError> {
        self.years
            .get(&year)
            .ok_or(CalendarError::YearOutOfRange { year })
    }
}

/// The AFL Grand Final is played on a Saturday in late September or in October (it was
/// 24 October in 2020), so the Friday before it falls in September or October.
fn could_be_afl_friday(date: NaiveDate) -> bool {
    date.weekday() == Weekday::Fri && matches!(date.month(), 9 | 10)
}

/// Checks the data on its own terms; `Calendar::new` checks it against the computed
/// holidays.
fn validate(data: &CalendarData) -> Result<(), CalendarDataError> {
    for (&year, &date) in &data.afl_grand_final_friday {
        let place = || format!("afl_grand_final_friday {year}");
        if !(FIRST_YEAR..=LAST_YEAR).contains(&year) {
            return Err(CalendarDataError::OutOfRange {
                place: place(),
                date,
            });
        }
        if date.year() != year {
            return Err(CalendarDataError::WrongYear { year, date });
        }
        if date.weekday() == Weekday::Fri && !could_be_afl_friday(date) {
            return Err(CalendarDataError::OutsideSeason { year, date });
        }
        if date.weekday() != Weekday::Fri {
            return Err(CalendarDataError::NotAFriday {
                year,
                date,
                weekday: weekday_name(date.weekday()),
            });
        }
    }
    let additions = data.additions.iter().map(|a| (a.date, a.name.as_str()));
    check_dated("additions", "name", additions)?;
    let removals = data.removals.iter().map(|r| (r.date, r.reason.as_str()));
    check_dated("removals", "reason", removals)
}

fn check_dated<'a>(
    place: &str,
    what: &'static str,
    entries: impl Iterator<Item = (NaiveDate, &'a str)>,
) -> Result<(), CalendarDataError> {
    let mut seen = std::collections::BTreeSet::new();
    for (date, text) in entries {
        if !(FIRST_YEAR..=LAST_YEAR).contains(&date.year()) {
            return Err(CalendarDataError::OutOfRange {
                place: place.to_owned(),
                date,
            });
        }
        if text.trim().is_empty() {
            return Err(CalendarDataError::MissingText {
                place: place.to_owned(),
                date,
                what,
            });
        }
        if !seen.insert(date) {
            return Err(CalendarDataError::DuplicateDate {
                place: place.to_owned(),
                date,
            });
        }
    }
    Ok(())
}

fn is_weekend(date: NaiveDate) -> bool {
    matches!(date.weekday(), Weekday::Sat | Weekday::Sun)
}

/// The English name of a weekday, e.g. "Saturday".
pub fn weekday_name(weekday: Weekday) -> &'static str {
    match weekday {
        Weekday::Mon => "Monday",
        Weekday::Tue => "Tuesday",
        Weekday::Wed => "Wednesday",
        Weekday::Thu => "Thursday",
        Weekday::Fri => "Friday",
        Weekday::Sat => "Saturday",
        Weekday::Sun => "Sunday",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn assert_traits<T: Clone + Send + Sync + std::fmt::Debug>() {}

    /// R-CAL: the calendar can be shared across threads by a deadline engine.
    #[test]
    fn r_cal_calendar_is_clone_send_sync_debug() {
        assert_traits::<Calendar>();
    }

    /// R-CAL: the shipped data is valid.
    #[test]
    fn r_cal_embedded_data_loads() {
        let calendar = Calendar::embedded().unwrap();
        assert!(calendar.holidays(2026).is_ok());
    }

    /// R-CAL: two holidays on one date are both listed, and named together.
    #[test]
    fn r_cal_easter_sunday_on_anzac_day_2038_lists_both() {
        let calendar = Calendar::embedded().unwrap();
        let date = NaiveDate::from_ymd_opt(2038, 4, 25).unwrap();
        let (holidays, _) = calendar.holidays_known(2038);
        assert_eq!(holidays.iter().filter(|h| h.date == date).count(), 2);
        assert_eq!(
            calendar.holiday_on(date).unwrap(),
            Some("Easter Sunday and ANZAC Day")
        );
    }
}
