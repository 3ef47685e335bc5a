//! R-CAL: the Victorian business calendar (DOMAIN §6) and Melbourne local time.

use chrono::{Datelike, NaiveDate, NaiveTime, Offset, Weekday};
use cims::domain::calendar::{
    Calendar, CalendarDataError, CalendarError, EMBEDDED_TOML, FIRST_YEAR, Holiday, LAST_YEAR,
};
use cims::domain::local_time::{self, LocalTimeError};
use proptest::prelude::*;

fn d(y: i32, m: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, day).unwrap()
}

fn embedded() -> Calendar {
    Calendar::embedded().unwrap()
}

fn pairs(holidays: &[Holiday]) -> Vec<(NaiveDate, &str)> {
    holidays.iter().map(|h| (h.date, h.name.as_str())).collect()
}

// ---- R-CAL worked examples and full years ---------------------------------------------

/// R-CAL: every worked 2026 example of DOMAIN §6.
#[test]
fn r_cal_worked_examples_2026() {
    let calendar = embedded();
    let holidays = calendar.holidays(2026).unwrap();
    let on = |date: NaiveDate| -> Vec<&str> {
        holidays
            .iter()
            .filter(|h| h.date == date)
            .map(|h| h.name.as_str())
            .collect()
    };
    assert_eq!(on(d(2026, 1, 26)), ["Australia Day"]);
    assert_eq!(d(2026, 1, 26).weekday(), Weekday::Mon);
    assert_eq!(on(d(2026, 3, 9)), ["Labour Day"]);
    assert_eq!(on(d(2026, 4, 3)), ["Good Friday"]);
    assert_eq!(on(d(2026, 4, 4)), ["Saturday before Easter Sunday"]);
    assert_eq!(on(d(2026, 4, 5)), ["Easter Sunday"]);
    assert_eq!(on(d(2026, 4, 6)), ["Easter Monday"]);
    assert_eq!(on(d(2026, 4, 25)), ["ANZAC Day"]);
    assert!(on(d(2026, 4, 27)).is_empty(), "ANZAC Day has no substitute");
    assert!(calendar.is_business_day(d(2026, 4, 27)).unwrap());
    assert_eq!(on(d(2026, 6, 8)), ["King's Birthday"]);
    assert_eq!(on(d(2026, 9, 25)), ["Friday before the AFL Grand Final"]);
    assert_eq!(on(d(2026, 11, 3)), ["Melbourne Cup Day"]);
    assert_eq!(on(d(2026, 12, 25)), ["Christmas Day"]);
    assert_eq!(on(d(2026, 12, 26)), ["Boxing Day"]);
    assert_eq!(on(d(2026, 12, 28)), ["Boxing Day (additional)"]);
    assert_eq!(holidays.len(), 14);
}

/// R-CAL: the full list for 2024.
#[test]
fn r_cal_full_year_2024() {
    let holidays = embedded().holidays(2024).unwrap();
    assert_eq!(
        pairs(&holidays),
        [
            (d(2024, 1, 1), "New Year's Day"),
            (d(2024, 1, 26), "Australia Day"),
            (d(2024, 3, 11), "Labour Day"),
            (d(2024, 3, 29), "Good Friday"),
            (d(2024, 3, 30), "Saturday before Easter Sunday"),
            (d(2024, 3, 31), "Easter Sunday"),
            (d(2024, 4, 1), "Easter Monday"),
            (d(2024, 4, 25), "ANZAC Day"),
            (d(2024, 6, 10), "King's Birthday"),
            (d(2024, 9, 27), "Friday before the AFL Grand Final"),
            (d(2024, 11, 5), "Melbourne Cup Day"),
            (d(2024, 12, 25), "Christmas Day"),
            (d(2024, 12, 26), "Boxing Day"),
        ]
    );
}

