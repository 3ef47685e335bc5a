//! Dropped links, with the real app in a pseudo-terminal: the server goes away while a
//! practitioner ticks an item and writes a note; the app keeps working, shows that it is
//! offline and how many writes wait, and when the server is back each write lands exactly
//! once. A terminal hung up in the middle of a note (SIGHUP) leaves a draft that the next
//! start offers back. Two copies of the app and the API writing one record lose nothing:
//! the one that lost the race is shown the conflict and the record as it now stands.

use std::time::{Duration, Instant};

use serde_json::{Value, json};

use crate::api::harness::{Api, PATIENCE, Persona};
use crate::e2e::{AppHome, Pty};
use crate::fixtures;
use crate::support::{self, Db};

const ME: Persona = Persona::Practitioner;

async fn history(api: &Api, id: &str) -> Vec<Value> {
    api.get(ME, &format!("/v1/records/{id}/history"))
        .await
        .expect(200, "the history")["events"]
        .as_array()
        .cloned()
        .unwrap_or_default()
}

/// Events of `kind` whose `field` is `value` (any value when `field` is empty).
fn count(events: &[Value], kind: &str, field: &str, value: &str) -> usize {
    events
        .iter()
        .map(|e| &e["change"])
        .filter(|c| c["event"] == json!(kind) && (field.is_empty() || c[field] == json!(value)))
        .count()
}

/// Open the record, the only one in the All view, in its Checklist tab.
async fn open_checklist(pty: &mut Pty, id: &str) {
    show_all(pty, id).await;
    pty.keys("\r");
    pty.wait_for("the record", |s| s.contains(&format!("{id} ─ [Details]")))
        .await;
    pty.keys("l");
    pty.wait_for("the checklist, read", |s| {
        s.contains("[Checklist]") && s.contains("[ ]")
    })
    .await;
}

/// A server on a fresh SQLite database holding one incident; the incident's id.
async fn one_incident() -> (tempfile::TempDir, Api, String) {
    let db_dir = tempfile::tempdir().expect("a directory for the database");
    let url = support::database(Db::Sqlite, &db_dir)
        .await
        .expect("a SQLite database");
    let api = Api::start(&url).await;
    let id = api.create_incident(ME, &fixtures::incident()).await;
    (db_dir, api, id)
}

