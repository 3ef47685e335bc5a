//! R-PRIV-9 (and its principle R-PRIV-8) through the API: what is derived from a field (a
//! checklist item, a deadline, a milestone, a refusal) carries that field's class. Each
//! specification builds two records that differ only in a value one caller may not see
//! (a client's Aboriginal status, whether the reporter is a professional), runs the same
//! commands on both, and checks that this caller gets the same answers about both, with the
//! derived items withheld by an explicit marker, while a protective intervener sees the
//! real thing.

use std::collections::BTreeSet;

use chrono::{Duration, Utc};
use cims::domain::commands::Command;
use cims::domain::model::{
    AboriginalStatus, Circumstance, Classification, Consequence, Details, Incident, Intake,
    Probability, RecordKind,
};
use reqwest::Method;
use serde_json::{Value, json};

use super::harness::{Api, Persona, Response};
use crate::{fixtures, support};

// ------------------------------------------------------------------ talking to the server

async fn get(api: &Api, token: &str, path: &str) -> Value {
    api.request(Method::GET, path, Some(token), None, &[])
        .await
        .expect(200, path)
}

/// A command at the version the caller reads.
async fn send(api: &Api, token: &str, id: &str, command: &Command) -> Response {
    let version = get(api, token, &format!("/v1/records/{id}")).await["version"]
        .as_u64()
        .expect("a record view has a version");
    let body = serde_json::to_value(command).expect("a command is JSON");
    api.request(
        Method::POST,
        &format!("/v1/records/{id}/commands"),
        Some(token),
        Some(&body),
        &[("if-match", &format!("\"{version}\""))],
    )
    .await
}

async fn done(api: &Api, token: &str, id: &str, command: Command) {
    send(api, token, id, &command)
        .await
        .expect(200, &format!("{command:?} on {id}"));
}

/// The incident report, sent to the department by its own portal (R-SUBMIT-1).
fn submitted_outside() -> Command {
    Command::SubmittedOutside {
        kind: cims::domain::submissions::SubmissionKind::IncidentReport,
        at: chrono::Utc::now(),
        reason: "Sent through the department's portal while the link was down.".into(),
    }
}

fn tick(item: &str) -> Command {
    Command::Tick {
        item: item.to_string(),
    }
}

// ------------------------------------------------------------------ comparing answers

/// `value` with what differs between two records by construction taken out: their ids,
/// the moments the server stamped, the event sequence numbers and the seconds a deadline
/// has left, which move while the test runs.
fn normalised(value: &Value, ids: &[&str]) -> Value {
    match value {
        Value::String(text) if chrono::DateTime::parse_from_rfc3339(text).is_ok() => {
            json!("<time>")
        }
        Value::String(text) => {
            json!(
                ids.iter()
                    .fold(text.clone(), |text, id| text.replace(id, "<id>"))
            )
        }
        Value::Array(items) => Value::Array(items.iter().map(|v| normalised(v, ids)).collect()),
        Value::Object(map) => Value::Object(
            map.iter()
                .map(|(key, v)| {
                    let v = match key.as_str() {
                        "seq" | "remaining_secs" | "late_secs" => json!(0),
                        _ => normalised(v, ids),
                    };
                    (key.clone(), v)
                })
                .collect(),
        ),
        other => other.clone(),
    }
}

/// Everything the caller reads about a record: the view (record, deadlines, checklist)
/// and the history.
async fn answers(api: &Api, token: &str, id: &str) -> Value {
    let view = get(api, token, &format!("/v1/records/{id}")).await;
    let history = get(api, token, &format!("/v1/records/{id}/history")).await;
    normalised(&json!({ "view": view, "history": history }), &[id])
}

