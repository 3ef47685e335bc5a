//! R-ORDER-2 (with R-LOCK-1): obligations of earlier stages that are owed again. A stage
//! the record passed or skipped can come to apply anew (re-typed as neglect after stage 3
//! was skipped), an item of a passed stage can come to apply (a client found to be
//! Aboriginal), or an endorsement can be withdrawn: what such a stage requires is owed
//! until it is done, and the record cannot move on or close before then.

use crate::domain::model::Record;
use crate::domain::policy::{ChecklistItem, Policy};

use super::holds;

/// The required items of stages before the current one, which apply now and are not done,
/// in the policy's order.
pub fn owed<'p>(record: &Record, policy: &'p Policy) -> Vec<&'p ChecklistItem> {
    let kind = record.kind();
    let Some(current) = policy.stage(kind, &record.stage).map(|s| s.number) else {
        return Vec::new();
    };
    policy
        .stages_of(kind)
        .filter(|stage| stage.number < current && holds(stage.when, record, policy))
        .flat_map(|stage| policy.items_of(kind, &stage.id))
        .filter(|item| {
            item.required && holds(item.when, record, policy) && !record.is_done(&item.id)
        })
        .collect()
}
