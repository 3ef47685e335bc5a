//! The one choke point for what leaves the server (R-PRIV-4, DESIGN §4).
//!
//! The principle (R-PRIV-8): for a given caller, every answer — rows, counts, order,
//! analytics, exports, refusals and their wording, warnings, deadlines, checklist keys,
//! history — is a function of what that caller may see. Two databases that differ only in
//! values the caller may not see give that caller the same answers. So nothing is computed
//! for a caller from hidden values: search runs over [`search_text`], which is made from
//! the masked representation of each visibility class, never from raw text with a
//! blocklist; derived items carry the class of the fields they read (R-PRIV-9); and
//! redaction is deny-by-default (R-PRIV-10): every string is free text, searched for
//! protected strings, unless the policy lists its key as a code.
//!
//! `mask` serialises a record (or its history) and walks the JSON knowing where each object
//! type appears: `reporter` (the value of key `reporter`), `person` (the elements of
//! `clients` and the value of any key `person`: the subject, `children[]`, `parents[]`) and
//! the `incident`/`intake` object (the `details` object, by its `kind`). Each field of those
//! objects has a class from the policy (R-PRIV-3); a value the actor may not see is
//! replaced by an explicit marker, never by an empty string or null. Free text is redacted
//! of protected strings (R-PRIV-2) and of protected note spans (R-PRIV-6). The protected
//! values that were shown are listed so that the caller can audit them (R-PRIV-5).
//!
//! Pure: no I/O and no clock; today's date comes in the context.

mod derived;
mod search;
mod terms;

use chrono::NaiveDate;
use serde::Serialize;
use serde_json::{Map, Value, json};

use super::actor::{Actor, OrgKind};
use super::events::Event;
use super::model::{Person, Record, Span};
use super::policy::{FieldClass, Policy};

pub use derived::{ItemView, Sight};
pub use search::{SearchText, search_text};
pub use terms::{
    MIN_TERM_CHARS, ProtectedTerms, REDACTED, Token, patterns, protected_terms_in, redact_terms,
    tokens,
};

/// What is to leave the server.
#[derive(Debug, Clone, Copy)]
pub enum View<'a> {
    Record(&'a Record),
    /// The events of that record, masked with the record's owning organisation and assignee
    /// as the basis of visibility.
    History(&'a Record, &'a [Event]),
}

/// What masking needs besides the actor and the policy.
#[derive(Debug, Clone, Copy)]
pub struct MaskContext<'a> {
    /// The date ages are computed on for masked names (R-PRIV-3).
    pub today: NaiveDate,
    /// Strings protected elsewhere in the system, redacted from free text (R-PRIV-2).
    pub protected_terms: &'a ProtectedTerms,
}

/// A protected field shown to the actor: to be written to the audit log (R-PRIV-5).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Disclosure {
    pub record: String,
    /// JSON path in the masked value, e.g. `details.reporter.name`,
    /// `notes[0].revisions[0].protected_spans` or `events[0].change.details.reporter.name`.
    pub field: String,
}

/// The masked representation and the protected fields it discloses.
#[derive(Debug, Clone, PartialEq)]
pub struct Masked {
    /// A record: the record's JSON. A history: `{"record": id, "events": [...]}`.
    pub value: Value,
    /// Empty unless protected values were shown (R-PRIV-5).
    pub disclosed: Vec<Disclosure>,
}

/// What a caller may see of one record: the visibility class masking and search follow.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Visibility {
    /// `protected` fields (R-PRIV-1).
    pub protected: bool,
    /// `identifying` and `cultural` fields (R-PRIV-3).
    pub identifying: bool,
}

impl Visibility {
    /// What `actor` may see of `record`.
    pub fn of(actor: &Actor, policy: &Policy, record: &Record) -> Visibility {
        Visibility {
            protected: sees_protected(actor, policy),
            identifying: sees_identifying(actor, record),
        }
    }
}

/// The actor may see `protected` fields (R-PRIV-1): a protective intervener, or a user of a
/// community service organisation when the policy allows it.
pub fn sees_protected(actor: &Actor, policy: &Policy) -> bool {
    actor.protective_intervener
        || (actor.org_kind == OrgKind::CommunityService
            && policy.parameters.community_service_sees_protected)
}

/// The actor may see `identifying` and `cultural` fields of the record (R-PRIV-3): a
/// protective intervener, a user of the owning organisation, or the assignee.
pub fn sees_identifying(actor: &Actor, record: &Record) -> bool {
    actor.protective_intervener
        || actor.org == record.org
        || record.assignee.as_deref() == Some(actor.user.as_str())
}

/// Whether the actor may see fields of `class` on the record (R-PRIV-1, R-PRIV-3). A
/// reporter who consented in writing is not covered here: see [`mask`].
pub fn may_see(class: FieldClass, actor: &Actor, policy: &Policy, record: &Record) -> bool {
    match class {
        FieldClass::Protected => sees_protected(actor, policy),
        FieldClass::Identifying | FieldClass::Cultural => sees_identifying(actor, record),
        FieldClass::Open => true,
    }
}

