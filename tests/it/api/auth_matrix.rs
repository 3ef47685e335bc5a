//! Every endpoint × every kind of caller × a record of the caller's own organisation and
//! one of another's: the status each gets follows the tenancy rules (DESIGN §5, DOMAIN §2).

use std::collections::BTreeSet;

use chrono::Duration;
use cims::domain::model::{Circumstance, Details};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use super::harness::{Api, Persona};
use crate::{fixtures, support};

/// Who calls: without a token, with a token that is not valid, or as a persona.
#[derive(Clone)]
enum Who {
    NoToken,
    BadToken(&'static str, String),
    As(Persona),
}

impl std::fmt::Debug for Who {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Who::NoToken => f.write_str("no token"),
            Who::BadToken(why, _) => write!(f, "a {why} token"),
            Who::As(persona) => write!(f, "{persona:?}"),
        }
    }
}

/// The records every persona is tried against.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Rec {
    /// Owned by the department.
    Dffh,
    /// Owned by Anglicare, not critical notifiable.
    Anglicare,
    /// Owned by Anglicare, a critical notifiable incident the regulator sees.
    AnglicareCritical,
    /// Owned by Berry Street.
    Berry,
    /// Owned by The Orange Door.
    Orange,
    /// Owned by the regulator (registered for it by the department).
    Ssr,
}

const ALL_RECORDS: [Rec; 6] = [
    Rec::Dffh,
    Rec::Anglicare,
    Rec::AnglicareCritical,
    Rec::Berry,
    Rec::Orange,
    Rec::Ssr,
];

/// Per persona and record: the status of reading it (record and history) and of a
/// command on it. Each persona meets a record of its own organisation (or one it sees)
/// and one of another organisation.
#[rustfmt::skip]
const RECORD_ACCESS: &[(Persona, Rec, u16, u16)] = &[
    (Persona::Practitioner,     Rec::Dffh,              200, 200),
    (Persona::Practitioner,     Rec::Berry,             200, 200),
    (Persona::TeamManager,      Rec::Dffh,              200, 200),
    (Persona::TeamManager,      Rec::Orange,            200, 200),
    (Persona::CsoDelegate,      Rec::Anglicare,         200, 200),
    (Persona::CsoDelegate,      Rec::Berry,             404, 404),
    (Persona::CsoPractitioner,  Rec::Berry,             200, 200),
    (Persona::CsoPractitioner,  Rec::Anglicare,         404, 404),
    // The regulator reads its own and critical notifiable incidents, and writes nothing.
    (Persona::Regulator,        Rec::Ssr,               200, 403),
    (Persona::Regulator,        Rec::AnglicareCritical, 200, 403),
    (Persona::Regulator,        Rec::Anglicare,         404, 404),
    (Persona::IntegrityUnit,    Rec::Dffh,              200, 200),
    (Persona::IntegrityUnit,    Rec::Anglicare,         200, 200),
    (Persona::Daom,             Rec::Dffh,              200, 200),
    (Persona::Daom,             Rec::Berry,             200, 200),
    // Admin accounts see no client data, not even their own organisation's.
    (Persona::Admin,            Rec::Dffh,              404, 404),
    (Persona::Admin,            Rec::Berry,             404, 404),
    (Persona::CommunityService, Rec::Orange,            200, 200),
    (Persona::CommunityService, Rec::Dffh,              404, 404),
];

/// The records in each persona's queue.
fn visible(persona: Persona) -> Option<Vec<Rec>> {
    match persona {
        Persona::Admin => None,
        Persona::CsoDelegate => Some(vec![Rec::Anglicare, Rec::AnglicareCritical]),
        Persona::CsoPractitioner => Some(vec![Rec::Berry]),
        Persona::Regulator => Some(vec![Rec::AnglicareCritical, Rec::Ssr]),
        Persona::CommunityService => Some(vec![Rec::Orange]),
        _ => Some(ALL_RECORDS.to_vec()),
    }
}

/// Status of the endpoints that take no record id, for a persona.
fn plain_status(method: &Method, path: &str, persona: Persona) -> u16 {
    match (method.as_str(), path) {
        ("GET", "/v1/queue") | ("GET", "/v1/events") if persona == Persona::Admin => 403,
        ("GET", "/v1/audit") if !matches!(persona, Persona::Admin | Persona::Daom) => 403,
        // Registering an incident needs a staff role (`create_incident`).
        ("POST", "/v1/records")
            if matches!(
                persona,
                Persona::Regulator | Persona::IntegrityUnit | Persona::Admin
            ) =>
        {
            403
        }
        ("POST", "/v1/records") => 201,
        _ => 200,
    }
}

