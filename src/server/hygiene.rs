//! What every response shares: JSON errors (404, 405, 413, 408 and extractor rejections
//! included), a request id, and a log line per request that carries no secrets: the
//! method and path only, never the query string (it may hold search words) or headers.

use std::sync::atomic::{AtomicU64, Ordering};

use axum::body::Body;
use axum::extract::Request;
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use tower_http::classify::{ServerErrorsAsFailures, SharedClassifier};
use tower_http::request_id::{
    MakeRequestId, PropagateRequestIdLayer, RequestId, SetRequestIdLayer,
};
use tower_http::trace::TraceLayer;

use super::error::ApiError;

pub const REQUEST_ID: &str = "x-request-id";

pub async fn not_found() -> ApiError {
    ApiError::new(StatusCode::NOT_FOUND, "not_found", "no such endpoint")
}

pub async fn method_not_allowed() -> ApiError {
    ApiError::new(
        StatusCode::METHOD_NOT_ALLOWED,
        "method_not_allowed",
        "this endpoint does not take that method",
    )
}

/// Turn any error response that is not JSON (from a layer or an extractor) into
/// `{error, message}`, keeping its status.
pub async fn json_errors(request: Request, next: Next) -> Response {
    let response = next.run(request).await;
    let status = response.status();
    let is_json = response
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/json"));
    if !(status.is_client_error() || status.is_server_error()) || is_json {
        return response;
    }
    let (parts, body) = response.into_parts();
    let text = axum::body::to_bytes(body, 16 * 1024)
        .await
        .map(|b| String::from_utf8_lossy(&b).trim().to_string())
        .unwrap_or_default();
    let (code, message) = match status {
        StatusCode::PAYLOAD_TOO_LARGE => (
            "too_large",
            format!(
                "the request body is larger than {} bytes",
                super::BODY_LIMIT
            ),
        ),
        StatusCode::REQUEST_TIMEOUT => (
            "timeout",
            "the request took too long and was stopped".to_string(),
        ),
        StatusCode::UNSUPPORTED_MEDIA_TYPE => (
            "unsupported_media_type",
            "send the body as JSON with Content-Type: application/json".to_string(),
        ),
        s if s.is_server_error() => (
            "internal",
            "the server could not complete the request".into(),
        ),
        _ => (
            "bad_request",
            if text.is_empty() {
                status
                    .canonical_reason()
                    .unwrap_or("the request is not valid")
                    .to_string()
            } else {
                text
            },
        ),
    };
    let mut rewritten = ApiError::new(status, code, message).into_response();
    for (name, value) in &parts.headers {
        if name != header::CONTENT_TYPE && name != header::CONTENT_LENGTH {
            rewritten.headers_mut().insert(name, value.clone());
        }
    }
    rewritten
}

/// Request ids: a per-process prefix and a counter, e.g. `3f2a9c-000042`.
#[derive(Clone)]
pub struct Sequential {
    prefix: String,
}

static NEXT_ID: AtomicU64 = AtomicU64::new(1);

impl MakeRequestId for Sequential {
    fn make_request_id<B>(&mut self, _request: &axum::http::Request<B>) -> Option<RequestId> {
        let n = NEXT_ID.fetch_add(1, Ordering::Relaxed);
        HeaderValue::from_str(&format!("{}-{n:06}", self.prefix))
            .ok()
            .map(RequestId::new)
    }
}

pub fn request_id_layer() -> SetRequestIdLayer<Sequential> {
    let mut bytes = [0_u8; 3];
    let prefix = if getrandom::fill(&mut bytes).is_ok() {
        bytes.iter().map(|b| format!("{b:02x}")).collect()
    } else {
        std::process::id().to_string()
    };
    SetRequestIdLayer::new(
        axum::http::HeaderName::from_static(REQUEST_ID),
        Sequential { prefix },
    )
}

pub fn propagate_request_id_layer() -> PropagateRequestIdLayer {
    PropagateRequestIdLayer::new(axum::http::HeaderName::from_static(REQUEST_ID))
}

type MakeSpan = fn(&axum::http::Request<Body>) -> tracing::Span;

pub fn trace_layer() -> TraceLayer<SharedClassifier<ServerErrorsAsFailures>, MakeSpan> {
    TraceLayer::new_for_http().make_span_with(span as MakeSpan)
}

fn span(request: &axum::http::Request<Body>) -> tracing::Span {
    let id = request
        .headers()
        .get(REQUEST_ID)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("-");
    tracing::info_span!(
        "request",
        id = %id,
        method = %request.method(),
        path = %request.uri().path(),
    )
}
