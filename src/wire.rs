//! The JSON shapes that cross the wire, shared by the server and the client so they cannot
//! drift. Record representations travel already masked, as JSON values.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::domain::actor::{OrgKind, Role};
use crate::domain::analytics::{GroupBy, Interval};
use crate::domain::deadlines::Deadline;
use crate::domain::model::{Details, LearningAction};

/// `POST /v1/session`
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LoginRequest {
    pub username: String,
    pub password: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct LoginResponse {
    pub token: String,
    pub expires_at: DateTime<Utc>,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, PartialEq, Eq)]
pub struct OrganisationDto {
    pub id: String,
    pub name: String,
    #[schema(value_type = String, example = "cso")]
    pub kind: OrgKind,
}

/// `GET /v1/me`: who the token belongs to.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, PartialEq, Eq)]
pub struct Me {
    pub user: String,
    pub display_name: String,
    pub organisation: OrganisationDto,
    #[schema(value_type = Vec<String>)]
    pub roles: Vec<Role>,
    pub protective_intervener: bool,
}

/// `GET /v1/users`: a colleague records can be assigned to.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, PartialEq, Eq)]
pub struct Colleague {
    pub user: String,
    pub display_name: String,
    pub organisation: String,
}

/// One row of the queue, masked for the caller.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct QueueRow {
    pub id: String,
    pub kind: String,
    pub org: String,
    pub stage: String,
    pub status: String,
    pub assignee: Option<String>,
    pub version: u64,
    /// The earliest open deadline, if any.
    pub next_due: Option<DateTime<Utc>>,
    /// Where the earliest at-risk band of the open deadlines begins: from then until
    /// `next_due` the record is coming up (`due:at_risk`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub at_risk_from: Option<DateTime<Utc>>,
    pub impact: Option<String>,
    pub primary_type: Option<String>,
    /// Who the record is about, as the caller may see it: a name, or a masked marker such
    /// as `{"masked": "identifying", "display": "J.S. (12)"}`.
    #[schema(schema_with = subject_schema)]
    pub subject: serde_json::Value,
    /// The number of children (intake) or clients (incident).
    pub people: usize,
    /// Earlier stages whose required items are owed again (R-ORDER-2), as the caller may
    /// see them.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub owed: Vec<String>,
    /// Changed since the caller last saw it (`POST /v1/records/{id}/seen`).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub changed: bool,
    /// The time of the caller's soonest open reminder on the record.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reminder: Option<DateTime<Utc>>,
    /// When the record was registered.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created_at: Option<DateTime<Utc>>,
    /// The record's last change.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub updated_at: Option<DateTime<Utc>>,
}

/// `POST /v1/handovers`: records handed over to a person or to an organisation (the team
/// on shift), a line each. Exactly one of `to_user` and `to_org`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct WriteHandover {
    #[serde(default)]
    pub to_user: Option<String>,
    #[serde(default)]
    pub to_org: Option<String>,
    pub items: Vec<HandoverLine>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct HandoverLine {
    pub record: String,
    /// What the next worker needs to know or do.
    pub line: String,
}

/// A handover as the caller may read it.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct Handover {
    pub id: i64,
    pub author: String,
    pub to_user: Option<String>,
    pub to_org: Option<String>,
    pub written_at: DateTime<Utc>,
    pub acknowledged_by: Option<String>,
    pub acknowledged_at: Option<DateTime<Utc>>,
    /// Addressed to the caller (or their organisation), not written by them: theirs to
    /// acknowledge.
    pub for_me: bool,
    pub items: Vec<HandoverItem>,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct HandoverItem {
    /// The record's id, or a masked marker for a record the caller may not see.
    #[schema(value_type = Object)]
    pub record: serde_json::Value,
    /// The line as the caller may read it: a masked marker where they may not see the
    /// record's identifying details, protected words redacted where they may not see those.
    #[schema(value_type = Object)]
    pub line: serde_json::Value,
}

/// `GET /v1/handovers`
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct Handovers {
    /// Newest first: those to the caller or their organisation, and those they wrote.
    pub handovers: Vec<Handover>,
}

