//! The handovers drawn: each with who wrote it, to whom, when, whether it is acknowledged,
//! and its records with their lines; the writer over them.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::Line;
use ratatui::widgets::{Block, Borders, Clear, Paragraph, Wrap};

use crate::domain::local_time;
use crate::tui::context::Context;
use crate::tui::layout::{overlay, readable, scrolled_list};

use super::state::HandoverScreen;

fn when(at: chrono::DateTime<chrono::Utc>) -> String {
    at.with_timezone(&local_time::ZONE)
        .format("%a %-d %b %H:%M")
        .to_string()
}

/// The title, the lines, and which line the highlighted handover starts at.
fn body(screen: &HandoverScreen, context: &Context) -> (String, Vec<Line<'static>>, usize) {
    let title = format!(
        " Handovers · {} to acknowledge · {} record(s) to hand over ",
        screen.waiting(),
        screen.candidates.len()
    );
    let Some(data) = &screen.data else {
        return (title, vec![Line::from("Loading…")], 0);
    };
    let me = context.me.as_ref().map(|m| m.user.as_str());
    let mut lines = Vec::new();
    let mut selected_line = 0;
    if data.handovers.is_empty() {
        lines.push(Line::from("No handovers to you or from you."));
    }
    for (i, h) in data.handovers.iter().enumerate() {
        let from = if Some(h.author.as_str()) == me {
            "you".to_string()
        } else {
            h.author.clone()
        };
        let to = match (&h.to_user, &h.to_org) {
            (Some(user), _) if Some(user.as_str()) == me => "you".to_string(),
            (Some(user), _) => user.clone(),
            (None, Some(org)) => format!("everyone of {org}"),
            (None, None) => String::new(),
        };
        let state = match (&h.acknowledged_by, h.acknowledged_at) {
            (Some(by), Some(at)) => format!("acknowledged by {by} {}", when(at)),
            _ if h.for_me => "TO ACKNOWLEDGE (a)".to_string(),
            _ => "not yet acknowledged".to_string(),
        };
        let head = format!(
            "{} from {from} to {to} · {} · {state}",
            if i == screen.selected { "▶" } else { " " },
            when(h.written_at)
        );
        if i == screen.selected {
            selected_line = lines.len();
            lines.push(Line::styled(head, context.theme.selected));
        } else {
            lines.push(Line::from(head));
        }
        for item in &h.items {
            lines.push(Line::from(format!(
                "    {:<16} {}",
                readable(&item.record),
                readable(&item.line)
            )));
        }
    }
    (title, lines, selected_line)
}

pub fn draw(screen: &HandoverScreen, context: &Context, frame: &mut Frame, area: Rect) {
    let (title, lines, selected_line) = body(screen, context);
    scrolled_list(title, lines, selected_line, context, frame, area);
    if let Some(compose) = &screen.compose {
        let height = u16::try_from(compose.lines.len() + 4).unwrap_or(u16::MAX);
        let rect = overlay(area, 76, height.min(area.height));
        frame.render_widget(Clear, rect);
        frame.render_widget(
            Paragraph::new(compose_lines(compose))
                .wrap(Wrap { trim: false })
                .block(
                    Block::new()
                        .borders(Borders::ALL)
                        .border_style(context.theme.focus_border)
                        .title(" hand over · tab next · enter on the last sends · esc cancels "),
                ),
            rect,
        );
    }
}

fn compose_lines(compose: &super::state::Compose) -> Vec<Line<'static>> {
    let mut text = vec![field_line(
        "To (user|org:id)",
        &compose.to,
        compose.focus == 0,
    )];
    for (n, (record, line)) in compose.lines.iter().enumerate() {
        text.push(field_line(record, line, compose.focus == n + 1));
    }
    text
}

/// The screen for the linear mode: its title as a line, its lines, and the handover being
/// written.
pub fn linear_lines(screen: &HandoverScreen, context: &Context) -> Vec<Line<'static>> {
    let (title, lines, _) = body(screen, context);
    let mut out: Vec<Line<'static>> = std::iter::once(Line::from(format!("{}:", title.trim())))
        .chain(lines)
        .collect();
    if let Some(compose) = &screen.compose {
        out.push(Line::from(
            "Writing a handover (tab next, enter on the last sends, esc cancels):",
        ));
        out.extend(compose_lines(compose));
    }
    out
}

fn field_line(label: &str, value: &str, focused: bool) -> Line<'static> {
    let cursor = if focused { "▏" } else { "" };
    Line::from(format!("{label:<16} {value}{cursor}"))
}

/// The keys of the screen, for the hint line.
pub fn hints() -> &'static str {
    "j/k choose · a acknowledge · w write for the marked · enter open · esc back"
}
