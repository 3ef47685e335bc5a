//! The holidays computed from the Public Holidays Act 1993 (Vic) s6 (R-CAL).

use chrono::{Datelike, Days, NaiveDate, Weekday};

use super::Holiday;

/// The year the monarch's birthday holiday was first called the King's Birthday.
const KINGS_BIRTHDAY_FROM: i32 = 2023;

/// Every holiday the Act fixes for `year`, in date order (R-CAL). The Friday before the AFL
/// Grand Final is included only when `afl_friday` is given; it is set each year, never
/// computed. `None` only when a date of `year` cannot be represented.
pub(super) fn computed(year: i32, afl_friday: Option<NaiveDate>) -> Option<Vec<Holiday>> {
    let mut list = Vec::with_capacity(20);
    let mut add = |date: NaiveDate, name: &str| {
        list.push(Holiday {
            date,
            name: name.to_owned(),
        });
    };

    // R-CAL: New Year's Day, plus the Monday after when it falls on a weekend.
    let new_year = ymd(year, 1, 1)?;
    add(new_year, "New Year's Day");
    if let Some(monday) = monday_after_weekend(new_year) {
        add(monday, "New Year's Day (additional)");
    }

    // R-CAL: Australia Day moves to the Monday after a weekend (substitute, not additional).
    let australia_day = ymd(year, 1, 26)?;
    add(
        monday_after_weekend(australia_day).unwrap_or(australia_day),
        "Australia Day",
    );

    // R-CAL: Labour Day, the second Monday in March.
    add(nth_weekday(year, 3, Weekday::Mon, 2)?, "Labour Day");

    // R-CAL: Good Friday, the Saturday before Easter Sunday, Easter Sunday, Easter Monday.
    let easter = easter_sunday(year)?;
    add(easter.checked_sub_days(Days::new(2))?, "Good Friday");
    add(
        easter.checked_sub_days(Days::new(1))?,
        "Saturday before Easter Sunday",
    );
    add(easter, "Easter Sunday");
    add(easter.checked_add_days(Days::new(1))?, "Easter Monday");

    // R-CAL: ANZAC Day, with no substitute when it falls on a weekend.
    add(ymd(year, 4, 25)?, "ANZAC Day");

    // R-CAL: the monarch's birthday, the second Monday in June.
    let birthday = if year >= KINGS_BIRTHDAY_FROM {
        "King's Birthday"
    } else {
        "Queen's Birthday"
    };
    add(nth_weekday(year, 6, Weekday::Mon, 2)?, birthday);

    // R-CAL: the Friday before the AFL Grand Final, a date set each year (param).
    if let Some(friday) = afl_friday {
        add(friday, "Friday before the AFL Grand Final");
    }

    // R-CAL: Melbourne Cup Day, the first Tuesday in November (statewide default).
    add(nth_weekday(year, 11, Weekday::Tue, 1)?, "Melbourne Cup Day");

    // R-CAL: Christmas Day and Boxing Day, each with an additional day when on a weekend:
    // the Monday after a Saturday, the Tuesday after a Sunday.
    for (day, name, additional) in [
        (25, "Christmas Day", "Christmas Day (additional)"),
        (26, "Boxing Day", "Boxing Day (additional)"),
    ] {
        let date = ymd(year, 12, day)?;
        add(date, name);
        if matches!(date.weekday(), Weekday::Sat | Weekday::Sun) {
            add(date.checked_add_days(Days::new(2))?, additional);
        }
    }

    list.sort_by_key(|holiday| holiday.date);
    Some(list)
}

/// Easter Sunday in the Gregorian calendar (anonymous Gregorian computus).
pub(super) fn easter_sunday(year: i32) -> Option<NaiveDate> {
    let a = year.rem_euclid(19);
    let b = year.div_euclid(100);
    let c = year.rem_euclid(100);
    let d = b / 4;
    let e = b % 4;
    let f = (b + 8) / 25;
    let g = (b - f + 1) / 3;
    let h = (19 * a + b - d - g + 15) % 30;
    let i = c / 4;
    let k = c % 4;
    let l = (32 + 2 * e + 2 * i - h - k) % 7;
    let m = (a + 11 * h + 22 * l) / 451;
    let month = (h + l - 7 * m + 114) / 31;
    let day = (h + l - 7 * m + 114) % 31 + 1;
    ymd(year, u32::try_from(month).ok()?, u32::try_from(day).ok()?)
}

/// The Monday after `date` when `date` is a Saturday or Sunday.
fn monday_after_weekend(date: NaiveDate) -> Option<NaiveDate> {
    match date.weekday() {
        Weekday::Sat => date.checked_add_days(Days::new(2)),
        Weekday::Sun => date.checked_add_days(Days::new(1)),
        _ => None,
    }
}

fn nth_weekday(year: i32, month: u32, weekday: Weekday, n: u8) -> Option<NaiveDate> {
    NaiveDate::from_weekday_of_month_opt(year, month, weekday, n)
}

fn ymd(year: i32, month: u32, day: u32) -> Option<NaiveDate> {
    NaiveDate::from_ymd_opt(year, month, day)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// R-CAL: Easter Sunday for years checked against published tables.
    #[test]
    fn r_cal_easter_sunday_matches_published_dates() {
        for (year, month, day) in [
            (2016, 3, 27),
            (2019, 4, 21),
            (2024, 3, 31),
            (2025, 4, 20),
            (2026, 4, 5),
            (2027, 3, 28),
            (2038, 4, 25),
            (2099, 4, 12),
        ] {
            assert_eq!(easter_sunday(year), ymd(year, month, day), "{year}");
        }
    }
}
