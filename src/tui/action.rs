//! The one action registry: key dispatch, the `?` help, the `:` palette, the status-bar
//! hints and the user's key overrides all come from this table.

use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Action {
    MoveDown,
    MoveUp,
    PageDown,
    PageUp,
    Top,
    Bottom,
    Open,
    Back,
    Quit,
    NextPane,
    NextTab,
    PrevTab,
    Filter,
    Sort,
    SortPrevColumn,
    SortNextColumn,
    Help,
    Palette,
    Tick,
    NewNote,
    Assign,
    Advance,
    Endorse,
    WithdrawEndorsement,
    NewRecord,
    Explain,
    Waive,
    Classify,
    Mark,
    MarkRange,
    Privacy,
    Freeze,
    Zoom,
    Since,
    Handovers,
    Remind,
    Reminders,
    LinkIncident,
    NewAllegation,
    People,
    SamePerson,
    DifferentPerson,
    UndoMerge,
    Candidates,
    Refresh,
    Trends,
    LearningActions,
    Export,
    RaiseAction,
    RetrySubmission,
    View(u8),
}

/// Where an action makes sense.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    Everywhere,
    Queue,
    Record,
    /// A person's timeline.
    Person,
    /// A form for a new record.
    Form,
}

pub struct ActionDef {
    pub action: Action,
    /// The name used in the palette and in the keymap config, e.g. `move_down`.
    pub name: &'static str,
    pub description: &'static str,
    pub keys: &'static [&'static str],
    pub scope: Scope,
    /// Shown in the status-bar hints.
    pub hint: Option<&'static str>,
}

const fn def(
    action: Action,
    name: &'static str,
    description: &'static str,
    keys: &'static [&'static str],
    scope: Scope,
    hint: Option<&'static str>,
) -> ActionDef {
    ActionDef {
        action,
        name,
        description,
        keys,
        scope,
        hint,
    }
}

