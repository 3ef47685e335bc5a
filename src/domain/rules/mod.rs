//! The rules that read a record: scope, classification, follow-up, intake decisions, and
//! the conditions that switch checklist items, stages and deadlines on.

pub mod conditions;
pub mod facts;
pub mod incident;
pub mod intake;
pub mod obligations;

pub use conditions::holds;
