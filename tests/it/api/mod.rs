//! The HTTP API over a real socket, every specification against SQLite and PostgreSQL
//! (DESIGN §5, §8).

mod analytics;
mod at_risk;
mod auth_matrix;
mod colleagues;
mod concurrency;
mod counts;
mod derived;
mod exports;
mod feed;
mod handovers;
pub(crate) mod harness;
mod idempotency;
mod links;
mod logins;
mod masking;
mod openapi;
mod people;
mod persons;
mod privacy;
mod reminders;
mod replicas;
mod shutdown;
mod since;
pub(crate) mod submissions;
mod tokens;
mod writes;
