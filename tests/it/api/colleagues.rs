//! `GET /v1/users`: whom a caller may assign records to — their organisation's staff, or
//! everyone's for department users; staff names only, never client data.

use serde_json::Value;

use super::harness::{Api, Persona};
use crate::support;

async fn colleagues(url: String) {
    let api = Api::start(&url).await;
    let orgs = |list: &Value| -> std::collections::BTreeSet<String> {
        list.as_array()
            .expect("a list")
            .iter()
            .map(|c| {
                c["organisation"]
                    .as_str()
                    .expect("organisation")
                    .to_string()
            })
            .collect()
    };
    let cso = api
        .get(Persona::CsoDelegate, "/v1/users")
        .await
        .expect(200, "colleagues");
    assert_eq!(orgs(&cso), ["anglicare".to_string()].into());
    let department = api
        .get(Persona::Practitioner, "/v1/users")
        .await
        .expect(200, "colleagues");
    assert!(
        orgs(&department).len() > 1,
        "department users may assign across organisations"
    );
    api.request(reqwest::Method::GET, "/v1/users", None, None, &[])
        .await
        .expect(401, "no token");
    api.stop().await;
}

#[tokio::test]
async fn colleagues_are_those_one_may_assign_to() {
    support::for_each_db(colleagues).await;
}