/// Where two values first differ, as a path and the two values there.
fn difference(a: &Value, b: &Value, path: &str) -> Option<String> {
    match (a, b) {
        (Value::Object(x), Value::Object(y)) => {
            let keys: BTreeSet<&String> = x.keys().chain(y.keys()).collect();
            keys.into_iter().find_map(|k| {
                difference(
                    x.get(k).unwrap_or(&Value::Null),
                    y.get(k).unwrap_or(&Value::Null),
                    &format!("{path}.{k}"),
                )
            })
        }
        (Value::Array(x), Value::Array(y)) if x.len() == y.len() => x
            .iter()
            .zip(y)
            .enumerate()
            .find_map(|(i, (x, y))| difference(x, y, &format!("{path}[{i}]"))),
        _ if a == b => None,
        _ => Some(format!("{path}: {a} | {b}")),
    }
}

fn assert_alike(a: &Value, b: &Value, what: &str) {
    if let Some(difference) = difference(a, b, "") {
        panic!("{what}: they differ at {difference}");
    }
}

async fn assert_same_answers(api: &Api, token: &str, a: &str, b: &str, who: &str) {
    assert_alike(
        &answers(api, token, a).await,
        &answers(api, token, b).await,
        &format!("{who} reads {a} and {b} alike"),
    );
}

/// A command's answer on each record: the same status and body, ids aside.
async fn assert_same_refusal(api: &Api, token: &str, a: &str, b: &str, command: &Command) -> Value {
    let on_a = send(api, token, a, command).await;
    let on_b = send(api, token, b, command).await;
    assert_alike(
        &json!([on_a.status.as_u16(), normalised(&on_a.json(), &[a])]),
        &json!([on_b.status.as_u16(), normalised(&on_b.json(), &[b])]),
        &format!("{command:?} is answered alike on {a} and {b}"),
    );
    assert!(
        on_a.status.is_client_error(),
        "{command:?} is refused: {}",
        on_a.body
    );
    on_a.json()
}

fn marker(class: &str) -> Value {
    json!({ "masked": class })
}

fn line<'a>(view: &'a Value, item: &str) -> Option<&'a Value> {
    view["checklist"]
        .as_array()
        .expect("a checklist")
        .iter()
        .find(|line| line["id"] == item)
}

fn deadline<'a>(view: &'a Value, id: &str) -> Option<&'a Value> {
    view["deadlines"]
        .as_array()
        .expect("deadlines")
        .iter()
        .find(|d| d["id"] == id)
}

/// The changes of a history, in order.
fn changes(history: &Value) -> Vec<Value> {
    history["events"]
        .as_array()
        .expect("events")
        .iter()
        .map(|e| e["change"].clone())
        .collect()
}

fn item_text(kind: RecordKind, id: &str) -> String {
    fixtures::current()
        .item(kind, id)
        .unwrap_or_else(|| panic!("the policy has item {id}"))
        .text
        .clone()
}

// ------------------------------------------------------------------ an Aboriginal client

/// Anglicare's incident about a client of this status, critical notifiable (so the
/// regulator reads it), in the investigation stage.
fn incident_of(status: AboriginalStatus) -> Incident {
    let mut incident = fixtures::incident();
    incident.clients[0].aboriginal_status = status;
    incident
        .circumstances
        .insert(Circumstance::HospitalTreatment);
    incident
}

async fn incident_in_investigation(api: &Api, status: AboriginalStatus) -> String {
    let carol = api.token(Persona::CsoDelegate);
    let id = api
        .create_incident(Persona::CsoDelegate, &incident_of(status))
        .await;
    for item in fixtures::INCIDENT_STAGE_1 {
        done(api, carol, &id, tick(item)).await;
    }
    done(api, carol, &id, Command::AdvanceStage).await;
    for item in [
        "classified",
        "report_written",
        "ssr_notified",
        "police_notified",
    ] {
        done(api, carol, &id, tick(item)).await;
    }
    done(api, carol, &id, Command::Endorse).await;
    done(api, carol, &id, submitted_outside()).await;
    done(api, carol, &id, Command::AdvanceStage).await;
    id
}

