//! One integration-test binary: each module is a specification of one area.

mod api;
mod calendar;
mod cli;
mod client;
mod crash;
mod deadlines;
mod demo;
mod derived;
mod dropped;
mod e2e;
mod fixtures;
mod incident;
mod injection;
mod intake;
mod integrity;
mod logs;
mod mask;
mod policy;
mod postgres_harness;
mod proptests;
mod serve;
mod store;
mod support;
mod tui;
mod tui_analysis;
mod tui_reminders;
