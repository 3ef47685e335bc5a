//! The app's configuration: `config.toml` in the platform config directory, every key
//! documented in `config.example.toml`. A bad key or value is an error that names it and
//! the file.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::Deserialize;

use crate::domain::query;

use super::keymap::{Keymap, KeymapError};
use super::notify::{How, Osc};
use super::queue::{Column, columns_problem};

/// A saved view: a tab over the queue.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ViewTab {
    pub title: String,
    /// The filter it stands for, in the queue's filter language.
    pub query: String,
}

impl ViewTab {
    /// The views every user has, in tab order.
    pub fn defaults() -> Vec<ViewTab> {
        query::VIEWS
            .iter()
            .map(|(_, title, query)| ViewTab {
                title: title.to_string(),
                query: query.to_string(),
            })
            .collect()
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct ServerConfig {
    /// Where the cims server is.
    pub url: String,
}

impl Default for ServerConfig {
    fn default() -> ServerConfig {
        ServerConfig {
            url: "http://127.0.0.1:8080".to_string(),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct UiConfig {
    /// A built-in theme (ansi16, mono, high-contrast) or a path to a theme file.
    pub theme: String,
    /// Blank identifying details (the privacy screen) after this many minutes without a
    /// key; 0 never does.
    pub idle_lock_minutes: u32,
    /// The desktop-notification sequence the terminal understands: osc9 or osc777.
    pub notify: Osc,
    /// The linear mode, for screen readers: no box drawing, one item a line.
    pub linear: bool,
    /// A new handover to you or your organisation: off, bell or notify.
    pub handover_alert: How,
    /// A reminder of yours whose time has come: off, bell or notify.
    pub reminder_alert: How,
    /// The queue's columns, in order; the id and the deadline always among them.
    pub columns: Vec<Column>,
}

impl Default for UiConfig {
    fn default() -> UiConfig {
        UiConfig {
            theme: "ansi16".to_string(),
            idle_lock_minutes: 10,
            notify: Osc::default(),
            linear: false,
            handover_alert: How::Off,
            reminder_alert: How::Bell,
            columns: Column::DEFAULT.to_vec(),
        }
    }
}

/// What an alert watches for in its view.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AlertWhen {
    /// More records are in the view than before.
    New,
    /// More of the view's records are in their at-risk band than before.
    AtRisk,
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AlertConfig {
    /// The title of a view (a built-in one or one of `[[views]]`).
    pub view: String,
    pub when: AlertWhen,
    /// off, bell or notify (the bell and a desktop notification).
    #[serde(default)]
    pub how: How,
}

/// At most this many alerts: each is counted again as things change.
pub const MAX_ALERTS: usize = 18;

#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ViewConfig {
    pub title: String,
    pub query: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Default)]
#[serde(deny_unknown_fields, default)]
pub struct Config {
    pub server: ServerConfig,
    pub ui: UiConfig,
    /// Action name → keys, replacing that action's default keys.
    pub keys: BTreeMap<String, Vec<String>>,
    /// Saved views added after the built-in ones.
    pub views: Vec<ViewConfig>,
    /// What calls for attention, per view.
    pub alerts: Vec<AlertConfig>,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{file}: {problem}")]
pub struct ConfigError {
    pub file: String,
    pub problem: String,
}

/// At most this many view tabs: keys 1–9 reach them.
pub const MAX_VIEWS: usize = 9;

impl Config {
    /// The default location: `config.toml` in the platform config directory.
    pub fn default_path() -> Option<PathBuf> {
        directories::ProjectDirs::from("au", "cims", "cims")
            .map(|d| d.config_dir().join("config.toml"))
    }

    /// Read and check a config file; a missing file is the defaults.
    pub fn load(path: &Path) -> Result<Config, ConfigError> {
        match std::fs::read_to_string(path) {
            Ok(text) => Config::parse(&path.display().to_string(), &text),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(Config::default()),
            Err(e) => Err(ConfigError {
                file: path.display().to_string(),
                problem: format!("cannot be read: {e}"),
            }),
        }
    }

    pub fn parse(file: &str, text: &str) -> Result<Config, ConfigError> {
        let fail = |problem: String| ConfigError {
            file: file.to_string(),
            problem,
        };
        let config: Config = toml::from_str(text).map_err(|e| {
            let key = e
                .span()
                .and_then(|s| text.get(s))
                .map(|s| format!(" (at {s:?})"))
                .unwrap_or_default();
            fail(format!("{}{key}", e.message()))
        })?;
        let url = &config.server.url;
        if !(url.starts_with("http://") || url.starts_with("https://")) || url.len() < 10 {
            return Err(fail(format!(
                "[server] url: {url:?} is not an http:// or https:// address"
            )));
        }
        if config.ui.idle_lock_minutes > 24 * 60 {
            return Err(fail(
                "[ui] idle_lock_minutes: at most 1440 (a day); 0 turns the lock off".into(),
            ));
        }
        if let Some(problem) = columns_problem(&config.ui.columns) {
            return Err(fail(problem));
        }
        config
            .keymap()
            .map_err(|e: KeymapError| fail(e.to_string()))?;
        for (n, view) in config.views.iter().enumerate() {
            if view.title.trim().is_empty() {
                return Err(fail(format!("[[views]] {}: the title is empty", n + 1)));
            }
            query::parse(&view.query)
                .map_err(|e| fail(format!("[[views]] {:?}: {e}", view.title)))?;
        }
        if config.views.len() + query::VIEWS.len() > MAX_VIEWS {
            return Err(fail(format!(
                "[[views]]: at most {} views of your own (keys 1–9 reach {MAX_VIEWS} tabs)",
                MAX_VIEWS - query::VIEWS.len()
            )));
        }
        let views = config.views();
        for alert in &config.alerts {
            if !views.iter().any(|v| v.title == alert.view) {
                return Err(fail(format!(
                    "[[alerts]] view {:?}: no view has this title (the views are {})",
                    alert.view,
                    views
                        .iter()
                        .map(|v| format!("{:?}", v.title))
                        .collect::<Vec<_>>()
                        .join(", ")
                )));
            }
        }
        if config.alerts.len() > MAX_ALERTS {
            return Err(fail(format!("[[alerts]]: at most {MAX_ALERTS}")));
        }
        Ok(config)
    }

    pub fn keymap(&self) -> Result<Keymap, KeymapError> {
        Keymap::new(&self.keys)
    }

    /// The built-in views, then the user's.
    pub fn views(&self) -> Vec<ViewTab> {
        let mut views = ViewTab::defaults();
        views.extend(self.views.iter().map(|v| ViewTab {
            title: v.title.clone(),
            query: v.query.clone(),
        }));
        views
    }
}
