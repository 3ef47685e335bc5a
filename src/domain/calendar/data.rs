//! The editable part of the business calendar (R-CAL, param): the Friday before each AFL
//! Grand Final and the dated additions and removals the Minister gazettes.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use serde::Deserialize;
use toml::value::Datetime;

use super::CalendarDataError;

/// The calendar data shipped with cims.
pub const EMBEDDED_TOML: &str = include_str!("../../../policy/calendar.toml");

/// Calendar data as read from TOML, before it is checked against the computed holidays.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct CalendarData {
    /// The Friday before the AFL Grand Final, by year.
    pub afl_grand_final_friday: BTreeMap<i32, NaiveDate>,
    /// Extra public holidays, e.g. a day gazetted by the Minister.
    pub additions: Vec<Addition>,
    /// Computed holidays that do not apply, e.g. one replaced by a gazetted day.
    pub removals: Vec<Removal>,
}

/// An extra public holiday.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Addition {
    pub date: NaiveDate,
    pub name: String,
}

/// A computed holiday that does not apply, and why.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Removal {
    pub date: NaiveDate,
    pub reason: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawData {
    #[serde(default)]
    afl_grand_final_friday: BTreeMap<String, Datetime>,
    #[serde(default)]
    additions: Vec<RawAddition>,
    #[serde(default)]
    removals: Vec<RawRemoval>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawAddition {
    date: Datetime,
    name: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawRemoval {
    date: Datetime,
    reason: String,
}

impl CalendarData {
    /// Reads calendar data from TOML (R-CAL). Unknown keys, malformed years and dates, and
    /// a year listed twice are rejected here; `Calendar::new` checks the rest.
    pub fn from_toml(text: &str) -> Result<Self, CalendarDataError> {
        let raw: RawData =
            toml::from_str(text).map_err(|e| CalendarDataError::Syntax(e.to_string()))?;

        let mut afl_grand_final_friday = BTreeMap::new();
        for (key, value) in raw.afl_grand_final_friday {
            let year = key
                .trim()
                .parse::<i32>()
                .map_err(|_| CalendarDataError::NotAYear { key: key.clone() })?;
            let place = format!("afl_grand_final_friday {key}");
            let date = to_date(&place, &value)?;
            if afl_grand_final_friday.insert(year, date).is_some() {
                return Err(CalendarDataError::DuplicateYear { year });
            }
        }

        let additions = raw
            .additions
            .into_iter()
            .map(|a| {
                Ok(Addition {
                    date: to_date("additions", &a.date)?,
                    name: a.name,
                })
            })
            .collect::<Result<_, CalendarDataError>>()?;
        let removals = raw
            .removals
            .into_iter()
            .map(|r| {
                Ok(Removal {
                    date: to_date("removals", &r.date)?,
                    reason: r.reason,
                })
            })
            .collect::<Result<_, CalendarDataError>>()?;

        Ok(Self {
            afl_grand_final_friday,
            additions,
            removals,
        })
    }
}

/// A TOML local date (e.g. `2026-09-25`, unquoted) as a calendar date.
fn to_date(place: &str, value: &Datetime) -> Result<NaiveDate, CalendarDataError> {
    let not_a_date = || CalendarDataError::NotADate {
        place: place.to_owned(),
        value: value.to_string(),
    };
    match (value.date, value.time, value.offset) {
        (Some(d), None, None) => {
            NaiveDate::from_ymd_opt(i32::from(d.year), u32::from(d.month), u32::from(d.day))
                .ok_or_else(not_a_date)
        }
        _ => Err(not_a_date()),
    }
}
