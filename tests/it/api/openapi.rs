//! The OpenAPI document describes what the server really does: every route the server
//! answers is documented, and every status it gives for an operation is listed there.

use std::collections::{BTreeMap, BTreeSet};

use cims::domain::model::Details;
use reqwest::Method;
use serde_json::{Value, json};

use super::harness::{Api, Persona};
use crate::{fixtures, support};

/// `(method, path template) → documented statuses`.
fn documented(doc: &Value) -> BTreeMap<(String, String), BTreeSet<u16>> {
    let mut out = BTreeMap::new();
    for (path, operations) in doc["paths"].as_object().expect("paths") {
        for (method, operation) in operations.as_object().expect("operations") {
            let statuses = operation["responses"]
                .as_object()
                .expect("responses")
                .keys()
                .map(|s| s.parse::<u16>().expect("numeric status"))
                .collect();
            out.insert((method.to_uppercase(), path.clone()), statuses);
        }
    }
    out
}

struct Probe {
    method: Method,
    template: &'static str,
    path: String,
    persona: Option<Persona>,
    body: Option<Value>,
    headers: Vec<(&'static str, String)>,
}

fn probe(method: Method, template: &'static str, path: &str, persona: Option<Persona>) -> Probe {
    Probe {
        method,
        template,
        path: path.to_string(),
        persona,
        body: None,
        headers: Vec::new(),
    }
}

#[tokio::test]
async fn openapi_documents_every_route_and_every_status_the_server_gives() {
    support::for_each_db(|url| async move {
        let api = Api::start(&url).await;
        let doc = api.request(Method::GET, "/openapi.json", None, None, &[]).await;
        let doc = doc.expect(200, "openapi document");
        let documented = documented(&doc);
        let routes: BTreeSet<(String, String)> = documented.keys().cloned().collect();
        let expected: BTreeSet<(String, String)> = [
            ("POST", "/v1/session"),
            ("GET", "/v1/me"),
            ("GET", "/v1/users"),
            ("GET", "/v1/policy"),
            ("GET", "/v1/queue"),
            ("GET", "/v1/queue/count"),
            ("POST", "/v1/records"),
            ("GET", "/v1/records/{id}"),
            ("POST", "/v1/records/{id}/commands"),
            ("GET", "/v1/records/{id}/history"),
            ("POST", "/v1/records/{id}/seen"),
            ("GET", "/v1/since"),
            ("GET", "/v1/handovers"),
            ("POST", "/v1/handovers"),
            ("POST", "/v1/handovers/{id}/acknowledge"),
            ("POST", "/v1/people/candidates"),
            ("GET", "/v1/people/{id}"),
            ("POST", "/v1/people/{id}/merge"),
            ("POST", "/v1/people/{id}/distinct"),
            ("POST", "/v1/people/merges/{merge}/undo"),
            ("GET", "/v1/submissions"),
            ("GET", "/v1/submissions/{id}"),
            ("POST", "/v1/submissions/{id}/retry"),
            ("POST", "/v1/submissions/batches"),
            ("GET", "/v1/reminders"),
            ("POST", "/v1/reminders"),
            ("POST", "/v1/reminders/{id}/done"),
            ("GET", "/v1/events"),
            ("GET", "/v1/audit"),
            ("GET", "/v1/analytics"),
            ("POST", "/v1/exports"),
            ("GET", "/v1/learning-actions"),
            ("GET", "/v1/calendar/holidays"),
            ("GET", "/healthz"),
            ("GET", "/readyz"),
            ("GET", "/openapi.json"),
        ]
        .iter()
        .map(|(m, p)| (m.to_string(), p.to_string()))
        .collect();
        assert_eq!(routes, expected, "documented routes");

        let own = api
            .create_incident(Persona::CsoDelegate, &anglicare_incident())
            .await;
        let intake = api
            .create_intake(Persona::Practitioner, &fixtures::intake())
            .await;
        let record = |suffix: &str| format!("/v1/records/{own}{suffix}");
        let mut probes = Vec::new();
        for persona in [
            None,
            Some(Persona::Practitioner),
            Some(Persona::CsoPractitioner),
            Some(Persona::Admin),
            Some(Persona::Regulator),
        ] {
            for (method, template, path) in [
                (Method::GET, "/v1/me", "/v1/me".to_string()),
                (Method::GET, "/v1/users", "/v1/users".to_string()),
                (Method::GET, "/v1/policy", "/v1/policy".to_string()),
                (Method::GET, "/v1/policy", "/v1/policy?id=nope".to_string()),
                (Method::GET, "/v1/queue", "/v1/queue".to_string()),
                (Method::GET, "/v1/queue", "/v1/queue?q=colour:red".to_string()),
                (Method::GET, "/v1/queue/count", "/v1/queue/count?view=major".to_string()),
                (Method::GET, "/v1/queue/count", "/v1/queue/count?view=nope".to_string()),
                (Method::GET, "/v1/records/{id}", record("")),
                (Method::GET, "/v1/records/{id}", format!("/v1/records/{intake}")),
                (Method::GET, "/v1/records/{id}/history", record("/history")),
                (Method::GET, "/v1/since", "/v1/since".to_string()),
                (Method::GET, "/v1/since", "/v1/since?from=-1".to_string()),
                (Method::GET, "/v1/handovers", "/v1/handovers".to_string()),
                (Method::POST, "/v1/handovers/{id}/acknowledge", "/v1/handovers/1/acknowledge".to_string()),
                (Method::POST, "/v1/handovers/{id}/acknowledge", "/v1/handovers/x/acknowledge".to_string()),
                (Method::GET, "/v1/people/{id}", format!("/v1/people/{own}.client0")),
                (Method::GET, "/v1/people/{id}", "/v1/people/nobody".to_string()),
                (Method::GET, "/v1/reminders", "/v1/reminders".to_string()),
                (Method::POST, "/v1/reminders/{id}/done", "/v1/reminders/1/done".to_string()),
                (Method::POST, "/v1/reminders/{id}/done", "/v1/reminders/x/done".to_string()),
                (Method::GET, "/v1/audit", "/v1/audit".to_string()),
                (Method::GET, "/v1/audit", "/v1/audit?limit=0".to_string()),
                (Method::GET, "/v1/calendar/holidays", "/v1/calendar/holidays?year=2026".to_string()),
                (Method::GET, "/v1/calendar/holidays", "/v1/calendar/holidays?year=1900".to_string()),
                (Method::GET, "/v1/analytics", "/v1/analytics?by=org&interval=week".to_string()),
                (Method::GET, "/v1/analytics", "/v1/analytics?by=colour".to_string()),
                (Method::GET, "/v1/analytics", "/v1/analytics?periods=0".to_string()),
                (Method::GET, "/v1/learning-actions", "/v1/learning-actions?mine=true".to_string()),
                (Method::GET, "/v1/learning-actions", "/v1/learning-actions?q=colour:red".to_string()),
                (Method::GET, "/healthz", "/healthz".to_string()),
                (Method::GET, "/readyz", "/readyz".to_string()),
                (Method::GET, "/openapi.json", "/openapi.json".to_string()),
            ] {
                probes.push(probe(method, template, &path, persona));
            }
            let mut create = probe(Method::POST, "/v1/records", "/v1/records", persona);
            create.body = Some(json!({ "details": Details::Incident(anglicare_incident()) }));
            probes.push(create);
            for body in [
                json!({ "format": "csv", "q": "status:any" }),
                json!({ "format": "json", "view": "nope" }),
                json!({ "format": "pdf" }),
            ] {
                let mut export = probe(Method::POST, "/v1/exports", "/v1/exports", persona);
                export.body = Some(body);
                probes.push(export);
            }
            for body in [json!({ "version": 1 }), json!({ "version": "one" }), json!([])] {
                let mut seen = probe(Method::POST, "/v1/records/{id}/seen", &record("/seen"), persona);
                seen.body = Some(body);
                probes.push(seen);
            }
            for body in [
                json!({ "to_user": "tess", "items": [{ "record": own, "line": "Call back." }] }),
                json!({ "to_org": "dffh", "items": [] }),
                json!({ "to": "tess" }),
            ] {
                let mut handover = probe(Method::POST, "/v1/handovers", "/v1/handovers", persona);
                handover.body = Some(body);
                probes.push(handover);
            }
            for body in [
                json!({ "given_names": "Jordan", "family_name": "Smith", "date_of_birth": "2014" }),
                json!({ "given_names": "", "family_name": "Smith" }),
                json!({ "given_names": "Jordan", "family_name": "Smith", "date_of_birth": "soon" }),
                json!({ "name": "Jordan Smith" }),
                json!({ "given_names": "Jordan", "family_name": "Smith", "person": format!("{own}.client0") }),
                json!({ "given_names": "Jordan", "family_name": "Smith", "person": format!("{own}.client7") }),
                json!({ "given_names": "Jordan", "family_name": "Smith", "person": "Jordan" }),
            ] {
                let mut find = probe(Method::POST, "/v1/people/candidates", "/v1/people/candidates", persona);
                find.body = Some(body);
                probes.push(find);
            }
            for (path, body) in [
                (format!("/v1/people/{own}.client0/merge"), json!({ "with": format!("{intake}.child0"), "reason": "same" })),
                (format!("/v1/people/{own}.client0/merge"), json!({ "with": format!("{own}.client0"), "reason": "same" })),
                (format!("/v1/people/{own}.client0/merge"), json!({ "with": "x", "reason": "" })),
                (format!("/v1/people/{own}.client0/merge"), json!({ "reason": "same" })),
            ] {
                let mut merge = probe(Method::POST, "/v1/people/{id}/merge", &path, persona);
                merge.body = Some(body.clone());
                probes.push(merge);
                let path = path.replace("/merge", "/distinct");
                let mut apart = probe(Method::POST, "/v1/people/{id}/distinct", &path, persona);
                apart.body = Some(body);
                probes.push(apart);
            }
            for (path, body) in [
                ("/v1/people/merges/1/undo", json!({ "reason": "cousins" })),
                ("/v1/people/merges/1/undo", json!({ "reason": "" })),
                ("/v1/people/merges/x/undo", json!({ "reason": "cousins" })),
            ] {
                let mut undo = probe(Method::POST, "/v1/people/merges/{merge}/undo", path, persona);
                undo.body = Some(body);
                probes.push(undo);
            }
            for body in [
                json!({ "record": own, "at": "2099-01-01T09:00:00Z", "note": "Call back." }),
                json!({ "record": own, "at": chrono::Utc::now() + chrono::Duration::hours(2), "note": "Call back." }),
                json!({ "record": own, "at": "tomorrow" }),
            ] {
                let mut reminder = probe(Method::POST, "/v1/reminders", "/v1/reminders", persona);
                reminder.body = Some(body);
                probes.push(reminder);
            }
            let mut bad_create = probe(Method::POST, "/v1/records", "/v1/records", persona);
            bad_create.body = Some(json!({ "details": { "kind": "incident" } }));
            probes.push(bad_create);
            for (version, body) in [
                (None, json!({ "command": "add_note", "text": "Checked in." })),
                (Some("1"), json!({ "command": "add_note", "text": "Checked in." })),
                (Some("999"), json!({ "command": "add_note", "text": "Checked in." })),
                (Some("2"), json!({ "command": "advance_stage" })),
                (Some("x"), json!({ "command": "add_note", "text": "Checked in." })),
                (Some("2"), json!({ "command": "no_such_command" })),
            ] {
                let mut command = probe(Method::POST, "/v1/records/{id}/commands", &record("/commands"), persona);
                command.body = Some(body);
                if let Some(v) = version {
                    command.headers.push(("if-match", v.to_string()));
                }
                probes.push(command);
            }
        }
        let mut session = probe(Method::POST, "/v1/session", "/v1/session", None);
        session.body = Some(json!({ "username": "alice", "password": "wrong password" }));
        probes.push(session);
        let mut session = probe(Method::POST, "/v1/session", "/v1/session", None);
        session.body = Some(json!({ "username": "alice" }));
        probes.push(session);

        for p in &probes {
            let headers: Vec<(&str, &str)> =
                p.headers.iter().map(|(n, v)| (*n, v.as_str())).collect();
            let token = p.persona.map(|persona| api.token(persona).to_string());
            let response = api
                .request(p.method.clone(), &p.path, token.as_deref(), p.body.as_ref(), &headers)
                .await;
            let status = response.status.as_u16();
            let allowed = &documented[&(p.method.to_string(), p.template.to_string())];
            assert!(
                allowed.contains(&status),
                "{} {} as {:?} answered {status}, which the document does not list ({allowed:?}): {}",
                p.method,
                p.path,
                p.persona,
                response.body
            );
        }
        // The feed's statuses, without reading the stream.
        for persona in [None, Some(Persona::Practitioner), Some(Persona::Admin)] {
            let mut request = api.client.get(api.url_of("/v1/events"));
            if let Some(persona) = persona {
                request = request.bearer_auth(api.token(persona));
            }
            let status = request.send().await.expect("feed").status().as_u16();
            let allowed = &documented[&("GET".to_string(), "/v1/events".to_string())];
            assert!(allowed.contains(&status), "feed as {persona:?}: {status}");
        }
        // What is not documented is not served.
        let response = api.get(Persona::Practitioner, "/v1/records").await;
        assert_eq!(response.status.as_u16(), 405);
        let response = api.get(Persona::Practitioner, "/v2/queue").await;
        assert_eq!(response.status.as_u16(), 404);
        api.stop().await;
    })
    .await;
}

/// An incident Anglicare reports about a placement it manages.
fn anglicare_incident() -> cims::domain::model::Incident {
    let mut incident = fixtures::incident();
    incident.care_arrangement = cims::domain::model::CareArrangement::KinshipCsoManaged;
    incident
}

/// Query parameters are documented as query parameters, and optional; only the names in a
/// path template are path parameters.
#[test]
fn openapi_places_every_parameter_where_the_server_reads_it() {
    let doc = serde_json::to_value(<cims::server::openapi::ApiDoc as utoipa::OpenApi>::openapi())
        .expect("the document as JSON");
    let paths = doc["paths"].as_object().expect("paths");
    for (path, operations) in paths {
        for (method, operation) in operations.as_object().expect("operations") {
            for parameter in operation["parameters"].as_array().into_iter().flatten() {
                let name = parameter["name"].as_str().expect("name");
                let place = parameter["in"].as_str().expect("in");
                let templated = path.contains(&format!("{{{name}}}"));
                assert_eq!(
                    place == "path",
                    templated,
                    "{method} {path}: {name} is documented in {place}"
                );
                if place == "query" {
                    assert_ne!(
                        parameter["required"],
                        json!(true),
                        "{method} {path}: query parameter {name} is optional"
                    );
                }
            }
        }
    }
}

/// An export answers in the format asked for, and the document lists both.
#[test]
fn openapi_lists_both_formats_an_export_answers_in() {
    let doc = serde_json::to_value(<cims::server::openapi::ApiDoc as utoipa::OpenApi>::openapi())
        .expect("the document as JSON");
    let content = &doc["paths"]["/v1/exports"]["post"]["responses"]["200"]["content"];
    for media in ["application/json", "text/csv"] {
        assert!(content.get(media).is_some(), "{media} in {content}");
    }
}
