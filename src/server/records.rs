//! The queue and the records: list, create (idempotent), read, command (optimistic
//! concurrency with `If-Match`), history.

use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use chrono::Utc;
use serde::Deserialize;
use sha2::{Digest, Sha256};
use utoipa::IntoParams;

use crate::domain::commands::Command;
use crate::domain::mask::protected_terms_in;
use crate::domain::model::{Details, Record, RecordKind};
use crate::domain::people::MentionRef;
use crate::domain::query;
use crate::domain::refusal::Refusal;
use crate::store::{
    CommandRequest, IdempotencyKey, NewRecord, QueueQuery, Scope, SortKey, WriteError,
};
use crate::wire::{CreateRecord, ErrorBody, History, QueueCount, QueuePage, RecordView};

use super::AppState;
use super::auth::{Caller, can_see, scope, viewer};
use super::error::ApiError;
use super::persons::{Loaded, person_as_seen};
use super::present;
use super::record_people::known_reports;

pub const DEFAULT_PAGE: i64 = 50;
pub const MAX_PAGE: i64 = 500;

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct QueueParams {
    /// Filter: `impact:major stage:2 type:neglect org:… due:<24h due:at_risk overdue
    /// assigned:me kind:intake status:closed` and free text.
    pub q: Option<String>,
    /// A saved view: mine, due_today, overdue, major, intake, all.
    #[param(pattern = "^(mine|due_today|overdue|major|intake|all)$")]
    pub view: Option<String>,
    /// due (default), updated, created, id, stage; prefix `-` for descending.
    pub sort: Option<String>,
    /// Rows per page, 1 to 500 (default 50).
    #[param(minimum = 1, maximum = 500)]
    pub limit: Option<i64>,
    /// From a previous page's `next_cursor`.
    pub cursor: Option<String>,
}

/// The records the caller may see, masked, most urgent first.
#[utoipa::path(
    get, path = "/v1/queue", tag = "records",
    params(QueueParams),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "One page of the queue", body = QueuePage),
        (status = 400, description = "Bad filter, sort, limit or cursor", body = ErrorBody),
        (status = 401, description = "No valid token", body = ErrorBody),
        (status = 403, description = "Admin accounts see no client data", body = ErrorBody),
    )
)]
pub async fn queue(
    caller: Caller,
    State(state): State<AppState>,
    Query(params): Query<QueueParams>,
) -> Result<Json<QueuePage>, ApiError> {
    let (scope, filter) =
        scope_and_filter(&state, &caller, params.view.as_deref(), params.q.as_deref()).await?;
    let (sort, descending) = sort_of(params.sort.as_deref())?;
    let limit = params.limit.unwrap_or(DEFAULT_PAGE);
    if !(1..=MAX_PAGE).contains(&limit) {
        return Err(ApiError::bad_request(format!(
            "limit must be 1 to {MAX_PAGE}"
        )));
    }
    let now = Utc::now();
    let policy = state.policies.in_force_at(now);
    let q = QueueQuery {
        viewer: viewer(&caller.actor, scope, policy),
        filter,
        sort,
        descending,
        limit,
        cursor: params.cursor.clone(),
        now,
    };
    let page = state.store.queue(&q, &state.policies).await?;
    state.store.sync_terms().await?;
    let through_protected: Vec<&str> = page
        .rows
        .iter()
        .filter(|r| r.through_protected)
        .map(|r| r.record.id.as_str())
        .collect();
    present::audit_search(&state, &caller, &through_protected).await?;
    let ids: Vec<&str> = page.rows.iter().map(|r| r.record.id.as_str()).collect();
    let seen = state.store.seen_versions(&caller.actor.user, &ids).await?;
    let reminders = state.store.reminders_on(&caller.actor.user, &ids).await?;
    Ok(Json(QueuePage {
        rows: page
            .rows
            .iter()
            .map(|row| {
                let mut shown = present::queue_row(&state, &caller, row);
                shown.changed = seen
                    .get(&row.record.id)
                    .is_some_and(|v| i64::try_from(row.record.version).is_ok_and(|now| now > *v));
                shown.reminder = reminders.get(&row.record.id).copied();
                shown
            })
            .collect(),
        next_cursor: page.next_cursor,
    }))
}

