//! The queue: records the caller may see, filtered, sorted (next deadline first by
//! default) and paged with a keyset cursor so every page costs the same. Free text is
//! searched only in what the caller may see (R-PRIV-4).

use chrono::{DateTime, NaiveDate, Utc};
use sqlx::Row;
use sqlx::any::AnyArguments;
use sqlx::query::Query;

use crate::domain::analytics::{self, GroupBy};
use crate::domain::model::{Impact, Record};
use crate::domain::policy::PolicySet;
use crate::domain::query::{
    ActionsFilter, Assigned, Filter, Outcome, ReminderFilter, StageFilter, StatusFilter,
    SubmissionFilter,
};

use super::records::NOTHING_DUE;
use super::{Store, StoreError, db_time, parse_db_time};

/// Which records a caller may see at all.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    /// Department users and protective interveners.
    All,
    /// The regulator: its own, assigned, and critical notifiable incidents.
    Regulator,
    /// Everyone else: their organisation's records and those assigned to them.
    Own,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SortKey {
    Due,
    Updated,
    Created,
    Id,
    Stage,
}

impl SortKey {
    pub fn parse(text: &str) -> Option<(SortKey, bool)> {
        let (descending, name) = match text.strip_prefix('-') {
            Some(rest) => (true, rest),
            None => (false, text),
        };
        let key = match name {
            "due" | "" => SortKey::Due,
            "updated" => SortKey::Updated,
            "created" => SortKey::Created,
            "id" => SortKey::Id,
            "stage" => SortKey::Stage,
            _ => return None,
        };
        Some((key, descending))
    }

    fn column(self, class: Class) -> &'static str {
        match self {
            SortKey::Due => class.next_due(),
            SortKey::Updated => "updated_at",
            SortKey::Created => "created_at",
            SortKey::Id => "id",
            SortKey::Stage => "stage",
        }
    }
}

/// Who is asking, as far as the queue needs to know.
#[derive(Debug, Clone)]
pub struct Viewer {
    pub user: String,
    pub org: String,
    pub scope: Scope,
    /// May see identifying details of every record (protective interveners).
    pub identifying_everywhere: bool,
    /// May see protected details (R-PRIV-1).
    pub protected: bool,
}

#[derive(Debug, Clone)]
pub struct QueueQuery {
    pub viewer: Viewer,
    pub filter: Filter,
    pub sort: SortKey,
    pub descending: bool,
    pub limit: i64,
    pub cursor: Option<String>,
    pub now: DateTime<Utc>,
}

#[derive(Debug, Clone)]
pub struct QueueRow {
    pub record: Record,
    pub next_due: Option<DateTime<Utc>>,
    /// Where the at-risk band of its open deadlines begins, over the same deadlines.
    pub at_risk_from: Option<DateTime<Utc>>,
    /// The search words matched the record only through protected details (R-PRIV-5).
    pub through_protected: bool,
}

#[derive(Debug, Clone)]
pub struct Page {
    pub rows: Vec<QueueRow>,
    pub next_cursor: Option<String>,
}

enum Bind {
    Text(String),
    Int(i64),
}

/// SQL conditions with their bound values, numbered as they are added.
pub(super) struct Conditions {
    sql: Vec<String>,
    binds: Vec<Bind>,
    /// A selected column: 1 when the words found the record only through protected text.
    through_protected: String,
    /// What the caller may see of every record these conditions select.
    pub(super) class: Class,
}

impl Conditions {
    pub(super) fn new(class: Class) -> Conditions {
        Conditions {
            sql: Vec::new(),
            binds: Vec::new(),
            through_protected: String::new(),
            class,
        }
    }

    pub(super) fn text(&mut self, value: impl Into<String>) -> String {
        self.binds.push(Bind::Text(value.into()));
        format!("${}", self.binds.len())
    }

    pub(super) fn int(&mut self, value: i64) -> String {
        self.binds.push(Bind::Int(value));
        format!("${}", self.binds.len())
    }

    pub(super) fn push(&mut self, condition: String) {
        self.sql.push(condition);
    }

    pub(super) fn bind<'q>(
        &'q self,
        mut query: Query<'q, sqlx::Any, AnyArguments>,
    ) -> Query<'q, sqlx::Any, AnyArguments> {
        for bind in &self.binds {
            query = match bind {
                Bind::Text(t) => query.bind(t.as_str()),
                Bind::Int(i) => query.bind(*i),
            };
        }
        query
    }

    pub(super) fn where_clause(&self) -> String {
        if self.sql.is_empty() {
            String::new()
        } else {
            format!(" WHERE {}", self.sql.join(" AND "))
        }
    }
}

