//! Analysis counts and view counts read from `record_counts`, which triggers keep in the
//! transaction of every change to a record (migration 0008), so their cost follows the
//! number of distinct dates and groups, not the number of records.
//!
//! The table holds one dimension besides the scope at a time, so it answers a filter that
//! names at most one of type, service, impact, stage and outcome, together with the
//! grouping asked for; anything else (words, assignees, due times, actions) is counted
//! from the records. Outcomes are counted per visibility class, on the deadlines that
//! class sees (R-PRIV-9): each record is kept under its next due date, and the records due
//! today, on either side of now, are counted from the records themselves.

use chrono::{DateTime, Days, NaiveDate, Utc};
use sqlx::Row;

use crate::domain::analytics::{self, GroupBy};
use crate::domain::model::Impact;
use crate::domain::policy::PolicySet;
use crate::domain::query::{Filter, Outcome};

use super::queue::{
    Branch, Class, Conditions, QueueError, QueueQuery, conditions, scope, stage_ids,
};
use super::{Store, StoreError, db_time};

/// The dimension a count reads, besides the scope columns every row has.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Dimension {
    Type,
    Service,
    Impact,
    Stage,
    Outcome,
}

impl Dimension {
    fn name(self, class: Class) -> &'static str {
        match self {
            Dimension::Type => "type",
            Dimension::Service => "service",
            Dimension::Impact => "impact",
            Dimension::Stage => "stage",
            Dimension::Outcome => match class {
                Class::Full => "due",
                Class::Identifying => "due_identifying",
                Class::Open => "due_open",
            },
        }
    }

    fn of_grouping(by: GroupBy) -> Option<Dimension> {
        match by {
            GroupBy::Type => Some(Dimension::Type),
            GroupBy::Service => Some(Dimension::Service),
            GroupBy::Impact => Some(Dimension::Impact),
            GroupBy::Stage => Some(Dimension::Stage),
            GroupBy::Outcome => Some(Dimension::Outcome),
            GroupBy::Org => None,
        }
    }
}

/// The one dimension that answers `filter` grouped by `by`, or `None` when the counts
/// cannot answer it.
fn dimension(filter: &Filter, by: Option<GroupBy>) -> Option<Dimension> {
    if !filter.text.is_empty()
        || filter.actions.is_some()
        || filter.assigned.is_some()
        || filter.mine
        || filter.reminder.is_some()
        || filter.person.is_some()
        || filter.submission.is_some()
        || filter.due_within.is_some()
        || filter.due_at_risk
        || filter.overdue
    {
        return None;
    }
    let named = [
        filter.incident_type.as_ref().map(|_| Dimension::Type),
        filter.service_type.as_ref().map(|_| Dimension::Service),
        filter.impact.map(|_| Dimension::Impact),
        filter.stage.as_ref().map(|_| Dimension::Stage),
        filter.outcome.map(|_| Dimension::Outcome),
        by.and_then(Dimension::of_grouping),
    ];
    let mut chosen: Option<Dimension> = None;
    for dimension in named.into_iter().flatten() {
        match chosen {
            Some(d) if d != dimension => return None,
            _ => chosen = Some(dimension),
        }
    }
    Some(chosen.unwrap_or(Dimension::Stage))
}

/// The UTC day of `now`, as the counts keep due dates, and its first and last instants.
struct Today {
    date: String,
    start: String,
    end: String,
}

impl Today {
    fn of(now: DateTime<Utc>) -> Today {
        let day = now.date_naive();
        let next = day.checked_add_days(Days::new(1)).unwrap_or(day);
        let midnight = |d: NaiveDate| db_time(d.and_time(chrono::NaiveTime::MIN).and_utc());
        Today {
            date: day.to_string(),
            start: midnight(day),
            end: midnight(next),
        }
    }
}