struct Seeded {
    api: Api,
    ids: Vec<(Rec, String)>,
}

impl Seeded {
    fn id(&self, rec: Rec) -> &str {
        &self
            .ids
            .iter()
            .find(|(r, _)| *r == rec)
            .expect("seeded record")
            .1
    }

    fn rec_of(&self, id: &str) -> Option<Rec> {
        self.ids.iter().find(|(_, i)| i == id).map(|(r, _)| *r)
    }
}

async fn seed_records(api: Api) -> Seeded {
    let plain = fixtures::incident();
    let mut critical = fixtures::incident();
    critical
        .circumstances
        .insert(Circumstance::HospitalTreatment);
    let ids = vec![
        (
            Rec::Dffh,
            api.create_incident(Persona::Practitioner, &plain).await,
        ),
        (
            Rec::Anglicare,
            api.create_incident(Persona::CsoDelegate, &plain).await,
        ),
        (
            Rec::AnglicareCritical,
            api.create_incident(Persona::CsoDelegate, &critical).await,
        ),
        (
            Rec::Berry,
            api.create_incident(Persona::CsoPractitioner, &plain).await,
        ),
        (
            Rec::Orange,
            api.create_incident(Persona::CommunityService, &plain).await,
        ),
    ];
    let for_ssr = json!({ "org": "ssr", "details": Details::Incident(plain) });
    let view = api
        .create(Persona::Practitioner, &for_ssr)
        .await
        .expect(201, "the department registers a record for the regulator");
    let ssr = view["record"]["id"].as_str().expect("id").to_string();
    let mut ids = ids;
    ids.push((Rec::Ssr, ssr));
    Seeded { api, ids }
}

/// The callers that carry no valid token.
async fn bad_callers(api: &Api) -> Vec<Who> {
    let store = api.store();
    let (revoked, _) = store
        .issue_token(Persona::CsoPractitioner.user(), Duration::hours(1))
        .await
        .expect("issue token");
    assert!(store.revoke_token(&revoked).await.expect("revoke"));
    let (expired, _) = store
        .issue_token(Persona::CsoPractitioner.user(), Duration::seconds(-5))
        .await
        .expect("issue token");
    let good = api.token(Persona::Practitioner);
    let mut tampered = good.to_string();
    let last = tampered.pop().expect("token is not empty");
    tampered.push(if last == '0' { '1' } else { '0' });
    vec![
        Who::NoToken,
        Who::BadToken("garbage", "not-a-token".to_string()),
        Who::BadToken(
            "well-formed but unknown",
            format!("cims_{}_{}", "0".repeat(16), "a".repeat(64)),
        ),
        Who::BadToken("tampered secret", tampered),
        Who::BadToken("revoked", revoked),
        Who::BadToken("expired", expired),
    ]
}

fn token_of<'a>(api: &'a Api, who: &'a Who) -> Option<&'a str> {
    match who {
        Who::NoToken => None,
        Who::BadToken(_, token) => Some(token),
        Who::As(persona) => Some(api.token(*persona)),
    }
}

fn assert_error(body: &str, code: &str, what: &str) {
    let value: Value = serde_json::from_str(body)
        .unwrap_or_else(|e| panic!("{what}: error body is not JSON ({e}): {body}"));
    assert_eq!(value["error"], json!(code), "{what}: {body}");
    assert!(
        value["message"].as_str().is_some_and(|m| !m.is_empty()),
        "{what}: an error says what went wrong: {body}"
    );
}

/// `GET /v1/events`: only the status and headers, then the stream is dropped.
async fn feed_status(api: &Api, token: Option<&str>) -> (StatusCode, Option<String>) {
    let mut request = api.client.get(api.url_of("/v1/events"));
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    let response = request.send().await.expect("open the change feed");
    let kind = response
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .map(String::from);
    (response.status(), kind)
}

/// The body a plain endpoint takes: an incident to register for `POST /v1/records`.
fn body_of(method: &Method, path: &str) -> Option<Value> {
    (*method == Method::POST && path == "/v1/records")
        .then(|| json!({ "details": cims::domain::model::Details::Incident(fixtures::incident()) }))
}