#[tokio::test]
async fn r_priv_9_checklist_and_history_withhold_cultural_items_from_a_reader_who_may_not_see_them()
{
    support::for_each_db(|url| async move {
        let api = Api::start(&url).await;
        let carol = api.token(Persona::CsoDelegate);
        // Both clients were recorded as Aboriginal when the ACSASS plan was ticked; then
        // one record was corrected to say the client is not.
        let a = incident_in_investigation(&api, AboriginalStatus::Aboriginal).await;
        let b = incident_in_investigation(&api, AboriginalStatus::Aboriginal).await;
        for id in [&a, &b] {
            done(&api, carol, id, tick("acsass_plan")).await;
        }
        // R-LOCK-1: the endorsed report covered the client's status.
        for id in [&a, &b] {
            let withdraw = Command::WithdrawEndorsement {
                item: "endorsed".into(),
                reason: "the client's status is being corrected".into(),
            };
            done(&api, carol, id, withdraw).await;
        }
        let update = |status| Command::UpdateIncident {
            incident: incident_of(status),
            correction: None,
        };
        done(
            &api,
            carol,
            &a,
            update(AboriginalStatus::TorresStraitIslander),
        )
        .await;
        done(&api, carol, &b, update(AboriginalStatus::NotAboriginal)).await;

        let rex = api.token(Persona::Regulator);
        assert_same_answers(&api, rex, &a, &b, "the regulator").await;
        let view = get(&api, rex, &format!("/v1/records/{a}")).await;
        for item in ["acsass_plan", "cultural_safety"] {
            let withheld = line(&view, item)
                .unwrap_or_else(|| panic!("{item} is shown as withheld: {}", view["checklist"]));
            assert_eq!(withheld["state"], "withheld", "{withheld}");
            assert_eq!(withheld["masked"], "cultural", "{withheld}");
            assert_eq!(withheld["may_tick"], false, "{withheld}");
            assert_eq!(view["record"]["checklist"][item], marker("cultural"));
        }
        assert_eq!(
            line(&view, "investigation_plan").map(|l| l["state"].clone()),
            Some(json!("open")),
            "items that reveal nothing are shown: {}",
            view["checklist"]
        );
        let history = get(&api, rex, &format!("/v1/records/{a}/history")).await;
        assert!(
            changes(&history).contains(&marker("cultural")),
            "the ACSASS tick is withheld from the history: {history}"
        );
        assert!(
            !history.to_string().contains("acsass_plan"),
            "no event names the item: {history}"
        );

        // A protective intervener sees which items apply and what was done.
        let alice = api.token(Persona::Practitioner);
        let view_a = get(&api, alice, &format!("/v1/records/{a}")).await;
        let view_b = get(&api, alice, &format!("/v1/records/{b}")).await;
        assert_eq!(
            line(&view_a, "acsass_plan").map(|l| l["state"].clone()),
            Some(json!("done"))
        );
        assert_eq!(
            line(&view_a, "cultural_safety").map(|l| l["state"].clone()),
            Some(json!("open"))
        );
        assert_eq!(
            line(&view_b, "acsass_plan"),
            None,
            "{}",
            view_b["checklist"]
        );
        assert_eq!(
            view_b["record"]["checklist"]["acsass_plan"]["state"],
            "done"
        );
        let history = get(&api, alice, &format!("/v1/records/{a}/history")).await;
        assert!(
            changes(&history).contains(&json!({ "event": "item_ticked", "item": "acsass_plan" })),
            "{history}"
        );
        api.stop().await;
    })
    .await;
}

