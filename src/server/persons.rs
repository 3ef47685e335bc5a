//! A person as the caller may see them (R-PERSON-1): every record they appear in, what
//! those records say of them, and the practitioners' decisions that made them one person or
//! kept them apart from another (R-PERSON-2). A person is reached through any of their mentions
//! (`INT-2026-000123.child0`) and followed only through decisions whose both ends the caller
//! may see, so nothing of it depends on a record the caller may not see (R-PERSON-3,
//! R-PRIV-8).

use std::collections::{BTreeMap, BTreeSet};

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use chrono::Utc;
use serde_json::json;

use crate::domain::actor::Actor;
use crate::domain::mask::{self, redact_terms};
use crate::domain::model::{Details, Record, Status};
use crate::domain::people::Dob;
use crate::domain::people::MentionRef;
use crate::store::{LinkKind, PersonLink, StoredMention};
use crate::wire::{
    DistinctPeople, ErrorBody, MergePeople, PersonEvent, PersonView, TimelineEntry, UndoMerge,
};

use super::AppState;
use super::auth::{Caller, scope};
use super::error::ApiError;
use super::lines;
use super::people::sees_mention;

/// The most mentions one person is followed to, and the longest reason.
const MAX_MENTIONS: usize = 500;
const MAX_REASON: usize = 500;

/// A person as one caller may see them.
pub(super) struct Seen {
    /// Their mentions the caller may see, each with its record.
    pub mentions: Vec<(StoredMention, Record)>,
    /// The decisions, made or undone, with one end at one of those mentions and the other
    /// at a mention the caller may see.
    pub links: Vec<PersonLink>,
    /// Followed no further than [`MAX_MENTIONS`].
    pub more: bool,
}

impl Seen {
    pub fn refs(&self) -> BTreeSet<String> {
        self.mentions
            .iter()
            .map(|(m, _)| m.at().to_string())
            .collect()
    }

    /// The standing decision that this person is not the person `other` (given as that
    /// person's mentions), if there is one between two mentions the caller may see.
    pub fn kept_apart_from(&self, other: &BTreeSet<String>) -> Option<&PersonLink> {
        let mine = self.refs();
        self.links.iter().find(|l| {
            l.keeps_apart()
                && ((mine.contains(&l.a) && other.contains(&l.b))
                    || (mine.contains(&l.b) && other.contains(&l.a)))
        })
    }

    /// The records they appear in, each once.
    pub fn records(&self) -> BTreeSet<&str> {
        self.mentions
            .iter()
            .map(|(m, _)| m.record_id.as_str())
            .collect()
    }
}

/// The records read so far in one request, so none is read twice.
#[derive(Default)]
pub(super) struct Loaded(BTreeMap<String, Option<Record>>);

impl Loaded {
    pub(super) async fn fill(&mut self, state: &AppState, ids: &[String]) -> Result<(), ApiError> {
        let missing: Vec<String> = ids
            .iter()
            .filter(|id| !self.0.contains_key(*id))
            .cloned()
            .collect();
        if missing.is_empty() {
            return Ok(());
        }
        for id in &missing {
            self.0.insert(id.clone(), None);
        }
        for record in state.store.load_many(&missing).await? {
            self.0.insert(record.id.clone(), Some(record));
        }
        Ok(())
    }

    pub(super) fn get(&self, id: &str) -> Option<&Record> {
        self.0.get(id).and_then(Option::as_ref)
    }

    /// The mention's record, read if need be, when the caller may see the mention in it.
    pub(super) async fn in_sight(
        &mut self,
        state: &AppState,
        actor: &Actor,
        mention: &StoredMention,
    ) -> Result<Option<&Record>, ApiError> {
        self.fill(state, std::slice::from_ref(&mention.record_id))
            .await?;
        Ok(self
            .get(&mention.record_id)
            .filter(|r| sees_mention(actor, r, mention.role, state.policy_of(r))))
    }
}

