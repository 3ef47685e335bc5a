//! `POST /v1/session` under attack: failed logins are limited per username and per client
//! address (429 with `Retry-After`), and an unknown username is answered exactly like a wrong
//! password, after the same password check.

use std::time::{Duration, Instant};

use reqwest::Method;
use serde_json::{Value, json};

use super::harness::{Api, Persona, Response};
use crate::support;

const PASSWORD: &str = "correct horse battery";

/// The documented policy: 5 failed logins per username in 15 minutes.
const PER_USERNAME: usize = 5;
const WINDOW_SECONDS: u64 = 15 * 60;

async fn login(api: &Api, username: &str, password: &str) -> Response {
    api.request(
        Method::POST,
        "/v1/session",
        None,
        Some(&json!({ "username": username, "password": password })),
        &[],
    )
    .await
}

async fn with_password(api: &Api, persona: Persona) {
    api.store()
        .set_password(persona.user(), PASSWORD)
        .await
        .expect("set password");
}

fn assert_locked_out(response: &Response, what: &str) {
    let body = response.expect(429, what);
    assert_eq!(body["error"], json!("too_many_attempts"), "{what}");
    assert!(
        body["message"]
            .as_str()
            .is_some_and(|m| m.contains("try again")),
        "{what}: the message says what to do: {body}"
    );
    let retry: u64 = response
        .header("retry-after")
        .unwrap_or_else(|| panic!("{what}: a 429 carries Retry-After"))
        .parse()
        .unwrap_or_else(|e| panic!("{what}: Retry-After is whole seconds: {e}"));
    assert!(
        (1..=WINDOW_SECONDS).contains(&retry),
        "{what}: Retry-After {retry} is within the window"
    );
}

/// Five wrong passwords lock the username: the sixth attempt, and even the right password,
/// get 429 with Retry-After, without a password check; other users log in as usual.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn repeated_failed_logins_lock_the_username_with_429_and_retry_after() {
    support::for_each_db(|url| async move {
        let api = Api::start(&url).await;
        with_password(&api, Persona::Practitioner).await;
        with_password(&api, Persona::CsoPractitioner).await;
        let alice = Persona::Practitioner.user();

        let failures = futures_util::future::join_all(
            (0..PER_USERNAME).map(|_| login(&api, alice, "wrong password")),
        )
        .await;
        for (n, response) in failures.iter().enumerate() {
            let body = response.expect(401, &format!("wrong password {}", n + 1));
            assert_eq!(body["error"], json!("unauthorized"));
        }

        assert_locked_out(
            &login(&api, alice, "wrong password").await,
            "one failure too many",
        );
        let started = Instant::now();
        assert_locked_out(
            &login(&api, alice, PASSWORD).await,
            "the right password while locked out",
        );
        assert!(
            started.elapsed() < Duration::from_millis(500),
            "a locked-out login is refused before the slow password check"
        );
        assert_locked_out(
            &login(&api, "ALICE", "wrong password").await,
            "the same username in capitals",
        );

        let bea = login(&api, Persona::CsoPractitioner.user(), PASSWORD)
            .await
            .expect(200, "another user logs in while alice is locked out");
        assert!(
            bea["token"]
                .as_str()
                .is_some_and(|t| t.starts_with("cims_"))
        );
        api.stop().await;
    })
    .await;
}

/// An unknown username and a wrong password get the same status and body, and the unknown
/// username still pays for a password check, so neither answer nor timing tells which
/// usernames exist; unknown usernames are locked out after the same number of failures.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unknown_usernames_and_wrong_passwords_answer_alike() {
    support::for_each_db(|url| async move {
        let api = Api::start(&url).await;
        with_password(&api, Persona::Practitioner).await;
        let alice = Persona::Practitioner.user();

        let timed = |username: &'static str| {
            let api = &api;
            async move {
                let started = Instant::now();
                let response = login(api, username, "wrong password").await;
                (response, started.elapsed())
            }
        };
        // One login first, so that neither series pays for first use (connections, caches).
        timed("nobody-warm-up").await;
        let mut wrong_password = Vec::new();
        let mut unknown = Vec::new();
        for _ in 0..3 {
            wrong_password.push(timed(alice).await);
            unknown.push(timed("nobody").await);
        }
        let (known, _) = &wrong_password[0];
        let (unknown_response, _) = &unknown[0];
        assert_eq!(known.status, unknown_response.status);
        assert_eq!(known.json(), unknown_response.json());
        let fastest = |runs: &[(Response, Duration)]| {
            runs.iter()
                .map(|(_, took)| *took)
                .min()
                .expect("three runs")
        };
        let (known_time, unknown_time) = (fastest(&wrong_password), fastest(&unknown));
        assert!(
            unknown_time * 3 >= known_time,
            "an unknown username is checked against a password hash too: \
             {unknown_time:?} against {known_time:?} for a wrong password"
        );

        for _ in unknown.len()..PER_USERNAME {
            login(&api, "nobody", "wrong password")
                .await
                .expect(401, "an unknown username");
        }
        assert_locked_out(
            &login(&api, "nobody", "wrong password").await,
            "an unknown username, one failure too many",
        );
        api.stop().await;
    })
    .await;
}

/// A successful login clears the username's failures: four typos, then the right password,
/// leave five more tries.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_successful_login_forgets_earlier_failures() {
    support::for_each_db(|url| async move {
        let api = Api::start(&url).await;
        with_password(&api, Persona::Practitioner).await;
        let alice = Persona::Practitioner.user();
        for _ in 1..PER_USERNAME {
            login(&api, alice, "typo").await.expect(401, "a typo");
        }
        login(&api, alice, PASSWORD)
            .await
            .expect(200, "the right password before the limit");
        for _ in 1..PER_USERNAME {
            login(&api, alice, "typo").await.expect(401, "a later typo");
        }
        login(&api, alice, PASSWORD)
            .await
            .expect(200, "the count started again");
        api.stop().await;
    })
    .await;
}

/// The OpenAPI document lists the 429 of `POST /v1/session` and its `Retry-After` header.
#[tokio::test]
async fn openapi_documents_the_login_limit() {
    support::for_each_db(|url| async move {
        let api = Api::start(&url).await;
        let doc = api
            .request(Method::GET, "/openapi.json", None, None, &[])
            .await
            .expect(200, "the OpenAPI document");
        let limited: &Value = &doc["paths"]["/v1/session"]["post"]["responses"]["429"];
        assert!(
            limited["description"]
                .as_str()
                .is_some_and(|d| d.contains("Too many failed logins")),
            "{limited}"
        );
        assert!(limited["headers"]["Retry-After"].is_object(), "{limited}");
        api.stop().await;
    })
    .await;
}