/// The marker that travels in place of a masked value (R-PRIV-4).
pub fn marker(class: FieldClass) -> Value {
    json!({ "masked": class.as_str() })
}

/// The masked form of a record or its history for this actor (R-PRIV-1 to R-PRIV-6).
pub fn mask(view: View<'_>, actor: &Actor, policy: &Policy, ctx: &MaskContext<'_>) -> Masked {
    let record = match view {
        View::Record(record) | View::History(record, _) => record,
    };
    mask_as(view, Visibility::of(actor, policy, record), policy, ctx)
}

/// The masked form of a record or its history for a visibility class.
pub fn mask_as(
    view: View<'_>,
    visibility: Visibility,
    policy: &Policy,
    ctx: &MaskContext<'_>,
) -> Masked {
    let record = match view {
        View::Record(record) | View::History(record, _) => record,
    };
    let mut walker = Walker {
        policy,
        terms: ctx.protected_terms,
        today: ctx.today,
        record: &record.id,
        protected: visibility.protected,
        identifying: visibility.identifying,
        consent: record
            .intake()
            .is_some_and(|intake| intake.reporter.consented_in_writing),
        disclosed: Vec::new(),
    };
    let mut value = match view {
        View::Record(record) => serde_json::to_value(record).map(|mut value| {
            walker.walk(&mut value, "");
            value
        }),
        View::History(record, events) => serde_json::to_value(events).map(|mut events| {
            walker.walk(&mut events, "events");
            json!({ "record": record.id, "events": events })
        }),
    };
    // R-PRIV-9: what is derived from fields the actor may not see (derived.rs).
    if let Ok(value) = value.as_mut() {
        derived::withhold(view, value, &Sight::with(visibility, policy, record));
    }
    match value {
        Ok(value) => Masked {
            value,
            disclosed: walker.disclosed,
        },
        // Nothing that could not be masked leaves the server (R-PRIV-4).
        Err(_) => Masked {
            value: marker(FieldClass::Protected),
            disclosed: Vec::new(),
        },
    }
}

struct Walker<'a> {
    policy: &'a Policy,
    terms: &'a ProtectedTerms,
    today: NaiveDate,
    record: &'a str,
    /// The actor may see `protected` (R-PRIV-1).
    protected: bool,
    /// The actor may see `identifying` and `cultural` on this record (R-PRIV-3).
    identifying: bool,
    /// The record's current reporter consented in writing to disclosure (R-PRIV-1).
    consent: bool,
    disclosed: Vec<Disclosure>,
}

fn join(path: &str, key: &str) -> String {
    if path.is_empty() {
        key.to_string()
    } else {
        format!("{path}.{key}")
    }
}

