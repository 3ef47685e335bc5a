//! `view(state, frame)`: draws the model and changes nothing. Only the rows on screen are
//! built. Deadlines read as text and symbol (`OVERDUE 1d`, `!! 2h13m`), never colour alone;
//! masked values are drawn as such, in their own style.

use chrono::{DateTime, Utc};
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, Paragraph, Row, Table, Tabs, Wrap};
use serde_json::Value;

use crate::domain::deadlines::Status;
use crate::wire::QueueRow;

use super::action::REGISTRY;
use super::analysis_view;
use super::state::{Connection, Focus, Mode, RecordTab, State};
use super::update::palette_matches;

/// The marker drawn for a value the caller may not see.
pub const MASKED: &str = "▒▒▒ protected";

/// `2h13m`, `1d4h`, `45m`.
fn span_of(seconds: i64) -> String {
    let minutes = seconds.abs() / 60;
    let (d, h, m) = (minutes / 1440, (minutes % 1440) / 60, minutes % 60);
    if d > 0 {
        format!("{d}d{h}h")
    } else if h > 0 {
        format!("{h}h{m:02}m")
    } else {
        format!("{m}m")
    }
}

/// The row's urgency in words: `OVERDUE 1d2h`, `!! 2h13m` (due within a day), `5d3h`, `—`.
pub fn due_text(next_due: Option<DateTime<Utc>>, now: DateTime<Utc>) -> String {
    match next_due {
        None => "—".to_string(),
        Some(due) => {
            let left = (due - now).num_seconds();
            if left < 0 {
                format!("OVERDUE {}", span_of(left))
            } else if left < 24 * 3600 {
                format!("!! {}", span_of(left))
            } else {
                span_of(left)
            }
        }
    }
}

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

fn cell(value: Option<&Value>, state: &State) -> Span<'static> {
    if state.privacy {
        return Span::styled("░░░░", state.theme.masked);
    }
    let (text, masked) = shown(value);
    if masked {
        Span::styled(text, state.theme.masked)
    } else {
        Span::raw(text)
    }
}

/// The style of a due text: overdue and due-within-a-day stand out (the text says so too).
fn due_style(text: &str, state: &State) -> Style {
    if text.starts_with("OVERDUE") {
        state.theme.overdue
    } else if text.starts_with("!!") {
        state.theme.due_soon
    } else {
        Style::new()
    }
}

/// The smallest terminal the app lays its screen out in.
pub const MIN_SIZE: (u16, u16) = (80, 24);

pub fn view(state: &State, frame: &mut Frame) {
    let area = frame.area();
    if area.width < MIN_SIZE.0 || area.height < MIN_SIZE.1 {
        draw_too_small(frame, area);
        return;
    }
    let [top, queue, detail, hints] = Layout::vertical([
        Constraint::Length(1),
        Constraint::Percentage(45),
        Constraint::Min(6),
        Constraint::Length(1),
    ])
    .areas(area);
    draw_tabs(state, frame, top);
    let screen = top.union(hints).inner(ratatui::layout::Margin::new(0, 1));
    let closing_action = matches!(
        &state.mode,
        Mode::Reason(super::state::ReasonFor::CloseAction { .. }, _)
    );
    if state.mode == Mode::Trends {
        analysis_view::draw_trends(state, frame, screen);
        draw_screen_hints(state, &analysis_view::trends_hints(state), frame, hints);
    } else if state.mode == Mode::Actions || closing_action {
        analysis_view::draw_actions(state, frame, screen);
        draw_screen_hints(state, analysis_view::actions_hints(), frame, hints);
    } else {
        draw_queue(state, frame, queue);
        draw_record(state, frame, detail);
        if state.mode == Mode::Note
            && let Some(editor) = &state.editor
        {
            draw_editor(state, editor, frame, detail);
        }
        draw_hints(state, frame, hints);
    }
    match &state.mode {
        Mode::Help => draw_help(state, frame, area),
        Mode::Palette(text, index) => draw_palette(state, frame, area, text, *index),
        Mode::Pick(text, index) => {
            let rect = overlay(area, 60, 14);
            let mut lines = vec![Line::from(format!("assign to: {text}▏"))];
            for (i, c) in super::update::pick_matches(state, text)
                .iter()
                .take(12)
                .enumerate()
            {
                let line = format!("{:<24} {} ({})", c.display_name, c.user, c.organisation);
                lines.push(if i == *index {
                    Line::styled(line, state.theme.selected)
                } else {
                    Line::from(line)
                });
            }
            frame.render_widget(Clear, rect);
            frame.render_widget(
                Paragraph::new(lines).block(
                    Block::new()
                        .borders(Borders::ALL)
                        .title(" assign · enter chooses · esc cancels "),
                ),
                rect,
            );
        }
        Mode::Confirm(question, _) => {
            let lines = question.chars().count().div_ceil(58);
            let rect = overlay(area, 60, u16::try_from(lines + 2).unwrap_or(3).min(10));
            frame.render_widget(Clear, rect);
            frame.render_widget(
                Paragraph::new(question.as_str())
                    .wrap(Wrap { trim: true })
                    .block(
                        Block::new()
                            .borders(Borders::ALL)
                            .border_style(state.theme.focus_border),
                    ),
                rect,
            );
        }
        Mode::Form => {
            if let Some(form) = &state.form {
                draw_form(state, form, frame, area);
            }
        }
        Mode::Reason(purpose, reason) => {
            let rect = overlay(area, 70, 3);
            frame.render_widget(Clear, rect);
            frame.render_widget(
                Paragraph::new(format!("{reason}▏")).block(
                    Block::new()
                        .borders(Borders::ALL)
                        .border_style(state.theme.focus_border)
                        .title(format!(
                            " {} · reason · enter confirms · esc cancels ",
                            purpose.title()
                        )),
                ),
                rect,
            );
        }
        Mode::Normal | Mode::Filter(_) | Mode::Note | Mode::Trends | Mode::Actions => {}
    }
}

