//! Submissions (R-SUBMIT-1): what cims has sent or will send, and the recipients' answers.
//! A submission carries the identifying details of its record's people, so a caller sees
//! it only where they may see the record's identifying details; any other is answered as
//! one that is not there (R-PRIV-8).

use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use chrono::Utc;
use serde::Deserialize;
use serde_json::json;
use utoipa::IntoParams;

use crate::domain::mask::{self, redact_terms};
use crate::domain::submissions::{BatchMonth, Recipient};
use crate::store::{BatchBuilt, Submission, SubmissionFilter, SubmissionStatus, WriteError};
use crate::wire::{BatchSent, ErrorBody, SendBatch, Submissions};

use super::AppState;
use super::auth::{Caller, can_see, scope};
use super::error::ApiError;

const DEFAULT_LIMIT: i64 = 100;
const MAX_LIMIT: i64 = 500;

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct SubmissionParams {
    /// queued, held, batched, sending, awaiting, accepted, rejected, failing or withdrawn.
    pub status: Option<String>,
    /// department, regulator or ccyp.
    pub recipient: Option<String>,
    /// One record's submissions.
    pub record: Option<String>,
    /// How many, newest first: 1 to 500 (default 100).
    #[param(minimum = 1, maximum = 500)]
    pub limit: Option<i64>,
}

fn no_submission(id: i64) -> ApiError {
    ApiError::new(
        StatusCode::NOT_FOUND,
        "not_found",
        format!("no submission {id}"),
    )
}

/// The submission as the caller may see it: `None` when they may not see its record's
/// identifying details. The recipient's reasons are free text from outside and are
/// redacted of protected words for those who may not see them (R-PRIV-2).
async fn as_seen(
    state: &AppState,
    caller: &Caller,
    submission: Submission,
) -> Result<Option<Submission>, ApiError> {
    // A month's batch carries the identifying details of every record in it: it is seen
    // only by one who may see each of theirs (R-SUBMIT-4).
    let records: Vec<String> = match submission.record_id.as_deref() {
        Some(record) => vec![record.to_string()],
        None => batch_records(&submission.payload),
    };
    let mut policy = state.policies.in_force_at(submission.queued_at);
    for record_id in &records {
        let Some(record) = state.store.load(record_id).await? else {
            return Ok(None);
        };
        policy = state.policy_of(&record);
        if !(can_see(&caller.actor, &record, policy)
            && mask::sees_identifying(&caller.actor, &record))
        {
            return Ok(None);
        }
    }
    let mut submission = submission;
    if !mask::sees_protected(&caller.actor, policy) {
        let terms = state.store.terms().read();
        for reason in &mut submission.reasons {
            *reason = redact_terms(reason, &terms);
        }
        if let Some(error) = submission.last_error.as_mut() {
            *error = redact_terms(error, &terms);
        }
    }
    Ok(Some(submission))
}

/// The records of the reports a batch carries.
fn batch_records(payload: &serde_json::Value) -> Vec<String> {
    payload
        .get("reports")
        .and_then(serde_json::Value::as_array)
        .map(|reports| {
            reports
                .iter()
                .filter_map(|r| r.get("record").and_then(serde_json::Value::as_str))
                .map(str::to_string)
                .collect()
        })
        .unwrap_or_default()
}

