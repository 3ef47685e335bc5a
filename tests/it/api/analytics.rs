//! Stage 5 analysis over the API: counts equal those made from the raw records the caller
//! may see, small counts are hidden from non-PIs only (R-PRIV-4), and each group's filter
//! lists exactly its records.

use std::collections::BTreeMap;

use chrono::{DateTime, NaiveDate, Utc};
use cims::demo;
use cims::domain::analytics::{GroupBy, Interval};
use cims::domain::deadlines::{self, Status};
use cims::domain::local_time::local_date;
use cims::domain::model::{Record, RecordKind};
use cims::domain::policy::PolicySet;
use cims::domain::replay;
use serde_json::Value;

use super::harness::{Api, Persona, encode};
use crate::support;

const RECORDS: u64 = 400;
const MIN: u64 = 5;

/// Demo records with their histories, imported into the test's store; the records.
async fn import(api: &Api, now: DateTime<Utc>) -> Vec<Record> {
    let policies = PolicySet::embedded().expect("policy");
    let people = demo::people();
    let plans = demo::plans(11, 0..RECORDS, now, &people, policies.in_force_at(now));
    let ids = (0..plans.len()).map(|i| format!("T-{i:05}")).collect();
    let histories =
        demo::act_out(plans, ids, &people, &policies, 11, now).expect("every story is allowed");
    let records = histories
        .iter()
        .map(|events| replay(events).expect("replays").expect("a record"))
        .collect();
    api.store()
        .import_many(histories, now, &policies)
        .await
        .expect("import");
    records
}

/// What the raw record counts under, computed here from the record itself.
fn group_of(record: &Record, by: GroupBy, policies: &PolicySet, now: DateTime<Utc>) -> String {
    let incident = record.incident();
    let none = || "none".to_string();
    match by {
        GroupBy::Type => incident.map_or_else(none, |i| i.primary_type.clone()),
        GroupBy::Service => incident.map_or_else(none, |i| i.service_type.clone()),
        GroupBy::Org => record.org.clone(),
        GroupBy::Stage => record.stage.clone(),
        GroupBy::Impact => incident
            .and_then(|i| i.impact)
            .and_then(|x| serde_json::to_value(x).ok())
            .and_then(|v| v.as_str().map(String::from))
            .unwrap_or_else(none),
        GroupBy::Outcome => {
            let all = deadlines::deadlines(record, policies, now);
            let missed = all
                .iter()
                .any(|d| matches!(d.status, Status::MetLate { .. } | Status::Overdue { .. }));
            if missed { "overdue" } else { "met" }.to_string()
        }
    }
}

/// Raw counts by (group, period start) of the incidents in `visible`.
fn raw_counts(
    visible: &[&Record],
    by: GroupBy,
    interval: Interval,
    now: DateTime<Utc>,
) -> BTreeMap<(String, NaiveDate), u64> {
    let policies = PolicySet::embedded().expect("policy");
    let mut counts = BTreeMap::new();
    for record in visible.iter().filter(|r| r.kind() == RecordKind::Incident) {
        let period = interval.start(local_date(record.created_at));
        *counts
            .entry((group_of(record, by, &policies, now), period))
            .or_insert(0) += 1;
    }
    counts
}

fn count(value: &Value) -> Option<u64> {
    value.as_u64()
}

/// Every count the answer gives, with the raw count it stands for.
fn cells(answer: &Value, raw: &BTreeMap<(String, NaiveDate), u64>) -> Vec<(Value, u64)> {
    let periods: Vec<NaiveDate> = answer["periods"]
        .as_array()
        .expect("periods")
        .iter()
        .map(|p| p["start"].as_str().expect("start").parse().expect("a date"))
        .collect();
    let mut out = Vec::new();
    for group in answer["groups"].as_array().expect("groups") {
        let key = group["key"].as_str().expect("key").to_string();
        let mut total = 0;
        for (p, start) in periods.iter().enumerate() {
            let n = raw.get(&(key.clone(), *start)).copied().unwrap_or(0);
            total += n;
            out.push((group["counts"][p].clone(), n));
        }
        out.push((group["total"].clone(), total));
    }
    out
}

async fn analytics(api: &Api, persona: Persona, path: &str) -> Value {
    api.get(persona, path)
        .await
        .expect(200, &format!("{persona:?} reads {path}"))
}

