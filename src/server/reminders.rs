//! Reminders: a personal follow-up a user sets on a record, at a time, with a note. Each is
//! its owner's alone; the server keeps it so it follows the owner to another machine, and
//! reads it back only as far as the owner may still see the record (R-PRIV-8).

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use chrono::{Duration, Utc};
use serde_json::json;

use crate::store::{Finished, StoredReminder};
use crate::wire::{ErrorBody, Reminder, Reminders, WriteReminder};

use super::AppState;
use super::auth::{Caller, scope};
use super::error::ApiError;
use super::lines;

/// The longest note, the most reminders a user keeps open, and how far ahead one may be.
const MAX_NOTE: usize = 200;
const MAX_OPEN: i64 = 200;
const FURTHEST_DAYS: i64 = 366;
/// A time a little in the past is taken as now (a clock behind, a slow link); earlier is
/// refused as a mistake.
const LATE_GRACE_MINUTES: i64 = 5;

/// Set a reminder.
#[utoipa::path(
    post, path = "/v1/reminders", tag = "reminders",
    request_body = WriteReminder,
    security(("bearer" = [])),
    responses(
        (status = 201, description = "Kept", body = Reminder),
        (status = 400, description = "Malformed body", body = ErrorBody),
        (status = 401, description = "No valid token", body = ErrorBody),
        (status = 403, description = "Admin accounts see no client data", body = ErrorBody),
        (status = 413, description = "Body too large", body = ErrorBody),
        (status = 415, description = "Body is not JSON", body = ErrorBody),
        (status = 422, description = "A record the caller may not see, a time past or more than a year ahead, a note empty or too long, or too many open", body = ErrorBody),
    )
)]
pub async fn set(
    caller: Caller,
    State(state): State<AppState>,
    Json(body): Json<WriteReminder>,
) -> Result<(StatusCode, Json<Reminder>), ApiError> {
    scope(&caller.actor).ok_or_else(|| ApiError::forbidden("admin accounts see no client data"))?;
    let note = lines::checked(&body.note, MAX_NOTE)
        .map_err(|wrong| ApiError::unprocessable(format!("note: {wrong}")))?;
    let now = Utc::now();
    if body.at < now - Duration::minutes(LATE_GRACE_MINUTES) {
        return Err(ApiError::unprocessable(format!(
            "at {}: that time has passed",
            body.at
        )));
    }
    if body.at > now + Duration::days(FURTHEST_DAYS) {
        return Err(ApiError::unprocessable(format!(
            "at {}: more than a year ahead",
            body.at
        )));
    }
    // The same refusal whether the record is not there or not the caller's to see.
    let Some(record) = lines::visible(&state, &caller, &body.record).await? else {
        return Err(ApiError::unprocessable(format!(
            "{}: no record you may see",
            body.record
        )));
    };
    if state.store.open_reminder_count(&caller.actor.user).await? >= MAX_OPEN {
        return Err(ApiError::unprocessable(format!(
            "you have {MAX_OPEN} reminders open: mark some done first"
        )));
    }
    let id = state
        .store
        .add_reminder(&caller.actor.user, &record.id, body.at, &note, now)
        .await?;
    state
        .store
        .audit(
            &caller.actor.user,
            "reminder_set",
            Some(&record.id),
            &json!({ "reminder": id, "at": body.at }),
            now,
        )
        .await?;
    let kept = StoredReminder {
        id,
        record_id: record.id.clone(),
        due_at: body.at,
        note,
        created_at: now,
    };
    state.store.sync_terms().await?;
    Ok((
        StatusCode::CREATED,
        Json(shown(&state, &caller, &kept).await?),
    ))
}

/// The caller's open reminders, soonest first.
#[utoipa::path(
    get, path = "/v1/reminders", tag = "reminders",
    security(("bearer" = [])),
    responses(
        (status = 200, description = "Soonest first", body = Reminders),
        (status = 401, description = "No valid token", body = ErrorBody),
        (status = 403, description = "Admin accounts see no client data", body = ErrorBody),
    )
)]
pub async fn list(
    caller: Caller,
    State(state): State<AppState>,
) -> Result<Json<Reminders>, ApiError> {
    scope(&caller.actor).ok_or_else(|| ApiError::forbidden("admin accounts see no client data"))?;
    state.store.sync_terms().await?;
    let stored = state
        .store
        .open_reminders(&caller.actor.user, MAX_OPEN)
        .await?;
    let mut reminders = Vec::with_capacity(stored.len());
    for r in &stored {
        reminders.push(shown(&state, &caller, r).await?);
    }
    Ok(Json(Reminders { reminders }))
}

/// Mark one of the caller's reminders done.
#[utoipa::path(
    post, path = "/v1/reminders/{id}/done", tag = "reminders",
    params(("id" = i64, Path, description = "Reminder id")),
    security(("bearer" = [])),
    responses(
        (status = 204, description = "Done"),
        (status = 400, description = "Malformed id", body = ErrorBody),
        (status = 401, description = "No valid token", body = ErrorBody),
        (status = 404, description = "No such reminder of the caller's", body = ErrorBody),
        (status = 409, description = "Done before, and when", body = ErrorBody),
    )
)]
pub async fn done(
    caller: Caller,
    State(state): State<AppState>,
    Path(id): Path<i64>,
) -> Result<StatusCode, ApiError> {
    let now = Utc::now();
    match state
        .store
        .finish_reminder(id, &caller.actor.user, now)
        .await?
    {
        Finished::Now => {
            state
                .store
                .audit(
                    &caller.actor.user,
                    "reminder_done",
                    None,
                    &json!({ "reminder": id }),
                    now,
                )
                .await?;
            Ok(StatusCode::NO_CONTENT)
        }
        Finished::Before(at) => Err(ApiError::new(
            StatusCode::CONFLICT,
            "conflict",
            format!("this reminder was marked done at {at}"),
        )),
        Finished::NotYours => Err(ApiError::not_found()),
    }
}

/// A reminder as its owner may read it now.
async fn shown(
    state: &AppState,
    caller: &Caller,
    r: &StoredReminder,
) -> Result<Reminder, ApiError> {
    let record = lines::visible(state, caller, &r.record_id).await?;
    let (record, note) = lines::readable(
        state,
        caller,
        record.as_ref(),
        &r.note,
        json!({ "reminder": r.id }),
    )
    .await?;
    Ok(Reminder {
        id: r.id,
        record,
        at: r.due_at,
        note,
        created_at: r.created_at,
    })
}