/// The sort asked for (`due` when none), and whether it descends.
pub(super) fn sort_of(text: Option<&str>) -> Result<(SortKey, bool), ApiError> {
    SortKey::parse(text.unwrap_or("due")).ok_or_else(|| {
        ApiError::bad_request(
            "sort must be due, updated, created, id or stage (prefix - for descending)",
        )
    })
}

/// What the caller may see, and the filter a view and a query ask for.
pub(super) async fn scope_and_filter(
    state: &AppState,
    caller: &Caller,
    view: Option<&str>,
    q: Option<&str>,
) -> Result<(Scope, query::Filter), ApiError> {
    let scope = scope(&caller.actor)
        .ok_or_else(|| ApiError::forbidden("admin accounts see no client data"))?;
    let mut text = String::new();
    if let Some(view) = view {
        text.push_str(query::view(view).ok_or_else(|| {
            ApiError::bad_request(format!(
                "unknown view {view:?}: use mine, due_today, overdue, major, intake or all"
            ))
        })?);
    }
    if let Some(q) = q {
        text.push(' ');
        text.push_str(q);
    }
    let mut filter = query::parse(&text).map_err(|e| ApiError::bad_request(e.to_string()))?;
    // R-PERSON-1, R-PRIV-8: a person's records as the caller may see them; a person out
    // of sight has none, as one that does not exist.
    if let Some(at) = filter.person.as_deref().and_then(MentionRef::parse) {
        let mut loaded = Loaded::default();
        if let Some(seen) = person_as_seen(state, &caller.actor, &at, &mut loaded).await? {
            filter.person_records = seen.records().into_iter().map(str::to_string).collect();
        }
    }
    Ok((scope, filter))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct CountParams {
    /// The same filter language as the queue's `q`.
    pub q: Option<String>,
    /// A saved view: mine, due_today, overdue, major, intake, all.
    #[param(pattern = "^(mine|due_today|overdue|major|intake|all)$")]
    pub view: Option<String>,
}

/// How many records the caller may see match a view or filter: the counts on view tabs.
#[utoipa::path(
    get, path = "/v1/queue/count", tag = "records",
    params(CountParams),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The number of matching records", body = QueueCount),
        (status = 400, description = "Bad filter or view", body = ErrorBody),
        (status = 401, description = "No valid token", body = ErrorBody),
        (status = 403, description = "Admin accounts see no client data", body = ErrorBody),
    )
)]
pub async fn count(
    caller: Caller,
    State(state): State<AppState>,
    Query(params): Query<CountParams>,
) -> Result<Json<QueueCount>, ApiError> {
    let (scope, filter) =
        scope_and_filter(&state, &caller, params.view.as_deref(), params.q.as_deref()).await?;
    let now = Utc::now();
    let q = QueueQuery {
        viewer: viewer(&caller.actor, scope, state.policies.in_force_at(now)),
        filter,
        sort: SortKey::Due,
        descending: false,
        limit: 1,
        cursor: None,
        now,
    };
    Ok(Json(QueueCount {
        count: state.store.count(&q, &state.policies).await?,
    }))
}

fn etag(version: u64) -> HeaderValue {
    HeaderValue::from_str(&format!("\"{version}\"")).unwrap_or(HeaderValue::from_static("\"0\""))
}

fn with_etag(status: StatusCode, view: RecordView) -> Response {
    let tag = etag(view.version);
    let mut response = (status, Json(view)).into_response();
    response.headers_mut().insert(header::ETAG, tag);
    response
}

/// Warn the author of text that holds a string protected elsewhere (R-PRIV-2) — when the
/// author is a protective intervener. Telling anyone else that a string they wrote is a
/// reporter's would disclose it (R-PRIV-10); their text is redacted for other readers who
/// are not protective interveners all the same, and they read back what those readers see.
fn warnings_for(state: &AppState, caller: &Caller, texts: &[&str]) -> Vec<String> {
    if !caller.actor.protective_intervener {
        return Vec::new();
    }
    let terms = state.store.terms().read();
    let found: usize = texts
        .iter()
        .map(|t| protected_terms_in(t, &terms).len())
        .sum();
    if found == 0 {
        Vec::new()
    } else {
        vec![format!(
            "R-PRIV-2: this text contains {found} string(s) that identify a reporter elsewhere; they are hidden from readers who are not protective interveners — remove them if they are not needed"
        )]
    }
}

