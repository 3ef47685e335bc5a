//! A register that transmits (R-SUBMIT-1/2): endorsing an incident queues its report in
//! the same transaction; a worker delivers it to a real receiver on a loopback socket with
//! its idempotency key; the recipient's answer is recorded on the record, and acceptance —
//! not a tick — meets the deadline, at the time of sending. On SQLite and PostgreSQL.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

use chrono::{DateTime, Duration, SubsecRound, Utc};
use cims::domain::policy::PolicySet;
use cims::domain::submissions::Recipient;
use cims::submit::transport::Outgoing;
use cims::submit::worker::{Pace, Worker};
use serde_json::{Value, json};

use super::harness::{Api, Persona};
use crate::transport::{Behaviour, https_transport, serve_http};
use crate::{fixtures, support};

/// Carol's incident, worked through its first stage and endorsed: its report is queued.
/// The client was treated in hospital, so it is critical notifiable and the regulator
/// reads the record, though not its identifying details.
pub(crate) async fn endorsed(api: &Api, description: &str) -> String {
    let mut incident = fixtures::incident();
    incident.description = description.to_string();
    incident
        .circumstances
        .insert(cims::domain::model::Circumstance::HospitalTreatment);
    endorse(
        api,
        &incident,
        &["classified", "report_written", "police_notified"],
    )
    .await
}

/// Carol registers `incident`, works it through its first stage, ticks these items of the
/// second and endorses it.
pub(crate) async fn endorse(
    api: &Api,
    incident: &cims::domain::model::Incident,
    reporting: &[&str],
) -> String {
    let id = api.create_incident(Persona::CsoDelegate, incident).await;
    let mut steps: Vec<Value> = fixtures::INCIDENT_STAGE_1
        .iter()
        .map(|item| json!({"command": "tick", "item": item}))
        .collect();
    steps.push(json!({"command": "advance_stage"}));
    for item in reporting {
        steps.push(json!({"command": "tick", "item": item}));
    }
    steps.push(json!({"command": "endorse"}));
    for step in steps {
        let version = api.version(Persona::CsoDelegate, &id).await;
        api.command(Persona::CsoDelegate, &id, version, &step)
            .await
            .expect(200, &format!("{step} on {id}"));
    }
    id
}

/// A worker that sends the department's submissions to `endpoint`.
pub(crate) fn worker(api: &Api, dir: &std::path::Path, endpoint: &str, lease: Duration) -> Worker {
    let transports = BTreeMap::from([(
        Recipient::Department,
        https_transport(dir, endpoint, "timeout_seconds = 2"),
    )]);
    Worker::new(
        api.server.store.clone(),
        Arc::new(PolicySet::embedded().expect("policy")),
        transports,
        Pace {
            lease,
            ..Pace::default()
        },
    )
}

pub(super) async fn submissions_of(api: &Api, persona: Persona, id: &str) -> Vec<Value> {
    api.get(persona, &format!("/v1/submissions?record={id}"))
        .await
        .expect(200, "submissions")["submissions"]
        .as_array()
        .cloned()
        .unwrap_or_default()
}

/// Carol asks for submission `number` to be tried again; the answer, of this status.
async fn retry(api: &Api, number: i64, status: u16) -> Value {
    api.post(
        Persona::CsoDelegate,
        &format!("/v1/submissions/{number}/retry"),
        &json!({}),
    )
    .await
    .expect(status, &format!("retry of {number}"))
}

pub(super) async fn record(api: &Api, id: &str) -> Value {
    api.get(Persona::CsoDelegate, &format!("/v1/records/{id}"))
        .await
        .expect(200, "the record")
}

pub(super) fn time(value: &Value) -> DateTime<Utc> {
    value
        .as_str()
        .and_then(|t| DateTime::parse_from_rfc3339(t).ok())
        .map(|t| t.with_timezone(&Utc))
        .unwrap_or_else(|| panic!("a time: {value}"))
}

pub(super) async fn start(url: &str) -> (Api, tempfile::TempDir) {
    (
        Api::start(url).await,
        tempfile::tempdir().expect("a directory"),
    )
}

