//! How writes and bad requests are answered: preconditions, conflicts, refusals with their
//! rule, size limits, and JSON errors for everything (DESIGN §5).

use cims::domain::model::{Details, Impact};
use reqwest::Method;
use serde_json::{Value, json};

use super::harness::{Api, Persona, Response};
use crate::{fixtures, support};

fn assert_json_error(response: &Response, status: u16, code: &str, what: &str) -> Value {
    let body = response.expect(status, what);
    assert_eq!(body["error"], json!(code), "{what}: {body}");
    assert!(
        body["message"].as_str().is_some_and(|m| !m.is_empty()),
        "{what}: the error says what went wrong: {body}"
    );
    assert!(
        response
            .header("content-type")
            .is_some_and(|t| t.starts_with("application/json")),
        "{what}: JSON content type"
    );
    body
}

async fn raw(
    api: &Api,
    method: Method,
    path: &str,
    body: &str,
    headers: &[(&str, &str)],
) -> Response {
    let mut request = api
        .client
        .request(method, api.url_of(path))
        .bearer_auth(api.token(Persona::CsoDelegate))
        .body(body.to_string());
    for (name, value) in headers {
        request = request.header(*name, *value);
    }
    let response = request.send().await.expect("request");
    Response {
        status: response.status(),
        headers: response.headers().clone(),
        body: response.text().await.expect("body"),
    }
}

async fn oversized(api: &Api, path: &str, body: &Value) -> Response {
    cims::tls::install_default_provider();
    let client = reqwest::Client::builder()
        .no_proxy()
        .build()
        .expect("HTTP client");
    let response = client
        .post(api.url_of(path))
        .bearer_auth(api.token(Persona::CsoDelegate))
        .header("if-match", "\"1\"")
        .json(body)
        .send()
        .await
        .expect("request");
    Response {
        status: response.status(),
        headers: response.headers().clone(),
        body: response.text().await.expect("body"),
    }
}