/// What the rules leave to the practitioner's judgement, said with the answer. R-INT-TTR:
/// classifying a report about a child believed to have shown sexually abusive behaviour
/// whose age is unknown. Only to a caller who may see the children (R-PRIV-9).
fn advice(state: &AppState, caller: &Caller, record: &Record, command: &Command) -> Vec<String> {
    use crate::domain::mask::Sight;
    use crate::domain::policy::Condition;
    let Command::ClassifyIntake { .. } = command else {
        return Vec::new();
    };
    let policy = state.policy_of(record);
    let sees = Sight::new(&caller.actor, policy, record)
        .condition(Condition::TtrIndicated)
        .is_none();
    match record.intake() {
        Some(intake) if sees && crate::domain::rules::intake::ttr_possible(intake) => {
            vec![format!(
                "R-INT-TTR: a child believed to have shown sexually abusive behaviour has no date of birth; whether a therapeutic treatment report is registered (aged {} to {}) is your judgement",
                policy.parameters.ttr_min_age,
                policy.parameters.ttr_max_age - 1
            )]
        }
        _ => Vec::new(),
    }
}

fn idempotency_key(headers: &HeaderMap) -> Result<Option<String>, ApiError> {
    let Some(value) = headers.get("idempotency-key") else {
        return Ok(None);
    };
    let key = value
        .to_str()
        .ok()
        .map(str::trim)
        .filter(|k| !k.is_empty() && k.len() <= 200 && k.bytes().all(|b| b.is_ascii_graphic()))
        .ok_or_else(|| {
            ApiError::bad_request("Idempotency-Key must be 1 to 200 visible ASCII characters")
        })?;
    Ok(Some(key.to_string()))
}

pub(super) async fn visible_record(
    state: &AppState,
    caller: &Caller,
    id: &str,
) -> Result<Record, ApiError> {
    let record = state
        .store
        .load(id)
        .await?
        .ok_or_else(ApiError::not_found)?;
    if can_see(&caller.actor, &record, state.policy_of(&record)) {
        Ok(record)
    } else {
        Err(ApiError::not_found())
    }
}

/// Register an incident or an intake report. `Idempotency-Key`: the same key with the same
/// body gives the same record, once; with a different body, 422.
#[utoipa::path(
    post, path = "/v1/records", tag = "records",
    request_body = CreateRecord,
    params(("Idempotency-Key" = Option<String>, Header, description = "Makes a retried create safe")),
    security(("bearer" = [])),
    responses(
        (status = 201, description = "Registered", body = RecordView, headers(("ETag" = String), ("Location" = String))),
        (status = 400, description = "Malformed body or key", body = ErrorBody),
        (status = 401, description = "No valid token", body = ErrorBody),
        (status = 403, description = "Role or organisation does not allow it", body = ErrorBody),
        (status = 413, description = "Body too large", body = ErrorBody),
        (status = 415, description = "Body is not JSON", body = ErrorBody),
        (status = 422, description = "Refused by a rule (see `rule`), invalid, or key reused with another body", body = ErrorBody),
    )
)]
pub async fn create(
    caller: Caller,
    State(state): State<AppState>,
    headers: HeaderMap,
    Json(body): Json<CreateRecord>,
) -> Result<Response, ApiError> {
    let canonical = serde_json::to_string(&body).map_err(|_| ApiError::internal())?;
    let key = keyed(&headers, &caller, &canonical)?;
    if let Some(key) = &key
        && let Some(response) = replay(&state, &caller, key, None).await?
    {
        return Ok(response);
    }
    let texts: Vec<&str> = match &body.details {
        Details::Incident(i) => vec![i.description.as_str()],
        Details::Intake(_) => Vec::new(),
    };
    let warnings = warnings_for(&state, &caller, &texts);
    let new = NewRecord {
        org: body.org.clone().unwrap_or_else(|| caller.actor.org.clone()),
        details: body.details,
        assignee: body.assignee,
    };
    let created = state
        .store
        .create(
            new,
            &caller.actor,
            Utc::now(),
            &state.policies,
            key.as_ref(),
        )
        .await;
    let appended = match created {
        Ok(appended) => appended,
        // Two requests with one key raced: the first one's result stands.
        Err(WriteError::Store(_)) if key.is_some() => {
            let key = key.as_ref().ok_or_else(ApiError::internal)?;
            return replay(&state, &caller, key, None)
                .await?
                .ok_or_else(ApiError::internal);
        }
        Err(e) => return Err(e.into()),
    };
    let view = present::record_view(
        &state,
        &caller,
        &appended.record,
        warnings,
        present::Shown::Authored,
    )
    .await?;
    let mut response = with_etag(StatusCode::CREATED, view);
    if let Ok(location) = HeaderValue::from_str(&format!("/v1/records/{}", appended.record.id)) {
        response.headers_mut().insert(header::LOCATION, location);
    }
    Ok(response)
}