#[tokio::test]
async fn r_priv_9_tick_waive_and_advance_are_refused_alike_whether_or_not_a_cultural_item_applies()
{
    support::for_each_db(|url| async move {
        let api = Api::start(&url).await;
        let a = incident_in_investigation(&api, AboriginalStatus::Aboriginal).await;
        let b = incident_in_investigation(&api, AboriginalStatus::NotAboriginal).await;

        let ike = api.token(Persona::Investigator).to_string();
        assert_same_answers(&api, &ike, &a, &b, "the department investigator").await;
        for item in ["acsass_plan", "cultural_safety"] {
            let refusal = assert_same_refusal(&api, &ike, &a, &b, &tick(item)).await;
            // R-AUTH-CSO changed this: the department does not tick a CSO's items at
            // all, which is refused before anything reads the client.
            assert_eq!(refusal["rule"], "R-AUTH-CSO", "{refusal}");
            assert_same_refusal(
                &api,
                &ike,
                &a,
                &b,
                &Command::Waive {
                    item: item.to_string(),
                    reason: "not needed".to_string(),
                },
            )
            .await;
            assert_same_refusal(
                &api,
                &ike,
                &a,
                &b,
                &Command::Untick {
                    item: item.to_string(),
                },
            )
            .await;
        }
        let refusal = assert_same_refusal(&api, &ike, &a, &b, &Command::AdvanceStage).await;
        let acsass = item_text(RecordKind::Incident, "acsass_plan");
        assert!(
            !refusal["message"]
                .as_str()
                .is_some_and(|m| m.contains(&acsass)),
            "{refusal}"
        );
        assert_same_answers(&api, &ike, &a, &b, "the department investigator, after").await;

        // The owner, who may see the client, is told what applies and what is missing.
        let owner = api.token(Persona::CsoDelegate);
        let refusal = send(&api, owner, &b, &tick("acsass_plan"))
            .await
            .expect(422, "the practitioner ticks an item that does not apply");
        assert!(
            refusal["message"]
                .as_str()
                .is_some_and(|m| m.contains("does not apply to this record")),
            "{refusal}"
        );
        let missing = |body: Value| body["message"].as_str().unwrap_or_default().to_string();
        let on_a = missing(
            send(&api, owner, &a, &Command::AdvanceStage)
                .await
                .expect(422, "advance with items missing"),
        );
        let on_b = missing(
            send(&api, owner, &b, &Command::AdvanceStage)
                .await
                .expect(422, "advance with items missing"),
        );
        assert!(on_a.contains(&acsass), "{on_a}");
        assert!(!on_b.contains(&acsass), "{on_b}");
        api.stop().await;
    })
    .await;
}

// ------------------------------------------------------------------ a professional reporter

/// The department's report from a reporter who is or is not a professional, assigned to
/// Anglicare's delegate, who may see the children but not the reporter (R-PRIV-1).
async fn intake_for_carol(api: &Api, intake: &Intake) -> String {
    api.create(
        Persona::Practitioner,
        &json!({ "details": Details::Intake(intake.clone()), "assignee": Persona::CsoDelegate.user() }),
    )
    .await
    .expect(201, "the department registers the report")["record"]["id"]
        .as_str()
        .expect("id")
        .to_string()
}

fn reported_by(professional: bool) -> Intake {
    let mut intake = fixtures::intake();
    intake.reporter.professional = professional;
    intake
}

/// Child wellbeing, with the risk assessment that calls for no rationale.
fn classify_wellbeing() -> Command {
    Command::ClassifyIntake {
        classifications: BTreeSet::from([Classification::ChildWellbeing]),
        urgency: None,
        rationale: None,
        consequence: Some(Consequence::Concerning),
        probability: Some(Probability::Unlikely),
    }
}

/// Reports received an hour ago, from a professional reporter or not in turn, assigned to
/// Carol, the team manager consulted and classified: the feedback deadline (2 days after
/// classification) is the only one left where it applies.
async fn classified_reports(api: &Api, professional: [bool; 2]) -> Vec<String> {
    let alice = api.token(Persona::Practitioner);
    let mut ids = Vec::new();
    for professional in professional {
        let mut intake = reported_by(professional);
        intake.received_at = Utc::now() - Duration::hours(1);
        let id = intake_for_carol(api, &intake).await;
        done(api, alice, &id, tick("team_manager_consulted")).await;
        done(api, alice, &id, classify_wellbeing()).await;
        ids.push(id);
    }
    ids
}