/// The conditions on `record_counts` for one part of what the caller may see: its scope,
/// the filter and the dimension.
fn count_conditions(
    q: &QueueQuery,
    policies: &PolicySet,
    (branch, class): (Branch, Class),
    dimension: Dimension,
    today: &Today,
) -> Conditions {
    let mut c = Conditions::new(class);
    let d = c.text(dimension.name(class));
    c.push(format!("dimension = {d}"));
    scope(&mut c, q, branch);
    let f = &q.filter;
    let values: Vec<String> = match dimension {
        Dimension::Type => f.incident_type.iter().cloned().collect(),
        Dimension::Service => f.service_type.iter().cloned().collect(),
        Dimension::Impact => f
            .impact
            .map(|i| match i {
                Impact::Major => "major".to_string(),
                Impact::NonMajor => "non_major".to_string(),
            })
            .into_iter()
            .collect(),
        Dimension::Stage => stage_ids(f, policies),
        Dimension::Outcome => Vec::new(),
    };
    let filtered = match dimension {
        Dimension::Stage => f.stage.is_some(),
        Dimension::Outcome => false,
        _ => !values.is_empty(),
    };
    if filtered {
        if values.is_empty() {
            c.push("1 = 0".to_string());
        } else {
            let params: Vec<String> = values.into_iter().map(|v| c.text(v)).collect();
            c.push(format!("grp IN ({})", params.join(", ")));
        }
    }
    if dimension == Dimension::Outcome {
        // Records due today are counted from the records, on either side of now.
        let day = c.text(&today.date);
        c.push(format!("grp <> {day}"));
        if let Some(outcome) = f.outcome {
            let day = c.text(&today.date);
            c.push(match outcome {
                Outcome::Overdue => format!("(grp = 'missed' OR grp < {day})"),
                Outcome::Met => format!("(grp <> 'missed' AND grp > {day})"),
            });
        }
    }
    c
}

/// The group a row of counts belongs to, as [`super::Store::facts`] names it.
fn group_of(by: GroupBy, c: &mut Conditions, today: &Today) -> String {
    match by {
        GroupBy::Org => "org_id".to_string(),
        GroupBy::Stage => "grp".to_string(),
        GroupBy::Outcome => {
            let day = c.text(&today.date);
            format!("CASE WHEN grp = 'missed' OR grp < {day} THEN 'overdue' ELSE 'met' END")
        }
        GroupBy::Type | GroupBy::Service | GroupBy::Impact => {
            let none = c.text(analytics::NONE);
            format!("CASE WHEN grp = '' THEN {none} ELSE grp END")
        }
    }
}

/// The records of one part due today and not met late, on the deadlines its class sees:
/// the outcome of each depends on whether its due time has passed.
fn due_today(
    q: &QueueQuery,
    policies: &PolicySet,
    part: (Branch, Class),
    today: &Today,
) -> Conditions {
    let mut c = conditions(q, policies, part);
    let (due, missed) = (part.1.next_due(), part.1.missed());
    let (start, end) = (c.text(&today.start), c.text(&today.end));
    c.push(format!(
        "{missed} = 0 AND {due} >= {start} AND {due} < {end}"
    ));
    c
}

fn count_of(row: &sqlx::any::AnyRow) -> Result<u64, QueueError> {
    let n: i64 = row.try_get("n")?;
    Ok(u64::try_from(n).unwrap_or(0))
}

fn date_of(row: &sqlx::any::AnyRow) -> Result<NaiveDate, QueueError> {
    let created: String = row.try_get("created_on")?;
    created.parse::<NaiveDate>().map_err(|e| {
        QueueError::Store(StoreError::Corrupt(format!(
            "a creation date {created:?}: {e}"
        )))
    })
}

/// The one dimension of type, service, impact and stage the filter names, if just one.
fn named_dimension(filter: &Filter) -> Option<Dimension> {
    let named: Vec<Dimension> = [
        filter.incident_type.as_ref().map(|_| Dimension::Type),
        filter.service_type.as_ref().map(|_| Dimension::Service),
        filter.impact.map(|_| Dimension::Impact),
        filter.stage.as_ref().map(|_| Dimension::Stage),
    ]
    .into_iter()
    .flatten()
    .collect();
    match named.as_slice() {
        [one] => Some(*one),
        _ => None,
    }
}

impl Store {
    /// The (group, creation date, count) rows a counting statement answers.
    async fn facts_of(
        &self,
        c: &Conditions,
        sql: String,
    ) -> Result<Vec<(String, NaiveDate, u64)>, QueueError> {
        let rows = c
            .bind(sqlx::query(sqlx::AssertSqlSafe(sql)))
            .fetch_all(&self.pool)
            .await?;
        rows.iter()
            .map(|row| Ok((row.try_get("grp_key")?, date_of(row)?, count_of(row)?)))
            .collect()
    }

