//! The timeline drawn: who the person is, compactly, a line each; their records newest
//! first, a line each; the decisions that made them one person; and who else they may be,
//! the highlighted one with matching's reasons field by field. The linear mode says the
//! same in labelled lines.

use chrono::{DateTime, Utc};
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::Line;
use ratatui::widgets::{Block, Borders, Paragraph};

use crate::domain::local_time;
use crate::tui::action::Action;
use crate::tui::context::Context;
use crate::tui::keymap::Keymap;
use crate::tui::layout::{
    BLANKED, candidate_line, candidate_parts, fit, linear_list, linear_parts, match_reasons, role,
};
use crate::wire::{PersonEvent, PersonView, TimelineEntry};

use super::state::{PersonScreen, Row, is_undoing};

fn local(at: DateTime<Utc>, format: &str) -> String {
    at.with_timezone(&local_time::ZONE)
        .format(format)
        .to_string()
}

/// The Melbourne date: `02 Oct 2026`.
fn day(at: DateTime<Utc>) -> String {
    local(at, "%d %b %Y")
}

fn words(text: &str) -> String {
    text.replace('_', " ")
}

/// The values of one of the person's details, most used first; `—` when none is known.
fn listed(values: &[String], context: &Context) -> String {
    if values.is_empty() {
        "—".to_string()
    } else if context.privacy {
        BLANKED.to_string()
    } else {
        values.join(" · ")
    }
}

/// Who the person is: each detail with its label.
fn identity(view: &PersonView, context: &Context) -> Vec<(&'static str, String)> {
    vec![
        ("Names", listed(&view.names, context)),
        ("Born", listed(&view.dates_of_birth, context)),
        ("CRIS", listed(&view.cris_numbers, context)),
        ("Phones", listed(&view.phones, context)),
        ("Addresses", listed(&view.addresses, context)),
    ]
}

/// The widths of the record, role and kind columns: the widest of the person's.
fn columns(records: &[TimelineEntry]) -> [usize; 3] {
    let widest = |width: fn(&TimelineEntry) -> usize| records.iter().map(width).max();
    [
        widest(|r| r.record.chars().count()),
        widest(|r| role(&r.role, r.position).chars().count()),
        widest(|r| r.kind.chars().count()),
    ]
    .map(Option::unwrap_or_default)
}

/// A record as a row: `20 Nov 2026 INC-2026-000004 client 1 incident reporting · open ·
/// physical abuse · major`, the outcome last when there is one.
fn record_line(entry: &TimelineEntry, [id, as_, kind]: [usize; 3]) -> String {
    let outcome = entry
        .outcome
        .as_deref()
        .map_or_else(String::new, |o| format!(" · outcome {}", words(o)));
    format!(
        "{} {:<id$} {:<as_$} {:<kind$} {} · {} · {}{outcome}",
        day(entry.at),
        entry.record,
        role(&entry.role, entry.position),
        entry.kind,
        words(&entry.stage),
        entry.status,
        words(&entry.summary),
    )
}

/// A record for the linear mode, a labelled part each.
fn record_parts(entry: &TimelineEntry) -> Vec<String> {
    let mut parts = vec![
        day(entry.at),
        entry.record.clone(),
        format!("as {}", role(&entry.role, entry.position)),
        entry.kind.clone(),
        format!("stage {}", words(&entry.stage)),
        entry.status.clone(),
        words(&entry.summary),
    ];
    if let Some(o) = &entry.outcome {
        parts.push(format!("outcome {}", words(o)));
    }
    parts
}

/// When, what and by whom: `21 Nov 2026 09:15 merged by alice (undone since)`.
fn event_head(event: &PersonEvent, undone: bool) -> String {
    format!(
        "{} {} by {}{}",
        local(event.at, "%d %b %Y %H:%M"),
        event.action.replace('_', " "),
        event.actor,
        if undone { " (undone since)" } else { "" }
    )
}

fn reason(event: &PersonEvent, context: &Context) -> String {
    if context.privacy {
        BLANKED.to_string()
    } else {
        format!("\"{}\"", event.reason)
    }
}

fn mentions(event: &PersonEvent) -> String {
    let what = if matches!(event.action.as_str(), "merged" | "unmerged") {
        "merge"
    } else {
        "decision"
    };
    format!(
        "{} and {} · {what} {}",
        event.mention, event.same_as, event.merge
    )
}

