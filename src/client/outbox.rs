//! Writes made while the server cannot be reached wait here, on disk, and are sent later
//! in the order they were made. Each carries its own idempotency key, and the server
//! honours the key on commands, so a command whose answer was lost lands once however
//! often it is sent.
//!
//! The file holds client data (note text), so it is created readable by its owner only
//! (0600), and a file that others can read is refused rather than used: the data may
//! already have been exposed and the user should know. Every change is written to a
//! temporary file in the same directory, flushed to disk and renamed over the old one, so
//! a crash leaves either the old queue or the new one, never half of one.

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::domain::commands::Command;
use crate::wire::RecordView;

use super::api::{Client, ClientError, new_idempotency_key};

/// One command waiting to be sent.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OutboxEntry {
    /// The idempotency key it is sent with, every time.
    pub key: String,
    pub record_id: String,
    /// The record version the command was made against (`If-Match`).
    pub base_version: u64,
    pub command: Command,
    pub queued_at: DateTime<Utc>,
}

/// A command the record moved past: someone else changed it first.
#[derive(Debug, Clone)]
pub struct OutboxConflict {
    pub entry: OutboxEntry,
    pub current_version: u64,
    /// The record as it stands, when it could be read.
    pub current: Option<RecordView>,
}

/// What a replay did.
#[derive(Debug, Clone, Default)]
pub struct Replay {
    /// Sent and applied (or found already applied), with the record after it.
    pub applied: Vec<(OutboxEntry, RecordView)>,
    /// Stale: set aside in the outbox's conflicts (see [`Outbox::conflicts`]) for the user to
    /// redo ([`Outbox::rebase`]) or drop ([`Outbox::remove`]).
    pub conflicts: Vec<OutboxConflict>,
    /// Refused, forbidden, gone or malformed: removed from the queue; show them.
    pub failures: Vec<(OutboxEntry, ClientError)>,
    /// Why the replay stopped early (offline, logged out, server failing); the entries
    /// not yet sent are still pending.
    pub stopped: Option<ClientError>,
}

#[derive(Debug, thiserror::Error)]
pub enum OutboxError {
    #[error("outbox {}: {source}", path.display())]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error(
        "outbox {} can be read by other users (mode {mode:03o}): it holds client data; check who has read it, then run `chmod 600 {}`",
        path.display(),
        path.display()
    )]
    Exposed { path: PathBuf, mode: u32 },
    #[error("outbox {} is not a valid outbox file: {message}", path.display())]
    Corrupt { path: PathBuf, message: String },
    #[error("no outbox entry with key {0}")]
    NoSuchEntry(String),
}