/// A LIKE pattern matching `text` anywhere, with LIKE's own characters escaped.
/// A stored due instant; the sentinel for nothing due is none.
fn due_time(stored: &str) -> Result<Option<DateTime<Utc>>, StoreError> {
    if stored == NOTHING_DUE {
        Ok(None)
    } else {
        parse_db_time(stored).map(Some)
    }
}

fn like(text: &str) -> String {
    let escaped = text
        .replace('\\', "\\\\")
        .replace('%', "\\%")
        .replace('_', "\\_");
    format!("%{escaped}%")
}

fn hex(text: &str) -> String {
    text.bytes().map(|b| format!("{b:02x}")).collect()
}

fn unhex(text: &str) -> Option<String> {
    if !text.len().is_multiple_of(2) || text.len() > 1024 {
        return None;
    }
    let bytes: Option<Vec<u8>> = (0..text.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(text.get(i..i + 2)?, 16).ok())
        .collect();
    String::from_utf8(bytes?).ok()
}

/// Fewer records than this matching a filter's stage or creation dates are found through
/// the stage indexes (which also hold the status) or the analysis index (which begins with
/// the date) and sorted; more are read in order from the sort's index. An export's most.
const FEW_TO_SORT: i64 = 20_001;

const CURSOR_SEPARATOR: char = '\u{1f}';

#[derive(Debug, thiserror::Error)]
pub enum QueueError {
    #[error("the cursor is not one this server gave out")]
    BadCursor,
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl From<sqlx::Error> for QueueError {
    fn from(e: sqlx::Error) -> QueueError {
        QueueError::Store(StoreError::Database(e))
    }
}

/// One part of what a caller may see, disjoint from the others, each simple enough for an
/// index to serve it in order (an `OR` across them would make the database sort every
/// matching row).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Branch {
    /// Every record.
    All,
    /// The caller's organisation's records.
    Org,
    /// Records of other organisations assigned to the caller.
    Cross,
    /// Every other organisation's records not assigned to the caller.
    Others,
    /// Other organisations' critical notifiable incidents not assigned to the caller.
    Notifiable,
}

/// The visibility class a caller has of every record of a branch (R-PRIV-8): the columns
/// their words are searched in and their deadlines sorted and filtered on are those
/// projected for it, so no answer depends on what the class may not see.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Class {
    /// Protected and identifying fields: protective interveners.
    Full,
    /// Identifying but not protected fields.
    Identifying,
    /// Only what every reader may see.
    Open,
}

impl Class {
    pub(super) fn search(self) -> &'static str {
        match self {
            Class::Full => "search_protected",
            Class::Identifying => "search_identifying",
            Class::Open => "search_open",
        }
    }

    pub(super) fn next_due(self) -> &'static str {
        match self {
            Class::Full => "next_due",
            Class::Identifying => "next_due_identifying",
            Class::Open => "next_due_open",
        }
    }

    pub(super) fn at_risk_from(self) -> &'static str {
        match self {
            Class::Full => "at_risk_from",
            Class::Identifying => "at_risk_from_identifying",
            Class::Open => "at_risk_from_open",
        }
    }

    pub(super) fn missed(self) -> &'static str {
        match self {
            Class::Full => "deadlines_missed",
            Class::Identifying => "deadlines_missed_identifying",
            Class::Open => "deadlines_missed_open",
        }
    }
}

pub(super) fn branches(v: &Viewer) -> Vec<(Branch, Class)> {
    // On its own organisation's records and those assigned to it, a caller sees identifying
    // fields (R-PRIV-3), and protected ones if they may see them anywhere (R-PRIV-1).
    let own = if v.protected {
        Class::Full
    } else {
        Class::Identifying
    };
    match v.scope {
        Scope::All if v.identifying_everywhere => vec![(Branch::All, own)],
        Scope::All => vec![
            (Branch::Org, own),
            (Branch::Cross, own),
            (Branch::Others, Class::Open),
        ],
        Scope::Own => vec![(Branch::Org, own), (Branch::Cross, own)],
        Scope::Regulator => vec![
            (Branch::Org, own),
            (Branch::Cross, own),
            (Branch::Notifiable, Class::Open),
        ],
    }
}