pub const REGISTRY: &[ActionDef] = &[
    def(
        Action::MoveDown,
        "move_down",
        "Next row or item",
        &["j", "down"],
        Scope::Everywhere,
        Some("move"),
    ),
    def(
        Action::MoveUp,
        "move_up",
        "Previous row or item",
        &["k", "up"],
        Scope::Everywhere,
        None,
    ),
    def(
        Action::PageDown,
        "page_down",
        "Down a page",
        &["ctrl-d", "pagedown"],
        Scope::Everywhere,
        None,
    ),
    def(
        Action::PageUp,
        "page_up",
        "Up a page",
        &["ctrl-u", "pageup"],
        Scope::Everywhere,
        None,
    ),
    def(
        Action::Top,
        "top",
        "First row",
        &["g", "home"],
        Scope::Everywhere,
        None,
    ),
    def(
        Action::Bottom,
        "bottom",
        "Last row",
        &["G", "end"],
        Scope::Everywhere,
        None,
    ),
    def(
        Action::Open,
        "open",
        "Open the selected record",
        &["enter"],
        Scope::Queue,
        Some("open"),
    ),
    def(
        Action::Back,
        "back",
        "Back to the queue; close an overlay",
        &["esc"],
        Scope::Everywhere,
        None,
    ),
    def(
        Action::Quit,
        "quit",
        "Quit (asks first when writes are unsent)",
        &["q"],
        Scope::Everywhere,
        Some("quit"),
    ),
    def(
        Action::NextPane,
        "next_pane",
        "Switch between the queue and the record",
        &["tab"],
        Scope::Everywhere,
        Some("pane"),
    ),
    def(
        Action::NextTab,
        "next_tab",
        "Next record tab (Details … Submissions)",
        &["l", "right"],
        Scope::Record,
        None,
    ),
    def(
        Action::PrevTab,
        "prev_tab",
        "Previous record tab",
        &["h", "left"],
        Scope::Record,
        None,
    ),
    def(
        Action::Filter,
        "filter",
        "Filter: impact:major stage:2 due:<24h overdue assigned:me kind:intake, or text",
        &["/"],
        Scope::Queue,
        Some("filter"),
    ),
    def(
        Action::Sort,
        "sort",
        "Change the sort column",
        &["s"],
        Scope::Queue,
        None,
    ),
    def(
        Action::SortPrevColumn,
        "sort_prev_column",
        "Sort by the previous sortable column shown",
        &["<"],
        Scope::Queue,
        None,
    ),
    def(
        Action::SortNextColumn,
        "sort_next_column",
        "Sort by the next sortable column shown",
        &[">"],
        Scope::Queue,
        None,
    ),
    def(
        Action::Help,
        "help",
        "Show every key",
        &["?"],
        Scope::Everywhere,
        Some("help"),
    ),
    def(
        Action::Palette,
        "palette",
        "Run any action by name",
        &[":"],
        Scope::Everywhere,
        Some("command"),
    ),
    def(
        Action::Tick,
        "tick",
        "Tick the selected checklist item",
        &["space"],
        Scope::Record,
        Some("tick"),
    ),
    def(
        Action::NewNote,
        "new_note",
        "Write a note on the open record (ctrl-s saves; esc keeps a draft)",
        &["n"],
        Scope::Record,
        Some("note"),
    ),
    def(
        Action::Assign,
        "assign",
        "Assign the marked rows (or the selected one) to a colleague, after a confirm",
        &["a"],
        Scope::Everywhere,
        None,
    ),
    def(
        Action::Advance,
        "advance_stage",
        "Move the open record to its next stage (the server checks the required items)",
        &[">"],
        Scope::Record,
        None,
    ),
    def(
        Action::Endorse,
        "endorse",
        "Endorse the open record's report or classification, after a confirm",
        &["e"],
        Scope::Record,
        None,
    ),
    def(
        Action::WithdrawEndorsement,
        "withdraw_endorsement",
        "Withdraw the record's last endorsement, with a reason",
        &["W"],
        Scope::Record,
        None,
    ),
    def(
        Action::NewRecord,
        "new_record",
        "Register a new incident (ctrl-t in the form switches to an intake report)",
        &["N"],
        Scope::Everywhere,
        Some("new"),
    ),
    def(
        Action::Explain,
        "explain_deadlines",
        "Show why each deadline falls when it does (the rule, the days skipped)",
        &["D"],
        Scope::Record,
        None,
    ),
    def(
        Action::Waive,
        "waive",
        "Waive the selected checklist item, with a reason",
        &["w"],
        Scope::Record,
        None,
    ),
    def(
        Action::Classify,
        "classify",
        "Classify the open intake report: risk assessment, decision, rationale",
        &["c"],
        Scope::Record,
        None,
    ),
    def(
        Action::Mark,
        "mark",
        "Mark the row for a bulk action",
        &["x"],
        Scope::Queue,
        None,
    ),
    def(
        Action::MarkRange,
        "mark_range",
        "Mark from the last mark to here",
        &["v"],
        Scope::Queue,
        None,
    ),
    def(
        Action::Privacy,
        "privacy",
        "Privacy screen: blank identifying details at once",
        &["p"],
        Scope::Everywhere,
        None,
    ),
    def(
        Action::Freeze,
        "freeze",
        "Freeze or resume live updates",
        &["f"],
        Scope::Everywhere,
        None,
    ),
    def(
        Action::Zoom,
        "zoom",
        "The queue takes the whole screen, or gives the record its pane back",
        &["z"],
        Scope::Queue,
        None,
    ),
    def(
        Action::Since,
        "since",
        "What others changed since you last looked",
        &["S"],
        Scope::Everywhere,
        None,
    ),
    def(
        Action::Handovers,
        "handovers",
        "Handovers to you to acknowledge; write one for the marked records",
        &["H"],
        Scope::Everywhere,
        None,
    ),
    def(
        Action::Remind,
        "remind",
        "Set a reminder on the record at hand (\"09:00 tomorrow\", \"fri 2pm\", \"in 2h\")",
        &["r"],
        Scope::Everywhere,
        None,
    ),
    def(
        Action::Reminders,
        "reminders",
        "Your reminders, soonest first; those due are marked ◷",
        &["R"],
        Scope::Everywhere,
        None,
    ),
    def(
        Action::People,
        "people",
        "People: who a child or parent may already be, by name (similar spellings too) and date of birth",
        &["P"],
        Scope::Everywhere,
        None,
    ),
    def(
        Action::SamePerson,
        "same_person",
        "Timeline: merge the highlighted candidate into this person, with a reason",
        &["s"],
        Scope::Person,
        None,
    ),
    def(
        Action::DifferentPerson,
        "different_person",
        "Timeline: decide the highlighted candidate is not this person, with a reason (matching stops proposing them)",
        &["d"],
        Scope::Person,
        None,
    ),
    def(
        Action::UndoMerge,
        "undo_merge",
        "Timeline: undo the highlighted decision (a merge, or two kept apart), with a reason",
        &["u"],
        Scope::Person,
        None,
    ),
    def(
        Action::Candidates,
        "candidates",
        "New record's form: into who its client, child or parent may already be (enter chooses the same person, d one who is not)",
        &["ctrl-o"],
        Scope::Form,
        None,
    ),
    def(
        Action::LinkIncident,
        "link_incident",
        "Link the open intake report to the incident it was registered for (R-LINK-1)",
        &["K"],
        Scope::Record,
        None,
    ),
    def(
        Action::NewAllegation,
        "new_allegation",
        "The open incident is also a new allegation: register its intake report, linked (R-LINK-1)",
        &["I"],
        Scope::Record,
        None,
    ),
    def(
        Action::Refresh,
        "refresh",
        "Reload from the server",
        &["ctrl-r"],
        Scope::Everywhere,
        None,
    ),
    def(
        Action::Trends,
        "trends",
        "Trends: counts by type, service, organisation … over weeks or months",
        &["T"],
        Scope::Everywhere,
        None,
    ),
    def(
        Action::LearningActions,
        "learning_actions",
        "Open learning actions, soonest due first",
        &["L"],
        Scope::Everywhere,
        None,
    ),
    def(
        Action::Export,
        "export",
        "Export this view to a CSV file (masked as shown; audited)",
        &["E"],
        Scope::Queue,
        None,
    ),
    def(
        Action::RaiseAction,
        "raise_action",
        "Raise a learning action on the open record",
        &["A"],
        Scope::Record,
        None,
    ),
    def(
        Action::RetrySubmission,
        "retry_submission",
        "Send the highlighted rejected or failing submission again",
        &["t"],
        Scope::Record,
        None,
    ),
    def(
        Action::View(1),
        "view_1",
        "View 1 (Mine)",
        &["1"],
        Scope::Everywhere,
        None,
    ),
    def(
        Action::View(2),
        "view_2",
        "View 2 (Due today)",
        &["2"],
        Scope::Everywhere,
        None,
    ),
    def(
        Action::View(3),
        "view_3",
        "View 3 (Overdue)",
        &["3"],
        Scope::Everywhere,
        None,
    ),
    def(
        Action::View(4),
        "view_4",
        "View 4 (Major)",
        &["4"],
        Scope::Everywhere,
        None,
    ),
    def(
        Action::View(5),
        "view_5",
        "View 5 (Intake)",
        &["5"],
        Scope::Everywhere,
        None,
    ),
    def(
        Action::View(6),
        "view_6",
        "View 6 (All)",
        &["6"],
        Scope::Everywhere,
        None,
    ),
    def(
        Action::View(7),
        "view_7",
        "View 7",
        &["7"],
        Scope::Everywhere,
        None,
    ),
    def(
        Action::View(8),
        "view_8",
        "View 8",
        &["8"],
        Scope::Everywhere,
        None,
    ),
    def(
        Action::View(9),
        "view_9",
        "View 9",
        &["9"],
        Scope::Everywhere,
        None,
    ),
];

