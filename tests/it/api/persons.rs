//! People as identities: a practitioner decides that two mentions are one person, and may
//! undo it; both decisions stay in both people's histories (R-PERSON-2). A person is seen
//! only through records and decisions the caller may see (R-PERSON-3, R-PRIV-8).

use cims::domain::model::{Child, Intake};
use serde_json::{Value, json};

use super::harness::{Api, Persona};
use crate::{fixtures, support};

fn intake_of(name: &str, dob: &str) -> Intake {
    Intake {
        children: vec![Child {
            person: fixtures::person(name, dob),
            sexually_abusive_behaviour: false,
            rso_contact: false,
            prior_reports: Vec::new(),
            known_reports: Vec::new(),
        }],
        ..fixtures::intake()
    }
}

async fn person(api: &Api, persona: Persona, id: &str) -> Value {
    api.get(persona, &format!("/v1/people/{id}"))
        .await
        .expect(200, "the person")
}

fn records_of(person: &Value) -> Vec<String> {
    let mut records: Vec<String> = person["records"]
        .as_array()
        .expect("records")
        .iter()
        .filter_map(|r| r["record"].as_str().map(str::to_string))
        .collect();
    records.sort();
    records
}

fn actions_of(person: &Value) -> Vec<String> {
    person["history"]
        .as_array()
        .expect("history")
        .iter()
        .filter_map(|e| e["action"].as_str().map(str::to_string))
        .collect()
}

#[tokio::test]
async fn r_person_2_a_practitioner_decides_two_reports_name_one_child_and_may_undo_it() {
    support::for_each_db(|url| async move {
        let api = Api::start(&url).await;
        let alice = Persona::Practitioner;
        let first = api
            .create_intake(alice, &intake_of("Jordan Smith", "2014-03-02"))
            .await;
        let second = api
            .create_intake(alice, &intake_of("Jordon Smyth", "2014-03-02"))
            .await;
        let (one, other) = (format!("{first}.child0"), format!("{second}.child0"));

        // Nothing is merged by matching alone.
        let before = person(&api, alice, &other).await;
        assert_eq!(records_of(&before), vec![second.clone()]);
        assert_eq!(before["names"], json!(["Jordon Smyth"]));
        assert_eq!(before["records"][0]["role"], json!("child"));

        let merged = api
            .post(
                alice,
                &format!("/v1/people/{other}/merge"),
                &json!({ "with": one, "reason": "Same school and mother; spelt otherwise by the caller" }),
            )
            .await
            .expect(200, "merged");
        assert_eq!(records_of(&merged), vec![first.clone(), second.clone()]);
        assert_eq!(actions_of(&merged), vec!["merged"]);
        // Reached from either mention, the person is the same.
        let from_first = person(&api, alice, &one).await;
        assert_eq!(records_of(&from_first), records_of(&merged));
        assert_eq!(from_first["history"], merged["history"]);
        let names = from_first["names"].as_array().expect("names");
        assert!(names.contains(&json!("Jordan Smith")) && names.contains(&json!("Jordon Smyth")));

        // Candidates name the person once, with how many records they appear in.
        let list = api
            .post(
                alice,
                "/v1/people/candidates",
                &json!({ "given_names": "Jordan", "family_name": "Smith", "date_of_birth": "2014-03-02" }),
            )
            .await
            .expect(200, "candidates")["candidates"]
            .as_array()
            .cloned()
            .unwrap_or_default();
        let theirs: Vec<&Value> = list
            .iter()
            .filter(|c| c["record"] == json!(first) || c["record"] == json!(second))
            .collect();
        assert_eq!(theirs.len(), 1, "{list:?}");
        assert_eq!(theirs[0]["records"], json!(2));

        let again = api
            .post(
                alice,
                &format!("/v1/people/{one}/merge"),
                &json!({ "with": other, "reason": "again" }),
            )
            .await;
        assert_eq!(again.status.as_u16(), 409, "{}", again.body);

        // Undone, each is a person of their own again; both histories keep both events.
        let merge = merged["history"][0]["merge"].as_i64().expect("merge id");
        let undone = api
            .post(
                alice,
                &format!("/v1/people/merges/{merge}/undo"),
                &json!({ "reason": "The mother says these are cousins" }),
            )
            .await
            .expect(200, "undone");
        assert_eq!(records_of(&undone).len(), 1);
        for id in [&one, &other] {
            let seen = person(&api, alice, id).await;
            assert_eq!(records_of(&seen).len(), 1, "{seen}");
            assert_eq!(actions_of(&seen), vec!["merged", "unmerged"], "{seen}");
            assert_eq!(seen["history"][1]["actor"], json!("alice"));
        }
        let twice = api
            .post(
                alice,
                &format!("/v1/people/merges/{merge}/undo"),
                &json!({ "reason": "again" }),
            )
            .await;
        assert_eq!(twice.status.as_u16(), 409, "{}", twice.body);
        api.stop().await;
    })
    .await;
}