/// `POST /v1/people/candidates`: a person as being entered, to find who they may already
/// be in records the caller may see (R-PERSON-1, R-PERSON-3).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct FindPerson {
    pub given_names: String,
    pub family_name: String,
    /// Other full names the person is known by.
    #[serde(default)]
    pub aliases: Vec<String>,
    #[serde(default)]
    pub former_family_names: Vec<String>,
    /// `YYYY-MM-DD`, `YYYY-MM` or `YYYY`; absent when unknown.
    #[serde(default)]
    pub date_of_birth: Option<String>,
    #[serde(default)]
    pub cris_number: Option<String>,
    #[serde(default)]
    pub phones: Vec<String>,
    /// Current and past addresses.
    #[serde(default)]
    pub addresses: Vec<String>,
    /// The person these candidates are for, when they are someone already
    /// (`INT-2026-000123.child0`): their own mentions are left out, and those decided not
    /// to be them are marked.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub person: Option<String>,
}

/// A person a record names who may be the one sought, and why.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct Candidate {
    /// The person, as this mention of them (R-PERSON-1): one candidate per person.
    pub person: String,
    /// How many records the caller may see them in.
    pub records: usize,
    pub record: String,
    /// `client`, `subject`, `child`, `parent` or `reporter`.
    pub role: String,
    /// Which of the record's people in that role (0 for the first).
    pub position: usize,
    /// `likely` or `possible`: matching proposes, the practitioner decides (R-PERSON-2).
    pub band: String,
    pub score: f64,
    /// Field by field: what was compared, sought against found, how it compares and its
    /// weight; and the cap that lowered the band (twins or siblings), if any.
    #[schema(value_type = Object)]
    pub explanation: serde_json::Value,
    /// The standing decision that this candidate is not the person asked about, when the
    /// request named one: shown for what it is, after the others, not proposed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kept_apart: Option<KeptApart>,
}

/// A practitioner's standing decision that two people are not one (R-PERSON-2).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct KeptApart {
    /// The decision, as the person's history names it; undone like a merge.
    pub decision: i64,
    pub actor: String,
    pub at: DateTime<Utc>,
    pub reason: String,
}

/// `POST /v1/people/candidates`: the likeliest first.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct Candidates {
    pub candidates: Vec<Candidate>,
}

/// `GET /v1/people/{id}`: one person as the caller may see them (R-PERSON-1): what their
/// records say of them, every record they appear in, and the decisions that made them one.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct PersonView {
    pub id: String,
    /// Every full name and alias the caller's records give them, most used first.
    pub names: Vec<String>,
    pub dates_of_birth: Vec<String>,
    pub cris_numbers: Vec<String>,
    pub phones: Vec<String>,
    /// Current and past addresses, as the records give them.
    pub addresses: Vec<String>,
    /// Every record they appear in that the caller may see, newest first.
    pub records: Vec<TimelineEntry>,
    /// More records than were read name them (a timeline reads at most 500).
    pub more: bool,
    /// Merges and their undoing, oldest first (R-PERSON-2).
    pub history: Vec<PersonEvent>,
}

/// One record a person appears in, and as what.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct TimelineEntry {
    pub record: String,
    /// `incident` or `intake`.
    pub kind: String,
    /// `client`, `subject`, `child`, `parent` or `reporter`.
    pub role: String,
    pub position: usize,
    /// When it happened or was received.
    pub at: DateTime<Utc>,
    pub org: String,
    pub stage: String,
    pub status: String,
    /// The incident's type and impact, or the report's classification.
    pub summary: String,
    /// The investigation's outcome, when one was recorded.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub outcome: Option<String>,
}

/// A decision that two people are one, or that they are not, or its undoing.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct PersonEvent {
    /// The decision this event made or undid.
    pub merge: i64,
    /// `merged` or `unmerged`; `kept_apart` (decided not to be one person) or
    /// `apart_undone`.
    pub action: String,
    /// The two mentions the practitioner decided about.
    pub mention: String,
    pub same_as: String,
    pub actor: String,
    pub at: DateTime<Utc>,
    pub reason: String,
}

