//! Stage 5, analysis: counts of records by one grouping and by week or month, and the
//! small-count suppression that keeps an aggregate from singling out a child (R-PRIV-4).

use std::collections::BTreeMap;

use chrono::{Datelike, Days, Months, NaiveDate};
use serde::{Deserialize, Serialize};

/// What the records are counted by.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum GroupBy {
    /// The incident's primary type.
    Type,
    Service,
    Org,
    Impact,
    Stage,
    /// Whether the record's deadlines were kept (met) or not (overdue).
    Outcome,
}

impl GroupBy {
    pub const ALL: [GroupBy; 6] = [
        GroupBy::Type,
        GroupBy::Service,
        GroupBy::Org,
        GroupBy::Impact,
        GroupBy::Stage,
        GroupBy::Outcome,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            GroupBy::Type => "type",
            GroupBy::Service => "service",
            GroupBy::Org => "org",
            GroupBy::Impact => "impact",
            GroupBy::Stage => "stage",
            GroupBy::Outcome => "outcome",
        }
    }

    pub fn parse(text: &str) -> Option<GroupBy> {
        GroupBy::ALL.into_iter().find(|g| g.as_str() == text)
    }

    /// The filter term that selects one group's records, as the queue's filter spells it;
    /// `None` for a group no term can name (records not yet given an impact or type).
    pub fn term(self, key: &str) -> Option<String> {
        if key == NONE {
            return None;
        }
        Some(format!("{}:{key}", self.as_str()))
    }
}

/// The group of records without a value (an impact not yet classified, an intake's type).
pub const NONE: &str = "none";

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Interval {
    /// Weeks from Monday.
    Week,
    Month,
}

impl Interval {
    pub fn parse(text: &str) -> Option<Interval> {
        match text {
            "week" => Some(Interval::Week),
            "month" => Some(Interval::Month),
            _ => None,
        }
    }

    /// The first day of the period holding `date`.
    pub fn start(self, date: NaiveDate) -> NaiveDate {
        match self {
            Interval::Week => date
                .checked_sub_days(Days::new(u64::from(date.weekday().num_days_from_monday())))
                .unwrap_or(date),
            Interval::Month => date.with_day(1).unwrap_or(date),
        }
    }

    fn next(self, start: NaiveDate) -> Option<NaiveDate> {
        match self {
            Interval::Week => start.checked_add_days(Days::new(7)),
            Interval::Month => start.checked_add_months(Months::new(1)),
        }
    }

    fn previous(self, start: NaiveDate) -> Option<NaiveDate> {
        match self {
            Interval::Week => start.checked_sub_days(Days::new(7)),
            Interval::Month => start.checked_sub_months(Months::new(1)),
        }
    }

    /// The starts of the `count` periods ending with the one holding `last`, oldest first.
    pub fn periods_ending(self, last: NaiveDate, count: usize) -> Vec<NaiveDate> {
        let mut starts = vec![self.start(last)];
        while starts.len() < count {
            match starts.last().and_then(|s| self.previous(*s)) {
                Some(earlier) => starts.push(earlier),
                None => break,
            }
        }
        starts.reverse();
        starts
    }

    /// The starts of the periods from the one holding `from` to the one holding `to`.
    pub fn periods_between(self, from: NaiveDate, to: NaiveDate, most: usize) -> Vec<NaiveDate> {
        let mut starts = Vec::new();
        let mut at = Some(self.start(from));
        while let Some(start) = at.filter(|s| *s <= to && starts.len() < most) {
            starts.push(start);
            at = self.next(start);
        }
        starts
    }

    /// The last day of the period starting at `start`.
    pub fn end(self, start: NaiveDate) -> NaiveDate {
        self.next(start).and_then(|n| n.pred_opt()).unwrap_or(start)
    }

    /// "Nov 2026", or "w/c 23 Nov" for a week.
    pub fn label(self, start: NaiveDate) -> String {
        match self {
            Interval::Week => start.format("w/c %-d %b").to_string(),
            Interval::Month => start.format("%b %Y").to_string(),
        }
    }
}

/// Counts by group and period: `counts[g][p]` is group `g` in period `p`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Table {
    pub periods: Vec<NaiveDate>,
    pub groups: Vec<String>,
    pub counts: Vec<Vec<u64>>,
}

