//! Bearer tokens stop working the moment they expire or are revoked: the next request is
//! 401, and an open change feed ends within seconds and cannot be reopened.

use std::process::Command;
use std::time::Duration as StdDuration;

use chrono::{Duration, Utc};
use reqwest::Method;
use serde_json::json;

use super::harness::{Api, PATIENCE, Persona};
use crate::support;

/// `GET /v1/me` with the token: its status.
async fn me(api: &Api, token: &str) -> u16 {
    let response = api
        .request(Method::GET, "/v1/me", Some(token), None, &[])
        .await;
    if response.status.as_u16() == 401 {
        assert_eq!(response.json()["error"], json!("unauthorized"));
    }
    response.status.as_u16()
}

/// `GET /v1/events` with the token: its status (the stream, if any, is dropped).
async fn feed_status(api: &Api, token: &str) -> u16 {
    api.client
        .get(api.url_of("/v1/events"))
        .bearer_auth(token)
        .send()
        .await
        .expect("request the change feed")
        .status()
        .as_u16()
}

fn revoke_with_cli(url: &str, token: &str) {
    let output = Command::new(env!("CARGO_BIN_EXE_cims"))
        .args(["admin", "--db", url, "token", "revoke", token])
        .output()
        .expect("run cims admin token revoke");
    assert_eq!(
        output.status.code(),
        Some(0),
        "cims admin token revoke: {}",
        String::from_utf8_lossy(&output.stderr)
    );
}

/// A token is accepted until its expiry time and refused with 401 from that moment on,
/// by plain endpoints and by the change feed.
#[tokio::test]
async fn an_expired_token_is_refused_at_once() {
    support::for_each_db(|url| async move {
        let api = Api::start(&url).await;
        let (token, expires) = api
            .store()
            .issue_token(Persona::Practitioner.user(), Duration::seconds(2))
            .await
            .expect("issue a short-lived token");
        assert_eq!(me(&api, &token).await, 200, "before expiry");
        assert_eq!(feed_status(&api, &token).await, 200, "before expiry");
        let left = (expires - Utc::now()).to_std().unwrap_or_default();
        tokio::time::sleep(left + StdDuration::from_millis(50)).await;
        assert_eq!(me(&api, &token).await, 401, "just after expiry");
        assert_eq!(feed_status(&api, &token).await, 401, "just after expiry");
        api.stop().await;
    })
    .await;
}

/// `cims admin token revoke TOKEN`, run while the server is up, makes the very next request
/// with that token 401; the user's other tokens keep working until `--user` revokes them all
/// (here through the store, as `cims admin token revoke --user` does).
#[tokio::test]
async fn a_revoked_token_is_refused_on_the_next_request() {
    support::for_each_db(|url| async move {
        let api = Api::start(&url).await;
        let store = api.store();
        let user = Persona::CsoDelegate.user();
        let (first, _) = store
            .issue_token(user, Duration::hours(1))
            .await
            .expect("issue a token");
        let (second, _) = store
            .issue_token(user, Duration::hours(1))
            .await
            .expect("issue another token");
        assert_eq!(me(&api, &first).await, 200);

        revoke_with_cli(&url, &first);
        assert_eq!(me(&api, &first).await, 401, "the revoked token");
        assert_eq!(feed_status(&api, &first).await, 401, "the revoked token");
        assert_eq!(me(&api, &second).await, 200, "another token of the user");

        let revoked = store.revoke_user_tokens(user).await.expect("revoke all");
        assert!(
            revoked >= 2,
            "the user's other tokens are revoked: {revoked}"
        );
        assert_eq!(me(&api, &second).await, 401, "after revoking every token");
        api.stop().await;
    })
    .await;
}

/// An open change feed ends soon after its token is revoked (at most the feed's recheck
/// interval), and reopening it is refused; another user's feed goes on.
#[tokio::test]
async fn an_open_change_feed_ends_when_its_token_is_revoked() {
    support::for_each_db(|url| async move {
        let api = Api::start(&url).await;
        let (token, _) = api
            .store()
            .issue_token(Persona::Practitioner.user(), Duration::hours(1))
            .await
            .expect("issue a token");
        let mut revoked_feed = api.feed_with(&token, None).await;
        let mut other_feed = api.feed(Persona::TeamManager, None).await;

        revoke_with_cli(&url, &token);
        assert!(
            revoked_feed.ends_within(PATIENCE).await,
            "the feed of a revoked token ends within {PATIENCE:?}"
        );
        assert_eq!(feed_status(&api, &token).await, 401, "reopening the feed");

        let id = api
            .create_incident(Persona::TeamManager, &crate::fixtures::incident())
            .await;
        let event = other_feed.next().await;
        assert_eq!(
            event.json()["record_id"],
            json!(id),
            "the other feed goes on"
        );
        api.stop().await;
    })
    .await;
}

/// An open change feed ends soon after its token expires.
#[tokio::test]
async fn an_open_change_feed_ends_when_its_token_expires() {
    support::for_each_db(|url| async move {
        let api = Api::start(&url).await;
        let (token, _) = api
            .store()
            .issue_token(Persona::Practitioner.user(), Duration::seconds(2))
            .await
            .expect("issue a short-lived token");
        let mut feed = api.feed_with(&token, None).await;
        assert!(
            feed.ends_within(PATIENCE).await,
            "the feed of an expired token ends within {PATIENCE:?}"
        );
        api.stop().await;
    })
    .await;
}