#[tokio::test]
async fn r_priv_9_the_feedback_deadline_is_withheld_from_a_reader_who_may_not_see_the_reporter() {
    support::for_each_db(|url| async move {
        let api = Api::start(&url).await;
        let alice = api.token(Persona::Practitioner);
        // Received an hour ago: the feedback deadline (2 days after classification) is the
        // first one due once the team manager has been consulted.
        let ids = classified_reports(&api, [true, false]).await;
        let [a, b] = [&ids[0], &ids[1]];

        let carol = api.token(Persona::CsoDelegate);
        assert_same_answers(&api, carol, a, b, "Anglicare's delegate").await;
        let view = get(&api, carol, &format!("/v1/records/{a}")).await;
        let withheld = deadline(&view, "R-INT-DL-FB")
            .unwrap_or_else(|| panic!("the deadline is shown as withheld: {}", view["deadlines"]));
        assert_eq!(withheld["status"], "withheld", "{withheld}");
        assert_eq!(withheld["masked"], "protected", "{withheld}");
        assert!(withheld.get("due").is_none(), "{withheld}");
        assert_eq!(
            view["record"]["milestones"]["feedback_given"],
            marker("protected")
        );
        assert_eq!(
            view["record"]["checklist"]["feedback_given"],
            marker("protected")
        );

        let rows = get(&api, carol, "/v1/queue?limit=500").await;
        let row = |id: &str| {
            rows["rows"]
                .as_array()
                .expect("rows")
                .iter()
                .find(|r| r["id"] == id)
                .map(|r| normalised(r, &[id]))
                .unwrap_or_else(|| panic!("{id} is in Anglicare's delegate's queue: {rows}"))
        };
        assert_alike(&row(a), &row(b), "the queue rows");
        assert_eq!(row(a)["next_due"], Value::Null, "{}", row(a));

        // A protective intervener sees the deadline where it applies.
        let view_a = get(&api, alice, &format!("/v1/records/{a}")).await;
        let view_b = get(&api, alice, &format!("/v1/records/{b}")).await;
        assert_eq!(
            deadline(&view_a, "R-INT-DL-FB").map(|d| d["status"].clone()),
            Some(json!("pending")),
            "{}",
            view_a["deadlines"]
        );
        assert_eq!(deadline(&view_b, "R-INT-DL-FB"), None);
        api.stop().await;
    })
    .await;
}

#[tokio::test]
async fn r_priv_9_a_withheld_deadline_neither_sorts_nor_filters_nor_counts_a_reader_s_queue() {
    support::for_each_db(|url| async move {
        let api = Api::start(&url).await;
        let alice = api.token(Persona::Practitioner);
        // The report without a professional reporter first: sorted by due time, only the
        // feedback deadline (2 days from now) could put the other one before it.
        let ids = classified_reports(&api, [false, true]).await;
        let ids_of = |page: &Value| -> Vec<String> {
            page["rows"]
                .as_array()
                .expect("rows")
                .iter()
                .filter_map(|r| r["id"].as_str().map(String::from))
                .filter(|id| ids.contains(id))
                .collect()
        };

        let carol = api.token(Persona::CsoDelegate);
        assert_eq!(
            ids_of(&get(&api, carol, "/v1/queue?sort=due&limit=500").await),
            ids,
            "sorted by due time, the two reports stand in the order of their ids"
        );
        for filter in ["due:<3d", "due:at_risk", "overdue", "outcome:overdue"] {
            let q = super::harness::encode(filter);
            let page = get(&api, carol, &format!("/v1/queue?q={q}&limit=500")).await;
            assert!(ids_of(&page).is_empty(), "{filter} finds neither: {page}");
            let count = get(&api, carol, &format!("/v1/queue/count?q={q}")).await;
            assert_eq!(count["count"], 0, "{filter}: {count}");
        }
        let met = get(&api, carol, "/v1/queue?q=outcome%3Amet&limit=500").await;
        assert_eq!(
            ids_of(&met).len(),
            2,
            "both are on time as far as Carol may see: {met}"
        );

        // A protective intervener is sorted and filtered on every deadline.
        let page = get(&api, alice, "/v1/queue?q=due%3A%3C3d&limit=500").await;
        assert_eq!(ids_of(&page), vec![ids[1].clone()], "{page}");
        let sorted = ids_of(&get(&api, alice, "/v1/queue?sort=due&limit=500").await);
        assert_eq!(sorted, vec![ids[1].clone(), ids[0].clone()]);
        api.stop().await;
    })
    .await;
}

