//! Exports (R-PRIV-4): a view's rows as CSV or JSON, masked exactly as the queue shows
//! them to the same caller, and each export an audit event.

use cims::domain::model::{Circumstance, Details};
use cims::wire::CSV_HEADER;
use serde_json::{Value, json};

use super::harness::{Api, Persona, encode};
use crate::{fixtures, support};

const CLIENT: &str = "Marigold Featherstonehaugh";

async fn export(api: &Api, persona: Persona, body: &Value) -> super::harness::Response {
    api.post(persona, "/v1/exports", body).await
}

async fn export_as(api: &Api, persona: Persona, q: &str, format: &str) -> super::harness::Response {
    let response = export(api, persona, &json!({ "format": format, "q": q })).await;
    assert_eq!(
        response.status, 200,
        "{persona:?} exports {format}: {}",
        response.body
    );
    response
}

async fn exports(url: String) {
    let api = Api::start(&url).await;
    // Anglicare's critical notifiable incident: the regulator reads it with the client's
    // name masked; Anglicare and the department's PIs read it in full.
    let mut incident = fixtures::incident();
    incident.clients = vec![fixtures::person(CLIENT, "2014-03-02")];
    incident
        .circumstances
        .insert(Circumstance::HospitalTreatment);
    api.create(
        Persona::CsoDelegate,
        &json!({ "details": Details::Incident(incident) }),
    )
    .await
    .expect(201, "Anglicare registers the incident");
    api.create_incident(Persona::Practitioner, &fixtures::incident())
        .await;

    for persona in [Persona::Regulator, Persona::CsoDelegate, Persona::Daom] {
        let q = "status:any";
        let queue = api
            .get(persona, &format!("/v1/queue?limit=500&q={}", encode(q)))
            .await
            .expect(200, "queue");
        let json_export = export_as(&api, persona, q, "json").await;
        assert_eq!(
            json_export.json(),
            queue["rows"],
            "{persona:?}: the JSON export is the queue's rows, masked the same way"
        );
        let rows = queue["rows"].as_array().expect("rows").len();
        assert_eq!(
            json_export.header("x-cims-rows"),
            Some(rows.to_string().as_str())
        );

        let csv_export = export_as(&api, persona, q, "csv").await;
        assert!(
            csv_export
                .header("content-type")
                .is_some_and(|t| t.starts_with("text/csv"))
        );
        let mut reader = csv::Reader::from_reader(csv_export.body.as_bytes());
        let header: Vec<String> = reader
            .headers()
            .expect("a header")
            .iter()
            .map(String::from)
            .collect();
        assert_eq!(header, CSV_HEADER);
        let lines: Vec<csv::StringRecord> =
            reader.records().map(|r| r.expect("a CSV row")).collect();
        assert_eq!(lines.len(), rows, "{persona:?}: one CSV line per queue row");
        let names_client = csv_export.body.contains(CLIENT);
        match persona {
            Persona::Regulator => {
                assert!(!names_client, "the regulator's CSV never names the client");
                assert!(
                    lines
                        .iter()
                        .any(|l| l[9].starts_with("M.F. (")
                            && l[9].ends_with("[identifying withheld]")),
                    "the regulator's CSV shows the masked form, marked: {lines:?}"
                );
            }
            _ => assert!(names_client, "{persona:?} sees the client's name"),
        }
    }

    // Every export is an audit event: who, which format, which view, how many rows.
    let audit = api
        .get(Persona::Daom, "/v1/audit?limit=50")
        .await
        .expect(200, "the audit log");
    let exports: Vec<&Value> = audit
        .as_array()
        .expect("entries")
        .iter()
        .filter(|e| e["action"] == "export")
        .collect();
    assert_eq!(exports.len(), 6, "{audit}");
    assert!(exports.iter().any(|e| e["actor"] == "rex"
        && e["detail"]["format"] == "csv"
        && e["detail"]["q"] == "status:any"
        && e["detail"]["rows"] == 1));

    // Bad requests are named and leave no audit event.
    for (body, named) in [
        (json!({ "format": "xlsx" }), "format"),
        (json!({ "format": "csv", "q": "colour:red" }), "colour"),
        (
            json!({ "format": "csv", "view": "everything" }),
            "everything",
        ),
        (json!({ "format": "csv", "sort": "name" }), "sort"),
    ] {
        let response = export(&api, Persona::Daom, &body).await;
        assert!(
            response.status == 400 || response.status == 422,
            "{body}: {}",
            response.status
        );
        assert!(response.body.contains(named), "{body}: {}", response.body);
    }
    export(&api, Persona::Admin, &json!({ "format": "csv" }))
        .await
        .expect(403, "admin accounts export no client data");
    let audit = api
        .get(Persona::Daom, "/v1/audit?limit=50")
        .await
        .expect(200, "the audit log");
    let count = audit
        .as_array()
        .expect("entries")
        .iter()
        .filter(|e| e["action"] == "export")
        .count();
    assert_eq!(count, 6, "refused exports are not recorded as exports");
    api.stop().await;
}

#[tokio::test]
async fn exports_are_masked_per_role_as_the_queue_is_and_audited_r_priv_4() {
    support::for_each_db(exports).await;
}
