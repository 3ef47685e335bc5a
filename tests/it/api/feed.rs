//! `GET /v1/events` (DESIGN §2, §4): changes arrive in sequence carrying no field data, a
//! reconnect with `Last-Event-ID` misses nothing and repeats nothing, and a CSO hears only
//! of records it may see.

use std::collections::BTreeSet;

use serde_json::json;

use super::harness::{Api, Persona, SseEvent};
use crate::{fixtures, support};

/// Every event of the records, after `after`, in sequence order, as `(seq, id, version)`.
async fn logged_after(api: &Api, ids: &[&str], after: i64) -> Vec<(i64, String, i64)> {
    let mut out = Vec::new();
    for id in ids {
        let history = api
            .get(Persona::Daom, &format!("/v1/records/{id}/history"))
            .await
            .expect(200, "read the history");
        for event in history["events"].as_array().expect("events") {
            let seq = event["seq"].as_i64().expect("seq");
            if seq > after {
                let version = event["version"].as_i64().expect("version");
                out.push((seq, (*id).to_string(), version));
            }
        }
    }
    out.sort();
    out
}

fn change_of(event: &SseEvent) -> (i64, String, i64) {
    assert_eq!(event.event.as_deref(), Some("record"), "{event:?}");
    let data = event.json();
    let keys: BTreeSet<&str> = data
        .as_object()
        .expect("event data is an object")
        .keys()
        .map(String::as_str)
        .collect();
    assert_eq!(
        keys,
        BTreeSet::from(["record_id", "seq", "version"]),
        "no field data travels: {event:?}"
    );
    let seq = data["seq"].as_i64().expect("seq");
    assert_eq!(event.seq(), seq, "the event id is the sequence");
    (
        seq,
        data["record_id"].as_str().expect("record id").to_string(),
        data["version"].as_i64().expect("version"),
    )
}

/// Read `count` events, checking each as it comes.
async fn read(feed: &mut super::harness::Feed, count: usize) -> Vec<(i64, String, i64)> {
    let mut out = Vec::new();
    while out.len() < count {
        out.push(change_of(&feed.next().await));
    }
    out
}

async fn resumes(url: String) {
    let api = Api::start(&url).await;
    let persona = Persona::Practitioner;

    // Subscribe, then change things: the events arrive in order, as logged.
    let mut feed = api.feed(persona, None).await;
    assert!(
        feed.headers
            .get("content-type")
            .and_then(|v| v.to_str().ok())
            .is_some_and(|t| t.starts_with("text/event-stream")),
        "an event stream: {:?}",
        feed.headers
    );
    let a = api.create_incident(persona, &fixtures::incident()).await;
    let b = api
        .create_incident(Persona::CsoDelegate, &fixtures::incident())
        .await;
    api.note(persona, &a, "first note").await;
    let expected = logged_after(&api, &[&a, &b], 0).await;
    let got = read(&mut feed, expected.len()).await;
    assert_eq!(got, expected, "the live feed equals the log");
    assert!(
        got.windows(2).all(|w| w[0].0 < w[1].0),
        "ids increase: {got:?}"
    );
    let last = got.last().expect("events").0;
    drop(feed);

    // Changes while disconnected; reconnecting after the last id seen misses nothing.
    api.note(persona, &b, "while away").await;
    let c = api.create_intake(persona, &fixtures::intake()).await;
    api.note(Persona::CsoDelegate, &b, "while away again").await;
    let missed = logged_after(&api, &[&a, &b, &c], last).await;
    assert!(missed.len() >= 4, "changes were made: {missed:?}");
    let mut feed = api.feed(persona, Some(last)).await;
    let got = read(&mut feed, missed.len()).await;
    assert_eq!(
        got, missed,
        "resumed after {last}: nothing missed, nothing repeated"
    );
    // And nothing more: the next event is the next change.
    let version = api.note(persona, &a, "after resuming").await;
    let next = change_of(&feed.next().await);
    assert_eq!(
        (next.1.as_str(), next.2),
        (a.as_str(), i64::try_from(version).expect("version")),
        "the next event is the next change, not a repeat"
    );
    assert!(next.0 > missed.last().expect("events").0);
    drop(feed);

    // `after=0` replays the whole log.
    let everything = logged_after(&api, &[&a, &b, &c], 0).await;
    let mut feed = api.feed(persona, Some(0)).await;
    assert_eq!(read(&mut feed, everything.len()).await, everything);
    drop(feed);

    // A CSO's feed tells only of its own records (and those assigned to its users).
    let berry = api
        .create_incident(Persona::CsoPractitioner, &fixtures::incident())
        .await;
    let mut feed = api.feed(Persona::CsoPractitioner, Some(0)).await;
    let version = api
        .note(Persona::CsoPractitioner, &berry, "the last change")
        .await;
    let seen = feed
        .until(|e| {
            let data = e.json();
            data["record_id"] == json!(berry) && data["version"] == json!(version)
        })
        .await;
    let heard: BTreeSet<String> = seen.iter().map(|e| change_of(e).1).collect();
    assert_eq!(
        heard,
        BTreeSet::from([berry.clone()]),
        "Berry Street hears only of its own record"
    );
    assert_eq!(
        seen.len(),
        logged_after(&api, &[&berry], 0).await.len(),
        "every change to its own record"
    );
    // Anglicare's changes never reach Berry Street; its own next change does.
    api.note(Persona::CsoDelegate, &b, "Anglicare's business")
        .await;
    let version = api.note(Persona::CsoPractitioner, &berry, "ours").await;
    let next = change_of(&feed.next().await);
    assert_eq!(
        (next.1.as_str(), next.2),
        (berry.as_str(), i64::try_from(version).expect("version")),
        "Anglicare's note was not told to Berry Street"
    );
    drop(feed);

    api.stop().await;
}

/// Events arrive with increasing ids and `{seq, record_id, version}` data only; after a
/// disconnect, `Last-Event-ID` resumes with nothing missed and no duplicates; a CSO user's
/// feed carries no events about other organisations' records (R-PRIV-4).
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn feed_resumes_without_loss_and_respects_tenancy() {
    support::for_each_db(resumes).await;
}
