//! The server's log holds no secret and no protected value, even at `RUST_LOG=trace` (all
//! that `debug` logs, and more): the real `cims serve` binary is driven through logins, bearer-token requests, a report with a
//! planted reporter, a note with a protected span, a search for the reporter and a few
//! refusals, and every line it wrote is searched for the planted values.

use std::collections::BTreeSet;

use cims::domain::actor::{OrgKind, Role};
use cims::domain::model::{Details, Reporter};
use cims::store::{NewUser, Organisation, Store};
use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::api::harness::encode;
use crate::fixtures;
use crate::support::{self, serve::ServeProcess};

const USER: &str = "lena";
const PASSWORD: &str = "Pwmarker-Correct-Horse-71";
const WRONG_PASSWORD: &str = "Pwmarker-Wrong-Guess-29";
const UNKNOWN_USER: &str = "usermarker-nobody";
const REPORTER_NAME: &str = "Zephyrine Logmarker";
const REPORTER_PHONE: &str = "0499 313 131";
const REPORTER_EMAIL: &str = "zephyrine.logmarker@leak.example";
const NOTE_SPAN: &str = "Spanleak Quorbitt";

/// Everything a log line must never hold, and the ways it could be spelt in a URL.
fn forbidden(token: &str) -> Vec<String> {
    let secret = token.rsplit('_').next().expect("a token has a secret");
    let mut out: BTreeSet<String> = [
        PASSWORD,
        WRONG_PASSWORD,
        "Pwmarker",
        token,
        secret,
        &secret[..16],
        REPORTER_NAME,
        "Logmarker",
        REPORTER_PHONE,
        "313 131",
        "313131",
        REPORTER_EMAIL,
        NOTE_SPAN,
        "Quorbitt",
        "?q=",
        "&sort=",
    ]
    .into_iter()
    .map(String::from)
    .collect();
    out.insert(encode(REPORTER_NAME));
    out.insert(REPORTER_NAME.replace(' ', "+"));
    out.into_iter().collect()
}

async fn seed(url: &str) {
    let store = Store::open(url).await.expect("open the store");
    store
        .create_organisation(&Organisation {
            id: "dffh".to_string(),
            name: "Department of Families, Fairness and Housing".to_string(),
            kind: OrgKind::Department,
        })
        .await
        .expect("create the organisation");
    store
        .create_user(&NewUser {
            id: USER.to_string(),
            org_id: "dffh".to_string(),
            display_name: "Lena Practitioner".to_string(),
            roles: [Role::Practitioner].into_iter().collect(),
            protective_intervener: true,
            password: Some(PASSWORD.to_string()),
        })
        .await
        .expect("create the user");
    store.close().await;
}

struct Session {
    client: reqwest::Client,
    base: String,
}

impl Session {
    async fn send(
        &self,
        method: reqwest::Method,
        path: &str,
        token: Option<&str>,
        body: Option<&Value>,
        headers: &[(&str, &str)],
    ) -> (StatusCode, Value) {
        let mut request = self.client.request(method, format!("{}{path}", self.base));
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        if let Some(body) = body {
            request = request.json(body);
        }
        for (name, value) in headers {
            request = request.header(*name, *value);
        }
        let response = request.send().await.expect("request");
        let status = response.status();
        let body = response.json().await.unwrap_or(Value::Null);
        (status, body)
    }

    async fn login(&self, username: &str, password: &str) -> (StatusCode, Value) {
        self.send(
            reqwest::Method::POST,
            "/v1/session",
            None,
            Some(&json!({ "username": username, "password": password })),
            &[],
        )
        .await
    }
}

