//! Drawing helpers the screens share: overlays, the hints line, and how deadlines and
//! masked values read. Deadlines read as text and symbol (`OVERDUE 1d`, `!! 2h13m`), never
//! colour alone; masked values are drawn as such, in their own style.

use chrono::{DateTime, Utc};
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph};
use serde_json::Value;

use super::context::Context;
use crate::wire::Candidate;

/// The marker drawn for a value the caller may not see.
pub const MASKED: &str = "▒▒▒ protected";

/// What identifying details read as behind the privacy screen.
pub const BLANKED: &str = "░░░░";

/// `text` in `width` characters: whole, or cut with `…` so the cut shows.
pub fn fit(text: &str, width: usize) -> String {
    if text.chars().count() <= width {
        text.to_string()
    } else {
        let mut cut: String = text.chars().take(width.saturating_sub(1)).collect();
        cut.push('…');
        cut
    }
}

/// `2h13m`, `1d4h`, `45m`; from ten days on, days alone (`12d`), so a figure always fits
/// its column whole.
pub fn span_of(seconds: i64) -> String {
    let minutes = seconds.abs() / 60;
    let (d, h, m) = (minutes / 1440, (minutes % 1440) / 60, minutes % 60);
    if d >= 10 {
        format!("{d}d")
    } else if d > 0 {
        format!("{d}d{h}h")
    } else if h > 0 {
        format!("{h}h{m:02}m")
    } else {
        format!("{m}m")
    }
}

/// The row's urgency in words: `OVERDUE 1d2h`, `!! 2h13m` (due within a day), `soon 3d4h`
/// (in its at-risk band), `5d3h`, `—`.
pub fn due_text(
    next_due: Option<DateTime<Utc>>,
    at_risk_from: Option<DateTime<Utc>>,
    now: DateTime<Utc>,
) -> String {
    match next_due {
        None => "—".to_string(),
        Some(due) => {
            let left = (due - now).num_seconds();
            if left < 0 {
                format!("OVERDUE {}", span_of(left))
            } else if left < 24 * 3600 {
                format!("!! {}", span_of(left))
            } else if at_risk_from.is_some_and(|from| from <= now) {
                format!("soon {}", span_of(left))
            } else {
                span_of(left)
            }
        }
    }
}

/// The widest deadline figure `due_text` writes (`OVERDUE 99999d`): the queue's Due
/// column is at least this wide.
pub const DUE_WIDTH: u16 = 14;

/// A value from a masked record: plain text, or the masked marker's display form.
fn shown(value: Option<&Value>) -> (String, bool) {
    match value {
        Some(Value::String(s)) => (s.clone(), false),
        Some(Value::Object(o)) if o.contains_key("masked") => (
            o.get("display")
                .and_then(Value::as_str)
                .map_or_else(|| MASKED.to_string(), String::from),
            true,
        ),
        Some(Value::Null) | None => ("—".to_string(), false),
        Some(other) => (other.to_string(), false),
    }
}

/// A value as drawn: blanked behind the privacy screen, masked values in their own style.
pub fn cell(value: Option<&Value>, context: &Context) -> Span<'static> {
    if context.privacy {
        return Span::styled("░░░░", context.theme.masked);
    }
    let (text, masked) = shown(value);
    if masked {
        Span::styled(text, context.theme.masked)
    } else {
        Span::raw(text)
    }
}

/// The hints line: the message when there is one, else the keys of what is on screen.
pub fn draw_hints(message: Option<&str>, keys: &str, frame: &mut Frame, area: Rect) {
    frame.render_widget(Paragraph::new(message.unwrap_or(keys)), area);
}

/// A box of at most `width` × `height`, centred in `area`.
pub fn overlay(area: Rect, width: u16, height: u16) -> Rect {
    let w = width.min(area.width.saturating_sub(2));
    let h = height.min(area.height.saturating_sub(2));
    Rect::new(
        area.x + (area.width - w) / 2,
        area.y + (area.height - h) / 2,
        w,
        h,
    )
}

/// Marks a reminder whose time has come (the words say it too); `◦` one still to come.
pub const REMINDER_DUE: &str = "◷";
pub const REMINDER_SET: &str = "◦";

/// How a value withheld from the user is drawn: its class, never its content (R-PRIV-9).
pub fn withheld(class: &str) -> String {
    format!("▒▒▒ {class}")
}

