//! People: who a person being entered may already be (R-PERSON-1, R-PERSON-2). Candidates
//! come only from records whose identifying details the caller may see, and from reporters
//! only for a caller who may see protected details; both limits apply before anything is
//! ranked or cut, so an answer never depends on what the caller may not see (R-PERSON-3,
//! R-PRIV-8).

use std::collections::{BTreeMap, BTreeSet};

use axum::Json;
use axum::extract::State;
use chrono::{NaiveDate, Utc};
use serde_json::json;

use crate::domain::actor::Actor;
use crate::domain::mask::{self, redact_terms};
use crate::domain::model::Record;
use crate::domain::people::{
    Address, Band, Dob, Explanation, Field, FieldReason, MatchWeights, MentionRef, PersonRecord,
    Reason, Role, bound, compare, identifiers, keys, undigest,
};
use crate::domain::policy::Policy;
use crate::store::{KeyRows, MentionSight, StoredMention};
use crate::wire::{Candidate, Candidates, ErrorBody, FindPerson, KeptApart};

use super::AppState;
use super::auth::{Caller, can_see, scope};
use super::error::ApiError;
use super::lines;
use super::persons::{Loaded, Seen, no_person, parsed, person_as_seen};

/// Mentions read whole per search, candidates answered, the longest name or line, the most
/// aliases, phones or addresses.
const READ: usize = 200;
const ANSWERED: usize = 20;
const MAX_TEXT: usize = 200;
const MAX_MANY: usize = 10;

fn checked(what: &str, text: &str) -> Result<String, ApiError> {
    lines::checked(text, MAX_TEXT)
        .map_err(|wrong| ApiError::unprocessable(format!("{what}: {wrong}")))
}

fn many(what: &str, items: &[String]) -> Result<Vec<String>, ApiError> {
    if items.len() > MAX_MANY {
        return Err(ApiError::unprocessable(format!(
            "{what}: at most {MAX_MANY}"
        )));
    }
    items.iter().map(|i| checked(what, i)).collect()
}

/// `YYYY-MM-DD`, `YYYY-MM` or `YYYY`.
fn dob(text: Option<&str>) -> Result<Dob, ApiError> {
    let Some(text) = text.map(str::trim).filter(|t| !t.is_empty()) else {
        return Ok(Dob::Unknown);
    };
    let wrong = || {
        ApiError::unprocessable(format!(
            "date_of_birth {text:?}: use YYYY-MM-DD, YYYY-MM or YYYY"
        ))
    };
    if let Ok(date) = NaiveDate::parse_from_str(text, "%Y-%m-%d") {
        return Ok(Dob::Exact(date));
    }
    let parts: Vec<&str> = text.split('-').collect();
    let year: i32 = parts
        .first()
        .filter(|y| y.len() == 4)
        .and_then(|y| y.parse().ok())
        .filter(|y| (1900..=2100).contains(y))
        .ok_or_else(wrong)?;
    match parts.get(1) {
        None => Ok(Dob::Year(year)),
        Some(month) if parts.len() == 2 => month
            .parse::<u32>()
            .ok()
            .filter(|m| (1..=12).contains(m))
            .map(|m| Dob::YearMonth(year, m))
            .ok_or_else(wrong),
        Some(_) => Err(wrong()),
    }
}

fn sought(body: &FindPerson) -> Result<PersonRecord, ApiError> {
    let unnamed = body.given_names.trim().is_empty() && body.family_name.trim().is_empty();
    let identified = body
        .cris_number
        .as_deref()
        .is_some_and(|c| !c.trim().is_empty())
        || !body.phones.is_empty()
        || !body.addresses.is_empty();
    // A search by a CRIS number, a phone or an address alone (seed 004's search by
    // address) names no one; otherwise both names are given.
    let (given, family) = if unnamed && identified {
        (String::new(), String::new())
    } else {
        (
            checked("given_names", &body.given_names)?,
            checked("family_name", &body.family_name)?,
        )
    };
    let mut person = PersonRecord::new(given, family, dob(body.date_of_birth.as_deref())?);
    person.aliases = many("aliases", &body.aliases)?;
    person.former_family_names = many("former_family_names", &body.former_family_names)?;
    person.cris_number = body
        .cris_number
        .as_deref()
        .filter(|c| !c.trim().is_empty())
        .map(|c| checked("cris_number", c))
        .transpose()?;
    person.phones = many("phones", &body.phones)?;
    person.addresses = many("addresses", &body.addresses)?
        .into_iter()
        .map(Address::new)
        .collect();
    Ok(person)
}