#[derive(Debug, Default, Serialize, Deserialize)]
struct Contents {
    #[serde(default)]
    pending: Vec<OutboxEntry>,
    #[serde(default)]
    conflicts: Vec<StoredConflict>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
struct StoredConflict {
    entry: OutboxEntry,
    current_version: u64,
}

/// A queue of offline writes backed by one JSON file.
#[derive(Debug)]
pub struct Outbox {
    path: PathBuf,
    contents: Contents,
}

impl Outbox {
    /// Open the outbox at `path`, creating an empty one (mode 0600) if there is none.
    pub fn open(path: impl AsRef<Path>) -> Result<Outbox, OutboxError> {
        let path = path.as_ref().to_path_buf();
        let io = |source| OutboxError::Io {
            path: path.clone(),
            source,
        };
        match fs::metadata(&path) {
            Ok(meta) => {
                check_private(&path, &meta)?;
                let text = fs::read_to_string(&path).map_err(io)?;
                let contents = if text.trim().is_empty() {
                    Contents::default()
                } else {
                    serde_json::from_str(&text).map_err(|e| OutboxError::Corrupt {
                        path: path.clone(),
                        message: e.to_string(),
                    })?
                };
                Ok(Outbox { path, contents })
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                let outbox = Outbox {
                    path,
                    contents: Contents::default(),
                };
                outbox.save()?;
                Ok(outbox)
            }
            Err(e) => Err(io(e)),
        }
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Queue `command` on `record_id` at `base_version`; the entry, with its new key.
    pub fn push(
        &mut self,
        record_id: &str,
        base_version: u64,
        command: Command,
    ) -> Result<OutboxEntry, OutboxError> {
        let entry = OutboxEntry {
            key: new_idempotency_key(),
            record_id: record_id.to_string(),
            base_version,
            command,
            queued_at: Utc::now(),
        };
        self.push_entry(entry.clone())?;
        Ok(entry)
    }

    /// Queue an entry made elsewhere, e.g. one whose first attempt used `entry.key` and
    /// got no answer.
    pub fn push_entry(&mut self, entry: OutboxEntry) -> Result<(), OutboxError> {
        self.contents.pending.push(entry);
        self.save_or_undo(|c| {
            c.pending.pop();
        })
    }

    /// The entries waiting to be sent, oldest first.
    pub fn pending(&self) -> &[OutboxEntry] {
        &self.contents.pending
    }

    /// Entries set aside because the record changed first, with the version it was at.
    pub fn conflicts(&self) -> Vec<(OutboxEntry, u64)> {
        self.contents
            .conflicts
            .iter()
            .map(|c| (c.entry.clone(), c.current_version))
            .collect()
    }

    /// Drop the entry with `key`, pending or set aside; false if there was none.
    pub fn remove(&mut self, key: &str) -> Result<bool, OutboxError> {
        let before = (self.contents.pending.len(), self.contents.conflicts.len());
        let pending = self.contents.pending.clone();
        let conflicts = self.contents.conflicts.clone();
        self.contents.pending.retain(|e| e.key != key);
        self.contents.conflicts.retain(|c| c.entry.key != key);
        if before == (self.contents.pending.len(), self.contents.conflicts.len()) {
            return Ok(false);
        }
        self.save_or_undo(move |c| {
            c.pending = pending;
            c.conflicts = conflicts;
        })?;
        Ok(true)
    }

    /// Put a set-aside entry back at the end of the queue, to be sent at `version` (after
    /// the user has looked at the record as it stands and still wants it).
    pub fn rebase(&mut self, key: &str, version: u64) -> Result<(), OutboxError> {
        let at = self
            .contents
            .conflicts
            .iter()
            .position(|c| c.entry.key == key)
            .ok_or_else(|| OutboxError::NoSuchEntry(key.to_string()))?;
        let conflict = self.contents.conflicts.remove(at);
        let mut entry = conflict.entry.clone();
        entry.base_version = version;
        self.contents.pending.push(entry);
        self.save_or_undo(move |c| {
            c.pending.pop();
            c.conflicts.insert(at, conflict);
        })
    }

    /// Send the pending entries in order (see [`Replay`] for what becomes of each).
    ///
    /// Several commands queued on one record against the same version are a chain made
    /// by this user: once the first lands, the next is sent at the version it produced,
    /// so a user's own earlier command is not taken for someone else's change.
    pub async fn replay(&mut self, client: &Client) -> Result<Replay, OutboxError> {
        let mut replay = Replay::default();
        // Per record: the versions this replay's own commands moved it through, and the
        // newest.
        let mut chain: Vec<(String, Vec<u64>, u64)> = Vec::new();
        while let Some(entry) = self.contents.pending.first().cloned() {
            let link = chain.iter().position(|(id, _, _)| *id == entry.record_id);
            let version = match link.map(|i| &chain[i]) {
                Some((_, seen, newest)) if seen.contains(&entry.base_version) => *newest,
                _ => entry.base_version,
            };
            let result = client
                .command(&entry.record_id, version, &entry.command, &entry.key)
                .await;
            match result {
                Ok(view) => {
                    match link {
                        Some(i) => {
                            let (_, seen, newest) = &mut chain[i];
                            seen.extend([entry.base_version, version, view.version]);
                            *newest = view.version;
                        }
                        None => chain.push((
                            entry.record_id.clone(),
                            vec![entry.base_version, version, view.version],
                            view.version,
                        )),
                    }
                    self.take_first(None)?;
                    replay.applied.push((entry, view));
                }
                Err(ClientError::Conflict { current_version }) => {
                    let current = client.record(&entry.record_id).await.ok();
                    self.take_first(Some(current_version))?;
                    replay.conflicts.push(OutboxConflict {
                        entry,
                        current_version,
                        current,
                    });
                }
                Err(
                    error @ (ClientError::Refused { .. }
                    | ClientError::Forbidden(_)
                    | ClientError::NotFound
                    | ClientError::Invalid(_)),
                ) => {
                    self.take_first(None)?;
                    replay.failures.push((entry, error));
                }
                Err(
                    error @ (ClientError::Offline { .. }
                    | ClientError::Unauthorized
                    | ClientError::Server(_)
                    | ClientError::BadResponse(_)),
                ) => {
                    // Sending again is safe: the key makes a landed command a no-op.
                    replay.stopped = Some(error);
                    break;
                }
            }
        }
        Ok(replay)
    }

    /// Remove the first pending entry; set it aside as a conflict at `conflict` if given.
    fn take_first(&mut self, conflict: Option<u64>) -> Result<(), OutboxError> {
        if self.contents.pending.is_empty() {
            return Ok(());
        }
        let entry = self.contents.pending.remove(0);
        if let Some(current_version) = conflict {
            self.contents.conflicts.push(StoredConflict {
                entry: entry.clone(),
                current_version,
            });
        }
        let had_conflict = conflict.is_some();
        self.save_or_undo(move |c| {
            if had_conflict {
                c.conflicts.pop();
            }
            c.pending.insert(0, entry);
        })
    }

    /// Write the queue; if that fails, put the in-memory queue back as it was on disk.
    fn save_or_undo(&mut self, undo: impl FnOnce(&mut Contents)) -> Result<(), OutboxError> {
        match self.save() {
            Ok(()) => Ok(()),
            Err(e) => {
                undo(&mut self.contents);
                Err(e)
            }
        }
    }

    fn save(&self) -> Result<(), OutboxError> {
        let text = serde_json::to_vec_pretty(&self.contents).map_err(|e| OutboxError::Corrupt {
            path: self.path.clone(),
            message: e.to_string(),
        })?;
        write_private(&self.path, &text).map_err(|source| OutboxError::Io {
            path: self.path.clone(),
            source,
        })
    }
}

#[cfg(unix)]
fn check_private(path: &Path, meta: &fs::Metadata) -> Result<(), OutboxError> {
    use std::os::unix::fs::PermissionsExt;
    let mode = meta.permissions().mode() & 0o777;
    if mode & 0o077 != 0 {
        return Err(OutboxError::Exposed {
            path: path.to_path_buf(),
            mode,
        });
    }
    Ok(())
}

#[cfg(not(unix))]
fn check_private(_path: &Path, _meta: &fs::Metadata) -> Result<(), OutboxError> {
    Ok(())
}

/// Replace `path` with `bytes` atomically: a new file readable by its owner only (0600) in
/// the same directory, written and flushed to disk, then renamed over `path`; the
/// directory is flushed too, so the rename survives a crash.
pub(crate) fn write_private(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let dir = match path.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => dir.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let temp = dir.join(format!(".{name}.{}.tmp", new_idempotency_key()));
    let mut options = fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let written = (|| {
        let mut file = options.open(&temp)?;
        file.write_all(bytes)?;
        file.sync_all()?;
        drop(file);
        fs::rename(&temp, path)
    })();
    if let Err(e) = written {
        let _ = fs::remove_file(&temp);
        return Err(e);
    }
    #[cfg(unix)]
    if let Ok(dir) = fs::File::open(&dir) {
        // Best effort: some file systems do not sync directories.
        let _ = dir.sync_all();
    }
    Ok(())
}
