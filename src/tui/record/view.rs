//! The record pane drawn: the open record's tabs in its title, the current one's lines,
//! the deadlines beside them, and the note editor over them while a note is written.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::Line;
use ratatui::widgets::{Block, Borders, Clear, Paragraph, Wrap};

use crate::tui::context::Context;
use crate::wire::RecordView;

use super::deadlines;
use super::editor::NoteEditor;
use super::state::{OpenRecord, RecordPane, RecordTab};
use super::submissions;
use super::tabs::{checklist, details, history, notes};

/// The record pane: the open record's tab beside its deadlines.
pub fn draw(pane: &RecordPane, context: &Context, focused: bool, frame: &mut Frame, area: Rect) {
    let [main, side] =
        Layout::horizontal([Constraint::Percentage(64), Constraint::Percentage(36)]).areas(area);
    let Some(open) = &pane.open else {
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
    let tabs = open.tabs();
    let all_tabs = tabs
        .iter()
        .map(|t| {
            if *t == open.tab {
                format!("[{}]", t.title())
            } else {
                t.title().to_string()
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
            tabs.len()
        )
    };
    let block = Block::new()
        .borders(Borders::ALL)
        .title(title)
        .border_style(if focused {
            context.theme.focus_border
        } else {
            context.theme.border
        });
    let Some(view) = &open.view else {
        frame.render_widget(Paragraph::new("loading …").block(block), main);
        frame.render_widget(
            Block::new().borders(Borders::ALL).title(" deadlines "),
            side,
        );
        return;
    };
    let (lines, selected) = tab_lines(open, view, context);
    // The highlighted submission stays on screen, a third of the way down.
    let scroll = selected.saturating_sub(usize::from(block.inner(main).height) / 3);
    frame.render_widget(
        Paragraph::new(lines)
            .block(block)
            .wrap(Wrap { trim: false })
            .scroll((u16::try_from(scroll).unwrap_or(u16::MAX), 0)),
        main,
    );
    frame.render_widget(
        Paragraph::new(
            [
                deadlines::reminders(&open.id, context),
                deadlines::lines(view, pane.explain, context),
            ]
            .concat(),
        )
        .wrap(Wrap { trim: false })
        .block(Block::new().borders(Borders::ALL).title(" deadlines ")),
        side,
    );
}

/// The record for the linear mode: what it is and which tab, the tab's lines, then its
/// deadlines, one item a line.
pub fn linear_lines(pane: &RecordPane, context: &Context) -> Vec<Line<'static>> {
    let Some(open) = &pane.open else {
        return Vec::new();
    };
    let mut lines = vec![Line::from(format!(
        "Record {}, tab {} ({} of {}):",
        open.id,
        open.tab.title(),
        open.tab.index() + 1,
        open.tabs().len()
    ))];
    let Some(view) = &open.view else {
        lines.push(Line::from("loading"));
        return lines;
    };
    lines.extend(tab_lines(open, view, context).0);
    lines.extend(deadlines::reminders(&open.id, context));
    lines.push(Line::from("Deadlines:"));
    lines.extend(deadlines::lines(view, pane.explain, context));
    lines
}

/// The open tab's lines, and the line its highlighted item starts on where it scrolls to
/// one.
fn tab_lines(
    open: &OpenRecord,
    view: &RecordView,
    context: &Context,
) -> (Vec<Line<'static>>, usize) {
    match open.tab {
        RecordTab::Details => (details(view, open.sent(), context), 0),
        RecordTab::Checklist => (checklist(view, open.cursor, context), 0),
        RecordTab::Notes => (notes(view, context), 0),
        RecordTab::History => (history(open.history.as_deref()), 0),
        RecordTab::Submissions => {
            submissions::lines(open.submissions.as_ref(), open.cursor, context)
        }
    }
}

/// The note editor, over the record pane.
pub fn draw_editor(editor: &NoteEditor, context: &Context, frame: &mut Frame, area: Rect) {
    let mut textarea = editor.textarea.clone();
    textarea.set_block(
        Block::new()
            .borders(Borders::ALL)
            .border_style(context.theme.focus_border)
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