/// The person `start` is, as `actor` may see them; `None` when the caller may not see
/// that mention (or there is none), which is answered as if there were none.
pub(super) async fn person_as_seen(
    state: &AppState,
    actor: &Actor,
    start: &MentionRef,
    loaded: &mut Loaded,
) -> Result<Option<Seen>, ApiError> {
    let mut visible: BTreeMap<String, (StoredMention, Record)> = BTreeMap::new();
    let mut unseen: BTreeSet<String> = BTreeSet::new();
    let mut links: BTreeMap<i64, PersonLink> = BTreeMap::new();
    let mut more = false;
    let mut next = vec![start.clone()];
    let mut first = true;
    while !next.is_empty() {
        let mentions = state.store.mentions(&next).await?;
        let ids: Vec<String> = mentions.iter().map(|m| m.record_id.clone()).collect();
        loaded.fill(state, &ids).await?;
        let mut frontier = Vec::new();
        for mention in mentions {
            let key = mention.at().to_string();
            let Some(record) = loaded.in_sight(state, actor, &mention).await? else {
                unseen.insert(key);
                continue;
            };
            if visible.len() == MAX_MENTIONS {
                more = true;
                break;
            }
            frontier.push(key.clone());
            visible.insert(key, (mention, record.clone()));
        }
        if first && visible.is_empty() {
            return Ok(None);
        }
        first = false;
        next = Vec::new();
        if more || frontier.is_empty() {
            break;
        }
        for link in state.store.links_of(&frontier).await? {
            if link.joins() {
                for end in [&link.a, &link.b] {
                    if !visible.contains_key(end.as_str())
                        && !unseen.contains(end.as_str())
                        && let Some(at) = MentionRef::parse(end)
                        && !next.contains(&at)
                    {
                        next.push(at);
                    }
                }
            }
            links.insert(link.id, link);
        }
    }
    // An undone decision, or one keeping them apart from another, leads out of the person:
    // it is in their history only when the caller may see the mention at its other end too.
    let outside: Vec<MentionRef> = links
        .values()
        .flat_map(|l| [&l.a, &l.b])
        .filter(|end| !visible.contains_key(end.as_str()) && !unseen.contains(end.as_str()))
        .filter_map(|end| MentionRef::parse(end))
        .collect();
    let mut seen_outside: BTreeSet<String> = BTreeSet::new();
    let outside = state.store.mentions(&outside).await?;
    let ids: Vec<String> = outside.iter().map(|m| m.record_id.clone()).collect();
    loaded.fill(state, &ids).await?;
    for mention in outside {
        if loaded.in_sight(state, actor, &mention).await?.is_some() {
            seen_outside.insert(mention.at().to_string());
        }
    }
    let links = links
        .into_values()
        .filter(|link| {
            [&link.a, &link.b].iter().all(|end| {
                visible.contains_key(end.as_str()) || seen_outside.contains(end.as_str())
            })
        })
        .collect();
    Ok(Some(Seen {
        mentions: visible.into_values().collect(),
        links,
        more,
    }))
}

/// Whether the caller may see the mention at one end of a decision.
async fn end_in_sight(
    state: &AppState,
    actor: &Actor,
    end: &str,
    loaded: &mut Loaded,
) -> Result<bool, ApiError> {
    let Some(at) = MentionRef::parse(end) else {
        return Ok(false);
    };
    let Some(mention) = state.store.mention(&at).await? else {
        return Ok(false);
    };
    Ok(loaded.in_sight(state, actor, &mention).await?.is_some())
}

pub(super) fn no_person(id: &str) -> ApiError {
    ApiError::new(
        StatusCode::NOT_FOUND,
        "not_found",
        format!("no person {id}"),
    )
}

pub(super) fn parsed(id: &str) -> Result<MentionRef, ApiError> {
    MentionRef::parse(id).ok_or_else(|| {
        ApiError::unprocessable(format!(
            "{id:?} is not a person: use a record id, a role and a position, as in INT-2026-000123.child0"
        ))
    })
}

fn allowed(state: &AppState, actor: &Actor, permission: &str) -> Result<(), ApiError> {
    let policy = state.policies.in_force_at(Utc::now());
    if policy
        .allowed(permission)
        .is_some_and(|roles| actor.has_any(roles))
    {
        Ok(())
    } else {
        Err(ApiError::forbidden(format!(
            "your roles may not {}",
            permission.replace('_', " ")
        )))
    }
}

fn reason(text: &str) -> Result<String, ApiError> {
    lines::checked(text, MAX_REASON)
        .map_err(|wrong| ApiError::unprocessable(format!("reason: {wrong}")))
}

/// Values in the order of how many mentions give them, then alphabetically.
fn most_used(values: impl Iterator<Item = String>) -> Vec<String> {
    let mut counts: BTreeMap<String, usize> = BTreeMap::new();
    for value in values.filter(|v| !v.trim().is_empty()) {
        *counts.entry(value).or_default() += 1;
    }
    let mut ranked: Vec<(String, usize)> = counts.into_iter().collect();
    ranked.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    ranked.into_iter().map(|(v, _)| v).collect()
}