    /// How many records of one part of what the caller may see hold the filter's type,
    /// service, impact or stage, or were created on its dates, when it names them, read from at most `rows` rows of
    /// counts (each counts one record or more, so a sum of `rows` or more means "at least
    /// that many"). The whole filter matches no more, since its other terms only narrow
    /// it. The queue skips a part where this is none, and sorts the few it finds rather
    /// than walk the part in deadline order.
    pub(super) async fn matching(
        &self,
        q: &QueueQuery,
        policies: &PolicySet,
        part: (Branch, Class),
        rows: i64,
    ) -> Result<Option<i64>, QueueError> {
        let dimension = match named_dimension(&q.filter) {
            Some(dimension) => dimension,
            // Every record counts once under its stage: the scope and dates alone.
            None if q.filter.created.is_some() => Dimension::Stage,
            None => return Ok(None),
        };
        let mut c = count_conditions(q, policies, part, dimension, &Today::of(q.now));
        let limit = c.int(rows);
        let sql = format!(
            "SELECT CAST(COALESCE(SUM(n), 0) AS BIGINT) AS n FROM \
             (SELECT n FROM record_counts{} LIMIT {limit}) AS counted",
            c.where_clause()
        );
        let row = c
            .bind(sqlx::query(sqlx::AssertSqlSafe(sql)))
            .fetch_one(&self.pool)
            .await?;
        Ok(Some(row.try_get::<i64, _>("n")?))
    }

    /// [`Store::facts`] from the counts, when they can answer the query.
    pub(super) async fn counted_facts(
        &self,
        q: &QueueQuery,
        policies: &PolicySet,
        by: GroupBy,
    ) -> Result<Option<Vec<(String, NaiveDate, u64)>>, QueueError> {
        let Some(dimension) = dimension(&q.filter, Some(by)) else {
            return Ok(None);
        };
        let today = Today::of(q.now);
        let mut facts = Vec::new();
        for part in super::queue::branches(&q.viewer) {
            let mut c = count_conditions(q, policies, part, dimension, &today);
            let group = group_of(by, &mut c, &today);
            let sql = format!(
                "SELECT {group} AS grp_key, created_on, CAST(SUM(n) AS BIGINT) AS n \
                 FROM record_counts{} GROUP BY grp_key, created_on",
                c.where_clause()
            );
            facts.extend(self.facts_of(&c, sql).await?);
            if dimension == Dimension::Outcome {
                let mut c = due_today(q, policies, part, &today);
                let now = c.text(db_time(q.now));
                let sql = format!(
                    "SELECT CASE WHEN {} < {now} THEN 'overdue' ELSE 'met' END AS grp_key, \
                     created_on, COUNT(*) AS n FROM records{} GROUP BY grp_key, created_on",
                    part.1.next_due(),
                    c.where_clause()
                );
                facts.extend(self.facts_of(&c, sql).await?);
            }
        }
        Ok(Some(facts))
    }

    /// [`Store::count`] from the counts, when they can answer the query.
    pub(super) async fn counted(
        &self,
        q: &QueueQuery,
        policies: &PolicySet,
    ) -> Result<Option<i64>, QueueError> {
        let Some(dimension) = dimension(&q.filter, None) else {
            return Ok(None);
        };
        let today = Today::of(q.now);
        let mut total: i64 = 0;
        for part in super::queue::branches(&q.viewer) {
            let c = count_conditions(q, policies, part, dimension, &today);
            let sql = format!(
                "SELECT CAST(COALESCE(SUM(n), 0) AS BIGINT) AS n FROM record_counts{}",
                c.where_clause()
            );
            let row = c
                .bind(sqlx::query(sqlx::AssertSqlSafe(sql)))
                .fetch_one(&self.pool)
                .await?;
            total += row.try_get::<i64, _>("n")?;
            if dimension == Dimension::Outcome {
                let c = due_today(q, policies, part, &today);
                let sql = format!("SELECT COUNT(*) AS n FROM records{}", c.where_clause());
                let row = c
                    .bind(sqlx::query(sqlx::AssertSqlSafe(sql)))
                    .fetch_one(&self.pool)
                    .await?;
                total += row.try_get::<i64, _>("n")?;
            }
        }
        Ok(Some(total))
    }
}