async fn answers(url: String) {
    let api = Api::start(&url).await;
    let persona = Persona::CsoDelegate;
    let id = api.create_incident(persona, &fixtures::incident()).await;
    let commands = format!("/v1/records/{id}/commands");
    let note = json!({ "command": "add_note", "text": "a note" });

    // Without If-Match: 428.
    let response = api.post(persona, &commands, &note).await;
    assert_json_error(&response, 428, "precondition_required", "no If-Match");
    // If-Match that is not a version: 400.
    let response = api
        .request(
            Method::POST,
            &commands,
            Some(api.token(persona)),
            Some(&note),
            &[("if-match", "yesterday")],
        )
        .await;
    assert_json_error(&response, 400, "bad_request", "If-Match not a version");

    // A stale version: 409 with the current version; nothing is written.
    let version = api.version(persona, &id).await;
    let response = api.command(persona, &id, version, &note).await;
    let view = response.expect(200, "a note at the current version");
    assert_eq!(view["version"].as_u64(), Some(version + 1));
    assert_eq!(
        response.header("etag"),
        Some(format!("\"{}\"", version + 1).as_str())
    );
    let response = api.command(persona, &id, version, &note).await;
    let error = assert_json_error(&response, 409, "conflict", "a stale version");
    assert_eq!(error["current_version"].as_u64(), Some(version + 1));
    assert_eq!(
        api.version(persona, &id).await,
        version + 1,
        "nothing written"
    );
    // The weak and bare forms of the ETag are accepted too.
    for form in [format!("W/\"{}\"", version + 1), format!("{}", version + 2)] {
        let response = api
            .request(
                Method::POST,
                &commands,
                Some(api.token(persona)),
                Some(&note),
                &[("if-match", &form)],
            )
            .await;
        response.expect(200, &format!("If-Match: {form}"));
    }
    let version = version + 3;
    // If-None-Match with the ETag: 304.
    let response = api
        .request(
            Method::GET,
            &format!("/v1/records/{id}"),
            Some(api.token(persona)),
            None,
            &[("if-none-match", &format!("\"{version}\""))],
        )
        .await;
    assert_eq!(response.status.as_u16(), 304, "{}", response.body);

    // A refusal names its rule: abuse by a staff member must be major impact (R-IMPACT-2).
    let mut minor = fixtures::incident();
    minor.impact = Some(Impact::NonMajor);
    let response = api
        .create(
            persona,
            &json!({ "details": Details::Incident(minor.clone()) }),
        )
        .await;
    let error = assert_json_error(&response, 422, "refused", "R-IMPACT-2 on create");
    assert_eq!(error["rule"], json!("R-IMPACT-2"), "{error}");
    assert_eq!(error["field"], json!("impact"), "{error}");
    let response = api
        .command(
            persona,
            &id,
            version,
            &json!({ "command": "update_incident", "incident": minor }),
        )
        .await;
    let error = assert_json_error(&response, 422, "refused", "R-IMPACT-2 on update");
    assert_eq!(error["rule"], json!("R-IMPACT-2"), "{error}");
    assert_eq!(
        api.version(persona, &id).await,
        version,
        "a refusal writes nothing"
    );
    // Out of scope (R-SCOPE-2): parental care.
    let mut parental = fixtures::incident();
    parental.care_arrangement = cims::domain::model::CareArrangement::ParentalCare;
    let response = api
        .create(persona, &json!({ "details": Details::Incident(parental) }))
        .await;
    let error = assert_json_error(&response, 422, "refused", "R-SCOPE-2");
    assert_eq!(error["rule"], json!("R-SCOPE-2"), "{error}");
    // Not the role for it: 403.
    let berry = api
        .create_incident(Persona::CsoPractitioner, &fixtures::incident())
        .await;
    let at = api.version(Persona::CsoPractitioner, &berry).await;
    let response = api
        .command(
            Persona::CsoPractitioner,
            &berry,
            at,
            &json!({ "command": "endorse" }),
        )
        .await;
    assert_json_error(&response, 403, "forbidden", "endorse without the role");

    // Bodies over 1 MiB: 413, as JSON. The server answers before reading such a body and
    // closes the connection, so each goes on a connection of its own.
    let huge = "x".repeat(cims::server::BODY_LIMIT + 1024);
    for (path, body) in [
        (
            commands.as_str(),
            json!({ "command": "add_note", "text": huge }),
        ),
        (
            "/v1/records",
            json!({ "details": { "kind": "incident", "description": huge } }),
        ),
    ] {
        let response = oversized(&api, path, &body).await;
        assert_json_error(
            &response,
            413,
            "too_large",
            &format!("{path}: a body over 1 MiB"),
        );
    }

    // No such endpoint: 404; the wrong method: 405; both JSON.
    let response = api.get(persona, "/v1/nothing-here").await;
    assert_json_error(&response, 404, "not_found", "an unknown path");
    let response = api
        .request(
            Method::DELETE,
            &format!("/v1/records/{id}"),
            Some(api.token(persona)),
            None,
            &[],
        )
        .await;
    assert_json_error(&response, 405, "method_not_allowed", "DELETE a record");
    let response = api.get(persona, "/v1/records").await;
    assert_json_error(&response, 405, "method_not_allowed", "GET /v1/records");
    // No such record: 404.
    let response = api.get(persona, "/v1/records/INC-2026-999999").await;
    assert_json_error(&response, 404, "not_found", "an unknown record");
    let response = api.command(persona, "INC-2026-999999", 1, &note).await;
    assert_json_error(
        &response,
        404,
        "not_found",
        "a command on an unknown record",
    );

    // Malformed JSON: 400; JSON of the wrong shape: 422; not JSON at all: 415.
    let json_type = [("content-type", "application/json"), ("if-match", "\"1\"")];
    let response = raw(
        &api,
        Method::POST,
        "/v1/records",
        "{\"details\": ",
        &json_type,
    )
    .await;
    assert_json_error(&response, 400, "bad_request", "truncated JSON");
    let response = raw(&api, Method::POST, &commands, "{not json}", &json_type).await;
    assert_json_error(&response, 400, "bad_request", "a command that is not JSON");
    let response = raw(
        &api,
        Method::POST,
        "/v1/records",
        "{\"details\": 7}",
        &json_type,
    )
    .await;
    assert_json_error(&response, 422, "bad_request", "details of the wrong type");
    let response = raw(
        &api,
        Method::POST,
        &commands,
        "{\"command\": \"launch_rocket\"}",
        &json_type,
    )
    .await;
    assert_json_error(&response, 422, "bad_request", "an unknown command");
    let response = raw(
        &api,
        Method::POST,
        &commands,
        "{\"command\": \"add_note\", \"text\": \"x\", \"colour\": \"red\"}",
        &json_type,
    )
    .await;
    assert_json_error(&response, 422, "bad_request", "an unknown command field");
    let response = raw(
        &api,
        Method::POST,
        "/v1/records",
        "{}",
        &[("content-type", "text/plain")],
    )
    .await;
    assert_json_error(&response, 415, "unsupported_media_type", "a text body");

    // Unknown or bad query parameters: 400.
    for path in [
        "/v1/queue?colour=red",
        "/v1/queue?limit=0",
        "/v1/queue?limit=501",
        "/v1/queue?sort=shoe_size",
        "/v1/queue?view=everything",
        "/v1/queue?q=due:%3Csoon",
        "/v1/queue?q=%22unclosed",
        "/v1/queue?cursor=not-a-cursor",
        "/v1/calendar/holidays?year=2026&month=1",
        "/v1/calendar/holidays?year=nineteen",
        "/v1/policy?era=old",
        "/v1/events?from=0",
        "/v1/events?after=-1",
    ] {
        let response = api.get(persona, path).await;
        assert_json_error(&response, 400, "bad_request", path);
    }
    let response = api
        .get(Persona::Daom, "/v1/audit?limit=5&actor=alice")
        .await;
    assert_json_error(
        &response,
        400,
        "bad_request",
        "audit with an unknown parameter",
    );
    let response = api
        .request(
            Method::GET,
            "/v1/events",
            Some(api.token(persona)),
            None,
            &[("last-event-id", "yesterday")],
        )
        .await;
    assert_json_error(&response, 400, "bad_request", "Last-Event-ID not a number");

    api.stop().await;
}