fn entry(mention: &StoredMention, record: &Record) -> TimelineEntry {
    let (at, summary) = match &record.details {
        Details::Incident(incident) => {
            let impact = incident
                .impact
                .map(|i| {
                    format!(
                        " · {}",
                        serde_json::to_value(i)
                            .ok()
                            .and_then(|v| v.as_str().map(str::to_string))
                            .unwrap_or_default()
                    )
                })
                .unwrap_or_default();
            (
                incident.occurred_at.unwrap_or(incident.identified_at),
                format!("{}{impact}", incident.primary_type),
            )
        }
        Details::Intake(intake) => {
            let classified: Vec<String> = intake
                .decision
                .iter()
                .flat_map(|d| d.classifications.iter())
                .filter_map(|c| serde_json::to_value(c).ok()?.as_str().map(str::to_string))
                .collect();
            let summary = if classified.is_empty() {
                "not classified yet".to_string()
            } else {
                classified.join(", ")
            };
            (intake.received_at, summary)
        }
    };
    TimelineEntry {
        record: record.id.clone(),
        kind: record.kind().as_str().to_string(),
        role: mention.role.as_str().to_string(),
        position: mention.position,
        at,
        org: record.org.clone(),
        stage: record.stage.clone(),
        status: match record.status {
            Status::Open => "open",
            Status::Closed => "closed",
        }
        .to_string(),
        summary,
        outcome: record.investigation_outcome.clone(),
    }
}

fn events(links: &[PersonLink]) -> Vec<PersonEvent> {
    let mut events = Vec::new();
    for link in links {
        let (made, undone_action) = match link.kind {
            LinkKind::Same => ("merged", "unmerged"),
            LinkKind::Distinct => ("kept_apart", "apart_undone"),
        };
        events.push(PersonEvent {
            merge: link.id,
            action: made.to_string(),
            mention: link.a.clone(),
            same_as: link.b.clone(),
            actor: link.actor.clone(),
            at: link.at,
            reason: link.reason.clone(),
        });
        if let Some(undone) = &link.undone {
            events.push(PersonEvent {
                merge: link.id,
                action: undone_action.to_string(),
                mention: link.a.clone(),
                same_as: link.b.clone(),
                actor: undone.actor.clone(),
                at: undone.at,
                reason: undone.reason.clone(),
            });
        }
    }
    events.sort_by(|a, b| a.at.cmp(&b.at).then(a.merge.cmp(&b.merge)));
    events
}

/// The view of a person the caller may see.
fn view_of(state: &AppState, actor: &Actor, id: &str, seen: &Seen) -> PersonView {
    let people: Vec<&crate::domain::people::PersonRecord> =
        seen.mentions.iter().map(|(m, _)| &m.person).collect();
    // A reporter's name or address may sit in a child's details, or in the reason for a
    // decision, too: redacted for those who may not see protected details (R-PRIV-3).
    let protected_sight = seen
        .mentions
        .first()
        .is_some_and(|(_, r)| mask::sees_protected(actor, state.policy_of(r)));
    let terms = state.store.terms().read();
    let shown = |text: String| {
        if protected_sight {
            text
        } else {
            redact_terms(&text, &terms)
        }
    };
    let names = most_used(people.iter().flat_map(|p| {
        let full = format!("{} {}", p.given_names, p.family_name);
        let former = p
            .former_family_names
            .iter()
            .map(|f| format!("{} {f}", p.given_names));
        std::iter::once(full.trim().to_string())
            .chain(p.aliases.iter().cloned())
            .chain(former)
            .collect::<Vec<_>>()
    }))
    .into_iter()
    .map(&shown)
    .collect();
    let mut records: Vec<TimelineEntry> = seen.mentions.iter().map(|(m, r)| entry(m, r)).collect();
    records.sort_by(|a, b| b.at.cmp(&a.at).then_with(|| a.record.cmp(&b.record)));
    PersonView {
        id: id.to_string(),
        names,
        dates_of_birth: most_used(
            people
                .iter()
                .filter(|p| p.dob != Dob::Unknown)
                .map(|p| p.dob.to_string()),
        ),
        cris_numbers: most_used(people.iter().filter_map(|p| p.cris_number.clone())),
        phones: most_used(people.iter().flat_map(|p| p.phones.clone()))
            .into_iter()
            .map(&shown)
            .collect(),
        addresses: most_used(
            people
                .iter()
                .flat_map(|p| p.addresses.iter().map(|a| a.text.clone())),
        )
        .into_iter()
        .map(&shown)
        .collect(),
        records,
        more: seen.more,
        history: events(&seen.links)
            .into_iter()
            .map(|event| PersonEvent {
                reason: shown(event.reason),
                ..event
            })
            .collect(),
    }
}

