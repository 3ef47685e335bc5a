//! `GET /v1/analytics`: counts of the records the caller may see, by one grouping and by
//! week or month (stage 5). Small counts are hidden from callers who are not protective
//! interveners (R-PRIV-4).

use axum::Json;
use axum::extract::{Query, State};
use chrono::Utc;
use serde::Deserialize;
use utoipa::IntoParams;

use crate::domain::analytics::{self, GroupBy, Interval, Shown, Table};
use crate::domain::local_time::local_date;
use crate::domain::model::RecordKind;
use crate::domain::policy::PolicySet;
use crate::domain::query::StatusFilter;
use crate::store::{QueueQuery, SortKey};
use crate::wire::{self, AnalyticsCount, ErrorBody};

use super::AppState;
use super::auth::{Caller, viewer};
use super::error::ApiError;
use super::records::scope_and_filter;

/// The most periods one answer holds: two years of weeks.
pub const MAX_PERIODS: usize = 104;
const DEFAULT_PERIODS: usize = 12;

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct AnalyticsParams {
    /// type (default), service, org, impact, stage or outcome.
    #[param(pattern = "^(type|service|org|impact|stage|outcome)$")]
    pub by: Option<String>,
    /// month (default) or week.
    #[param(pattern = "^(week|month)$")]
    pub interval: Option<String>,
    /// How many periods back from this one, 1 to 104 (default 12); ignored when `q` names
    /// `created:` dates.
    #[param(minimum = 1, maximum = 104)]
    pub periods: Option<usize>,
    /// The queue's filter language. Counts cover incidents of any status unless it says
    /// otherwise (`kind:intake`, `status:open`, `org:…`, `type:…`).
    pub q: Option<String>,
}

