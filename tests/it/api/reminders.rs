//! Reminders: a personal follow-up on a record at a time, kept by the server for its owner
//! alone. An open reminder puts its record in the owner's Mine view; `reminder:due` finds
//! those whose time has come; refusals never tell a record that is hidden from one that is
//! not there (R-PRIV-8); setting and finishing are audited.

use chrono::{Duration, Utc};
use serde_json::{Value, json};

use super::harness::{Api, Persona};
use crate::{fixtures, support};

fn ids(page: &Value) -> Vec<String> {
    page["rows"]
        .as_array()
        .expect("rows")
        .iter()
        .filter_map(|r| r["id"].as_str().map(String::from))
        .collect()
}

/// An incident Alice registers and assigns to herself.
async fn assigned_to_alice(api: &Api) -> String {
    let body = json!({
        "details": cims::domain::model::Details::Incident(fixtures::incident()),
        "assignee": "alice",
    });
    let created = api
        .create(Persona::Practitioner, &body)
        .await
        .expect(201, "assigned to her");
    created["record"]["id"].as_str().expect("an id").to_string()
}

#[tokio::test]
async fn a_reminder_puts_its_record_in_mine_until_done_and_is_its_owners_alone() {
    support::for_each_db(|url| async move {
        let api = Api::start(&url).await;
        let alice = Persona::Practitioner;
        let tess = Persona::TeamManager;
        let later = api.create_incident(alice, &fixtures::incident()).await;
        let now_due = api.create_incident(alice, &fixtures::incident()).await;
        let in_an_hour = Utc::now() + Duration::hours(1);
        let set = api
            .post(
                alice,
                "/v1/reminders",
                &json!({ "record": later, "at": in_an_hour, "note": " Call the unit back. " }),
            )
            .await
            .expect(201, "alice sets a reminder");
        assert_eq!(set["record"], json!(later));
        assert_eq!(set["note"], json!("Call the unit back."), "kept trimmed");
        // A minute behind is taken as now: its time has come.
        let first = api
            .post(
                alice,
                "/v1/reminders",
                &json!({ "record": now_due, "at": Utc::now() - Duration::minutes(1), "note": "Ring the school." }),
            )
            .await
            .expect(201, "a reminder due now");

        let listed = api.get(alice, "/v1/reminders").await.expect(200, "hers");
        let notes: Vec<&Value> = listed["reminders"]
            .as_array()
            .expect("reminders")
            .iter()
            .map(|r| &r["note"])
            .collect();
        assert_eq!(
            notes,
            [&json!("Ring the school."), &json!("Call the unit back.")],
            "soonest first"
        );

        // Neither record is assigned to her; the reminders put both in Mine, beside what is
        // assigned to her, with or without a reminder, each once.
        let only_assigned = assigned_to_alice(&api).await;
        let assigned_and_reminded = assigned_to_alice(&api).await;
        api.post(
            alice,
            "/v1/reminders",
            &json!({ "record": assigned_and_reminded, "at": in_an_hour, "note": "Both." }),
        )
        .await
        .expect(201, "a reminder on her own");
        let mine = api.get(alice, "/v1/queue?view=mine").await.expect(200, "mine");
        let mut in_mine = ids(&mine);
        in_mine.sort();
        let mut expected = vec![
            later.clone(),
            now_due.clone(),
            only_assigned.clone(),
            assigned_and_reminded.clone(),
        ];
        expected.sort();
        assert_eq!(in_mine, expected);
        // Page by page, the same records, each once, in the same order.
        let mut paged = Vec::new();
        let mut cursor: Option<String> = None;
        loop {
            let path = match &cursor {
                Some(c) => format!("/v1/queue?view=mine&limit=1&cursor={c}"),
                None => "/v1/queue?view=mine&limit=1".to_string(),
            };
            let page = api.get(alice, &path).await.expect(200, "a page");
            paged.extend(ids(&page));
            match page["next_cursor"].as_str() {
                Some(next) => cursor = Some(next.to_string()),
                None => break,
            }
        }
        assert_eq!(paged, ids(&mine), "pages of one");
        let row = mine["rows"]
            .as_array()
            .expect("rows")
            .iter()
            .find(|r| r["id"] == json!(later))
            .expect("the later one");
        assert!(row["reminder"].is_string(), "the row carries its time: {row}");
        let due = api
            .get(alice, "/v1/queue?q=reminder:due")
            .await
            .expect(200, "due");
        assert_eq!(ids(&due), [now_due]);
        let count = api
            .get(alice, "/v1/queue/count?view=mine")
            .await
            .expect(200, "count");
        assert_eq!(count["count"], json!(4), "{count}");

        // Another user sees none of it.
        let theirs = api.get(tess, "/v1/reminders").await.expect(200, "tess's");
        assert_eq!(theirs["reminders"], json!([]));
        let tess_mine = api.get(tess, "/v1/queue?view=mine").await.expect(200, "tess");
        assert!(ids(&tess_mine).is_empty(), "{tess_mine}");
        let all = api.get(tess, "/v1/queue?view=all").await.expect(200, "all");
        assert!(
            all["rows"].as_array().expect("rows").iter().all(|r| r.get("reminder").is_none()),
            "{all}"
        );

        // Done: once, by its owner; the record leaves Mine.
        let path = format!("/v1/reminders/{}/done", first["id"]);
        let by_tess = api.post(tess, &path, &json!({})).await;
        assert_eq!(by_tess.status.as_u16(), 404, "not hers: {}", by_tess.body);
        let done = api.post(alice, &path, &json!({})).await;
        assert_eq!(done.status.as_u16(), 204, "{}", done.body);
        let again = api.post(alice, &path, &json!({})).await;
        assert_eq!(again.status.as_u16(), 409, "{}", again.body);
        let mine = api.get(alice, "/v1/queue?view=mine").await.expect(200, "mine");
        let mut left = ids(&mine);
        left.sort();
        let mut expected = vec![later, only_assigned, assigned_and_reminded];
        expected.sort();
        assert_eq!(left, expected);
        let count = api
            .get(alice, "/v1/queue/count?view=mine")
            .await
            .expect(200, "count");
        assert_eq!(count["count"], json!(3), "{count}");

        let audit = api.store().audit_entries(100).await.expect("audit");
        let actions: Vec<&str> = audit.iter().map(|e| e.action.as_str()).collect();
        assert!(actions.contains(&"reminder_set"), "{actions:?}");
        assert!(actions.contains(&"reminder_done"), "{actions:?}");
        api.stop().await;
    })
    .await;
}

