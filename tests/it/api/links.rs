//! R-LINK-1: an intake report is linked to the incident it was registered for, an incident
//! that also meets the criteria for a new allegation. Both show the link to those who may
//! see both; to anyone else the incident reads exactly as before (R-PRIV-8).

use cims::domain::model::CareArrangement;
use serde_json::{Value, json};

use super::harness::{Api, Persona};
use crate::{fixtures, support};

fn links(view: &Value) -> Vec<String> {
    view["links"]
        .as_array()
        .map(|l| {
            l.iter()
                .filter_map(|v| v.as_str().map(String::from))
                .collect()
        })
        .unwrap_or_default()
}

/// A view as it stands whatever the second it was read in: how late an overdue deadline is
/// grows with the clock.
fn without_clock(mut view: Value) -> Value {
    if let Some(deadlines) = view["deadlines"].as_array_mut() {
        for deadline in deadlines {
            if let Some(d) = deadline.as_object_mut() {
                d.remove("late_secs");
            }
        }
    }
    view
}

#[tokio::test]
async fn r_link_1_an_intake_and_its_incident_show_the_link_only_to_those_who_may_see_both() {
    support::for_each_db(|url| async move {
        let api = Api::start(&url).await;
        let alice = Persona::Practitioner;
        let carol = Persona::CsoDelegate;
        let mut kinship = fixtures::incident();
        kinship.care_arrangement = CareArrangement::KinshipCsoManaged;
        let incident = api.create_incident(carol, &kinship).await;
        let intake = api.create_intake(alice, &fixtures::intake()).await;
        let path = format!("/v1/records/{incident}");
        let before = api.get(carol, &path).await.expect(200, "carol's incident");
        let history_before = api
            .get(carol, &format!("{path}/history"))
            .await
            .expect(200, "its history");

        let version = api.version(alice, &intake).await;
        let linked = api
            .command(
                alice,
                &intake,
                version,
                &json!({ "command": "link_incident", "incident": incident }),
            )
            .await
            .expect(200, "alice links the intake to the incident");
        assert_eq!(links(&linked), std::slice::from_ref(&incident));
        assert_eq!(
            linked["record"]["linked_incidents"],
            json!([incident]),
            "the intake's own list names what the caller may see, as links does"
        );
        let seen = api
            .get(alice, &path)
            .await
            .expect(200, "the incident, by alice");
        assert_eq!(
            links(&seen),
            std::slice::from_ref(&intake),
            "both show the link"
        );
        let history = api
            .get(alice, &format!("/v1/records/{intake}/history"))
            .await
            .expect(200, "the intake's history");
        assert!(history.to_string().contains("incident_linked"), "{history}");

        // Carol may not see the intake: her incident, and its history, read as before.
        let after = api.get(carol, &path).await.expect(200, "carol's incident");
        assert_eq!(without_clock(after), without_clock(before));
        let history_after = api
            .get(carol, &format!("{path}/history"))
            .await
            .expect(200, "its history");
        assert_eq!(history_after, history_before);

        // Refused, by rule: twice, an incident not there or not one, from an incident.
        let ours = api.create_incident(alice, &fixtures::incident()).await;
        let version = api.version(alice, &intake).await;
        for (id, body, says) in [
            (
                intake.as_str(),
                json!({ "command": "link_incident", "incident": incident }),
                "already linked",
            ),
            (
                intake.as_str(),
                json!({ "command": "link_incident", "incident": "INC-2099-999999" }),
                "no incident you may see",
            ),
            (
                intake.as_str(),
                json!({ "command": "link_incident", "incident": intake }),
                "not an incident",
            ),
            (
                ours.as_str(),
                json!({ "command": "link_incident", "incident": incident }),
                "R-LINK-1",
            ),
        ] {
            let v = if id == intake {
                version
            } else {
                api.version(alice, id).await
            };
            let refused = api.command(alice, id, v, &body).await;
            assert_eq!(refused.status.as_u16(), 422, "{body}: {}", refused.body);
            assert!(refused.body.contains(says), "{says}: {}", refused.body);
        }
        api.stop().await;
    })
    .await;
}

/// R-LINK-1, R-PRIV-8: a CSO worker the intake is assigned to, who may not see the
/// department's incident it is linked to, reads neither the incident's id in the intake's
/// links nor in its history.
#[tokio::test]
async fn r_link_1_an_intakes_history_names_its_incident_only_to_those_who_may_see_it() {
    support::for_each_db(|url| async move {
        let api = Api::start(&url).await;
        let alice = Persona::Practitioner;
        let carol = Persona::CsoDelegate;
        let incident = api.create_incident(alice, &fixtures::incident()).await;
        let intake = api.create_intake(alice, &fixtures::intake()).await;
        let version = api.version(alice, &intake).await;
        api.command(
            alice,
            &intake,
            version,
            &json!({ "command": "link_incident", "incident": incident }),
        )
        .await
        .expect(200, "linked");
        let tess = Persona::TeamManager;
        let version = api.version(tess, &intake).await;
        api.command(
            tess,
            &intake,
            version,
            &json!({ "command": "assign", "user": carol.user() }),
        )
        .await
        .expect(200, "assigned to carol");

        let path = format!("/v1/records/{intake}/history");
        let hers = api
            .get(carol, &path)
            .await
            .expect(200, "her history")
            .to_string();
        assert!(hers.contains("incident_linked"), "{hers}");
        assert!(!hers.contains(&incident), "{hers}");
        let view = api
            .get(carol, &format!("/v1/records/{intake}"))
            .await
            .expect(200, "the intake");
        assert!(links(&view).is_empty(), "{view}");
        let alices = api
            .get(alice, &path)
            .await
            .expect(200, "alice's history")
            .to_string();
        assert!(alices.contains(&incident), "{alices}");
        api.stop().await;
    })
    .await;
}