/// The conditions every count and list shares, on columns both `records` and
/// `record_counts` hold: the part of what the caller may see, and the filter's status,
/// kind, organisation and creation dates.
pub(super) fn scope(c: &mut Conditions, q: &QueueQuery, branch: Branch) {
    let v = &q.viewer;
    let others = |c: &mut Conditions| {
        let (org, user) = (c.text(&v.org), c.text(&v.user));
        format!("org_id <> {org} AND (cross_assignee IS NULL OR cross_assignee <> {user})")
    };
    match branch {
        Branch::All => {}
        Branch::Org => {
            let org = c.text(&v.org);
            c.push(format!("org_id = {org}"));
        }
        Branch::Cross => {
            let (user, org) = (c.text(&v.user), c.text(&v.org));
            c.push(format!("cross_assignee = {user} AND org_id <> {org}"));
        }
        Branch::Others => {
            let others = others(c);
            c.push(others);
        }
        Branch::Notifiable => {
            let others = others(c);
            c.push(format!(
                "kind = 'incident' AND ssr_critical = 1 AND {others}"
            ));
        }
    }
    let f = &q.filter;
    match f.status {
        StatusFilter::Open => c.push("status = 'open'".to_string()),
        StatusFilter::Closed => c.push("status = 'closed'".to_string()),
        StatusFilter::Any => {}
    }
    if let Some(kind) = f.kind {
        let p = c.text(kind.as_str());
        c.push(format!("kind = {p}"));
    }
    if let Some(org) = &f.org {
        let p = c.text(org);
        c.push(format!("org_id = {p}"));
    }
    if let Some((from, to)) = f.created {
        let (from, to) = (c.text(from.to_string()), c.text(to.to_string()));
        c.push(format!("created_on >= {from} AND created_on <= {to}"));
    }
}

/// The ids of the stages a stage filter names, in every era, of the filter's kind.
pub(super) fn stage_ids(f: &Filter, policies: &PolicySet) -> Vec<String> {
    match &f.stage {
        None => Vec::new(),
        Some(StageFilter::Id(id)) => vec![id.clone()],
        Some(StageFilter::Number(n)) => policies
            .eras()
            .iter()
            .flat_map(|p| p.stages.iter())
            .filter(|s| s.number == *n && f.kind.is_none_or(|k| k == s.kind))
            .map(|s| s.id.clone())
            .collect(),
    }
}