/// R-CAL: the full list for 2025; Australia Day on a Sunday moves to Monday 27 January
/// (a substitute: Sunday 26 January is not a holiday).
#[test]
fn r_cal_full_year_2025() {
    let calendar = embedded();
    assert_eq!(
        pairs(&calendar.holidays(2025).unwrap()),
        [
            (d(2025, 1, 1), "New Year's Day"),
            (d(2025, 1, 27), "Australia Day"),
            (d(2025, 3, 10), "Labour Day"),
            (d(2025, 4, 18), "Good Friday"),
            (d(2025, 4, 19), "Saturday before Easter Sunday"),
            (d(2025, 4, 20), "Easter Sunday"),
            (d(2025, 4, 21), "Easter Monday"),
            (d(2025, 4, 25), "ANZAC Day"),
            (d(2025, 6, 9), "King's Birthday"),
            (d(2025, 9, 26), "Friday before the AFL Grand Final"),
            (d(2025, 11, 4), "Melbourne Cup Day"),
            (d(2025, 12, 25), "Christmas Day"),
            (d(2025, 12, 26), "Boxing Day"),
        ]
    );
    assert_eq!(calendar.holiday_on(d(2025, 1, 26)).unwrap(), None);
}

/// R-CAL: New Year's Day on a weekend adds the Monday after (2022: Saturday → Monday 3rd;
/// 2023: Sunday → Monday 2nd); Christmas on a Sunday adds Tuesday 27th (2022).
#[test]
fn r_cal_weekend_new_year_and_christmas_add_days() {
    let calendar = embedded();
    assert_eq!(
        calendar.holiday_on(d(2022, 1, 3)).unwrap(),
        Some("New Year's Day (additional)")
    );
    assert_eq!(
        calendar.holiday_on(d(2023, 1, 2)).unwrap(),
        Some("New Year's Day (additional)")
    );
    assert_eq!(
        calendar.holiday_on(d(2022, 12, 26)).unwrap(),
        Some("Boxing Day")
    );
    assert_eq!(
        calendar.holiday_on(d(2022, 12, 27)).unwrap(),
        Some("Christmas Day (additional)")
    );
    assert_eq!(
        calendar.holiday_on(d(2022, 6, 13)).unwrap(),
        Some("Queen's Birthday")
    );
}

// ---- R-CAL unknown AFL Friday ----------------------------------------------------------

/// R-CAL: 2027's AFL Friday is not in the data, so the year's list is an error, never a
/// guess; the known holidays are still available.
#[test]
fn r_cal_2027_unknown_afl_friday_is_an_error_but_the_rest_is_known() {
    let calendar = embedded();
    let err = calendar.holidays(2027).unwrap_err();
    assert_eq!(err, CalendarError::UnknownAflFriday { year: 2027 });
    assert_eq!(
        err.to_string(),
        "the Friday before the AFL Grand Final for 2027 is not known yet; add it to the \
         calendar data when it is announced"
    );

    let (known, missing) = calendar.holidays_known(2027);
    assert_eq!(
        missing,
        Some(CalendarError::UnknownAflFriday { year: 2027 })
    );
    let known = pairs(&known);
    // 1 January 2027 is a Friday, so no additional day.
    assert_eq!(known[0], (d(2027, 1, 1), "New Year's Day"));
    assert_eq!(known[1], (d(2027, 1, 26), "Australia Day"));
    assert_eq!(d(2027, 1, 26).weekday(), Weekday::Tue);
    assert_eq!(
        known[known.len() - 4..],
        [
            (d(2027, 12, 25), "Christmas Day"),
            (d(2027, 12, 26), "Boxing Day"),
            (d(2027, 12, 27), "Christmas Day (additional)"),
            (d(2027, 12, 28), "Boxing Day (additional)"),
        ]
    );
    assert!(known.iter().all(|(_, name)| !name.contains("AFL")));
}

