//! Handover between shifts: a record is marked seen; the queue marks what others changed
//! since; `GET /v1/since` lists those changes per record, only of records the caller may
//! see, masked as their history is (R-PRIV-8).

use serde_json::{Value, json};

use super::harness::{Api, Persona};
use crate::{fixtures, support};

trait Status {
    fn status_is(&self, status: u16, what: &str);
}

impl Status for super::harness::Response {
    fn status_is(&self, status: u16, what: &str) {
        assert_eq!(self.status.as_u16(), status, "{what}: {}", self.body);
    }
}

fn row<'a>(page: &'a Value, id: &str) -> &'a Value {
    page["rows"]
        .as_array()
        .expect("rows")
        .iter()
        .find(|r| r["id"] == id)
        .unwrap_or_else(|| panic!("{id} listed in {page}"))
}

fn listed(since: &Value) -> Vec<String> {
    since["records"]
        .as_array()
        .expect("records")
        .iter()
        .map(|r| r["id"].as_str().expect("id").to_string())
        .collect()
}

#[tokio::test]
async fn what_others_changed_after_my_last_look_is_marked_and_listed_and_only_what_i_may_see() {
    support::for_each_db(|url| async move {
        let api = Api::start(&url).await;
        let alice = Persona::Practitioner;
        let seen_one = api.create_incident(alice, &fixtures::incident()).await;
        let unseen = api.create_incident(alice, &fixtures::incident()).await;
        api.post(
            alice,
            &format!("/v1/records/{seen_one}/seen"),
            &json!({"version": 1}),
        )
        .await
        .status_is(204, "alice has seen the first record");

        // Her colleague writes on both; Alice writes on one herself.
        api.note(Persona::TeamManager, &seen_one, "Spoke with the unit.")
            .await;
        api.note(Persona::TeamManager, &unseen, "Called the school.")
            .await;
        api.note(alice, &unseen, "My own note.").await;

        let page = api
            .get(alice, "/v1/queue?limit=500")
            .await
            .expect(200, "queue");
        assert_eq!(row(&page, &seen_one)["changed"], json!(true), "{page}");
        assert!(row(&page, &unseen).get("changed").is_none(), "never seen");

        let since = api.get(alice, "/v1/since").await.expect(200, "since");
        let records = listed(&since);
        assert!(
            records.contains(&seen_one) && records.contains(&unseen),
            "{since}"
        );
        for record in since["records"].as_array().expect("records") {
            for event in record["events"].as_array().expect("events") {
                assert_eq!(event["by"], json!("tess"), "only others' changes: {event}");
            }
        }
        let from = since["from"].as_i64().expect("from");

        // Looking at the record clears its mark; the span read before stays the same.
        let version = api.version(alice, &seen_one).await;
        api.post(
            alice,
            &format!("/v1/records/{seen_one}/seen"),
            &json!({ "version": version }),
        )
        .await
        .status_is(204, "seen again");
        let page = api
            .get(alice, "/v1/queue?limit=500")
            .await
            .expect(200, "queue");
        assert!(row(&page, &seen_one).get("changed").is_none(), "{page}");
        let again = api
            .get(alice, &format!("/v1/since?from={from}"))
            .await
            .expect(200, "since, the same span");
        assert_eq!(listed(&again), records);

        // Another organisation's user neither marks nor hears of these records.
        let carol = Persona::CsoDelegate;
        api.post(
            carol,
            &format!("/v1/records/{seen_one}/seen"),
            &json!({"version": 1}),
        )
        .await
        .expect(404, "not one Carol may see");
        let theirs = api
            .get(carol, "/v1/since?from=0")
            .await
            .expect(200, "since, for carol");
        assert!(
            !listed(&theirs)
                .iter()
                .any(|id| *id == seen_one || *id == unseen),
            "{theirs}"
        );
        api.get(Persona::Admin, "/v1/since")
            .await
            .expect(403, "admin accounts see no client data");
        api.get(alice, "/v1/since?from=-1")
            .await
            .expect(400, "bad from");
        api.stop().await;
    })
    .await;
}
