//! Who is calling: the bearer token turned into an actor, and what the actor may see.

use axum::extract::FromRequestParts;
use axum::http::header::AUTHORIZATION;
use axum::http::request::Parts;
use chrono::Utc;

use crate::domain::actor::{Actor, OrgKind, Role};
use crate::domain::model::{Record, RecordKind};
use crate::domain::policy::Policy;
use crate::store::{Scope, User, Viewer};

use super::AppState;
use super::error::ApiError;

/// An authenticated caller.
pub struct Caller {
    pub user: User,
    pub actor: Actor,
    /// The bearer token, for a long-lived response to check it is still valid.
    pub token: String,
}

impl FromRequestParts<AppState> for Caller {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let token = parts
            .headers
            .get(AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "))
            .map(str::trim)
            .ok_or_else(ApiError::unauthorized)?;
        let user = state
            .store
            .authenticate(token, Utc::now())
            .await?
            .ok_or_else(ApiError::unauthorized)?;
        let actor = user.actor();
        Ok(Caller {
            user,
            actor,
            token: token.to_string(),
        })
    }
}

/// An account whose only role is `admin` manages users and sees no client data.
fn admin_only(actor: &Actor) -> bool {
    actor.roles.iter().all(|r| *r == Role::Admin)
}

/// Which records the caller may see at all (tenancy).
pub fn scope(actor: &Actor) -> Option<Scope> {
    if admin_only(actor) {
        None
    } else if actor.protective_intervener || actor.org_kind == OrgKind::Department {
        Some(Scope::All)
    } else if actor.org_kind == OrgKind::Regulator {
        Some(Scope::Regulator)
    } else {
        Some(Scope::Own)
    }
}

/// May the caller see this record? Mirrors the queue's SQL so a record never shows in one
/// place and is hidden in another.
pub fn can_see(actor: &Actor, record: &Record, policy: &Policy) -> bool {
    let own = record.org == actor.org || record.assignee.as_deref() == Some(actor.user.as_str());
    match scope(actor) {
        None => false,
        Some(Scope::All) => true,
        Some(Scope::Own) => own,
        Some(Scope::Regulator) => {
            own || (record.kind() == RecordKind::Incident
                && crate::domain::rules::incident::ssr_critical_record(record, policy).is_some())
        }
    }
}

/// The queue's view of the caller.
pub fn viewer(actor: &Actor, scope: Scope, policy: &Policy) -> Viewer {
    Viewer {
        user: actor.user.clone(),
        org: actor.org.clone(),
        scope,
        identifying_everywhere: actor.protective_intervener,
        protected: crate::domain::mask::sees_protected(actor, policy),
    }
}
