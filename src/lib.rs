//! cims: client incident and intake management for Victorian child protection and
//! community services. The binary lives in `main.rs`; everything it uses is here.

pub mod cli;
pub mod client;
pub mod cores;
pub mod demo;
pub mod domain;
pub mod server;
pub mod store;
pub mod submit;
pub mod tls;
pub mod tui;
pub mod wire;