/// Too small to lay out: say so, with the minimum, rather than draw a broken screen.
fn draw_too_small(frame: &mut Frame, area: Rect) {
    let text = format!(
        "cims needs a terminal of at least {}×{}; this one is {}×{}. Enlarge it (the screen \
         comes back at once), or press q to quit.",
        MIN_SIZE.0, MIN_SIZE.1, area.width, area.height
    );
    frame.render_widget(Paragraph::new(text).wrap(Wrap { trim: true }), area);
}

fn draw_tabs(state: &State, frame: &mut Frame, area: Rect) {
    let titles: Vec<String> = state
        .views
        .iter()
        .enumerate()
        .map(|(i, v)| match state.counts.get(i).copied().flatten() {
            Some(n) => format!("{} {} {n}", i + 1, v.title),
            None => format!("{} {}", i + 1, v.title),
        })
        .collect();
    // Tabs with their dividers and padding.
    let tabs_width: usize = titles.iter().map(|t| t.chars().count() + 3).sum();
    let link = match &state.connection {
        Connection::Live if state.frozen => "‖ frozen".to_string(),
        Connection::Live => "● live".to_string(),
        Connection::Connecting => "○ connecting".to_string(),
        Connection::Offline(_) => "✕ offline".to_string(),
    };
    let pending = if state.pending_writes > 0 {
        format!(" · {} unsent", state.pending_writes)
    } else {
        String::new()
    };
    let read_only = if state.read_only { " · read-only" } else { "" };
    let status = |org: bool| {
        let who = match &state.me {
            Some(me) => format!(
                "{}{}{} ",
                me.user,
                if org {
                    format!(" · {}", me.organisation.name)
                } else {
                    String::new()
                },
                if me.protective_intervener {
                    " · PI"
                } else {
                    ""
                }
            ),
            None => String::new(),
        };
        format!("  {who}· {link}{pending}{read_only}")
    };
    // The organisation is named where the view tabs leave room for it.
    let with_org = status(true);
    let fits = |text: &str| tabs_width + text.chars().count() < usize::from(area.width);
    let without_org = status(false);
    let right = if fits(&with_org) {
        with_org
    } else if fits(&without_org) {
        without_org
    } else {
        // The narrowest form: who, PI, and the link as its symbol alone.
        let symbol = link.split_whitespace().next().unwrap_or("");
        let who = state.me.as_ref().map_or(String::new(), |me| {
            format!(
                "{}{}",
                me.user,
                if me.protective_intervener { " PI" } else { "" }
            )
        });
        let pending = if state.pending_writes > 0 {
            format!(" {}↑", state.pending_writes)
        } else {
            String::new()
        };
        format!(" {who} {symbol}{pending}")
    };
    let width = u16::try_from(right.chars().count() + 1).unwrap_or(u16::MAX);
    let [left, right_area] =
        Layout::horizontal([Constraint::Min(10), Constraint::Length(width)]).areas(area);
    let tabs = Tabs::new(titles)
        .select(state.view)
        .highlight_style(state.theme.selected)
        .divider("│");
    frame.render_widget(tabs, left);
    frame.render_widget(Paragraph::new(right), right_area);
}