#[tokio::test]
async fn r_person_2_merging_is_checked_input_by_input_and_role_by_role() {
    support::for_each_db(|url| async move {
        let api = Api::start(&url).await;
        let alice = Persona::Practitioner;
        let a = api
            .create_intake(alice, &intake_of("Ava Nguyen", "2019-06-11"))
            .await;
        let b = api
            .create_intake(alice, &intake_of("Ava Ngyuen", "2019-06-11"))
            .await;
        let path = format!("/v1/people/{a}.child0/merge");
        let status = |r: &super::harness::Response| r.status.as_u16();

        let no_reason = api
            .post(
                alice,
                &path,
                &json!({ "with": format!("{b}.child0"), "reason": " " }),
            )
            .await;
        assert_eq!(status(&no_reason), 422, "{}", no_reason.body);
        assert!(no_reason.body.contains("reason"), "{}", no_reason.body);
        let not_an_id = api
            .post(alice, &path, &json!({ "with": "Ava", "reason": "same" }))
            .await;
        assert_eq!(status(&not_an_id), 422, "{}", not_an_id.body);
        assert!(
            not_an_id.body.contains("not a person"),
            "{}",
            not_an_id.body
        );
        let itself = api
            .post(
                alice,
                &path,
                &json!({ "with": format!("{a}.child0"), "reason": "same" }),
            )
            .await;
        assert_eq!(status(&itself), 409, "{}", itself.body);
        let absent = api
            .post(
                alice,
                &path,
                &json!({ "with": format!("{b}.child7"), "reason": "same" }),
            )
            .await;
        assert_eq!(status(&absent), 404, "{}", absent.body);
        let unknown_field = api
            .post(
                alice,
                &path,
                &json!({ "with": format!("{b}.child0"), "reason": "same", "force": true }),
            )
            .await;
        assert_eq!(status(&unknown_field), 422, "{}", unknown_field.body);

        // The regulator's viewer reads; deciding who is who is casework.
        let rex = api
            .post(
                Persona::Regulator,
                &path,
                &json!({ "with": format!("{b}.child0"), "reason": "same" }),
            )
            .await;
        assert_eq!(status(&rex), 403, "{}", rex.body);
        let admin = api
            .get(Persona::Admin, &format!("/v1/people/{a}.child0"))
            .await;
        assert_eq!(status(&admin), 403, "{}", admin.body);
        api.stop().await;
    })
    .await;
}

#[tokio::test]
async fn r_person_3_a_person_is_seen_only_through_records_and_decisions_in_sight() {
    support::for_each_db(|url| async move {
        let api = Api::start(&url).await;
        let alice = Persona::Practitioner;
        let carol = Persona::CsoDelegate;
        let intake = api
            .create_intake(alice, &intake_of("Casey Brown", "2018-03-10"))
            .await;
        let mut incident = fixtures::incident();
        incident.clients = vec![fixtures::person("Casey Browne", "2018-03-10")];
        let own = api.create_incident(carol, &incident).await;
        let (hers, hidden) = (format!("{own}.client0"), format!("{intake}.child0"));

        let merged = api
            .post(
                alice,
                &format!("/v1/people/{hers}/merge"),
                &json!({ "with": hidden, "reason": "The unit confirmed the date of birth" }),
            )
            .await
            .expect(200, "alice merges what she sees");
        assert_eq!(records_of(&merged), {
            let mut both = vec![intake.clone(), own.clone()];
            both.sort();
            both
        });

        // Carol sees her client as if the department's report did not exist: its record,
        // its spelling and the decision that joined them are not hers to see.
        let seen = person(&api, carol, &hers).await;
        assert_eq!(records_of(&seen), vec![own.clone()]);
        assert_eq!(seen["names"], json!(["Casey Browne"]));
        assert_eq!(seen["history"], json!([]));

        // What she may not see answers as what is not there.
        let absent_person = format!("{own}.client9");
        for (asked, like) in [(&hidden, &absent_person)] {
            let hidden_answer = api.get(carol, &format!("/v1/people/{asked}")).await;
            let absent_answer = api.get(carol, &format!("/v1/people/{like}")).await;
            assert_eq!(hidden_answer.status.as_u16(), 404);
            assert_eq!(
                hidden_answer.body.replace(asked.as_str(), "ID"),
                absent_answer.body.replace(like.as_str(), "ID")
            );
        }
        let merge = merged["history"][0]["merge"].as_i64().expect("merge id");
        let hidden_undo = api
            .post(carol, &format!("/v1/people/merges/{merge}/undo"), &json!({ "reason": "no" }))
            .await;
        let absent_undo = api
            .post(carol, &format!("/v1/people/merges/{}/undo", merge + 100), &json!({ "reason": "no" }))
            .await;
        assert_eq!(hidden_undo.status.as_u16(), 404);
        assert_eq!(
            hidden_undo.body.replace(&merge.to_string(), "N"),
            absent_undo.body.replace(&(merge + 100).to_string(), "N")
        );
        let hidden_merge = api
            .post(
                carol,
                &format!("/v1/people/{hers}/merge"),
                &json!({ "with": hidden, "reason": "same" }),
            )
            .await;
        assert_eq!(hidden_merge.status.as_u16(), 404, "{}", hidden_merge.body);

        // Her candidates for the child count only the records she may see.
        let list = api
            .post(
                carol,
                "/v1/people/candidates",
                &json!({ "given_names": "Casey", "family_name": "Brown", "date_of_birth": "2018-03-10" }),
            )
            .await
            .expect(200, "candidates")["candidates"]
            .clone();
        assert_eq!(list.as_array().map(Vec::len), Some(1), "{list}");
        assert_eq!(list[0]["records"], json!(1));
        assert_eq!(list[0]["person"], json!(hers));
        api.stop().await;
    })
    .await;
}