/// Counts by group and period, with the filter that lists each group's records.
#[utoipa::path(
    get, path = "/v1/analytics", tag = "analysis",
    params(AnalyticsParams),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "Counts, small ones hidden for callers who are not protective interveners", body = wire::Analytics),
        (status = 400, description = "Bad grouping, interval, periods or filter", body = ErrorBody),
        (status = 401, description = "No valid token", body = ErrorBody),
        (status = 403, description = "Admin accounts see no client data", body = ErrorBody),
    )
)]
pub async fn analytics(
    caller: Caller,
    State(state): State<AppState>,
    Query(params): Query<AnalyticsParams>,
) -> Result<Json<wire::Analytics>, ApiError> {
    let by = match params.by.as_deref() {
        None => GroupBy::Type,
        Some(text) => GroupBy::parse(text).ok_or_else(|| {
            ApiError::bad_request(format!(
                "by={text}: use type, service, org, impact, stage or outcome"
            ))
        })?,
    };
    let interval = match params.interval.as_deref() {
        None => Interval::Month,
        Some(text) => Interval::parse(text)
            .ok_or_else(|| ApiError::bad_request(format!("interval={text}: use week or month")))?,
    };
    let count = params.periods.unwrap_or(DEFAULT_PERIODS);
    if !(1..=MAX_PERIODS).contains(&count) {
        return Err(ApiError::bad_request(format!(
            "periods must be 1 to {MAX_PERIODS}"
        )));
    }
    let user_query = params.q.unwrap_or_default();
    // Later terms win, so the caller's own `kind:` or `status:` replaces these.
    let base = format!("kind:incident status:any {user_query}");
    let (scope, mut filter) = scope_and_filter(&state, &caller, None, Some(&base)).await?;
    let now = Utc::now();
    let today = local_date(now);
    let periods = match filter.created {
        Some((from, to)) => interval.periods_between(from, to, MAX_PERIODS),
        None => interval.periods_ending(today, count),
    };
    let (Some(first), Some(last)) = (periods.first().copied(), periods.last().copied()) else {
        return Err(ApiError::bad_request("no period to count over"));
    };
    let created = filter
        .created
        .unwrap_or((first, interval.end(last).min(today)));
    filter.created = Some(created);
    // The terms that say which records were counted, for each group's own filter.
    let scope_terms = format!(
        "kind:{} status:{}",
        filter.kind.unwrap_or(RecordKind::Incident).as_str(),
        match filter.status {
            StatusFilter::Open => "open",
            StatusFilter::Closed => "closed",
            StatusFilter::Any => "any",
        }
    );
    let policy = state.policies.in_force_at(now);
    let q = QueueQuery {
        viewer: viewer(&caller.actor, scope, policy),
        filter,
        sort: SortKey::Due,
        descending: false,
        limit: 1,
        cursor: None,
        now,
    };
    let facts = state.store.facts(&q, &state.policies, by).await?;
    let table = Table::tabulate(facts, interval, periods);
    // R-PRIV-4: only a protective intervener sees small counts.
    let min = policy.parameters.analytics_min_count;
    let (shown, suppressed_below) = if caller.actor.protective_intervener {
        (analytics::exact(&table), None)
    } else {
        (analytics::suppress(&table, u64::from(min)), Some(min))
    };
    let count_of = |s: &Shown| match s {
        Shown::Exact(n) => AnalyticsCount::Exact(*n),
        Shown::Hidden => AnalyticsCount::Hidden(format!("<{min}")),
    };
    let organisations = state.store.organisations().await?;
    let dates = format!("created:{}..{}", created.0, created.1);
    let groups = table
        .groups
        .iter()
        .enumerate()
        .map(|(g, key)| wire::AnalyticsGroup {
            key: key.clone(),
            label: label(&state.policies, &organisations, by, key),
            query: by
                .term(key)
                .map(|term| tidy(&format!("{scope_terms} {user_query} {term} {dates}"))),
            total: count_of(&shown.group_totals[g]),
            counts: shown.counts[g].iter().map(count_of).collect(),
        })
        .collect();
    Ok(Json(wire::Analytics {
        by,
        interval,
        query: tidy(&format!("{scope_terms} {user_query} {dates}")),
        periods: table
            .periods
            .iter()
            .map(|start| wire::AnalyticsPeriod {
                start: *start,
                end: interval.end(*start),
                label: interval.label(*start),
                partial: interval.end(*start) >= today,
            })
            .collect(),
        groups,
        period_totals: shown.period_totals.iter().map(count_of).collect(),
        total: count_of(&shown.total),
        suppressed_below,
    }))
}

fn tidy(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// A group's name as people say it: the policy's names for types, services and stages,
/// the organisation's name.
fn label(
    policies: &PolicySet,
    organisations: &[crate::store::Organisation],
    by: GroupBy,
    key: &str,
) -> String {
    let eras = policies.eras();
    let found = match by {
        GroupBy::Type => eras
            .iter()
            .find_map(|p| p.incident_type(key).map(|t| t.name.clone())),
        GroupBy::Service => eras.iter().find_map(|p| {
            p.service_types
                .iter()
                .find(|s| s.id == key)
                .map(|s| s.name.clone())
        }),
        GroupBy::Stage => eras.iter().find_map(|p| {
            p.stages
                .iter()
                .find(|s| s.id == key)
                .map(|s| format!("{} {}", s.number, s.name))
        }),
        GroupBy::Org => organisations
            .iter()
            .find(|o| o.id == key)
            .map(|o| o.name.clone()),
        GroupBy::Impact => match key {
            "major" => Some("Major impact".to_string()),
            "non_major" => Some("Non-major impact".to_string()),
            _ => None,
        },
        GroupBy::Outcome => match key {
            "met" => Some("Deadlines met".to_string()),
            "overdue" => Some("A deadline missed".to_string()),
            _ => None,
        },
    };
    found.unwrap_or_else(|| {
        if key == analytics::NONE {
            "Not yet given".to_string()
        } else {
            key.to_string()
        }
    })
}