/// Missing If-Match → 428; stale → 409 with the current version; a refusal carries its
/// rule (R-IMPACT-2 → 422); > 1 MiB → 413; 404 and 405 are JSON; malformed JSON → 400,
/// the wrong shape → 422; unknown query parameters → 400.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn writes_preconditions_refusals_and_errors() {
    support::for_each_db(answers).await;
}

/// R-AUTH-CSO: a record moves only to an organisation that exists, and only someone who
/// may move it learns whether it does.
#[tokio::test]
async fn r_auth_cso_a_record_moves_only_to_an_existing_organisation() {
    support::for_each_db(|url| async move {
        let api = Api::start(&url).await;
        let id = api
            .create_incident(Persona::CsoDelegate, &fixtures::incident())
            .await;
        let move_to = |org: &str| {
            json!({ "command": "change_organisation", "org": org, "reason": "placement moved" })
        };
        let version = api.version(Persona::CsoDelegate, &id).await;
        let body = api
            .command(Persona::CsoDelegate, &id, version, &move_to("nowhere_org"))
            .await
            .expect(422, "an unknown organisation");
        assert_eq!(body["rule"], "R-AUTH-CSO", "{body}");
        assert_eq!(body["field"], "org", "{body}");
        // A practitioner who may not move it is told so, whatever the organisation.
        let version = api.version(Persona::Practitioner, &id).await;
        let refused = api
            .command(Persona::Practitioner, &id, version, &move_to("nowhere_org"))
            .await;
        assert_eq!(refused.status.as_u16(), 403, "{}", refused.body);
        let version = api.version(Persona::CsoDelegate, &id).await;
        api.command(Persona::CsoDelegate, &id, version, &move_to("dffh"))
            .await
            .expect(200, "moved to the department");
        api.stop().await;
    })
    .await;
}

/// R-INT-REREPORT-3: the DAOM delegates a re-report decision only to an active team
/// manager or above of the report's organisation.
#[tokio::test]
async fn r_int_rereport_3_delegation_goes_to_a_team_manager_or_above() {
    support::for_each_db(|url| async move {
        let api = Api::start(&url).await;
        let mut report = fixtures::intake();
        report.children[0].prior_reports = ["2026-02-10", "2026-07-01"]
            .iter()
            .map(|on| cims::domain::model::PriorReport {
                received_on: fixtures::date(on),
                investigated: false,
            })
            .collect();
        let id = api.create_intake(Persona::Practitioner, &report).await;
        let delegate_to = |to: &str| json!({ "command": "delegate_rereport", "to": to });
        for (to, why) in [("nobody", "no such user"), ("alice", "a practitioner")] {
            let version = api.version(Persona::Daom, &id).await;
            let body = api
                .command(Persona::Daom, &id, version, &delegate_to(to))
                .await
                .expect(422, why);
            assert_eq!(body["rule"], "R-INT-REREPORT-3", "{why}: {body}");
            assert_eq!(body["field"], "to", "{why}: {body}");
        }
        let version = api.version(Persona::Daom, &id).await;
        api.command(Persona::Daom, &id, version, &delegate_to("tess"))
            .await
            .expect(200, "delegated to the team manager");
        api.stop().await;
    })
    .await;
}

/// R-INT-TTR: with the age of a child believed to have shown sexually abusive behaviour
/// unknown, classifying is the practitioner's judgement: it goes through, with a warning.
#[tokio::test]
async fn r_int_ttr_an_unknown_age_is_judgement_and_the_answer_says_so() {
    support::for_each_db(|url| async move {
        let api = Api::start(&url).await;
        let mut report = fixtures::intake();
        report.children[0].sexually_abusive_behaviour = true;
        report.children[0].person.date_of_birth = None;
        report.consequence = Some(cims::domain::model::Consequence::Concerning);
        report.probability = Some(cims::domain::model::Probability::Unlikely);
        let id = api.create_intake(Persona::Practitioner, &report).await;
        let version = api.version(Persona::Practitioner, &id).await;
        let body = api
            .command(
                Persona::Practitioner,
                &id,
                version,
                &json!({ "command": "classify_intake", "classifications": ["child_wellbeing"] }),
            )
            .await
            .expect(200, "classified without a TTR");
        let warnings = body["warnings"].to_string();
        assert!(warnings.contains("R-INT-TTR"), "{body}");
        assert!(warnings.contains("judgement"), "{body}");
        api.stop().await;
    })
    .await;
}
