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

async fn candidates_for(
    api: &Api,
    persona: Persona,
    name: (&str, &str),
    person: &str,
) -> Vec<Value> {
    api.post(
        persona,
        "/v1/people/candidates",
        &json!({ "given_names": name.0, "family_name": name.1, "date_of_birth": "2016-05-05", "person": person }),
    )
    .await
    .expect(200, "candidates")["candidates"]
    .as_array()
    .cloned()
    .unwrap_or_default()
}

fn people_of(list: &[Value]) -> Vec<String> {
    list.iter()
        .filter_map(|c| c["person"].as_str().map(str::to_string))
        .collect()
}

#[tokio::test]
async fn r_person_2_a_decision_that_two_are_not_one_person_stays_decided_until_undone() {
    support::for_each_db(|url| async move {
        let api = Api::start(&url).await;
        let alice = Persona::Practitioner;
        // Two children of one name and birthday, at different schools; and a third report
        // that spells the first one's name otherwise.
        let first = api
            .create_intake(alice, &intake_of("Mia Tran", "2016-05-05"))
            .await;
        let namesake = api
            .create_intake(alice, &intake_of("Mia Tran", "2016-05-05"))
            .await;
        let misspelt = api
            .create_intake(alice, &intake_of("Mia Trann", "2016-05-05"))
            .await;
        let (one, other, third) = (
            format!("{first}.child0"),
            format!("{namesake}.child0"),
            format!("{misspelt}.child0"),
        );

        // Asked for her, matching leaves her own mention out and proposes the other two.
        let before = candidates_for(&api, alice, ("Mia", "Tran"), &one).await;
        assert!(!people_of(&before).contains(&one), "{before:?}");
        assert!(people_of(&before).contains(&other) && people_of(&before).contains(&third));
        assert!(before.iter().all(|c| c.get("kept_apart").is_none()), "{before:?}");

        let apart = api
            .post(
                alice,
                &format!("/v1/people/{one}/distinct"),
                &json!({ "with": other, "reason": "Different schools; the mothers confirmed two girls" }),
            )
            .await
            .expect(200, "kept apart");
        assert_eq!(records_of(&apart), vec![first.clone()], "not merged");
        assert_eq!(actions_of(&apart), vec!["kept_apart"]);
        let decision = apart["history"][0]["merge"].as_i64().expect("decision id");
        // Both histories say so.
        assert_eq!(actions_of(&person(&api, alice, &other).await), vec!["kept_apart"]);

        // Asked for either of them again, the other is not proposed: shown, marked with the
        // decision, after those still to decide.
        for (asked, apart_one) in [(&one, &other), (&other, &one)] {
            let list = candidates_for(&api, alice, ("Mia", "Tran"), asked).await;
            let marked: Vec<&Value> = list.iter().filter(|c| c["person"] == json!(apart_one)).collect();
            assert_eq!(marked.len(), 1, "{list:?}");
            assert_eq!(marked[0]["kept_apart"]["decision"], json!(decision));
            assert_eq!(marked[0]["kept_apart"]["actor"], json!("alice"));
            assert_eq!(
                list.last().map(|c| &c["person"]),
                Some(&json!(apart_one)),
                "the decided one comes last: {list:?}"
            );
            let third_seen = list.iter().find(|c| c["person"] == json!(third));
            assert!(third_seen.is_some_and(|c| c.get("kept_apart").is_none()), "{list:?}");
        }
        // A search for no one in particular knows nothing of whom it is for.
        let anyone = api
            .post(
                alice,
                "/v1/people/candidates",
                &json!({ "given_names": "Mia", "family_name": "Tran", "date_of_birth": "2016-05-05" }),
            )
            .await
            .expect(200, "candidates");
        assert!(!anyone.to_string().contains("kept_apart"), "{anyone}");

        // A merge of the two is refused while the decision stands, from either side.
        for (a, b) in [(&one, &other), (&other, &one)] {
            let refused = api
                .post(
                    alice,
                    &format!("/v1/people/{a}/merge"),
                    &json!({ "with": b, "reason": "same" }),
                )
                .await;
            assert_eq!(refused.status.as_u16(), 409, "{}", refused.body);
            assert!(
                refused.body.contains("decided not to be one person")
                    && refused.body.contains(&format!("decision {decision}")),
                "{}",
                refused.body
            );
        }
        let twice = api
            .post(
                alice,
                &format!("/v1/people/{other}/distinct"),
                &json!({ "with": one, "reason": "again" }),
            )
            .await;
        assert_eq!(twice.status.as_u16(), 409, "{}", twice.body);
        assert!(twice.body.contains("already"), "{}", twice.body);

        // Undone, matching proposes her again and the merge can be made; the history keeps
        // every decision.
        let undone = api
            .post(
                alice,
                &format!("/v1/people/merges/{decision}/undo"),
                &json!({ "reason": "The school had enrolled one girl twice" }),
            )
            .await
            .expect(200, "undone");
        assert_eq!(actions_of(&undone), vec!["kept_apart", "apart_undone"]);
        let again = candidates_for(&api, alice, ("Mia", "Tran"), &one).await;
        assert!(
            again.iter().all(|c| c.get("kept_apart").is_none()) && people_of(&again).contains(&other),
            "{again:?}"
        );
        let merged = api
            .post(
                alice,
                &format!("/v1/people/{one}/merge"),
                &json!({ "with": other, "reason": "One girl enrolled twice" }),
            )
            .await
            .expect(200, "merged once the decision is undone");
        assert_eq!(actions_of(&merged), vec!["kept_apart", "apart_undone", "merged"]);
        // Each decision and its undoing is in the audit log, with who, why and both people.
        let audit = api
            .get(Persona::Daom, "/v1/audit?limit=1000")
            .await
            .expect(200, "the audit log");
        let entry = |action: &str| {
            audit
                .as_array()
                .into_iter()
                .flatten()
                .find(|e| e["action"] == json!(action))
                .cloned()
                .unwrap_or_else(|| panic!("no {action} in {audit}"))
        };
        let kept = entry("people_kept_apart");
        assert_eq!(kept["actor"], json!("alice"));
        assert_eq!(kept["detail"]["decision"], json!(decision));
        assert_eq!(kept["detail"]["not_same_as"], json!(other));
        assert_eq!(kept["detail"]["person"], json!(one));
        assert_eq!(
            entry("people_apart_undone")["detail"]["reason"],
            json!("The school had enrolled one girl twice")
        );
        assert_eq!(entry("people_merged")["detail"]["same_as"], json!(other));

        // One person now: keeping them apart means undoing the merge first.
        let while_one = api
            .post(
                alice,
                &format!("/v1/people/{other}/distinct"),
                &json!({ "with": one, "reason": "not" }),
            )
            .await;
        assert_eq!(while_one.status.as_u16(), 409, "{}", while_one.body);
        assert!(while_one.body.contains("undo the merge"), "{}", while_one.body);

        // Input and roles are checked as for a merge.
        let path = format!("/v1/people/{one}/distinct");
        let no_reason = api
            .post(alice, &path, &json!({ "with": third, "reason": "" }))
            .await;
        assert_eq!(no_reason.status.as_u16(), 422, "{}", no_reason.body);
        let rex = api
            .post(Persona::Regulator, &path, &json!({ "with": third, "reason": "no" }))
            .await;
        assert_eq!(rex.status.as_u16(), 403, "{}", rex.body);
        let not_an_id = api
            .post(
                alice,
                "/v1/people/candidates",
                &json!({ "given_names": "Mia", "family_name": "Tran", "person": "Mia" }),
            )
            .await;
        assert_eq!(not_an_id.status.as_u16(), 422, "{}", not_an_id.body);
        api.stop().await;
    })
    .await;
}

