//! Typed calls to the v1 API (DESIGN §5). Every answer is decoded through
//! [`sanitize::clean_value`](super::sanitize::clean_value), errors included, and every
//! failure is one [`ClientError`] variant a user interface can act on.

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use reqwest::header::{ACCEPT, HeaderValue};
use reqwest::{RequestBuilder, StatusCode};
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::Value;

use crate::domain::analytics::{GroupBy, Interval};
use crate::domain::commands::Command;
use crate::domain::policy::Policy;
use crate::wire::{
    Analytics, AnalyticsCount, CSV_HEADER, CreateRecord, DistinctPeople, ErrorBody, ExportFormat,
    ExportRequest, History, Holidays, LearningActions, LoginRequest, LoginResponse, Me,
    MergePeople, PersonView, QueuePage, QueueRow, RecordView, UndoMerge,
};

use super::sanitize::clean_value;

/// How long to wait for a connection to the server.
pub const CONNECT_TIMEOUT: Duration = Duration::from_secs(5);
/// How long a whole request may take, answer included.
pub const REQUEST_TIMEOUT: Duration = Duration::from_secs(15);
/// How long the change feed may stay silent before the link counts as dead. The server
/// sends a keep-alive comment every 15 s.
pub const FEED_SILENCE: Duration = Duration::from_secs(45);
/// The largest answer read; anything bigger is a [`ClientError::BadResponse`].
pub const MAX_RESPONSE: usize = 64 * 1024 * 1024;

/// What went wrong with a call, in terms a user interface can act on.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ClientError {
    /// No answer: connection refused, timed out, name not resolved, link dropped. Worth
    /// retrying later; writes can wait in the outbox.
    #[error("no server at {server} ({reason}): start one with `cims serve`, or try `cims demo`")]
    Offline { server: String, reason: String },
    /// No valid token (or a wrong password when logging in): log in again.
    #[error("not logged in, or the session has expired: log in again with `cims login`")]
    Unauthorized,
    /// The caller's role or organisation does not allow it.
    #[error("not allowed: {0}")]
    Forbidden(String),
    /// No such record, or not one the caller may see.
    #[error("no such record, or not one you may see")]
    NotFound,
    /// The record changed since it was read; `current_version` is where it stands now.
    #[error(
        "the record changed since you read it: it is now at version {current_version}; reload and try again"
    )]
    Conflict { current_version: u64 },
    /// A rule refused the request (`rule` names it), or the request was invalid for the
    /// record as it stands; `field` is the form field it is about, when known.
    #[error("{}", refused_text(rule.as_deref(), message))]
    Refused {
        rule: Option<String>,
        message: String,
        field: Option<String>,
    },
    /// The request itself was malformed (400, 413, 415, 428 and other client errors).
    #[error("the server did not accept the request: {0}")]
    Invalid(String),
    /// The server failed or is overloaded (5xx, 408, 429): try again later.
    #[error("the server could not answer: {0}")]
    Server(String),
    /// The answer could not be decoded.
    #[error("the server's answer could not be read: {0}")]
    BadResponse(String),
}

fn refused_text(rule: Option<&str>, message: &str) -> String {
    match rule {
        Some(rule) => format!("refused ({rule}): {message}"),
        None => format!("refused: {message}"),
    }
}

impl ClientError {
    /// True when the server was not reached, so trying again later may succeed.
    pub fn is_offline(&self) -> bool {
        matches!(self, ClientError::Offline { .. })
    }
}

/// `GET /v1/queue` parameters; `None` leaves each to the server's default.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct QueueRequest {
    /// Filter terms and free text, e.g. `impact:major due:<24h smith`.
    pub q: Option<String>,
    /// A saved view: mine, due_today, overdue, major, intake, all.
    pub view: Option<String>,
    /// due, updated, created, id, stage; prefix `-` for descending.
    pub sort: Option<String>,
    /// Rows per page, 1 to 500.
    pub limit: Option<u32>,
    /// A previous page's `next_cursor`.
    pub cursor: Option<String>,
}