/// Every identifier the search gave (CRIS number, phone, address) is the mention's too.
fn shares_all(explanation: &Explanation) -> bool {
    let identifiers: Vec<&FieldReason> = explanation
        .fields
        .iter()
        .filter(|f| matches!(f.field, Field::Cris | Field::Phone | Field::Address))
        .filter(|f| f.reason != Reason::Unknown)
        .collect();
    !identifiers.is_empty()
        && identifiers
            .iter()
            .all(|f| matches!(f.reason, Reason::Match | Reason::Near))
}

/// The mentions worth reading whole (R-PERSON-2): those whose score, bounded from their
/// key rows ([`bound`]), may reach the possible band, highest bound first, at most
/// [`READ`]. A search by identifiers alone bands some below the threshold too, so it
/// bounds nothing and reads those sharing the most keys first. Every row was read within
/// the caller's sight, so what is read whole depends on nothing else (R-PRIV-8).
fn worth_reading(
    person: &PersonRecord,
    rows: KeyRows,
    weights: &MatchWeights,
) -> Vec<(f64, MentionRef)> {
    let unnamed = person.given_names.is_empty() && person.family_name.is_empty();
    let sought = keys(person);
    let mut bounded: Vec<(f64, usize, MentionRef)> = rows
        .mentions
        .into_iter()
        .filter_map(|sharing| {
            let known = sharing.digest.as_deref().and_then(undigest);
            let most = match known {
                Some(known) if !unnamed => {
                    let seen = identifiers(&sought, &sharing.keys, &rows.whole);
                    bound(person, &known, seen, weights)
                }
                _ => f64::INFINITY,
            };
            (most >= weights.possible_threshold).then_some((most, sharing.keys.len(), sharing.at))
        })
        .collect();
    bounded.sort_by(|a, b| {
        b.0.total_cmp(&a.0)
            .then_with(|| b.1.cmp(&a.1))
            .then_with(|| a.2.cmp(&b.2))
    });
    bounded
        .into_iter()
        .take(READ)
        .map(|(most, _, at)| (most, at))
        .collect()
}

/// Where a mention is, in the order candidates of one score are answered in.
fn place(at: &MentionRef) -> (&str, usize, Role) {
    (&at.record_id, at.position, at.role)
}

/// Mentions to read, highest bound first, then by place.
fn in_reading_order(
    mut worth: Vec<(f64, MentionRef)>,
) -> std::collections::VecDeque<(f64, MentionRef)> {
    worth.sort_by(|a, b| {
        b.0.total_cmp(&a.0)
            .then_with(|| place(&a.1).cmp(&place(&b.1)))
    });
    worth.into()
}

/// The order candidates are answered in: best score first, then by place.
fn best_first(a: &Scored, b: &Scored) -> std::cmp::Ordering {
    b.0.total_cmp(&a.0)
        .then_with(|| place(&a.2.at()).cmp(&place(&b.2.at())))
}

/// The mentions worth reading whole, read a batch at a time, best bound first, and
/// scored. A search answers at most [`ANSWERED`] people, so it reads whole only as many
/// as it needs: the best scored so far is answered next once no mention left unread may
/// come before it (its bound is below that score, or equal with a later place), which is
/// the order reading them all would answer in.
struct Reading<'a> {
    state: &'a AppState,
    person: &'a PersonRecord,
    weights: &'a MatchWeights,
    /// Not read yet, highest bound first, then by place.
    unread: std::collections::VecDeque<(f64, MentionRef)>,
    /// Read and banded, best last.
    scored: Vec<Scored>,
}

