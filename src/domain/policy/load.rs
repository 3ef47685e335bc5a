//! Reading policy TOML: syntax, `extends` between eras, role groups, and validation that
//! names what is wrong and where (an unknown stage, role, rule ID, type, condition …).

use std::collections::{BTreeMap, BTreeSet};

use chrono::NaiveDate;
use serde::Deserialize;
use serde::de::IntoDeserializer;
use serde::de::value::{Error as ValueError, StrDeserializer};

use super::{
    AtRisk, AutoPir, ChecklistItem, CriticalCriterion, DEFAULT_NOTE_CATEGORY, DeadlineRule,
    DueRule, FieldClass, IncidentType, MASKABLE_FIELDS, NoteCategory, Parameters, Policy,
    PolicySet, ServiceType, Stage, SubmissionRoute, TimeOfDay, TypeTag,
};
use crate::domain::actor::Role;
use crate::domain::calendar::Calendar;
use crate::domain::model::{Circumstance, Milestone, RecordKind};
use crate::domain::rules::facts;
use crate::domain::submissions::{Recipient, SubmissionKind};
use crate::domain::{commands, rule_ids};

/// A policy file that cannot be used, with where and why.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{place}: {problem}")]
pub struct PolicyError {
    pub place: String,
    pub problem: String,
}

impl PolicyError {
    pub fn new(place: impl Into<String>, problem: impl Into<String>) -> PolicyError {
        PolicyError {
            place: place.into(),
            problem: problem.into(),
        }
    }
}

const CURRENT: (&str, &str) = (
    "policy/cims-2024-12-09.toml",
    include_str!("../../../policy/cims-2024-12-09.toml"),
);
const EARLIER: (&str, &str) = (
    "policy/cims-2020-02-03.toml",
    include_str!("../../../policy/cims-2020-02-03.toml"),
);

pub(super) fn embedded() -> Result<PolicySet, PolicyError> {
    let calendar = Calendar::embedded()
        .map_err(|e| PolicyError::new("policy/calendar.toml", e.to_string()))?;
    from_sources(&[CURRENT, EARLIER], calendar)
}

pub(super) fn from_sources(
    sources: &[(&str, &str)],
    calendar: Calendar,
) -> Result<PolicySet, PolicyError> {
    let mut tables = BTreeMap::new();
    for (name, text) in sources {
        let table: toml::Table =
            toml::from_str(text).map_err(|e| PolicyError::new(*name, e.to_string()))?;
        let id = table
            .get("policy")
            .and_then(|p| p.get("id"))
            .and_then(|v| v.as_str())
            .ok_or_else(|| PolicyError::new(*name, "missing [policy] id"))?
            .to_string();
        if tables.insert(id.clone(), (*name, table)).is_some() {
            return Err(PolicyError::new(
                *name,
                format!("policy id {id:?} appears twice"),
            ));
        }
    }
    // Bases first, so a mistake in an inherited section is reported in the file that has it.
    let mut resolved = Vec::new();
    for id in tables.keys() {
        let mut chain = Vec::new();
        let (name, merged) = resolve(id, &tables, &mut chain)?;
        resolved.push((chain.len(), name, merged));
    }
    resolved.sort_by_key(|(depth, name, _)| (*depth, *name));
    let mut eras = Vec::new();
    for (_, name, merged) in resolved {
        eras.push(build(name, merged)?);
    }
    PolicySet::new(eras, calendar)
}

