//! The month-end batch (R-SUBMIT-4): where the server sends batches, a non-major incident's
//! report waits for its month; the organisation's batch carries every report waiting, is
//! delivered like any other submission, and its answer is recorded on each record, meeting
//! each deadline at the batch's sending. On SQLite and PostgreSQL.

use chrono::{Duration, Utc};
use cims::domain::model::{Impact, Incident};
use cims::domain::submissions::BatchMonth;
use serde_json::{Value, json};

use super::harness::{Api, Persona};
use super::submissions::{endorse, record, start, submissions_of, time, worker};
use crate::transport::{Behaviour, serve_http};
use crate::{fixtures, support};

/// An explained injury with first aid: non-major.
fn non_major(client: &str) -> Incident {
    let mut incident = fixtures::incident();
    incident.primary_type = "injury_explained".into();
    incident.subject = None;
    incident.impact = Some(Impact::NonMajor);
    incident.description = format!("{client} grazed a knee in the yard; first aid given.");
    incident
}

async fn endorse_non_major(api: &Api, incident: &Incident) -> String {
    endorse(api, incident, &["classified", "report_written"]).await
}

fn this_month() -> String {
    BatchMonth::of(Utc::now()).to_string()
}

async fn send_batch(api: &Api, persona: Persona, month: &str, status: u16) -> Value {
    api.post(
        persona,
        "/v1/submissions/batches",
        &json!({ "month": month }),
    )
    .await
    .expect(status, &format!("the batch for {month}"))
}

async fn only_submission(api: &Api, id: &str) -> Value {
    let all = submissions_of(api, Persona::CsoDelegate, id).await;
    assert_eq!(all.len(), 1, "{all:?}");
    all[0].clone()
}

fn events(history: &Value, event: &str) -> usize {
    history["events"].as_array().map_or(0, |e| {
        e.iter().filter(|e| e["change"]["event"] == event).count()
    })
}

#[tokio::test]
async fn non_major_reports_wait_for_the_month_s_batch_whose_acceptance_meets_each_deadline_r_submit_4()
 {
    support::for_each_db(|url| async move {
        let (api, dir) = start(&url).await;
        api.server.store.batch_non_major(true);
        let first = endorse_non_major(&api, &non_major("Jordan")).await;
        let second = endorse_non_major(&api, &non_major("Alex")).await;
        let major = endorse(
            &api,
            &fixtures::incident(),
            &["classified", "report_written", "police_notified"],
        )
        .await;
        assert_eq!(only_submission(&api, &first).await["status"], "held");
        assert_eq!(only_submission(&api, &second).await["status"], "held");
        assert_eq!(only_submission(&api, &major).await["status"], "queued");

        let (receiver, endpoint) = serve_http(Behaviour::Accept).await;
        let worker = worker(&api, dir.path(), &endpoint, Duration::minutes(10));
        // Only the major incident's report goes now.
        assert_eq!(worker.round().await.expect("a round"), 1);
        assert_eq!(receiver.keys().len(), 1);

        let built = send_batch(&api, Persona::CsoDelegate, &this_month(), 201).await;
        assert_eq!(built["reports"], 2, "{built}");
        let batch = &built["batch"];
        assert_eq!(batch["kind"], "monthly_batch");
        assert_eq!(batch["status"], "queued");
        assert_eq!(batch["payload"]["count"], 2);
        let key = format!("anglicare-batch-{}", this_month());
        assert_eq!(batch["idempotency_key"], key.as_str());
        let carried: Vec<&str> = batch["payload"]["reports"]
            .as_array()
            .expect("reports")
            .iter()
            .filter_map(|r| r["record"].as_str())
            .collect();
        assert_eq!(carried, vec![first.as_str(), second.as_str()]);
        for id in [&first, &second] {
            let member = only_submission(&api, id).await;
            assert_eq!(member["status"], "batched");
            assert_eq!(member["batch"], batch["id"]);
        }
        // One batch per month.
        let again = send_batch(&api, Persona::CsoDelegate, &this_month(), 409).await;
        assert!(
            again["message"]
                .as_str()
                .is_some_and(|m| m.contains("built already")),
            "{again}"
        );

        assert_eq!(worker.round().await.expect("a round"), 1);
        assert_eq!(receiver.keys().len(), 2);
        assert_eq!(receiver.keys()[1], key);
        let sent = api
            .get(
                Persona::CsoDelegate,
                &format!("/v1/submissions/{}", batch["id"]),
            )
            .await
            .expect(200, "the batch");
        assert_eq!(sent["status"], "accepted", "{sent}");
        let sent_at = time(&sent["sent_at"]);
        for id in [&first, &second] {
            let member = only_submission(&api, id).await;
            assert_eq!(member["status"], "accepted", "{member}");
            assert_eq!(member["reference"], sent["reference"]);
            let view = record(&api, id).await;
            assert_eq!(
                time(&view["record"]["milestones"]["report_submitted"]),
                sent_at,
                "met when the batch was sent"
            );
            let history = api
                .get(Persona::CsoDelegate, &format!("/v1/records/{id}/history"))
                .await
                .expect(200, "history");
            assert_eq!(events(&history, "submission_accepted"), 1, "{history}");
        }
        // Nothing is sent twice.
        assert_eq!(worker.round().await.expect("a round"), 0);
        assert_eq!(receiver.keys().len(), 2);
        let audit = api.server.store.audit_entries(80).await.expect("audit");
        assert!(
            audit
                .iter()
                .any(|e| e.action == "submission_batch_built" && e.actor == "carol"),
            "{audit:?}"
        );
        for id in [&first, &second] {
            assert!(
                audit.iter().any(|e| e.action == "submission_accepted"
                    && e.record_id.as_deref() == Some(id.as_str())
                    && e.detail["batch"] == batch["id"]),
                "{id}'s answer in {audit:?}"
            );
        }
    })
    .await;
}