/// `POST /v1/people/{id}/merge`: the person `with` is the person `{id}` (R-PERSON-2).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MergePeople {
    pub with: String,
    /// Why the practitioner decided they are one person.
    pub reason: String,
}

/// `POST /v1/people/{id}/distinct`: the person `with` is not the person `{id}`, though
/// matching may propose them (twins, siblings, namesakes) (R-PERSON-2).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DistinctPeople {
    pub with: String,
    /// Why the practitioner decided they are not one person.
    pub reason: String,
}

/// `POST /v1/people/merges/{merge}/undo`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UndoMerge {
    pub reason: String,
}

/// `POST /v1/reminders`: a personal follow-up on a record at a time.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct WriteReminder {
    pub record: String,
    pub at: DateTime<Utc>,
    /// What to do then, on one line.
    pub note: String,
}

/// A reminder of the caller's.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct Reminder {
    pub id: i64,
    /// The record's id, or a masked marker for a record the caller may no longer see.
    #[schema(value_type = Object)]
    pub record: serde_json::Value,
    pub at: DateTime<Utc>,
    /// The note as the caller may read it now (masked like a handover's line).
    #[schema(value_type = Object)]
    pub note: serde_json::Value,
    pub created_at: DateTime<Utc>,
}

/// `GET /v1/reminders`: the caller's open reminders, soonest first.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct Reminders {
    pub reminders: Vec<Reminder>,
}

/// A submission as it crosses the wire: the stored row, its payload masked for the
/// recipient (R-SUBMIT-2).
pub use crate::store::{Submission, SubmissionStatus};

/// `GET /v1/submissions`: submissions the caller may see, newest first (R-SUBMIT-1).
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct Submissions {
    pub submissions: Vec<Submission>,
}

/// `POST /v1/submissions/batches`: build the caller's organisation's batch of non-major
/// incident reports for a month now (R-SUBMIT-4).
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SendBatch {
    /// `YYYY-MM`: the Melbourne month whose held reports (and any held from before it) go.
    pub month: String,
}

/// What building a month's batch came to.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct BatchSent {
    pub month: String,
    /// The batch to be delivered; absent when no report was waiting for it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub batch: Option<crate::store::Submission>,
    /// How many reports it carries.
    pub reports: usize,
    /// Records whose held report went on its own instead, as no longer non-major.
    pub sent_on_their_own: Vec<String>,
}

/// `POST /v1/records/{id}/seen`: the caller has seen the record at this version.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Seen {
    pub version: u64,
}

/// `GET /v1/since`: what others changed after the caller's last look.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct Since {
    /// The changes listed came after this event sequence: pass it again as `from` to read
    /// the same span later, however many records the caller looks at meanwhile.
    pub from: i64,
    /// When the caller last looked at a record (the start of the span), if ever.
    pub looked_at: Option<DateTime<Utc>>,
    /// Records changed by others, the most recently changed first.
    pub records: Vec<SinceRecord>,
    /// More changed than are listed: the oldest are left out.
    pub more: bool,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct SinceRecord {
    pub id: String,
    pub kind: String,
    pub stage: String,
    /// Its changes by others in the span, masked as its history is, oldest first.
    #[schema(value_type = Vec<Object>)]
    pub events: Vec<serde_json::Value>,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct QueuePage {
    pub rows: Vec<QueueRow>,
    /// Pass as `cursor` for the next page; absent on the last page.
    pub next_cursor: Option<String>,
}

/// `GET /v1/queue/count`
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, PartialEq, Eq)]
pub struct QueueCount {
    pub count: i64,
}

/// A count as the caller may see it: a number, or `"<5"` when it is small enough to help
/// identify a child and the caller is not a protective intervener (R-PRIV-4).
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, PartialEq, Eq)]
#[serde(untagged)]
pub enum AnalyticsCount {
    Exact(u64),
    /// `<5`: fewer than the threshold.
    Hidden(String),
}

impl AnalyticsCount {
    /// The number to draw: a hidden count is drawn as nothing.
    pub fn value(&self) -> u64 {
        match self {
            AnalyticsCount::Exact(n) => *n,
            AnalyticsCount::Hidden(_) => 0,
        }
    }
}