/// `identification_response` → `identification…` when it must fit `width`.
fn short(id: &str, width: usize) -> String {
    let text = id.replace('_', " ");
    if text.chars().count() <= width {
        text
    } else {
        let cut: String = text.chars().take(width.saturating_sub(1)).collect();
        format!("{cut}…")
    }
}

fn who_of(row: &QueueRow, state: &State) -> Span<'static> {
    let span = cell(Some(&row.subject), state);
    if row.people > 1 && !state.privacy {
        Span::styled(format!("{} +{}", span.content, row.people - 1), span.style)
    } else {
        span
    }
}

fn draw_queue(state: &State, frame: &mut Frame, area: Rect) {
    let title = match &state.mode {
        Mode::Filter(text) => format!(" / {text}▏"),
        _ if !state.filter.is_empty() => format!(
            " queue · by {} · filter: {} ",
            super::update::SORTS[state.sort % super::update::SORTS.len()].1,
            state.filter
        ),
        _ => format!(
            " queue · by {} ",
            super::update::SORTS[state.sort % super::update::SORTS.len()].1
        ),
    };
    let block = Block::new()
        .borders(Borders::ALL)
        .title(title)
        .border_style(if state.focus == Focus::Queue {
            state.theme.focus_border
        } else {
            state.theme.border
        });
    let inner_height = usize::from(area.height.saturating_sub(3));
    // At 80 columns the type gives way first; the id, the deadline and who never do.
    let wide = area.width >= 100;
    let header = Row::new([
        "", "ID", "Due", "Stage", "Impact", "Type", "Who", "Assignee",
    ])
    .style(state.theme.header);
    let rows = state
        .rows
        .iter()
        .enumerate()
        .skip(state.offset)
        .take(inner_height)
        .map(|(i, row)| {
            let mark = match (i == state.selected, state.marked.contains(&row.id)) {
                (true, true) => "▶*",
                (true, false) => "▶",
                (false, true) => " *",
                (false, false) => "",
            };
            let r = Row::new(vec![
                Span::raw(mark),
                Span::raw(row.id.clone()),
                {
                    let due = due_text(row.next_due, state.now);
                    let style = due_style(&due, state);
                    Span::styled(due, style)
                },
                // R-ORDER-2: an earlier stage is owed again.
                Span::raw(short(
                    &if row.owed.is_empty() {
                        row.stage.clone()
                    } else {
                        format!("↩{}", row.stage)
                    },
                    if wide { 16 } else { 10 },
                )),
                Span::raw(match row.impact.as_deref() {
                    Some("major") => "MAJOR",
                    Some(_) => "non-maj",
                    None => "—",
                }),
                Span::raw(
                    row.primary_type
                        .clone()
                        .unwrap_or_else(|| row.kind.clone())
                        .replace('_', " "),
                ),
                who_of(row, state),
                Span::raw(row.assignee.clone().unwrap_or_default()),
            ]);
            if i == state.selected {
                r.style(state.theme.selected)
            } else {
                r
            }
        });
    let widths = [
        Constraint::Length(2),
        Constraint::Length(15),
        Constraint::Length(13),
        Constraint::Length(if wide { 16 } else { 10 }),
        Constraint::Length(7),
        Constraint::Min(if wide { 12 } else { 4 }),
        Constraint::Length(13),
        Constraint::Length(if wide { 10 } else { 6 }),
    ];
    let table = Table::new(rows, widths).header(header).block(block);
    frame.render_widget(table, area);
    if state.rows.is_empty() {
        let inner = area.inner(ratatui::layout::Margin::new(2, 2));
        frame.render_widget(Paragraph::new("Nothing to show in this view."), inner);
    }
}