pub(super) fn conditions(
    q: &QueueQuery,
    policies: &PolicySet,
    (branch, class): (Branch, Class),
) -> Conditions {
    let mut c = Conditions::new(class);
    // First, so its placeholders are numbered in the order the statement holds them.
    c.through_protected = through_protected(&mut c, q);
    scope(&mut c, q, branch);
    let (f, v) = (&q.filter, &q.viewer);
    if f.stage.is_some() {
        let ids = stage_ids(f, policies);
        if ids.is_empty() {
            c.push("1 = 0".to_string());
        } else {
            let params: Vec<String> = ids.into_iter().map(|id| c.text(id)).collect();
            c.push(format!("stage IN ({})", params.join(", ")));
        }
    }
    if let Some(impact) = f.impact {
        let p = c.text(match impact {
            Impact::Major => "major",
            Impact::NonMajor => "non_major",
        });
        c.push(format!("impact = {p}"));
    }
    if let Some(t) = &f.incident_type {
        let p = c.text(t);
        c.push(format!("primary_type = {p}"));
    }
    if let Some(service) = &f.service_type {
        let p = c.text(service);
        c.push(format!("service_type = {p}"));
    }
    let (due, missed) = (class.next_due(), class.missed());
    if let Some(outcome) = f.outcome {
        let p = c.text(db_time(q.now));
        c.push(match outcome {
            Outcome::Overdue => format!("({missed} > 0 OR {due} < {p})"),
            Outcome::Met => format!("({missed} = 0 AND {due} >= {p})"),
        });
    }
    match f.actions {
        Some(ActionsFilter::Open) => c.push("open_actions > 0".to_string()),
        Some(ActionsFilter::Mine) => {
            let p = c.text(like(&format!("\n{}\n", v.user)));
            c.push(format!("action_owners LIKE {p} ESCAPE '\\'"));
        }
        None => {}
    }
    match &f.assigned {
        Some(Assigned::Me) => {
            let p = c.text(&v.user);
            c.push(format!("assignee = {p}"));
        }
        Some(Assigned::Nobody) => c.push("assignee IS NULL".to_string()),
        Some(Assigned::User(u)) => {
            let p = c.text(u);
            c.push(format!("assignee = {p}"));
        }
        None => {}
    }
    // Sets of ids rather than `OR`, so that each side is found through its own index.
    if f.mine {
        let (p1, p2) = (c.text(&v.user), c.text(&v.user));
        c.push(format!(
            "id IN (SELECT id FROM records WHERE assignee = {p1} UNION \
             SELECT record_id FROM reminders WHERE owner = {p2} AND done_at IS NULL)"
        ));
    }
    // R-PERSON-1: the records the server found the person in, within the caller's sight.
    if f.person.is_some() {
        if f.person_records.is_empty() {
            c.push("1 = 0".to_string());
        } else {
            let ids: Vec<String> = f.person_records.iter().map(|id| c.text(id)).collect();
            c.push(format!("id IN ({})", ids.join(", ")));
        }
    }
    // R-SUBMIT-1: a submission carries identifying details, so it counts only among the
    // records whose identifying details the caller may see (R-PRIV-8).
    if let Some(state) = f.submission {
        let status = match state {
            SubmissionFilter::Failing => "s.status = 'failing'",
            SubmissionFilter::Rejected => {
                "s.status = 'rejected' AND NOT EXISTS \
                 (SELECT 1 FROM submissions r WHERE r.replaces = s.id)"
            }
            SubmissionFilter::Pending => {
                "s.status IN ('queued', 'held', 'batched', 'sending', 'awaiting')"
            }
        };
        c.push(format!(
            "id IN (SELECT s.record_id FROM submissions s WHERE {status})"
        ));
        if !v.identifying_everywhere {
            let (org, user) = (c.text(&v.org), c.text(&v.user));
            c.push(format!("(org_id = {org} OR assignee = {user})"));
        }
    }
    if let Some(reminder) = f.reminder {
        let owner = c.text(&v.user);
        let come = match reminder {
            ReminderFilter::Me => String::new(),
            ReminderFilter::Due => format!(" AND due_at <= {}", c.text(db_time(q.now))),
        };
        c.push(format!(
            "id IN (SELECT record_id FROM reminders WHERE owner = {owner} \
             AND done_at IS NULL{come})"
        ));
    }
    if f.overdue {
        let p = c.text(db_time(q.now));
        c.push(format!("{due} < {p}"));
    }
    if let Some(within) = f.due_within {
        let p = c.text(db_time(q.now + within));
        c.push(format!("{due} <= {p}"));
    }
    if f.due_at_risk {
        let (p1, p2) = (c.text(db_time(q.now)), c.text(db_time(q.now)));
        c.push(format!("{} <= {p1} AND {due} > {p2}", class.at_risk_from()));
    }
    if !f.text.is_empty() {
        let column = class.search();
        for word in &f.text {
            let p = c.text(like(word));
            c.push(format!("{column} LIKE {p} ESCAPE '\\'"));
        }
    }
    c
}

/// `mine` is what is assigned to the caller or carries an open reminder of theirs. A page of
/// it is read as two queries, each walking its own index in the sort's order, and merged;
/// one query over the union of both would sort every record assigned to the caller.
fn mine_sides(q: &QueueQuery) -> Vec<QueueQuery> {
    if !q.filter.mine || q.filter.assigned.is_some() {
        return vec![q.clone()];
    }
    let mut assigned = q.clone();
    assigned.filter.mine = false;
    assigned.filter.assigned = Some(Assigned::Me);
    let mut reminded = q.clone();
    reminded.filter.mine = false;
    reminded.filter.reminder.get_or_insert(ReminderFilter::Me);
    vec![assigned, reminded]
}

/// For a caller who may see protected details: did the words find the record only through
/// them? Such a match discloses protected details and is audited (R-PRIV-5).
fn through_protected(c: &mut Conditions, q: &QueueQuery) -> String {
    if c.class != Class::Full || q.filter.text.is_empty() {
        return "CAST(0 AS BIGINT)".to_string();
    }
    let all: Vec<String> = q
        .filter
        .text
        .iter()
        .map(|word| {
            let p = c.text(like(word));
            format!("search_identifying LIKE {p} ESCAPE '\\'")
        })
        .collect();
    format!(
        "CAST(CASE WHEN {} THEN 0 ELSE 1 END AS BIGINT)",
        all.join(" AND ")
    )
}

