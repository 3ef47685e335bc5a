//! Who a person being entered may already be: candidates from the person index, each with a
//! band and a field-by-field explanation (R-PERSON-1, R-PERSON-2), found only where the
//! caller may see identifying details and among reporters only by those who may see
//! protected details (R-PERSON-3).

use cims::domain::model::{Child, Intake};
use serde_json::{Value, json};

use super::harness::{Api, Persona};
use crate::{fixtures, support};

fn intake_with(children: &[(&str, &str)]) -> Intake {
    Intake {
        children: children
            .iter()
            .map(|(name, dob)| Child {
                person: fixtures::person(name, dob),
                sexually_abusive_behaviour: false,
                rso_contact: false,
                prior_reports: Vec::new(),
                known_reports: Vec::new(),
            })
            .collect(),
        ..fixtures::intake()
    }
}

async fn candidates(api: &Api, persona: Persona, body: Value) -> Vec<Value> {
    api.post(persona, "/v1/people/candidates", &body)
        .await
        .expect(200, "candidates")["candidates"]
        .as_array()
        .cloned()
        .unwrap_or_default()
}

fn found<'a>(list: &'a [Value], record: &str, role: &str) -> Option<&'a Value> {
    list.iter()
        .find(|c| c["record"] == json!(record) && c["role"] == json!(role))
}

#[tokio::test]
async fn r_person_1_a_misspelt_re_report_finds_the_child_and_twins_are_never_likely() {
    support::for_each_db(|url| async move {
        let api = Api::start(&url).await;
        let alice = Persona::Practitioner;
        let first = api
            .create_intake(alice, &intake_with(&[("Jordan Smith", "2014-03-02")]))
            .await;
        let twins = api
            .create_intake(
                alice,
                &intake_with(&[("Ava Nguyen", "2019-06-11"), ("Mia Nguyen", "2019-06-11")]),
            )
            .await;

        // A second report spells him differently.
        let list = candidates(
            &api,
            alice,
            json!({ "given_names": "Jordon", "family_name": "Smyth", "date_of_birth": "2014-03-02" }),
        )
        .await;
        let jordan = found(&list, &first, "child").expect("the child of the first report");
        assert!(
            ["likely", "possible"].contains(&jordan["band"].as_str().unwrap_or("")),
            "{jordan}"
        );
        let fields: Vec<&str> = jordan["explanation"]["fields"]
            .as_array()
            .expect("fields")
            .iter()
            .filter_map(|f| f["field"].as_str())
            .collect();
        for field in ["given_name", "family_name", "dob"] {
            assert!(fields.contains(&field), "{field} compared: {fields:?}");
        }

        // R-PERSON-2: Ava is found; her twin sister never as likely.
        let list = candidates(
            &api,
            alice,
            json!({ "given_names": "Ava", "family_name": "Nguyen", "date_of_birth": "2019-06-11" }),
        )
        .await;
        let ava = list
            .iter()
            .find(|c| c["record"] == json!(twins) && c["position"] == json!(0))
            .expect("Ava");
        assert_eq!(ava["band"], json!("likely"), "{ava}");
        if let Some(mia) = list
            .iter()
            .find(|c| c["record"] == json!(twins) && c["position"] == json!(1))
        {
            assert_eq!(mia["band"], json!("possible"), "{mia}");
        }

        // Unknown date of birth: still found.
        let list = candidates(
            &api,
            alice,
            json!({ "given_names": "Jordan", "family_name": "Smith" }),
        )
        .await;
        assert!(found(&list, &first, "child").is_some(), "{list:?}");

        // Refused by name.
        for (body, says) in [
            (json!({ "given_names": " ", "family_name": "Smith" }), "given_names"),
            (
                json!({ "given_names": "A", "family_name": "B", "date_of_birth": "2014-13" }),
                "date_of_birth",
            ),
            (
                json!({ "given_names": "A", "family_name": "B", "phones": vec!["1"; 11] }),
                "phones",
            ),
        ] {
            let refused = api.post(alice, "/v1/people/candidates", &body).await;
            assert_eq!(refused.status.as_u16(), 422, "{body}");
            assert!(refused.body.contains(says), "{}", refused.body);
        }
        api.stop().await;
    })
    .await;
}

#[tokio::test]
async fn r_person_3_candidates_come_only_from_what_the_caller_may_see_and_reporters_only_to_a_pi() {
    support::for_each_db(|url| async move {
        let api = Api::start(&url).await;
        let alice = Persona::Practitioner;
        let ike = Persona::Investigator;
        let carol = Persona::CsoDelegate;
        let intake = api.create_intake(alice, &fixtures::intake()).await;
        let reporter = fixtures::intake().reporter.name;
        let (given, family) = reporter.rsplit_once(' ').expect("two names");
        let seek = json!({ "given_names": given, "family_name": family });

        // A protective intervener may match against reporters; a non-PI never does.
        let pi = candidates(&api, alice, seek.clone()).await;
        assert!(found(&pi, &intake, "reporter").is_some(), "{pi:?}");
        let non_pi = candidates(&api, ike, seek.clone()).await;
        assert!(
            non_pi.iter().all(|c| c["role"] != json!("reporter")),
            "{non_pi:?}"
        );

        // Carol may not see the department's intake: its child is no candidate for her;
        // her own client is.
        let child = json!({ "given_names": "Casey", "family_name": "Brown", "date_of_birth": "2018-03-10" });
        assert!(found(&candidates(&api, alice, child.clone()).await, &intake, "child").is_some());
        let hers = candidates(&api, carol, child.clone()).await;
        assert!(found(&hers, &intake, "child").is_none(), "{hers:?}");
        let mut incident = fixtures::incident();
        incident.clients = vec![fixtures::person("Casey Browne", "2018-03-10")];
        let own = api.create_incident(carol, &incident).await;
        let hers = candidates(&api, carol, child.clone()).await;
        assert!(found(&hers, &own, "client").is_some(), "{hers:?}");
        assert!(
            hers.iter().all(|c| c["record"] == json!(own)),
            "only her own: {hers:?}"
        );

        // A note leaves the index as it was; assigned to her, the report's child is hers
        // to find.
        api.note(alice, &intake, "Rang the school.").await;
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
        let hers = candidates(&api, carol, child.clone()).await;
        assert!(found(&hers, &intake, "child").is_some(), "{hers:?}");
        // Assigned to another, it is hers no longer: the key rows that settle her sight
        // follow the record's assignee.
        let version = api.version(tess, &intake).await;
        api.command(
            tess,
            &intake,
            version,
            &json!({ "command": "assign", "user": ike.user() }),
        )
        .await
        .expect(200, "assigned to ike");
        let hers = candidates(&api, carol, child).await;
        assert!(found(&hers, &intake, "child").is_none(), "{hers:?}");
        api.stop().await;
    })
    .await;
}