#[tokio::test]
async fn a_reminder_is_refused_by_name_and_a_hidden_record_reads_as_one_not_there() {
    support::for_each_db(|url| async move {
        let api = Api::start(&url).await;
        let alice = Persona::Practitioner;
        let carol = Persona::CsoDelegate;
        let ours = api.create_incident(alice, &fixtures::incident()).await;
        let soon = Utc::now() + Duration::hours(2);
        for (body, says) in [
            (
                json!({ "record": ours, "at": Utc::now() - Duration::hours(1), "note": "x" }),
                "has passed",
            ),
            (
                json!({ "record": ours, "at": Utc::now() + Duration::days(400), "note": "x" }),
                "a year",
            ),
            (
                json!({ "record": ours, "at": soon, "note": "  " }),
                "1 to 200",
            ),
            (
                json!({ "record": ours, "at": soon, "note": "a\u{7}b" }),
                "one line",
            ),
            (
                json!({ "record": ours, "at": soon, "note": "x".repeat(201) }),
                "1 to 200",
            ),
        ] {
            let refused = api.post(alice, "/v1/reminders", &body).await;
            assert_eq!(refused.status.as_u16(), 422, "{body}");
            assert!(refused.body.contains(says), "{}", refused.body);
        }
        let malformed = api
            .post(
                alice,
                "/v1/reminders",
                &json!({ "record": ours, "at": "tomorrow", "note": "x" }),
            )
            .await;
        assert!(malformed.status.is_client_error(), "{}", malformed.body);

        // R-PRIV-8: Carol may not see ours; her refusal reads as for a record not there.
        let hidden = api
            .post(
                carol,
                "/v1/reminders",
                &json!({ "record": ours, "at": soon, "note": "x" }),
            )
            .await;
        let absent = api
            .post(
                carol,
                "/v1/reminders",
                &json!({ "record": "INC-2099-99999", "at": soon, "note": "x" }),
            )
            .await;
        assert_eq!(hidden.status.as_u16(), 422);
        assert_eq!(absent.status.as_u16(), 422);
        assert_eq!(
            hidden.body.replace(&ours, "<id>"),
            absent.body.replace("INC-2099-99999", "<id>")
        );
        api.get(Persona::Admin, "/v1/reminders")
            .await
            .expect(403, "admin accounts see no client data");
        let unchanged = api.get(carol, "/v1/reminders").await.expect(200, "carol's");
        assert_eq!(unchanged["reminders"], json!([]));
        api.stop().await;
    })
    .await;
}