/// Everything a practitioner does in a day that carries a secret or a protected value.
async fn a_day_of_work(session: &Session) -> String {
    let (status, _) = session.login(USER, WRONG_PASSWORD).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "a wrong password");
    let (status, _) = session.login(UNKNOWN_USER, WRONG_PASSWORD).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "an unknown user");
    let (status, _) = session
        .send(
            reqwest::Method::POST,
            "/v1/session",
            None,
            Some(&json!({ "password": PASSWORD })),
            &[],
        )
        .await;
    assert_eq!(
        status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "a login without a username"
    );
    let (status, body) = session.login(USER, PASSWORD).await;
    assert_eq!(status, StatusCode::OK, "the right password: {body}");
    let token = body["token"].as_str().expect("a token").to_string();
    let mut tampered = token.clone();
    tampered.replace_range(token.len() - 4.., "0000");
    let (status, _) = session
        .send(reqwest::Method::GET, "/v1/me", Some(&tampered), None, &[])
        .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "a tampered token");
    let (status, _) = session
        .send(reqwest::Method::GET, "/v1/me", Some(&token), None, &[])
        .await;
    assert_eq!(status, StatusCode::OK, "the token works");

    let mut intake = fixtures::intake();
    intake.reporter = Reporter {
        name: REPORTER_NAME.to_string(),
        phone: Some(REPORTER_PHONE.to_string()),
        email: Some(REPORTER_EMAIL.to_string()),
        ..fixtures::reporter()
    };
    let create = json!({ "details": Details::Intake(intake) });
    let (status, view) = session
        .send(
            reqwest::Method::POST,
            "/v1/records",
            Some(&token),
            Some(&create),
            &[("idempotency-key", "log-check-1")],
        )
        .await;
    assert_eq!(
        status,
        StatusCode::CREATED,
        "the report is registered: {view}"
    );
    let id = view["record"]["id"].as_str().expect("an id").to_string();
    let (status, _) = session
        .send(
            reqwest::Method::POST,
            "/v1/records",
            Some(&token),
            Some(&create),
            &[("idempotency-key", "log-check-1")],
        )
        .await;
    assert!(status.is_success(), "the same create again: {status}");

    let (_, view) = session
        .send(
            reqwest::Method::GET,
            &format!("/v1/records/{id}"),
            Some(&token),
            None,
            &[],
        )
        .await;
    let version = view["version"].as_u64().expect("a version");
    let text = format!("{REPORTER_NAME} ({REPORTER_PHONE}) rang back. Source: {NOTE_SPAN}.");
    let start = text.find(NOTE_SPAN).expect("the span is in the text");
    let note = json!({
        "command": "add_note",
        "text": text,
        "protected_spans": [{ "start": start, "end": start + NOTE_SPAN.len() }],
    });
    let commands = format!("/v1/records/{id}/commands");
    let current = format!("\"{version}\"");
    let (status, body) = session
        .send(
            reqwest::Method::POST,
            &commands,
            Some(&token),
            Some(&note),
            &[("if-match", &current)],
        )
        .await;
    assert_eq!(status, StatusCode::OK, "the note is added: {body}");
    let (status, _) = session
        .send(
            reqwest::Method::POST,
            &commands,
            Some(&token),
            Some(&note),
            &[("if-match", &current)],
        )
        .await;
    assert_eq!(
        status,
        StatusCode::CONFLICT,
        "the same note at a stale version"
    );
    let (status, _) = session
        .send(
            reqwest::Method::POST,
            &commands,
            Some(&token),
            Some(&json!({ "command": REPORTER_NAME, "text": REPORTER_EMAIL })),
            &[("if-match", "\"1\"")],
        )
        .await;
    assert!(status.is_client_error(), "an unknown command: {status}");

    let search = format!("/v1/queue?q={}", encode(REPORTER_NAME));
    let (status, page) = session
        .send(reqwest::Method::GET, &search, Some(&token), None, &[])
        .await;
    assert_eq!(status, StatusCode::OK, "the search: {page}");
    assert_eq!(page["rows"].as_array().map(Vec::len), Some(1), "{page}");
    let (status, _) = session
        .send(
            reqwest::Method::GET,
            &format!(
                "/v1/queue?q={}&sort={}",
                encode(REPORTER_NAME),
                encode(REPORTER_EMAIL)
            ),
            Some(&token),
            None,
            &[],
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "a search with a bad sort");
    let (status, _) = session
        .send(
            reqwest::Method::GET,
            &format!("/v1/records/{id}/history"),
            Some(&token),
            None,
            &[],
        )
        .await;
    assert_eq!(status, StatusCode::OK, "the history");

    let feed = session
        .client
        .get(format!("{}/v1/events?after=0", session.base))
        .bearer_auth(&token)
        .send()
        .await
        .expect("open the change feed");
    assert_eq!(feed.status(), StatusCode::OK);
    drop(feed);
    token
}

/// At `RUST_LOG=trace` the server logs every request, and no line holds a password, a
/// token or its secret, the reporter's name, phone or email, a protected span of a note,
/// or a query string (which holds search words), not even when a body is refused.
#[tokio::test]
async fn verbose_logs_hold_no_secret_or_protected_value() {
    support::for_each_db(|url| async move {
        seed(&url).await;
        let server = ServeProcess::start(
            &["--db", &url, "--listen", "127.0.0.1:0"],
            &[("RUST_LOG", "trace")],
        );
        cims::tls::install_default_provider();
        let session = Session {
            client: reqwest::Client::builder()
                .no_proxy()
                .build()
                .expect("HTTP client"),
            base: format!("http://127.0.0.1:{}", server.port),
        };
        let token = a_day_of_work(&session).await;
        let lines = server.stop();

        let requests = lines.iter().filter(|l| l.contains("request{")).count();
        assert!(
            requests >= 15,
            "every request is logged ({requests} request lines of {})",
            lines.len()
        );
        let mut leaks = Vec::new();
        for marker in forbidden(&token) {
            let lower = marker.to_lowercase();
            for line in &lines {
                if line.to_lowercase().contains(&lower) {
                    leaks.push(format!("{marker:?} in: {line}"));
                }
            }
        }
        assert!(
            leaks.is_empty(),
            "{} of {} log lines leak:\n{}",
            leaks.len(),
            lines.len(),
            leaks.join("\n")
        );
        eprintln!("{} log lines searched, none leaks", lines.len());
    })
    .await;
}
