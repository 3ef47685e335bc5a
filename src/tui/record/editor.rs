//! The note editor's model: the text, the passages marked protected and the category.

use crate::domain::policy::Policy;

/// The note being written: soft-wrapped, multi-line.
#[derive(Debug, Clone)]
pub struct NoteEditor {
    pub record_id: String,
    pub version: u64,
    pub textarea: ratatui_textarea::TextArea<'static>,
    /// Passages marked protected (R-PRIV-6), found again in the text when it is sent, so
    /// editing elsewhere never shifts them.
    pub protected: Vec<String>,
    /// The note this amends, if it is an amendment (a new revision; nothing is overwritten).
    pub amends: Option<u32>,
    /// The note's category (R-NOTE-CAT) as (id, name); the policy's default when `None`.
    pub category: Option<(String, String)>,
}

impl NoteEditor {
    pub fn new(record_id: &str, version: u64, draft: Option<&str>) -> NoteEditor {
        let lines = draft
            .map(|d| d.lines().map(String::from).collect())
            .unwrap_or_default();
        let mut textarea = ratatui_textarea::TextArea::new(lines);
        textarea.set_wrap_mode(ratatui_textarea::WrapMode::WordOrGlyph);
        textarea.move_cursor(ratatui_textarea::CursorMove::Bottom);
        textarea.move_cursor(ratatui_textarea::CursorMove::End);
        NoteEditor {
            record_id: record_id.to_string(),
            version,
            textarea,
            protected: Vec::new(),
            amends: None,
            category: None,
        }
    }

    /// The next of the policy's note categories after the one chosen, back to the first.
    pub fn next_category(&mut self, policy: &Policy) {
        let categories = &policy.note_categories;
        let at = self
            .category
            .as_ref()
            .and_then(|(id, _)| categories.iter().position(|c| &c.id == id));
        let next = at.map_or(0, |i| (i + 1) % categories.len().max(1));
        self.category = categories.get(next).map(|c| (c.id.clone(), c.name.clone()));
    }

    /// What the editor's title calls the note.
    pub fn category_name(&self) -> &str {
        self.category
            .as_ref()
            .map_or("note", |(_, name)| name.as_str())
    }

    /// The selected text, if a selection is under way and not empty.
    pub fn selected(&self) -> Option<String> {
        let ((r1, c1), (r2, c2)) = self.textarea.selection_range()?;
        let lines = self.textarea.lines();
        let mut out = String::new();
        for row in r1..=r2 {
            let line = lines.get(row)?;
            let from = if row == r1 { c1 } else { 0 };
            let to = if row == r2 { c2 } else { line.chars().count() };
            out.extend(line.chars().skip(from).take(to.saturating_sub(from)));
            if row < r2 {
                out.push('\n');
            }
        }
        (!out.trim().is_empty()).then_some(out)
    }

    /// The byte spans of the protected passages in `text`; the first passage no longer
    /// found is the error.
    pub fn spans(&self, text: &str) -> Result<Vec<crate::domain::model::Span>, String> {
        let mut ranges: Vec<(usize, usize)> = Vec::new();
        for passage in &self.protected {
            let found: Vec<(usize, usize)> = text
                .match_indices(passage.as_str())
                .map(|(at, m)| (at, at + m.len()))
                .collect();
            if found.is_empty() {
                return Err(passage.clone());
            }
            ranges.extend(found);
        }
        ranges.sort_unstable();
        let mut merged: Vec<(usize, usize)> = Vec::new();
        for (start, end) in ranges {
            match merged.last_mut() {
                Some(last) if start <= last.1 => last.1 = last.1.max(end),
                _ => merged.push((start, end)),
            }
        }
        Ok(merged
            .into_iter()
            .map(|(start, end)| crate::domain::model::Span { start, end })
            .collect())
    }

    pub fn text(&self) -> String {
        self.textarea.lines().join("\n")
    }
}
