//! Handovers between shifts: a worker ending a shift hands records over, a line each, to a
//! person or to an organisation; one of those it is for acknowledges it. Each reader sees a
//! line only as far as they may see the record it is about (R-PRIV-3, R-PRIV-8).

use std::collections::BTreeSet;

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use chrono::Utc;
use serde_json::json;

use crate::store::{Acknowledged, Addressee, StoredHandover};
use crate::wire::{ErrorBody, Handover, HandoverItem, Handovers, WriteHandover};

use super::AppState;
use super::auth::{Caller, scope};
use super::error::ApiError;
use super::lines;

/// The most records one handover carries, the longest line, and the most handovers read.
const MAX_ITEMS: usize = 50;
const MAX_LINE: usize = 300;
const LISTED: i64 = 100;

/// Hand records over.
#[utoipa::path(
    post, path = "/v1/handovers", tag = "handovers",
    request_body = WriteHandover,
    security(("bearer" = [])),
    responses(
        (status = 201, description = "Kept", body = Handover),
        (status = 400, description = "Malformed body", body = ErrorBody),
        (status = 401, description = "No valid token", body = ErrorBody),
        (status = 403, description = "Admin accounts see no client data", body = ErrorBody),
        (status = 413, description = "Body too large", body = ErrorBody),
        (status = 415, description = "Body is not JSON", body = ErrorBody),
        (status = 422, description = "No one or two addressees, an unknown addressee, a record the caller may not see, or a line empty or too long", body = ErrorBody),
    )
)]
pub async fn write(
    caller: Caller,
    State(state): State<AppState>,
    Json(body): Json<WriteHandover>,
) -> Result<(StatusCode, Json<Handover>), ApiError> {
    scope(&caller.actor).ok_or_else(|| ApiError::forbidden("admin accounts see no client data"))?;
    let to = match (body.to_user, body.to_org) {
        (Some(user), None) => {
            let known = state.store.user(&user).await?;
            if known.is_none() || user == caller.actor.user {
                return Err(ApiError::unprocessable(format!(
                    "to_user {user:?}: not a colleague to hand over to"
                )));
            }
            Addressee::User(user)
        }
        (None, Some(org)) => {
            let known = state.store.organisations().await?;
            if !known.iter().any(|o| o.id == org) {
                return Err(ApiError::unprocessable(format!(
                    "to_org {org:?}: no such organisation"
                )));
            }
            Addressee::Org(org)
        }
        _ => {
            return Err(ApiError::unprocessable("give either to_user or to_org"));
        }
    };
    if body.items.is_empty() || body.items.len() > MAX_ITEMS {
        return Err(ApiError::unprocessable(format!(
            "hand over 1 to {MAX_ITEMS} records"
        )));
    }
    let mut seen = BTreeSet::new();
    let mut items = Vec::with_capacity(body.items.len());
    for item in body.items {
        let line = lines::checked(&item.line, MAX_LINE).map_err(|wrong| {
            ApiError::unprocessable(format!("the line for {}: {wrong}", item.record))
        })?;
        if !seen.insert(item.record.clone()) {
            return Err(ApiError::unprocessable(format!(
                "{} is handed over twice",
                item.record
            )));
        }
        if lines::visible(&state, &caller, &item.record)
            .await?
            .is_none()
        {
            return Err(ApiError::unprocessable(format!(
                "{}: no record you may see",
                item.record
            )));
        }
        items.push((item.record, line));
    }
    let now = Utc::now();
    let id = state
        .store
        .write_handover(&caller.actor.user, &to, &items, now)
        .await?;
    state
        .store
        .audit(
            &caller.actor.user,
            "handover_written",
            None,
            &json!({ "handover": id, "records": items.iter().map(|(r, _)| r).collect::<Vec<_>>() }),
            now,
        )
        .await?;
    let written = StoredHandover {
        id,
        author: caller.actor.user.clone(),
        to,
        written_at: now,
        acknowledged: None,
        items,
    };
    Ok((
        StatusCode::CREATED,
        Json(shown(&state, &caller, &written).await?),
    ))
}

