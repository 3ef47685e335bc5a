//! The queue's columns: which are shown and in what order (`[ui] columns`), how each is
//! headed and how wide it is, and the sort of the server's it stands for.

use ratatui::layout::Constraint;
use serde::Deserialize;

use crate::tui::layout::DUE_WIDTH;

use super::state::SORTS;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(try_from = "String")]
pub enum Column {
    Id,
    Due,
    Stage,
    Impact,
    Type,
    Who,
    Assignee,
    Org,
    Kind,
    Updated,
    Created,
}

impl Column {
    pub const ALL: [Column; 11] = [
        Column::Id,
        Column::Due,
        Column::Stage,
        Column::Impact,
        Column::Type,
        Column::Who,
        Column::Assignee,
        Column::Org,
        Column::Kind,
        Column::Updated,
        Column::Created,
    ];

    /// The columns shown when the config names none, in their order.
    pub const DEFAULT: [Column; 7] = [
        Column::Id,
        Column::Due,
        Column::Stage,
        Column::Impact,
        Column::Type,
        Column::Who,
        Column::Assignee,
    ];

    /// The columns no list may leave out: what the after-hours worker acts on.
    pub const REQUIRED: [Column; 2] = [Column::Id, Column::Due];

    /// The name in `[ui] columns`.
    pub fn name(self) -> &'static str {
        match self {
            Column::Id => "id",
            Column::Due => "due",
            Column::Stage => "stage",
            Column::Impact => "impact",
            Column::Type => "type",
            Column::Who => "who",
            Column::Assignee => "assignee",
            Column::Org => "org",
            Column::Kind => "kind",
            Column::Updated => "updated",
            Column::Created => "created",
        }
    }

    pub fn header(self) -> &'static str {
        match self {
            Column::Id => "ID",
            Column::Due => "Due",
            Column::Stage => "Stage",
            Column::Impact => "Impact",
            Column::Type => "Type",
            Column::Who => "Who",
            Column::Assignee => "Assignee",
            Column::Org => "Org",
            Column::Kind => "Kind",
            Column::Updated => "Updated",
            Column::Created => "Created",
        }
    }

    /// How the linear mode labels the value; the id names its line and has none.
    pub fn label(self) -> &'static str {
        match self {
            Column::Org => "organisation",
            other => other.name(),
        }
    }

    /// The server's sort key for the column, in the direction it sorts in (latest first
    /// for times), as one of `SORTS`; none when the server cannot sort by it.
    pub fn sort(self) -> Option<usize> {
        let key = match self {
            Column::Id => "id",
            Column::Due => "due",
            Column::Stage => "stage",
            Column::Updated => "-updated",
            Column::Created => "-created",
            Column::Impact
            | Column::Type
            | Column::Who
            | Column::Assignee
            | Column::Org
            | Column::Kind => return None,
        };
        SORTS.iter().position(|(k, _)| *k == key)
    }

    /// Its width; `wide` from 100 columns on, narrower forms below. `stretch` takes what
    /// the others leave.
    pub fn width(self, wide: bool, stretch: bool) -> Constraint {
        let n = match self {
            Column::Id => 15,
            Column::Due => DUE_WIDTH,
            Column::Stage if wide => 16,
            Column::Stage => 8,
            Column::Impact | Column::Type => 7,
            Column::Who if wide => 13,
            Column::Who => 12,
            Column::Assignee if wide => 10,
            Column::Assignee => 6,
            Column::Org if wide => 12,
            Column::Org => 9,
            Column::Kind | Column::Updated | Column::Created => 8,
        };
        if stretch {
            Constraint::Min(n)
        } else {
            Constraint::Length(n)
        }
    }
}

impl TryFrom<String> for Column {
    type Error = String;

    fn try_from(name: String) -> Result<Column, String> {
        Column::ALL
            .into_iter()
            .find(|c| c.name() == name)
            .ok_or_else(|| {
                format!(
                    "[ui] columns: {name:?} is not a column (the columns are {})",
                    Column::ALL.map(Column::name).join(", ")
                )
            })
    }
}

/// What is wrong with a list of columns, if anything: it is empty, names one twice, or
/// leaves out the id or the deadline.
pub fn problem(columns: &[Column]) -> Option<String> {
    if columns.is_empty() {
        return Some(
            "[ui] columns: the list is empty; it needs at least \"id\" and \"due\"".into(),
        );
    }
    for (i, column) in columns.iter().enumerate() {
        if columns[..i].contains(column) {
            return Some(format!("[ui] columns: {:?} is listed twice", column.name()));
        }
    }
    Column::REQUIRED
        .into_iter()
        .find(|c| !columns.contains(c))
        .map(|missing| {
            format!(
                "[ui] columns: {:?} is missing; the record id and the deadline are always shown",
                missing.name()
            )
        })
}

/// The column that takes the room the others leave: the type, else who.
pub fn stretching(columns: &[Column]) -> Option<Column> {
    [Column::Type, Column::Who]
        .into_iter()
        .find(|c| columns.contains(c))
}
