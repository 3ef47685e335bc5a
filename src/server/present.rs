//! The masking boundary (R-PRIV-4): every record representation the server sends is made
//! here, through `domain::mask`, and every disclosure of protected details is audited
//! (R-PRIV-5).

use chrono::Utc;
use serde_json::{Value, json};

use crate::domain::deadlines;
use crate::domain::events::Event;
use crate::domain::local_time;
use crate::domain::mask::{self, ItemView, MaskContext, Masked, Sight, View};
use crate::domain::model::RecordKind;
use crate::domain::model::{Details, ItemState, Record};
use crate::store::HistoryEvent;
use crate::store::QueueRow as QueueFound;
use crate::wire;

use super::AppState;
use super::auth::Caller;
use super::error::ApiError;
use super::record_people::record_people;

fn mask_view(state: &AppState, caller: &Caller, view: View<'_>, record: &Record) -> Masked {
    let terms = state.store.terms().read();
    let ctx = MaskContext {
        today: local_time::local_date(Utc::now()),
        protected_terms: &terms,
    };
    let policy = state.policy_of(record);
    mask::mask(view, &caller.actor, policy, &ctx)
}

/// R-PRIV-5: write the audit entry for protected fields shown to a protective intervener.
async fn audit_disclosures(
    state: &AppState,
    caller: &Caller,
    record: &Record,
    masked: &Masked,
    action: &str,
) -> Result<(), ApiError> {
    if masked.disclosed.is_empty() {
        return Ok(());
    }
    let fields: Vec<&str> = masked.disclosed.iter().map(|d| d.field.as_str()).collect();
    state
        .store
        .audit(
            &caller.actor.user,
            action,
            Some(&record.id),
            &json!({ "fields": fields }),
            Utc::now(),
        )
        .await?;
    Ok(())
}

/// Whether showing a record tells the caller something (R-PRIV-5).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Shown {
    /// A read: protected details shown are disclosed, and audited.
    Read,
    /// The answer to creating it: the author is shown only what they have just written,
    /// so nothing is disclosed.
    Authored,
}

/// A record as the caller may see it, with its deadlines.
pub async fn record_view(
    state: &AppState,
    caller: &Caller,
    record: &Record,
    warnings: Vec<String>,
    shown: Shown,
) -> Result<wire::RecordView, ApiError> {
    state.store.sync_terms().await?;
    // R-INT-REREPORT-3, R-PATTERN-1: the record as its people make it for this caller.
    let found = record_people(state, &caller.actor, record).await?;
    let mut known = record.clone();
    known.know_reports(found.known_reports);
    let record = &known;
    let masked = mask_view(state, caller, View::Record(record), record);
    if shown == Shown::Read {
        audit_disclosures(state, caller, record, &masked, "disclosed_protected").await?;
    }
    let sight = Sight::new(&caller.actor, state.policy_of(record), record);
    let links = links(state, caller, record).await?;
    let mut value = masked.value;
    // R-LINK-1, R-PRIV-8: the intake's own list of its incidents names only those the
    // caller may see, as `links` does.
    if let Some(listed) = value.get_mut("linked_incidents") {
        *listed = serde_json::json!(links);
    }
    Ok(wire::RecordView {
        record: value,
        version: record.version,
        // R-PRIV-9: a deadline that reads what the caller may not see is withheld.
        deadlines: sight.deadlines(deadlines::deadlines(record, &state.policies, Utc::now())),
        checklist: checklist(caller, record, &sight),
        warnings,
        links,
        people: found.people,
    })
}

/// R-LINK-1: the records linked to this one that the caller may see; a link to a record
/// hidden from them is not there for them (R-PRIV-8).
async fn links(
    state: &AppState,
    caller: &Caller,
    record: &Record,
) -> Result<Vec<String>, ApiError> {
    let linked = match record.kind() {
        RecordKind::Intake => record.linked_incidents.clone(),
        RecordKind::Incident => state.store.intakes_linked_to(&record.id).await?,
    };
    let mut shown = Vec::with_capacity(linked.len());
    for id in linked {
        if super::lines::visible(state, caller, &id).await?.is_some() {
            shown.push(id);
        }
    }
    Ok(shown)
}

/// The current stage's items that apply to the record, and those the caller may not see
/// withheld, whether or not they apply (R-PRIV-9).
fn checklist(caller: &Caller, record: &Record, sight: &Sight<'_>) -> Vec<wire::ChecklistLine> {
    sight
        .checklist()
        .into_iter()
        .map(|view| {
            let (item, withheld) = match view {
                ItemView::Shown(item) => (item, None),
                ItemView::Withheld(item, class) => (item, Some(class)),
            };
            let state = match (withheld, record.checklist.get(&item.id)) {
                (Some(_), _) => "withheld",
                (None, None) => "open",
                (None, Some(ItemState::Done { .. })) => "done",
                (None, Some(ItemState::Waived { .. })) => "waived",
            };
            wire::ChecklistLine {
                id: item.id.clone(),
                text: item.text.clone(),
                required: item.required,
                rule: item.rule.clone(),
                state: state.to_string(),
                may_tick: withheld.is_none()
                    && item.via.is_none()
                    && caller.actor.has_any(&item.tick),
                masked: withheld.map(|class| class.as_str().to_string()),
            }
        })
        .collect()
}

