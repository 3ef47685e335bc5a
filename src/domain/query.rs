//! The queue's filter language, shared by the server and the terminal app:
//! `impact:major stage:2 type:neglect org:anglicare due:<24h due:at_risk overdue assigned:me
//! mine reminder:due kind:intake status:closed service:residential_care outcome:overdue
//! created:2026-01-01..2026-03-31 actions:open person:INT-2026-000123.child0` plus free text
//! (words, or "quoted phrases").

use chrono::{Duration, NaiveDate};
use serde::{Deserialize, Serialize};

use super::model::{Impact, RecordKind};
use super::people::MentionRef;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Assigned {
    Me,
    Nobody,
    User(String),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum StatusFilter {
    Open,
    Closed,
    Any,
}

/// Whether a record's deadlines were kept: `overdue` when one was met late or is past due
/// now, `met` otherwise.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    Met,
    Overdue,
}

impl Outcome {
    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::Met => "met",
            Outcome::Overdue => "overdue",
        }
    }
}

/// Records with open learning actions: any, or those the caller owns.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ActionsFilter {
    Open,
    Mine,
}

/// Records with open reminders of the caller's: any, or those whose time has come.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ReminderFilter {
    Me,
    Due,
}

/// Where a record's submissions stand (R-SUBMIT-1).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SubmissionFilter {
    /// A try failed; it will be tried again.
    Failing,
    /// The recipient refused it, and it has not been sent again.
    Rejected,
    /// Queued, being sent, or awaiting its receipt.
    Pending,
}

/// A stage by number (`stage:2`) or by id (`stage:reporting`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum StageFilter {
    Number(u8),
    Id(String),
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Filter {
    pub kind: Option<RecordKind>,
    pub stage: Option<StageFilter>,
    pub impact: Option<Impact>,
    pub incident_type: Option<String>,
    pub org: Option<String>,
    pub service_type: Option<String>,
    pub outcome: Option<Outcome>,
    /// Created on these Melbourne dates, both included.
    pub created: Option<(NaiveDate, NaiveDate)>,
    pub actions: Option<ActionsFilter>,
    pub assigned: Option<Assigned>,
    /// Assigned to the caller, or carrying an open reminder of theirs (`mine`).
    pub mine: bool,
    pub reminder: Option<ReminderFilter>,
    /// The records a person appears in (`person:INT-2026-000123.child0`, R-PERSON-1), as
    /// the caller may see them.
    pub person: Option<String>,
    /// The records the server found that person in, through the caller's sight; never
    /// read from or written to a saved filter.
    #[serde(skip)]
    pub person_records: Vec<String>,
    /// Records with a submission in this state (`submission:failing`, R-SUBMIT-1), among
    /// those whose identifying details the caller may see.
    pub submission: Option<SubmissionFilter>,
    /// Something open falls due within this long from now (`due:<24h`).
    pub due_within: Option<Duration>,
    /// Nothing is overdue and a deadline is in its at-risk band (`due:at_risk`).
    pub due_at_risk: bool,
    pub overdue: bool,
    pub status: StatusFilter,
    /// Free text, lower-cased; every word or phrase must match.
    pub text: Vec<String>,
}

