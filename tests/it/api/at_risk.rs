//! The at-risk band over the API: `due:at_risk` lists the records whose next deadline is
//! coming up, and each queue row says where its band begins.

use chrono::{Duration, Utc};
use serde_json::Value;

use super::harness::{Api, Persona, encode};
use crate::{fixtures, support};

#[tokio::test]
async fn at_risk_lists_what_is_coming_up_but_neither_what_is_late_nor_what_is_not_yet_close() {
    support::for_each_db(|url| async move {
        let api = Api::start(&url).await;
        // Consulting the team manager is due at the end of the third day after receipt,
        // and at risk in its last 24 hours (the policy's band).
        let received = |days: i64| {
            let mut intake = fixtures::intake();
            intake.received_at = Utc::now() - Duration::days(days) - Duration::minutes(1);
            intake
        };
        let coming = api.create_intake(Persona::Practitioner, &received(3)).await;
        let fresh = api.create_intake(Persona::Practitioner, &received(0)).await;
        let late = api.create_intake(Persona::Practitioner, &received(5)).await;

        let ids = api
            .queue_ids(Persona::Practitioner, Some("due:at_risk"))
            .await;
        assert!(ids.contains(&coming), "{ids:?}");
        assert!(!ids.contains(&fresh), "not yet in its band: {ids:?}");
        assert!(
            !ids.contains(&late),
            "overdue is late, not at risk: {ids:?}"
        );

        let page: Value = api
            .get(
                Persona::Practitioner,
                &format!("/v1/queue?q={}&limit=500", encode("due:at_risk")),
            )
            .await
            .expect(200, "queue");
        let now = Utc::now();
        for row in page["rows"].as_array().expect("rows") {
            let time = |key: &str| {
                row[key]
                    .as_str()
                    .and_then(|t| t.parse::<chrono::DateTime<Utc>>().ok())
                    .unwrap_or_else(|| panic!("{key} in {row}"))
            };
            assert!(
                time("at_risk_from") <= now && now < time("next_due"),
                "{row}"
            );
        }
        let count: Value = api
            .get(
                Persona::Practitioner,
                &format!("/v1/queue/count?q={}", encode("due:at_risk")),
            )
            .await
            .expect(200, "count");
        assert_eq!(count["count"].as_u64(), Some(ids.len() as u64), "{count}");

        let fresh_row: Value = api
            .get(Persona::Practitioner, "/v1/queue?limit=500")
            .await
            .expect(200, "queue");
        let row = fresh_row["rows"]
            .as_array()
            .expect("rows")
            .iter()
            .find(|r| r["id"] == fresh.as_str())
            .cloned()
            .expect("the fresh report is listed");
        assert!(row["at_risk_from"].is_string(), "its band is told: {row}");
        api.stop().await;
    })
    .await;
}
