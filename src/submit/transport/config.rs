//! Where each recipient's submissions go, from the `[submissions.<recipient>]` tables of the
//! server's configuration. A recipient not configured gets the embedded default: a
//! directory under the data directory.

use std::collections::BTreeMap;
use std::path::Path;

use super::{Directory, DirectoryConfig, HttpsConfig, Transport};
use crate::domain::submissions::Recipient;

const TRANSPORTS: &str = "\"https\" or \"directory\"";

/// One recipient's transport as configured.
#[derive(Debug, Clone, PartialEq, Eq, serde::Deserialize)]
#[serde(tag = "transport", rename_all = "snake_case")]
pub enum TransportConfig {
    Https(HttpsConfig),
    Directory(DirectoryConfig),
}

impl TransportConfig {
    fn check(&self) -> Result<(), String> {
        match self {
            TransportConfig::Https(https) => https.check().map(drop),
            TransportConfig::Directory(directory) => directory.check(),
        }
    }

    /// Ready to send: files are read and checked now.
    pub fn build(&self) -> Result<Transport, String> {
        match self {
            TransportConfig::Https(https) => https.build().map(Transport::Https),
            TransportConfig::Directory(directory) => directory.build().map(Transport::Directory),
        }
    }
}

/// The transports configured, by recipient; every recipient is optional.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SubmissionsConfig {
    recipients: BTreeMap<Recipient, TransportConfig>,
    /// Non-major incident reports wait for a month-end batch (R-SUBMIT-4) instead of going
    /// each on its own.
    pub batch_non_major: bool,
    /// How long a worker holds a submission it is sending (`[delivery] lease_seconds`):
    /// after a crash, another worker sends it again with the same key once this has passed.
    pub lease_seconds: Option<u64>,
}

/// The lease's bounds: long enough to outlast any send, short enough that a crashed
/// server's submissions go within the hour.
const LEASE_SECONDS: std::ops::RangeInclusive<u64> = 2..=3600;

impl SubmissionsConfig {
    /// Read a TOML document of `[submissions.<recipient>]` tables and an optional `[batch]`.
    /// Anything else in it is an error that names it: a misspelt table would otherwise send
    /// a recipient's submissions to the default directory without a word.
    pub fn parse(text: &str) -> Result<SubmissionsConfig, String> {
        let document: toml::Table = toml::from_str(text).map_err(|e| {
            let line = e
                .span()
                .map(|span| text[..span.start.min(text.len())].lines().count().max(1));
            match line {
                Some(line) => format!("line {line}: {}", e.message().trim()),
                None => e.message().trim().to_string(),
            }
        })?;
        let mut recipients = BTreeMap::new();
        let mut batch_non_major = false;
        let mut lease_seconds = None;
        for (key, value) in document {
            if key == "delivery" {
                lease_seconds = Some(
                    delivery_config(&value).map_err(|problem| format!("[delivery] {problem}"))?,
                );
                continue;
            }
            if key == "batch" {
                batch_non_major =
                    batch_config(&value).map_err(|problem| format!("[batch] {problem}"))?;
                continue;
            }
            if key != "submissions" {
                return Err(format!(
                    "{key:?} is unknown here: this configuration holds [submissions.<recipient>] \
                     tables, [batch] and [delivery] only"
                ));
            }
            let toml::Value::Table(tables) = value else {
                return Err(
                    "submissions: a table per recipient, e.g. [submissions.department]".into(),
                );
            };
            for (name, table) in tables {
                let Some(recipient) = Recipient::parse(&name) else {
                    return Err(format!(
                        "[submissions.{name}]: {name:?} is not a recipient; the recipients are {}",
                        recipient_names()
                    ));
                };
                let config = recipient_config(table)
                    .map_err(|problem| format!("[submissions.{name}] {problem}"))?;
                recipients.insert(recipient, config);
            }
        }
        let longest_send = recipients
            .values()
            .filter_map(|config| match config {
                TransportConfig::Https(https) => Some(https.timeout_seconds),
                TransportConfig::Directory(_) => None,
            })
            .max();
        if let (Some(lease), Some(send)) = (lease_seconds, longest_send)
            && lease <= send
        {
            return Err(format!(
                "[delivery] lease_seconds: {lease} is not longer than a send may take \
                 (timeout_seconds {send}): another server could send the same submission at once"
            ));
        }
        Ok(SubmissionsConfig {
            recipients,
            batch_non_major,
            lease_seconds,
        })
    }

