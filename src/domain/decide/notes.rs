//! Case notes: added, amended (never overwritten), with protected spans (R-PRIV-6).

use crate::domain::events::Change;
use crate::domain::model::{Record, Span};
use crate::domain::refusal::Refusal;

use super::required_text;

/// Spans lie inside the text, on character boundaries, and do not overlap.
fn check_spans(text: &str, spans: &[Span]) -> Result<Vec<Span>, Refusal> {
    let mut sorted = spans.to_vec();
    sorted.sort_by_key(|s| s.start);
    let mut previous_end = 0;
    for span in &sorted {
        let inside = span.start < span.end && span.end <= text.len();
        if !inside || !text.is_char_boundary(span.start) || !text.is_char_boundary(span.end) {
            return Err(Refusal::rule(
                "R-PRIV-6",
                format!(
                    "protected span {}..{} does not lie on the note's text",
                    span.start, span.end
                ),
            )
            .on_field("protected_spans"));
        }
        if span.start < previous_end {
            return Err(
                Refusal::rule("R-PRIV-6", "protected spans overlap").on_field("protected_spans")
            );
        }
        previous_end = span.end;
    }
    Ok(sorted)
}

pub(super) fn add(record: &Record, text: &str, spans: &[Span]) -> Result<Vec<Change>, Refusal> {
    if text.trim().is_empty() {
        return Err(Refusal::invalid("a note needs some text").on_field("text"));
    }
    let protected_spans = check_spans(text, spans)?;
    let note = u32::try_from(record.notes.len() + 1)
        .map_err(|_| Refusal::invalid("this record has too many notes"))?;
    Ok(vec![Change::NoteAdded {
        note,
        text: text.to_string(),
        protected_spans,
    }])
}

pub(super) fn amend(
    record: &Record,
    note: u32,
    text: &str,
    spans: &[Span],
    reason: &str,
) -> Result<Vec<Change>, Refusal> {
    if !record.notes.iter().any(|n| n.id == note) {
        return Err(Refusal::invalid(format!("there is no note {note}")).on_field("note"));
    }
    if text.trim().is_empty() {
        return Err(Refusal::invalid("an amended note needs some text").on_field("text"));
    }
    let reason = required_text(reason, "reason", None)?;
    let protected_spans = check_spans(text, spans)?;
    Ok(vec![Change::NoteAmended {
        note,
        text: text.to_string(),
        protected_spans,
        reason,
    }])
}
