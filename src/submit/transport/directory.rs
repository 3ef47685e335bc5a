//! The directory transport, the embedded default: each submission becomes a file for
//! something outside cims to carry to the recipient (an upload agent, a person with a
//! portal), and the recipient's answer comes back as a receipt file beside it.
//!
//! `<dir>/<key>.json` is the submission; `<dir>/<key>.receipt.json` is the answer, either
//! `{"reference": "..."}` or `{"reasons": ["...", ...]}`.

use std::fs;
use std::io::{ErrorKind, Read};
use std::path::{Path, PathBuf};

use chrono::{SecondsFormat, Utc};
use serde::Deserialize;
use serde_json::Value;

use super::answer::{accepted, reasons};
use super::{Answer, Envelope, Failed, MAX_ANSWER_BYTES, Outgoing};
use crate::client::outbox::write_private;

/// A directory recipient as configured.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DirectoryConfig {
    pub path: PathBuf,
}

impl DirectoryConfig {
    pub fn check(&self) -> Result<(), String> {
        if self.path.as_os_str().is_empty() {
            return Err("path is empty".into());
        }
        Ok(())
    }

    /// The directory is created when the first submission is written, so a disk that is
    /// not mounted yet delays submissions rather than the server.
    pub fn build(&self) -> Result<Directory, String> {
        self.check()?;
        Ok(Directory::new(self.path.clone()))
    }
}

/// One directory recipient.
#[derive(Debug, Clone)]
pub struct Directory {
    path: PathBuf,
}

impl Directory {
    pub fn new(path: impl Into<PathBuf>) -> Directory {
        Directory { path: path.into() }
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Write the submission (the key has been checked). A file already there from an
    /// earlier try of the same submission is left as it is, so a resend changes nothing.
    pub(super) async fn send(&self, out: &Outgoing<'_>) -> Result<Answer, Failed> {
        let unwritten = |e: serde_json::Error| Failed(format!("cannot write the submission: {e}"));
        let envelope = Envelope::of(out);
        let without_time = serde_json::to_value(&envelope).map_err(unwritten)?;
        let written = Envelope {
            written_at: Some(Utc::now().to_rfc3339_opts(SecondsFormat::Millis, true)),
            ..envelope
        };
        let mut bytes = serde_json::to_vec_pretty(&written).map_err(unwritten)?;
        bytes.push(b'\n');
        let dir = self.path.clone();
        let name = format!("{}.json", out.key);
        blocking(move || write_submission(&dir, &name, &without_time, &bytes)).await?;
        Ok(Answer::Awaiting)
    }

    /// The receipt for `key` (checked), if one has been dropped.
    pub(super) async fn receipt(&self, key: &str) -> Result<Option<Answer>, Failed> {
        let path = self.path.join(format!("{key}.receipt.json"));
        blocking(move || read_receipt(&path)).await
    }
}

/// File work off the async threads.
async fn blocking<T: Send + 'static>(
    work: impl FnOnce() -> Result<T, Failed> + Send + 'static,
) -> Result<T, Failed> {
    tokio::task::spawn_blocking(work)
        .await
        .map_err(|e| Failed(format!("the file work stopped: {e}")))?
}

fn write_submission(
    dir: &Path,
    name: &str,
    without_time: &Value,
    bytes: &[u8],
) -> Result<(), Failed> {
    fs::create_dir_all(dir).map_err(|e| {
        Failed(format!(
            "cannot create the submissions directory {}: {e}",
            dir.display()
        ))
    })?;
    let path = dir.join(name);
    if written_before(&path, without_time) {
        return Ok(());
    }
    // Atomic: whatever picks the file up never sees half of it.
    write_private(&path, bytes).map_err(|e| Failed(format!("cannot write {}: {e}", path.display())))
}

/// Whether `path` holds this submission already, whenever it was written.
fn written_before(path: &Path, without_time: &Value) -> bool {
    let Ok(existing) = fs::read(path) else {
        return false;
    };
    let Ok(mut existing) = serde_json::from_slice::<Value>(&existing) else {
        return false;
    };
    if let Some(fields) = existing.as_object_mut() {
        fields.remove("written_at");
    }
    existing == *without_time
}

fn read_receipt(path: &Path) -> Result<Option<Answer>, Failed> {
    let problem = |what: String| Failed(format!("the receipt {} {what}", path.display()));
    let file = match fs::File::open(path) {
        Ok(file) => file,
        Err(e) if e.kind() == ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(problem(format!("cannot be read: {e}"))),
    };
    let mut bytes = Vec::new();
    file.take(MAX_ANSWER_BYTES as u64 + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| problem(format!("cannot be read: {e}")))?;
    if bytes.len() > MAX_ANSWER_BYTES {
        return Err(problem(format!(
            "is larger than {} KiB",
            MAX_ANSWER_BYTES / 1024
        )));
    }
    let json: Value =
        serde_json::from_slice(&bytes).map_err(|e| problem(format!("is not JSON: {e}")))?;
    answer_in(&json).map(Some).map_err(problem)
}

fn answer_in(receipt: &Value) -> Result<Answer, String> {
    match (receipt.get("reference"), receipt.get("reasons")) {
        (Some(_), None) => {
            accepted(receipt).map_err(|why| format!("has no usable reference: {why}"))
        }
        (None, Some(Value::Array(_))) => {
            let mut reasons = reasons(receipt);
            if reasons.is_empty() {
                reasons.push("rejected without reasons".into());
            }
            Ok(Answer::Rejected { reasons })
        }
        (None, Some(_)) => Err("holds reasons that are not a list".into()),
        (Some(_), Some(_)) => Err("holds both a reference and reasons".into()),
        (None, None) => Err("holds neither a reference nor reasons".into()),
    }
}