impl Table {
    /// Add up counts given as (group, Melbourne creation date, how many) into their
    /// periods; dates outside the periods are left out. Groups come largest first.
    pub fn tabulate(
        counts: impl IntoIterator<Item = (String, NaiveDate, u64)>,
        interval: Interval,
        periods: Vec<NaiveDate>,
    ) -> Table {
        let index: BTreeMap<NaiveDate, usize> =
            periods.iter().enumerate().map(|(i, p)| (*p, i)).collect();
        let mut by_group: BTreeMap<String, Vec<u64>> = BTreeMap::new();
        for (group, date, n) in counts {
            if let Some(&p) = index.get(&interval.start(date)) {
                let row = by_group
                    .entry(group)
                    .or_insert_with(|| vec![0; periods.len()]);
                row[p] += n;
            }
        }
        let mut rows: Vec<(String, Vec<u64>)> = by_group.into_iter().collect();
        rows.sort_by(|a, b| {
            let total = |r: &Vec<u64>| r.iter().sum::<u64>();
            total(&b.1).cmp(&total(&a.1)).then_with(|| a.0.cmp(&b.0))
        });
        let (groups, counts) = rows.into_iter().unzip();
        Table {
            periods,
            groups,
            counts,
        }
    }

    pub fn group_totals(&self) -> Vec<u64> {
        self.counts.iter().map(|row| row.iter().sum()).collect()
    }

    pub fn period_totals(&self) -> Vec<u64> {
        (0..self.periods.len())
            .map(|p| self.counts.iter().map(|row| row[p]).sum())
            .collect()
    }

    pub fn total(&self) -> u64 {
        self.group_totals().iter().sum()
    }
}

/// A count as it may be shown: exact, or only known to be below the threshold.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Shown {
    Exact(u64),
    /// Between 1 and the threshold less one; or any count hidden so that a hidden one
    /// cannot be worked out from a total.
    Hidden,
}

/// A table's counts as one caller may see them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ShownTable {
    pub counts: Vec<Vec<Shown>>,
    pub group_totals: Vec<Shown>,
    pub period_totals: Vec<Shown>,
    pub total: Shown,
}

/// One line of cells that add up to a total, as positions in the grid of cells.
type Line = (Vec<(usize, usize)>, (usize, usize));

/// R-PRIV-4: hide every count from 1 to `min - 1`, then keep hiding until no hidden count
/// can be recovered by subtracting the visible ones from a visible total. The grid is the
/// table with its totals as an extra row and column; a line is a row or a column of it.
pub fn suppress(table: &Table, min: u64) -> ShownTable {
    let groups = table.groups.len();
    let periods = table.periods.len();
    // Rows 0..groups are groups, row `groups` the period totals; column `periods` the
    // group totals.
    let mut value = vec![vec![0u64; periods + 1]; groups + 1];
    for (g, row) in table.counts.iter().enumerate() {
        for (p, n) in row.iter().enumerate() {
            value[g][p] = *n;
        }
    }
    for (g, n) in table.group_totals().into_iter().enumerate() {
        value[g][periods] = n;
    }
    for (p, n) in table.period_totals().into_iter().enumerate() {
        value[groups][p] = n;
    }
    value[groups][periods] = table.total();
    let mut hidden: Vec<Vec<bool>> = value
        .iter()
        .map(|row| row.iter().map(|n| (1..min).contains(n)).collect())
        .collect();
    let mut lines: Vec<Line> = Vec::new();
    for g in 0..=groups {
        lines.push(((0..periods).map(|p| (g, p)).collect(), (g, periods)));
    }
    for p in 0..=periods {
        lines.push(((0..groups).map(|g| (g, p)).collect(), (groups, p)));
    }
    loop {
        let mut changed = false;
        for (cells, total) in &lines {
            let hidden_cells = cells.iter().filter(|(r, c)| hidden[*r][*c]).count();
            if hidden_cells != 1 || hidden[total.0][total.1] {
                continue;
            }
            // Hide the smallest other non-zero count, or the total when there is none.
            let partner = cells
                .iter()
                .filter(|(r, c)| !hidden[*r][*c] && value[*r][*c] > 0)
                .min_by_key(|(r, c)| value[*r][*c])
                .copied()
                .unwrap_or(*total);
            hidden[partner.0][partner.1] = true;
            changed = true;
        }
        if !changed {
            break;
        }
    }
    let shown = |r: usize, c: usize| {
        if hidden[r][c] {
            Shown::Hidden
        } else {
            Shown::Exact(value[r][c])
        }
    };
    ShownTable {
        counts: (0..groups)
            .map(|g| (0..periods).map(|p| shown(g, p)).collect())
            .collect(),
        group_totals: (0..groups).map(|g| shown(g, periods)).collect(),
        period_totals: (0..periods).map(|p| shown(groups, p)).collect(),
        total: shown(groups, periods),
    }
}

