//! `GET /v1/learning-actions`: the open learning actions of the records the caller may see,
//! soonest due first (R-STAGE, stage 5), each masked as its record would be (R-PRIV-4).

use axum::Json;
use axum::extract::{Query, State};
use chrono::Utc;
use serde::Deserialize;
use utoipa::IntoParams;

use crate::domain::local_time;
use crate::domain::query::ActionsFilter;
use crate::store::{QueueQuery, SortKey};
use crate::wire::{self, ErrorBody};

use super::AppState;
use super::auth::{Caller, viewer};
use super::error::ApiError;
use super::present;
use super::records::scope_and_filter;

/// The most records whose actions one answer holds, and how many unless asked.
pub const MAX_ACTION_RECORDS: i64 = 500;
const DEFAULT_ACTION_RECORDS: i64 = 200;

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct ActionParams {
    /// Only the actions the caller owns.
    pub mine: Option<bool>,
    /// The queue's filter language, applied to the actions' records.
    pub q: Option<String>,
    /// How many records' actions one answer holds, 1 to 500 (default 200).
    #[param(minimum = 1, maximum = 500)]
    pub limit: Option<i64>,
    /// `next_cursor` of the previous answer, for the records after it.
    pub cursor: Option<String>,
}

/// Open learning actions of one page of records, taken in the order of their next
/// deadline; within an answer, soonest due first.
#[utoipa::path(
    get, path = "/v1/learning-actions", tag = "analysis",
    params(ActionParams),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "Open learning actions, soonest due first", body = wire::LearningActions),
        (status = 400, description = "Bad filter, limit or cursor", body = ErrorBody),
        (status = 401, description = "No valid token", body = ErrorBody),
        (status = 403, description = "Admin accounts see no client data", body = ErrorBody),
    )
)]
pub async fn learning_actions(
    caller: Caller,
    State(state): State<AppState>,
    Query(params): Query<ActionParams>,
) -> Result<Json<wire::LearningActions>, ApiError> {
    let mine = params.mine.unwrap_or(false);
    let limit = params.limit.unwrap_or(DEFAULT_ACTION_RECORDS);
    if !(1..=MAX_ACTION_RECORDS).contains(&limit) {
        return Err(ApiError::bad_request(format!(
            "limit must be 1 to {MAX_ACTION_RECORDS}"
        )));
    }
    let (scope, mut filter) = scope_and_filter(&state, &caller, None, params.q.as_deref()).await?;
    filter.actions = Some(if mine {
        ActionsFilter::Mine
    } else {
        ActionsFilter::Open
    });
    let now = Utc::now();
    let q = QueueQuery {
        viewer: viewer(&caller.actor, scope, state.policies.in_force_at(now)),
        filter,
        sort: SortKey::Due,
        descending: false,
        limit,
        cursor: params.cursor,
        now,
    };
    state.store.sync_terms().await?;
    let page = state.store.queue(&q, &state.policies).await?;
    let mut rows: Vec<wire::LearningActionRow> = page
        .rows
        .iter()
        .flat_map(|row| present::learning_actions(&state, &caller, &row.record))
        .filter(|r| !mine || r.action.owner == caller.actor.user)
        .collect();
    rows.sort_by(|a, b| {
        (a.action.due_on, &a.record, a.action.id).cmp(&(b.action.due_on, &b.record, b.action.id))
    });
    let today = local_time::local_date(now);
    Ok(Json(wire::LearningActions {
        overdue: rows
            .iter()
            .filter(|r| local_time::close_of_business(r.action.due_on) < now)
            .count(),
        due_today: rows.iter().filter(|r| r.action.due_on == today).count(),
        rows,
        complete: page.next_cursor.is_none(),
        next_cursor: page.next_cursor,
    }))
}