/// A part of the timeline: a heading, a plain line, or a line the highlight can rest on.
enum Item {
    Heading(String),
    Plain(String),
    Row {
        /// Its index among the rows.
        at: usize,
        /// Drawn in the box: its line, then the lines under it, indented.
        lines: Vec<String>,
        /// Said in the linear mode, a labelled part each.
        parts: Vec<String>,
        /// Under it in both: matching's reasons, for the highlighted other.
        reasons: Vec<String>,
    },
}

fn records_heading(view: &PersonView) -> String {
    format!(
        "Records · {}{}, newest first",
        view.records.len(),
        if view.more {
            " (more name them than are shown)"
        } else {
            ""
        }
    )
}

/// The timeline's parts after who the person is.
fn items(screen: &PersonScreen, view: &PersonView, context: &Context) -> Vec<Item> {
    let rows = screen.rows();
    let at = |row: Row| rows.iter().position(|r| *r == row).unwrap_or_default();
    let widths = columns(&view.records);
    let mut items = vec![
        Item::Plain(String::new()),
        Item::Heading(records_heading(view)),
    ];
    if view.records.is_empty() {
        items.push(Item::Plain("None you may see.".into()));
    }
    items.extend(view.records.iter().enumerate().map(|(i, r)| Item::Row {
        at: at(Row::Record(i)),
        lines: vec![record_line(r, widths)],
        parts: record_parts(r),
        reasons: Vec::new(),
    }));
    items.push(Item::Plain(String::new()));
    items.push(Item::Heading(
        "History · decisions on who this person is".into(),
    ));
    if view.history.is_empty() {
        items.push(Item::Plain("No decisions yet.".into()));
    }
    items.extend(view.history.iter().enumerate().map(|(i, e)| {
        let head = event_head(e, !is_undoing(e) && screen.undone(e.merge));
        let why = reason(e, context);
        Item::Row {
            at: at(Row::Event(i)),
            lines: vec![format!("{head}: {why}"), mentions(e)],
            parts: vec![head, format!("reason {why}"), mentions(e)],
            reasons: Vec::new(),
        }
    }));
    items.push(Item::Plain(String::new()));
    items.push(Item::Heading("Who else this may be".into()));
    let others = screen.others();
    match (&screen.candidates, &screen.unmatched) {
        (None, Some(error)) => items.push(Item::Plain(format!(
            "Matching could not be asked ({error}): {} asks again.",
            context.keymap.keys_of(Action::Refresh)
        ))),
        (None, None) => items.push(Item::Plain("Asking matching…".into())),
        (Some(_), _) if others.is_empty() => items.push(Item::Plain(
            "No one else proposed in the records you may see.".into(),
        )),
        (Some(_), _) => {}
    }
    let selected = screen.selected_row();
    items.extend(others.iter().enumerate().map(|(i, c)| {
        let row = Row::Other(i);
        Item::Row {
            at: at(row),
            lines: vec![candidate_line(c)],
            parts: candidate_parts(c),
            // The reasons compare names and dates of birth: identifying.
            reasons: match (selected == Some(row), context.privacy) {
                (false, _) => Vec::new(),
                (true, false) => match_reasons(c),
                (true, true) => vec![BLANKED.to_string()],
            },
        }
    }));
    items
}

fn title(screen: &PersonScreen) -> String {
    format!(" Person {} · timeline ", screen.id)
}

/// Where the person stands when there is no timeline to show: being read, or why they
/// could not be.
fn not_shown(screen: &PersonScreen, context: &Context) -> Vec<String> {
    match &screen.unread {
        None => vec![format!("Reading {}…", screen.id)],
        Some(error) => vec![
            format!("{} could not be read: {error}", screen.id),
            format!(
                "{} reads it again; esc goes back to the search.",
                context.keymap.keys_of(Action::Refresh)
            ),
        ],
    }
}

/// The person was read before but not again: what is shown is as read then.
fn not_read_again(screen: &PersonScreen, context: &Context) -> Option<String> {
    screen.unread.as_ref().map(|error| {
        format!(
            "Not read again ({error}): shown as read before; {} tries again.",
            context.keymap.keys_of(Action::Refresh)
        )
    })
}

