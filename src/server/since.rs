//! Handover between shifts: what a user has seen of each record, and what others changed
//! after their last look. Both answer only about records the caller may see, masked as
//! their history is (R-PRIV-8).

use std::collections::BTreeMap;

use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use chrono::Utc;
use serde::Deserialize;
use utoipa::IntoParams;

use crate::store::HistoryEvent;
use crate::wire::{ErrorBody, Seen, Since, SinceRecord};

use super::AppState;
use super::auth::{Caller, can_see, scope, viewer};
use super::error::ApiError;
use super::present;

/// The newest changes read for one answer, and the records listed at most.
const CHANGES_READ: i64 = 2000;
const RECORDS_LISTED: usize = 100;

/// Mark a record seen by the caller at a version (at most the record's own).
#[utoipa::path(
    post, path = "/v1/records/{id}/seen", tag = "records",
    params(("id" = String, Path, description = "Record id")),
    request_body = Seen,
    security(("bearer" = [])),
    responses(
        (status = 204, description = "Kept"),
        (status = 400, description = "Malformed body", body = ErrorBody),
        (status = 401, description = "No valid token", body = ErrorBody),
        (status = 404, description = "No such record, or not one the caller may see", body = ErrorBody),
        (status = 413, description = "Body too large", body = ErrorBody),
        (status = 415, description = "Body is not JSON", body = ErrorBody),
        (status = 422, description = "The body is not a version", body = ErrorBody),
    )
)]
pub async fn seen(
    caller: Caller,
    State(state): State<AppState>,
    Path(id): Path<String>,
    Json(body): Json<Seen>,
) -> Result<StatusCode, ApiError> {
    let record = super::records::visible_record(&state, &caller, &id).await?;
    let version = body.version.min(record.version);
    let version =
        i64::try_from(version).map_err(|_| ApiError::bad_request("version is out of range"))?;
    state
        .store
        .mark_seen(&caller.actor.user, &record.id, version, Utc::now())
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct SinceParams {
    /// The event sequence to read after (a `from` given before); without it, the caller's
    /// last look at a record.
    #[param(minimum = 0)]
    pub from: Option<i64>,
}

/// What others changed after the caller's last look, per record, in the words of each
/// record's history.
#[utoipa::path(
    get, path = "/v1/since", tag = "records",
    params(SinceParams),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "Changed records, newest change first", body = Since),
        (status = 400, description = "Bad from", body = ErrorBody),
        (status = 401, description = "No valid token", body = ErrorBody),
        (status = 403, description = "Admin accounts see no client data", body = ErrorBody),
    )
)]
pub async fn since(
    caller: Caller,
    State(state): State<AppState>,
    Query(params): Query<SinceParams>,
) -> Result<Json<Since>, ApiError> {
    let scope = scope(&caller.actor)
        .ok_or_else(|| ApiError::forbidden("admin accounts see no client data"))?;
    let viewer = viewer(&caller.actor, scope, state.policies.in_force_at(Utc::now()));
    let user = &caller.actor.user;
    let last = state.store.last_look(user).await?;
    let from = match params.from {
        Some(from) if from >= 0 => from,
        Some(_) => return Err(ApiError::bad_request("from must be 0 or more")),
        // Never looked at anything: nothing has changed since.
        None => match last {
            Some(look) => look.seq,
            None => state.store.latest_seq().await?,
        },
    };
    let changes = state
        .store
        .changes_by_others(from, &viewer, CHANGES_READ)
        .await?;
    let more = changes.len() == usize::try_from(CHANGES_READ).unwrap_or(usize::MAX);
    // Newest first: a record's place is that of its newest change.
    let mut order: Vec<String> = Vec::new();
    let mut by_record: BTreeMap<String, Vec<HistoryEvent>> = BTreeMap::new();
    for (record, event) in changes {
        if !by_record.contains_key(&record) {
            order.push(record.clone());
        }
        by_record.entry(record).or_default().push(event);
    }
    let mut records = Vec::new();
    let mut left_out = false;
    for id in order {
        if records.len() == RECORDS_LISTED {
            left_out = true;
            break;
        }
        let Some(record) = state.store.load(&id).await? else {
            continue;
        };
        if !can_see(&caller.actor, &record, state.policy_of(&record)) {
            continue;
        }
        let mut events = by_record.remove(&id).unwrap_or_default();
        events.reverse();
        let history = present::history(&state, &caller, &record, &events).await?;
        records.push(SinceRecord {
            id: record.id.clone(),
            kind: record.kind().as_str().to_string(),
            stage: record.stage.clone(),
            events: history.events,
        });
    }
    Ok(Json(Since {
        from,
        looked_at: last.map(|l| l.at),
        records,
        more: more || left_out,
    }))
}