async fn matrix(url: String) {
    let seeded = seed_records(Api::start(&url).await).await;
    let api = &seeded.api;
    let bad = bad_callers(api).await;

    // Health and the contract answer anyone, token or not, valid or not.
    for path in ["/healthz", "/readyz", "/openapi.json"] {
        let mut callers = bad.clone();
        callers.push(Who::As(Persona::Admin));
        for who in &callers {
            let response = api
                .request(Method::GET, path, token_of(api, who), None, &[])
                .await;
            response.expect(200, &format!("{path} as {who:?}"));
        }
    }
    let contract = api
        .request(Method::GET, "/openapi.json", None, None, &[])
        .await
        .json();
    assert!(
        contract["paths"]["/v1/records/{id}/commands"].is_object(),
        "the contract documents the commands endpoint"
    );

    // The endpoints that need a token but no record.
    let plain: [(Method, &str); 7] = [
        (Method::GET, "/v1/me"),
        (Method::GET, "/v1/policy"),
        (Method::GET, "/v1/queue"),
        (Method::GET, "/v1/calendar/holidays"),
        (Method::GET, "/v1/audit"),
        (Method::GET, "/v1/events"),
        (Method::POST, "/v1/records"),
    ];
    for (method, path) in &plain {
        let body = body_of(method, path);
        let mut callers = bad.clone();
        callers.extend(Persona::ALL.map(Who::As));
        for who in &callers {
            let expected = match who {
                Who::As(persona) => plain_status(method, path, *persona),
                _ => 401,
            };
            let what = format!("{method} {path} as {who:?}");
            let token = token_of(api, who);
            if *path == "/v1/events" {
                let (status, kind) = feed_status(api, token).await;
                assert_eq!(status.as_u16(), expected, "{what}");
                if expected == 200 {
                    assert!(
                        kind.as_deref()
                            .is_some_and(|k| k.starts_with("text/event-stream")),
                        "{what}: content type {kind:?}"
                    );
                }
                continue;
            }
            let response = api
                .request(method.clone(), path, token, body.as_ref(), &[])
                .await;
            assert_eq!(
                response.status.as_u16(),
                expected,
                "{what}: {}",
                response.body
            );
            match expected {
                401 => assert_error(&response.body, "unauthorized", &what),
                403 => assert_error(&response.body, "forbidden", &what),
                _ => {}
            }
            if let (Who::As(persona), "/v1/me") = (who, *path) {
                let me = response.json();
                assert_eq!(me["user"], json!(persona.user()), "{what}");
                assert_eq!(me["organisation"]["id"], json!(persona.org()), "{what}");
                assert_eq!(me["protective_intervener"], json!(persona.pi()), "{what}");
            }
        }
    }

    // Tenancy: what each persona's queue holds (the seeded records only: the creates above
    // were made after, so look for the seeded ones).
    let seeded_ids: BTreeSet<String> = seeded.ids.iter().map(|(_, id)| id.clone()).collect();
    for persona in Persona::ALL {
        let Some(expected) = visible(persona) else {
            continue;
        };
        let seen: BTreeSet<Rec> = api
            .queue_ids(persona, None)
            .await
            .iter()
            .filter(|id| seeded_ids.contains(*id))
            .filter_map(|id| seeded.rec_of(id))
            .collect();
        let expected: BTreeSet<Rec> = expected.into_iter().collect();
        assert_eq!(seen, expected, "{persona:?}'s queue");
    }

    // The record endpoints, own organisation's record and another's.
    let missing = "INC-2026-999999";
    for &(persona, rec, read, cmd) in RECORD_ACCESS {
        let id = seeded.id(rec).to_string();
        let what = format!("{persona:?} on the {rec:?} record {id}");
        for path in [
            format!("/v1/records/{id}"),
            format!("/v1/records/{id}/history"),
        ] {
            let response = api.get(persona, &path).await;
            assert_eq!(
                response.status.as_u16(),
                read,
                "GET {path}, {what}: {}",
                response.body
            );
            if read == 404 {
                // Another organisation's record looks exactly like no record at all.
                let absent = api.get(persona, &path.replace(&id, missing)).await;
                assert_eq!(absent.status.as_u16(), 404);
                assert_eq!(response.body, absent.body, "GET {path}, {what}");
            } else {
                let body = response.json();
                if path.ends_with("history") {
                    assert_eq!(body["record"], json!(id), "{what}");
                } else {
                    assert_eq!(body["record"]["id"], json!(id), "{what}");
                    assert_eq!(
                        response.header("etag"),
                        Some(format!("\"{}\"", body["version"]).as_str()),
                        "{what}: the ETag is the version"
                    );
                }
            }
        }
        let version = api.version(Persona::Daom, &id).await;
        let note = json!({ "command": "add_note", "text": format!("note by {persona:?}") });
        let response = api.command(persona, &id, version, &note).await;
        assert_eq!(
            response.status.as_u16(),
            cmd,
            "POST commands, {what}: {}",
            response.body
        );
        match cmd {
            200 => assert_eq!(response.json()["version"].as_u64(), Some(version + 1)),
            403 => assert_error(&response.body, "forbidden", &what),
            404 => assert_error(&response.body, "not_found", &what),
            _ => {}
        }
    }

    // Without a valid token every record endpoint is 401, whether the record exists or not.
    let id = seeded.id(Rec::Dffh).to_string();
    for who in &bad {
        for target in [id.as_str(), missing] {
            for (method, path, body) in [
                (Method::GET, format!("/v1/records/{target}"), None),
                (Method::GET, format!("/v1/records/{target}/history"), None),
                (
                    Method::POST,
                    format!("/v1/records/{target}/commands"),
                    Some(json!({ "command": "add_note", "text": "x" })),
                ),
            ] {
                let response = api
                    .request(
                        method.clone(),
                        &path,
                        token_of(api, who),
                        body.as_ref(),
                        &[("if-match", "\"1\"")],
                    )
                    .await;
                assert_eq!(
                    response.status.as_u16(),
                    401,
                    "{method} {path} as {who:?}: {}",
                    response.body
                );
                assert_error(&response.body, "unauthorized", &path);
            }
        }
    }

    // Records for another organisation: the department may register them, a CSO may not.
    let incident = cims::domain::model::Details::Incident(fixtures::incident());
    let body = json!({ "org": "berry_street", "details": incident });
    let made = api.create(Persona::Practitioner, &body).await;
    let view = made.expect(201, "the department registers a Berry Street incident");
    assert_eq!(view["record"]["org"], json!("berry_street"));
    let refused = api.create(Persona::CsoDelegate, &body).await;
    refused.expect(403, "Anglicare registers a Berry Street incident");

    // A record assigned to a user of another organisation is theirs to see.
    let berry = seeded.id(Rec::Berry).to_string();
    let version = api.version(Persona::TeamManager, &berry).await;
    api.command(
        Persona::TeamManager,
        &berry,
        version,
        &json!({ "command": "assign", "user": Persona::CsoDelegate.user() }),
    )
    .await
    .expect(
        200,
        "assign the Berry Street record to Anglicare's delegate",
    );
    api.get(Persona::CsoDelegate, &format!("/v1/records/{berry}"))
        .await
        .expect(200, "the assignee reads the record");
    assert!(
        api.queue_ids(Persona::CsoDelegate, None)
            .await
            .contains(&berry),
        "the assignee's queue holds the record"
    );

    // Logging in: the right password gives a token that works; anything else is 401.
    api.store()
        .set_password(Persona::CsoPractitioner.user(), "correct horse battery")
        .await
        .expect("set password");
    // Password checks are deliberately slow: the three attempts go at once.
    let attempts = [
        ("bea", "correct horse battery", 200),
        ("bea", "wrong", 401),
        ("nobody", "correct horse battery", 401),
    ];
    let bodies: Vec<Value> = attempts
        .iter()
        .map(|(name, password, _)| json!({ "username": name, "password": password }))
        .collect();
    let responses = futures_util::future::join_all(
        bodies
            .iter()
            .map(|body| api.request(Method::POST, "/v1/session", None, Some(body), &[])),
    )
    .await;
    for ((name, _, expected), response) in attempts.iter().zip(responses) {
        assert_eq!(
            response.status.as_u16(),
            *expected,
            "log in as {name}: {}",
            response.body
        );
        if *expected == 200 {
            let token = response.json()["token"]
                .as_str()
                .expect("a token")
                .to_string();
            let me = api
                .request(Method::GET, "/v1/me", Some(&token), None, &[])
                .await
                .expect(200, "the new token works");
            assert_eq!(me["user"], json!("bea"));
        } else {
            assert_error(&response.body, "unauthorized", "a failed log-in");
        }
    }
    let malformed = api
        .request(
            Method::POST,
            "/v1/session",
            None,
            Some(&json!({ "username": "bea" })),
            &[],
        )
        .await;
    assert_eq!(malformed.status.as_u16(), 422, "{}", malformed.body);
    assert_error(
        &malformed.body,
        "bad_request",
        "a log-in without a password",
    );

    seeded.api.stop().await;
}

/// Every endpoint × no token, bad tokens and each persona × own and other organisations'
/// records: 401 without a valid token; other organisations' records are 404, not 403;
/// admin accounts see no client data; the regulator sees its own and critical notifiable
/// incidents; department users and protective interveners see all.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn auth_matrix() {
    support::for_each_db(matrix).await;
}