fn draw_record(state: &State, frame: &mut Frame, area: Rect) {
    let [main, side] =
        Layout::horizontal([Constraint::Percentage(64), Constraint::Percentage(36)]).areas(area);
    let Some(open) = &state.record else {
        let block = Block::new().borders(Borders::ALL).title(" record ");
        frame.render_widget(
            Paragraph::new("⏎ opens the selected record.").block(block),
            main,
        );
        frame.render_widget(
            Block::new().borders(Borders::ALL).title(" deadlines "),
            side,
        );
        return;
    };
    let tabs: Vec<String> = RecordTab::ALL
        .iter()
        .map(|t| t.title().to_string())
        .collect();
    let all_tabs = tabs
        .iter()
        .enumerate()
        .map(|(i, t)| {
            if i == open.tab.index() {
                format!("[{t}]")
            } else {
                t.clone()
            }
        })
        .collect::<Vec<_>>()
        .join(" │ ");
    let full = format!(" {} ─ {all_tabs} ", open.id);
    // Where the tabs do not fit, the current one and where it stands (h/l move).
    let title = if full.chars().count() + 2 <= usize::from(main.width) {
        full
    } else {
        format!(
            " {} ─ {} ({}/{}) ",
            open.id,
            open.tab.title(),
            open.tab.index() + 1,
            RecordTab::ALL.len()
        )
    };
    let block = Block::new()
        .borders(Borders::ALL)
        .title(title)
        .border_style(if state.focus == Focus::Record {
            state.theme.focus_border
        } else {
            state.theme.border
        });
    let Some(view) = &open.view else {
        frame.render_widget(Paragraph::new("loading …").block(block), main);
        frame.render_widget(
            Block::new().borders(Borders::ALL).title(" deadlines "),
            side,
        );
        return;
    };
    let lines = match open.tab {
        RecordTab::Details => details(view, state),
        RecordTab::Checklist => checklist(view, open.cursor, state),
        RecordTab::Notes => notes(view, state),
        RecordTab::History => history(open.history.as_deref()),
    };
    frame.render_widget(
        Paragraph::new(lines)
            .block(block)
            .wrap(Wrap { trim: false }),
        main,
    );
    let deadline_lines: Vec<Line> = view
        .deadlines
        .iter()
        .flat_map(|d| {
            let (symbol, when) = match &d.status {
                Status::Met { .. } => ("✓", "met".to_string()),
                Status::MetLate { late_secs, .. } => {
                    ("✓", format!("met {} late", span_of(*late_secs)))
                }
                // R-DL-OWED: kept after its condition stopped applying, with the outcome it had.
                Status::Overdue { late_secs }
                    if d.kept.as_ref().is_some_and(|k| !k.still_applies) =>
                {
                    ("✗", format!("was overdue {}", span_of(*late_secs)))
                }
                Status::Overdue { late_secs } => ("✗", format!("OVERDUE {}", span_of(*late_secs))),
                Status::Excused { .. } => ("–", "excused".to_string()),
                Status::Pending { remaining_secs } if *remaining_secs < 24 * 3600 => {
                    ("!", format!("!! {}", span_of(*remaining_secs)))
                }
                Status::Pending { .. } => (
                    "·",
                    d.due
                        .as_ref()
                        .map(|due| due.at.format("%a %-d %b %H:%M").to_string())
                        .unwrap_or_default(),
                ),
                Status::Paused { .. } => ("‖", "paused (police)".to_string()),
                Status::NotStarted => ("·", "not started".to_string()),
                Status::Unknown { .. } => ("?", "unknown".to_string()),
                // R-PRIV-9: shown as withheld, never as absent.
                Status::Withheld { masked } => ("▒", withheld(masked.as_str())),
            };
            let mut lines = vec![
                Line::from(format!("{symbol} {}", d.label)),
                Line::from(format!("    {when}")),
            ];
            if let Status::Excused { reason, .. } = &d.status {
                lines.push(Line::from(format!("    {reason}")));
            }
            if let Some(kept) = &d.kept {
                lines.push(Line::from(format!("    kept: {}", kept.because)));
            }
            if state.explain {
                lines.push(Line::styled(format!("    {}", d.rule), state.theme.header));
                if let Some(due) = &d.due {
                    lines.push(Line::from(format!("    {}", due.explanation)));
                }
            }
            lines
        })
        .collect();
    frame.render_widget(
        Paragraph::new(deadline_lines)
            .wrap(Wrap { trim: false })
            .block(Block::new().borders(Borders::ALL).title(" deadlines ")),
        side,
    );
}

