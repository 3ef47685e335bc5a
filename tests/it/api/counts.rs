//! View-tab counts equal what the queue lists for the same caller and filter.

use serde_json::Value;

use super::harness::{Api, Persona};
use crate::{fixtures, support};

async fn counts(url: String) {
    let api = Api::start(&url).await;
    for _ in 0..3 {
        api.create_incident(Persona::Practitioner, &fixtures::incident())
            .await;
    }
    api.create_intake(Persona::Practitioner, &fixtures::intake())
        .await;
    let mut cso = fixtures::incident();
    cso.care_arrangement = cims::domain::model::CareArrangement::KinshipCsoManaged;
    api.create_incident(Persona::CsoDelegate, &cso).await;
    for persona in [
        Persona::Practitioner,
        Persona::CsoDelegate,
        Persona::CsoPractitioner,
    ] {
        // Words, due times and assignees are counted from the records; kind, status,
        // organisation, creation dates and one of type, service, impact, stage or outcome
        // from record_counts; both must agree with the list.
        for q in [
            "",
            "impact:major",
            "kind:intake",
            "overdue",
            "due:<3d",
            "due:at_risk",
            "stage:1",
            "stage:2",
            "status:any stage:1",
            "outcome:overdue",
            "outcome:met status:any",
            "org:dffh status:closed",
            "type:physical_abuse",
            "type:physical_abuse status:any",
            "impact:major stage:1",
        ] {
            let listed = api.queue_ids(persona, Some(q)).await.len();
            let count: Value = api
                .get(
                    persona,
                    &format!("/v1/queue/count?q={}", super::harness::encode(q)),
                )
                .await
                .expect(200, "count");
            assert_eq!(
                count["count"].as_i64(),
                Some(listed as i64),
                "{persona:?} {q:?}"
            );
        }
    }
    let all: Value = api
        .get(Persona::Practitioner, "/v1/queue/count?view=all")
        .await
        .expect(200, "count of a view");
    assert_eq!(all["count"], 5);
    api.get(Persona::Admin, "/v1/queue/count")
        .await
        .expect(403, "admin sees no client data");
    api.stop().await;
}

#[tokio::test]
async fn queue_counts_match_the_queue() {
    support::for_each_db(counts).await;
}
