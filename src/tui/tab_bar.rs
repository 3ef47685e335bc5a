//! The view tabs fitted to the width they have. A tab is drawn whole or not at all, so a
//! count is never cut: when every title does not fit, the tabs other than the selected one
//! shrink to their key and count, and when even that does not fit, the bar scrolls around
//! the selected tab with `‹ ›` marking tabs out of sight.

/// A tab as the bar draws it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Tab {
    /// Which view it is (its key is this plus one).
    pub index: usize,
    pub text: String,
    /// Drawn with a space either side; shrunk tabs are drawn tight, between dividers.
    pub padded: bool,
}

impl Tab {
    /// The tab as drawn, without its divider.
    pub fn drawn(&self) -> String {
        if self.padded {
            format!(" {} ", self.text)
        } else {
            self.text.clone()
        }
    }
}

/// The tabs that fit, and whether some are out of sight on either side.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fitted {
    pub tabs: Vec<Tab>,
    pub hidden_before: bool,
    pub hidden_after: bool,
}

/// What a tab takes besides its text: the divider after it.
const DIVIDER: usize = 1;
/// What a scroll marker takes: the marker and a space.
const MARKER: usize = 2;
/// Drawn before the tabs when some are out of sight to the left, and after them when some
/// are to the right.
pub const BEFORE: &str = "‹ ";
pub const AFTER: &str = " ›";

fn full(index: usize, title: &str, count: Option<i64>) -> String {
    match count {
        Some(n) => format!("{} {title} {n}", index + 1),
        None => format!("{} {title}", index + 1),
    }
}

fn compact(index: usize, count: Option<i64>) -> String {
    match count {
        Some(n) => format!("{} {n}", index + 1),
        None => format!("{}", index + 1),
    }
}

/// The columns `tabs` take, dividers and padding included.
pub fn width(tabs: &[Tab]) -> usize {
    tabs.iter()
        .map(|t| t.drawn().chars().count() + DIVIDER)
        .sum()
}

/// Fit `views` (title and count, when known) into `room` columns, `selected` always shown
/// with its title.
pub fn fit(views: &[(&str, Option<i64>)], selected: usize, room: usize) -> Fitted {
    let all_full: Vec<Tab> = views
        .iter()
        .enumerate()
        .map(|(index, (title, count))| Tab {
            index,
            text: full(index, title, *count),
            padded: true,
        })
        .collect();
    if width(&all_full) <= room {
        return Fitted {
            tabs: all_full,
            hidden_before: false,
            hidden_after: false,
        };
    }
    let shrunk: Vec<Tab> = views
        .iter()
        .enumerate()
        .map(|(index, (title, count))| Tab {
            index,
            text: if index == selected {
                full(index, title, *count)
            } else {
                compact(index, *count)
            },
            padded: index == selected,
        })
        .collect();
    if width(&shrunk) <= room {
        return Fitted {
            tabs: shrunk,
            hidden_before: false,
            hidden_after: false,
        };
    }
    scrolled(shrunk, selected.min(views.len().saturating_sub(1)), room)
}

/// The widest run of tabs around the selected one that fits with its markers: it grows to
/// the right first, so the views after the selected one come next into sight.
fn scrolled(tabs: Vec<Tab>, selected: usize, room: usize) -> Fitted {
    let (mut first, mut last) = (selected, selected);
    let fits = |first: usize, last: usize| {
        let markers =
            if first > 0 { MARKER } else { 0 } + if last + 1 < tabs.len() { MARKER } else { 0 };
        tabs.get(first..=last).map_or(usize::MAX, width) + markers <= room
    };
    loop {
        if last + 1 < tabs.len() && fits(first, last + 1) {
            last += 1;
        } else if first > 0 && fits(first - 1, last) {
            first -= 1;
        } else {
            break;
        }
    }
    // The selected tab alone may not fit a very narrow bar: it is then left out whole.
    let shown = if fits(first, last) {
        tabs.get(first..=last)
            .map(<[Tab]>::to_vec)
            .unwrap_or_default()
    } else {
        Vec::new()
    };
    Fitted {
        hidden_before: first > 0 || shown.is_empty(),
        hidden_after: last + 1 < tabs.len(),
        tabs: shown,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn texts(f: &Fitted) -> Vec<&str> {
        f.tabs.iter().map(|t| t.text.as_str()).collect()
    }

    const NINE: [(&str, Option<i64>); 9] = [
        ("Mine", Some(12)),
        ("Due today", Some(5)),
        ("Overdue", Some(31)),
        ("Major", Some(3)),
        ("Intake", Some(86)),
        ("All", Some(2120)),
        ("Urgent intake", Some(7)),
        ("Night shift", Some(1409)),
        ("Sexual abuse", None),
    ];

    #[test]
    fn every_title_when_there_is_room() {
        let f = fit(&NINE[..3], 0, 80);
        assert_eq!(texts(&f), ["1 Mine 12", "2 Due today 5", "3 Overdue 31"]);
        assert!(!f.hidden_before && !f.hidden_after);
    }

    #[test]
    fn the_others_shrink_to_key_and_count_before_anything_is_hidden() {
        let f = fit(&NINE, 4, 70);
        assert_eq!(
            texts(&f),
            [
                "1 12",
                "2 5",
                "3 31",
                "4 3",
                "5 Intake 86",
                "6 2120",
                "7 7",
                "8 1409",
                "9"
            ]
        );
        assert!(width(&f.tabs) <= 70);
    }

    #[test]
    fn a_narrow_bar_scrolls_around_the_selected_tab_and_marks_what_is_out_of_sight() {
        let views: Vec<(&str, Option<i64>)> =
            NINE.iter().map(|(t, _)| (*t, Some(1_000_000))).collect();
        for selected in 0..views.len() {
            let f = fit(&views, selected, 50);
            assert!(
                f.tabs.iter().any(|t| t.index == selected),
                "{selected}: {f:?}"
            );
            let markers = usize::from(f.hidden_before) + usize::from(f.hidden_after);
            assert!(width(&f.tabs) + markers * MARKER <= 50, "{f:?}");
            assert!(f.hidden_before || f.hidden_after);
            assert_eq!(f.hidden_before, f.tabs[0].index > 0);
            for tab in &f.tabs {
                assert!(tab.text.ends_with("1000000"), "a count is whole: {tab:?}");
            }
        }
    }
}