/// The caller's `Idempotency-Key`, if any, with a hash of what it was sent with.
fn keyed(
    headers: &HeaderMap,
    caller: &Caller,
    request: &str,
) -> Result<Option<IdempotencyKey>, ApiError> {
    Ok(idempotency_key(headers)?.map(|key| IdempotencyKey {
        user: caller.actor.user.clone(),
        key,
        request_hash: Sha256::digest(request.as_bytes())
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect(),
    }))
}

/// The stored result of an idempotency key, if it was used before: the record it created
/// or changed, as it stands now. A key reused with another request, or (for a command) on
/// another record, is refused.
async fn replay(
    state: &AppState,
    caller: &Caller,
    key: &IdempotencyKey,
    record: Option<&str>,
) -> Result<Option<Response>, ApiError> {
    let Some(stored) = state.store.idempotent(&key.user, &key.key).await? else {
        return Ok(None);
    };
    if stored.request_hash != key.request_hash || record.is_some_and(|r| r != stored.record_id) {
        return Err(ApiError::unprocessable(
            "this Idempotency-Key was used with a different request",
        ));
    }
    let record = visible_record(state, caller, &stored.record_id).await?;
    let view =
        present::record_view(state, caller, &record, Vec::new(), present::Shown::Read).await?;
    let status = StatusCode::from_u16(u16::try_from(stored.status).unwrap_or(201))
        .unwrap_or(StatusCode::CREATED);
    let mut response = with_etag(status, view);
    if status == StatusCode::CREATED
        && let Ok(location) = HeaderValue::from_str(&format!("/v1/records/{}", record.id))
    {
        response.headers_mut().insert(header::LOCATION, location);
    }
    Ok(Some(response))
}

/// A record, masked for the caller; `ETag` is its version (`If-None-Match` → 304).
#[utoipa::path(
    get, path = "/v1/records/{id}", tag = "records",
    params(("id" = String, Path, description = "Record id, e.g. INC-2026-000123")),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The record", body = RecordView, headers(("ETag" = String))),
        (status = 304, description = "Unchanged since the ETag given in If-None-Match"),
        (status = 401, description = "No valid token", body = ErrorBody),
        (status = 404, description = "No such record, or not one the caller may see", body = ErrorBody),
    )
)]
pub async fn read(
    caller: Caller,
    State(state): State<AppState>,
    Path(id): Path<String>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let record = visible_record(&state, &caller, &id).await?;
    if headers
        .get(header::IF_NONE_MATCH)
        .is_some_and(|v| v.as_bytes() == etag(record.version).as_bytes())
    {
        let mut response = StatusCode::NOT_MODIFIED.into_response();
        response
            .headers_mut()
            .insert(header::ETAG, etag(record.version));
        return Ok(response);
    }
    let view =
        present::record_view(&state, &caller, &record, Vec::new(), present::Shown::Read).await?;
    Ok(with_etag(StatusCode::OK, view))
}