/// An era that `extends` another carries only what differs: each top-level section it
/// has replaces the base's, and `[policy]` keys are merged one by one.
fn resolve<'a>(
    id: &str,
    tables: &BTreeMap<String, (&'a str, toml::Table)>,
    seen: &mut Vec<String>,
) -> Result<(&'a str, toml::Table), PolicyError> {
    let (name, table) = tables
        .get(id)
        .ok_or_else(|| PolicyError::new("policy set", format!("no policy with id {id:?}")))?;
    if seen.iter().any(|s| s == id) {
        return Err(PolicyError::new(
            *name,
            format!("`extends` loops back to {id:?}"),
        ));
    }
    seen.push(id.to_string());
    let base = table
        .get("policy")
        .and_then(|p| p.get("extends"))
        .and_then(|v| v.as_str());
    let Some(base) = base else {
        return Ok((name, table.clone()));
    };
    if !tables.contains_key(base) {
        return Err(PolicyError::new(
            format!("{name}: [policy] extends"),
            format!("unknown policy id {base:?}"),
        ));
    }
    let (_, mut merged) = resolve(base, tables, seen)?;
    for (key, value) in table {
        match (key.as_str(), merged.get_mut(key), value) {
            ("policy", Some(toml::Value::Table(into)), toml::Value::Table(from)) => {
                for (k, v) in from.iter().filter(|(k, _)| k.as_str() != "extends") {
                    into.insert(k.clone(), v.clone());
                }
            }
            _ => {
                merged.insert(key.clone(), value.clone());
            }
        }
    }
    Ok((name, merged))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFile {
    policy: RawHeader,
    parameters: Parameters,
    #[serde(default)]
    role_groups: BTreeMap<String, Vec<String>>,
    stages: Vec<RawStage>,
    checklist: Vec<RawItem>,
    incident_types: Vec<RawType>,
    service_types: Vec<ServiceType>,
    deadlines: Vec<RawDeadline>,
    critical_notifiable: Vec<RawCriterion>,
    field_classes: BTreeMap<String, BTreeMap<String, String>>,
    #[serde(default)]
    text: RawText,
    permissions: BTreeMap<String, Vec<String>>,
    #[serde(default)]
    auto_pir: Vec<AutoPir>,
    note_categories: Vec<RawNoteCategory>,
    /// Person matching's weights; those not given keep their defaults.
    #[serde(default)]
    matching: crate::domain::people::MatchWeights,
    #[serde(default)]
    submissions: Vec<RawSubmission>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawSubmission {
    kind: String,
    recipient: String,
    queued_by: String,
    completes: String,
    rule: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawNoteCategory {
    id: String,
    name: String,
    #[serde(default = "always")]
    when: String,
    #[serde(default)]
    evidences: Vec<String>,
}

/// Which strings are not free text (R-PRIV-10).
#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct RawText {
    /// Keys whose strings are codes; none when not given, so a policy that forgets them
    /// redacts more, never less.
    #[serde(default)]
    codes: Vec<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawHeader {
    id: String,
    name: String,
    effective_from: toml::value::Datetime,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawStage {
    kind: String,
    id: String,
    number: u8,
    name: String,
    #[serde(default = "always")]
    when: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawItem {
    kind: String,
    stage: String,
    id: String,
    text: String,
    required: bool,
    tick: Vec<String>,
    #[serde(default)]
    waive: Vec<String>,
    rule: String,
    #[serde(default = "always")]
    when: String,
    #[serde(default)]
    milestone: Option<String>,
    #[serde(default)]
    via: Option<String>,
    #[serde(default)]
    requires: Vec<String>,
    #[serde(default)]
    covers: Vec<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawType {
    id: String,
    name: String,
    short: String,
    #[serde(default)]
    tags: Vec<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawDeadline {
    id: String,
    rule: String,
    #[serde(default)]
    kind: Option<String>,
    label: String,
    #[serde(default = "always")]
    when: String,
    starts: String,
    met_by: String,
    business_days: Option<u32>,
    calendar_days: Option<u32>,
    #[serde(default)]
    at: Option<String>,
    #[serde(default)]
    cutoff: Option<String>,
    #[serde(default)]
    paused_by_police: bool,
    #[serde(default)]
    extension_max_business_days: Option<u32>,
    /// `"25%"`, `"6 hours"` or `"4 business hours"`.
    #[serde(default)]
    at_risk: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawCriterion {
    id: String,
    name: String,
    #[serde(default)]
    types: Vec<String>,
    #[serde(default)]
    all_of: Vec<String>,
    #[serde(default)]
    any_of: Vec<String>,
}

/// Longest deadline (and extension) a policy may set, so every due date stays within the
/// years the calendar knows.
const MAX_DAYS: u32 = 366;
/// The widest short label of an incident type: what a narrow column has room for.
const MAX_SHORT_LABEL: usize = 7;

fn always() -> String {
    "always".to_string()
}

/// Parse a snake_case name into one of our enums, or say what was expected.
fn name_of<T: for<'de> Deserialize<'de>>(
    place: &str,
    what: &str,
    value: &str,
) -> Result<T, PolicyError> {
    let de: StrDeserializer<'_, ValueError> = value.into_deserializer();
    T::deserialize(de).map_err(|_| PolicyError::new(place, format!("unknown {what} {value:?}")))
}

struct Builder<'a> {
    file: &'a str,
    role_groups: BTreeMap<String, Vec<String>>,
}

impl Builder<'_> {
    fn at(&self, place: impl std::fmt::Display) -> String {
        format!("{}: {place}", self.file)
    }

    /// Roles, with `@group` names from `[role_groups]` expanded (groups may name groups).
    fn roles(&self, place: &str, names: &[String]) -> Result<BTreeSet<Role>, PolicyError> {
        let mut roles = BTreeSet::new();
        self.expand(place, names, &mut roles, 0)?;
        Ok(roles)
    }

    fn expand(
        &self,
        place: &str,
        names: &[String],
        into: &mut BTreeSet<Role>,
        depth: usize,
    ) -> Result<(), PolicyError> {
        if depth > self.role_groups.len() {
            return Err(PolicyError::new(
                place,
                "role groups refer to each other in a loop",
            ));
        }
        for name in names {
            if let Some(group) = name.strip_prefix('@') {
                let members = self.role_groups.get(group).ok_or_else(|| {
                    PolicyError::new(place, format!("unknown role group \"@{group}\""))
                })?;
                self.expand(place, members, into, depth + 1)?;
            } else {
                into.insert(self.role(place, name)?);
            }
        }
        Ok(())
    }

    fn role(&self, place: &str, name: &str) -> Result<Role, PolicyError> {
        Role::parse(name).ok_or_else(|| PolicyError::new(place, format!("unknown role {name:?}")))
    }

    fn rule(&self, place: &str, id: &str) -> Result<String, PolicyError> {
        if rule_ids::is_known(id) {
            Ok(id.to_string())
        } else {
            Err(PolicyError::new(place, format!("unknown rule id {id:?}")))
        }
    }
}

fn build(file: &str, table: toml::Table) -> Result<Policy, PolicyError> {
    let raw: RawFile = toml::Value::Table(table)
        .try_into()
        .map_err(|e: toml::de::Error| PolicyError::new(file, e.message().to_string()))?;
    let b = Builder {
        file,
        role_groups: raw.role_groups,
    };
    for (group, members) in &b.role_groups {
        b.roles(&b.at(format!("role_groups.{group}")), members)?;
    }
    let effective_from =
        NaiveDate::parse_from_str(&raw.policy.effective_from.to_string(), "%Y-%m-%d").map_err(
            |_| {
                PolicyError::new(
                    b.at("[policy] effective_from"),
                    format!(
                        "expected a date like 2024-12-09, found {}",
                        raw.policy.effective_from
                    ),
                )
            },
        )?;

    let parameters = raw.parameters;
    if parameters.ttr_min_age >= parameters.ttr_max_age {
        return Err(PolicyError::new(
            b.at("[parameters]"),
            "ttr_min_age must be below ttr_max_age",
        ));
    }
    if !(2..=50).contains(&parameters.pattern_count) {
        return Err(PolicyError::new(
            b.at("[parameters] pattern_count"),
            "a pattern is 2 to 50 incidents",
        ));
    }
    if !(1..=3660).contains(&parameters.pattern_window_days) {
        return Err(PolicyError::new(
            b.at("[parameters] pattern_window_days"),
            "a pattern's window is 1 to 3660 days",
        ));
    }
    if !(2..=100).contains(&parameters.analytics_min_count) {
        return Err(PolicyError::new(
            b.at("[parameters] analytics_min_count"),
            "must be from 2 to 100: counts below it are hidden from users who are not protective interveners",
        ));
    }
    if let Some(name) = parameters
        .supporting_commands
        .iter()
        .find(|c| !commands::NAMES.contains(&c.as_str()))
    {
        return Err(PolicyError::new(
            b.at("[parameters] supporting_commands"),
            format!("unknown command {name:?}"),
        ));
    }
    if parameters.investigation_outcomes.is_empty() {
        return Err(PolicyError::new(
            b.at("[parameters] investigation_outcomes"),
            "at least one outcome is needed",
        ));
    }

    let stages = build_stages(&b, raw.stages)?;
    let checklist = build_checklist(&b, raw.checklist, &stages)?;
    let incident_types = build_types(&b, raw.incident_types)?;
    unique(
        &b,
        "service_types",
        raw.service_types.iter().map(|s| s.id.as_str()),
    )?;
    let type_ids: BTreeSet<&str> = incident_types.iter().map(|t| t.id.as_str()).collect();
    let critical_notifiable = build_criteria(&b, raw.critical_notifiable, &type_ids)?;
    let deadlines = build_deadlines(&b, raw.deadlines)?;
    let field_classes = build_field_classes(&b, raw.field_classes)?;
    let code_fields = build_code_fields(&b, raw.text.codes)?;
    let mut permissions = BTreeMap::new();
    for (command, roles) in &raw.permissions {
        let place = b.at(format!("permissions.{command}"));
        if !commands::NAMES.contains(&command.as_str()) {
            return Err(PolicyError::new(
                place,
                format!("unknown command {command:?}"),
            ));
        }
        permissions.insert(command.clone(), b.roles(&place, roles)?);
    }
    for command in commands::NAMES {
        if !permissions.contains_key(*command) {
            return Err(PolicyError::new(
                b.at("[permissions]"),
                format!("no roles given for command {command:?}"),
            ));
        }
    }
    unique(&b, "auto_pir", raw.auto_pir.iter().map(|a| a.id.as_str()))?;
    let note_categories = build_note_categories(&b, raw.note_categories, &checklist)?;
    let submissions = build_submissions(&b, raw.submissions, &checklist)?;
    if let Some((key, problem)) = raw.matching.problem() {
        return Err(PolicyError::new(b.at(format!("matching.{key}")), problem));
    }

    let policy = Policy {
        id: raw.policy.id,
        name: raw.policy.name,
        effective_from,
        parameters,
        stages,
        checklist,
        incident_types,
        service_types: raw.service_types,
        deadlines,
        critical_notifiable,
        field_classes,
        code_fields,
        permissions,
        auto_pir: raw.auto_pir,
        note_categories,
        matching: raw.matching,
        submissions,
    };
    // R-PRIV-9: a record's stage is shown to everyone who reads it, so whether a stage
    // applies may not depend on a field some of them may not see.
    for stage in &policy.stages {
        if let Some(class) = policy.condition_classes(stage.when).first() {
            return Err(PolicyError::new(
                b.at(format!("stages (id {:?})", stage.id)),
                format!(
                    "its condition reads a {} field; a stage is shown to every reader of the record, so it may only depend on open facts",
                    class.as_str()
                ),
            ));
        }
    }
    Ok(policy)
}

fn unique<'a>(
    b: &Builder<'_>,
    section: &str,
    ids: impl Iterator<Item = &'a str>,
) -> Result<(), PolicyError> {
    let mut seen = BTreeSet::new();
    for id in ids {
        if !seen.insert(id) {
            return Err(PolicyError::new(
                b.at(section),
                format!("id {id:?} appears twice"),
            ));
        }
    }
    Ok(())
}

fn build_stages(b: &Builder<'_>, raw: Vec<RawStage>) -> Result<Vec<Stage>, PolicyError> {
    let mut stages: Vec<Stage> = Vec::new();
    for (n, s) in raw.into_iter().enumerate() {
        let place = b.at(format!("stages[{n}] (id {:?})", s.id));
        let kind: RecordKind = name_of(&place, "record kind", &s.kind)?;
        if stages
            .iter()
            .any(|o| o.kind == kind && (o.id == s.id || o.number == s.number))
        {
            return Err(PolicyError::new(
                place,
                "a stage with this id or number already exists for this kind",
            ));
        }
        stages.push(Stage {
            kind,
            when: name_of(&place, "condition", &s.when)?,
            id: s.id,
            number: s.number,
            name: s.name,
        });
    }
    for kind in [RecordKind::Incident, RecordKind::Intake] {
        if !stages.iter().any(|s| s.kind == kind) {
            return Err(PolicyError::new(
                b.at("stages"),
                format!("no stages for {}", kind.as_str()),
            ));
        }
    }
    stages.sort_by_key(|s| (s.kind, s.number));
    Ok(stages)
}

fn build_checklist(
    b: &Builder<'_>,
    raw: Vec<RawItem>,
    stages: &[Stage],
) -> Result<Vec<ChecklistItem>, PolicyError> {
    let mut items: Vec<ChecklistItem> = Vec::new();
    for (n, i) in raw.into_iter().enumerate() {
        let place = b.at(format!("checklist[{n}] (id {:?})", i.id));
        let kind: RecordKind = name_of(&place, "record kind", &i.kind)?;
        if !stages.iter().any(|s| s.kind == kind && s.id == i.stage) {
            return Err(PolicyError::new(
                place,
                format!("unknown stage {:?} for {}", i.stage, kind.as_str()),
            ));
        }
        if items.iter().any(|o| o.kind == kind && o.id == i.id) {
            return Err(PolicyError::new(
                place,
                "an item with this id already exists",
            ));
        }
        let milestone = match &i.milestone {
            Some(m) => Some(name_of::<Milestone>(&place, "milestone", m)?),
            None => None,
        };
        if let Some(via) = &i.via
            && !commands::NAMES.contains(&via.as_str())
        {
            return Err(PolicyError::new(
                place,
                format!("unknown command {via:?} in `via`"),
            ));
        }
        // R-LOCK-1: an endorsement names facts cims knows how to read.
        if let Some(fact) = i.covers.iter().find(|f| !facts::is_fact(kind, f)) {
            return Err(PolicyError::new(
                place,
                format!(
                    "unknown fact {fact:?} in `covers` for {} records",
                    kind.as_str()
                ),
            ));
        }
        items.push(ChecklistItem {
            kind,
            tick: b.roles(&place, &i.tick)?,
            waive: b.roles(&place, &i.waive)?,
            rule: b.rule(&place, &i.rule)?,
            when: name_of(&place, "condition", &i.when)?,
            stage: i.stage,
            id: i.id,
            text: i.text,
            required: i.required,
            milestone,
            via: i.via,
            requires: i.requires,
            covers: i.covers,
        });
    }
    check_requires(b, &items, stages)?;
    Ok(items)
}

/// R-ORDER-1: an item requires items that exist, in its own stage or an earlier one, and
/// no item requires itself through others.
fn check_requires(
    b: &Builder<'_>,
    items: &[ChecklistItem],
    stages: &[Stage],
) -> Result<(), PolicyError> {
    let number = |item: &ChecklistItem| {
        stages
            .iter()
            .find(|s| s.kind == item.kind && s.id == item.stage)
            .map(|s| s.number)
    };
    let find = |kind: RecordKind, id: &str| items.iter().find(|o| o.kind == kind && o.id == id);
    for item in items {
        let place = || b.at(format!("checklist item {:?}", item.id));
        for needed in &item.requires {
            let Some(first) = find(item.kind, needed) else {
                return Err(PolicyError::new(
                    place(),
                    format!("requires unknown item {needed:?}"),
                ));
            };
            if number(first) > number(item) {
                return Err(PolicyError::new(
                    place(),
                    format!("requires {needed:?}, which belongs to a later stage"),
                ));
            }
        }
        // Walk what it requires, and what those require: it must never come back to it.
        let mut seen: Vec<&str> = Vec::new();
        let mut next: Vec<&str> = item.requires.iter().map(String::as_str).collect();
        while let Some(id) = next.pop() {
            if id == item.id {
                return Err(PolicyError::new(
                    place(),
                    "requires itself, through the items it requires",
                ));
            }
            if seen.contains(&id) {
                continue;
            }
            seen.push(id);
            if let Some(other) = find(item.kind, id) {
                next.extend(other.requires.iter().map(String::as_str));
            }
        }
    }
    Ok(())
}

/// R-NOTE-CAT: categories with known conditions, evidencing items that exist and are
/// ticked by hand; the default category among them.
/// R-SUBMIT-1: each kind once; both items are the incident's, and the one its
/// acceptance completes has the milestone that meets its deadline.
fn build_submissions(
    b: &Builder<'_>,
    raw: Vec<RawSubmission>,
    checklist: &[ChecklistItem],
) -> Result<Vec<SubmissionRoute>, PolicyError> {
    let mut routes: Vec<SubmissionRoute> = Vec::new();
    for r in raw {
        let place = b.at(format!("submissions (kind {:?})", r.kind));
        let kind = SubmissionKind::parse(&r.kind)
            .ok_or_else(|| PolicyError::new(&place, format!("unknown kind {:?}", r.kind)))?;
        if routes.iter().any(|known| known.kind == kind) {
            return Err(PolicyError::new(&place, "the kind appears twice"));
        }
        let recipient = Recipient::parse(&r.recipient).ok_or_else(|| {
            PolicyError::new(&place, format!("unknown recipient {:?}", r.recipient))
        })?;
        let item = |id: &str| {
            checklist
                .iter()
                .find(|i| i.kind == RecordKind::Incident && i.id == id)
                .ok_or_else(|| PolicyError::new(&place, format!("no incident item {id:?}")))
        };
        item(&r.queued_by)?;
        if item(&r.completes)?.milestone.is_none() {
            return Err(PolicyError::new(
                &place,
                format!(
                    "item {:?} records no milestone, so its acceptance would meet no deadline",
                    r.completes
                ),
            ));
        }
        routes.push(SubmissionRoute {
            kind,
            recipient,
            queued_by: r.queued_by,
            completes: r.completes,
            rule: b.rule(&place, &r.rule)?,
        });
    }
    Ok(routes)
}

fn build_note_categories(
    b: &Builder<'_>,
    raw: Vec<RawNoteCategory>,
    checklist: &[ChecklistItem],
) -> Result<Vec<NoteCategory>, PolicyError> {
    unique(b, "note_categories", raw.iter().map(|c| c.id.as_str()))?;
    let mut categories = Vec::new();
    for (n, c) in raw.into_iter().enumerate() {
        let place = b.at(format!("note_categories[{n}] (id {:?})", c.id));
        for id in &c.evidences {
            let items: Vec<&ChecklistItem> = checklist.iter().filter(|i| &i.id == id).collect();
            if items.is_empty() {
                return Err(PolicyError::new(
                    place,
                    format!("evidences unknown item {id:?}"),
                ));
            }
            if items.iter().any(|i| i.via.is_some()) {
                return Err(PolicyError::new(
                    place,
                    format!("{id:?} is completed by a command, not by a note"),
                ));
            }
        }
        categories.push(NoteCategory {
            when: name_of(&place, "condition", &c.when)?,
            id: c.id,
            name: c.name,
            evidences: c.evidences,
        });
    }
    if !categories.iter().any(|c| c.id == DEFAULT_NOTE_CATEGORY) {
        return Err(PolicyError::new(
            b.at("note_categories"),
            format!("the default category {DEFAULT_NOTE_CATEGORY:?} is missing"),
        ));
    }
    Ok(categories)
}

fn build_types(b: &Builder<'_>, raw: Vec<RawType>) -> Result<Vec<IncidentType>, PolicyError> {
    unique(b, "incident_types", raw.iter().map(|t| t.id.as_str()))?;
    let mut shorts = BTreeSet::new();
    raw.into_iter()
        .enumerate()
        .map(|(n, t)| {
            let place = b.at(format!("incident_types[{n}] (id {:?})", t.id));
            let width = t.short.chars().count();
            if !(1..=MAX_SHORT_LABEL).contains(&width) || t.short.trim() != t.short {
                return Err(PolicyError::new(
                    &place,
                    format!(
                        "short {:?}: 1 to {MAX_SHORT_LABEL} characters, no spaces at either end",
                        t.short
                    ),
                ));
            }
            if !shorts.insert(t.short.clone()) {
                return Err(PolicyError::new(
                    &place,
                    format!(
                        "short {:?} is used by another type: each must tell its type apart",
                        t.short
                    ),
                ));
            }
            let tags = t
                .tags
                .iter()
                .map(|tag| name_of::<TypeTag>(&place, "tag", tag))
                .collect::<Result<_, _>>()?;
            Ok(IncidentType {
                id: t.id,
                name: t.name,
                short: t.short,
                tags,
            })
        })
        .collect()
}

fn build_criteria(
    b: &Builder<'_>,
    raw: Vec<RawCriterion>,
    types: &BTreeSet<&str>,
) -> Result<Vec<CriticalCriterion>, PolicyError> {
    unique(b, "critical_notifiable", raw.iter().map(|c| c.id.as_str()))?;
    raw.into_iter()
        .enumerate()
        .map(|(n, c)| {
            let place = b.at(format!("critical_notifiable[{n}] (id {:?})", c.id));
            for t in &c.types {
                if !types.contains(t.as_str()) {
                    return Err(PolicyError::new(
                        &place,
                        format!("unknown incident type {t:?}"),
                    ));
                }
            }
            let circumstances = |names: &[String]| {
                names
                    .iter()
                    .map(|s| name_of::<Circumstance>(&place, "circumstance", s))
                    .collect::<Result<BTreeSet<_>, _>>()
            };
            if c.types.is_empty() && c.all_of.is_empty() && c.any_of.is_empty() {
                return Err(PolicyError::new(
                    &place,
                    "a criterion must name a type or a circumstance",
                ));
            }
            Ok(CriticalCriterion {
                all_of: circumstances(&c.all_of)?,
                any_of: circumstances(&c.any_of)?,
                types: c.types.into_iter().collect(),
                id: c.id,
                name: c.name,
            })
        })
        .collect()
}

fn build_deadlines(
    b: &Builder<'_>,
    raw: Vec<RawDeadline>,
) -> Result<Vec<DeadlineRule>, PolicyError> {
    unique(b, "deadlines", raw.iter().map(|d| d.id.as_str()))?;
    raw.into_iter()
        .enumerate()
        .map(|(n, d)| {
            let place = b.at(format!("deadlines[{n}] (id {:?})", d.id));
            let due = match (d.business_days, d.calendar_days, &d.at, &d.cutoff) {
                (Some(days), None, Some(at), None) => DueRule::BusinessDays {
                    days,
                    at: name_of::<TimeOfDay>(&place, "time of day", at)?,
                },
                (Some(_), None, None, _) => {
                    return Err(PolicyError::new(
                        &place,
                        "business_days needs `at` (end_of_day or close_of_business)",
                    ));
                }
                (None, Some(days), None, None) => DueRule::CalendarDays { days },
                (None, Some(days), None, Some(cutoff)) => DueRule::CalendarDaysWithCutoff {
                    days,
                    cutoff: chrono::NaiveTime::parse_from_str(cutoff, "%H:%M").map_err(|_| {
                        PolicyError::new(&place, format!("cutoff {cutoff:?} is not a time like 13:00"))
                    })?,
                },
                _ => {
                    return Err(PolicyError::new(
                        &place,
                        "give either business_days with at, or calendar_days (optionally with cutoff)",
                    ));
                }
            };
            let days = match &due {
                DueRule::BusinessDays { days, .. }
                | DueRule::CalendarDays { days }
                | DueRule::CalendarDaysWithCutoff { days, .. } => *days,
            };
            let extension = d.extension_max_business_days.unwrap_or(0);
            if !(1..=MAX_DAYS).contains(&days) || extension > MAX_DAYS {
                return Err(PolicyError::new(
                    &place,
                    format!("a deadline counts 1 to {MAX_DAYS} days (extensions at most {MAX_DAYS})"),
                ));
            }
            if d.extension_max_business_days.is_some() && !matches!(due, DueRule::BusinessDays { .. }) {
                return Err(PolicyError::new(&place, "extensions are counted in business days: use business_days"));
            }
            let base_rule = d.id.split('/').next().unwrap_or(&d.id);
            if base_rule != d.rule {
                return Err(PolicyError::new(
                    &place,
                    format!("id must start with its rule {:?}", d.rule),
                ));
            }
            Ok(DeadlineRule {
                rule: b.rule(&place, &d.rule)?,
                kind: match &d.kind {
                    Some(kind) => Some(name_of(&place, "record kind", kind)?),
                    None => None,
                },
                when: name_of(&place, "condition", &d.when)?,
                starts: name_of(&place, "milestone", &d.starts)?,
                met_by: name_of(&place, "milestone", &d.met_by)?,
                due,
                paused_by_police: d.paused_by_police,
                extension_max_business_days: d.extension_max_business_days,
                at_risk: match &d.at_risk {
                    Some(text) => at_risk(&place, text)?,
                    None => AtRisk::default(),
                },
                id: d.id,
                label: d.label,
            })
        })
        .collect()
}

/// A deadline's at-risk band, as the policy writes it: `"25%"` (of the time from start to
/// due), `"6 hours"` or `"4 business hours"`.
fn at_risk(place: &str, text: &str) -> Result<AtRisk, PolicyError> {
    let refuse = || {
        PolicyError::new(
            place,
            format!(
                "at_risk {text:?}: write a share like \"25%\" (1 to 99), or hours like \"6 hours\" \
                 or \"4 business hours\" (1 to {})",
                MAX_DAYS * 24
            ),
        )
    };
    let text = text.trim();
    if let Some(share) = text.strip_suffix('%') {
        let percent: u8 = share.trim().parse().map_err(|_| refuse())?;
        return if (1..=99).contains(&percent) {
            Ok(AtRisk::Share { percent })
        } else {
            Err(refuse())
        };
    }
    let (number, unit) = text.split_once(' ').ok_or_else(refuse)?;
    let hours: u32 = number.parse().map_err(|_| refuse())?;
    if !(1..=MAX_DAYS * 24).contains(&hours) {
        return Err(refuse());
    }
    match unit.split_whitespace().collect::<Vec<_>>().as_slice() {
        ["hours" | "hour"] => Ok(AtRisk::Hours { hours }),
        ["business", "hours" | "hour"] => Ok(AtRisk::BusinessHours { hours }),
        _ => Err(refuse()),
    }
}

/// R-PRIV-10: a code field names a key of the record's JSON whose strings are codes,
/// identifiers, times or user names. It may not be a key that holds written text.
fn build_code_fields(b: &Builder<'_>, raw: Vec<String>) -> Result<BTreeSet<String>, PolicyError> {
    let place = b.at("[text] codes");
    let mut out = BTreeSet::new();
    for key in raw {
        if key.is_empty() || !key.bytes().all(|c| c.is_ascii_lowercase() || c == b'_') {
            return Err(PolicyError::new(
                &place,
                format!("{key:?} is not a field name (lower-case letters and _)"),
            ));
        }
        if MASKABLE_FIELDS
            .iter()
            .any(|(_, fields)| fields.contains(&key.as_str()))
        {
            return Err(PolicyError::new(
                &place,
                format!("{key:?} is a classed field (R-PRIV-3), so it cannot be a code"),
            ));
        }
        if !out.insert(key.clone()) {
            return Err(PolicyError::new(&place, format!("{key:?} appears twice")));
        }
    }
    Ok(out)
}

fn build_field_classes(
    b: &Builder<'_>,
    raw: BTreeMap<String, BTreeMap<String, String>>,
) -> Result<BTreeMap<String, BTreeMap<String, FieldClass>>, PolicyError> {
    let mut out = BTreeMap::new();
    for (object, fields) in raw {
        let place = b.at(format!("field_classes.{object}"));
        let known = MASKABLE_FIELDS
            .iter()
            .find(|(o, _)| *o == object)
            .map(|(_, f)| *f)
            .ok_or_else(|| PolicyError::new(&place, format!("unknown object type {object:?}")))?;
        let mut classes = BTreeMap::new();
        for (field, class) in fields {
            if !known.contains(&field.as_str()) {
                return Err(PolicyError::new(&place, format!("unknown field {field:?}")));
            }
            classes.insert(field, name_of::<FieldClass>(&place, "field class", &class)?);
        }
        out.insert(object, classes);
    }
    Ok(out)
}