impl std::fmt::Display for AnalyticsCount {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            AnalyticsCount::Exact(n) => write!(f, "{n}"),
            AnalyticsCount::Hidden(text) => f.write_str(text),
        }
    }
}

/// `GET /v1/analytics`
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct Analytics {
    pub by: GroupBy,
    pub interval: Interval,
    /// The filter the counts cover, in the queue's language, dates included.
    pub query: String,
    pub periods: Vec<AnalyticsPeriod>,
    /// Largest total first.
    pub groups: Vec<AnalyticsGroup>,
    pub period_totals: Vec<AnalyticsCount>,
    pub total: AnalyticsCount,
    /// Counts below this are hidden; absent for a protective intervener.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub suppressed_below: Option<u32>,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, PartialEq, Eq)]
pub struct AnalyticsPeriod {
    /// First and last Melbourne dates of the period.
    pub start: NaiveDate,
    pub end: NaiveDate,
    pub label: String,
    /// The period is still under way: its count will grow.
    #[serde(default)]
    pub partial: bool,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct AnalyticsGroup {
    pub key: String,
    pub label: String,
    /// The queue filter listing this group's records over the whole range; absent for
    /// records no filter term names (an impact not yet given).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub query: Option<String>,
    pub total: AnalyticsCount,
    /// One per period, oldest first.
    pub counts: Vec<AnalyticsCount>,
}

/// `GET /v1/learning-actions`
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct LearningActions {
    pub rows: Vec<LearningActionRow>,
    /// Of these, past their due time.
    pub overdue: usize,
    pub due_today: usize,
    /// False when more records have open actions than this answer holds.
    pub complete: bool,
    /// Pass as `cursor` for the actions of the next records.
    pub next_cursor: Option<String>,
}

/// One open learning action and the record it belongs to.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct LearningActionRow {
    pub record: String,
    pub org: String,
    pub stage: String,
    /// The record's version, for commands on it.
    pub version: u64,
    pub action: LearningAction,
    /// Close of business on its due date.
    pub due_at: DateTime<Utc>,
}

/// `POST /v1/exports`: which view, in which format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ExportFormat {
    Csv,
    Json,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ExportRequest {
    pub format: ExportFormat,
    /// The queue's filter language.
    #[serde(default)]
    #[schema(max_length = 500)]
    pub q: Option<String>,
    /// A saved view: mine, due_today, overdue, major, intake, all.
    #[serde(default)]
    #[schema(pattern = "^(mine|due_today|overdue|major|intake|all)$")]
    pub view: Option<String>,
    /// due (default), updated, created, id, stage; prefix `-` for descending.
    #[serde(default)]
    pub sort: Option<String>,
}

/// The columns of a CSV export, in order.
pub const CSV_HEADER: [&str; 11] = [
    "id", "kind", "org", "stage", "status", "assignee", "next_due", "impact", "type", "subject",
    "people",
];

/// `POST /v1/records`
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateRecord {
    /// The owning organisation; the caller's own when absent.
    #[serde(default)]
    pub org: Option<String>,
    /// `{"kind": "incident", …}` or `{"kind": "intake", …}`.
    pub details: Details,
    #[serde(default)]
    pub assignee: Option<String>,
}

/// A record as the caller may see it, with its deadlines.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct RecordView {
    /// The masked record (protected values replaced by `{"masked": class}` markers).
    #[schema(value_type = Object)]
    pub record: serde_json::Value,
    pub version: u64,
    #[schema(value_type = Vec<Object>)]
    pub deadlines: Vec<Deadline>,
    /// The current stage's checklist as it applies to this record. An item whose applying
    /// reads what the caller may not see (an ACSASS consultation says the child is
    /// Aboriginal) is listed as withheld, whether or not it applies (R-PRIV-9).
    #[serde(default)]
    pub checklist: Vec<ChecklistLine>,
    /// Protected strings found in text this write saved (R-PRIV-2): the author is warned.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub warnings: Vec<String>,
    /// R-LINK-1: the records linked to this one (an intake report and the incidents it was
    /// registered for), those the caller may see.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub links: Vec<String>,
    /// The people the record names that the caller may see, each as a person across
    /// records (R-PERSON-1).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub people: Vec<RecordPerson>,
}