/// The version in `If-Match`: `"7"`, `7` or `W/"7"`.
fn if_match(headers: &HeaderMap) -> Result<i64, ApiError> {
    let value = headers.get(header::IF_MATCH).ok_or_else(|| {
        ApiError::new(
            StatusCode::PRECONDITION_REQUIRED,
            "precondition_required",
            "send If-Match with the version you read (the record's ETag)",
        )
    })?;
    value
        .to_str()
        .ok()
        .map(|v| v.trim().trim_start_matches("W/").trim_matches('"'))
        .and_then(|v| v.parse::<i64>().ok())
        .filter(|v| *v >= 0)
        .ok_or_else(|| ApiError::bad_request("If-Match must be a record version, e.g. \"7\""))
}

/// Apply one command (tick, waive, advance, note, endorse, classify …) at the version the
/// caller read.
#[utoipa::path(
    post, path = "/v1/records/{id}/commands", tag = "records",
    params(
        ("id" = String, Path, description = "Record id"),
        ("If-Match" = String, Header, description = "The version the command is based on"),
        ("Idempotency-Key" = Option<String>, Header, description = "Makes a retried command safe: a replay answers with the record as it stands"),
    ),
    request_body(content = Command, description = "One command, e.g. {\"command\": \"tick\", \"item\": \"immediate_safety\"}"),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The record after the command", body = RecordView, headers(("ETag" = String))),
        (status = 400, description = "Malformed body or If-Match", body = ErrorBody),
        (status = 401, description = "No valid token", body = ErrorBody),
        (status = 403, description = "Role or organisation does not allow it", body = ErrorBody),
        (status = 404, description = "No such record, or not one the caller may see", body = ErrorBody),
        (status = 409, description = "Stale version: `current_version` says the record's version now", body = ErrorBody),
        (status = 413, description = "Body too large", body = ErrorBody),
        (status = 415, description = "Body is not JSON", body = ErrorBody),
        (status = 422, description = "Refused by a rule (see `rule`) or invalid", body = ErrorBody),
        (status = 428, description = "If-Match is missing", body = ErrorBody),
    )
)]
pub async fn command(
    caller: Caller,
    State(state): State<AppState>,
    Path(id): Path<String>,
    headers: HeaderMap,
    Json(command): Json<Command>,
) -> Result<Response, ApiError> {
    let record = visible_record(&state, &caller, &id).await?;
    let canonical = serde_json::to_string(&(&id, &command)).map_err(|_| ApiError::internal())?;
    let key = keyed(&headers, &caller, &canonical)?;
    if let Some(key) = &key
        && let Some(response) = replay(&state, &caller, key, Some(&id)).await?
    {
        return Ok(response);
    }
    let expected = if_match(&headers)?;
    check_named(&state, &caller, &record, &command).await?;
    let texts: Vec<&str> = match &command {
        Command::AddNote { text, .. } | Command::AmendNote { text, .. } => vec![text.as_str()],
        Command::UpdateIncident {
            incident,
            correction,
        } => [Some(incident.description.as_str()), correction.as_deref()]
            .into_iter()
            .flatten()
            .collect(),
        Command::RaiseLearningAction { what, .. } => vec![what.as_str()],
        Command::CloseLearningAction { outcome, .. } => vec![outcome.as_str()],
        _ => Vec::new(),
    };
    let mut warnings = warnings_for(&state, &caller, &texts);
    warnings.extend(advice(&state, &caller, &record, &command));
    // R-INT-REREPORT-3: decided with the earlier reports on each child the caller may see.
    let known_reports = known_reports(&state, &caller.actor, &record).await?;
    let result = state
        .store
        .command(
            CommandRequest {
                id: &id,
                expected_version: expected,
                command: &command,
                idempotency: key.as_ref(),
                known_reports: &known_reports,
            },
            &caller.actor,
            Utc::now(),
            &state.policies,
        )
        .await;
    let appended = match result {
        Ok(appended) => appended,
        // A retry racing its first attempt: the first one's result stands.
        Err(error @ (WriteError::Conflict { .. } | WriteError::Store(_))) if key.is_some() => {
            let key = key.as_ref().ok_or_else(ApiError::internal)?;
            return match replay(&state, &caller, key, Some(&id)).await? {
                Some(response) => Ok(response),
                None => Err(error.into()),
            };
        }
        Err(e) => return Err(e.into()),
    };
    let view = present::record_view(
        &state,
        &caller,
        &appended.record,
        warnings,
        present::Shown::Read,
    )
    .await?;
    Ok(with_etag(StatusCode::OK, view))
}