fn field(label: &str, value: Span<'static>) -> Line<'static> {
    Line::from(vec![Span::raw(format!("{label:<10}")), value])
}

/// A plain value as words: `physical_abuse` → `physical abuse`, or `default` when absent.
fn words(value: Option<&Value>, default: &str, joiner: &str) -> Span<'static> {
    Span::raw(
        value
            .and_then(Value::as_str)
            .unwrap_or(default)
            .replace('_', joiner),
    )
}

/// The record's learning actions, open first: what, who, by when, or what came of it.
fn learning_actions(record: &Value) -> Vec<Line<'static>> {
    let actions: Vec<crate::domain::model::LearningAction> = record
        .get("learning_actions")
        .cloned()
        .and_then(|v| serde_json::from_value(v).ok())
        .unwrap_or_default();
    let mut sorted: Vec<_> = actions.iter().collect();
    sorted.sort_by_key(|a| (a.closed.is_some(), a.due_on));
    sorted
        .into_iter()
        .map(|a| {
            let state = match &a.closed {
                None => format!("open, {} by {}", a.owner, a.due_on.format("%-d %b %Y")),
                Some(c) => format!("closed: {}", c.outcome),
            };
            field(
                &format!("Action {}", a.id),
                Span::raw(format!("{} ({state})", a.what)),
            )
        })
        .collect()
}

fn details(view: &crate::wire::RecordView, state: &State) -> Vec<Line<'static>> {
    let r = &view.record;
    let d = r.get("details");
    let get = |path: &str| d.and_then(|d| d.pointer(path));
    let mut lines = vec![
        field("Org", words(r.get("org"), "—", "_")),
        field("Stage", words(r.get("stage"), "—", " ")),
    ];
    match get("/kind").and_then(Value::as_str) {
        Some("incident") => {
            lines.push(field("Client", cell(get("/clients/0/name"), state)));
            lines.push(field("Type", words(get("/primary_type"), "—", " ")));
            lines.push(field(
                "Impact",
                words(get("/impact"), "not classified", "-"),
            ));
            lines.push(field("Subject", words(get("/subject/relation"), "—", " ")));
            lines.push(field("What", cell(get("/description"), state)));
            lines.extend(learning_actions(r));
        }
        Some("intake") => {
            lines.push(field("Child", cell(get("/children/0/person/name"), state)));
            lines.push(field("Reporter", cell(get("/reporter/name"), state)));
            lines.push(field("Concerns", cell(get("/concerns"), state)));
        }
        _ => {}
    }
    lines
}

/// The text a withheld value of `class` is drawn as.
fn withheld(class: &str) -> String {
    format!("▒▒▒ {class}")
}

fn checklist(view: &crate::wire::RecordView, cursor: usize, state: &State) -> Vec<Line<'static>> {
    if view.checklist.is_empty() {
        return vec![Line::from("No checklist items at this stage.")];
    }
    view.checklist
        .iter()
        .enumerate()
        .map(|(i, line)| {
            let mark = match line.state.as_str() {
                "done" => "[x]",
                "waived" => "[w]",
                "withheld" => "[▒]",
                _ => "[ ]",
            };
            let need = if line.required { "*" } else { " " };
            // R-PRIV-9: an item whose applying the user may not see is drawn as withheld.
            let lock = match &line.masked {
                Some(class) => format!(" ({}: may apply, not shown)", withheld(class)),
                None if line.may_tick => String::new(),
                None => " (not yours to tick)".to_string(),
            };
            let text = format!("{mark}{need} {}{lock}", line.text);
            if i == cursor {
                Line::styled(text, state.theme.selected)
            } else if line.masked.is_some() {
                Line::styled(text, state.theme.masked)
            } else {
                Line::from(text)
            }
        })
        .collect()
}

