//! Lines users write about records outside the record itself (a handover's line, a
//! reminder's note), read back as the reader may see them now: nothing where they may not
//! see the record, a masked marker where they may not see its identifying details, protected
//! words redacted where they may not see those (R-PRIV-3, R-PRIV-8).

use chrono::Utc;
use serde_json::Value;

use crate::domain::mask::{self, protected_terms_in, redact_terms};
use crate::domain::model::Record;
use crate::domain::policy::FieldClass;

use super::AppState;
use super::auth::{Caller, can_see};
use super::error::ApiError;

/// The record, if it is there and the caller may see it.
pub(super) async fn visible(
    state: &AppState,
    caller: &Caller,
    id: &str,
) -> Result<Option<Record>, ApiError> {
    Ok(state
        .store
        .load(id)
        .await?
        .filter(|r| can_see(&caller.actor, r, state.policy_of(r))))
}

/// The record's id and the line, as the caller may read them; `what` names the line in the
/// audit entry written when it discloses protected details to its reader (R-PRIV-5).
pub(super) async fn readable(
    state: &AppState,
    caller: &Caller,
    record: Option<&Record>,
    line: &str,
    what: Value,
) -> Result<(Value, Value), ApiError> {
    let Some(record) = record else {
        let hidden = mask::marker(FieldClass::Identifying);
        return Ok((hidden.clone(), hidden));
    };
    let policy = state.policy_of(record);
    let line = if !mask::sees_identifying(&caller.actor, record) {
        mask::marker(FieldClass::Identifying)
    } else if mask::sees_protected(&caller.actor, policy) {
        let disclosed = {
            let terms = state.store.terms().read();
            !protected_terms_in(line, &terms).is_empty()
        };
        if disclosed {
            state
                .store
                .audit(
                    &caller.actor.user,
                    "disclosed_protected_line",
                    Some(&record.id),
                    &what,
                    Utc::now(),
                )
                .await?;
        }
        Value::String(line.to_string())
    } else {
        let terms = state.store.terms().read();
        Value::String(redact_terms(line, &terms))
    };
    Ok((Value::String(record.id.clone()), line))
}

/// A line as written: one line, not empty, at most `max` characters; what is wrong with it
/// otherwise.
pub(super) fn checked(line: &str, max: usize) -> Result<String, String> {
    let line = line.trim();
    if line.is_empty() || line.chars().count() > max || line.chars().any(char::is_control) {
        Err(format!("1 to {max} characters on one line"))
    } else {
        Ok(line.to_string())
    }
}
