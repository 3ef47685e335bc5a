//! Reference data and health: the policy in force, public holidays, the audit log,
//! liveness and readiness.

use axum::Json;
use axum::extract::{Query, State};
use chrono::Datelike;
use serde::Deserialize;
use utoipa::IntoParams;

use crate::domain::actor::Role;
use crate::domain::calendar::CalendarError;
use crate::wire::{AuditRow, Health, HolidayDto, Holidays};

use super::AppState;
use super::auth::Caller;
use super::error::ApiError;

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct PolicyParams {
    /// A policy era's id; the one in force today when absent.
    pub id: Option<String>,
}

/// The policy in force (stages, checklists, types, deadline rules), so the client shows
/// what the server enforces.
#[utoipa::path(
    get, path = "/v1/policy", tag = "reference",
    params(PolicyParams),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The policy", body = Object),
        (status = 400, description = "Bad parameter", body = crate::wire::ErrorBody),
        (status = 401, description = "No valid token", body = crate::wire::ErrorBody),
        (status = 404, description = "No such policy era", body = crate::wire::ErrorBody),
    )
)]
pub async fn policy(
    _caller: Caller,
    State(state): State<AppState>,
    Query(params): Query<PolicyParams>,
) -> Result<Json<serde_json::Value>, ApiError> {
    let policy = match &params.id {
        Some(id) => state.policies.by_id(id).ok_or_else(|| {
            ApiError::new(
                axum::http::StatusCode::NOT_FOUND,
                "not_found",
                "no such policy era",
            )
        })?,
        None => state.policies.in_force_at(chrono::Utc::now()),
    };
    serde_json::to_value(policy)
        .map(Json)
        .map_err(|_| ApiError::internal())
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct HolidayParams {
    /// The year, 2016 to 2099; this year when absent.
    #[param(minimum = 2016, maximum = 2099)]
    pub year: Option<i32>,
}

/// The Victorian public holidays the deadlines use (R-CAL).
#[utoipa::path(
    get, path = "/v1/calendar/holidays", tag = "reference",
    params(HolidayParams),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The holidays of the year", body = Holidays),
        (status = 400, description = "Bad or unsupported year", body = crate::wire::ErrorBody),
        (status = 401, description = "No valid token", body = crate::wire::ErrorBody),
    )
)]
pub async fn holidays(
    _caller: Caller,
    State(state): State<AppState>,
    Query(params): Query<HolidayParams>,
) -> Result<Json<Holidays>, ApiError> {
    let year = params
        .year
        .unwrap_or_else(|| crate::domain::local_time::local_date(chrono::Utc::now()).year());
    let (list, missing) = state.policies.calendar.holidays_known(year);
    let incomplete = match missing {
        None => None,
        Some(e @ CalendarError::UnknownAflFriday { .. }) => Some(e.to_string()),
        Some(e) => return Err(ApiError::bad_request(e.to_string())),
    };
    Ok(Json(Holidays {
        year,
        holidays: list
            .into_iter()
            .map(|h| HolidayDto {
                date: h.date,
                name: h.name,
            })
            .collect(),
        incomplete,
    }))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct AuditParams {
    /// How many entries, newest first (1 to 1000, default 100).
    #[param(minimum = 1, maximum = 1000)]
    pub limit: Option<i64>,
}

/// The audit log (R-PRIV-5): readable by `admin` and `daom` only.
#[utoipa::path(
    get, path = "/v1/audit", tag = "reference",
    params(AuditParams),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "Audit entries, newest first", body = Vec<AuditRow>),
        (status = 400, description = "Bad parameter", body = crate::wire::ErrorBody),
        (status = 401, description = "No valid token", body = crate::wire::ErrorBody),
        (status = 403, description = "Not admin or DAOM", body = crate::wire::ErrorBody),
    )
)]
pub async fn audit(
    caller: Caller,
    State(state): State<AppState>,
    Query(params): Query<AuditParams>,
) -> Result<Json<Vec<AuditRow>>, ApiError> {
    if !caller.actor.has_any(&[Role::Admin, Role::Daom]) {
        return Err(ApiError::forbidden(
            "the audit log is for admin and DAOM users",
        ));
    }
    let limit = params.limit.unwrap_or(100);
    if !(1..=1000).contains(&limit) {
        return Err(ApiError::bad_request("limit must be 1 to 1000"));
    }
    let entries = state.store.audit_entries(limit).await?;
    Ok(Json(
        entries
            .into_iter()
            .map(|e| AuditRow {
                id: e.id,
                at: e.at,
                actor: e.actor,
                action: e.action,
                record_id: e.record_id,
                detail: e.detail,
            })
            .collect(),
    ))
}

/// Liveness: the process answers.
#[utoipa::path(
    get, path = "/healthz", tag = "health",
    responses((status = 200, description = "Alive", body = Health))
)]
pub async fn healthz() -> Json<Health> {
    Json(Health {
        status: "ok".into(),
    })
}

/// Readiness: the database answers.
#[utoipa::path(
    get, path = "/readyz", tag = "health",
    responses(
        (status = 200, description = "Ready", body = Health),
        (status = 503, description = "The database does not answer", body = crate::wire::ErrorBody),
    )
)]
pub async fn readyz(State(state): State<AppState>) -> Result<Json<Health>, ApiError> {
    if state.store.ping().await {
        Ok(Json(Health {
            status: "ready".into(),
        }))
    } else {
        Err(ApiError::new(
            axum::http::StatusCode::SERVICE_UNAVAILABLE,
            "unavailable",
            "the database does not answer",
        ))
    }
}