async fn audited_view(
    state: &AppState,
    caller: &Caller,
    id: &str,
    action: &str,
    detail: serde_json::Value,
) -> Result<PersonView, ApiError> {
    let at = parsed(id)?;
    let seen = person_as_seen(state, &caller.actor, &at, &mut Loaded::default())
        .await?
        .ok_or_else(|| no_person(id))?;
    let mut detail = detail;
    detail["person"] = json!(id);
    detail["records"] = json!(seen.records());
    state
        .store
        .audit(&caller.actor.user, action, None, &detail, Utc::now())
        .await?;
    Ok(view_of(state, &caller.actor, id, &seen))
}

/// A person: every record they appear in that the caller may see, and how they became one.
#[utoipa::path(
    get, path = "/v1/people/{id}", tag = "people",
    params(("id" = String, Path, description = "Any of the person's mentions: `INT-2026-000123.child0`")),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The person as the caller may see them", body = PersonView),
        (status = 401, description = "No valid token", body = ErrorBody),
        (status = 403, description = "Admin accounts see no client data", body = ErrorBody),
        (status = 404, description = "No such person, or none the caller may see", body = ErrorBody),
        (status = 422, description = "Not a person's id", body = ErrorBody),
    )
)]
pub async fn show(
    caller: Caller,
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> Result<Json<PersonView>, ApiError> {
    scope(&caller.actor).ok_or_else(|| ApiError::forbidden("admin accounts see no client data"))?;
    Ok(Json(
        audited_view(&state, &caller, &id, "person_read", json!({})).await?,
    ))
}

fn conflict(message: String) -> ApiError {
    ApiError::new(StatusCode::CONFLICT, "conflict", message)
}

/// Record a practitioner's decision that the people `id` and `with` are one, or that they
/// are not (R-PERSON-2), as the caller may see them: either answered as absent when the
/// caller may not see it (R-PRIV-8). Refused while they are one person (to be merged:
/// already; to be kept apart: undo the merge first) or while they are kept apart.
async fn decide(
    state: &AppState,
    caller: &Caller,
    kind: LinkKind,
    id: &str,
    with: &str,
    reason_given: &str,
) -> Result<PersonView, ApiError> {
    scope(&caller.actor).ok_or_else(|| ApiError::forbidden("admin accounts see no client data"))?;
    allowed(state, &caller.actor, "merge_people")?;
    let (one, other) = (parsed(id)?, parsed(with)?);
    let why = reason(reason_given)?;
    let mut loaded = Loaded::default();
    let seen = person_as_seen(state, &caller.actor, &one, &mut loaded)
        .await?
        .ok_or_else(|| no_person(id))?;
    let other_refs = person_as_seen(state, &caller.actor, &other, &mut loaded)
        .await?
        .ok_or_else(|| no_person(with))?
        .refs();
    let one_already = seen.refs().contains(&other.to_string());
    match (kind, one_already, seen.kept_apart_from(&other_refs)) {
        (LinkKind::Same, true, _) => {
            return Err(conflict(format!("{id} and {with} are one person already")));
        }
        (LinkKind::Distinct, true, _) => {
            return Err(conflict(format!(
                "{id} and {with} are one person: undo the merge that made them one first"
            )));
        }
        (LinkKind::Same, false, Some(link)) => {
            return Err(conflict(format!(
                "{id} and {with} were decided not to be one person (decision {}, by {} on {}): undo that decision first",
                link.id,
                link.actor,
                link.at.format("%Y-%m-%d")
            )));
        }
        (LinkKind::Distinct, false, Some(link)) => {
            return Err(conflict(format!(
                "{id} and {with} were decided not to be one person already (decision {})",
                link.id
            )));
        }
        (_, false, None) => {}
    }
    let link = state
        .store
        .link_people(kind, &one, &other, &caller.actor.user, &why, Utc::now())
        .await?;
    let (action, detail) = match kind {
        LinkKind::Same => (
            "people_merged",
            json!({"merge": link.id, "same_as": other.to_string(), "reason": why}),
        ),
        LinkKind::Distinct => (
            "people_kept_apart",
            json!({"decision": link.id, "not_same_as": other.to_string(), "reason": why}),
        ),
    };
    audited_view(state, caller, id, action, detail).await
}

/// Decide that two people are one (R-PERSON-2): nothing is merged but by this decision, and
/// not while a decision that they are not one stands.
#[utoipa::path(
    post, path = "/v1/people/{id}/merge", tag = "people",
    params(("id" = String, Path, description = "One of the person's mentions")),
    request_body = MergePeople,
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The person as they are now", body = PersonView),
        (status = 400, description = "Malformed body", body = ErrorBody),
        (status = 401, description = "No valid token", body = ErrorBody),
        (status = 403, description = "The caller's roles may not merge people", body = ErrorBody),
        (status = 404, description = "No such person, or none the caller may see", body = ErrorBody),
        (status = 409, description = "They are one person already, or were decided not to be", body = ErrorBody),
        (status = 422, description = "Not a person's id, or no reason", body = ErrorBody),
    )
)]
pub async fn merge(
    caller: Caller,
    State(state): State<AppState>,
    Path(id): Path<String>,
    Json(body): Json<MergePeople>,
) -> Result<Json<PersonView>, ApiError> {
    Ok(Json(
        decide(
            &state,
            &caller,
            LinkKind::Same,
            &id,
            &body.with,
            &body.reason,
        )
        .await?,
    ))
}

