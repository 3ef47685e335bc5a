//! Note drafts, saved as they are typed (0600, in the data directory) so that a crash or a
//! dropped SSH link loses nothing: they are offered back on the next start.

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};

use super::session::{SessionError, save_private};

/// Record ids name the files, so only plain ids are accepted.
fn file_name(record_id: &str) -> Option<String> {
    let plain = !record_id.is_empty()
        && record_id.len() <= 64
        && record_id
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
    plain.then(|| format!("{record_id}.txt"))
}

pub struct Drafts {
    dir: PathBuf,
}

impl Drafts {
    pub fn new(dir: impl AsRef<Path>) -> Drafts {
        Drafts {
            dir: dir.as_ref().to_path_buf(),
        }
    }

    /// Keep the draft of a note on a record (an empty text removes it).
    pub fn save(&self, record_id: &str, text: &str) -> Result<(), SessionError> {
        let Some(name) = file_name(record_id) else {
            return Ok(());
        };
        if text.trim().is_empty() {
            return self.remove(record_id);
        }
        save_private(&self.dir.join(name), text.as_bytes())
    }

    pub fn remove(&self, record_id: &str) -> Result<(), SessionError> {
        let Some(name) = file_name(record_id) else {
            return Ok(());
        };
        let path = self.dir.join(name);
        match fs::remove_file(&path) {
            Ok(()) => Ok(()),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
            Err(source) => Err(SessionError::Io { path, source }),
        }
    }

    /// Every draft kept, by record id.
    pub fn load_all(&self) -> BTreeMap<String, String> {
        let Ok(entries) = fs::read_dir(&self.dir) else {
            return BTreeMap::new();
        };
        entries
            .filter_map(Result::ok)
            .filter_map(|entry| {
                let name = entry.file_name().into_string().ok()?;
                let id = name.strip_suffix(".txt")?.to_string();
                file_name(&id)?;
                let text = fs::read_to_string(entry.path()).ok()?;
                Some((id, text))
            })
            .collect()
    }
}