#[tokio::test]
async fn endorsing_queues_the_report_and_its_acceptance_meets_the_deadline_at_sending_r_submit_1() {
    support::for_each_db(|url| async move {
        let (api, dir) = start(&url).await;
        let id = endorsed(&api, "Client fell in the bathroom; seen by the GP.").await;
        let queued = submissions_of(&api, Persona::CsoDelegate, &id).await;
        assert_eq!(queued.len(), 1, "{queued:?}");
        let submission = &queued[0];
        assert_eq!(submission["status"], "queued");
        assert_eq!(submission["kind"], "incident_report");
        assert_eq!(submission["recipient"], "department");
        assert_eq!(submission["payload"]["record"], id.as_str());
        let key = submission["idempotency_key"]
            .as_str()
            .expect("a key")
            .to_string();
        assert!(key.starts_with(&format!("{id}-v")), "{key}");
        // Not met by a tick: the item is the department's acceptance.
        let version = api.version(Persona::CsoDelegate, &id).await;
        let refusal = api
            .command(
                Persona::CsoDelegate,
                &id,
                version,
                &json!({"command": "tick", "item": "submitted"}),
            )
            .await
            .expect(422, "a tick of the submission");
        assert_eq!(refusal["rule"], "R-SUBMIT-1", "{refusal}");
        assert!(record(&api, &id).await["record"]["milestones"]["report_submitted"].is_null());

        let (receiver, endpoint) = serve_http(Behaviour::Accept).await;
        let before = Utc::now() - Duration::seconds(1);
        let worker = worker(&api, dir.path(), &endpoint, Duration::minutes(10));
        assert_eq!(worker.round().await.expect("a round"), 1);
        assert_eq!(receiver.keys(), vec![key.clone()]);
        assert_eq!(receiver.bodies()[0]["payload"]["record"], id.as_str());

        let sent = &submissions_of(&api, Persona::CsoDelegate, &id).await[0];
        assert_eq!(sent["status"], "accepted", "{sent}");
        assert!(
            sent["reference"]
                .as_str()
                .is_some_and(|r| r.starts_with("CIMS-"))
        );
        let sent_at = time(&sent["sent_at"]);
        assert!(sent_at >= before && sent_at <= Utc::now(), "{sent_at}");
        let view = record(&api, &id).await;
        assert_eq!(
            time(&view["record"]["milestones"]["report_submitted"]),
            sent_at
        );
        let deadline = view["deadlines"]
            .as_array()
            .expect("deadlines")
            .iter()
            .find(|d| d["id"] == "R-DL-REPORT")
            .expect("the report's deadline")
            .clone();
        // The fixture's incident is older than its deadline: met late, at the sending.
        assert!(
            ["met", "met_late"].contains(&deadline["status"].as_str().unwrap_or_default()),
            "{deadline}"
        );
        assert_eq!(time(&deadline["at"]), sent_at, "met when it was sent");
        let history = api
            .get(Persona::CsoDelegate, &format!("/v1/records/{id}/history"))
            .await
            .expect(200, "history");
        let accepted: Vec<&Value> = history["events"]
            .as_array()
            .expect("events")
            .iter()
            .filter(|e| e["change"]["event"] == "submission_accepted")
            .collect();
        assert_eq!(accepted.len(), 1, "{history}");
        assert_eq!(accepted[0]["by"], "cims");
        // Nothing is sent twice.
        assert_eq!(worker.round().await.expect("a round"), 0);
        assert_eq!(receiver.keys().len(), 1);
        // The submission and its answer are in the audit log.
        let audit = api
            .server
            .store
            .audit_entries(50)
            .await
            .expect("the audit log");
        for action in ["submission_queued", "submission_accepted"] {
            assert!(
                audit.iter().any(|e| e.action == action
                    && e.record_id.as_deref() == Some(id.as_str())
                    && e.detail.to_string().contains(&key)),
                "{action} in {audit:?}"
            );
        }
    })
    .await;
}

