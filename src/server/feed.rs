//! `GET /v1/events`: the change feed as Server-Sent Events. Each event says only which
//! record moved to which version (`id:` is the global sequence); `Last-Event-ID` resumes
//! with nothing missed; a comment every few seconds keeps proxies from closing the link.
//! The caller's token is checked again on every wake-up and at least every few seconds: once
//! it is revoked or expired (or the account disabled) the feed ends, and reconnecting is
//! refused with 401.

use std::convert::Infallible;
use std::time::Duration;

use axum::extract::{Query, State};
use axum::http::HeaderMap;
use axum::response::sse::{Event, KeepAlive, Sse};
use chrono::Utc;
use futures_util::Stream;
use serde::Deserialize;
use utoipa::IntoParams;

use crate::domain::actor::Actor;
use crate::store::{FeedEvent, Scope};
use crate::wire::Change;

use super::AppState;
use super::auth::{Caller, scope};
use super::error::ApiError;

const BATCH: i64 = 500;
const KEEP_ALIVE: Duration = Duration::from_secs(15);
/// The longest an open feed goes on after its token stops being valid.
const TOKEN_RECHECK: Duration = Duration::from_secs(5);

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct FeedParams {
    /// Resume after this sequence (the same as the Last-Event-ID header); 0 from the start.
    /// Without either, the feed starts at the newest event.
    #[param(minimum = 0)]
    pub after: Option<i64>,
}

fn visible(actor: &Actor, scope: Scope, event: &FeedEvent) -> bool {
    let own = event.org_id == actor.org || event.assignee.as_deref() == Some(actor.user.as_str());
    match scope {
        Scope::All => true,
        Scope::Own => own,
        Scope::Regulator => own || event.ssr_critical,
    }
}

/// Changes to records the caller may see, as they commit.
#[utoipa::path(
    get, path = "/v1/events", tag = "records",
    params(
        FeedParams,
        ("Last-Event-ID" = Option<i64>, Header, minimum = 0, description = "Resume after this sequence"),
    ),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "text/event-stream of `record` events whose data is a Change; it ends within seconds once the token is revoked or expires", content_type = "text/event-stream", body = crate::wire::ServerSentEvent),
        (status = 400, description = "Bad Last-Event-ID or after", body = crate::wire::ErrorBody),
        (status = 401, description = "No valid token", body = crate::wire::ErrorBody),
        (status = 403, description = "Admin accounts see no client data", body = crate::wire::ErrorBody),
    )
)]
pub async fn events(
    caller: Caller,
    State(state): State<AppState>,
    Query(params): Query<FeedParams>,
    headers: HeaderMap,
) -> Result<Sse<impl Stream<Item = Result<Event, Infallible>>>, ApiError> {
    let scope = scope(&caller.actor)
        .ok_or_else(|| ApiError::forbidden("admin accounts see no client data"))?;
    let header = match headers.get("last-event-id") {
        Some(v) => Some(
            v.to_str()
                .ok()
                .and_then(|v| v.trim().parse::<i64>().ok())
                .filter(|n| *n >= 0)
                .ok_or_else(|| {
                    ApiError::bad_request("Last-Event-ID must be an event sequence number")
                })?,
        ),
        None => None,
    };
    if params.after.is_some_and(|n| n < 0) {
        return Err(ApiError::bad_request("after must be 0 or more"));
    }
    let mut wake = state.store.subscribe();
    let start = match header.or(params.after) {
        Some(n) => n,
        None => *wake.borrow_and_update(),
    };
    let actor = caller.actor;
    let token = caller.token;
    let store = state.store.clone();
    let mut shutdown = state.shutdown.clone();
    let stream = async_stream(move |tx| async move {
        let mut after = start;
        loop {
            match store.authenticate(&token, Utc::now()).await {
                Ok(Some(_)) => {}
                Ok(None) => return,
                Err(e) => {
                    tracing::warn!(error = %e, "change feed token check failed");
                    return;
                }
            }
            // Catch up from the table: the wake-up only says something may be new.
            loop {
                let batch = match store.events_since(after, BATCH).await {
                    Ok(batch) => batch,
                    Err(e) => {
                        tracing::warn!(error = %e, "change feed read failed");
                        return;
                    }
                };
                let full = batch.len() as i64 == BATCH;
                for event in batch {
                    after = event.seq;
                    if !visible(&actor, scope, &event) {
                        continue;
                    }
                    let change = Change {
                        seq: event.seq,
                        record_id: event.record_id,
                        version: event.version,
                    };
                    let data = serde_json::to_string(&change).unwrap_or_default();
                    let sse = Event::default()
                        .id(change.seq.to_string())
                        .event("record")
                        .data(data);
                    if tx.send(Ok(sse)).await.is_err() {
                        return;
                    }
                }
                if !full {
                    break;
                }
            }
            tokio::select! {
                changed = wake.changed() => if changed.is_err() { return; },
                _ = tokio::time::sleep(TOKEN_RECHECK) => {},
                _ = shutdown.wait_for(|stop| *stop) => return,
            }
        }
    });
    Ok(Sse::new(stream).keep_alive(KeepAlive::new().interval(KEEP_ALIVE).text("keep-alive")))
}

/// A stream fed by a task through a small channel; the task stops when the client goes.
fn async_stream<F, Fut>(f: F) -> impl Stream<Item = Result<Event, Infallible>>
where
    F: FnOnce(tokio::sync::mpsc::Sender<Result<Event, Infallible>>) -> Fut,
    Fut: std::future::Future<Output = ()> + Send + 'static,
{
    let (tx, mut rx) = tokio::sync::mpsc::channel(64);
    tokio::spawn(f(tx));
    futures_util::stream::poll_fn(move |cx| rx.poll_recv(cx))
}
