//! Every error leaves as JSON `{error, message, rule?}` with the right status.

use std::num::NonZeroU32;

use axum::Json;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};

use crate::domain::refusal::{Refusal, RefusalKind};
use crate::store::{QueueError, StoreError, WriteError};
use crate::wire::ErrorBody;

#[derive(Debug)]
pub struct ApiError {
    pub status: StatusCode,
    pub body: ErrorBody,
    /// Seconds to wait before trying again (`Retry-After`), for 429. Small, so that every
    /// `Result<_, ApiError>` stays small.
    pub retry_after: Option<NonZeroU32>,
}

impl ApiError {
    pub fn new(status: StatusCode, error: &str, message: impl Into<String>) -> ApiError {
        ApiError {
            status,
            body: ErrorBody {
                error: error.to_string(),
                message: message.into(),
                rule: None,
                field: None,
                current_version: None,
            },
            retry_after: None,
        }
    }

    /// Not found — also what a caller gets for a record it may not see, so that existence
    /// does not leak.
    pub fn not_found() -> ApiError {
        ApiError::new(StatusCode::NOT_FOUND, "not_found", "no such record")
    }

    pub fn unauthorized() -> ApiError {
        ApiError::new(
            StatusCode::UNAUTHORIZED,
            "unauthorized",
            "a valid bearer token is required: log in with POST /v1/session or `cims login`",
        )
    }

    pub fn forbidden(message: impl Into<String>) -> ApiError {
        ApiError::new(StatusCode::FORBIDDEN, "forbidden", message)
    }

    pub fn bad_request(message: impl Into<String>) -> ApiError {
        ApiError::new(StatusCode::BAD_REQUEST, "bad_request", message)
    }

    pub fn unprocessable(message: impl Into<String>) -> ApiError {
        ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, "invalid", message)
    }

    /// Too many failed logins: try again in `wait` (whole seconds, rounded up).
    pub fn too_many_logins(wait: std::time::Duration) -> ApiError {
        let seconds = wait.as_secs() + u64::from(wait.subsec_nanos() > 0);
        let mut error = ApiError::new(
            StatusCode::TOO_MANY_REQUESTS,
            "too_many_attempts",
            format!(
                "too many failed logins for this username or from this address: try again in {} minute(s)",
                seconds.div_ceil(60).max(1)
            ),
        );
        error.retry_after = NonZeroU32::new(u32::try_from(seconds).unwrap_or(u32::MAX).max(1));
        error
    }

    pub fn internal() -> ApiError {
        ApiError::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "internal",
            "the server could not complete the request; it has been logged",
        )
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let mut response = (self.status, Json(self.body)).into_response();
        if let Some(seconds) = self.retry_after {
            response
                .headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from(seconds.get()));
        }
        response
    }
}

impl From<Refusal> for ApiError {
    fn from(r: Refusal) -> ApiError {
        let (status, error) = match r.kind {
            RefusalKind::Forbidden => (StatusCode::FORBIDDEN, "forbidden"),
            RefusalKind::Rule => (StatusCode::UNPROCESSABLE_ENTITY, "refused"),
            RefusalKind::Invalid => (StatusCode::UNPROCESSABLE_ENTITY, "invalid"),
        };
        ApiError {
            status,
            body: ErrorBody {
                error: error.to_string(),
                message: r.message,
                rule: r.rule.map(String::from),
                field: r.field,
                current_version: None,
            },
            retry_after: None,
        }
    }
}

impl From<StoreError> for ApiError {
    fn from(e: StoreError) -> ApiError {
        // The detail goes to the log, never to the caller: it may name stored values.
        tracing::error!(error = %e, "store error");
        ApiError::internal()
    }
}

impl From<WriteError> for ApiError {
    fn from(e: WriteError) -> ApiError {
        match e {
            WriteError::Refused(r) => r.into(),
            WriteError::NotFound => ApiError::not_found(),
            WriteError::Conflict { current } => {
                let mut error = ApiError::new(
                    StatusCode::CONFLICT,
                    "conflict",
                    format!(
                        "the record changed since you read it: it is now at version {current}; reload and try again"
                    ),
                );
                error.body.current_version = Some(current);
                error
            }
            WriteError::Store(e) => e.into(),
        }
    }
}

impl From<QueueError> for ApiError {
    fn from(e: QueueError) -> ApiError {
        match e {
            QueueError::BadCursor => ApiError::bad_request(e.to_string()),
            QueueError::Store(e) => e.into(),
        }
    }
}