#[tokio::test]
async fn a_rejection_returns_the_record_with_its_reasons_and_is_sent_again_on_request_r_submit_1() {
    support::for_each_db(|url| async move {
        let (api, dir) = start(&url).await;
        let id = endorsed(&api, "Client fell in the bathroom; seen by the GP.").await;
        let assign = json!({"command": "assign", "user": "bea"});
        let version = api.version(Persona::CsoDelegate, &id).await;
        api.command(Persona::CsoDelegate, &id, version, &assign)
            .await
            .expect(200, "assigned to a colleague");
        let (receiver, endpoint) = serve_http(Behaviour::Reject).await;
        let worker = worker(&api, dir.path(), &endpoint, Duration::minutes(10));
        worker.round().await.expect("a round");
        let rejected = submissions_of(&api, Persona::CsoDelegate, &id).await[0].clone();
        assert_eq!(rejected["status"], "rejected", "{rejected}");
        assert_eq!(
            rejected["reasons"],
            json!(["date of birth is missing", "impact not given"])
        );
        let view = record(&api, &id).await;
        assert_eq!(
            view["record"]["assignee"], "carol",
            "back to the delegate who endorsed it"
        );
        assert!(view["record"]["milestones"]["report_submitted"].is_null());

        let first = rejected["id"].as_i64().expect("an id");
        let again = retry(&api, first, 200).await;
        assert_eq!(again["replaces"], first);
        assert_eq!(again["status"], "queued");
        assert_ne!(again["idempotency_key"], rejected["idempotency_key"]);
        retry(&api, first, 409).await;

        receiver.set(Behaviour::Accept);
        worker.round().await.expect("a round");
        let second = api
            .get(
                Persona::CsoDelegate,
                &format!("/v1/submissions/{}", again["id"]),
            )
            .await
            .expect(200, "the second");
        assert_eq!(second["status"], "accepted");
        assert_eq!(
            time(&record(&api, &id).await["record"]["milestones"]["report_submitted"]),
            time(&second["sent_at"])
        );
    })
    .await;
}

#[tokio::test]
async fn a_failure_is_tried_again_later_with_the_same_key_r_submit_1() {
    support::for_each_db(|url| async move {
        let (api, dir) = start(&url).await;
        let id = endorsed(&api, "Client fell in the bathroom; seen by the GP.").await;
        let (receiver, endpoint) = serve_http(Behaviour::Status(503)).await;
        let worker = worker(&api, dir.path(), &endpoint, Duration::minutes(10));
        worker.round().await.expect("a round");
        let failing = submissions_of(&api, Persona::CsoDelegate, &id).await[0].clone();
        assert_eq!(failing["status"], "failing", "{failing}");
        assert_eq!(failing["attempts"], 1);
        assert!(
            failing["last_error"]
                .as_str()
                .is_some_and(|e| e.contains("503")),
            "{failing}"
        );
        assert!(time(&failing["next_try_at"]) > Utc::now() + Duration::seconds(20));
        // Not due yet: nothing is sent.
        assert_eq!(worker.round().await.expect("a round"), 0);
        // The queue finds it, for those who may see the record's submissions.
        let queue = |persona: Persona| {
            let api = &api;
            async move {
                let page = api
                    .get(persona, "/v1/queue?q=submission%3Afailing")
                    .await
                    .expect(200, "the queue");
                page["rows"]
                    .as_array()
                    .expect("rows")
                    .iter()
                    .filter_map(|r| r["id"].as_str().map(str::to_string))
                    .collect::<Vec<_>>()
            }
        };
        assert_eq!(queue(Persona::CsoDelegate).await, vec![id.clone()]);
        assert_eq!(queue(Persona::Practitioner).await, vec![id.clone()]);
        // The regulator reads the record, but not its identifying details: its
        // submissions do not show, even as a filter's answer (R-PRIV-8).
        let all = api
            .get(Persona::Regulator, "/v1/queue")
            .await
            .expect(200, "the regulator's queue");
        assert!(
            all.to_string().contains(&id),
            "the regulator reads the record"
        );
        assert!(queue(Persona::Regulator).await.is_empty());
        api.get(Persona::CsoDelegate, "/v1/queue?q=submission%3Alost")
            .await
            .expect(400, "an unknown state");

        receiver.set(Behaviour::Accept);
        let id_of = failing["id"].as_i64().expect("an id");
        retry(&api, id_of, 200).await;
        worker.round().await.expect("a round");
        let accepted = submissions_of(&api, Persona::CsoDelegate, &id).await[0].clone();
        assert_eq!(accepted["status"], "accepted");
        assert_eq!(accepted["attempts"], 2);
        let keys = receiver.keys();
        assert_eq!(keys.len(), 2);
        assert_eq!(keys[0], keys[1], "the same key both times");
    })
    .await;
}