/// Decide that two people are not one (R-PERSON-2): twins, siblings, namesakes. Matching
/// then marks the one as decided apart when asked about the other, and a merge of the two
/// is refused until this decision is undone. It stays in both histories.
#[utoipa::path(
    post, path = "/v1/people/{id}/distinct", tag = "people",
    params(("id" = String, Path, description = "One of the person's mentions")),
    request_body = DistinctPeople,
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The person as they are now", body = PersonView),
        (status = 400, description = "Malformed body", body = ErrorBody),
        (status = 401, description = "No valid token", body = ErrorBody),
        (status = 403, description = "The caller's roles may not decide who is one person", body = ErrorBody),
        (status = 404, description = "No such person, or none the caller may see", body = ErrorBody),
        (status = 409, description = "They are one person (undo the merge first), or were decided apart already", body = ErrorBody),
        (status = 422, description = "Not a person's id, or no reason", body = ErrorBody),
    )
)]
pub async fn distinct(
    caller: Caller,
    State(state): State<AppState>,
    Path(id): Path<String>,
    Json(body): Json<DistinctPeople>,
) -> Result<Json<PersonView>, ApiError> {
    Ok(Json(
        decide(
            &state,
            &caller,
            LinkKind::Distinct,
            &id,
            &body.with,
            &body.reason,
        )
        .await?,
    ))
}

/// Undo a decision that two people are one, or that they are not (R-PERSON-2): it stays in
/// both histories.
#[utoipa::path(
    post, path = "/v1/people/merges/{merge}/undo", tag = "people",
    params(("merge" = i64, Path, description = "The decision, as a person's history names it")),
    request_body = UndoMerge,
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The first person as they are now", body = PersonView),
        (status = 400, description = "Malformed body", body = ErrorBody),
        (status = 401, description = "No valid token", body = ErrorBody),
        (status = 403, description = "The caller's roles may not undo decisions on who is one person", body = ErrorBody),
        (status = 404, description = "No such decision, or one the caller may not see both sides of", body = ErrorBody),
        (status = 409, description = "Undone already", body = ErrorBody),
        (status = 422, description = "No reason", body = ErrorBody),
    )
)]
pub async fn undo(
    caller: Caller,
    State(state): State<AppState>,
    Path(merge): Path<i64>,
    Json(body): Json<UndoMerge>,
) -> Result<Json<PersonView>, ApiError> {
    scope(&caller.actor).ok_or_else(|| ApiError::forbidden("admin accounts see no client data"))?;
    allowed(&state, &caller.actor, "unmerge_people")?;
    let why = reason(&body.reason)?;
    let no_merge = || {
        ApiError::new(
            StatusCode::NOT_FOUND,
            "not_found",
            format!("no merge {merge}"),
        )
    };
    let link = state.store.person_link(merge).await?.ok_or_else(no_merge)?;
    // Both ends in sight, or the merge is answered as absent (R-PRIV-8).
    let mut loaded = Loaded::default();
    for end in [&link.a, &link.b] {
        if !end_in_sight(&state, &caller.actor, end, &mut loaded).await? {
            return Err(no_merge());
        }
    }
    state
        .store
        .unlink_people(merge, &caller.actor.user, &why, Utc::now())
        .await?
        // Undone already, now or by another a moment before.
        .ok_or_else(|| {
            conflict(match link.kind {
                LinkKind::Same => format!("merge {merge} was undone already"),
                LinkKind::Distinct => format!("decision {merge} was undone already"),
            })
        })?;
    let (action, detail) = match link.kind {
        LinkKind::Same => (
            "people_unmerged",
            json!({"merge": merge, "same_as": link.b, "reason": why}),
        ),
        LinkKind::Distinct => (
            "people_apart_undone",
            json!({"decision": merge, "not_same_as": link.b, "reason": why}),
        ),
    };
    Ok(Json(
        audited_view(&state, &caller, &link.a, action, detail).await?,
    ))
}
