//! Handovers between shifts: written to a person or an organisation, a line per record,
//! acknowledged once by one of those it is for; each reader sees a line only as far as they
//! may see its record (R-PRIV-3, R-PRIV-8), and both writing and acknowledging are audited.

use serde_json::{Value, json};

use super::harness::{Api, Persona};
use crate::{fixtures, support};

fn lines(handover: &Value) -> Vec<(Value, Value)> {
    handover["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(|i| (i["record"].clone(), i["line"].clone()))
        .collect()
}

#[tokio::test]
async fn a_handover_reaches_its_reader_as_far_as_they_may_see_and_is_acknowledged_once() {
    support::for_each_db(|url| async move {
        let api = Api::start(&url).await;
        let alice = Persona::Practitioner;
        let carol = Persona::CsoDelegate;
        let ours = api.create_incident(alice, &fixtures::incident()).await;
        // An intake makes the reporter's name a protected term.
        api.create_intake(alice, &fixtures::intake()).await;
        let mut kinship = fixtures::incident();
        kinship.care_arrangement = cims::domain::model::CareArrangement::KinshipCsoManaged;
        let theirs = api.create_incident(carol, &kinship).await;

        let written = api
            .post(
                alice,
                "/v1/handovers",
                &json!({
                    "to_user": "tess",
                    "items": [
                        { "record": ours, "line": "Call the unit back before 9." },
                        { "record": theirs, "line": "Robin Reporter rang again." }
                    ]
                }),
            )
            .await
            .expect(201, "alice hands over to tess");
        let id = written["id"].as_i64().expect("id");
        assert_eq!(written["for_me"], json!(false));

        let tess = api
            .get(Persona::TeamManager, "/v1/handovers")
            .await
            .expect(200, "tess reads hers");
        let mine = &tess["handovers"][0];
        assert_eq!(mine["for_me"], json!(true), "{tess}");
        assert_eq!(
            lines(mine),
            vec![
                (json!(ours), json!("Call the unit back before 9.")),
                (json!(theirs), json!("Robin Reporter rang again.")),
            ]
        );
        let path = format!("/v1/handovers/{id}/acknowledge");
        let done = api.post(Persona::TeamManager, &path, &json!({})).await;
        assert_eq!(done.status.as_u16(), 204, "{}", done.body);
        let again = api.post(Persona::TeamManager, &path, &json!({})).await;
        assert_eq!(again.status.as_u16(), 409);
        assert!(again.body.contains("tess acknowledged"), "{}", again.body);
        let by_author = api.post(alice, &path, &json!({})).await;
        assert_eq!(
            by_author.status.as_u16(),
            404,
            "the author does not acknowledge"
        );
        let listed = api.get(alice, "/v1/handovers").await.expect(200, "alice's");
        assert_eq!(listed["handovers"][0]["acknowledged_by"], json!("tess"));

        // To Carol's organisation: she may not see ours, nor a protected name in hers.
        let to_team = api
            .post(
                alice,
                "/v1/handovers",
                &json!({
                    "to_org": "anglicare",
                    "items": [
                        { "record": ours, "line": "Jordan is with his aunt." },
                        { "record": theirs, "line": "Robin Reporter rang again." }
                    ]
                }),
            )
            .await
            .expect(201, "to a team");
        let read = api.get(carol, "/v1/handovers").await.expect(200, "carol's");
        let handover = read["handovers"]
            .as_array()
            .expect("handovers")
            .iter()
            .find(|h| h["id"] == to_team["id"])
            .expect("carol's team's handover")
            .clone();
        let items = lines(&handover);
        assert!(items[0].0.get("masked").is_some() && items[0].1.get("masked").is_some());
        let line = items[1].1.as_str().expect("her record's line");
        assert!(!line.contains("Robin"), "{line}");
        assert!(line.contains("rang again"), "{line}");
        assert!(!read.to_string().contains(&ours), "{read}");

        // Refused, by name.
        for (who, body, says) in [
            (
                alice,
                json!({"to_user": "tess", "to_org": "dffh", "items": []}),
                "either",
            ),
            (
                alice,
                json!({"to_user": "nobody", "items": [{"record": ours, "line": "x"}]}),
                "nobody",
            ),
            (
                alice,
                json!({"to_user": "tess", "items": [{"record": ours, "line": "  "}]}),
                "1 to 300",
            ),
            (
                carol,
                json!({"to_user": "bea", "items": [{"record": ours, "line": "x"}]}),
                "no record you may see",
            ),
        ] {
            let refused = api.post(who, "/v1/handovers", &body).await;
            assert_eq!(refused.status.as_u16(), 422, "{body}");
            assert!(refused.body.contains(says), "{}", refused.body);
        }
        api.get(Persona::Admin, "/v1/handovers")
            .await
            .expect(403, "admin accounts see no client data");

        let audit = api.store().audit_entries(100).await.expect("audit");
        let actions: Vec<&str> = audit.iter().map(|e| e.action.as_str()).collect();
        assert!(actions.contains(&"handover_written"), "{actions:?}");
        assert!(actions.contains(&"handover_acknowledged"), "{actions:?}");
        api.stop().await;
    })
    .await;
}