#[tokio::test]
async fn a_worker_lost_between_sending_and_recording_is_followed_by_one_sending_the_same_key_r_submit_1()
 {
    support::for_each_db(|url| async move {
        let (api, dir) = start(&url).await;
        let id = endorsed(&api, "Client fell in the bathroom; seen by the GP.").await;
        let (receiver, endpoint) = serve_http(Behaviour::OncePerKey).await;
        // The first worker leases and sends, then is gone before it records the answer.
        let store = &api.server.store;
        let leased = store
            .lease_submissions("lost", Utc::now(), Duration::seconds(3), 10)
            .await
            .expect("leased");
        assert_eq!(leased.len(), 1);
        let transport = https_transport(dir.path(), &endpoint, "");
        let lost = &leased[0];
        let first_sent = Utc::now();
        transport
            .send(&Outgoing {
                key: &lost.idempotency_key,
                recipient: lost.recipient,
                kind: lost.kind,
                payload: &lost.payload,
            })
            .await
            .expect("received");
        let next = worker(&api, dir.path(), &endpoint, Duration::minutes(10));
        // Still leased: the next worker leaves it alone.
        assert_eq!(next.round().await.expect("a round"), 0);
        // Times are kept to the second: past the lease by more than one.
        tokio::time::sleep(std::time::Duration::from_millis(4100)).await;
        assert_eq!(next.round().await.expect("a round"), 1);
        let accepted = submissions_of(&api, Persona::CsoDelegate, &id).await[0].clone();
        assert_eq!(accepted["status"], "accepted", "{accepted}");
        assert_eq!(
            accepted["reference"], "CIMS-000001",
            "the first answer's reference"
        );
        let keys: BTreeSet<String> = receiver.keys().into_iter().collect();
        assert_eq!(receiver.keys().len(), 2);
        assert_eq!(keys.len(), 1, "sent twice, always with the same key");
        // The deadline shows the true submission time: the first copy's receipt, given
        // back with the duplicate's answer, not the resend four seconds later.
        let submitted = time(&record(&api, &id).await["record"]["milestones"]["report_submitted"]);
        assert!(
            (submitted - first_sent.trunc_subsecs(0))
                .num_seconds()
                .abs()
                <= 1,
            "{submitted} is the first receipt ({first_sent})"
        );
        assert_eq!(time(&accepted["sent_at"]), submitted);
    })
    .await;
}

#[tokio::test]
async fn two_replicas_on_one_database_never_send_one_submission_twice_r_submit_1() {
    support::for_each_db(|url| async move {
        let (api, dir) = start(&url).await;
        let mut ids = Vec::new();
        for n in 0..8 {
            ids.push(endorsed(&api, &format!("Client fell, visit {n}.")).await);
        }
        let (receiver, endpoint) = serve_http(Behaviour::Accept).await;
        // Two servers' workers, each with its own connections to the database, leasing one
        // submission at a time so that they take turns.
        let replica = |store: cims::store::Store| {
            Worker::new(
                store,
                Arc::new(PolicySet::embedded().expect("policy")),
                BTreeMap::from([(
                    Recipient::Department,
                    https_transport(dir.path(), &endpoint, "timeout_seconds = 2"),
                )]),
                Pace {
                    batch: 1,
                    ..Pace::default()
                },
            )
        };
        let other = cims::store::Store::open(&url)
            .await
            .expect("a second server's store");
        let first = replica(api.server.store.clone());
        let second = replica(other.clone());
        let mut leased = (0, 0);
        for _ in 0..8 {
            let (a, b) = tokio::join!(first.round(), second.round());
            leased.0 += a.expect("a round");
            leased.1 += b.expect("a round");
        }
        let keys = receiver.keys();
        let distinct: BTreeSet<&String> = keys.iter().collect();
        assert_eq!(keys.len(), 8, "{keys:?}");
        assert_eq!(distinct.len(), 8, "{keys:?}");
        assert_eq!(leased.0 + leased.1, 8);
        assert!(
            leased.0 > 0 && leased.1 > 0,
            "both replicas delivered: {leased:?}"
        );
        other.close().await;
        for id in &ids {
            assert_eq!(
                submissions_of(&api, Persona::CsoDelegate, id).await[0]["status"],
                "accepted"
            );
        }
    })
    .await;
}

