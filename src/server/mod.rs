//! The HTTP API (DESIGN §5): axum, bearer-token auth, tenancy, the masking boundary, the
//! change feed and the OpenAPI document.

mod analytics;
pub mod auth;
pub mod error;
mod exports;
mod feed;
mod handovers;
mod hygiene;
mod learning;
pub mod limit;
mod lines;
pub mod openapi;
mod people;
mod persons;
mod present;
mod record_people;
mod records;
mod reference;
mod reminders;
mod session;
mod since;
mod submissions;
pub mod tls;

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::extract::connect_info::Connected;
use axum::routing::{get, post};
use axum::serve::{IncomingStream, Listener};
use tokio::sync::watch;
use tokio_rustls::rustls::ServerConfig;
use tower_http::limit::RequestBodyLimitLayer;
use tower_http::timeout::TimeoutLayer;

use crate::domain::model::Record;
use crate::domain::policy::{Policy, PolicySet};
use crate::store::Store;

use limit::{LoginLimits, LoginThrottle};

/// Largest request body accepted (413 beyond it).
pub const BODY_LIMIT: usize = 1024 * 1024;
/// How long a request may take before it is answered 408.
pub const REQUEST_TIMEOUT: Duration = Duration::from_secs(30);

#[derive(Clone)]
pub struct AppState {
    pub store: Store,
    pub policies: Arc<PolicySet>,
    /// Flips to true when the server is shutting down: change feeds end so that in-flight
    /// requests can finish.
    pub shutdown: watch::Receiver<bool>,
    /// Failed logins, counted to refuse guessing.
    pub logins: Arc<LoginThrottle>,
}

/// The client's address: the peer of its TCP connection (behind a reverse proxy, the
/// proxy's).
#[derive(Debug, Clone, Copy)]
pub struct ClientAddr(pub SocketAddr);

impl Connected<IncomingStream<'_, tokio::net::TcpListener>> for ClientAddr {
    fn connect_info(stream: IncomingStream<'_, tokio::net::TcpListener>) -> ClientAddr {
        ClientAddr(*stream.remote_addr())
    }
}

impl Connected<IncomingStream<'_, tls::TlsListener>> for ClientAddr {
    fn connect_info(stream: IncomingStream<'_, tls::TlsListener>) -> ClientAddr {
        ClientAddr(*stream.remote_addr())
    }
}

impl AppState {
    /// The policy a record is judged by (R-ERA).
    pub fn policy_of(&self, record: &Record) -> &Policy {
        self.policies.of_record(record)
    }
}

/// The whole API.
pub fn router(state: AppState) -> Router {
    let api = Router::new()
        .route("/v1/session", post(session::login))
        .route("/v1/me", get(session::me))
        .route("/v1/users", get(session::colleagues))
        .route("/v1/policy", get(reference::policy))
        .route("/v1/queue", get(records::queue))
        .route("/v1/queue/count", get(records::count))
        .route("/v1/records", post(records::create))
        .route("/v1/records/{id}", get(records::read))
        .route("/v1/records/{id}/commands", post(records::command))
        .route("/v1/records/{id}/history", get(records::history))
        .route("/v1/records/{id}/seen", post(since::seen))
        .route("/v1/since", get(since::since))
        .route("/v1/handovers", get(handovers::list).post(handovers::write))
        .route(
            "/v1/handovers/{id}/acknowledge",
            post(handovers::acknowledge),
        )
        .route("/v1/people/candidates", post(people::candidates))
        .route("/v1/people/{id}", get(persons::show))
        .route("/v1/people/{id}/merge", post(persons::merge))
        .route("/v1/people/{id}/distinct", post(persons::distinct))
        .route("/v1/people/merges/{merge}/undo", post(persons::undo))
        .route("/v1/submissions", get(submissions::list))
        .route("/v1/submissions/batches", post(submissions::send_batch))
        .route("/v1/submissions/{id}", get(submissions::show))
        .route("/v1/submissions/{id}/retry", post(submissions::retry))
        .route("/v1/reminders", get(reminders::list).post(reminders::set))
        .route("/v1/reminders/{id}/done", post(reminders::done))
        .route("/v1/analytics", get(analytics::analytics))
        .route("/v1/exports", post(exports::export))
        .route("/v1/learning-actions", get(learning::learning_actions))
        .route("/v1/audit", get(reference::audit))
        .route("/v1/calendar/holidays", get(reference::holidays))
        .route("/healthz", get(reference::healthz))
        .route("/readyz", get(reference::readyz))
        .route("/openapi.json", get(openapi::document))
        .layer(TimeoutLayer::with_status_code(
            axum::http::StatusCode::REQUEST_TIMEOUT,
            REQUEST_TIMEOUT,
        ));
    // The change feed is a long-lived stream: no request timeout.
    let feed = Router::new().route("/v1/events", get(feed::events));
    api.merge(feed)
        .fallback(hygiene::not_found)
        .method_not_allowed_fallback(hygiene::method_not_allowed)
        // Wraps the body limit, so that its 413 is JSON too.
        .layer(RequestBodyLimitLayer::new(BODY_LIMIT))
        .layer(axum::middleware::from_fn(hygiene::json_errors))
        .layer(hygiene::trace_layer())
        .layer(hygiene::propagate_request_id_layer())
        .layer(hygiene::request_id_layer())
        .with_state(state)
}

/// Serve until SIGTERM or ctrl-c; requests in flight finish first. With a TLS
/// configuration, HTTPS; without, plain HTTP.
pub async fn serve(
    store: Store,
    policies: PolicySet,
    listen: SocketAddr,
    tls: Option<Arc<ServerConfig>>,
) -> std::io::Result<()> {
    let listener = tokio::net::TcpListener::bind(listen).await?;
    match tls {
        Some(config) => serve_tls_on(listener, config, store, policies, shutdown_signal()).await,
        None => serve_on(listener, store, policies, shutdown_signal()).await,
    }
}

/// Serve plain HTTP on a bound listener until `stop` resolves.
pub async fn serve_on(
    listener: tokio::net::TcpListener,
    store: Store,
    policies: PolicySet,
    stop: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    run(listener, "http", store, policies, stop).await
}

/// Serve HTTPS on a bound listener until `stop` resolves.
pub async fn serve_tls_on(
    listener: tokio::net::TcpListener,
    config: Arc<ServerConfig>,
    store: Store,
    policies: PolicySet,
    stop: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let listener = tls::TlsListener::new(listener, config)?;
    run(listener, "https", store, policies, stop).await
}

async fn run<L>(
    listener: L,
    scheme: &str,
    store: Store,
    policies: PolicySet,
    stop: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()>
where
    L: Listener<Addr = SocketAddr>,
    for<'a> ClientAddr: Connected<IncomingStream<'a, L>>,
{
    let (tx, rx) = watch::channel(false);
    let state = AppState {
        store,
        policies: Arc::new(policies),
        shutdown: rx,
        logins: Arc::new(LoginThrottle::new(LoginLimits::default())),
    };
    let app = router(state);
    tracing::info!(address = %listener.local_addr()?, scheme, "cims serving");
    axum::serve(
        listener,
        app.into_make_service_with_connect_info::<ClientAddr>(),
    )
    .with_graceful_shutdown(async move {
        stop.await;
        tracing::info!("shutting down: finishing requests in flight");
        let _ = tx.send(true);
    })
    .await
}

async fn shutdown_signal() {
    let ctrl_c = async {
        if tokio::signal::ctrl_c().await.is_err() {
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {},
        _ = terminate => {},
    }
}