/// A value the server may have masked, as the user may read it: the text, or what is
/// withheld.
pub fn readable(value: &Value) -> String {
    match value {
        Value::String(text) => text.clone(),
        other => other
            .get("masked")
            .and_then(Value::as_str)
            .map_or_else(|| "▒▒▒".to_string(), withheld),
    }
}

/// One event of a record's history in a line: when, by whom, what (`Tue 24 Nov 09:00
/// tess       note added`). A change the user may not see reads as withheld.
pub fn event_line(event: &Value) -> String {
    let at = event
        .get("at")
        .and_then(Value::as_str)
        .and_then(|t| DateTime::parse_from_rfc3339(t).ok())
        .map(|t| {
            t.with_timezone(&crate::domain::local_time::ZONE)
                .format("%a %-d %b %H:%M")
                .to_string()
        })
        .unwrap_or_default();
    let by = event.get("by").and_then(Value::as_str).unwrap_or("?");
    let change = event.get("change");
    let kind = change
        .and_then(|c| c.get("event"))
        .and_then(Value::as_str)
        .unwrap_or("?")
        .replace('_', " ");
    let detail = change
        .and_then(|c| {
            c.get("item")
                .or_else(|| c.get("to"))
                .or_else(|| c.get("milestone"))
                .or_else(|| c.get("incident"))
        })
        .and_then(Value::as_str)
        .map(|d| format!(": {}", d.replace('_', " ")))
        .unwrap_or_default();
    // R-PRIV-9: a change the user may not see travels as a marker in its place.
    let (kind, detail) = match change.and_then(|c| c.get("masked")).and_then(Value::as_str) {
        Some(class) => (
            "change withheld".to_string(),
            format!(": {}", withheld(class)),
        ),
        None => (kind, detail),
    };
    format!("{at:<16} {by:<10} {kind}{detail}")
}

/// Why matching proposed a person, a line a field — `family name near (smith ~ smyth)` —
/// and the cap that kept twins and siblings from likely, if it did (R-PERSON-2).
pub fn match_reasons(candidate: &Candidate) -> Vec<String> {
    let reason = |field: &Value| {
        let text = |k: &str| {
            field
                .get(k)
                .and_then(Value::as_str)
                .unwrap_or("")
                .to_string()
        };
        let detail = field
            .get("detail")
            .and_then(Value::as_str)
            .map_or(String::new(), |d| format!(", {d}"));
        format!(
            "{} {} ({} ~ {}{detail})",
            text("field").replace('_', " "),
            text("reason"),
            text("left"),
            text("right")
        )
    };
    let explanation = &candidate.explanation;
    let mut lines: Vec<String> = explanation
        .get("fields")
        .and_then(Value::as_array)
        .map(|fields| {
            fields
                .iter()
                // A field neither side knows says nothing.
                .filter(|f| {
                    let empty = |k: &str| f.get(k).and_then(Value::as_str).unwrap_or("").is_empty();
                    !(empty("left") && empty("right"))
                })
                .map(reason)
                .collect()
        })
        .unwrap_or_default();
    if explanation.get("capped").is_some_and(|v| !v.is_null()) {
        lines.push(
            "never likely: same family and birth date or address, other given names (twins or siblings)"
                .to_string(),
        );
    }
    lines
}

/// A person's role in a record and their place among those in it: `child 1`.
pub fn role(role: &str, position: usize) -> String {
    format!("{role} {}", position + 1)
}

/// Someone matching proposes, in a line: `likely    14.2  INT-2026-000001  child 1  · in 3
/// record(s)`.
pub fn candidate_line(c: &Candidate) -> String {
    format!(
        "{:<8} {:>5.1}  {}  {}  · in {} record(s){}",
        band(c),
        c.score,
        c.record,
        role(&c.role, c.position),
        c.records,
        kept_apart(c).map(|k| format!(" · {k}")).unwrap_or_default()
    )
}

/// A candidate's band; "apart" for one decided not to be the person asked about.
fn band(c: &Candidate) -> &str {
    if c.kept_apart.is_some() {
        "apart"
    } else {
        &c.band
    }
}

/// The standing decision that a candidate is not the person asked about (R-PERSON-2).
fn kept_apart(c: &Candidate) -> Option<String> {
    c.kept_apart
        .as_ref()
        .map(|k| format!("not this person: decision {} by {}", k.decision, k.actor))
}