#[tokio::test]
async fn r_person_3_a_decision_keeping_people_apart_is_seen_only_with_both_ends_in_sight() {
    support::for_each_db(|url| async move {
        let api = Api::start(&url).await;
        let alice = Persona::Practitioner;
        let carol = Persona::CsoDelegate;
        let intake = api
            .create_intake(alice, &intake_of("Mia Tran", "2016-05-05"))
            .await;
        let mut incident = fixtures::incident();
        incident.clients = vec![fixtures::person("Mia Tran", "2016-05-05")];
        let own = api.create_incident(carol, &incident).await;
        let mut second = fixtures::incident();
        second.clients = vec![fixtures::person("Mia Tran", "2016-05-05")];
        let also_own = api.create_incident(carol, &second).await;
        let (hers, hidden, her_other) = (
            format!("{own}.client0"),
            format!("{intake}.child0"),
            format!("{also_own}.client0"),
        );
        api.post(
            alice,
            &format!("/v1/people/{hers}/distinct"),
            &json!({ "with": hidden, "reason": "The department's child is another girl" }),
        )
        .await
        .expect(200, "alice keeps apart what she sees");

        // Carol's client, her history and her candidates are as if the department's report
        // and the decision about it did not exist.
        let seen = person(&api, carol, &hers).await;
        assert_eq!(seen["history"], json!([]));
        let list = candidates_for(&api, carol, ("Mia", "Tran"), &hers).await;
        assert_eq!(people_of(&list), vec![her_other.clone()], "{list:?}");
        assert!(list[0].get("kept_apart").is_none(), "{list:?}");
        // Asking for a person she may not see answers as one that is not there.
        let hidden_answer = api
            .post(
                carol,
                "/v1/people/candidates",
                &json!({ "given_names": "Mia", "family_name": "Tran", "person": hidden }),
            )
            .await;
        let absent = format!("{own}.client9");
        let absent_answer = api
            .post(
                carol,
                "/v1/people/candidates",
                &json!({ "given_names": "Mia", "family_name": "Tran", "person": absent }),
            )
            .await;
        assert_eq!(hidden_answer.status.as_u16(), 404, "{}", hidden_answer.body);
        assert_eq!(
            hidden_answer.body.replace(hidden.as_str(), "ID"),
            absent_answer.body.replace(absent.as_str(), "ID")
        );
        // Her own decision about her own two clients is hers to make.
        api.post(
            carol,
            &format!("/v1/people/{hers}/distinct"),
            &json!({ "with": her_other, "reason": "Two clients of one name" }),
        )
        .await
        .expect(200, "carol keeps her two clients apart");
        assert_eq!(
            actions_of(&person(&api, carol, &hers).await),
            vec!["kept_apart"]
        );
        assert_eq!(
            actions_of(&person(&api, alice, &hers).await),
            vec!["kept_apart", "kept_apart"]
        );
        api.stop().await;
    })
    .await;
}
