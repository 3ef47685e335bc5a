//! The terminal app (DESIGN §7): the Elm architecture with effects as data. `State` is the
//! model, `update` the only place it changes, `view` draws it and changes nothing.
//!
//! Organised by screen: each of `queue`, `record`, `trends`, `actions`, `since`, `handover`,
//! `reminders`, `people`, `person`, `forms` and `help` owns its state, update and view.
//! Screens never call each other: they reply with messages and effects, and `app` composes
//! them. Below the screens sit the pieces they share (the action registry, keymap, theme,
//! config, messages, the read-only context, the layout helpers and how a person is put to
//! matching); above `app` sits the `driver`.

pub mod action;
pub mod config;
pub mod context;
pub mod keymap;
pub mod layout;
pub mod line;
pub mod matching;
pub mod mode;
pub mod msg;
pub mod notify;
pub mod reply;
pub mod tab_bar;
pub mod theme;
pub mod when;

pub mod actions;
pub mod forms;
pub mod handover;
pub mod help;
pub mod people;
pub mod person;
pub mod queue;
pub mod record;
pub mod reminders;
pub mod since;
pub mod trends;

pub mod app;
pub mod driver;
pub mod frugal;
