//! What each visibility class may search a record by (R-PRIV-8, R-PRIV-4).
//!
//! A caller's search must find a record by what that caller may see of it and by nothing
//! else, and must not fail to find it because of a hidden value either. So the text a
//! class searches is made from the record *as masked for that class* — the same masking a
//! read goes through — never from raw text with a list of words to refuse. The store
//! keeps one text per class and matches a caller's words against their class's text only.

use chrono::NaiveDate;
use serde_json::Value;

use super::terms::tokens;
use super::{MaskContext, ProtectedTerms, View, Visibility, mask_as};
use crate::domain::model::Record;
use crate::domain::policy::Policy;

/// A record's search text for each visibility class, lower-cased.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SearchText {
    /// As seen by a caller who may see neither identifying nor protected fields.
    pub open: String,
    /// As seen by a caller who may see identifying and cultural fields, not protected ones.
    pub identifying: String,
    /// Everything, for protective interveners.
    pub protected: String,
    /// Every word the record holds anywhere, folded, in order: where a newly protected
    /// string is looked for as a phrase, so the records that hold it, and only those, are
    /// found through an index.
    pub words: String,
}

/// Strings under these keys are not searched: times, authors and bookkeeping codes.
fn not_searched(key: &str) -> bool {
    matches!(
        key,
        "at" | "by"
            | "created_by"
            | "raised_by"
            | "policy"
            | "kind"
            | "status"
            | "state"
            | "event"
            | "until"
            | "from"
    ) || key.ends_with("_at")
}

/// Every searchable string of a JSON value, one per line. Masked markers stand for
/// nothing a caller may search by, so they are left out.
fn collect(value: &Value, key: &str, out: &mut String) {
    match value {
        Value::String(text) if !not_searched(key) => {
            out.push_str(text);
            out.push('\n');
        }
        Value::Array(items) => {
            for item in items {
                collect(item, key, out);
            }
        }
        Value::Object(map) if !map.contains_key("masked") => {
            for (key, child) in map {
                collect(child, key, out);
            }
        }
        _ => {}
    }
}

fn searchable(value: &Value) -> String {
    let mut out = String::new();
    collect(value, "", &mut out);
    out.to_lowercase()
}

/// Every word of every string of the value, folded as protected strings are matched.
fn words(value: &Value, out: &mut Vec<String>) {
    match value {
        Value::String(text) => out.extend(tokens(text).into_iter().map(|t| t.text)),
        Value::Array(items) => items.iter().for_each(|item| words(item, out)),
        Value::Object(map) => map.values().for_each(|child| words(child, out)),
        _ => {}
    }
}

/// The search text of each class for `record`, with the protected strings known now.
pub fn search_text(record: &Record, policy: &Policy, terms: &ProtectedTerms) -> SearchText {
    let ctx = MaskContext {
        // Ages appear only in masked markers, which are not searched.
        today: NaiveDate::MIN,
        protected_terms: terms,
    };
    let masked = |protected, identifying| {
        mask_as(
            View::Record(record),
            Visibility {
                protected,
                identifying,
            },
            policy,
            &ctx,
        )
        .value
    };
    let raw = masked(true, true);
    let mut all = Vec::new();
    words(&raw, &mut all);
    SearchText {
        open: searchable(&masked(false, false)),
        identifying: searchable(&masked(false, true)),
        protected: searchable(&raw),
        words: all.join(" "),
    }
}