fn notes(view: &crate::wire::RecordView, state: &State) -> Vec<Line<'static>> {
    let Some(notes) = view.record.get("notes").and_then(Value::as_array) else {
        return vec![Line::from("No notes yet.")];
    };
    if notes.is_empty() {
        return vec![Line::from("No notes yet.")];
    }
    notes
        .iter()
        .filter_map(|n| {
            let last = n.pointer("/revisions").and_then(Value::as_array)?.last()?;
            Some((n.get("category"), last))
        })
        .flat_map(|(category, rev)| {
            let by = rev
                .get("by")
                .and_then(Value::as_str)
                .unwrap_or("?")
                .to_string();
            // R-NOTE-CAT: the category, or that it is withheld (R-PRIV-9).
            let category = match category {
                Some(Value::String(c)) => format!(" · {}", c.replace('_', " ")),
                Some(Value::Object(masked)) => masked
                    .get("masked")
                    .and_then(Value::as_str)
                    .map_or_else(String::new, |class| format!(" · {}", withheld(class))),
                _ => String::new(),
            };
            vec![
                Line::styled(
                    format!("— {by}{category}"),
                    Style::new().add_modifier(Modifier::BOLD),
                ),
                Line::from(cell(rev.get("text"), state)),
            ]
        })
        .collect()
}

/// One line per event: when, who, what happened (masked as the server sent it).
fn history(events: Option<&[Value]>) -> Vec<Line<'static>> {
    let Some(events) = events else {
        return vec![Line::from("loading …")];
    };
    events
        .iter()
        .map(|e| {
            let at = e
                .get("at")
                .and_then(Value::as_str)
                .and_then(|t| chrono::DateTime::parse_from_rfc3339(t).ok())
                .map(|t| {
                    t.with_timezone(&crate::domain::local_time::ZONE)
                        .format("%a %-d %b %H:%M")
                        .to_string()
                })
                .unwrap_or_default();
            let by = e.get("by").and_then(Value::as_str).unwrap_or("?");
            let change = e.get("change");
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
                })
                .and_then(Value::as_str)
                .map(|d| format!(": {}", d.replace('_', " ")))
                .unwrap_or_default();
            // R-PRIV-9: a change the user may not see travels as a marker in its place.
            let (kind, detail) = match change.and_then(|c| c.get("masked")).and_then(Value::as_str)
            {
                Some(class) => (
                    "change withheld".to_string(),
                    format!(": {}", withheld(class)),
                ),
                None => (kind, detail),
            };
            Line::from(format!("{at:<16} {by:<10} {kind}{detail}"))
        })
        .collect()
}

fn draw_form(state: &State, form: &super::form::Form, frame: &mut Frame, area: Rect) {
    use super::form::{FormKind, Input};
    let mut lines = Vec::new();
    let (refused_field, refusal) = match &form.refusal {
        Some((rule, message, field)) => (
            field.clone(),
            Some(match rule {
                Some(rule) => format!("{rule}: {message}"),
                None => message.clone(),
            }),
        ),
        None => (None, None),
    };
    for (i, field) in form.fields.iter().enumerate() {
        let value = match &field.value {
            Input::Text(t) if i == form.focus => format!("{t}▏"),
            Input::Text(t) => t.clone(),
            Input::Choice(options, n) => options
                .get(*n)
                .map(|(_, label)| format!("◂ {label} ▸"))
                .unwrap_or_default(),
            Input::Flag(b) => if *b { "[x] yes" } else { "[ ] no" }.to_string(),
        };
        let need = if field.required { "*" } else { " " };
        let line = format!("{need}{:<34} {value}", field.label);
        lines.push(if i == form.focus {
            Line::styled(line, state.theme.selected)
        } else {
            Line::from(line)
        });
        // The refusal stands beside the field it names.
        let names_this = refused_field
            .as_deref()
            .is_some_and(|f| f == field.name || (field.name == "client_name" && f == "clients"));
        if names_this && let Some(text) = &refusal {
            lines.push(Line::styled(format!("   ✗ {text}"), state.theme.error));
        }
    }
    let unplaced = refusal.filter(|_| {
        !form.fields.iter().any(|f| {
            refused_field
                .as_deref()
                .is_some_and(|r| r == f.name || (f.name == "client_name" && r == "clients"))
        })
    });
    if let Some(text) = unplaced {
        lines.push(Line::from(""));
        lines.push(Line::styled(format!("✗ {text}"), state.theme.error));
    }
    // R-INT-MATRIX: the matrix's suggestion, and whether this decision needs a rationale.
    if let Some((suggestion, needs_rationale)) = form.guidance() {
        lines.push(Line::from(""));
        lines.push(Line::from(format!(
            "Matrix suggests: {}",
            if suggestion.protective_intervention {
                "protective intervention, urgent"
            } else {
                "no protective intervention report"
            }
        )));
        if needs_rationale {
            lines.push(Line::styled(
                "A written rationale is required for this decision.",
                state.theme.due_soon,
            ));
        }
    }
    let title = match form.kind {
        FormKind::Incident => {
            " new incident · ctrl-t intake instead · ctrl-s registers · esc cancels "
        }
        FormKind::Intake => {
            " new intake report · ctrl-t incident instead · ctrl-s registers · esc cancels "
        }
        FormKind::Classify => " classify the report · ctrl-s records it · esc cancels ",
        FormKind::LearningAction => " raise a learning action · ctrl-s raises it · esc cancels ",
    };
    let rect = overlay(area, 100, 22);
    frame.render_widget(Clear, rect);
    frame.render_widget(
        Paragraph::new(lines).wrap(Wrap { trim: false }).block(
            Block::new()
                .borders(Borders::ALL)
                .border_style(state.theme.focus_border)
                .title(title),
        ),
        rect,
    );
}

