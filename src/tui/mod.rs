//! The terminal app (DESIGN §7): the Elm architecture with effects as data. `State` is the
//! model, `update` the only place it changes, `view` draws it and changes nothing.

pub mod action;
pub mod analysis;
pub mod analysis_view;
pub mod config;
pub mod driver;
pub mod form;
pub mod keymap;
pub mod notify;
pub mod state;
pub mod tab_bar;
pub mod theme;
pub mod update;
pub mod view;