/// Someone matching proposes, for the linear mode, a labelled part each.
pub fn candidate_parts(c: &Candidate) -> Vec<String> {
    let mut parts = vec![
        band(c).to_string(),
        format!("score {:.1}", c.score),
        c.record.clone(),
        format!("as {}", role(&c.role, c.position)),
        format!("in {} record(s)", c.records),
    ];
    parts.extend(kept_apart(c));
    parts
}

/// A screen that is a list of entries of several lines each, in a focused box: scrolled so
/// that the highlighted entry's first line (`selected_line`) stays on screen.
pub fn scrolled_list(
    title: String,
    lines: Vec<Line<'static>>,
    selected_line: usize,
    context: &Context,
    frame: &mut Frame,
    area: Rect,
) {
    let block = Block::new()
        .borders(Borders::ALL)
        .border_style(context.theme.focus_border)
        .title(title);
    let inner_height = usize::from(block.inner(area).height).max(1);
    let scroll = selected_line.saturating_sub(inner_height / 3);
    frame.render_widget(
        Paragraph::new(lines)
            .block(block)
            .scroll((u16::try_from(scroll).unwrap_or(u16::MAX), 0)),
        area,
    );
}

/// The rows `text` takes once wrapped at spaces in `width` columns, as the linear mode
/// wraps its lines.
fn wrapped_rows(text: &str, width: usize) -> usize {
    let width = width.max(1);
    let (mut rows, mut used) = (1, 0);
    for word in text.split(' ') {
        let len = word.chars().count();
        if used == 0 {
            used = len;
        } else if used + 1 + len <= width {
            used += 1 + len;
        } else {
            rows += 1;
            used = len;
        }
        // A word wider than a row is broken over rows of its own.
        while used > width {
            rows += 1;
            used -= width;
        }
    }
    rows
}

/// The rows `lines` take once wrapped in `width` columns.
pub fn linear_rows(lines: &[Line], width: u16) -> usize {
    lines
        .iter()
        .map(|line| wrapped_rows(&line.to_string(), usize::from(width)))
        .sum()
}

/// `lead` and then `parts` joined by `sep`, in lines of `width` columns broken between
/// parts only, so that a part (a period and its count) is never split; the lines after the
/// first indented.
pub fn linear_parts(lead: String, parts: &[String], sep: &str, width: u16) -> Vec<Line<'static>> {
    const INDENT: &str = "    ";
    let width = usize::from(width);
    let mut lines = Vec::new();
    let mut line = lead;
    for (i, part) in parts.iter().enumerate() {
        let start = i == 0;
        let joined = if start { 0 } else { sep.chars().count() };
        // A part with more after it takes the separator that ends its line.
        let closing = if i + 1 < parts.len() {
            sep.trim_end().chars().count()
        } else {
            0
        };
        let fits = line.chars().count() + joined + part.chars().count() + closing <= width;
        if !start && !fits {
            line.push_str(sep.trim_end());
            lines.push(Line::from(std::mem::replace(&mut line, INDENT.to_string())));
        } else if !start {
            line.push_str(sep);
        }
        line.push_str(part);
    }
    lines.push(Line::from(line));
    lines
}

/// A list in the linear mode: `head`, then as many of `items` (each of its lines) as fit
/// in `rows` rows of `width` columns, the highlighted one (`at`) among them with as many
/// before it as fit, as the boxed lists scroll.
pub fn linear_list(
    head: Vec<Line<'static>>,
    items: Vec<Vec<Line<'static>>>,
    at: usize,
    rows: usize,
    width: u16,
) -> Vec<Line<'static>> {
    let height = |item: &Vec<Line>| linear_rows(item, width);
    let rows = rows.saturating_sub(linear_rows(&head, width));
    let at = at.min(items.len().saturating_sub(1));
    let mut first = at;
    let mut used = items.get(at).map_or(0, height);
    while let Some(before) = first.checked_sub(1).and_then(|i| items.get(i)) {
        if used + height(before) > rows {
            break;
        }
        used += height(before);
        first -= 1;
    }
    let mut shown = 0;
    let mut used = 0;
    for item in items.iter().skip(first) {
        used += height(item);
        if shown > 0 && used > rows {
            break;
        }
        shown += 1;
    }
    head.into_iter()
        .chain(items.into_iter().skip(first).take(shown).flatten())
        .collect()
}