async fn aggregates(url: String) {
    let api = Api::start(&url).await;
    let now = Utc::now();
    let records = import(&api, now).await;
    let everyone: Vec<&Record> = records.iter().collect();
    let carol = Persona::CsoDelegate.user();
    let anglicare: Vec<&Record> = records
        .iter()
        .filter(|r| r.org == "anglicare" || r.assignee.as_deref() == Some(carol))
        .collect();
    let mut small_seen_by_pi = 0;
    for by in GroupBy::ALL {
        for (interval, name, periods) in
            [(Interval::Month, "month", 24), (Interval::Week, "week", 30)]
        {
            let path = format!(
                "/v1/analytics?by={}&interval={name}&periods={periods}",
                by.as_str()
            );
            let raw = raw_counts(&everyone, by, interval, Utc::now());

            // A protective intervener sees every count exactly, equal to the raw count.
            let answer = analytics(&api, Persona::Daom, &path).await;
            assert!(answer.get("suppressed_below").is_none(), "{answer}");
            let in_range: u64 = raw
                .iter()
                .filter(|((_, start), _)| {
                    answer["periods"]
                        .as_array()
                        .expect("periods")
                        .iter()
                        .any(|p| p["start"].as_str() == Some(&start.to_string()))
                })
                .map(|(_, n)| n)
                .sum();
            assert_eq!(count(&answer["total"]), Some(in_range), "{path}: the total");
            for (shown, n) in cells(&answer, &raw) {
                assert_eq!(count(&shown), Some(n), "{path}: a PI sees {n} exactly");
                if (1..MIN).contains(&n) {
                    small_seen_by_pi += 1;
                }
            }

            // R-PRIV-4: a CSO delegate sees only its own records' counts, and none below 5.
            let raw = raw_counts(&anglicare, by, interval, Utc::now());
            let answer = analytics(&api, Persona::CsoDelegate, &path).await;
            assert_eq!(answer["suppressed_below"], 5, "{answer}");
            for (shown, n) in cells(&answer, &raw) {
                match count(&shown) {
                    Some(exact) => {
                        assert_eq!(exact, n, "{path}: an exact count is the raw count");
                        assert!(
                            exact == 0 || exact >= MIN,
                            "{path}: {exact} shown to a non-PI"
                        );
                    }
                    None => assert_eq!(shown, "<5", "{path}: a hidden count reads <5"),
                }
                if (1..MIN).contains(&n) {
                    assert_eq!(shown, "<5", "{path}: {n} is hidden from a non-PI");
                }
            }
        }
    }
    assert!(small_seen_by_pi > 0, "the data has small counts to hide");

    // Each group's filter lists exactly the records it counts.
    let answer = analytics(&api, Persona::Daom, "/v1/analytics?by=type&periods=24").await;
    for group in answer["groups"].as_array().expect("groups").iter().take(4) {
        let q = group["query"].as_str().expect("a type group has a filter");
        let listed: Value = api
            .get(Persona::Daom, &format!("/v1/queue/count?q={}", encode(q)))
            .await
            .expect(200, "count");
        assert_eq!(listed["count"].as_u64(), count(&group["total"]), "{q}");
    }

    // R-STAGE: the queue finds records with open learning actions, and those one owns.
    let open_actions = |owner: Option<&str>| {
        records
            .iter()
            .filter(|r| {
                r.open_learning_actions()
                    .any(|a| owner.is_none_or(|o| a.owner == o))
            })
            .count()
    };
    assert!(open_actions(None) > 0, "the demo has open learning actions");
    for (persona, q, expected) in [
        (Persona::Daom, "actions:open status:any", open_actions(None)),
        (
            Persona::Practitioner,
            "actions:mine status:any",
            open_actions(Some("alice")),
        ),
    ] {
        let listed: Value = api
            .get(persona, &format!("/v1/queue/count?q={}", encode(q)))
            .await
            .expect(200, "count");
        assert_eq!(
            listed["count"].as_u64(),
            Some(expected as u64),
            "{persona:?} {q}"
        );
    }

    // Bad parameters are named.
    for (path, named) in [
        ("/v1/analytics?by=colour", "by=colour"),
        ("/v1/analytics?interval=day", "interval=day"),
        ("/v1/analytics?periods=105", "periods"),
        ("/v1/analytics?q=created:2026-02-01..2026-01-01", "created:"),
    ] {
        let body = api.get(Persona::Daom, path).await.expect(400, path);
        assert!(
            body["message"].as_str().is_some_and(|m| m.contains(named)),
            "{path}: {body}"
        );
    }
    api.get(Persona::Admin, "/v1/analytics")
        .await
        .expect(403, "admin accounts see no client data");
    api.stop().await;
}

#[tokio::test]
async fn analytics_counts_equal_raw_records_and_hide_small_counts_from_non_pis_r_priv_4() {
    support::for_each_db(aggregates).await;
}