/// Tick every required item of the report's stages up to the conclusion, classify it as
/// child wellbeing and advance it to the conclude stage.
async fn intake_at_conclusion(api: &Api, professional: bool) -> String {
    let alice = api.token(Persona::Practitioner);
    let id = intake_for_carol(api, &reported_by(professional)).await;
    let stages = [
        fixtures::INTAKE_STAGE_1,
        fixtures::INTAKE_STAGE_2,
        fixtures::INTAKE_STAGE_3,
    ];
    for items in stages {
        for item in items {
            done(api, alice, &id, tick(item)).await;
        }
        if items.contains(&"risk_assessment") {
            done(api, alice, &id, classify_wellbeing()).await;
        }
        done(api, alice, &id, Command::AdvanceStage).await;
    }
    id
}

#[tokio::test]
async fn r_priv_9_feedback_exception_tick_and_advance_are_refused_alike_whether_or_not_the_reporter_is_professional()
 {
    support::for_each_db(|url| async move {
        let api = Api::start(&url).await;
        let a = intake_at_conclusion(&api, true).await;
        let b = intake_at_conclusion(&api, false).await;

        let carol = api.token(Persona::CsoDelegate);
        assert_same_answers(&api, carol, &a, &b, "Anglicare's delegate").await;
        let exception = Command::RecordFeedbackException {
            reason: "the reporter asked for none".to_string(),
        };
        let refusal = assert_same_refusal(&api, carol, &a, &b, &exception).await;
        assert_eq!(refusal["rule"], "R-PRIV-9", "{refusal}");
        assert_same_refusal(&api, carol, &a, &b, &tick("feedback_given")).await;
        let refusal = assert_same_refusal(&api, carol, &a, &b, &Command::AdvanceStage).await;
        let feedback = item_text(RecordKind::Intake, "feedback_given");
        let message = refusal["message"].as_str().unwrap_or_default();
        assert!(!message.contains(&feedback), "{refusal}");
        assert!(
            message.contains(&item_text(RecordKind::Intake, "endorsed")),
            "the items the delegate may see are still named: {refusal}"
        );
        assert_same_answers(&api, carol, &a, &b, "Anglicare's delegate, after").await;

        // A protective intervener is told why.
        let alice = api.token(Persona::Practitioner);
        let refusal = send(&api, alice, &b, &exception)
            .await
            .expect(422, "no exception for a reporter who is not a professional");
        assert_eq!(refusal["rule"], "R-INT-DL-FB", "{refusal}");
        assert!(
            refusal["message"]
                .as_str()
                .is_some_and(|m| m.contains("only to a professional reporter")),
            "{refusal}"
        );
        let on_a = send(&api, alice, &a, &Command::AdvanceStage)
            .await
            .expect(422, "advance with items missing");
        assert!(
            on_a["message"]
                .as_str()
                .is_some_and(|m| m.contains(&feedback)),
            "{on_a}"
        );
        done(&api, alice, &a, exception.clone()).await;
        api.stop().await;
    })
    .await;
}