#[tokio::test]
async fn the_report_sent_to_the_department_never_carries_a_reporter_identity_r_submit_2() {
    support::for_each_db(|url| async move {
        let (api, _dir) = start(&url).await;
        let mut intake = fixtures::intake();
        intake.reporter.name = "Philippa Quornby".into();
        api.create_intake(Persona::Practitioner, &intake).await;
        let id = endorsed(
            &api,
            "Philippa Quornby rang the house after the fall; the client was seen by the GP.",
        )
        .await;
        let submission = &submissions_of(&api, Persona::Practitioner, &id).await[0];
        let payload = submission["payload"].to_string();
        assert!(!payload.contains("Quornby"), "{payload}");
        assert!(
            submission["payload"]["incident"]["description"]
                .as_str()
                .is_some_and(|d| d.contains("the client was seen by the GP")),
            "{payload}"
        );
        assert!(payload.contains(&fixtures::incident().clients[0].name));
    })
    .await;
}

#[tokio::test]
async fn submissions_are_seen_only_where_the_record_s_identifying_details_are_r_priv_8() {
    support::for_each_db(|url| async move {
        let (api, _dir) = start(&url).await;
        let id = endorsed(&api, "Client fell in the bathroom; seen by the GP.").await;
        let number = submissions_of(&api, Persona::CsoDelegate, &id).await[0]["id"]
            .as_i64()
            .expect("an id");
        assert_eq!(
            submissions_of(&api, Persona::Practitioner, &id).await.len(),
            1
        );
        for persona in [Persona::Regulator] {
            assert!(submissions_of(&api, persona, &id).await.is_empty());
            let listed = api
                .get(persona, "/v1/submissions")
                .await
                .expect(200, "the list");
            assert_eq!(listed["submissions"], json!([]));
            let absent = api
                .get(persona, "/v1/submissions/999999")
                .await
                .expect(404, "none");
            let hidden = api
                .get(persona, &format!("/v1/submissions/{number}"))
                .await
                .expect(404, "hidden");
            assert_eq!(
                hidden["message"]
                    .as_str()
                    .map(|m| m.replace(&number.to_string(), "N")),
                absent["message"].as_str().map(|m| m.replace("999999", "N"))
            );
        }
        api.get(Persona::Admin, "/v1/submissions")
            .await
            .expect(403, "an admin sees no client data");
    })
    .await;
}

#[tokio::test]
async fn a_submission_made_outside_cims_is_recorded_with_when_and_why_r_submit_1() {
    support::for_each_db(|url| async move {
        let (api, dir) = start(&url).await;
        let id = endorsed(&api, "Client fell in the bathroom; seen by the GP.").await;
        let at = Utc::now() - Duration::minutes(30);
        let version = api.version(Persona::CsoDelegate, &id).await;
        let refusal = api
            .command(
                Persona::CsoDelegate,
                &id,
                version,
                &json!({"command": "submitted_outside", "kind": "incident_report", "at": at, "reason": "  "}),
            )
            .await
            .expect(422, "no reason");
        assert_eq!(refusal["rule"], "R-SUBMIT-1");
        let view = api
            .command(
                Persona::CsoDelegate,
                &id,
                version,
                &json!({"command": "submitted_outside", "kind": "incident_report", "at": at,
                        "reason": "Entered in the department's portal during the outage."}),
            )
            .await
            .expect(200, "recorded");
        assert_eq!(
            time(&view["record"]["milestones"]["report_submitted"]).timestamp(),
            at.timestamp()
        );
        // What was queued is not sent as well.
        let withdrawn = &submissions_of(&api, Persona::CsoDelegate, &id).await[0];
        assert_eq!(withdrawn["status"], "withdrawn", "{withdrawn}");
        let (receiver, endpoint) = serve_http(Behaviour::Accept).await;
        let worker = worker(&api, dir.path(), &endpoint, Duration::minutes(10));
        assert_eq!(worker.round().await.expect("a round"), 0);
        assert!(receiver.keys().is_empty());
    })
    .await;
}