async fn learning_actions(url: String) {
    let api = Api::start(&url).await;
    let records = import(&api, Utc::now()).await;
    let target = records
        .iter()
        .find(|r| {
            r.org == "anglicare"
                && r.status == cims::domain::model::Status::Open
                && ["investigation", "review", "analysis_learning"].contains(&r.stage.as_str())
        })
        .expect("an Anglicare incident at stage 3 or later");
    let reporter = records
        .iter()
        .find_map(|r| r.intake().map(|i| i.reporter.name.clone()))
        .expect("an intake with a reporter");
    let due_on = (local_date(Utc::now()) + chrono::Duration::days(21)).to_string();
    let raise = |owner: &str| {
        serde_json::json!({
            "command": "raise_learning_action",
            "what": format!("Ask {reporter} how the handover went"),
            "owner": owner,
            "due_on": due_on,
        })
    };
    let version = api.version(Persona::CsoDelegate, &target.id).await;
    let refused = api
        .command(Persona::CsoDelegate, &target.id, version, &raise("nobody"))
        .await
        .expect(422, "an owner who is not a user");
    assert_eq!(
        (refused["rule"].as_str(), refused["field"].as_str()),
        (Some("R-STAGE"), Some("owner"))
    );
    let raised = api
        .command(Persona::CsoDelegate, &target.id, version, &raise("carol"))
        .await
        .expect(200, "carol raises an action she owns");
    assert_eq!(
        raised["warnings"].as_array().map_or(0, Vec::len),
        0,
        "R-PRIV-10: the author is not a protective intervener, so is not told the text names a reporter"
    );

    let mine = api
        .get(Persona::CsoDelegate, "/v1/learning-actions?mine=true")
        .await
        .expect(200, "carol's actions");
    let rows = mine["rows"].as_array().expect("rows");
    let row = rows
        .iter()
        .find(|r| r["record"] == target.id.as_str())
        .expect("the new action is listed");
    assert!(rows.iter().all(|r| r["action"]["owner"] == "carol"));
    let what = row["action"]["what"].as_str().expect("what");
    assert!(
        !what.contains(&reporter),
        "R-PRIV-2: a non-PI never reads the reporter: {what}"
    );
    let dates: Vec<&str> = rows
        .iter()
        .filter_map(|r| r["action"]["due_on"].as_str())
        .collect();
    assert!(
        dates.windows(2).all(|w| w[0] <= w[1]),
        "soonest due first: {dates:?}"
    );

    let all = api
        .get(Persona::Daom, "/v1/learning-actions")
        .await
        .expect(200, "everyone's actions");
    let seen = all["rows"]
        .as_array()
        .expect("rows")
        .iter()
        .find(|r| r["record"] == target.id.as_str() && r["action"]["owner"] == "carol")
        .expect("the department sees it");
    assert!(
        seen["action"]["what"]
            .as_str()
            .is_some_and(|w| w.contains(&reporter)),
        "a protective intervener reads it whole"
    );
    let open_total = records
        .iter()
        .map(|r| r.open_learning_actions().count())
        .sum::<usize>()
        + 1;
    assert_eq!(all["rows"].as_array().map(Vec::len), Some(open_total));
    assert_eq!(all["complete"], true);

    // Paged a few records at a time, the answers hold every action once.
    let mut paged: Vec<(String, u64)> = Vec::new();
    let mut cursor: Option<String> = None;
    let mut pages = 0;
    loop {
        let path = match &cursor {
            Some(c) => format!("/v1/learning-actions?limit=3&cursor={c}"),
            None => "/v1/learning-actions?limit=3".to_string(),
        };
        let page = api.get(Persona::Daom, &path).await.expect(200, "a page");
        let records: std::collections::BTreeSet<&str> = page["rows"]
            .as_array()
            .expect("rows")
            .iter()
            .filter_map(|r| r["record"].as_str())
            .collect();
        assert!(records.len() <= 3, "at most the records asked for");
        for r in page["rows"].as_array().expect("rows") {
            paged.push((
                r["record"].as_str().unwrap_or_default().to_string(),
                r["action"]["id"].as_u64().unwrap_or_default(),
            ));
        }
        pages += 1;
        match page["next_cursor"].as_str() {
            Some(next) => {
                assert_eq!(page["complete"], false);
                cursor = Some(next.to_string());
            }
            None => break,
        }
    }
    assert!(pages > 1, "more than one page");
    let distinct: std::collections::BTreeSet<_> = paged.iter().cloned().collect();
    assert_eq!((paged.len(), distinct.len()), (open_total, open_total));
    api.get(Persona::Daom, "/v1/learning-actions?limit=0")
        .await
        .expect(400, "a limit below one");
    api.get(Persona::Daom, "/v1/learning-actions?cursor=zz")
        .await
        .expect(400, "a cursor this server never gave");
    api.stop().await;
}

#[tokio::test]
async fn r_stage_learning_actions_are_owned_by_users_listed_soonest_first_and_masked() {
    support::for_each_db(learning_actions).await;
}