fn received(name: &str, at: &str) -> Intake {
    Intake {
        received_at: fixtures::melb(at),
        ..intake_of(name, "2014-03-02")
    }
}

async fn view(api: &Api, persona: Persona, id: &str) -> Value {
    api.get(persona, &format!("/v1/records/{id}"))
        .await
        .expect(200, "the record")
}

async fn merge(api: &Api, one: &str, other: &str) {
    api.post(
        Persona::Practitioner,
        &format!("/v1/people/{one}/merge"),
        &json!({ "with": other, "reason": "Same child" }),
    )
    .await
    .expect(200, "merged");
}

#[tokio::test]
async fn r_int_rereport_3_a_misspelt_re_report_is_counted_once_its_child_is_linked() {
    support::for_each_db(|url| async move {
        let api = Api::start(&url).await;
        let alice = Persona::Practitioner;
        let june = api
            .create_intake(alice, &received("Jordan Smith", "2026-06-01 10:00"))
            .await;
        let sept = api
            .create_intake(alice, &received("Jordan Smith", "2026-09-01 10:00"))
            .await;
        let now = api
            .create_intake(alice, &received("Jordon Smyth", "2026-11-23 12:59"))
            .await;
        let classify = json!({
            "command": "classify_intake",
            "classifications": ["child_wellbeing"],
            "consequence": "concerning",
            "probability": "unlikely",
        });
        let version = api.version(alice, &now).await;
        api.command(alice, &now, version, &classify)
            .await
            .expect(200, "classified to close at intake");

        // Not linked: cims does not know the earlier reports are on this child.
        let before = view(&api, alice, &now).await;
        assert_eq!(
            before["people"][0]["earlier_reports"],
            Value::Null,
            "{before}"
        );

        merge(&api, &format!("{now}.child0"), &format!("{june}.child0")).await;
        merge(&api, &format!("{now}.child0"), &format!("{sept}.child0")).await;
        let after = view(&api, alice, &now).await;
        let child = &after["people"][0];
        assert_eq!(child["person"], json!(format!("{now}.child0")));
        assert_eq!(child["records"], json!(3));
        assert_eq!(child["earlier_reports"], json!([sept, june]));

        // A third report in 12 months with no investigation is not closed at intake
        // without the DAOM's decision.
        let tess = Persona::TeamManager;
        let version = api.version(tess, &now).await;
        let refused = api
            .command(tess, &now, version, &json!({ "command": "endorse" }))
            .await;
        assert_eq!(refused.status.as_u16(), 422, "{}", refused.body);
        assert_eq!(refused.json()["rule"], json!("R-INT-REREPORT-3"));

        // The earlier reports count only for the report that came after them.
        let first = view(&api, alice, &june).await;
        assert_eq!(
            first["people"][0]["earlier_reports"],
            Value::Null,
            "{first}"
        );
        api.stop().await;
    })
    .await;
}

