//! One integration-test binary: each module is a specification of one area.

mod api;
mod calendar;
mod cli;
mod client;
mod deadlines;
mod demo;
mod e2e;
mod fixtures;
mod incident;
mod intake;
mod logs;
mod mask;
mod policy;
mod postgres_harness;
mod serve;
mod store;
mod support;
mod tui;