/// A record's history as the caller may see it.
pub async fn history(
    state: &AppState,
    caller: &Caller,
    record: &Record,
    events: &[HistoryEvent],
) -> Result<wire::History, ApiError> {
    state.store.sync_terms().await?;
    let plain: Vec<Event> = events.iter().map(|h| h.event.clone()).collect();
    let masked = mask_view(state, caller, View::History(record, &plain), record);
    audit_disclosures(
        state,
        caller,
        record,
        &masked,
        "disclosed_protected_history",
    )
    .await?;
    let mut masked_events = masked
        .value
        .get("events")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    // R-LINK-1, R-PRIV-8: a link names its incident only to those who may see it, as the
    // record's own list of links does.
    let shown = links(state, caller, record).await?;
    for event in &mut masked_events {
        let change = match event.get_mut("change") {
            Some(change) => change,
            None => event,
        };
        if change.get("event").and_then(Value::as_str) == Some("incident_linked")
            && let Some(incident) = change.get_mut("incident")
            && !incident
                .as_str()
                .is_some_and(|id| shown.iter().any(|s| s == id))
        {
            *incident = crate::domain::mask::marker(crate::domain::policy::FieldClass::Identifying);
        }
    }
    let events = events
        .iter()
        .zip(masked_events)
        .map(|(h, mut e)| {
            if let Some(object) = e.as_object_mut() {
                object.insert("seq".into(), json!(h.seq));
                object.insert("version".into(), json!(h.version));
            }
            e
        })
        .collect();
    Ok(wire::History {
        record: record.id.clone(),
        events,
    })
}

/// R-PRIV-5: a search whose words found records only through protected details has shown
/// the caller that those records hold them: a disclosure, audited per record.
pub async fn audit_search(
    state: &AppState,
    caller: &Caller,
    records: &[&str],
) -> Result<(), ApiError> {
    for &record in records {
        state
            .store
            .audit(
                &caller.actor.user,
                "disclosed_protected_search",
                Some(record),
                &json!({ "fields": ["search"] }),
                Utc::now(),
            )
            .await?;
    }
    Ok(())
}

/// The record without its notes, description, location or concerns: what a summary needs
/// masked, and nothing more.
fn without_free_text(record: &Record) -> Record {
    let mut row = record.clone();
    row.notes.clear();
    match &mut row.details {
        Details::Incident(i) => {
            i.description.clear();
            i.location = None;
        }
        Details::Intake(n) => n.concerns.clear(),
    }
    row
}

/// One queue row, built from the masked record so that what a row shows is exactly what
/// the record would show.
pub fn queue_row(state: &AppState, caller: &Caller, found: &QueueFound) -> wire::QueueRow {
    // R-PRIV-9: `next_due` and `at_risk_from` are the ones the queue sorted and filtered the
    // caller on, counted over the deadlines of their visibility class (see `store::queue`).
    let record = &found.record;
    let sight = Sight::new(&caller.actor, state.policy_of(record), record);
    // A row shows no free text, so none is masked: only the people it names.
    let mut row = without_free_text(record);
    row.learning_actions.clear();
    let masked = mask_view(state, caller, View::Record(&row), &row);
    let details = masked.value.get("details");
    let (people_key, name_of) = match &record.details {
        Details::Incident(_) => ("clients", "/name"),
        Details::Intake(_) => ("children", "/person/name"),
    };
    let people = details
        .and_then(|d| d.get(people_key))
        .and_then(Value::as_array);
    let subject = people
        .and_then(|p| p.first())
        .and_then(|first| first.pointer(name_of))
        .cloned()
        .unwrap_or(Value::Null);
    let (impact, primary_type) = match &record.details {
        Details::Incident(i) => (
            i.impact
                .and_then(|x| serde_json::to_value(x).ok())
                .and_then(|v| v.as_str().map(String::from)),
            Some(i.primary_type.clone()),
        ),
        Details::Intake(_) => (None, None),
    };
    wire::QueueRow {
        id: record.id.clone(),
        kind: record.kind().as_str().to_string(),
        org: record.org.clone(),
        stage: record.stage.clone(),
        status: match record.status {
            crate::domain::model::Status::Open => "open".into(),
            crate::domain::model::Status::Closed => "closed".into(),
        },
        assignee: record.assignee.clone(),
        version: record.version,
        next_due: found.next_due,
        at_risk_from: found.at_risk_from,
        impact,
        primary_type,
        subject,
        people: people.map_or(0, Vec::len),
        owed: owed_stages(&sight),
        changed: false,
        reminder: None,
        created_at: Some(record.created_at),
        updated_at: Some(record.updated_at),
    }
}

/// R-ORDER-2: the earlier stages owed again, as far as the caller may see.
fn owed_stages(sight: &Sight<'_>) -> Vec<String> {
    let mut stages: Vec<String> = Vec::new();
    for item in sight.owed() {
        if !stages.contains(&item.stage) {
            stages.push(item.stage.clone());
        }
    }
    stages
}

/// A record's open learning actions as the caller may see them: the record is masked with
/// its other free text left out, as a queue row is, and the actions read back from it.
pub fn learning_actions(
    state: &AppState,
    caller: &Caller,
    record: &Record,
) -> Vec<wire::LearningActionRow> {
    let mut row = without_free_text(record);
    row.learning_actions.retain(|a| a.is_open());
    let masked = mask_view(state, caller, View::Record(&row), &row);
    let actions: Vec<crate::domain::model::LearningAction> = masked
        .value
        .get("learning_actions")
        .cloned()
        .and_then(|v| serde_json::from_value(v).ok())
        .unwrap_or_default();
    actions
        .into_iter()
        .map(|action| wire::LearningActionRow {
            record: record.id.clone(),
            org: record.org.clone(),
            stage: record.stage.clone(),
            version: record.version,
            due_at: local_time::close_of_business(action.due_on).with_timezone(&Utc),
            action,
        })
        .collect()
}