fn draw_editor(state: &State, editor: &super::state::NoteEditor, frame: &mut Frame, area: Rect) {
    let mut textarea = editor.textarea.clone();
    textarea.set_block(
        Block::new()
            .borders(Borders::ALL)
            .border_style(state.theme.focus_border)
            .title(format!(
                " {} on {}{} · ctrl-s saves · esc keeps a draft · ctrl-t category · ctrl-p protects the selection ",
                editor.category_name(),
                editor.record_id,
                match editor.protected.len() {
                    0 => String::new(),
                    n => format!(" · {n} protected"),
                }
            )),
    );
    frame.render_widget(Clear, area);
    frame.render_widget(&textarea, area);
}

/// A screen's own keys, unless there is a message to show.
fn draw_screen_hints(state: &State, keys: &str, frame: &mut Frame, area: Rect) {
    let text = match &state.message {
        Some((_, message)) => message.as_str(),
        None => keys,
    };
    frame.render_widget(Paragraph::new(text), area);
}

fn draw_hints(state: &State, frame: &mut Frame, area: Rect) {
    let text = match &state.message {
        Some((_, message)) => message.clone(),
        None => REGISTRY
            .iter()
            .filter_map(|d| {
                d.hint
                    .map(|h| format!("{} {h}", state.keymap.keys_of(d.action)))
            })
            .collect::<Vec<_>>()
            .join("  "),
    };
    frame.render_widget(Paragraph::new(text), area);
}

fn overlay(area: Rect, width: u16, height: u16) -> Rect {
    let w = width.min(area.width.saturating_sub(2));
    let h = height.min(area.height.saturating_sub(2));
    Rect::new(
        area.x + (area.width - w) / 2,
        area.y + (area.height - h) / 2,
        w,
        h,
    )
}

fn draw_help(state: &State, frame: &mut Frame, area: Rect) {
    let rect = overlay(area, 76, 30);
    let all = REGISTRY.len();
    let room = usize::from(rect.height.saturating_sub(2)).max(1);
    let first = state.help_offset.min(all.saturating_sub(room));
    let lines: Vec<Line> = REGISTRY
        .iter()
        .skip(first)
        .take(room)
        .map(|d| {
            Line::from(format!(
                "{:<14} {}",
                state.keymap.keys_of(d.action),
                d.description
            ))
        })
        .collect();
    let title = if room < all {
        format!(
            " keys {}–{} of {all} · j/k scroll · esc closes ",
            first + 1,
            (first + room).min(all)
        )
    } else {
        " keys · esc closes ".to_string()
    };
    frame.render_widget(Clear, rect);
    frame.render_widget(
        Paragraph::new(lines).block(Block::new().borders(Borders::ALL).title(title)),
        rect,
    );
}

fn draw_palette(state: &State, frame: &mut Frame, area: Rect, text: &str, index: usize) {
    let rect = overlay(area, 60, 14);
    let mut lines = vec![Line::from(format!(": {text}▏"))];
    for (i, def) in palette_matches(text).iter().take(12).enumerate() {
        let line = format!("{:<12} {}", def.name, def.description);
        lines.push(if i == index {
            Line::styled(line, state.theme.selected)
        } else {
            Line::from(line)
        });
    }
    frame.render_widget(Clear, rect);
    frame.render_widget(
        Paragraph::new(lines).block(Block::new().borders(Borders::ALL).title(" command ")),
        rect,
    );
}