impl Walker<'_> {
    fn sees(&self, class: FieldClass) -> bool {
        match class {
            FieldClass::Protected => self.protected,
            FieldClass::Identifying | FieldClass::Cultural => self.identifying,
            FieldClass::Open => true,
        }
    }

    fn disclose(&mut self, field: String) {
        self.disclosed.push(Disclosure {
            record: self.record.to_string(),
            field,
        });
    }

    /// Any value: objects and arrays are searched for the object types and free text.
    fn walk(&mut self, value: &mut Value, path: &str) {
        match value {
            Value::Object(map) => self.walk_object(map, path),
            Value::Array(items) => {
                for (index, item) in items.iter_mut().enumerate() {
                    self.walk(item, &format!("{path}[{index}]"));
                }
            }
            _ => {}
        }
    }

    fn walk_object(&mut self, map: &mut Map<String, Value>, path: &str) {
        self.protected_spans(map, path);
        for (key, child) in map.iter_mut() {
            self.walk_field(key, child, &join(path, key));
        }
    }

    /// A field whose value is visible: its key says what it holds.
    fn walk_field(&mut self, key: &str, value: &mut Value, path: &str) {
        match key {
            "details" => self.walk_details(value, path),
            "reporter" => self.walk_reporter(value, path),
            "person" => self.walk_person(value, path),
            "clients" => {
                if let Value::Array(people) = value {
                    for (index, person) in people.iter_mut().enumerate() {
                        self.walk_person(person, &format!("{path}[{index}]"));
                    }
                }
            }
            _ => self.walk_value(key, value, path),
        }
    }

    /// R-PRIV-2, R-PRIV-10: deny-by-default. A string is free text, redacted of protected
    /// strings for anyone who may not see `protected`, unless the policy says its key holds
    /// codes. The elements of an array are held by the array's key.
    fn walk_value(&mut self, key: &str, value: &mut Value, path: &str) {
        match value {
            Value::String(text) if !self.protected && !self.policy.is_code(key) => {
                *text = redact_terms(text, self.terms);
            }
            Value::Array(items) => {
                for (index, item) in items.iter_mut().enumerate() {
                    self.walk_value(key, item, &format!("{path}[{index}]"));
                }
            }
            Value::Object(map) => self.walk_object(map, path),
            _ => {}
        }
    }

    /// R-PRIV-6: a note's protected spans are class `protected`. For an actor who may not
    /// see them, each span's text becomes the marker text and the spans are dropped; for one
    /// who may, they stay and are disclosed (R-PRIV-5). Spans that do not lie on the text
    /// withhold the whole text.
    fn protected_spans(&mut self, map: &mut Map<String, Value>, path: &str) {
        let Some(spans) = map.get("protected_spans") else {
            return;
        };
        if self.protected {
            if spans.as_array().is_some_and(|spans| !spans.is_empty()) {
                self.disclose(join(path, "protected_spans"));
            }
            return;
        }
        let spans = serde_json::from_value::<Vec<Span>>(spans.clone()).ok();
        map.remove("protected_spans");
        if let Some(Value::String(text)) = map.get_mut("text") {
            *text = match spans {
                Some(spans) => redact_spans(text, &spans),
                None => None,
            }
            .unwrap_or_else(|| REDACTED.to_string());
        }
    }

    /// The `details` object: an incident or an intake by its `kind`.
    fn walk_details(&mut self, value: &mut Value, path: &str) {
        let Value::Object(map) = value else {
            return self.walk(value, path);
        };
        let Some(kind) = map.get("kind").and_then(Value::as_str).map(str::to_string) else {
            return self.walk_object(map, path);
        };
        for (key, child) in map.iter_mut() {
            if key == "kind" {
                continue;
            }
            let child_path = join(path, key);
            let class = self.policy.field_class(&kind, key);
            if !self.sees(class) {
                *child = marker(class);
                continue;
            }
            if class == FieldClass::Protected {
                self.disclose(child_path.clone());
            }
            self.walk_field(key, child, &child_path);
        }
    }

    /// R-PRIV-1: the reporter. A reporter who consented in writing (both in this object and
    /// on the record now) has protected fields treated as `identifying`; showing them is
    /// still recorded as a disclosure (R-PRIV-5).
    fn walk_reporter(&mut self, value: &mut Value, path: &str) {
        let Value::Object(map) = value else {
            return self.walk(value, path);
        };
        let consented = self.consent
            && map
                .get("consented_in_writing")
                .and_then(Value::as_bool)
                .unwrap_or(false);
        for (key, child) in map.iter_mut() {
            let class = self.policy.field_class("reporter", key);
            let effective = if consented && class == FieldClass::Protected {
                FieldClass::Identifying
            } else {
                class
            };
            if !self.sees(effective) {
                *child = marker(effective);
                continue;
            }
            let child_path = join(path, key);
            if class == FieldClass::Protected {
                self.disclose(child_path.clone());
            }
            self.walk(child, &child_path);
        }
    }

    /// R-PRIV-3: a person. A masked name carries its display form, e.g. `J.S. (12)`.
    fn walk_person(&mut self, value: &mut Value, path: &str) {
        let Value::Object(map) = value else {
            return self.walk(value, path);
        };
        let display = self.display(map);
        for (key, child) in map.iter_mut() {
            let class = self.policy.field_class("person", key);
            if !self.sees(class) {
                let mut masked = marker(class);
                if key == "name"
                    && let Value::Object(masked) = &mut masked
                {
                    masked.insert("display".to_string(), Value::String(display.clone()));
                }
                *child = masked;
                continue;
            }
            let child_path = join(path, key);
            if class == FieldClass::Protected {
                self.disclose(child_path.clone());
            }
            // A person's details may hold a reporter's name or phone (a parent who
            // reported): like any string, they are free text (R-PRIV-10).
            self.walk_value(key, child, &child_path);
        }
    }

    /// Initials and age today, e.g. `J.S. (12)`; just the initials without a date of birth.
    fn display(&self, map: &Map<String, Value>) -> String {
        let person = Person {
            name: map
                .get("name")
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_string(),
            date_of_birth: map
                .get("date_of_birth")
                .and_then(|dob| serde_json::from_value(dob.clone()).ok()),
            ..Person::default()
        };
        let initials = person.initials();
        match person.age_on(self.today) {
            Some(age) => format!("{initials} ({age})"),
            None => initials,
        }
    }
}

/// `text` with every span replaced by the marker text, from the last span to the first so
/// offsets stay valid (R-PRIV-6); `None` when a span does not lie on the text.
pub fn redact_spans(text: &str, spans: &[Span]) -> Option<String> {
    let mut ranges = Vec::with_capacity(spans.len());
    for span in spans.iter().filter(|span| span.start != span.end) {
        let valid = span.start < span.end
            && span.end <= text.len()
            && text.is_char_boundary(span.start)
            && text.is_char_boundary(span.end);
        if !valid {
            return None;
        }
        ranges.push((span.start, span.end));
    }
    Some(terms::replace_ranges(text, ranges))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn r_priv_6_spans_replaced_from_last_to_first() {
        let text = "Aunt Jo said Robin called about Casey";
        let spans = [Span { start: 0, end: 7 }, Span { start: 13, end: 18 }];
        assert_eq!(
            redact_spans(text, &spans).as_deref(),
            Some("[protected] said [protected] called about Casey")
        );
    }

    #[test]
    fn r_priv_6_spans_off_the_text_withhold_it() {
        assert_eq!(redact_spans("abc", &[Span { start: 1, end: 9 }]), None);
        assert_eq!(redact_spans("é", &[Span { start: 1, end: 2 }]), None);
    }
}