#[tokio::test]
async fn a_rejected_batch_returns_each_report_to_its_delegate_with_the_reasons_r_submit_4() {
    support::for_each_db(|url| async move {
        let (api, dir) = start(&url).await;
        api.server.store.batch_non_major(true);
        let id = endorse_non_major(&api, &non_major("Jordan")).await;
        // Someone else holds the record when the answer comes.
        let version = api.version(Persona::CsoDelegate, &id).await;
        api.command(
            Persona::CsoDelegate,
            &id,
            version,
            &json!({"command": "assign", "user": "bea"}),
        )
        .await
        .expect(200, "assign");
        let built = send_batch(&api, Persona::CsoDelegate, &this_month(), 201).await;
        let (_receiver, endpoint) = serve_http(Behaviour::Reject).await;
        let worker = worker(&api, dir.path(), &endpoint, Duration::minutes(10));
        assert_eq!(worker.round().await.expect("a round"), 1);
        let member = only_submission(&api, &id).await;
        assert_eq!(member["status"], "rejected", "{member}");
        assert!(!member["reasons"].as_array().is_none_or(Vec::is_empty));
        let view = record(&api, &id).await;
        assert_eq!(
            view["record"]["assignee"], "carol",
            "back with its delegate"
        );
        assert!(view["record"]["milestones"]["report_submitted"].is_null());
        // The batch cannot be sent again; the report can, on its own.
        api.post(
            Persona::CsoDelegate,
            &format!("/v1/submissions/{}/retry", built["batch"]["id"]),
            &json!({}),
        )
        .await
        .expect(409, "retry of the batch");
        let again = api
            .post(
                Persona::CsoDelegate,
                &format!("/v1/submissions/{}/retry", member["id"]),
                &json!({}),
            )
            .await
            .expect(200, "retry of the report");
        assert_eq!(again["status"], "queued");
        assert_eq!(again["kind"], "incident_report");
        assert_eq!(again["replaces"], member["id"]);
    })
    .await;
}

#[tokio::test]
async fn once_a_month_ends_the_worker_builds_each_organisation_s_batch_r_submit_4() {
    support::for_each_db(|url| async move {
        let (api, dir) = start(&url).await;
        api.server.store.batch_non_major(true);
        let last_month = endorse_non_major(&api, &non_major("Jordan")).await;
        let this_month_id = endorse_non_major(&api, &non_major("Alex")).await;
        // The first report was held last month.
        let previous = BatchMonth::of(Utc::now()).previous();
        let then = cims::store::db_time(previous.end() - Duration::days(2));
        sqlx::query("UPDATE submissions SET queued_at = $1 WHERE record_id = $2")
            .bind(then)
            .bind(&last_month)
            .execute(api.server.store.pool())
            .await
            .expect("backdate");
        let (receiver, endpoint) = serve_http(Behaviour::Accept).await;
        let worker = worker(&api, dir.path(), &endpoint, Duration::minutes(10));
        assert_eq!(worker.round().await.expect("a round"), 1);
        assert_eq!(receiver.keys(), vec![format!("anglicare-batch-{previous}")]);
        assert_eq!(
            only_submission(&api, &last_month).await["status"],
            "accepted"
        );
        assert_eq!(
            only_submission(&api, &this_month_id).await["status"],
            "held"
        );
        // The month's batch is built once.
        assert_eq!(worker.round().await.expect("a round"), 0);
        send_batch(&api, Persona::CsoDelegate, &previous.to_string(), 409).await;
    })
    .await;
}