/// Submissions, newest first.
#[utoipa::path(
    get, path = "/v1/submissions", tag = "submissions",
    params(SubmissionParams),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "Newest first", body = Submissions),
        (status = 400, description = "An unknown status or recipient, or a limit out of range", body = ErrorBody),
        (status = 401, description = "No valid token", body = ErrorBody),
        (status = 403, description = "Admin accounts see no client data", body = ErrorBody),
    )
)]
pub async fn list(
    caller: Caller,
    State(state): State<AppState>,
    Query(params): Query<SubmissionParams>,
) -> Result<Json<Submissions>, ApiError> {
    scope(&caller.actor).ok_or_else(|| ApiError::forbidden("admin accounts see no client data"))?;
    let limit = params.limit.unwrap_or(DEFAULT_LIMIT);
    if !(1..=MAX_LIMIT).contains(&limit) {
        return Err(ApiError::bad_request(format!(
            "limit must be 1 to {MAX_LIMIT}"
        )));
    }
    let status = params
        .status
        .as_deref()
        .map(|s| {
            SubmissionStatus::parse(s).ok_or_else(|| {
                ApiError::bad_request(format!(
                    "status {s:?}: use one of {}",
                    SubmissionStatus::ALL
                        .map(SubmissionStatus::as_str)
                        .join(", ")
                ))
            })
        })
        .transpose()?;
    let recipient = params
        .recipient
        .as_deref()
        .map(|r| {
            Recipient::parse(r).ok_or_else(|| {
                ApiError::bad_request(format!(
                    "recipient {r:?}: use department, regulator or ccyp"
                ))
            })
        })
        .transpose()?;
    let filter = SubmissionFilter {
        status,
        recipient,
        record: params.record.clone(),
        // The sight is applied before the limit, so what is left out never depends on
        // what the caller may not see (R-PRIV-8): a protective intervener reads every
        // organisation's; anyone else their own, and a record assigned to them from
        // another by its id (one record's submissions are all seen or none).
        orgs: if caller.actor.protective_intervener || params.record.is_some() {
            None
        } else {
            Some(vec![caller.actor.org.clone()])
        },
    };
    let mut seen = Vec::new();
    for submission in state.store.submissions(&filter, limit).await? {
        if let Some(submission) = as_seen(&state, &caller, submission).await? {
            seen.push(submission);
        }
    }
    Ok(Json(Submissions { submissions: seen }))
}

/// One submission, with its payload.
#[utoipa::path(
    get, path = "/v1/submissions/{id}", tag = "submissions",
    params(("id" = i64, Path, description = "The submission's number")),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The submission", body = Submission),
        (status = 401, description = "No valid token", body = ErrorBody),
        (status = 403, description = "Admin accounts see no client data", body = ErrorBody),
        (status = 404, description = "No such submission, or one the caller may not see", body = ErrorBody),
    )
)]
pub async fn show(
    caller: Caller,
    State(state): State<AppState>,
    Path(id): Path<i64>,
) -> Result<Json<Submission>, ApiError> {
    scope(&caller.actor).ok_or_else(|| ApiError::forbidden("admin accounts see no client data"))?;
    let submission = state
        .store
        .submission(id)
        .await?
        .ok_or_else(|| no_submission(id))?;
    as_seen(&state, &caller, submission)
        .await?
        .map(Json)
        .ok_or_else(|| no_submission(id))
}

/// Try a failing submission again now, or send a rejected one again as a new submission
/// built from the record as it now is.
#[utoipa::path(
    post, path = "/v1/submissions/{id}/retry", tag = "submissions",
    params(("id" = i64, Path, description = "The submission's number")),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The submission to be sent: the same one, or the new one", body = Submission),
        (status = 401, description = "No valid token", body = ErrorBody),
        (status = 403, description = "The caller's roles may not send submissions again", body = ErrorBody),
        (status = 404, description = "No such submission, or one the caller may not see", body = ErrorBody),
        (status = 409, description = "Nothing to try again: queued, being sent, awaiting its receipt, accepted, withdrawn, or sent again already", body = ErrorBody),
    )
)]
pub async fn retry(
    caller: Caller,
    State(state): State<AppState>,
    Path(id): Path<i64>,
) -> Result<Json<Submission>, ApiError> {
    scope(&caller.actor).ok_or_else(|| ApiError::forbidden("admin accounts see no client data"))?;
    let now = Utc::now();
    let policy = state.policies.in_force_at(now);
    if !policy
        .allowed("retry_submission")
        .is_some_and(|roles| caller.actor.has_any(roles))
    {
        return Err(ApiError::forbidden(
            "your roles may not send submissions again",
        ));
    }
    let submission = state
        .store
        .submission(id)
        .await?
        .ok_or_else(|| no_submission(id))?;
    let status = submission.status;
    as_seen(&state, &caller, submission)
        .await?
        .ok_or_else(|| no_submission(id))?;
    let again = match state
        .store
        .retry_submission(id, &caller.actor.user, now, &state.policies)
        .await
    {
        Ok(Some(again)) => again,
        Ok(None) => {
            return Err(ApiError::new(
                StatusCode::CONFLICT,
                "conflict",
                format!(
                    "submission {id} is {}: nothing to try again",
                    status.as_str()
                ),
            ));
        }
        Err(WriteError::NotFound) => return Err(no_submission(id)),
        Err(other) => return Err(other.into()),
    };
    state
        .store
        .audit(
            &caller.actor.user,
            "submission_retried",
            again.record_id.as_deref(),
            &json!({"submission": id, "sent_as": again.id}),
            now,
        )
        .await?;
    Ok(Json(again))
}