#[tokio::test]
async fn r_priv_9_history_withholds_the_feedback_item_and_milestone_from_a_reader_who_may_not_see_the_reporter()
 {
    support::for_each_db(|url| async move {
        let api = Api::start(&url).await;
        let alice = api.token(Persona::Practitioner);
        // Both reporters were recorded as professionals when feedback was given; then one
        // record was corrected to say the reporter is not, the other's phone number changed.
        let a = intake_for_carol(&api, &reported_by(true)).await;
        let b = intake_for_carol(&api, &reported_by(true)).await;
        for id in [&a, &b] {
            done(&api, alice, id, tick("feedback_given")).await;
        }
        let mut corrected = reported_by(true);
        corrected.reporter.phone = Some("0400 999 000".to_string());
        done(&api, alice, &a, Command::UpdateIntake { intake: corrected }).await;
        done(
            &api,
            alice,
            &b,
            Command::UpdateIntake {
                intake: reported_by(false),
            },
        )
        .await;

        let carol = api.token(Persona::CsoDelegate);
        assert_same_answers(&api, carol, &a, &b, "Anglicare's delegate").await;
        let view = get(&api, carol, &format!("/v1/records/{a}")).await;
        assert_eq!(
            view["record"]["checklist"]["feedback_given"],
            marker("protected")
        );
        assert_eq!(
            view["record"]["milestones"]["feedback_given"],
            marker("protected")
        );
        let history = get(&api, carol, &format!("/v1/records/{a}/history")).await;
        let withheld = changes(&history)
            .iter()
            .filter(|c| **c == marker("protected"))
            .count();
        assert_eq!(
            withheld, 2,
            "the tick and its milestone are withheld: {history}"
        );
        assert!(
            !history.to_string().contains("feedback_given"),
            "no event names the item or the milestone: {history}"
        );

        let history = get(&api, alice, &format!("/v1/records/{b}/history")).await;
        assert!(
            changes(&history)
                .contains(&json!({ "event": "item_ticked", "item": "feedback_given" })),
            "a protective intervener sees the tick: {history}"
        );
        api.stop().await;
    })
    .await;
}

/// R-ORDER-2: a stage skipped, then made to apply by a re-typing, is shown on the queue
/// row as owed, and the record does not close until it is done.
#[tokio::test]
async fn r_order_2_the_queue_row_shows_an_earlier_stage_owed_again() {
    support::for_each_db(|url| async move {
        let api = Api::start(&url).await;
        let carol = api.token(Persona::CsoDelegate);
        let mut self_harm = fixtures::incident();
        self_harm.primary_type = "self_harm".into();
        self_harm.subject = None;
        self_harm.impact = Some(cims::domain::model::Impact::NonMajor);
        let id = api.create_incident(Persona::CsoDelegate, &self_harm).await;
        for item in fixtures::INCIDENT_STAGE_1 {
            done(&api, carol, &id, tick(item)).await;
        }
        done(&api, carol, &id, Command::AdvanceStage).await;
        for item in ["classified", "report_written"] {
            done(&api, carol, &id, tick(item)).await;
        }
        done(&api, carol, &id, Command::Endorse).await;
        done(&api, carol, &id, submitted_outside()).await;
        done(&api, carol, &id, Command::AdvanceStage).await;
        let row = |page: Value| {
            page["rows"]
                .as_array()
                .expect("rows")
                .iter()
                .find(|r| r["id"] == id.as_str())
                .cloned()
                .expect("the record is on the queue")
        };
        let before = row(get(&api, carol, "/v1/queue?limit=500").await);
        assert_eq!(before["stage"], "analysis_learning");
        assert!(before.get("owed").is_none(), "{before}");

        let withdraw = Command::WithdrawEndorsement {
            item: "endorsed".into(),
            reason: "the carer left the child alone overnight".into(),
        };
        done(&api, carol, &id, withdraw).await;
        let mut neglect = self_harm;
        neglect.primary_type = "neglect".into();
        let update = Command::UpdateIncident {
            incident: neglect,
            correction: None,
        };
        done(&api, carol, &id, update).await;
        let after = row(get(&api, carol, "/v1/queue?limit=500").await);
        assert_eq!(
            after["owed"],
            json!(["reporting", "investigation"]),
            "{after}"
        );
        done(&api, carol, &id, Command::Endorse).await;
        let after = row(get(&api, carol, "/v1/queue?limit=500").await);
        assert_eq!(after["owed"], json!(["investigation"]), "{after}");
        for item in ["trends_considered", "actions_tracked"] {
            done(&api, carol, &id, tick(item)).await;
        }
        let close = Command::Close {
            reason: "analysis done".into(),
        };
        let refused = send(&api, carol, &id, &close).await.expect(422, "close");
        assert_eq!(refused["rule"], "R-ORDER-2", "{refused}");
        api.stop().await;
    })
    .await;
}
