//! Stopping the server: requests in flight finish, open change feeds end, and then the
//! server stops (SIGTERM and ctrl-c lead to the same graceful stop).

use std::time::Duration;

use super::harness::{Api, Persona};
use crate::{fixtures, support};

async fn stops(url: String) {
    let api = Api::start(&url).await;
    let id = api
        .create_incident(Persona::Practitioner, &fixtures::incident())
        .await;
    // A subscriber holds a change feed open while the server is asked to stop.
    let feed = api.feed(Persona::Practitioner, Some(0)).await;
    // A request already under way when the stop comes still gets its answer.
    let slow = {
        let client = api.client.clone();
        let url = api.url_of(&format!("/v1/records/{id}/history"));
        let token = api.token(Persona::Practitioner).to_string();
        tokio::spawn(async move { client.get(url).bearer_auth(token).send().await })
    };
    tokio::time::sleep(Duration::from_millis(50)).await;
    let started = std::time::Instant::now();
    api.stop().await;
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "an open change feed does not hold the server up"
    );
    let answered = slow.await.expect("request task").expect("an answer");
    assert_eq!(answered.status(), 200);
    drop(feed);
}

#[tokio::test]
async fn shutdown_finishes_requests_and_ends_change_feeds() {
    support::for_each_db(stops).await;
}
