//! A real server on a loopback socket over a given database, seeded with the organisations
//! and one user per persona, and a client that speaks to it as any of them.

use std::collections::{BTreeMap, BTreeSet};
use std::net::SocketAddr;
use std::time::Duration as StdDuration;

use chrono::Duration;
use cims::domain::actor::{OrgKind, Role};
use cims::domain::model::{Details, Incident, Intake};
use cims::domain::policy::PolicySet;
use cims::store::{Backend, NewUser, Organisation, Store};
use futures_util::StreamExt;
use reqwest::header::HeaderMap;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

/// How long a test waits for something that should happen at once before it fails.
pub const PATIENCE: StdDuration = StdDuration::from_secs(10);

/// The people the specifications talk about, one user each.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Persona {
    /// Child protection practitioner: department, protective intervener.
    Practitioner,
    /// Team manager: department, protective intervener.
    TeamManager,
    /// Anglicare's incident delegate (also a practitioner): not a protective intervener.
    CsoDelegate,
    /// A Berry Street practitioner: not a protective intervener.
    CsoPractitioner,
    /// The Social Services Regulator's viewer.
    Regulator,
    /// The department's Integrity Unit: protective intervener.
    IntegrityUnit,
    /// Deputy area operations manager: department, protective intervener.
    Daom,
    /// An account that manages users only: department, not a protective intervener.
    Admin,
    /// A practitioner of a community-based child and family service (The Orange Door).
    CommunityService,
    /// A department investigator: reads every organisation's records, but is not a
    /// protective intervener, so sees identifying details of the department's only.
    Investigator,
}

impl Persona {
    pub const ALL: [Persona; 10] = [
        Persona::Practitioner,
        Persona::TeamManager,
        Persona::CsoDelegate,
        Persona::CsoPractitioner,
        Persona::Regulator,
        Persona::IntegrityUnit,
        Persona::Daom,
        Persona::Admin,
        Persona::CommunityService,
        Persona::Investigator,
    ];

    /// Everyone who is not a protective intervener.
    pub const NON_PI: [Persona; 6] = [
        Persona::CsoDelegate,
        Persona::CsoPractitioner,
        Persona::Regulator,
        Persona::Admin,
        Persona::CommunityService,
        Persona::Investigator,
    ];

    pub fn user(self) -> &'static str {
        match self {
            Persona::Practitioner => "alice",
            Persona::TeamManager => "tess",
            Persona::CsoDelegate => "carol",
            Persona::CsoPractitioner => "bea",
            Persona::Regulator => "rex",
            Persona::IntegrityUnit => "ian",
            Persona::Daom => "dan",
            Persona::Admin => "ada",
            Persona::CommunityService => "cora",
            Persona::Investigator => "ike",
        }
    }

    pub fn org(self) -> &'static str {
        match self {
            Persona::Practitioner
            | Persona::TeamManager
            | Persona::IntegrityUnit
            | Persona::Daom
            | Persona::Admin
            | Persona::Investigator => "dffh",
            Persona::CsoDelegate => "anglicare",
            Persona::CsoPractitioner => "berry_street",
            Persona::Regulator => "ssr",
            Persona::CommunityService => "orange_door",
        }
    }

    pub fn roles(self) -> &'static [Role] {
        match self {
            Persona::Practitioner | Persona::CsoPractitioner | Persona::CommunityService => {
                &[Role::Practitioner]
            }
            Persona::TeamManager => &[Role::TeamManager],
            Persona::CsoDelegate => &[Role::IncidentDelegate, Role::Practitioner],
            Persona::Regulator => &[Role::Viewer],
            Persona::IntegrityUnit => &[Role::IntegrityUnit],
            Persona::Daom => &[Role::Daom],
            Persona::Admin => &[Role::Admin],
            Persona::Investigator => &[
                Role::Investigator,
                Role::InvestigationManager,
                Role::IncidentDelegate,
            ],
        }
    }

    pub fn pi(self) -> bool {
        matches!(
            self,
            Persona::Practitioner | Persona::TeamManager | Persona::IntegrityUnit | Persona::Daom
        )
    }
}