impl Store {
    /// The conditions of each part of what the caller may see, with the query's filter.
    /// Words are searched for only once every record holding a stored protected term has
    /// been re-projected (R-PRIV-8, see `store::reproject`).
    pub(super) async fn branch_conditions(
        &self,
        q: &QueueQuery,
        policies: &PolicySet,
    ) -> Result<Vec<Conditions>, StoreError> {
        if !q.filter.text.is_empty() {
            self.reproject_pending(policies).await?;
        }
        Ok(branches(&q.viewer)
            .into_iter()
            .map(|branch| conditions(q, policies, branch))
            .collect())
    }

    /// Every page of the queue in turn, until `each` says to stop (returns false).
    pub async fn each_page(
        &self,
        q: &QueueQuery,
        policies: &PolicySet,
        mut each: impl FnMut(&[QueueRow]) -> bool,
    ) -> Result<(), QueueError> {
        let mut q = q.clone();
        loop {
            let page = self.queue(&q, policies).await?;
            if !each(&page.rows) {
                return Ok(());
            }
            match page.next_cursor {
                Some(cursor) => q.cursor = Some(cursor),
                None => return Ok(()),
            }
        }
    }

    /// One page of the queue.
    pub async fn queue(&self, q: &QueueQuery, policies: &PolicySet) -> Result<Page, QueueError> {
        let cursor = match &q.cursor {
            None => None,
            Some(cursor) => {
                let decoded = unhex(cursor).ok_or(QueueError::BadCursor)?;
                let (value, id) = decoded
                    .split_once(CURSOR_SEPARATOR)
                    .ok_or(QueueError::BadCursor)?;
                Some((value.to_string(), id.to_string()))
            }
        };
        let (cmp, order) = if q.descending {
            ("<", "DESC")
        } else {
            (">", "ASC")
        };
        // (sort value, id, next due, state, found through protected text) from every
        // branch, then merged in order.
        let mut found: Vec<(String, String, String, String, String, i64)> = Vec::new();
        for side in mine_sides(q) {
            let q = &side;
            let parts = branches(&q.viewer);
            for (part, mut c) in parts
                .into_iter()
                .zip(self.branch_conditions(q, policies).await?)
            {
                // A stage or date filter asks whether few match; any other only whether any do.
                let sorts_few = q.filter.stage.is_some() || q.filter.created.is_some();
                let rows = if sorts_few { FEW_TO_SORT } else { 1 };
                let matching = self.matching(q, policies, part, rows).await?;
                if matching == Some(0) {
                    continue;
                }
                let column = q.sort.column(c.class);
                if let Some((value, id)) = &cursor {
                    let (v1, v2, i) = (c.text(value), c.text(value), c.text(id));
                    c.push(format!(
                        "({column} {cmp} {v1} OR ({column} = {v2} AND id {cmp} {i}))"
                    ));
                }
                let limit = c.int(q.limit + 1);
                let select = format!(
                    "SELECT {} AS through_protected, id, {} AS next_due, {} AS at_risk_from, state, \
                     {column} AS sort_value FROM records",
                    c.through_protected,
                    c.class.next_due(),
                    c.class.at_risk_from(),
                );
                // A user keeps few reminders open, a person is in few records, and few
                // submissions wait or fail: those records are found first, then sorted.
                let few = (sorts_few && matching.is_some_and(|n| n < FEW_TO_SORT))
                    || q.filter.reminder.is_some()
                    || q.filter.person.is_some()
                    || q.filter.submission.is_some();
                let sql = if few {
                    // `|| ''` keeps the database from walking the sort order's index: the few
                    // matching ids are found through the filter's index, sorted, and only the
                    // page's rows are read whole.
                    format!(
                        "{select} WHERE id IN (SELECT id FROM records{} \
                         ORDER BY {column} || '' {order}, id {order} LIMIT {limit})",
                        c.where_clause()
                    )
                } else {
                    format!(
                        "{select}{} ORDER BY {column} {order}, id {order} LIMIT {limit}",
                        c.where_clause()
                    )
                };
                let rows = c
                    .bind(sqlx::query(sqlx::AssertSqlSafe(sql)))
                    .fetch_all(&self.pool)
                    .await?;
                for row in &rows {
                    found.push((
                        row.try_get("sort_value")?,
                        row.try_get("id")?,
                        row.try_get("next_due")?,
                        row.try_get::<String, _>("at_risk_from")?,
                        row.try_get("state")?,
                        row.try_get("through_protected")?,
                    ));
                }
            }
        }
        found.sort_by(|a, b| (&a.0, &a.1).cmp(&(&b.0, &b.1)));
        // A record both assigned to the caller and reminded of is found by both sides.
        found.dedup_by(|a, b| a.1 == b.1);
        if q.descending {
            found.reverse();
        }
        let limit = usize::try_from(q.limit).unwrap_or(0);
        let more = found.len() > limit;
        found.truncate(limit);
        let next_cursor = match found.last() {
            Some((value, id, ..)) if more => Some(hex(&format!("{value}{CURSOR_SEPARATOR}{id}"))),
            _ => None,
        };
        let rows = found
            .into_iter()
            .map(|(_, _, next_due, at_risk_from, state, through)| {
                let record: Record =
                    serde_json::from_str(&state).map_err(|e| StoreError::Corrupt(e.to_string()))?;
                Ok(QueueRow {
                    next_due: due_time(&next_due)?,
                    at_risk_from: due_time(&at_risk_from)?,
                    record,
                    through_protected: through != 0,
                })
            })
            .collect::<Result<_, StoreError>>()?;
        Ok(Page { rows, next_cursor })
    }

