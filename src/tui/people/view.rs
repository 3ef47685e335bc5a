//! The people search drawn: the search line, then each person found with the band, the
//! record and role, and for the highlighted one the reasons, field by field. Behind the
//! privacy screen the search and the reasons, which name and date the person, are blanked.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::Line;

use crate::tui::context::Context;
use crate::tui::layout::{BLANKED, candidate_line, match_reasons, scrolled_list};

use super::state::PeopleScreen;

/// The title, the lines, and which line the highlighted person starts at.
fn body(screen: &PeopleScreen, context: &Context) -> (String, Vec<Line<'static>>, usize) {
    let cursor = if screen.typing { "▏" } else { "" };
    // The search is a name and a date of birth: identifying, as the reasons are.
    let text = if context.privacy {
        BLANKED
    } else {
        screen.text.as_str()
    };
    let mut lines = vec![
        Line::from(format!("Search: {text}{cursor}")),
        Line::from(""),
    ];
    let Some(found) = &screen.found else {
        lines.push(Line::from(
            "Type a given name, a family name and a date of birth if known (2014-03-02, \
             2014-03 or 2014), then enter. Similar spellings are found too.",
        ));
        return (" People ".into(), lines, 0);
    };
    let title = format!(" People · {} found ", found.candidates.len());
    if found.candidates.is_empty() {
        lines.push(Line::from("No one found in the records you may see."));
    }
    let mut selected_line = 0;
    for (i, c) in found.candidates.iter().enumerate() {
        let text = format!(
            "{} {}",
            if i == screen.selected { "▶" } else { " " },
            candidate_line(c)
        );
        if i == screen.selected {
            selected_line = lines.len();
            lines.push(Line::styled(text, context.theme.selected));
            let reasons = if context.privacy {
                vec![BLANKED.to_string()]
            } else {
                match_reasons(c)
            };
            lines.extend(reasons.into_iter().map(|r| Line::from(format!("    {r}"))));
        } else {
            lines.push(Line::from(text));
        }
    }
    (title, lines, selected_line)
}

pub fn draw(screen: &PeopleScreen, context: &Context, frame: &mut Frame, area: Rect) {
    let (title, lines, selected) = body(screen, context);
    scrolled_list(title, lines, selected, context, frame, area);
}

/// The search for the linear mode: its title as a line, then its lines.
pub fn linear_lines(screen: &PeopleScreen, context: &Context) -> Vec<Line<'static>> {
    let (title, lines, _) = body(screen, context);
    std::iter::once(Line::from(format!("{}:", title.trim())))
        .chain(lines)
        .collect()
}

pub fn hints(screen: &PeopleScreen) -> &'static str {
    if screen.typing {
        "type the name and date of birth · enter searches · esc back"
    } else {
        "j/k choose · enter opens the timeline · / search again · esc back"
    }
}