#[tokio::test]
async fn a_server_that_sends_each_report_on_its_own_sends_what_it_held_r_submit_4() {
    support::for_each_db(|url| async move {
        let (api, _dir) = start(&url).await;
        let each = endorse_non_major(&api, &non_major("Jordan")).await;
        assert_eq!(only_submission(&api, &each).await["status"], "queued");
        let refused = send_batch(&api, Persona::CsoDelegate, &this_month(), 409).await;
        assert!(
            refused["message"]
                .as_str()
                .is_some_and(|m| m.contains("on its own")),
            "{refused}"
        );
        api.server.store.batch_non_major(true);
        let held = endorse_non_major(&api, &non_major("Alex")).await;
        assert_eq!(only_submission(&api, &held).await["status"], "held");
        api.server.store.batch_non_major(false);
        assert_eq!(
            api.server
                .store
                .release_held(Utc::now())
                .await
                .expect("release"),
            1
        );
        assert_eq!(only_submission(&api, &held).await["status"], "queued");
    })
    .await;
}

#[tokio::test]
async fn a_batch_is_asked_for_by_month_by_those_allowed_and_seen_only_with_its_records_r_submit_4()
{
    support::for_each_db(|url| async move {
        let (api, _dir) = start(&url).await;
        api.server.store.batch_non_major(true);
        for bad in ["2026-13", "November", "2026-1"] {
            let answer = send_batch(&api, Persona::CsoDelegate, bad, 400).await;
            assert!(
                answer["message"].as_str().is_some_and(|m| m.contains("YYYY-MM")),
                "{answer}"
            );
        }
        let next = BatchMonth::parse(&this_month())
            .map(|m| (m.end() + Duration::days(1)).to_rfc3339())
            .expect("a month");
        let future = BatchMonth::of(chrono::DateTime::parse_from_rfc3339(&next).expect("a time").to_utc());
        send_batch(&api, Persona::CsoDelegate, &future.to_string(), 400).await;
        send_batch(&api, Persona::CsoPractitioner, &this_month(), 403).await;
        let nothing = send_batch(&api, Persona::CsoDelegate, &this_month(), 200).await;
        assert_eq!(nothing["reports"], 0);
        assert!(nothing.get("batch").is_none(), "{nothing}");

        endorse_non_major(&api, &non_major("Jordan")).await;
        let built = send_batch(&api, Persona::CsoDelegate, &this_month(), 201).await;
        let path = format!("/v1/submissions/{}", built["batch"]["id"]);
        // R-PRIV-8: the regulator and another organisation's staff never see it, as if it
        // were not there; a protective intervener does.
        for persona in [Persona::Regulator, Persona::CsoPractitioner] {
            api.get(persona, &path)
                .await
                .expect(404, &format!("{persona:?} reads the batch"));
            let listed = api
                .get(persona, "/v1/submissions?status=queued")
                .await
                .expect(200, "the list");
            assert_eq!(listed["submissions"], json!([]), "{persona:?}");
        }
        api.get(Persona::Practitioner, &path)
            .await
            .expect(200, "a protective intervener reads the batch");
        // A report made outside cims no longer waits for the batch.
        let outside = endorse_non_major(&api, &non_major("Alex")).await;
        let version = api.version(Persona::CsoDelegate, &outside).await;
        api.command(
            Persona::CsoDelegate,
            &outside,
            version,
            &json!({"command": "submitted_outside", "kind": "incident_report",
                    "at": Utc::now().to_rfc3339(), "reason": "Sent through the portal during an outage."}),
        )
        .await
        .expect(200, "submitted outside");
        assert_eq!(only_submission(&api, &outside).await["status"], "withdrawn");
    })
    .await;
}