    /// How many matching records each (group, Melbourne creation date) holds, for analysis.
    pub async fn facts(
        &self,
        q: &QueueQuery,
        policies: &PolicySet,
        by: GroupBy,
    ) -> Result<Vec<(String, NaiveDate, u64)>, QueueError> {
        if let Some(facts) = self.counted_facts(q, policies, by).await? {
            return Ok(facts);
        }
        let mut facts = Vec::new();
        for mut c in self.branch_conditions(q, policies).await? {
            let none = c.text(analytics::NONE);
            let group = match by {
                GroupBy::Type => format!("COALESCE(primary_type, {none})"),
                GroupBy::Service => format!("COALESCE(service_type, {none})"),
                GroupBy::Impact => format!("COALESCE(impact, {none})"),
                GroupBy::Org => "org_id".to_string(),
                GroupBy::Stage => "stage".to_string(),
                GroupBy::Outcome => {
                    let now = c.text(db_time(q.now));
                    format!(
                        "CASE WHEN {} > 0 OR {} < {now} THEN 'overdue' ELSE 'met' END",
                        c.class.missed(),
                        c.class.next_due()
                    )
                }
            };
            let sql = format!(
                "SELECT {group} AS grp, created_on, COUNT(*) AS n FROM records{} \
                 GROUP BY grp, created_on",
                c.where_clause()
            );
            let rows = c
                .bind(sqlx::query(sqlx::AssertSqlSafe(sql)))
                .fetch_all(&self.pool)
                .await?;
            for row in &rows {
                let created: String = row.try_get("created_on")?;
                let date = created.parse::<NaiveDate>().map_err(|e| {
                    StoreError::Corrupt(format!("a creation date {created:?}: {e}"))
                })?;
                let n: i64 = row.try_get("n")?;
                facts.push((row.try_get("grp")?, date, u64::try_from(n).unwrap_or(0)));
            }
        }
        Ok(facts)
    }

    /// How many records match, for view tabs.
    pub async fn count(&self, q: &QueueQuery, policies: &PolicySet) -> Result<i64, QueueError> {
        // `mine`: the assigned and the reminded, less those both.
        if let [assigned, reminded] = &mine_sides(q)[..] {
            let mut both = assigned.clone();
            both.filter.reminder = reminded.filter.reminder;
            return Ok(Box::pin(self.count(assigned, policies)).await?
                + Box::pin(self.count(reminded, policies)).await?
                - Box::pin(self.count(&both, policies)).await?);
        }
        if let Some(total) = self.counted(q, policies).await? {
            return Ok(total);
        }
        let mut total = 0;
        for c in self.branch_conditions(q, policies).await? {
            let sql = format!("SELECT COUNT(*) AS n FROM records{}", c.where_clause());
            let row = c
                .bind(sqlx::query(sqlx::AssertSqlSafe(sql)))
                .fetch_one(&self.pool)
                .await?;
            let n: i64 = row.try_get("n")?;
            total += n;
        }
        Ok(total)
    }
}