/// R-CAL: with the AFL Friday unknown, only Fridays that are not otherwise holidays are
/// in doubt; every other day of 2027 can still be answered.
#[test]
fn r_cal_unknown_afl_friday_only_blocks_fridays_of_the_finals_season() {
    let calendar = embedded();
    assert!(calendar.is_business_day(d(2027, 1, 4)).unwrap());
    assert!(!calendar.is_business_day(d(2027, 1, 2)).unwrap());
    assert_eq!(
        calendar.holiday_on(d(2027, 1, 1)).unwrap(),
        Some("New Year's Day")
    );
    // A January Friday cannot be the eve of a Grand Final played in September or October.
    assert_eq!(calendar.is_business_day(d(2027, 1, 8)), Ok(true));
    assert_eq!(
        calendar.add_business_days(d(2026, 12, 30), 6),
        Ok(d(2027, 1, 8))
    );
    for friday in [d(2027, 9, 3), d(2027, 9, 24), d(2027, 10, 29)] {
        assert_eq!(
            calendar.is_business_day(friday),
            Err(CalendarError::UnknownAflFriday { year: 2027 })
        );
    }
    assert!(calendar.is_business_day(d(2027, 9, 23)).unwrap());
    assert_eq!(
        calendar.add_business_days(d(2027, 9, 20), 10),
        Err(CalendarError::UnknownAflFriday { year: 2027 })
    );
}

/// R-CAL: an AFL Friday outside September and October is a data error.
#[test]
fn r_cal_afl_friday_outside_the_season_is_refused() {
    let text = EMBEDDED_TOML.replace("2026 = 2026-09-25", "2026 = 2026-11-27");
    let err = Calendar::from_toml(&text).unwrap_err();
    assert!(
        err.to_string().contains("outside September and October"),
        "{err}"
    );
}

/// R-CAL: years outside the calendar are refused.
#[test]
fn r_cal_year_out_of_range() {
    let calendar = embedded();
    assert_eq!(
        calendar.holidays(2100),
        Err(CalendarError::YearOutOfRange { year: 2100 })
    );
    assert_eq!(
        calendar.is_business_day(d(2015, 6, 1)),
        Err(CalendarError::YearOutOfRange { year: 2015 })
    );
    let (known, missing) = calendar.holidays_known(1990);
    assert!(known.is_empty());
    assert_eq!(missing, Some(CalendarError::YearOutOfRange { year: 1990 }));
}

// ---- R-CAL data decides ----------------------------------------------------------------

/// R-CAL (param): adding 2027's AFL Friday, a gazetted day and a removal to the data
/// changes the holidays: data, not code, decides.
#[test]
fn r_cal_modified_data_changes_the_holidays() {
    let text = EMBEDDED_TOML.replace("2026 = 2026-09-25", "2026 = 2026-09-25\n2027 = 2027-09-24")
        + r#"
[[additions]]
date = 2027-01-04
name = "Gazetted day"

[[removals]]
date = 2026-11-03
reason = "Replaced by a gazetted day"
"#;
    let calendar = Calendar::from_toml(&text).unwrap();

    let holidays = calendar.holidays(2027).unwrap();
    assert!(holidays.contains(&Holiday {
        date: d(2027, 9, 24),
        name: "Friday before the AFL Grand Final".to_owned(),
    }));
    assert_eq!(
        calendar.holiday_on(d(2027, 1, 4)).unwrap(),
        Some("Gazetted day")
    );
    assert!(!calendar.is_business_day(d(2027, 1, 4)).unwrap());
    assert_eq!(calendar.holiday_on(d(2026, 11, 3)).unwrap(), None);
    assert!(calendar.is_business_day(d(2026, 11, 3)).unwrap());
    assert_eq!(calendar.holidays(2026).unwrap().len(), 13);
    // The embedded calendar is unchanged.
    assert!(!embedded().is_business_day(d(2026, 11, 3)).unwrap());
}

/// R-CAL (param): the shipped data includes the gazetted National Day of Mourning.
#[test]
fn r_cal_embedded_gazetted_day_2022() {
    assert_eq!(
        embedded().holiday_on(d(2022, 9, 22)).unwrap(),
        Some("National Day of Mourning for Queen Elizabeth II")
    );
}

/// R-CAL (param): an AFL Friday that is not a Friday is rejected, naming year, date and day.
#[test]
fn r_cal_data_rejects_an_afl_friday_that_is_not_a_friday() {
    let err = Calendar::from_toml("[afl_grand_final_friday]\n2026 = 2026-09-26\n").unwrap_err();
    assert_eq!(
        err.to_string(),
        "afl_grand_final_friday 2026: 2026-09-26 is a Saturday, not a Friday"
    );
}

