//! Themes: named styles read from TOML (`themes/*.toml` are built in; a path loads another).
//! `NO_COLOR` selects `mono`.

use std::collections::BTreeMap;

use ratatui::style::{Color, Modifier, Style};
use serde::Deserialize;

const BUILT_IN: &[(&str, &str)] = &[
    ("ansi16", include_str!("../../themes/ansi16.toml")),
    ("mono", include_str!("../../themes/mono.toml")),
    (
        "high-contrast",
        include_str!("../../themes/high-contrast.toml"),
    ),
];

#[derive(Debug, Clone, PartialEq)]
pub struct Theme {
    pub name: String,
    pub selected: Style,
    pub masked: Style,
    pub overdue: Style,
    pub due_soon: Style,
    pub header: Style,
    pub focus_border: Style,
    pub border: Style,
    pub error: Style,
    pub live: Style,
    pub offline: Style,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("theme {source_name}: {problem}")]
pub struct ThemeError {
    pub source_name: String,
    pub problem: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawTheme {
    name: String,
    styles: BTreeMap<String, RawStyle>,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct RawStyle {
    fg: Option<String>,
    bg: Option<String>,
    #[serde(default)]
    modifiers: Vec<String>,
}

const STYLE_NAMES: [&str; 10] = [
    "selected",
    "masked",
    "overdue",
    "due_soon",
    "header",
    "focus_border",
    "border",
    "error",
    "live",
    "offline",
];

fn color(name: &str) -> Option<Color> {
    Some(match name {
        "black" => Color::Black,
        "red" => Color::Red,
        "green" => Color::Green,
        "yellow" => Color::Yellow,
        "blue" => Color::Blue,
        "magenta" => Color::Magenta,
        "cyan" => Color::Cyan,
        "gray" => Color::Gray,
        "dark_gray" => Color::DarkGray,
        "light_red" => Color::LightRed,
        "light_green" => Color::LightGreen,
        "light_yellow" => Color::LightYellow,
        "light_blue" => Color::LightBlue,
        "light_magenta" => Color::LightMagenta,
        "light_cyan" => Color::LightCyan,
        "white" => Color::White,
        "reset" => Color::Reset,
        _ => return None,
    })
}

fn modifier(name: &str) -> Option<Modifier> {
    Some(match name {
        "bold" => Modifier::BOLD,
        "dim" => Modifier::DIM,
        "italic" => Modifier::ITALIC,
        "underlined" => Modifier::UNDERLINED,
        "reversed" => Modifier::REVERSED,
        _ => return None,
    })
}

impl Theme {
    /// Parse a theme; every style must be named and every colour and modifier known.
    pub fn from_toml(source_name: &str, text: &str) -> Result<Theme, ThemeError> {
        let fail = |problem: String| ThemeError {
            source_name: source_name.to_string(),
            problem,
        };
        let raw: RawTheme = toml::from_str(text).map_err(|e| fail(e.message().to_string()))?;
        if let Some(unknown) = raw
            .styles
            .keys()
            .find(|k| !STYLE_NAMES.contains(&k.as_str()))
        {
            return Err(fail(format!(
                "unknown style {unknown:?} (known: {})",
                STYLE_NAMES.join(", ")
            )));
        }
        let style = |name: &str| -> Result<Style, ThemeError> {
            let raw = raw
                .styles
                .get(name)
                .ok_or_else(|| fail(format!("style {name:?} is missing")))?;
            let mut style = Style::new();
            if let Some(fg) = &raw.fg {
                style = style
                    .fg(color(fg).ok_or_else(|| fail(format!("{name}: unknown colour {fg:?}")))?);
            }
            if let Some(bg) = &raw.bg {
                style = style
                    .bg(color(bg).ok_or_else(|| fail(format!("{name}: unknown colour {bg:?}")))?);
            }
            for m in &raw.modifiers {
                style = style.add_modifier(
                    modifier(m).ok_or_else(|| fail(format!("{name}: unknown modifier {m:?}")))?,
                );
            }
            Ok(style)
        };
        Ok(Theme {
            name: raw.name.clone(),
            selected: style("selected")?,
            masked: style("masked")?,
            overdue: style("overdue")?,
            due_soon: style("due_soon")?,
            header: style("header")?,
            focus_border: style("focus_border")?,
            border: style("border")?,
            error: style("error")?,
            live: style("live")?,
            offline: style("offline")?,
        })
    }

    /// A built-in theme by name.
    pub fn built_in(name: &str) -> Result<Theme, ThemeError> {
        let (_, text) = BUILT_IN
            .iter()
            .find(|(n, _)| *n == name)
            .ok_or_else(|| ThemeError {
                source_name: name.to_string(),
                problem: format!(
                    "no such built-in theme (built in: {})",
                    BUILT_IN
                        .iter()
                        .map(|(n, _)| *n)
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            })?;
        Theme::from_toml(name, text)
    }

    /// The theme to start with: `mono` when `NO_COLOR` is set (and not empty), else the
    /// configured one: a built-in name, or a path to a theme file (it has a `/` or ends in
    /// `.toml`).
    pub fn choose(configured: &str, no_color: Option<&str>) -> Result<Theme, ThemeError> {
        if no_color.is_some_and(|v| !v.is_empty()) {
            Theme::built_in("mono")
        } else if configured.contains('/') || configured.ends_with(".toml") {
            let text = std::fs::read_to_string(configured).map_err(|e| ThemeError {
                source_name: configured.to_string(),
                problem: format!("cannot be read: {e}"),
            })?;
            Theme::from_toml(configured, &text)
        } else {
            Theme::built_in(configured)
        }
    }
}

impl Default for Theme {
    /// The mono theme, built without parsing: it cannot fail.
    fn default() -> Theme {
        let bold = Style::new().add_modifier(Modifier::BOLD);
        Theme {
            name: "mono".into(),
            selected: Style::new().add_modifier(Modifier::REVERSED | Modifier::BOLD),
            masked: Style::new().add_modifier(Modifier::DIM | Modifier::ITALIC),
            overdue: bold.add_modifier(Modifier::UNDERLINED),
            due_soon: bold,
            header: Style::new().add_modifier(Modifier::UNDERLINED),
            focus_border: bold,
            border: Style::new(),
            error: bold,
            live: Style::new(),
            offline: bold.add_modifier(Modifier::REVERSED),
        }
    }
}