/// A command that names a user or an organisation (an action's owner, a re-report
/// delegate, the organisation a record moves to) names one that qualifies. The command is
/// decided first, so only a caller who may give it learns anything of other organisations'
/// users or of which organisations exist; and every name that does not qualify gets the
/// same answer (R-PRIV-8).
async fn check_named(
    state: &AppState,
    caller: &Caller,
    record: &Record,
    command: &Command,
) -> Result<(), ApiError> {
    let named = match command {
        Command::RaiseLearningAction { owner, .. } => owner,
        Command::DelegateRereport { to } => to,
        Command::ChangeOrganisation { org, .. } => org,
        Command::LinkIncident { incident } => incident,
        _ => return Ok(()),
    };
    crate::domain::decide(
        command,
        Some(record),
        &caller.actor,
        Utc::now(),
        &state.policies,
    )
    .map_err(ApiError::from)?;
    let name = named.trim();
    let refusal = match command {
        // R-STAGE: an action's owner can log in to see it through.
        Command::RaiseLearningAction { .. } => {
            let qualifies = state.store.user(name).await?.is_some_and(|u| {
                !u.disabled && (u.org.id == record.org || u.org.id == caller.actor.org)
            });
            (!qualifies).then(|| {
                Refusal::rule(
                    "R-STAGE",
                    format!(
                        "the owner {name:?} is not an active user of {} or {}",
                        record.org, caller.actor.org
                    ),
                )
                .on_field("owner")
            })
        }
        // R-INT-REREPORT-3: a team manager or above of the report's organisation.
        Command::DelegateRereport { .. } => {
            let roles = &state.policy_of(record).parameters.rereport_delegate_roles;
            let qualifies = state.store.user(name).await?.is_some_and(|u| {
                !u.disabled && u.org.id == record.org && u.roles.iter().any(|r| roles.contains(r))
            });
            (!qualifies).then(|| {
                Refusal::rule(
                    "R-INT-REREPORT-3",
                    format!(
                        "{name:?} is not an active team manager or above of {}",
                        record.org
                    ),
                )
                .on_field("to")
            })
        }
        // R-LINK-1: an incident the caller may see; any other id reads as one not there.
        Command::LinkIncident { .. } => {
            let qualifies = super::lines::visible(state, caller, name)
                .await?
                .is_some_and(|r| r.kind() == RecordKind::Incident);
            (!qualifies).then(|| {
                Refusal::rule("R-LINK-1", format!("no incident you may see is {name:?}"))
                    .on_field("incident")
            })
        }
        // R-AUTH-CSO: a record moves only to an organisation that exists.
        _ => {
            let exists = state
                .store
                .organisations()
                .await?
                .iter()
                .any(|o| o.id == name);
            (!exists).then(|| {
                Refusal::rule("R-AUTH-CSO", format!("there is no organisation {name:?}"))
                    .on_field("org")
            })
        }
    };
    match refusal {
        Some(refusal) => Err(refusal.into()),
        None => Ok(()),
    }
}

/// A record's events, masked, oldest first.
#[utoipa::path(
    get, path = "/v1/records/{id}/history", tag = "records",
    params(("id" = String, Path, description = "Record id")),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The history", body = History),
        (status = 401, description = "No valid token", body = ErrorBody),
        (status = 404, description = "No such record, or not one the caller may see", body = ErrorBody),
    )
)]
pub async fn history(
    caller: Caller,
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> Result<Json<History>, ApiError> {
    let record = visible_record(&state, &caller, &id).await?;
    let events = state.store.history(&id).await?;
    Ok(Json(
        present::history(&state, &caller, &record, &events).await?,
    ))
}
