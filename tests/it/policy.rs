//! Policy as data (DESIGN §3, R-ERA): loading, validation, eras.

use cims::domain::policy::PolicySet;

#[test]
fn embedded_policy_loads_both_eras() {
    let set = PolicySet::embedded().expect("embedded policy");
    let ids: Vec<_> = set.eras().iter().map(|p| p.id.as_str()).collect();
    assert_eq!(ids, ["cims-2020-02-03", "cims-2024-12-09"]);
}
