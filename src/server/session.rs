//! `POST /v1/session` (log in) and `GET /v1/me`.

use std::time::Instant;

use axum::Json;
use axum::extract::{ConnectInfo, State};
use chrono::Duration;

use crate::wire::{LoginRequest, LoginResponse, Me, OrganisationDto};

use super::auth::Caller;
use super::error::ApiError;
use super::{AppState, ClientAddr};

/// How long a token from logging in lasts.
pub const SESSION_HOURS: i64 = 12;

/// Exchange a username and password for a bearer token. After 5 failed logins for one
/// username (or 30 from one client address) within 15 minutes, logins are refused with 429
/// and `Retry-After` until the oldest failure is 15 minutes old.
#[utoipa::path(
    post, path = "/v1/session", tag = "session",
    request_body = LoginRequest,
    responses(
        (status = 200, description = "A new bearer token", body = LoginResponse),
        (status = 400, description = "The body is not valid JSON", body = crate::wire::ErrorBody),
        (status = 401, description = "Wrong username or password", body = crate::wire::ErrorBody),
        (status = 413, description = "Body too large", body = crate::wire::ErrorBody),
        (status = 415, description = "The body is not sent as application/json", body = crate::wire::ErrorBody),
        (status = 422, description = "The body lacks a field", body = crate::wire::ErrorBody),
        (status = 429, description = "Too many failed logins for this username or from this address",
            body = crate::wire::ErrorBody,
            headers(("Retry-After" = u64, description = "Seconds until a login may be tried again"))),
    )
)]
pub async fn login(
    State(state): State<AppState>,
    ConnectInfo(ClientAddr(client)): ConnectInfo<ClientAddr>,
    Json(request): Json<LoginRequest>,
) -> Result<Json<LoginResponse>, ApiError> {
    let attempt = state
        .logins
        .begin(&request.username, client.ip(), Instant::now())
        .map_err(ApiError::too_many_logins)?;
    let user = state
        .store
        .verify_password(&request.username, &request.password)
        .await?
        .ok_or_else(|| {
            ApiError::new(
                axum::http::StatusCode::UNAUTHORIZED,
                "unauthorized",
                "wrong username or password",
            )
        })?;
    state.logins.succeeded(attempt);
    let (token, expires_at) = state
        .store
        .issue_token(&user.id, Duration::hours(SESSION_HOURS))
        .await?;
    Ok(Json(LoginResponse { token, expires_at }))
}

/// The caller: user, organisation, roles and protective-intervener flag.
#[utoipa::path(
    get, path = "/v1/me", tag = "session",
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The authenticated user", body = Me),
        (status = 401, description = "No valid token", body = crate::wire::ErrorBody),
    )
)]
pub async fn me(caller: Caller) -> Json<Me> {
    let user = caller.user;
    Json(Me {
        user: user.id,
        display_name: user.display_name,
        organisation: OrganisationDto {
            id: user.org.id,
            name: user.org.name,
            kind: user.org.kind,
        },
        roles: user.roles.into_iter().collect(),
        protective_intervener: user.protective_intervener,
    })
}

/// The people the caller may assign records to: their own organisation's users (every
/// organisation's, for department users). Staff details only; no client data.
#[utoipa::path(
    get, path = "/v1/users", tag = "session",
    security(("bearer" = [])),
    responses(
        (status = 200, description = "Colleagues, by name", body = Vec<crate::wire::Colleague>),
        (status = 401, description = "No valid token", body = crate::wire::ErrorBody),
    )
)]
pub async fn colleagues(
    caller: Caller,
    axum::extract::State(state): axum::extract::State<super::AppState>,
) -> Result<Json<Vec<crate::wire::Colleague>>, ApiError> {
    let everyone = caller.actor.org_kind == crate::domain::actor::OrgKind::Department;
    let mut list: Vec<crate::wire::Colleague> = state
        .store
        .users()
        .await?
        .into_iter()
        .filter(|u| !u.disabled && (everyone || u.org.id == caller.actor.org))
        .map(|u| crate::wire::Colleague {
            user: u.id,
            display_name: u.display_name,
            organisation: u.org.id,
        })
        .collect();
    list.sort_by(|a, b| a.display_name.cmp(&b.display_name));
    Ok(Json(list))
}