/// Every count exactly, for a caller who may see them all.
pub fn exact(table: &Table) -> ShownTable {
    let all = |v: Vec<u64>| v.into_iter().map(Shown::Exact).collect();
    ShownTable {
        counts: table.counts.iter().map(|row| all(row.clone())).collect(),
        group_totals: all(table.group_totals()),
        period_totals: all(table.period_totals()),
        total: Shown::Exact(table.total()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).expect("date")
    }

    fn table(counts: Vec<Vec<u64>>) -> Table {
        Table {
            periods: (0..counts[0].len())
                .map(|i| day(2026, 1 + i as u32, 1))
                .collect(),
            groups: (0..counts.len()).map(|g| format!("g{g}")).collect(),
            counts,
        }
    }

    #[test]
    fn weeks_start_on_monday_and_months_on_the_first() {
        assert_eq!(Interval::Week.start(day(2026, 11, 29)), day(2026, 11, 23));
        assert_eq!(Interval::Month.start(day(2026, 11, 29)), day(2026, 11, 1));
        assert_eq!(
            Interval::Month.periods_ending(day(2026, 2, 10), 3),
            [day(2025, 12, 1), day(2026, 1, 1), day(2026, 2, 1)]
        );
        assert_eq!(Interval::Month.end(day(2026, 2, 1)), day(2026, 2, 28));
        assert_eq!(Interval::Week.label(day(2026, 11, 23)), "w/c 23 Nov");
    }

    #[test]
    fn tabulate_counts_each_record_once_in_its_period_largest_group_first() {
        let periods = Interval::Month.periods_ending(day(2026, 3, 1), 3);
        let t = Table::tabulate(
            [
                ("neglect".to_string(), day(2026, 1, 31), 1),
                ("assault".to_string(), day(2026, 2, 1), 1),
                ("assault".to_string(), day(2026, 3, 5), 2),
                ("assault".to_string(), day(2025, 12, 31), 1),
            ],
            Interval::Month,
            periods,
        );
        assert_eq!(t.groups, ["assault", "neglect"]);
        assert_eq!(t.counts, [vec![0, 1, 2], vec![1, 0, 0]]);
        assert_eq!(t.total(), 4);
    }

    #[test]
    fn r_priv_4_counts_below_the_threshold_are_hidden_and_cannot_be_recovered() {
        let shown = suppress(&table(vec![vec![3, 9, 12], vec![20, 30, 40]]), 5);
        // 3 is hidden; its row total would give it away with 9 and 12, so 9 is hidden too;
        // its column total would give it away with 20, so 20 is hidden as well.
        assert_eq!(shown.counts[0][0], Shown::Hidden);
        assert_eq!(shown.counts[0][1], Shown::Hidden);
        assert_eq!(shown.counts[1][0], Shown::Hidden);
        assert_eq!(shown.counts[0][2], Shown::Exact(12));
        // No line left with exactly one hidden count and a visible total.
        let rows: Vec<Vec<Shown>> = shown
            .counts
            .iter()
            .zip(&shown.group_totals)
            .map(|(r, t)| r.iter().copied().chain([*t]).collect())
            .collect();
        for row in &rows {
            let hidden = row.iter().filter(|s| **s == Shown::Hidden).count();
            assert_ne!(hidden, 1, "{row:?}");
        }
    }

    #[test]
    fn r_priv_4_zero_and_large_counts_stay_exact() {
        let shown = suppress(&table(vec![vec![0, 7], vec![6, 8]]), 5);
        assert_eq!(shown, exact(&table(vec![vec![0, 7], vec![6, 8]])));
    }

    /// No row or column of counts with its total shows all but one value exactly.
    fn recoverable(shown: &ShownTable) -> bool {
        let lone = |cells: Vec<Shown>, total: Shown| {
            total != Shown::Hidden && cells.iter().filter(|c| **c == Shown::Hidden).count() == 1
        };
        let rows = shown
            .counts
            .iter()
            .zip(&shown.group_totals)
            .any(|(row, t)| lone(row.clone(), *t));
        let columns = (0..shown.period_totals.len()).any(|p| {
            lone(
                shown.counts.iter().map(|row| row[p]).collect(),
                shown.period_totals[p],
            )
        });
        rows || columns || lone(shown.group_totals.clone(), shown.total)
    }

    #[test]
    fn r_priv_4_no_hidden_count_can_be_worked_out_from_the_totals() {
        for counts in [
            vec![vec![0, 2, 0], vec![10, 10, 10]],
            vec![vec![1, 0], vec![0, 0], vec![50, 60]],
            vec![vec![4], vec![100]],
            vec![vec![3, 3, 3, 3], vec![0, 0, 0, 9], vec![5, 5, 5, 5]],
        ] {
            let shown = suppress(&table(counts.clone()), 5);
            assert!(!recoverable(&shown), "{counts:?} gives {shown:?}");
            for (g, row) in counts.iter().enumerate() {
                for (p, n) in row.iter().enumerate() {
                    if (1..5).contains(n) {
                        assert_eq!(shown.counts[g][p], Shown::Hidden);
                    }
                }
            }
        }
    }
}