impl QueueRequest {
    /// The query string, values percent-encoded, with its leading `?` (empty when there
    /// is nothing to send).
    pub fn query_string(&self) -> String {
        let limit = self.limit.map(|l| l.to_string());
        query_string(&[
            ("q", self.q.as_deref()),
            ("view", self.view.as_deref()),
            ("sort", self.sort.as_deref()),
            ("limit", limit.as_deref()),
            ("cursor", self.cursor.as_deref()),
        ])
    }
}

/// `?name=value&…` of the values given, percent-encoded; empty when none is.
fn query_string(pairs: &[(&str, Option<&str>)]) -> String {
    let parts: Vec<String> = pairs
        .iter()
        .filter_map(|(name, value)| value.map(|v| format!("{name}={}", encode(v))))
        .collect();
    if parts.is_empty() {
        String::new()
    } else {
        format!("?{}", parts.join("&"))
    }
}

/// `GET /v1/analytics` parameters; `None` leaves each to the server's default.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AnalyticsRequest {
    pub by: Option<GroupBy>,
    pub interval: Option<Interval>,
    pub periods: Option<usize>,
    pub q: Option<String>,
}

impl AnalyticsRequest {
    pub fn query_string(&self) -> String {
        let periods = self.periods.map(|p| p.to_string());
        let interval = self.interval.map(|i| match i {
            Interval::Week => "week",
            Interval::Month => "month",
        });
        query_string(&[
            ("by", self.by.map(GroupBy::as_str)),
            ("interval", interval),
            ("periods", periods.as_deref()),
            ("q", self.q.as_deref()),
        ])
    }
}

/// An export as the server sent it, checked to be what was asked for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Export {
    pub bytes: Vec<u8>,
    pub rows: usize,
}

/// How long an export may take: it reads a whole view.
pub const EXPORT_TIMEOUT: Duration = Duration::from_secs(60);