/// The organisations every test database holds.
pub const ORGS: [(&str, &str, OrgKind); 5] = [
    (
        "dffh",
        "Department of Families, Fairness and Housing",
        OrgKind::Department,
    ),
    ("anglicare", "Anglicare Victoria", OrgKind::Cso),
    ("berry_street", "Berry Street", OrgKind::Cso),
    ("ssr", "Social Services Regulator", OrgKind::Regulator),
    ("orange_door", "The Orange Door", OrgKind::CommunityService),
];

/// A response, read in full.
#[derive(Debug)]
pub struct Response {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: String,
}

impl Response {
    pub fn json(&self) -> Value {
        serde_json::from_str(&self.body).unwrap_or_else(|e| {
            panic!("response ({}) is not JSON: {e}: {}", self.status, self.body)
        })
    }

    /// The body as JSON, after checking the status.
    pub fn expect(&self, status: u16, what: &str) -> Value {
        assert_eq!(
            self.status.as_u16(),
            status,
            "{what}: expected {status}, got {}: {}",
            self.status,
            self.body
        );
        self.json()
    }

    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }
}

/// One running server.
pub struct Server {
    pub base: String,
    pub store: Store,
    stop: Option<oneshot::Sender<()>>,
    task: Option<JoinHandle<std::io::Result<()>>>,
}

impl Server {
    /// Serve the database at `url` on a fresh loopback port.
    pub async fn start(url: &str) -> Server {
        Server::start_on(url, SocketAddr::from(([127, 0, 0, 1], 0))).await
    }

    /// Serve the database at `url` on `address` (port 0: a fresh one). A port that was
    /// just given up may take a moment to become free again.
    pub async fn start_on(url: &str, address: SocketAddr) -> Server {
        let store = Store::open(url)
            .await
            .unwrap_or_else(|e| panic!("opening the store at {url}: {e}"));
        if store.backend() == Backend::Postgres {
            store.spawn_replica_listener(url.to_string());
        }
        let deadline = tokio::time::Instant::now() + PATIENCE;
        let listener = loop {
            match tokio::net::TcpListener::bind(address).await {
                Ok(listener) => break listener,
                Err(_) if tokio::time::Instant::now() < deadline => {
                    tokio::time::sleep(StdDuration::from_millis(50)).await;
                }
                Err(e) => panic!("bind {address}: {e}"),
            }
        };
        let address = listener.local_addr().expect("bound address");
        let (stop, stopped) = oneshot::channel::<()>();
        let policies = PolicySet::embedded().expect("embedded policy");
        let task = tokio::spawn(cims::server::serve_on(
            listener,
            store.clone(),
            policies,
            async move {
                let _ = stopped.await;
            },
        ));
        Server {
            base: format!("http://{address}"),
            store,
            stop: Some(stop),
            task: Some(task),
        }
    }

    /// Stop serving and wait for requests in flight to finish.
    pub async fn stop(mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(task) = self.task.take() {
            let finished = tokio::time::timeout(PATIENCE, task).await;
            match finished {
                Ok(Ok(Ok(()))) => {}
                Ok(Ok(Err(e))) => panic!("the server failed: {e}"),
                Ok(Err(e)) => panic!("the server task failed: {e}"),
                Err(_) => panic!("the server did not stop within {PATIENCE:?}"),
            }
        }
        self.store.close().await;
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
    }
}

/// Seed the organisations and one user per persona; returns each persona's bearer token.
pub async fn seed(store: &Store) -> BTreeMap<Persona, String> {
    for (id, name, kind) in ORGS {
        store
            .create_organisation(&Organisation {
                id: id.to_string(),
                name: name.to_string(),
                kind,
            })
            .await
            .expect("create organisation");
    }
    let mut tokens = BTreeMap::new();
    for persona in Persona::ALL {
        store
            .create_user(&NewUser {
                id: persona.user().to_string(),
                org_id: persona.org().to_string(),
                display_name: format!("{persona:?}"),
                roles: persona.roles().iter().copied().collect(),
                protective_intervener: persona.pi(),
                password: None,
            })
            .await
            .expect("create user");
        let (token, _) = store
            .issue_token(persona.user(), Duration::hours(1))
            .await
            .expect("issue token");
        tokens.insert(persona, token);
    }
    tokens
}