pub fn by_name(name: &str) -> Option<&'static ActionDef> {
    REGISTRY.iter().find(|d| d.name == name)
}

/// A key as written in the registry and the keymap config: `j`, `G`, `?`, `ctrl-d`,
/// `enter`, `space`, `tab`, `esc`, `up`, `pagedown`, `f5`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Key {
    pub code: KeyCode,
    pub ctrl: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown key {0:?} (use e.g. j, G, ?, ctrl-d, enter, space, tab, esc, up, pagedown, f5)")]
pub struct KeyError(pub String);

pub fn parse_key(text: &str) -> Result<Key, KeyError> {
    let (ctrl, rest) = match text.strip_prefix("ctrl-") {
        Some(rest) => (true, rest),
        None => (false, text),
    };
    let code = match rest {
        "enter" => KeyCode::Enter,
        "space" => KeyCode::Char(' '),
        "tab" => KeyCode::Tab,
        "esc" => KeyCode::Esc,
        "up" => KeyCode::Up,
        "down" => KeyCode::Down,
        "left" => KeyCode::Left,
        "right" => KeyCode::Right,
        "home" => KeyCode::Home,
        "end" => KeyCode::End,
        "pageup" => KeyCode::PageUp,
        "pagedown" => KeyCode::PageDown,
        "backspace" => KeyCode::Backspace,
        f if f.len() > 1 && f.starts_with('f') => KeyCode::F(
            f[1..]
                .parse::<u8>()
                .ok()
                .filter(|n| (1..=12).contains(n))
                .ok_or_else(|| KeyError(text.to_string()))?,
        ),
        one => {
            let mut chars = one.chars();
            match (chars.next(), chars.next()) {
                (Some(c), None) if !c.is_control() => KeyCode::Char(c),
                _ => return Err(KeyError(text.to_string())),
            }
        }
    };
    Ok(Key { code, ctrl })
}

impl Key {
    /// The key a terminal event stands for; Shift is folded into the character.
    pub fn from_event(event: &KeyEvent) -> Key {
        Key {
            code: event.code,
            ctrl: event.modifiers.contains(KeyModifiers::CONTROL),
        }
    }
}