/// R-CAL (param): a year listed twice is rejected.
#[test]
fn r_cal_data_rejects_a_duplicate_year() {
    let err =
        Calendar::from_toml("[afl_grand_final_friday]\n2026 = 2026-09-25\n02026 = 2026-09-25\n")
            .unwrap_err();
    assert_eq!(err, CalendarDataError::DuplicateYear { year: 2026 });
    assert_eq!(
        err.to_string(),
        "afl_grand_final_friday: 2026 is listed more than once"
    );
    // The same key written twice is a TOML error, which also names the problem.
    let err =
        Calendar::from_toml("[afl_grand_final_friday]\n2026 = 2026-09-25\n2026 = 2026-09-25\n")
            .unwrap_err();
    assert!(err.to_string().contains("duplicate key"), "{err}");
}

/// R-CAL (param): unknown keys are rejected, naming the key.
#[test]
fn r_cal_data_rejects_unknown_keys() {
    let err = Calendar::from_toml("[[addition]]\ndate = 2026-01-02\nname = \"x\"\n").unwrap_err();
    assert!(matches!(err, CalendarDataError::Syntax(_)));
    assert!(
        err.to_string().contains("unknown field `addition`"),
        "{err}"
    );

    let err = Calendar::from_toml("[[additions]]\ndate = 2026-01-02\ntitle = \"x\"\n").unwrap_err();
    assert!(err.to_string().contains("unknown field `title`"), "{err}");
}

/// R-CAL (param): other malformed data is rejected with where and what.
#[test]
fn r_cal_data_rejects_other_problems() {
    let cases = [
        (
            "[afl_grand_final_friday]\nnext = 2026-09-25\n",
            "afl_grand_final_friday: \"next\" is not a year",
        ),
        (
            "[afl_grand_final_friday]\n2026 = 2025-09-26\n",
            "afl_grand_final_friday 2026: 2025-09-26 is not in 2026",
        ),
        (
            "[afl_grand_final_friday]\n2026 = 2026-09-25T10:00:00\n",
            "afl_grand_final_friday 2026: expected a date like 2026-09-25 (unquoted), got \
             2026-09-25T10:00:00",
        ),
        (
            "[[removals]]\ndate = 2026-03-10\nreason = \"x\"\n",
            "removals: 2026-03-10 is not a computed public holiday, so there is nothing to \
             remove",
        ),
        (
            "[[additions]]\ndate = 2026-12-25\nname = \"Extra\"\n",
            "additions: 2026-12-25 is already a public holiday (Christmas Day)",
        ),
        (
            "[[additions]]\ndate = 2026-12-24\nname = \" \"\n",
            "additions: 2026-12-24 needs a name",
        ),
        (
            "[[additions]]\ndate = 2026-12-24\nname = \"a\"\n[[additions]]\ndate = 2026-12-24\nname = \"b\"\n",
            "additions: 2026-12-24 is listed more than once",
        ),
        (
            "[[additions]]\ndate = 2200-12-24\nname = \"a\"\n",
            "additions: 2200-12-24 is outside the years the calendar covers (2016 to 2099)",
        ),
    ];
    for (text, expected) in cases {
        let err = Calendar::from_toml(text).unwrap_err();
        assert_eq!(err.to_string(), expected, "for {text:?}");
    }
}

// ---- R-CAL business days ---------------------------------------------------------------

/// R-CAL: counting business days across Easter 2026.
#[test]
fn r_cal_add_business_days_over_easter() {
    let calendar = embedded();
    // Thu 2 Apr 2026 + 1 skips Good Friday to Easter Monday (both holidays): Tue 7 Apr.
    assert_eq!(
        calendar.next_business_day(d(2026, 4, 2)).unwrap(),
        d(2026, 4, 7)
    );
    assert_eq!(
        calendar.add_business_days(d(2026, 4, 2), 0).unwrap(),
        d(2026, 4, 2)
    );
    assert_eq!(
        calendar.add_business_days(d(2026, 4, 2), 3).unwrap(),
        d(2026, 4, 9)
    );
    assert_eq!(
        calendar.skipped_days(d(2026, 4, 2), d(2026, 4, 9)).unwrap(),
        [
            (d(2026, 4, 3), "Good Friday".to_owned()),
            (
                d(2026, 4, 4),
                "Saturday, Saturday before Easter Sunday".to_owned()
            ),
            (d(2026, 4, 5), "Sunday, Easter Sunday".to_owned()),
            (d(2026, 4, 6), "Easter Monday".to_owned()),
        ]
    );
    assert_eq!(
        calendar
            .skipped_days(d(2026, 4, 23), d(2026, 4, 27))
            .unwrap(),
        [
            (d(2026, 4, 25), "Saturday, ANZAC Day".to_owned()),
            (d(2026, 4, 26), "Sunday".to_owned()),
        ]
    );
}