/// `text` for a query string.
pub fn encode(text: &str) -> String {
    let mut out = String::new();
    for b in text.bytes() {
        if b.is_ascii_alphanumeric() || b"-_.~".contains(&b) {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// A seeded server and a client.
pub struct Api {
    pub server: Server,
    pub client: reqwest::Client,
    pub url: String,
    tokens: BTreeMap<Persona, String>,
}

impl Api {
    /// A server over the (empty) database at `url`, seeded.
    pub async fn start(url: &str) -> Api {
        let server = Server::start(url).await;
        let tokens = seed(&server.store).await;
        Api {
            server,
            client: client(),
            url: url.to_string(),
            tokens,
        }
    }

    /// A second server over the same database; the same tokens work on it.
    pub async fn replica(&self) -> Api {
        Api {
            server: Server::start(&self.url).await,
            client: client(),
            url: self.url.clone(),
            tokens: self.tokens.clone(),
        }
    }

    pub async fn stop(self) {
        self.server.stop().await;
    }

    /// A seeded server over the (empty) database at `url`, listening on `address`.
    pub async fn start_on(url: &str, address: SocketAddr) -> Api {
        let server = Server::start_on(url, address).await;
        let tokens = seed(&server.store).await;
        Api {
            server,
            client: client(),
            url: url.to_string(),
            tokens,
        }
    }

    /// Stop serving, keeping what it takes to serve the same database on the same address
    /// again.
    pub async fn stop_for_restart(self) -> Stopped {
        let address: SocketAddr = self
            .server
            .base
            .trim_start_matches("http://")
            .parse()
            .expect("the server's address");
        let stopped = Stopped {
            url: self.url.clone(),
            address,
            tokens: self.tokens.clone(),
        };
        self.server.stop().await;
        stopped
    }

    pub fn store(&self) -> &Store {
        &self.server.store
    }

    pub fn token(&self, persona: Persona) -> &str {
        &self.tokens[&persona]
    }

    pub fn url_of(&self, path: &str) -> String {
        format!("{}{path}", self.server.base)
    }

    /// Any request: `auth` is the bearer token, if any.
    pub async fn request(
        &self,
        method: Method,
        path: &str,
        auth: Option<&str>,
        body: Option<&Value>,
        headers: &[(&str, &str)],
    ) -> Response {
        let mut request = self.client.request(method, self.url_of(path));
        if let Some(token) = auth {
            request = request.bearer_auth(token);
        }
        for (name, value) in headers {
            request = request.header(*name, *value);
        }
        if let Some(body) = body {
            request = request.json(body);
        }
        let response = request
            .send()
            .await
            .unwrap_or_else(|e| panic!("{path}: request failed: {e}"));
        Response {
            status: response.status(),
            headers: response.headers().clone(),
            body: response
                .text()
                .await
                .unwrap_or_else(|e| panic!("{path}: reading the body: {e}")),
        }
    }

    pub async fn get(&self, persona: Persona, path: &str) -> Response {
        self.request(Method::GET, path, Some(self.token(persona)), None, &[])
            .await
    }

    pub async fn post(&self, persona: Persona, path: &str, body: &Value) -> Response {
        self.request(
            Method::POST,
            path,
            Some(self.token(persona)),
            Some(body),
            &[],
        )
        .await
    }

    /// `POST /v1/records`.
    pub async fn create(&self, persona: Persona, body: &Value) -> Response {
        self.post(persona, "/v1/records", body).await
    }

    async fn created(&self, persona: Persona, details: Details, org: Option<&str>) -> String {
        let mut body = json!({ "details": details });
        if let Some(org) = org {
            body["org"] = json!(org);
        }
        let response = self.create(persona, &body).await;
        let view = response.expect(201, &format!("{persona:?} registers a record"));
        view["record"]["id"]
            .as_str()
            .expect("a created record has an id")
            .to_string()
    }

    /// Register an incident for the persona's organisation; its id.
    pub async fn create_incident(&self, persona: Persona, incident: &Incident) -> String {
        self.created(persona, Details::Incident(incident.clone()), None)
            .await
    }

    /// Register an intake report for the persona's organisation; its id.
    pub async fn create_intake(&self, persona: Persona, intake: &Intake) -> String {
        self.created(persona, Details::Intake(intake.clone()), None)
            .await
    }

    /// One command at `version` (`If-Match`).
    pub async fn command(
        &self,
        persona: Persona,
        id: &str,
        version: u64,
        command: &Value,
    ) -> Response {
        let version = format!("\"{version}\"");
        self.request(
            Method::POST,
            &format!("/v1/records/{id}/commands"),
            Some(self.token(persona)),
            Some(command),
            &[("if-match", &version)],
        )
        .await
    }

    /// The record's version as the persona reads it.
    pub async fn version(&self, persona: Persona, id: &str) -> u64 {
        let view = self
            .get(persona, &format!("/v1/records/{id}"))
            .await
            .expect(200, &format!("{persona:?} reads {id}"));
        view["version"]
            .as_u64()
            .expect("a record view has a version")
    }

    /// Add a note as the persona, at the version it reads; the new version.
    pub async fn note(&self, persona: Persona, id: &str, text: &str) -> u64 {
        let version = self.version(persona, id).await;
        let view = self
            .command(
                persona,
                id,
                version,
                &json!({ "command": "add_note", "text": text }),
            )
            .await
            .expect(200, &format!("{persona:?} adds a note to {id}"));
        view["version"]
            .as_u64()
            .expect("a record view has a version")
    }

    /// The ids in the persona's queue (one page of up to 500), optionally searched.
    pub async fn queue_ids(&self, persona: Persona, q: Option<&str>) -> BTreeSet<String> {
        let path = match q {
            Some(q) => format!("/v1/queue?limit=500&q={}", encode(q)),
            None => "/v1/queue?limit=500".to_string(),
        };
        let page = self
            .get(persona, &path)
            .await
            .expect(200, &format!("{persona:?} reads {path}"));
        page["rows"]
            .as_array()
            .expect("rows")
            .iter()
            .map(|row| row["id"].as_str().expect("row id").to_string())
            .collect()
    }

    /// Open the change feed as the persona, resuming after `last_event_id` if given.
    pub async fn feed(&self, persona: Persona, last_event_id: Option<i64>) -> Feed {
        self.feed_with(self.token(persona), last_event_id).await
    }

    /// Open the change feed with a bearer token, resuming after `last_event_id` if given.
    pub async fn feed_with(&self, token: &str, last_event_id: Option<i64>) -> Feed {
        let mut request = self
            .client
            .get(self.url_of("/v1/events"))
            .bearer_auth(token);
        if let Some(id) = last_event_id {
            request = request.header("last-event-id", id.to_string());
        }
        let response = request.send().await.expect("open the change feed");
        assert_eq!(response.status(), StatusCode::OK, "open the change feed");
        Feed::new(response)
    }
}

/// A server that was stopped and can be started again where it was.
pub struct Stopped {
    pub url: String,
    pub address: SocketAddr,
    tokens: BTreeMap<Persona, String>,
}

impl Stopped {
    pub fn token(&self, persona: Persona) -> &str {
        &self.tokens[&persona]
    }

    /// Serve the same database on the same address again; the same tokens work.
    pub async fn start(self) -> Api {
        Api {
            server: Server::start_on(&self.url, self.address).await,
            client: client(),
            url: self.url,
            tokens: self.tokens,
        }
    }
}

impl Api {
    /// The change feed refuses the persona with 403 and a JSON error.
    pub async fn feed_forbidden(&self, persona: Persona) {
        let response = self
            .client
            .get(self.url_of("/v1/events"))
            .bearer_auth(self.token(persona))
            .send()
            .await
            .expect("request the change feed");
        assert_eq!(
            response.status(),
            StatusCode::FORBIDDEN,
            "{persona:?} opens the change feed"
        );
        let body: Value = response.json().await.expect("a JSON error");
        assert_eq!(body["error"], json!("forbidden"));
    }
}

/// An HTTP client for tests: the TLS provider installed, no proxy.
pub fn client() -> reqwest::Client {
    cims::tls::install_default_provider();
    reqwest::Client::builder()
        .no_proxy()
        .build()
        .expect("HTTP client")
}

/// One Server-Sent Event.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SseEvent {
    pub id: Option<String>,
    pub event: Option<String>,
    pub data: String,
}

impl SseEvent {
    pub fn seq(&self) -> i64 {
        self.id
            .as_deref()
            .and_then(|id| id.parse().ok())
            .unwrap_or_else(|| panic!("event without a numeric id: {self:?}"))
    }

    pub fn json(&self) -> Value {
        serde_json::from_str(&self.data)
            .unwrap_or_else(|e| panic!("event data is not JSON: {e}: {self:?}"))
    }
}

type ByteStream =
    std::pin::Pin<Box<dyn futures_util::Stream<Item = reqwest::Result<Vec<u8>>> + Send>>;

/// A change feed being read.
pub struct Feed {
    pub headers: HeaderMap,
    stream: ByteStream,
    buffer: String,
}

impl Feed {
    fn new(response: reqwest::Response) -> Feed {
        Feed {
            headers: response.headers().clone(),
            stream: Box::pin(
                response
                    .bytes_stream()
                    .map(|chunk| chunk.map(|b| b.to_vec())),
            ),
            buffer: String::new(),
        }
    }

    /// The next event (comments skipped), or `None` if none comes within `wait`.
    pub async fn next_within(&mut self, wait: StdDuration) -> Option<SseEvent> {
        let deadline = tokio::time::Instant::now() + wait;
        loop {
            if let Some(event) = self.take_event() {
                return Some(event);
            }
            let chunk = tokio::time::timeout_at(deadline, self.stream.next()).await;
            match chunk {
                Err(_) => return None,
                Ok(None) => panic!("the change feed ended"),
                Ok(Some(Err(e))) => panic!("reading the change feed: {e}"),
                Ok(Some(Ok(bytes))) => {
                    self.buffer
                        .push_str(&String::from_utf8_lossy(&bytes).replace("\r\n", "\n"));
                }
            }
        }
    }

    /// Whether the server ends the feed within `wait` (events and comments meanwhile are
    /// skipped).
    pub async fn ends_within(&mut self, wait: StdDuration) -> bool {
        let deadline = tokio::time::Instant::now() + wait;
        loop {
            match tokio::time::timeout_at(deadline, self.stream.next()).await {
                Err(_) => return false,
                Ok(None) => return true,
                Ok(Some(Err(e))) => panic!("reading the change feed: {e}"),
                Ok(Some(Ok(_))) => {}
            }
        }
    }

    /// The next event; fails the test if none comes within [`PATIENCE`].
    pub async fn next(&mut self) -> SseEvent {
        self.next_within(PATIENCE)
            .await
            .unwrap_or_else(|| panic!("no change-feed event within {PATIENCE:?}"))
    }

    /// Events up to and including the first that `stop` accepts.
    pub async fn until(&mut self, stop: impl Fn(&SseEvent) -> bool) -> Vec<SseEvent> {
        let mut seen = Vec::new();
        loop {
            let event = self.next().await;
            let done = stop(&event);
            seen.push(event);
            if done {
                return seen;
            }
        }
    }

    /// One complete event from the buffer, if there is one.
    fn take_event(&mut self) -> Option<SseEvent> {
        loop {
            let end = self.buffer.find("\n\n")?;
            let block: String = self.buffer.drain(..end + 2).collect();
            let mut event = SseEvent {
                id: None,
                event: None,
                data: String::new(),
            };
            let mut has_data = false;
            for line in block.lines() {
                if line.starts_with(':') || line.is_empty() {
                    continue;
                }
                let (field, value) = line.split_once(':').unwrap_or((line, ""));
                let value = value.strip_prefix(' ').unwrap_or(value);
                match field {
                    "id" => event.id = Some(value.to_string()),
                    "event" => event.event = Some(value.to_string()),
                    "data" => {
                        if has_data {
                            event.data.push('\n');
                        }
                        event.data.push_str(value);
                        has_data = true;
                    }
                    _ => {}
                }
            }
            if has_data {
                return Some(event);
            }
        }
    }
}