/// Seed 004's first search, by address: everyone recorded at an address, a child's siblings
/// among them, and by CRIS number alone; names are not needed when another identifier is
/// given, and something must be.
#[tokio::test]
async fn r_person_1_a_search_by_address_or_cris_number_alone_finds_who_is_recorded_with_it() {
    support::for_each_db(|url| async move {
        let api = Api::start(&url).await;
        let alice = Persona::Practitioner;
        let at = |name: &str, dob: &str, address: &str, cris: Option<&str>| Child {
            person: cims::domain::model::Person {
                address: Some(address.to_string()),
                cris_number: cris.map(str::to_string),
                ..fixtures::person(name, dob)
            },
            sexually_abusive_behaviour: false,
            rso_contact: false,
            prior_reports: Vec::new(),
            known_reports: Vec::new(),
        };
        let family = api
            .create_intake(
                alice,
                &Intake {
                    children: vec![
                        at("Ava Nguyen", "2019-06-11", "12 Example Street, Footscray", Some("CRIS-7654321")),
                        at("Leo Nguyen", "2016-01-20", "12 Example St, Footscray", None),
                    ],
                    ..fixtures::intake()
                },
            )
            .await;
        api.create_intake(
            alice,
            &Intake {
                children: vec![at("Zoe Park", "2015-02-02", "3 Other Road, Sunshine", None)],
                ..fixtures::intake()
            },
        )
        .await;

        let household = candidates(&api, alice, json!({ "given_names": "", "family_name": "", "addresses": ["12 Example St Footscray"] })).await;
        let mut positions: Vec<u64> = household
            .iter()
            .filter(|c| c["record"] == json!(family) && c["role"] == json!("child"))
            .filter_map(|c| c["position"].as_u64())
            .collect();
        positions.sort();
        assert_eq!(positions, vec![0, 1], "both children at the address: {household:?}");
        assert!(household.iter().all(|c| c["record"] == json!(family)), "{household:?}");

        let by_cris = candidates(&api, alice, json!({ "given_names": "", "family_name": "", "cris_number": "cris-7654321" })).await;
        assert_eq!(by_cris.len(), 1, "{by_cris:?}");
        assert_eq!(by_cris[0]["band"], json!("likely"));
        assert_eq!(by_cris[0]["position"], json!(0));

        let nothing = api
            .post(alice, "/v1/people/candidates", &json!({ "given_names": "", "family_name": "" }))
            .await;
        assert_eq!(nothing.status.as_u16(), 422, "{}", nothing.body);
        assert!(nothing.body.contains("given_names"), "{}", nothing.body);
        api.stop().await;
    })
    .await;
}

/// R-PERSON-2: a search reads whole only as many mentions as it answers, best bound first,
/// and answers in the order reading them all would. Thirty records name one child alike;
/// the first five are decided one person, so answering twenty people takes more than the
/// first twenty mentions read.
#[tokio::test]
async fn r_person_2_a_search_answers_twenty_people_in_order_however_many_it_reads() {
    support::for_each_db(|url| async move {
        let api = Api::start(&url).await;
        let alice = Persona::Practitioner;
        let mut records = Vec::new();
        for _ in 0..30 {
            let mut incident = fixtures::incident();
            incident.clients = vec![fixtures::person("Casey Brown", "2018-03-10")];
            incident.subject = None;
            records.push(api.create_incident(alice, &incident).await);
        }
        records.sort();
        for later in &records[1..5] {
            api.post(
                alice,
                &format!("/v1/people/{later}.client0/merge"),
                &json!({ "with": format!("{}.client0", records[0]), "reason": "One child" }),
            )
            .await
            .expect(200, "merged");
        }
        let seek = json!({ "given_names": "Casey", "family_name": "Brown", "date_of_birth": "2018-03-10" });
        let list = candidates(&api, alice, seek).await;
        let answered: Vec<&str> = list.iter().filter_map(|c| c["record"].as_str()).collect();
        let mut expected: Vec<&str> = vec![records[0].as_str()];
        expected.extend(records[5..24].iter().map(String::as_str));
        assert_eq!(answered, expected);
        assert_eq!(list[0]["records"], json!(5));
        assert!(list.iter().all(|c| c["band"] == json!("likely")), "{list:?}");
        api.stop().await;
    })
    .await;
}