/// `text` percent-encoded for a query value or a path segment: everything but the
/// unreserved characters (RFC 3986) is escaped.
pub fn encode(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for b in text.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~') {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// A fresh idempotency key: 128 random bits as hex.
pub fn new_idempotency_key() -> String {
    let mut bytes = [0u8; 16];
    if getrandom::fill(&mut bytes).is_err() {
        // The system random source failed; the time and a counter still give a key that is
        // unique for this user in practice.
        static COUNTER: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
        let n = COUNTER.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let nanos = chrono::Utc::now()
            .timestamp_nanos_opt()
            .unwrap_or_default()
            .to_le_bytes();
        bytes[..8].copy_from_slice(&nanos);
        bytes[8..].copy_from_slice(&n.to_le_bytes());
    }
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// A connection to one server as one user. Cheap to clone: clones share connections.
#[derive(Clone)]
pub struct Client {
    http: reqwest::Client,
    stream: reqwest::Client,
    base: Arc<str>,
    token: Arc<str>,
}

impl fmt::Debug for Client {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // The token is a secret: never in logs or panics.
        f.debug_struct("Client")
            .field("base", &self.base)
            .finish_non_exhaustive()
    }
}

/// `base` as `http://host:port` or `https://host:port` (no trailing slash), or why it
/// cannot be used.
pub fn normalise_base(base: &str) -> Result<String, ClientError> {
    let base = base.trim().trim_end_matches('/');
    let url = reqwest::Url::parse(base)
        .map_err(|e| ClientError::Invalid(format!("server address {base:?}: {e}")))?;
    if !matches!(url.scheme(), "http" | "https") {
        return Err(ClientError::Invalid(format!(
            "server address {base}: scheme {:?} is neither http nor https",
            url.scheme()
        )));
    }
    if url.host_str().is_none_or(str::is_empty) {
        return Err(ClientError::Invalid(format!(
            "server address {base}: no host"
        )));
    }
    if url.query().is_some() || url.fragment().is_some() {
        return Err(ClientError::Invalid(format!(
            "server address {base}: give only scheme, host and port"
        )));
    }
    Ok(base.to_string())
}

fn http_client(total: Option<Duration>) -> Result<reqwest::Client, ClientError> {
    crate::tls::install_default_provider();
    let builder = reqwest::Client::builder().connect_timeout(CONNECT_TIMEOUT);
    let builder = match total {
        Some(total) => builder.timeout(total),
        None => builder.read_timeout(FEED_SILENCE),
    };
    builder
        .build()
        .map_err(|e| ClientError::Invalid(format!("cannot set up the HTTP client: {e}")))
}

fn checked_header(what: &str, value: &str) -> Result<HeaderValue, ClientError> {
    if value.is_empty() || !value.bytes().all(|b| b.is_ascii_graphic()) {
        return Err(ClientError::Invalid(format!(
            "the {what} must be visible ASCII characters"
        )));
    }
    HeaderValue::from_str(value)
        .map_err(|_| ClientError::Invalid(format!("the {what} cannot be sent as a header")))
}

/// The innermost cause of a transport error, in words: "Connection refused", "failed to
/// lookup address information …".
fn transport_reason(error: &reqwest::Error) -> String {
    if error.is_timeout() {
        return if error.is_connect() {
            format!("no connection within {} s", CONNECT_TIMEOUT.as_secs())
        } else {
            "no answer in time".to_string()
        };
    }
    innermost_cause(error)
}

/// The innermost cause of an error, without the operating system's error number ("(os
/// error 111)" helps no one).
pub(crate) fn innermost_cause(error: &(dyn std::error::Error + 'static)) -> String {
    let mut cause = error;
    while let Some(next) = cause.source() {
        cause = next;
    }
    let text = cause.to_string();
    match text.find(" (os error") {
        Some(at) => text[..at].to_string(),
        None => text,
    }
}

impl Client {
    /// A client for the server at `base` (`http://host:port`) using bearer `token`.
    pub fn new(base: &str, token: &str) -> Result<Client, ClientError> {
        let base = normalise_base(base)?;
        checked_header("token", token)?;
        Ok(Client {
            http: http_client(Some(REQUEST_TIMEOUT))?,
            stream: http_client(None)?,
            base: base.into(),
            token: token.into(),
        })
    }

    /// The server address, as normalised.
    pub fn base(&self) -> &str {
        &self.base
    }

    /// `POST /v1/session`: exchange a username and password for a token. A wrong username
    /// or password is [`ClientError::Unauthorized`].
    pub async fn login(
        base: &str,
        username: &str,
        password: &str,
    ) -> Result<LoginResponse, ClientError> {
        let base = normalise_base(base)?;
        let http = http_client(Some(REQUEST_TIMEOUT))?;
        let request = http
            .post(format!("{base}/v1/session"))
            .header(ACCEPT, "application/json")
            .json(&LoginRequest {
                username: username.to_string(),
                password: password.to_string(),
            });
        execute(&base, request).await
    }

    fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    fn authorised(&self, request: RequestBuilder) -> RequestBuilder {
        request
            .bearer_auth(&*self.token)
            .header(ACCEPT, "application/json")
    }

    async fn get<T: DeserializeOwned>(&self, path: &str) -> Result<T, ClientError> {
        let request = self.authorised(self.http.get(self.url(path)));
        execute(&self.base, request).await
    }

    /// `GET /v1/me`: who the token belongs to.
    pub async fn me(&self) -> Result<Me, ClientError> {
        self.get("/v1/me").await
    }

    /// `GET /v1/policy`: the policy in force, so checklists show what the server enforces.
    pub async fn policy(&self) -> Result<Policy, ClientError> {
        self.get("/v1/policy").await
    }

    /// `GET /v1/queue`: one page of record summaries, masked for the caller.
    pub async fn queue(&self, request: &QueueRequest) -> Result<QueuePage, ClientError> {
        self.get(&format!("/v1/queue{}", request.query_string()))
            .await
    }

    /// `GET /v1/users`: colleagues records can be assigned to.
    pub async fn colleagues(&self) -> Result<Vec<crate::wire::Colleague>, ClientError> {
        self.get("/v1/users").await
    }

    /// `GET /v1/queue/count`: how many records the caller may see match `q`.
    pub async fn count(&self, q: &str) -> Result<i64, ClientError> {
        let page: crate::wire::QueueCount = self
            .get(&format!("/v1/queue/count?q={}", encode(q)))
            .await?;
        Ok(page.count)
    }

    /// `GET /v1/analytics`: counts by group and period, small ones hidden for non-PIs.
    pub async fn analytics(&self, request: &AnalyticsRequest) -> Result<Analytics, ClientError> {
        let answer: Analytics = self
            .get(&format!("/v1/analytics{}", request.query_string()))
            .await?;
        check_analytics(&answer)?;
        Ok(answer)
    }

    /// `GET /v1/learning-actions`: open learning actions, soonest due first.
    pub async fn learning_actions(&self, mine: bool) -> Result<LearningActions, ClientError> {
        self.get(&format!("/v1/learning-actions?mine={mine}")).await
    }

    /// `POST /v1/exports`: every row of a view, masked for the caller; the server records
    /// the export in its audit log. The body is checked to be the format asked for, with
    /// the columns expected, before anyone writes it to a file.
    pub async fn export(&self, request: &ExportRequest) -> Result<Export, ClientError> {
        let response = self
            .authorised(self.http.post(self.url("/v1/exports")))
            .timeout(EXPORT_TIMEOUT)
            .json(request)
            .send()
            .await
            .map_err(|e| offline(&self.base, &e))?;
        let status = response.status();
        let bytes = read_body(&self.base, response).await?;
        if !status.is_success() {
            return Err(error_from(status, &bytes));
        }
        let rows = match request.format {
            ExportFormat::Json => serde_json::from_slice::<Vec<QueueRow>>(&bytes)
                .map_err(|e| ClientError::BadResponse(format!("the JSON export: {e}")))?
                .len(),
            ExportFormat::Csv => csv_rows(&bytes)?,
        };
        Ok(Export { bytes, rows })
    }

    /// `GET /v1/records/{id}`: the record as the caller may see it.
    pub async fn record(&self, id: &str) -> Result<RecordView, ClientError> {
        self.get(&format!("/v1/records/{}", encode(id))).await
    }

    /// `GET /v1/submissions?record=`: one record's submissions, newest first (R-SUBMIT-1).
    pub async fn record_submissions(
        &self,
        record: &str,
    ) -> Result<crate::wire::Submissions, ClientError> {
        self.get(&format!("/v1/submissions?record={}", encode(record)))
            .await
    }

    /// `GET /v1/submissions`: those the user may see, newest first, filtered by `query`
    /// (`status=`, `recipient=`, `record=`, `limit=`, already encoded).
    pub async fn submissions(&self, query: &str) -> Result<crate::wire::Submissions, ClientError> {
        if query.is_empty() {
            self.get("/v1/submissions").await
        } else {
            self.get(&format!("/v1/submissions?{query}")).await
        }
    }

    /// `POST /v1/submissions/batches`: the user's organisation's batch for `month` now
    /// (R-SUBMIT-4).
    pub async fn send_batch(&self, month: &str) -> Result<crate::wire::BatchSent, ClientError> {
        let request = self
            .authorised(self.http.post(self.url("/v1/submissions/batches")))
            .json(&crate::wire::SendBatch {
                month: month.to_string(),
            });
        execute(&self.base, request).await
    }

    /// `GET /v1/submissions/{id}`: one submission with its payload.
    pub async fn submission(&self, id: i64) -> Result<crate::wire::Submission, ClientError> {
        self.get(&format!("/v1/submissions/{id}")).await
    }

    /// `POST /v1/submissions/{id}/retry`: try a failing submission now, or send a rejected
    /// one again; answers the submission that will be sent.
    pub async fn retry_submission(&self, id: i64) -> Result<crate::wire::Submission, ClientError> {
        let request = self.authorised(
            self.http
                .post(self.url(&format!("/v1/submissions/{id}/retry"))),
        );
        refusable_call(&self.base, request).await
    }

    /// `GET /v1/records/{id}/history`: the record's events, oldest first.
    pub async fn history(&self, id: &str) -> Result<History, ClientError> {
        self.get(&format!("/v1/records/{}/history", encode(id)))
            .await
    }

    /// `POST /v1/records/{id}/seen`: the user has seen the record at `version`.
    pub async fn mark_seen(&self, id: &str, version: u64) -> Result<(), ClientError> {
        let request = self
            .authorised(
                self.http
                    .post(self.url(&format!("/v1/records/{}/seen", encode(id)))),
            )
            .json(&crate::wire::Seen { version });
        no_content(&self.base, request).await
    }

    /// `GET /v1/since`: what others changed after the user's last look, or after `from`
    /// (the `from` of an earlier answer).
    pub async fn since(&self, from: Option<i64>) -> Result<crate::wire::Since, ClientError> {
        match from {
            Some(from) => self.get(&format!("/v1/since?from={from}")).await,
            None => self.get("/v1/since").await,
        }
    }

    /// `GET /v1/handovers`: those to the user or their organisation, and those they wrote.
    pub async fn handovers(&self) -> Result<crate::wire::Handovers, ClientError> {
        self.get("/v1/handovers").await
    }

    /// `POST /v1/handovers`: hand records over.
    pub async fn write_handover(
        &self,
        handover: &crate::wire::WriteHandover,
    ) -> Result<crate::wire::Handover, ClientError> {
        let request = self
            .authorised(self.http.post(self.url("/v1/handovers")))
            .json(handover);
        execute(&self.base, request).await
    }

    /// `POST /v1/handovers/{id}/acknowledge`.
    pub async fn acknowledge_handover(&self, id: i64) -> Result<(), ClientError> {
        let request = self.authorised(
            self.http
                .post(self.url(&format!("/v1/handovers/{id}/acknowledge"))),
        );
        no_content(&self.base, request).await
    }

    /// `POST /v1/people/candidates`: who a person may already be.
    pub async fn candidates(
        &self,
        find: &crate::wire::FindPerson,
    ) -> Result<crate::wire::Candidates, ClientError> {
        let request = self
            .authorised(self.http.post(self.url("/v1/people/candidates")))
            .json(find);
        execute(&self.base, request).await
    }

    /// `GET /v1/people/{id}`: a person, through any of their mentions
    /// (`INT-2026-000123.child0`), as the caller may see them (R-PERSON-1).
    pub async fn person(&self, id: &str) -> Result<PersonView, ClientError> {
        let request = self.authorised(
            self.http
                .get(self.url(&format!("/v1/people/{}", encode(id)))),
        );
        let view = refusable_call(&self.base, request).await?;
        check_person(&view, id)?;
        Ok(view)
    }

    /// `POST /v1/people/{id}/merge`: the practitioner decides that `with` is the person
    /// `id`, for `reason` (R-PERSON-2). The answer is the person `id` as they are now.
    pub async fn merge_people(
        &self,
        id: &str,
        with: &str,
        reason: &str,
    ) -> Result<PersonView, ClientError> {
        let body = MergePeople {
            with: with.to_string(),
            reason: reason.to_string(),
        };
        self.decide_people(id, "merge", &body).await
    }

    /// `POST /v1/people/{id}/distinct`: the practitioner decides that `with` is not the
    /// person `id`, for `reason` (R-PERSON-2). The answer is the person `id` as they are now.
    pub async fn keep_apart(
        &self,
        id: &str,
        with: &str,
        reason: &str,
    ) -> Result<PersonView, ClientError> {
        let body = DistinctPeople {
            with: with.to_string(),
            reason: reason.to_string(),
        };
        self.decide_people(id, "distinct", &body).await
    }

    /// A decision about the person `id` (`merge` or `distinct`), answered with the person.
    async fn decide_people(
        &self,
        id: &str,
        decision: &str,
        body: &impl Serialize,
    ) -> Result<PersonView, ClientError> {
        let request = self
            .authorised(
                self.http
                    .post(self.url(&format!("/v1/people/{}/{decision}", encode(id)))),
            )
            .json(body);
        let view = refusable_call(&self.base, request).await?;
        check_person(&view, id)?;
        Ok(view)
    }

    /// `POST /v1/people/merges/{merge}/undo`: the decision `merge` is undone, for `reason`.
    /// The answer is the person on the first side of the merge, as they are now.
    pub async fn undo_merge(&self, merge: i64, reason: &str) -> Result<PersonView, ClientError> {
        let request = self
            .authorised(
                self.http
                    .post(self.url(&format!("/v1/people/merges/{merge}/undo"))),
            )
            .json(&UndoMerge {
                reason: reason.to_string(),
            });
        let view: PersonView = refusable_call(&self.base, request).await?;
        check_person(&view, &view.id)?;
        if !view.history.iter().any(|e| e.merge == merge) {
            return Err(ClientError::BadResponse(format!(
                "person {}: decision {merge} is not in their history",
                view.id
            )));
        }
        Ok(view)
    }

    /// `GET /v1/reminders`: the user's open reminders, soonest first.
    pub async fn reminders(&self) -> Result<crate::wire::Reminders, ClientError> {
        self.get("/v1/reminders").await
    }

    /// `POST /v1/reminders`: set a reminder on a record.
    pub async fn set_reminder(
        &self,
        reminder: &crate::wire::WriteReminder,
    ) -> Result<crate::wire::Reminder, ClientError> {
        let request = self
            .authorised(self.http.post(self.url("/v1/reminders")))
            .json(reminder);
        execute(&self.base, request).await
    }

    /// `POST /v1/reminders/{id}/done`.
    pub async fn finish_reminder(&self, id: i64) -> Result<(), ClientError> {
        let request = self.authorised(
            self.http
                .post(self.url(&format!("/v1/reminders/{id}/done"))),
        );
        no_content(&self.base, request).await
    }

    /// `GET /v1/calendar/holidays?year=`: the public holidays deadlines use.
    pub async fn holidays(&self, year: i32) -> Result<Holidays, ClientError> {
        self.get(&format!("/v1/calendar/holidays?year={year}"))
            .await
    }

    /// `POST /v1/records`: register an incident or intake. Sending the same key and body
    /// again gives the same record, once.
    pub async fn create(
        &self,
        record: &CreateRecord,
        idempotency_key: &str,
    ) -> Result<RecordView, ClientError> {
        let key = checked_header("idempotency key", idempotency_key)?;
        let request = self
            .authorised(self.http.post(self.url("/v1/records")))
            .header("idempotency-key", key)
            .json(record);
        execute(&self.base, request).await
    }

    /// `POST /v1/records/{id}/commands` at `version` (`If-Match`). Sending the same key
    /// again after the command landed answers with the record as it stands, so a retry
    /// never applies it twice.
    pub async fn command(
        &self,
        id: &str,
        version: u64,
        command: &Command,
        idempotency_key: &str,
    ) -> Result<RecordView, ClientError> {
        let key = checked_header("idempotency key", idempotency_key)?;
        let request = self
            .authorised(
                self.http
                    .post(self.url(&format!("/v1/records/{}/commands", encode(id)))),
            )
            .header(reqwest::header::IF_MATCH, format!("\"{version}\""))
            .header("idempotency-key", key)
            .json(command);
        execute(&self.base, request).await
    }

    /// Open `GET /v1/events`, resuming after `last_event_id` when given. Only the headers
    /// have been read when this returns.
    pub(crate) async fn open_feed(
        &self,
        last_event_id: Option<i64>,
    ) -> Result<reqwest::Response, ClientError> {
        let mut request = self
            .stream
            .get(self.url("/v1/events"))
            .bearer_auth(&*self.token)
            .header(ACCEPT, "text/event-stream");
        if let Some(id) = last_event_id {
            request = request.header("last-event-id", id.to_string());
        }
        let response = request.send().await.map_err(|e| offline(&self.base, &e))?;
        if response.status().is_success() {
            Ok(response)
        } else {
            let status = response.status();
            let body = read_body(&self.base, response).await?;
            Err(error_from(status, &body))
        }
    }
}

pub(crate) fn offline(base: &str, error: &reqwest::Error) -> ClientError {
    ClientError::Offline {
        server: base.to_string(),
        reason: transport_reason(error),
    }
}

/// Send the request; the answer's status and its body, at most [`MAX_RESPONSE`].
async fn sent(base: &str, request: RequestBuilder) -> Result<(StatusCode, Vec<u8>), ClientError> {
    let response = request.send().await.map_err(|e| offline(base, &e))?;
    let status = response.status();
    Ok((status, read_body(base, response).await?))
}

async fn read_body(base: &str, mut response: reqwest::Response) -> Result<Vec<u8>, ClientError> {
    let mut body = Vec::new();
    while let Some(chunk) = response.chunk().await.map_err(|e| offline(base, &e))? {
        if body.len() + chunk.len() > MAX_RESPONSE {
            return Err(ClientError::BadResponse(format!(
                "the answer is larger than {MAX_RESPONSE} bytes"
            )));
        }
        body.extend_from_slice(&chunk);
    }
    Ok(body)
}

/// A request whose answer has no body worth reading.
async fn no_content(base: &str, request: RequestBuilder) -> Result<(), ClientError> {
    let (status, body) = sent(base, request).await?;
    if status.is_success() {
        Ok(())
    } else {
        Err(error_from(status, &body))
    }
}

async fn execute<T: DeserializeOwned>(
    base: &str,
    request: RequestBuilder,
) -> Result<T, ClientError> {
    let (status, body) = sent(base, request).await?;
    if !status.is_success() {
        return Err(error_from(status, &body));
    }
    decode(&body)
}

/// A call whose 404 (no such person, merge or submission) and 409 (one person already,
/// undone already, nothing to try again) are refusals in the server's words.
async fn refusable_call<T: DeserializeOwned>(
    base: &str,
    request: RequestBuilder,
) -> Result<T, ClientError> {
    let (status, body) = sent(base, request).await?;
    if status.is_success() {
        return decode(&body);
    }
    let said = serde_json::from_slice::<Value>(&body)
        .ok()
        .and_then(|v| serde_json::from_value::<ErrorBody>(clean_value(v)).ok());
    match (status.as_u16(), said) {
        (404 | 409, Some(said)) => Err(ClientError::Refused {
            rule: said.rule,
            message: said.message,
            field: said.field,
        }),
        _ => Err(error_from(status, &body)),
    }
}

/// The person is the one asked for, their records are newest first, and their history
/// is decisions (`merged`, `kept_apart`) and undoings (`unmerged`, `apart_undone`) of
/// decisions of that kind it holds, oldest first.
fn check_person(view: &PersonView, asked: &str) -> Result<(), ClientError> {
    let bad = |what: String| Err(ClientError::BadResponse(format!("person {asked}: {what}")));
    if view.id != asked {
        return bad(format!("the answer is person {}", view.id));
    }
    if view.records.windows(2).any(|w| w[0].at < w[1].at) {
        return bad("records are not newest first".to_string());
    }
    if view.history.windows(2).any(|w| w[0].at > w[1].at) {
        return bad("the history is not oldest first".to_string());
    }
    for (i, event) in view.history.iter().enumerate() {
        let made = |action: &str| {
            view.history[..i]
                .iter()
                .any(|e| e.merge == event.merge && e.action == action)
        };
        match event.action.as_str() {
            "merged" | "kept_apart" => {}
            "unmerged" if made("merged") => {}
            "apart_undone" if made("kept_apart") => {}
            "unmerged" | "apart_undone" => {
                return bad(format!("decision {} is undone but never made", event.merge));
            }
            other => return bad(format!("a history event reads {other:?}")),
        }
    }
    Ok(())
}

/// Every group has a count per period, and hidden counts read `<N`.
fn check_analytics(answer: &Analytics) -> Result<(), ClientError> {
    let periods = answer.periods.len();
    let bad = |what: String| Err(ClientError::BadResponse(format!("analytics: {what}")));
    if answer.period_totals.len() != periods {
        return bad(format!(
            "{} period totals for {periods} periods",
            answer.period_totals.len()
        ));
    }
    for group in &answer.groups {
        if group.counts.len() != periods {
            return bad(format!(
                "group {} has {} counts for {periods} periods",
                group.key,
                group.counts.len()
            ));
        }
    }
    let counts = answer
        .groups
        .iter()
        .flat_map(|g| g.counts.iter().chain([&g.total]))
        .chain(&answer.period_totals)
        .chain([&answer.total]);
    for count in counts {
        if let AnalyticsCount::Hidden(text) = count
            && !text
                .strip_prefix('<')
                .is_some_and(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()))
        {
            return bad(format!("a count reads {text:?}"));
        }
    }
    Ok(())
}

/// The number of rows of a CSV export whose header is the one expected.
fn csv_rows(bytes: &[u8]) -> Result<usize, ClientError> {
    let bad = |what: String| ClientError::BadResponse(format!("the CSV export: {what}"));
    let mut reader = csv::Reader::from_reader(bytes);
    let header = reader.headers().map_err(|e| bad(e.to_string()))?;
    if header.iter().ne(CSV_HEADER) {
        return Err(bad("its columns are not the ones expected".to_string()));
    }
    let mut rows = 0;
    for record in reader.records() {
        record.map_err(|e| bad(e.to_string()))?;
        rows += 1;
    }
    Ok(rows)
}

/// A success body, sanitised, as `T`.
pub fn decode<T: DeserializeOwned>(body: &[u8]) -> Result<T, ClientError> {
    let value: Value = serde_json::from_slice(body)
        .map_err(|e| ClientError::BadResponse(format!("not JSON: {e}")))?;
    serde_json::from_value(clean_value(value))
        .map_err(|e| ClientError::BadResponse(format!("unexpected shape: {e}")))
}

/// The error an unsuccessful answer stands for.
pub fn error_from(status: StatusCode, body: &[u8]) -> ClientError {
    let parsed: Option<ErrorBody> = serde_json::from_slice::<Value>(body)
        .ok()
        .and_then(|v| serde_json::from_value(clean_value(v)).ok());
    let message = parsed.as_ref().map_or_else(
        || {
            format!(
                "{} {}",
                status.as_u16(),
                status.canonical_reason().unwrap_or("")
            )
            .trim_end()
            .to_string()
        },
        |b| b.message.clone(),
    );
    match status.as_u16() {
        401 => ClientError::Unauthorized,
        403 => ClientError::Forbidden(message),
        404 => ClientError::NotFound,
        409 => match parsed
            .as_ref()
            .and_then(|b| b.current_version)
            .and_then(|v| u64::try_from(v).ok())
        {
            Some(current_version) => ClientError::Conflict { current_version },
            // Not a record's version: a state that refuses it (a submission with nothing
            // to try again, a month's batch built already).
            None => ClientError::Refused {
                rule: None,
                message,
                field: None,
            },
        },
        422 => {
            let (rule, field) = parsed.map_or((None, None), |b| (b.rule, b.field));
            ClientError::Refused {
                rule,
                message,
                field,
            }
        }
        408 | 429 => ClientError::Server(message),
        400..=499 => ClientError::Invalid(message),
        _ if status.is_server_error() => ClientError::Server(message),
        _ => ClientError::BadResponse(format!("unexpected status {status}: {message}")),
    }
}