/// One person a record names, as the caller may see them across records.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct RecordPerson {
    /// The person, as this record's mention of them (`GET /v1/people/{person}`).
    pub person: String,
    /// `client`, `subject`, `child`, `parent` or `reporter`.
    pub role: String,
    pub position: usize,
    /// How many records the caller may see them in, this one included.
    pub records: usize,
    /// An intake's child: the earlier reports cims holds on them, counted towards
    /// R-INT-REREPORT-3 and R-INT-REREPORT-5.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub earlier_reports: Vec<String>,
    /// An incident's client with the policy's number of incidents within its window
    /// (R-PATTERN-1): the delegate reconsiders the impact.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pattern: Option<IncidentPattern>,
}

/// R-PATTERN-1: a client's incidents within the policy's window, this one included.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct IncidentPattern {
    /// Newest first.
    pub incidents: Vec<String>,
    pub window_days: u32,
}

/// One checklist item of the record's current stage.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, PartialEq, Eq)]
pub struct ChecklistLine {
    pub id: String,
    pub text: String,
    pub required: bool,
    pub rule: String,
    /// `open`, `done`, `waived`, or `withheld` (see `masked`).
    pub state: String,
    /// The caller's roles allow ticking it (and it is not completed by a command).
    pub may_tick: bool,
    /// Withheld: the class of what the item reads that the caller may not see (R-PRIV-9).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub masked: Option<String>,
}

/// `GET /v1/records/{id}/history`
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct History {
    pub record: String,
    /// The record's events, masked, oldest first.
    #[schema(value_type = Vec<Object>)]
    pub events: Vec<serde_json::Value>,
}

/// `GET /v1/calendar/holidays`
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct Holidays {
    pub year: i32,
    pub holidays: Vec<HolidayDto>,
    /// Set when the list is incomplete (e.g. the AFL Grand Final Friday is not yet known).
    pub incomplete: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct HolidayDto {
    pub date: NaiveDate,
    pub name: String,
}

/// A queue row's subject: a name, or a masked marker.
fn subject_schema() -> utoipa::openapi::schema::Schema {
    use utoipa::openapi::schema::{ObjectBuilder, OneOfBuilder, Type};
    OneOfBuilder::new()
        .item(ObjectBuilder::new().schema_type(Type::String))
        .item(
            ObjectBuilder::new()
                .schema_type(Type::Object)
                .property("masked", ObjectBuilder::new().schema_type(Type::String))
                .property("display", ObjectBuilder::new().schema_type(Type::String))
                .required("masked"),
        )
        .build()
        .into()
}

/// One server-sent event of the change feed as it travels: `event: record`, the sequence
/// number as its `id`, and a [`Change`] as JSON in `data`.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct ServerSentEvent {
    pub id: String,
    pub event: String,
    /// A [`Change`], as JSON.
    pub data: String,
}

/// One change-feed event: record `record_id` is now at `version`. No field data travels.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, PartialEq, Eq)]
pub struct Change {
    pub seq: i64,
    pub record_id: String,
    pub version: i64,
}

/// Every error response: `{error, message, rule?}`.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct ErrorBody {
    /// A stable code: `not_found`, `refused`, `conflict`, `unauthorized` …
    pub error: String,
    /// What went wrong, in plain words.
    pub message: String,
    /// The rule that refused the request (`R-…`), when one did.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rule: Option<String>,
    /// The field the problem is about, for forms.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
    /// On a version conflict: the record's current version.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub current_version: Option<i64>,
}

/// `GET /healthz`, `GET /readyz`
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct Health {
    pub status: String,
}

/// An audit entry (R-PRIV-5), for `admin` and `daom`.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct AuditRow {
    pub id: i64,
    pub at: DateTime<Utc>,
    pub actor: String,
    pub action: String,
    pub record_id: Option<String>,
    #[schema(value_type = Object)]
    pub detail: serde_json::Value,
}