/// The title, the lines in `width` columns, and the last line of the highlighted row.
fn body(
    screen: &PersonScreen,
    context: &Context,
    width: usize,
) -> (String, Vec<Line<'static>>, usize) {
    let Some(view) = &screen.view else {
        let lines = not_shown(screen, context)
            .into_iter()
            .map(Line::from)
            .collect();
        return (title(screen), lines, 0);
    };
    let mut lines: Vec<Line<'static>> = not_read_again(screen, context)
        .map(|text| Line::styled(fit(&text, width), context.theme.error))
        .into_iter()
        .collect();
    lines.extend(
        identity(view, context)
            .into_iter()
            .map(|(label, value)| Line::from(fit(&format!("{label:<10} {value}"), width))),
    );
    let mut last = 0;
    for item in items(screen, view, context) {
        match item {
            Item::Heading(text) => {
                lines.push(Line::styled(fit(&text, width), context.theme.header));
            }
            Item::Plain(text) => lines.push(Line::from(fit(&text, width))),
            Item::Row {
                at,
                lines: own,
                reasons,
                ..
            } => {
                let chosen = at == screen.selected;
                let mark = if chosen { "▶" } else { " " };
                for (i, text) in own.iter().chain(&reasons).enumerate() {
                    let line = if i == 0 {
                        fit(&format!("{mark} {text}"), width)
                    } else {
                        fit(&format!("    {text}"), width)
                    };
                    lines.push(if chosen && i == 0 {
                        Line::styled(line, context.theme.selected)
                    } else {
                        Line::from(line)
                    });
                }
                if chosen {
                    last = lines.len() - 1;
                }
            }
        }
    }
    (title(screen), lines, last)
}

/// Drawn from the top, who the person is first; scrolled only as far as the highlighted
/// row and the lines under it need.
pub fn draw(screen: &PersonScreen, context: &Context, frame: &mut Frame, area: Rect) {
    let block = Block::new()
        .borders(Borders::ALL)
        .border_style(context.theme.focus_border);
    let inner = block.inner(area);
    let (title, lines, last) = body(screen, context, usize::from(inner.width));
    let scroll = (last + 1).saturating_sub(usize::from(inner.height));
    frame.render_widget(
        Paragraph::new(lines)
            .block(block.title(title))
            .scroll((u16::try_from(scroll).unwrap_or(u16::MAX), 0)),
        area,
    );
}

/// The timeline for the linear mode: what it is and its keys, who the person is, then a
/// record, a decision or an other a line, cut to what fits in `rows` rows of `width`
/// columns around the highlighted one.
pub fn linear_lines(
    screen: &PersonScreen,
    context: &Context,
    rows: usize,
    width: u16,
) -> Vec<Line<'static>> {
    let keymap = &context.keymap;
    let mut head = vec![
        Line::from(format!("Timeline of person {}:", screen.id)),
        Line::from(format!(
            "Keys: j/k, enter opens the record, {} same person, {} not the same, {} undo a \
             decision, {} read again, esc back to the search.",
            keymap.keys_of(Action::SamePerson),
            keymap.keys_of(Action::DifferentPerson),
            keymap.keys_of(Action::UndoMerge),
            keymap.keys_of(Action::Refresh)
        )),
    ];
    let Some(view) = &screen.view else {
        head.extend(not_shown(screen, context).into_iter().map(Line::from));
        return head;
    };
    head.extend(not_read_again(screen, context).map(Line::from));
    head.extend(
        identity(view, context)
            .into_iter()
            .map(|(label, value)| Line::from(format!("{label}: {value}"))),
    );
    // Headings and plain lines go with the row after them, so that a section is never
    // shown without its heading; what follows the last row is an item of its own.
    let mut list: Vec<Vec<Line<'static>>> = Vec::new();
    let mut pending: Vec<Line<'static>> = Vec::new();
    let mut highlighted = 0;
    for item in items(screen, view, context) {
        match item {
            Item::Heading(text) => pending.push(Line::from(format!("{text}:"))),
            Item::Plain(text) if text.is_empty() => {}
            Item::Plain(text) => pending.push(Line::from(text)),
            Item::Row {
                at, parts, reasons, ..
            } => {
                let chosen = at == screen.selected;
                if chosen {
                    highlighted = list.len();
                }
                let mark = if chosen { "> " } else { "  " };
                let mut lines = std::mem::take(&mut pending);
                lines.extend(linear_parts(mark.to_string(), &parts, "; ", width));
                lines.extend(reasons.into_iter().map(|r| Line::from(format!("    {r}"))));
                list.push(lines);
            }
        }
    }
    if !pending.is_empty() {
        list.push(pending);
    }
    linear_list(head, list, highlighted, rows, width)
}

/// The keys of the timeline, for the hint line.
pub fn hints(keymap: &Keymap) -> String {
    format!(
        "j/k · enter record · {} same · {} not same · {} undo · ? keys · esc back",
        keymap.keys_of(Action::SamePerson),
        keymap.keys_of(Action::DifferentPerson),
        keymap.keys_of(Action::UndoMerge)
    )
}
