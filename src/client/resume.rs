//! Where the app was left — the view, the filter, the sort, the highlighted record and its
//! tab — kept in a 0600 file in the data directory so that a restart comes back to it.
//! Nothing identifying is kept: of the filter only its structured terms (`impact:major`,
//! `due:<24h`), never its free words, which may be a client's name; the highlighted record
//! by its id alone.

use std::fs;
use std::path::Path;

use serde::{Deserialize, Serialize};

use super::session::{SessionError, save_private};
use crate::domain::query;

/// The longest text any field may hold; a longer one makes the file unusable, not cut.
const MAX_FIELD: usize = query::MAX_QUERY_CHARS;

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Resume {
    /// The view tab's title.
    pub view: String,
    /// The structured terms of the filter typed on top of the view's.
    #[serde(default)]
    pub filter: String,
    /// The sort's name (`due`, `updated` …).
    #[serde(default)]
    pub sort: String,
    /// The highlighted record's id.
    #[serde(default)]
    pub selected: Option<String>,
    /// The record pane's tab, when the record was open.
    #[serde(default)]
    pub record_tab: Option<String>,
}

/// Why the kept place cannot be used; the app then starts where it always does.
#[derive(Debug, thiserror::Error)]
pub enum ResumeError {
    #[error("{}: {source}", path.display())]
    Read {
        path: std::path::PathBuf,
        source: std::io::Error,
    },
    #[error("{}: not a place the app was left at ({problem}); starting afresh", path.display())]
    Invalid {
        path: std::path::PathBuf,
        problem: String,
    },
}

/// A record id as the server makes them: letters, digits and dashes.
fn plain_id(id: &str) -> bool {
    !id.is_empty()
        && id.len() <= 64
        && id
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
}

/// The structured terms of a filter, without its free words or quoted phrases; empty when
/// what is left is not a filter.
pub fn structured_terms(filter: &str) -> String {
    let mut quoted = false;
    let mut kept = Vec::new();
    for word in filter.split_whitespace() {
        let quotes = word.matches('"').count();
        let inside = quoted || quotes > 0;
        if quotes % 2 == 1 {
            quoted = !quoted;
        }
        if !inside && (word.contains(':') || word == "overdue") {
            kept.push(word);
        }
    }
    let terms = kept.join(" ");
    match query::parse(&terms) {
        Ok(f) if f.text.is_empty() => terms,
        _ => String::new(),
    }
}

impl Resume {
    /// The place kept at `path`: none when nothing was kept.
    pub fn load(path: &Path) -> Result<Option<Resume>, ResumeError> {
        let text = match fs::read_to_string(path) {
            Ok(text) => text,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(source) => {
                return Err(ResumeError::Read {
                    path: path.to_path_buf(),
                    source,
                });
            }
        };
        let invalid = |problem: String| ResumeError::Invalid {
            path: path.to_path_buf(),
            problem,
        };
        let resume: Resume = toml::from_str(&text).map_err(|e| invalid(e.message().to_string()))?;
        let too_long = [&resume.view, &resume.filter, &resume.sort]
            .into_iter()
            .chain(resume.record_tab.as_ref())
            .any(|field| field.chars().count() > MAX_FIELD);
        if too_long {
            return Err(invalid(format!(
                "a field is longer than {MAX_FIELD} characters"
            )));
        }
        if let Some(id) = resume.selected.as_deref().filter(|id| !plain_id(id)) {
            return Err(invalid(format!("{id:?} is not a record id")));
        }
        if structured_terms(&resume.filter) != resume.filter {
            return Err(invalid(format!(
                "the filter {:?} is not structured terms alone",
                resume.filter
            )));
        }
        Ok(Some(resume))
    }

    /// Keep the place at `path` (0600), the filter reduced to its structured terms.
    pub fn save(&self, path: &Path) -> Result<(), SessionError> {
        let kept = Resume {
            filter: structured_terms(&self.filter),
            selected: self.selected.clone().filter(|id| plain_id(id)),
            ..self.clone()
        };
        let text = toml::to_string(&kept).map_err(|e| SessionError::Io {
            path: path.to_path_buf(),
            source: std::io::Error::other(e),
        })?;
        save_private(path, text.as_bytes())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn free_words_and_phrases_are_never_kept_only_structured_terms() {
        assert_eq!(
            structured_terms("impact:major \"Jordan Smith\" smith due:<24h overdue"),
            "impact:major due:<24h overdue"
        );
        assert_eq!(structured_terms("\"a: b\" casey"), "");
        assert_eq!(
            structured_terms("colour:red"),
            "",
            "not a filter: nothing kept"
        );
    }

    #[test]
    fn a_kept_place_comes_back_and_a_tampered_one_is_refused_by_name() {
        let dir = tempfile::tempdir().expect("dir");
        let path = dir.path().join("resume.toml");
        assert_eq!(Resume::load(&path).expect("no file"), None);
        let place = Resume {
            view: "Intake".into(),
            filter: "kind:intake Casey".into(),
            sort: "updated".into(),
            selected: Some("INT-26-000077".into()),
            record_tab: Some("Notes".into()),
        };
        place.save(&path).expect("saved");
        let back = Resume::load(&path).expect("loads").expect("kept");
        assert_eq!(back.filter, "kind:intake", "the name typed is not kept");
        assert_eq!(back.selected.as_deref(), Some("INT-26-000077"));
        let text = fs::read_to_string(&path).expect("read");
        assert!(!text.contains("Casey"));
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = fs::metadata(&path).expect("meta").permissions().mode() & 0o777;
            assert_eq!(mode, 0o600);
        }
        for bad in [
            "view = \"All\"\nselected = \"../../etc/passwd\"\n",
            "view = \"All\"\nfilter = \"jordan\"\n",
            "view = \"All\"\ncolour = \"red\"\n",
            "not toml at all",
        ] {
            fs::write(&path, bad).expect("write");
            let e = Resume::load(&path).expect_err(bad).to_string();
            assert!(
                e.contains("resume.toml") && e.contains("starting afresh"),
                "{e}"
            );
        }
    }
}