/// Build the caller's organisation's batch of non-major incident reports for a month now,
/// instead of waiting for the month's end (R-SUBMIT-4).
#[utoipa::path(
    post, path = "/v1/submissions/batches", tag = "submissions",
    request_body = SendBatch,
    security(("bearer" = [])),
    responses(
        (status = 201, description = "The batch, queued to be sent", body = BatchSent),
        (status = 200, description = "No report was waiting for the month's batch", body = BatchSent),
        (status = 400, description = "A month not YYYY-MM, or one not yet begun", body = ErrorBody),
        (status = 401, description = "No valid token", body = ErrorBody),
        (status = 403, description = "The caller's roles may not send the batch", body = ErrorBody),
        (status = 409, description = "The month's batch was built already, or this server sends each report on its own", body = ErrorBody),
    )
)]
pub async fn send_batch(
    caller: Caller,
    State(state): State<AppState>,
    Json(request): Json<SendBatch>,
) -> Result<(StatusCode, Json<BatchSent>), ApiError> {
    scope(&caller.actor).ok_or_else(|| ApiError::forbidden("admin accounts see no client data"))?;
    let now = Utc::now();
    let policy = state.policies.in_force_at(now);
    if !policy
        .allowed("send_batch")
        .is_some_and(|roles| caller.actor.has_any(roles))
    {
        return Err(ApiError::forbidden(
            "your roles may not send the month's batch",
        ));
    }
    let month = BatchMonth::parse(&request.month).map_err(ApiError::bad_request)?;
    if month > BatchMonth::of(now) {
        return Err(ApiError::bad_request(format!(
            "month {month} has not begun"
        )));
    }
    if !state.store.batching() {
        return Err(ApiError::new(
            StatusCode::CONFLICT,
            "conflict",
            "this server sends each non-major incident report on its own: set [batch] \
             non_major = \"monthly\" in its submissions config to send them in batches",
        ));
    }
    let built = state
        .store
        .build_batch(&caller.actor.org, month, &caller.actor.user, now)
        .await
        .map_err(ApiError::from)?;
    let (status, batch, released) = match built {
        BatchBuilt::Built { batch, released } => (StatusCode::CREATED, Some(batch), released),
        BatchBuilt::Nothing { released } => (StatusCode::OK, None, released),
        BatchBuilt::Already(batch) => {
            return Err(ApiError::new(
                StatusCode::CONFLICT,
                "conflict",
                format!(
                    "the batch for {month} was built already: submission {}",
                    batch.id
                ),
            ));
        }
    };
    let reports = batch
        .as_ref()
        .map_or(0, |b| batch_records(&b.payload).len());
    let batch = match batch {
        Some(batch) => as_seen(&state, &caller, batch).await?,
        None => None,
    };
    Ok((
        status,
        Json(BatchSent {
            month: month.to_string(),
            batch,
            reports,
            sent_on_their_own: released,
        }),
    ))
}
