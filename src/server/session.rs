//! `POST /v1/session` (log in) and `GET /v1/me`.

use axum::Json;
use axum::extract::State;
use chrono::Duration;

use crate::wire::{LoginRequest, LoginResponse, Me, OrganisationDto};

use super::AppState;
use super::auth::Caller;
use super::error::ApiError;

/// How long a token from logging in lasts.
pub const SESSION_HOURS: i64 = 12;

/// Exchange a username and password for a bearer token.
#[utoipa::path(
    post, path = "/v1/session", tag = "session",
    request_body = LoginRequest,
    responses(
        (status = 200, description = "A new bearer token", body = LoginResponse),
        (status = 400, description = "The body is not valid JSON", body = crate::wire::ErrorBody),
        (status = 401, description = "Wrong username or password", body = crate::wire::ErrorBody),
        (status = 413, description = "Body too large", body = crate::wire::ErrorBody),
        (status = 422, description = "The body lacks a field", body = crate::wire::ErrorBody),
    )
)]
pub async fn login(
    State(state): State<AppState>,
    Json(request): Json<LoginRequest>,
) -> Result<Json<LoginResponse>, ApiError> {
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