/// R-CAL: Christmas 2026 (Fri 25, Sat 26 with Mon 28 additional).
#[test]
fn r_cal_add_business_days_over_christmas_2026() {
    let calendar = embedded();
    assert_eq!(
        calendar.add_business_days(d(2026, 12, 24), 1).unwrap(),
        d(2026, 12, 29)
    );
    assert_eq!(
        calendar.add_business_days(d(2026, 12, 24), 2).unwrap(),
        d(2026, 12, 30)
    );
}

fn date_2016_to_2026() -> impl Strategy<Value = NaiveDate> {
    // Start dates leave room for 200 business days within the known years.
    (0u64..3_650).prop_map(|offset| d(2016, 1, 1) + chrono::Days::new(offset))
}

proptest! {
    /// R-CAL: the result of adding n ≥ 1 business days is a business day.
    #[test]
    fn r_cal_prop_add_business_days_lands_on_a_business_day(
        from in date_2016_to_2026(),
        n in 1u32..200,
    ) {
        let calendar = embedded();
        let to = calendar.add_business_days(from, n).unwrap();
        prop_assert!(!matches!(to.weekday(), Weekday::Sat | Weekday::Sun));
        prop_assert_eq!(calendar.holiday_on(to).unwrap(), None);
        prop_assert!(calendar.is_business_day(to).unwrap());
    }

    /// R-CAL: more business days never give an earlier date, nor does a later start.
    #[test]
    fn r_cal_prop_add_business_days_is_monotonic(
        from in date_2016_to_2026(),
        later_by in 0u64..30,
        n in 0u32..100,
        more in 0u32..100,
    ) {
        let calendar = embedded();
        let base = calendar.add_business_days(from, n).unwrap();
        prop_assert!(calendar.add_business_days(from, n + more).unwrap() >= base);
        if more > 0 {
            prop_assert!(calendar.add_business_days(from, n + more).unwrap() > base);
        }
        let later = from + chrono::Days::new(later_by);
        prop_assert!(calendar.add_business_days(later, n).unwrap() >= base);
    }

    /// R-CAL: n business days after d leaves exactly n business days in (d, result], and
    /// every other day in between is explained by skipped_days.
    #[test]
    fn r_cal_prop_add_business_days_counts_exactly_n(
        from in date_2016_to_2026(),
        n in 0u32..200,
    ) {
        let calendar = embedded();
        let to = calendar.add_business_days(from, n).unwrap();
        let between: Vec<NaiveDate> =
            from.iter_days().skip(1).take_while(|day| *day <= to).collect();
        let business = between
            .iter()
            .filter(|day| calendar.is_business_day(**day).unwrap())
            .count();
        prop_assert_eq!(business, n as usize);
        let skipped = calendar.skipped_days(from, to).unwrap();
        prop_assert_eq!(skipped.len() + business, between.len());
    }

    /// R-CAL: end of day and close of business are 23:59:59 and 17:00 Melbourne time on the
    /// same date, at +11:00 in daylight saving and +10:00 otherwise, including on the days
    /// the clocks change (first Sunday in October and April).
    #[test]
    fn r_cal_prop_end_of_day_and_close_of_business_across_dst(
        year in FIRST_YEAR..=LAST_YEAR,
        month in prop::sample::select(vec![3u32, 4, 9, 10]),
        day in 1u32..=28,
    ) {
        let date = d(year, month, day);
        let first_sunday = |m: u32| NaiveDate::from_weekday_of_month_opt(year, m, Weekday::Sun, 1).unwrap();
        // Daylight saving ends 03:00 on the first Sunday in April and starts 02:00 on the
        // first Sunday in October; both instants below are after the change that day.
        let summer = date < first_sunday(4) || date >= first_sunday(10);
        let expected = if summer { 11 * 3600 } else { 10 * 3600 };

        let eod = local_time::end_of_day(date);
        prop_assert_eq!(eod.date_naive(), date);
        prop_assert_eq!(eod.time(), NaiveTime::from_hms_opt(23, 59, 59).unwrap());
        prop_assert_eq!(eod.offset().fix().local_minus_utc(), expected);

        let cob = local_time::close_of_business(date);
        prop_assert_eq!(cob.date_naive(), date);
        prop_assert_eq!(cob.time(), NaiveTime::from_hms_opt(17, 0, 0).unwrap());
        prop_assert_eq!(cob.offset().fix().local_minus_utc(), expected);
    }
}

