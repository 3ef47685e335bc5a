//! Case notes: added, amended (never overwritten), with protected spans (R-PRIV-6).

use crate::domain::events::Change;
use crate::domain::model::{Record, Span};
use crate::domain::policy::DEFAULT_NOTE_CATEGORY;
use crate::domain::refusal::Refusal;

use super::{Ctx, applies, required_text};

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

/// A new note of a category the policy knows (R-NOTE-CAT), where that category may be
/// written; it ticks the open items its category evidences that the author may tick.
pub(super) fn add(
    ctx: &Ctx<'_>,
    record: &Record,
    text: &str,
    spans: &[Span],
    category: Option<&str>,
) -> Result<Vec<Change>, Refusal> {
    if text.trim().is_empty() {
        return Err(Refusal::invalid("a note needs some text").on_field("text"));
    }
    let protected_spans = check_spans(text, spans)?;
    let id = category.map_or(DEFAULT_NOTE_CATEGORY, str::trim);
    let category = ctx.policy.note_category(id).ok_or_else(|| {
        Refusal::rule(
            "R-NOTE-CAT",
            format!(
                "{id:?} is not a note category; the categories are: {}",
                ctx.policy
                    .note_categories
                    .iter()
                    .map(|c| c.id.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        )
        .on_field("category")
    })?;
    if !applies(ctx, record, category.when)? {
        return Err(Refusal::rule(
            "R-NOTE-CAT",
            format!("a {} is not written on this record", category.name),
        )
        .on_field("category"));
    }
    let note = u32::try_from(record.notes.len() + 1)
        .map_err(|_| Refusal::invalid("this record has too many notes"))?;
    let mut changes = vec![Change::NoteAdded {
        note,
        text: text.to_string(),
        protected_spans,
        category: (category.id != DEFAULT_NOTE_CATEGORY).then(|| category.id.clone()),
    }];
    // What the note evidences is ticked only where a tick would be accepted on its own;
    // the note stands either way.
    for item in &category.evidences {
        if ctx.policy.item(record.kind(), item).is_some()
            && let Ok(ticked) = super::checklist::tick(ctx, record, item)
        {
            changes.extend(ticked);
        }
    }
    Ok(changes)
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