#[tokio::test]
async fn the_demo_writes_each_submission_to_a_folder_and_reads_its_recipient_s_receipt_r_submit_1()
{
    support::for_each_db(|url| async move {
        let (api, dir) = start(&url).await;
        let id = endorsed(&api, "Client fell in the bathroom; seen by the GP.").await;
        let transports = cims::submit::transport::SubmissionsConfig::embedded_default(dir.path())
            .build(dir.path())
            .expect("folders");
        let worker = Worker::new(
            api.server.store.clone(),
            Arc::new(PolicySet::embedded().expect("policy")),
            transports,
            Pace {
                receipt_look: Duration::seconds(0),
                ..Pace::default()
            },
        );
        worker.round().await.expect("a round");
        let awaiting = submissions_of(&api, Persona::CsoDelegate, &id).await[0].clone();
        assert_eq!(awaiting["status"], "awaiting", "{awaiting}");
        let key = awaiting["idempotency_key"].as_str().expect("a key");
        let folder = cims::demo::receipts::folder(dir.path(), Recipient::Department);
        let written: Value = serde_json::from_str(
            &std::fs::read_to_string(folder.join(format!("{key}.json"))).expect("the file"),
        )
        .expect("JSON");
        assert_eq!(written["payload"]["record"], id.as_str());

        let (stop, stopped) = tokio::sync::watch::channel(false);
        let recipient = tokio::spawn(cims::demo::receipts::simulate(
            dir.path().to_path_buf(),
            std::time::Duration::from_millis(50),
            stopped,
        ));
        let mut answered = Value::Null;
        for _ in 0..100 {
            worker.round().await.expect("a round");
            answered = submissions_of(&api, Persona::CsoDelegate, &id).await[0].clone();
            if answered["status"] != "awaiting" {
                break;
            }
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        }
        let _ = stop.send(true);
        recipient.await.expect("the recipient stops");
        let sent_at = time(&awaiting["sent_at"]);
        match answered["status"].as_str() {
            Some("accepted") => assert_eq!(
                time(&record(&api, &id).await["record"]["milestones"]["report_submitted"]),
                sent_at,
                "met when the file was written"
            ),
            Some("rejected") => assert!(
                answered["reasons"]
                    .as_array()
                    .is_some_and(|r| !r.is_empty())
            ),
            _ => panic!("no answer: {answered}"),
        }
    })
    .await;
}

#[tokio::test]
async fn a_withdrawn_endorsement_withdraws_its_unsent_report_and_the_new_one_is_sent_r_lock_1() {
    support::for_each_db(|url| async move {
        let (api, dir) = start(&url).await;
        let id = endorsed(&api, "Client fell in the bathroom; seen by the GP.").await;
        let first = submissions_of(&api, Persona::CsoDelegate, &id).await[0].clone();
        assert_eq!(first["status"], "queued");
        let version = api.version(Persona::CsoDelegate, &id).await;
        api.command(
            Persona::CsoDelegate,
            &id,
            version,
            &json!({"command": "withdraw_endorsement", "item": "endorsed", "reason": "The time of the fall was wrong."}),
        )
        .await
        .expect(200, "withdraw the endorsement");
        // A report no longer endorsed is never sent.
        let withdrawn = submissions_of(&api, Persona::CsoDelegate, &id).await;
        assert_eq!(withdrawn.len(), 1);
        assert_eq!(withdrawn[0]["status"], "withdrawn", "{withdrawn:?}");
        let audit = api.server.store.audit_entries(50).await.expect("audit");
        assert!(
            audit.iter().any(|e| e.action == "submission_withdrawn"
                && e.actor == "carol"
                && e.detail["key"] == first["idempotency_key"]),
            "{audit:?}"
        );
        // Endorsed again: the report as it now stands is queued, under a new key, and it
        // alone is sent.
        let version = api.version(Persona::CsoDelegate, &id).await;
        api.command(Persona::CsoDelegate, &id, version, &json!({"command": "endorse"}))
            .await
            .expect(200, "endorse again");
        let now = submissions_of(&api, Persona::CsoDelegate, &id).await;
        assert_eq!(now.len(), 2, "{now:?}");
        let second = now
            .iter()
            .find(|s| s["status"] == "queued")
            .expect("the new report queued")
            .clone();
        assert_ne!(second["idempotency_key"], first["idempotency_key"]);
        let (receiver, endpoint) = serve_http(Behaviour::Accept).await;
        let worker = worker(&api, dir.path(), &endpoint, Duration::minutes(10));
        assert_eq!(worker.round().await.expect("a round"), 1);
        assert_eq!(
            receiver.keys(),
            vec![second["idempotency_key"].as_str().expect("a key").to_string()]
        );
    })
    .await;
}