/// The All view, live, listing the record.
async fn show_all(pty: &mut Pty, id: &str) {
    pty.wait_for("the queue, live", |s| {
        s.contains("● live") && s.contains("Nothing to show")
    })
    .await;
    let deadline = Instant::now() + PATIENCE;
    // A key typed while the first page is still loading may be overtaken by it.
    while !pty.screen().contains(id) {
        assert!(Instant::now() < deadline, "the All view never listed {id}");
        pty.keys("6");
        tokio::time::sleep(Duration::from_millis(300)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn writes_made_while_the_server_is_away_land_once_and_a_hung_up_note_is_kept() {
    let (_db_dir, api, id) = one_incident().await;
    let home = AppHome::new(&api.server.base, api.token(ME));
    let mut pty = Pty::spawn(&home.env());
    open_checklist(&mut pty, &id).await;

    // The server goes away; the app says so and keeps working.
    let stopped = api.stop_for_restart().await;
    pty.wait_for("the app to notice it is offline", |s| s.contains("offline"))
        .await;
    pty.keys(" ");
    pty.wait_for("one write waiting", |s| s.contains("1 unsent"))
        .await;
    pty.keys("n");
    pty.wait_for("the note editor", |s| s.contains(&format!("note on {id}")))
        .await;
    pty.keys("Written while the link was down.");
    pty.keys("\x13");
    pty.wait_for("two writes waiting", |s| s.contains("2 unsent"))
        .await;

    // The server is back: both writes land, once each, and nothing waits any more.
    let api = stopped.start().await;
    pty.wait_for("the writes to be sent", |s| {
        s.contains("● live") && !s.contains("unsent")
    })
    .await;
    let deadline = Instant::now() + PATIENCE;
    let events = loop {
        let events = history(&api, &id).await;
        let noted = count(
            &events,
            "note_added",
            "text",
            "Written while the link was down.",
        );
        if noted > 0 || Instant::now() > deadline {
            break events;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    assert_eq!(
        count(
            &events,
            "note_added",
            "text",
            "Written while the link was down."
        ),
        1,
        "the note landed exactly once: {events:?}"
    );
    assert_eq!(
        count(&events, "item_ticked", "", ""),
        1,
        "the tick landed exactly once: {events:?}"
    );

    // The terminal hangs up in the middle of a note: the next start offers the draft.
    pty.keys("n");
    pty.wait_for("the note editor", |s| s.contains(&format!("note on {id}")))
        .await;
    pty.keys("Half a sentence when the line went");
    let draft = home.draft(&id);
    let deadline = Instant::now() + PATIENCE;
    while std::fs::read_to_string(&draft).ok().as_deref()
        != Some("Half a sentence when the line went")
    {
        assert!(
            Instant::now() < deadline,
            "the draft was not saved as typed"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let pid = pty.child.process_id().expect("the app's process id");
    let hung_up = std::process::Command::new("kill")
        .args(["-HUP", &pid.to_string()])
        .status()
        .expect("send SIGHUP");
    assert!(hung_up.success());
    pty.exit(PATIENCE).await;

    // The app comes back where it was left: the record, on its checklist, the draft offered.
    let mut again = Pty::spawn(&home.env());
    again
        .wait_for("the record it was left at, its draft offered", |s| {
            s.contains("a note draft is waiting for this record")
                && s.contains(&format!("{id} ─"))
                && s.contains("[Checklist]")
                && s.contains("Client's immediate safety ensured")
        })
        .await;
    again.keys("n");
    again
        .wait_for("the draft in the editor", |s| {
            s.contains("Half a sentence when the line went")
        })
        .await;
    api.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_apps_and_the_api_writing_one_record_lose_nothing() {
    let (_db_dir, api, id) = one_incident().await;
    let first_home = AppHome::new(&api.server.base, api.token(ME));
    let second_home = AppHome::new(&api.server.base, api.token(ME));
    let mut first = Pty::spawn(&first_home.env());
    let mut second = Pty::spawn(&second_home.env());
    open_checklist(&mut first, &id).await;
    open_checklist(&mut second, &id).await;

    // Both apps hold live updates, so each keeps the version it read; the API writes.
    first.keys("f");
    second.keys("f");
    for pty in [&first, &second] {
        pty.wait_for("live updates held", |s| s.contains("frozen"))
            .await;
    }
    api.note(ME, &id, "Written through the API first.").await;

    // The first app's tick is refused as stale; it is told, and shown the record as it
    // now stands; ticking again lands.
    first.keys(" ");
    first
        .wait_for("the conflict, shown", |s| s.contains("someone changed"))
        .await;
    // The record as it now stands: the API's note is there.
    first.keys("l");
    first
        .wait_for("the reloaded notes", |s| {
            s.contains("[Notes]") && s.contains("Written through the API first.")
        })
        .await;
    first.keys("h");
    first
        .wait_for("the checklist again", |s| s.contains("[Checklist]"))
        .await;
    first.keys(" ");
    let deadline = Instant::now() + PATIENCE;
    while count(&history(&api, &id).await, "item_ticked", "", "") == 0 {
        assert!(Instant::now() < deadline, "the second try did not land");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }

    // The second app, still at the version it read, loses the same way and sees the item
    // done by the first.
    second.keys(" ");
    second
        .wait_for("the conflict, shown with the item done", |s| {
            s.contains("someone changed") && s.contains("[x]")
        })
        .await;

    // Nothing lost, nothing applied twice.
    let events = history(&api, &id).await;
    assert_eq!(
        count(
            &events,
            "note_added",
            "text",
            "Written through the API first."
        ),
        1
    );
    assert_eq!(count(&events, "item_ticked", "", ""), 1, "{events:?}");
    api.stop().await;
}