impl Reading<'_> {
    fn add(&mut self, mentions: Vec<StoredMention>) -> Result<(), ApiError> {
        self.scored
            .extend(scored(self.person, mentions, self.weights)?);
        self.scored.sort_by(|a, b| best_first(b, a));
        Ok(())
    }

    /// The next batch of mentions to read.
    fn batch(&mut self) -> Vec<MentionRef> {
        let n = ANSWERED.min(self.unread.len());
        self.unread.drain(..n).map(|(_, at)| at).collect()
    }

    /// The next candidate in answering order, reading more if need be.
    async fn next(&mut self) -> Result<Option<Scored>, ApiError> {
        loop {
            let ready = match (self.scored.last(), self.unread.front()) {
                (None, None) => return Ok(None),
                (Some(best), Some((most, at))) => {
                    *most < best.0 || (*most == best.0 && place(at) > place(&best.2.at()))
                }
                (best, _) => best.is_some(),
            };
            if ready {
                return Ok(self.scored.pop());
            }
            let batch = self.batch();
            let mentions = self.state.store.mentions(&batch).await?;
            self.add(mentions)?;
        }
    }
}

/// A mention banded for the person sought, with its score, band and explanation.
type Scored = (f64, &'static str, StoredMention, serde_json::Value);

/// The mentions read whole, compared field by field with the person sought: those banded
/// (R-PERSON-2).
fn scored(
    person: &PersonRecord,
    mentions: Vec<StoredMention>,
    weights: &MatchWeights,
) -> Result<Vec<Scored>, ApiError> {
    let unnamed = person.given_names.is_empty() && person.family_name.is_empty();
    let mut scored = Vec::new();
    for mention in mentions {
        let explanation = compare(person, &mention.person, weights);
        let band = match explanation.band {
            Band::Likely => "likely",
            Band::Possible => "possible",
            // Searched by what they share alone: everyone recorded with it may be them.
            Band::Unlikely if unnamed && shares_all(&explanation) => "possible",
            Band::Unlikely => continue,
        };
        let explained = serde_json::to_value(&explanation).map_err(|_| ApiError::internal())?;
        scored.push((explanation.score, band, mention, explained));
    }
    Ok(scored)
}

/// Whether the key rows a mention was found through settle that the caller may see it
/// (R-PERSON-3), so its record need not be read: they were read within exactly the
/// records whose identifying details the caller may see (a protective intervener's sight
/// is every record; anyone else's, whatever their scope, their organisation's and their
/// assignments, as `can_see` and `sees_identifying` say together), and they are written in
/// the transaction that writes their record. A reporter is settled so only for a
/// protective intervener: for anyone else the record's own policy says whether their
/// organisation sees protected details.
fn settled_by_key_rows(actor: &Actor, role: Role) -> bool {
    role != Role::Reporter || actor.protective_intervener
}

/// Whether the caller may see this person as this record names them: the record's
/// identifying details, and a reporter only with protected sight (R-PERSON-3).
pub(super) fn sees_mention(actor: &Actor, record: &Record, role: Role, policy: &Policy) -> bool {
    can_see(actor, record, policy)
        && mask::sees_identifying(actor, record)
        && (role != Role::Reporter || mask::sees_protected(actor, policy))
}

/// Who the person being entered may already be.
#[utoipa::path(
    post, path = "/v1/people/candidates", tag = "people",
    request_body = FindPerson,
    security(("bearer" = [])),
    responses(
        (status = 200, description = "Likely first, then possible; at most 20", body = Candidates),
        (status = 400, description = "Malformed body", body = ErrorBody),
        (status = 401, description = "No valid token", body = ErrorBody),
        (status = 403, description = "Admin accounts see no client data", body = ErrorBody),
        (status = 404, description = "The person the candidates are for is none the caller may see", body = ErrorBody),
        (status = 413, description = "Body too large", body = ErrorBody),
        (status = 415, description = "Body is not JSON", body = ErrorBody),
        (status = 422, description = "A name missing or too long, a date of birth that does not read, or too many aliases, phones or addresses", body = ErrorBody),
    )
)]
pub async fn candidates(
    caller: Caller,
    State(state): State<AppState>,
    Json(body): Json<FindPerson>,
) -> Result<Json<Candidates>, ApiError> {
    scope(&caller.actor).ok_or_else(|| ApiError::forbidden("admin accounts see no client data"))?;
    let person = sought(&body)?;
    let now = Utc::now();
    let mut loaded = Loaded::default();
    // The person asked about, when they are someone already: a person the caller may not
    // see is answered as absent (R-PRIV-8).
    let asked_about = match body.person.as_deref() {
        Some(id) => Some(
            person_as_seen(&state, &caller.actor, &parsed(id)?, &mut loaded)
                .await?
                .ok_or_else(|| no_person(id))?,
        ),
        None => None,
    };
    let sight = MentionSight {
        everywhere: caller.actor.protective_intervener,
        org: caller.actor.org.clone(),
        user: caller.actor.user.clone(),
        reporters: mask::sees_protected(&caller.actor, state.policies.in_force_at(now)),
    };
    let weights = &state.policies.in_force_at(now).matching;
    let rows = state.store.key_rows(&person, &sight).await?;
    let mut reading = Reading {
        state: &state,
        person: &person,
        weights,
        unread: in_reading_order(worth_reading(&person, rows, weights)),
        scored: Vec::new(),
    };
    // Most people are in one record, decided by no one: the decisions are read beside the
    // first mentions, and only those in one are followed across records.
    let ends: Vec<String> = reading
        .unread
        .iter()
        .map(|(_, at)| at.to_string())
        .collect();
    let first = reading.batch();
    let (mentions, links) =
        tokio::try_join!(state.store.mentions(&first), state.store.links_of(&ends))?;
    reading.add(mentions)?;
    let decided: BTreeSet<String> = links
        .into_iter()
        .filter(|l| l.joins())
        .flat_map(|l| [l.a, l.b])
        .collect();
    // The people the first banded mentions are in, where decisions join them to others, are
    // followed side by side: each is a few reads a level, which from disk wait on the disk
    // rather than on one another.
    let to_follow: Vec<MentionRef> = reading
        .scored
        .iter()
        .map(|scored| scored.2.at())
        .filter(|at| decided.contains(&at.to_string()))
        .collect();
    let mut followed: BTreeMap<String, Option<Seen>> =
        futures_util::future::try_join_all(to_follow.iter().map(|at| {
            let (state, actor) = (&state, &caller.actor);
            async move {
                let seen = person_as_seen(state, actor, at, &mut Loaded::default()).await?;
                Ok::<_, ApiError>((at.to_string(), seen))
            }
        }))
        .await?
        .into_iter()
        .collect();
    let mut found = Vec::new();
    // One candidate per person as the caller may see them: their best-scored mention
    // speaks for them, with how many records they appear in. The person asked about is
    // no candidate for themselves.
    let mut covered: BTreeSet<String> = asked_about.as_ref().map(Seen::refs).unwrap_or_default();
    while found.len() < ANSWERED {
        let Some((score, band, mention, explanation)) = reading.next().await? else {
            break;
        };
        let at = mention.at();
        let key = at.to_string();
        if covered.contains(&key) {
            continue;
        }
        let (records, refs) = if decided.contains(&key) {
            let seen = match followed.remove(&key) {
                Some(seen) => seen,
                None => person_as_seen(&state, &caller.actor, &at, &mut loaded).await?,
            };
            let Some(seen) = seen else {
                continue;
            };
            (seen.records().len(), seen.refs())
        } else {
            if !settled_by_key_rows(&caller.actor, mention.role)
                && loaded
                    .in_sight(&state, &caller.actor, &mention)
                    .await?
                    .is_none()
            {
                continue;
            }
            (1, BTreeSet::from([key.clone()]))
        };
        let kept_apart = asked_about.as_ref().and_then(|a| a.kept_apart_from(&refs));
        covered.extend(refs);
        found.push(Candidate {
            person: key,
            records,
            record: mention.record_id,
            role: mention.role.as_str().to_string(),
            position: mention.position,
            band: band.to_string(),
            score,
            explanation,
            kept_apart: kept_apart.map(|l| KeptApart {
                decision: l.id,
                actor: l.actor.clone(),
                at: l.at,
                // A reporter named in the reason is redacted as in any text (R-PRIV-3).
                reason: if sight.reporters {
                    l.reason.clone()
                } else {
                    redact_terms(&l.reason, &state.store.terms().read())
                },
            }),
        });
    }
    // R-PERSON-2: a decision that they are not one person stands; such a candidate is
    // shown for what it is, after those still to decide.
    found.sort_by_key(|c| c.kept_apart.is_some());
    state
        .store
        .audit(
            &caller.actor.user,
            "people_matched",
            None,
            &json!({
                "records": found.iter().map(|c| c.record.as_str()).collect::<Vec<_>>(),
            }),
            now,
        )
        .await?;
    Ok(Json(Candidates { candidates: found }))
}