    /// Every recipient to a directory at `<data_dir>/submissions/<recipient>`.
    pub fn embedded_default(data_dir: &Path) -> SubmissionsConfig {
        let recipients = Recipient::ALL
            .into_iter()
            .map(|recipient| {
                let path = default_directory(data_dir, recipient);
                (
                    recipient,
                    TransportConfig::Directory(DirectoryConfig { path }),
                )
            })
            .collect();
        SubmissionsConfig {
            recipients,
            batch_non_major: false,
            lease_seconds: None,
        }
    }

    /// The recipient's transport as configured, if it is.
    pub fn get(&self, recipient: Recipient) -> Option<&TransportConfig> {
        self.recipients.get(&recipient)
    }

    /// The recipient's transport, ready to send; the default directory under `data_dir` if
    /// it is not configured.
    pub fn transport(&self, recipient: Recipient, data_dir: &Path) -> Result<Transport, String> {
        match self.recipients.get(&recipient) {
            Some(config) => config
                .build()
                .map_err(|problem| format!("[submissions.{recipient}] {problem}")),
            None => Ok(Transport::Directory(Directory::new(default_directory(
                data_dir, recipient,
            )))),
        }
    }

    /// Every recipient's transport, ready to send: the first problem stops it.
    pub fn build(&self, data_dir: &Path) -> Result<BTreeMap<Recipient, Transport>, String> {
        Recipient::ALL
            .into_iter()
            .map(|recipient| Ok((recipient, self.transport(recipient, data_dir)?)))
            .collect()
    }
}

fn default_directory(data_dir: &Path, recipient: Recipient) -> std::path::PathBuf {
    data_dir.join("submissions").join(recipient.as_str())
}

/// `[delivery] lease_seconds = N`.
fn delivery_config(value: &toml::Value) -> Result<u64, String> {
    let toml::Value::Table(table) = value else {
        return Err("a table: [delivery] with lease_seconds".into());
    };
    let mut lease = None;
    for (key, value) in table {
        match (key.as_str(), value) {
            ("lease_seconds", toml::Value::Integer(n)) => {
                let n = u64::try_from(*n).unwrap_or(0);
                if !LEASE_SECONDS.contains(&n) {
                    return Err(format!(
                        "lease_seconds: {value} is outside {} to {}",
                        LEASE_SECONDS.start(),
                        LEASE_SECONDS.end()
                    ));
                }
                lease = Some(n);
            }
            ("lease_seconds", other) => {
                return Err(format!(
                    "lease_seconds: {other} is not a whole number of seconds"
                ));
            }
            (other, _) => return Err(format!("{other:?} is unknown; give lease_seconds")),
        }
    }
    lease.ok_or_else(|| "lease_seconds: missing".into())
}

/// `[batch] non_major = "monthly"` (a month-end batch) or `"each"` (the default).
fn batch_config(value: &toml::Value) -> Result<bool, String> {
    let toml::Value::Table(table) = value else {
        return Err("a table: [batch] with non_major = \"monthly\" or \"each\"".into());
    };
    let mut monthly = false;
    for (key, value) in table {
        match (key.as_str(), value) {
            ("non_major", toml::Value::String(how)) if how == "monthly" => monthly = true,
            ("non_major", toml::Value::String(how)) if how == "each" => monthly = false,
            ("non_major", other) => {
                return Err(format!(
                    "non_major: {other} is unknown; give \"monthly\" or \"each\""
                ));
            }
            (other, _) => return Err(format!("{other:?} is unknown; give non_major")),
        }
    }
    Ok(monthly)
}

fn recipient_names() -> String {
    Recipient::ALL.map(Recipient::as_str).join(", ")
}

/// One recipient's table; the transport is looked at first, so the problem named is the
/// right one.
fn recipient_config(table: toml::Value) -> Result<TransportConfig, String> {
    match table.get("transport") {
        None => return Err(format!("transport: missing; give {TRANSPORTS}")),
        Some(toml::Value::String(name)) if name == "https" || name == "directory" => {}
        Some(other) => return Err(format!("transport: {other} is unknown; give {TRANSPORTS}")),
    }
    let config: TransportConfig = table
        .try_into()
        .map_err(|e: toml::de::Error| e.message().trim().to_string())?;
    config.check()?;
    Ok(config)
}