#[tokio::test]
async fn r_pattern_1_a_clients_third_incident_in_90_days_prompts_a_second_look_at_impact() {
    support::for_each_db(|url| async move {
        let api = Api::start(&url).await;
        let carol = Persona::CsoDelegate;
        let mut ids = Vec::new();
        for day in ["2026-09-20 10:00", "2026-10-30 10:00", "2026-11-20 10:00"] {
            let mut incident = fixtures::incident();
            incident.clients = vec![fixtures::person("Riley Jones", "2012-02-02")];
            incident.occurred_at = Some(fixtures::melb(day));
            incident.identified_at = fixtures::melb(day);
            ids.push(api.create_incident(carol, &incident).await);
        }
        let latest = ids[2].clone();
        let client = |id: &str| format!("{id}.client0");
        let seen = view(&api, carol, &latest).await;
        assert_eq!(
            seen["people"][0]["pattern"],
            Value::Null,
            "not linked yet: {seen}"
        );

        merge(&api, &client(&latest), &client(&ids[1])).await;
        let two = view(&api, carol, &latest).await;
        assert_eq!(
            two["people"][0]["pattern"],
            Value::Null,
            "two are no pattern"
        );

        merge(&api, &client(&latest), &client(&ids[0])).await;
        let three = view(&api, carol, &latest).await;
        assert_eq!(
            three["people"][0]["pattern"],
            json!({ "incidents": [latest, ids[1], ids[0]], "window_days": 90 })
        );
        // The first incident had none before it: no pattern there.
        let first = view(&api, carol, &ids[0]).await;
        assert_eq!(first["people"][0]["pattern"], Value::Null);

        // Another organisation's incident for the same child does not count for the
        // delegate who may not see it (R-PRIV-8); the department sees all three.
        let mut other = fixtures::incident();
        other.clients = vec![fixtures::person("Riley Jones", "2012-02-02")];
        other.occurred_at = Some(fixtures::melb("2026-11-01 10:00"));
        other.identified_at = fixtures::melb("2026-11-01 10:00");
        let elsewhere = api.create_incident(Persona::Practitioner, &other).await;
        let alice_sees = view(&api, Persona::Practitioner, &elsewhere).await;
        assert_eq!(
            alice_sees["people"][0]["pattern"],
            Value::Null,
            "{alice_sees}"
        );
        merge(&api, &client(&latest), &client(&elsewhere)).await;
        let hers = view(&api, carol, &latest).await;
        assert_eq!(
            hers["people"][0]["pattern"]["incidents"]
                .as_array()
                .map(Vec::len),
            Some(3)
        );
        assert_eq!(hers["people"][0]["records"], json!(3));
        let department = view(&api, Persona::Practitioner, &latest).await;
        assert_eq!(
            department["people"][0]["pattern"]["incidents"]
                .as_array()
                .map(Vec::len),
            Some(4)
        );
        api.stop().await;
    })
    .await;
}

fn ids_of(page: &Value) -> Vec<String> {
    let mut ids: Vec<String> = page["rows"]
        .as_array()
        .expect("rows")
        .iter()
        .filter_map(|r| r["id"].as_str().map(str::to_string))
        .collect();
    ids.sort();
    ids
}

#[tokio::test]
async fn r_person_1_the_queue_filters_the_records_of_one_person_as_the_caller_sees_them() {
    support::for_each_db(|url| async move {
        let api = Api::start(&url).await;
        let alice = Persona::Practitioner;
        let carol = Persona::CsoDelegate;
        let intake = api
            .create_intake(alice, &intake_of("Casey Brown", "2018-03-10"))
            .await;
        let mut incident = fixtures::incident();
        incident.clients = vec![fixtures::person("Casey Browne", "2018-03-10")];
        let own = api.create_incident(carol, &incident).await;
        api.create_intake(alice, &intake_of("Someone Else", "2011-01-01"))
            .await;
        merge(&api, &format!("{intake}.child0"), &format!("{own}.client0")).await;

        let queue = |persona, q: String| {
            let api = &api;
            async move {
                api.get(persona, &format!("/v1/queue?view=all&q={q}"))
                    .await
                    .expect(200, "the queue")
            }
        };
        let mut both = vec![intake.clone(), own.clone()];
        both.sort();
        assert_eq!(
            ids_of(&queue(alice, format!("person:{intake}.child0")).await),
            both
        );
        assert_eq!(
            ids_of(&queue(alice, format!("person:{own}.client0")).await),
            both
        );
        // Carol reaches her client's records only; through a hidden mention, nothing,
        // as through one that does not exist (R-PRIV-8).
        assert_eq!(
            ids_of(&queue(carol, format!("person:{own}.client0")).await),
            vec![own.clone()]
        );
        let hidden = queue(carol, format!("person:{intake}.child0")).await;
        let absent = queue(carol, "person:INT-2026-999999.child0".to_string()).await;
        assert_eq!(hidden, absent);
        assert_eq!(ids_of(&hidden), Vec::<String>::new());
        let count = api
            .get(
                alice,
                &format!("/v1/queue/count?view=all&q=person:{own}.client0"),
            )
            .await
            .expect(200, "the count");
        assert_eq!(count["count"], json!(2));

        let wrong = api.get(alice, "/v1/queue?q=person:casey").await;
        assert_eq!(wrong.status.as_u16(), 400, "{}", wrong.body);
        assert!(wrong.body.contains("person:casey"), "{}", wrong.body);
        api.stop().await;
    })
    .await;
}