impl Default for Filter {
    fn default() -> Filter {
        Filter {
            kind: None,
            stage: None,
            impact: None,
            incident_type: None,
            org: None,
            service_type: None,
            outcome: None,
            created: None,
            actions: None,
            assigned: None,
            mine: false,
            reminder: None,
            person: None,
            person_records: Vec::new(),
            submission: None,
            due_within: None,
            due_at_risk: false,
            overdue: false,
            status: StatusFilter::Open,
            text: Vec::new(),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("filter: {0}")]
pub struct QueryError(pub String);

fn err<T>(message: impl Into<String>) -> Result<T, QueryError> {
    Err(QueryError(message.into()))
}

/// Longest text a filter may have; longer input is refused rather than truncated.
pub const MAX_QUERY_CHARS: usize = 500;

/// Split into words, keeping "quoted phrases" together.
fn tokens(q: &str) -> Result<Vec<String>, QueryError> {
    let mut out = Vec::new();
    let mut current = String::new();
    let mut quoted = false;
    for c in q.chars() {
        match c {
            '"' => {
                quoted = !quoted;
                if !quoted && !current.is_empty() {
                    out.push(std::mem::take(&mut current));
                }
            }
            c if c.is_whitespace() && !quoted => {
                if !current.is_empty() {
                    out.push(std::mem::take(&mut current));
                }
            }
            c if c.is_control() => return err("control characters are not allowed"),
            c => current.push(c),
        }
    }
    if quoted {
        return err("a quoted phrase is not closed");
    }
    if !current.is_empty() {
        out.push(current);
    }
    Ok(out)
}

/// `24h`, `3d`, `90m`.
fn duration(text: &str) -> Option<Duration> {
    let (number, unit) = text.split_at(text.find(|c: char| !c.is_ascii_digit())?);
    let n: i64 = number.parse().ok().filter(|n| *n > 0 && *n <= 10_000)?;
    match unit {
        "m" => Some(Duration::minutes(n)),
        "h" => Some(Duration::hours(n)),
        "d" => Some(Duration::days(n)),
        "w" => Some(Duration::weeks(n)),
        _ => None,
    }
}

fn snake<T: for<'de> Deserialize<'de>>(value: &str) -> Option<T> {
    serde_json::from_value(serde_json::Value::String(value.to_string())).ok()
}

/// `2026-01-01..2026-03-31`, or one date.
fn date_range(value: &str) -> Option<(NaiveDate, NaiveDate)> {
    let date = |t: &str| NaiveDate::parse_from_str(t, "%Y-%m-%d").ok();
    let (from, to) = match value.split_once("..") {
        Some((from, to)) => (date(from)?, date(to)?),
        None => (date(value)?, date(value)?),
    };
    (from <= to).then_some((from, to))
}

/// Parse a filter; an unknown `key:` or a bad value is an error that names it.
pub fn parse(q: &str) -> Result<Filter, QueryError> {
    if q.chars().count() > MAX_QUERY_CHARS {
        return err(format!("longer than {MAX_QUERY_CHARS} characters"));
    }
    let mut filter = Filter::default();
    for token in tokens(q)? {
        let lower = token.to_lowercase();
        match lower.as_str() {
            "overdue" => {
                filter.overdue = true;
                continue;
            }
            "mine" => {
                filter.mine = true;
                continue;
            }
            _ => {}
        }
        let Some((key, value)) = lower.split_once(':') else {
            filter.text.push(lower);
            continue;
        };
        if value.is_empty() {
            return err(format!("{key}: needs a value"));
        }
        match key {
            "kind" => {
                filter.kind = Some(snake(value).ok_or_else(|| {
                    QueryError(format!("kind:{value}: use kind:incident or kind:intake"))
                })?);
            }
            "stage" => {
                filter.stage = Some(match value.parse::<u8>() {
                    Ok(n) => StageFilter::Number(n),
                    Err(_) => StageFilter::Id(value.to_string()),
                });
            }
            "impact" => {
                let value = if value == "non-major" || value == "nonmajor" {
                    "non_major"
                } else {
                    value
                };
                filter.impact = Some(snake(value).ok_or_else(|| {
                    QueryError(format!(
                        "impact:{value}: use impact:major or impact:non_major"
                    ))
                })?);
            }
            "type" => filter.incident_type = Some(value.to_string()),
            "org" => filter.org = Some(value.to_string()),
            "service" => filter.service_type = Some(value.to_string()),
            "outcome" => {
                filter.outcome = Some(snake(value).ok_or_else(|| {
                    QueryError(format!(
                        "outcome:{value}: use outcome:met or outcome:overdue"
                    ))
                })?);
            }
            "created" => {
                filter.created = Some(date_range(value).ok_or_else(|| {
                    QueryError(format!(
                        "created:{value}: use created:2026-01-01..2026-03-31 or one date, earlier first"
                    ))
                })?);
            }
            "actions" => {
                filter.actions = Some(snake(value).ok_or_else(|| {
                    QueryError(format!("actions:{value}: use actions:open or actions:mine"))
                })?);
            }
            "person" => {
                if MentionRef::parse(value).is_none() {
                    return err(format!(
                        "person:{value}: use a person as a record names them, as in person:INT-2026-000123.child0"
                    ));
                }
                filter.person = Some(value.to_string());
            }
            "submission" => {
                filter.submission = Some(snake(value).ok_or_else(|| {
                    QueryError(format!(
                        "submission:{value}: use submission:failing, submission:rejected or submission:pending"
                    ))
                })?);
            }
            "assigned" => {
                filter.assigned = Some(match value {
                    "me" => Assigned::Me,
                    "none" | "nobody" => Assigned::Nobody,
                    user => Assigned::User(user.to_string()),
                });
            }
            "reminder" => {
                filter.reminder = Some(match value {
                    "me" | "mine" | "set" => ReminderFilter::Me,
                    "due" => ReminderFilter::Due,
                    _ => {
                        return err(format!(
                            "reminder:{value}: use reminder:me (any of yours) or reminder:due"
                        ));
                    }
                });
            }
            "due" if value == "at_risk" => filter.due_at_risk = true,
            "due" => {
                let within = value
                    .strip_prefix('<')
                    .and_then(duration)
                    .or_else(|| (value == "today").then(|| Duration::hours(24)));
                filter.due_within = Some(within.ok_or_else(|| {
                    QueryError(format!(
                        "due:{value}: use due:<24h, due:<3d, due:<90m or due:at_risk"
                    ))
                })?);
            }
            "status" => {
                filter.status = match value {
                    "open" => StatusFilter::Open,
                    "closed" => StatusFilter::Closed,
                    "all" | "any" => StatusFilter::Any,
                    _ => return err(format!("status:{value}: use open, closed or all")),
                };
            }
            _ => {
                return err(format!(
                    "unknown term {key}: (known: kind, stage, impact, type, org, service, outcome, created, actions, assigned, reminder, due, status, overdue, mine)"
                ));
            }
        }
    }
    Ok(filter)
}

/// The saved views every user has (tabs in the app), as filters.
pub const VIEWS: &[(&str, &str, &str)] = &[
    ("mine", "Mine", "mine"),
    ("due_today", "Due today", "due:<24h"),
    ("overdue", "Overdue", "overdue"),
    ("major", "Major", "impact:major"),
    ("intake", "Intake", "kind:intake"),
    ("all", "All", ""),
];

pub fn view(id: &str) -> Option<&'static str> {
    VIEWS.iter().find(|(v, _, _)| *v == id).map(|(_, _, q)| *q)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn structured_terms_and_free_text() {
        let f = parse("impact:major stage:2 due:<24h overdue assigned:me \"Jordan S\" bruise")
            .expect("parses");
        assert_eq!(f.impact, Some(Impact::Major));
        assert_eq!(f.stage, Some(StageFilter::Number(2)));
        assert_eq!(f.due_within, Some(Duration::hours(24)));
        assert!(f.overdue);
        assert_eq!(f.assigned, Some(Assigned::Me));
        assert_eq!(f.text, ["jordan s", "bruise"]);
    }

    #[test]
    fn analysis_terms_name_service_outcome_creation_dates_and_actions() {
        let f = parse(
            "service:residential_care outcome:overdue created:2026-01-01..2026-03-31 actions:mine",
        )
        .expect("parses");
        assert_eq!(f.service_type.as_deref(), Some("residential_care"));
        assert_eq!(f.outcome, Some(Outcome::Overdue));
        let day = |m, d| NaiveDate::from_ymd_opt(2026, m, d).expect("date");
        assert_eq!(f.created, Some((day(1, 1), day(3, 31))));
        assert_eq!(f.actions, Some(ActionsFilter::Mine));
        assert_eq!(
            parse("created:2026-02-03").expect("one day").created,
            Some((day(2, 3), day(2, 3)))
        );
    }

    #[test]
    fn mine_is_a_term_and_reminders_are_filtered_by_whether_their_time_has_come() {
        let f = parse("mine reminder:due").expect("parses");
        assert!(f.mine);
        assert_eq!(f.reminder, Some(ReminderFilter::Due));
        assert_eq!(
            parse("reminder:me").expect("parses").reminder,
            Some(ReminderFilter::Me)
        );
        assert_eq!(view("mine"), Some("mine"));
    }

    #[test]
    fn unknown_keys_and_bad_values_are_named() {
        assert!(parse("colour:red").unwrap_err().0.contains("colour"));
        assert!(parse("impact:huge").unwrap_err().0.contains("impact:huge"));
        assert!(parse("due:<soon").unwrap_err().0.contains("due:<soon"));
        assert!(parse("due:at_risk").expect("parses").due_at_risk);
        assert!(parse("due:atrisk").unwrap_err().0.contains("due:at_risk"));
        assert!(parse("\"open").unwrap_err().0.contains("quoted"));
        assert!(
            parse("created:2026-03-01..2026-01-01")
                .unwrap_err()
                .0
                .contains("created:")
        );
        assert!(
            parse("outcome:late")
                .unwrap_err()
                .0
                .contains("outcome:late")
        );
        assert!(parse("actions:all").unwrap_err().0.contains("actions:all"));
        assert!(
            parse("reminder:soon")
                .unwrap_err()
                .0
                .contains("reminder:soon")
        );
        assert!(parse(&"x".repeat(501)).is_err());
    }
}
