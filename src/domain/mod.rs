//! The pure rules of cims: no I/O, no async, no clock. Time is always a parameter.

pub mod actor;
pub mod analytics;
pub mod calendar;
pub mod commands;
pub mod deadlines;
pub mod decide;
pub mod events;
pub mod evolve;
pub mod local_time;
pub mod mask;
pub mod model;
pub mod people;
pub mod policy;
pub mod query;
pub mod refusal;
pub mod rule_ids;
pub mod rules;
pub mod submissions;

pub use decide::decide;
pub use evolve::{evolve, replay};