/// The handovers to the caller or their organisation, and those they wrote.
#[utoipa::path(
    get, path = "/v1/handovers", tag = "handovers",
    security(("bearer" = [])),
    responses(
        (status = 200, description = "Newest first", body = Handovers),
        (status = 401, description = "No valid token", body = ErrorBody),
        (status = 403, description = "Admin accounts see no client data", body = ErrorBody),
    )
)]
pub async fn list(
    caller: Caller,
    State(state): State<AppState>,
) -> Result<Json<Handovers>, ApiError> {
    scope(&caller.actor).ok_or_else(|| ApiError::forbidden("admin accounts see no client data"))?;
    state.store.sync_terms().await?;
    let stored = state
        .store
        .handovers_of(&caller.actor.user, &caller.actor.org, LISTED)
        .await?;
    let mut handovers = Vec::with_capacity(stored.len());
    for h in &stored {
        handovers.push(shown(&state, &caller, h).await?);
    }
    Ok(Json(Handovers { handovers }))
}

/// Acknowledge a handover addressed to the caller or their organisation.
#[utoipa::path(
    post, path = "/v1/handovers/{id}/acknowledge", tag = "handovers",
    params(("id" = i64, Path, description = "Handover id")),
    security(("bearer" = [])),
    responses(
        (status = 204, description = "Acknowledged"),
        (status = 400, description = "Malformed id", body = ErrorBody),
        (status = 401, description = "No valid token", body = ErrorBody),
        (status = 404, description = "No such handover for the caller to acknowledge", body = ErrorBody),
        (status = 409, description = "Acknowledged before, by whom and when", body = ErrorBody),
    )
)]
pub async fn acknowledge(
    caller: Caller,
    State(state): State<AppState>,
    Path(id): Path<i64>,
) -> Result<StatusCode, ApiError> {
    let now = Utc::now();
    match state
        .store
        .acknowledge_handover(id, &caller.actor.user, &caller.actor.org, now)
        .await?
    {
        Acknowledged::Now => {
            state
                .store
                .audit(
                    &caller.actor.user,
                    "handover_acknowledged",
                    None,
                    &json!({ "handover": id }),
                    now,
                )
                .await?;
            Ok(StatusCode::NO_CONTENT)
        }
        Acknowledged::Before(by, at) => Err(ApiError::new(
            StatusCode::CONFLICT,
            "conflict",
            format!("{by} acknowledged this handover at {at}"),
        )),
        Acknowledged::NotYours => Err(ApiError::not_found()),
    }
}

/// A handover as the caller may read it: each line as far as they may see its record.
async fn shown(
    state: &AppState,
    caller: &Caller,
    h: &StoredHandover,
) -> Result<Handover, ApiError> {
    let mut items = Vec::with_capacity(h.items.len());
    for (record_id, line) in &h.items {
        let record = lines::visible(state, caller, record_id).await?;
        let (record, line) = lines::readable(
            state,
            caller,
            record.as_ref(),
            line,
            json!({ "handover": h.id }),
        )
        .await?;
        items.push(HandoverItem { record, line });
    }
    let (to_user, to_org) = match &h.to {
        Addressee::User(u) => (Some(u.clone()), None),
        Addressee::Org(o) => (None, Some(o.clone())),
    };
    let for_me = h.author != caller.actor.user
        && (to_user.as_deref() == Some(caller.actor.user.as_str())
            || to_org.as_deref() == Some(caller.actor.org.as_str()));
    Ok(Handover {
        id: h.id,
        author: h.author.clone(),
        to_user,
        to_org,
        written_at: h.written_at,
        acknowledged_by: h.acknowledged.as_ref().map(|(by, _)| by.clone()),
        acknowledged_at: h.acknowledged.as_ref().map(|(_, at)| *at),
        for_me,
        items,
    })
}