// ---- R-CAL Melbourne local time --------------------------------------------------------

/// R-CAL: the hour skipped when daylight saving starts (4 Oct 2026, 02:00 → 03:00) is an
/// error naming the time.
#[test]
fn r_cal_local_time_in_the_spring_gap_is_an_error() {
    let err = local_time::at_local(d(2026, 10, 4), NaiveTime::from_hms_opt(2, 30, 0).unwrap())
        .unwrap_err();
    assert!(matches!(err, LocalTimeError::Nonexistent { .. }));
    assert!(err.to_string().contains("2026-10-04 02:30:00"), "{err}");
    assert!(local_time::parse_local("2026-10-04 02:30").is_err());
    assert_eq!(
        local_time::parse_local("2026-10-04 03:00")
            .unwrap()
            .to_rfc3339(),
        "2026-10-04T03:00:00+11:00"
    );
}

/// R-CAL: the hour repeated when daylight saving ends (5 Apr 2026, 03:00 → 02:00) takes
/// the earlier instant, still in daylight time.
#[test]
fn r_cal_ambiguous_local_time_takes_the_earlier_instant() {
    let instant =
        local_time::at_local(d(2026, 4, 5), NaiveTime::from_hms_opt(2, 30, 0).unwrap()).unwrap();
    assert_eq!(instant.to_rfc3339(), "2026-04-05T02:30:00+11:00");
}

/// R-CAL: accepted local time formats.
#[test]
fn r_cal_parse_local_accepts_the_documented_forms() {
    for text in [
        "2026-03-09 17:00",
        "2026-03-09T17:00",
        "2026-03-09 17:00:00",
        " 2026-03-09T17:00:00 ",
    ] {
        assert_eq!(
            local_time::parse_local(text).unwrap().to_rfc3339(),
            "2026-03-09T17:00:00+11:00",
            "{text}"
        );
    }
    assert_eq!(
        local_time::parse_local("2026-07-01 09:30")
            .unwrap()
            .to_rfc3339(),
        "2026-07-01T09:30:00+10:00"
    );
}

/// R-CAL: a parse error says what was expected and what was given.
#[test]
fn r_cal_parse_local_errors_are_clear() {
    for text in ["9/3/2026 5pm", "2026-03-09", "2026-02-30 10:00", ""] {
        let err = local_time::parse_local(text).unwrap_err();
        assert_eq!(
            err,
            LocalTimeError::Unparseable {
                given: text.to_owned()
            }
        );
        let message = err.to_string();
        assert!(message.contains("YYYY-MM-DD HH:MM"), "{message}");
        assert!(message.contains(&format!("\"{text}\"")), "{message}");
    }
}

/// R-CAL: the local date of an instant is the Melbourne date.
#[test]
fn r_cal_local_date_is_the_melbourne_date() {
    let instant = chrono::DateTime::parse_from_rfc3339("2026-06-30T14:30:00Z")
        .unwrap()
        .to_utc();
    assert_eq!(local_time::local_date(instant), d(2026, 7, 1));
    assert_eq!(local_time::ZONE.name(), "Australia/Melbourne");
}
