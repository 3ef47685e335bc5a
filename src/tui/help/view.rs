//! The help overlay and the palette drawn, from the action registry and the keymap.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::Line;
use ratatui::widgets::{Block, Borders, Clear, Paragraph};

use crate::tui::action::REGISTRY;
use crate::tui::context::Context;
use crate::tui::layout::{fit, overlay};

use super::state::Help;
use super::update::palette_matches;

/// The keys of every action, a screenful at a time.
pub fn draw(help: &Help, context: &Context, frame: &mut Frame, area: Rect) {
    let rect = overlay(area, 76, 30);
    let all = REGISTRY.len();
    let room = usize::from(rect.height.saturating_sub(2)).max(1);
    let first = help.offset.min(all.saturating_sub(room));
    let lines: Vec<Line> = REGISTRY
        .iter()
        .skip(first)
        .take(room)
        .map(|d| {
            let room = usize::from(rect.width.saturating_sub(17));
            Line::from(format!(
                "{:<14} {}",
                context.keymap.keys_of(d.action),
                fit(d.description, room)
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

/// What was typed, and the actions it matches.
pub fn draw_palette(context: &Context, text: &str, index: usize, frame: &mut Frame, area: Rect) {
    let rect = overlay(area, 76, 14);
    let matches: Vec<_> = palette_matches(text).into_iter().take(12).collect();
    // The names, padded to the longest shown, then what each does, cut with … where it must.
    let pad = matches.iter().map(|d| d.name.len()).max().unwrap_or(0);
    let room = usize::from(rect.width.saturating_sub(3)).saturating_sub(pad + 1);
    let mut lines = vec![Line::from(format!(": {text}▏"))];
    for (i, def) in matches.iter().enumerate() {
        let line = format!("{:<pad$} {}", def.name, fit(def.description, room));
        lines.push(if i == index {
            Line::styled(line, context.theme.selected)
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
