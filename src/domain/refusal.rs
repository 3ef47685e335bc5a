//! Why a command was refused, in words a practitioner understands.

use serde::Serialize;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum RefusalKind {
    /// A rule of the rule book forbids it; `rule` names which.
    Rule,
    /// The actor's roles do not allow the command.
    Forbidden,
    /// The command is malformed or does not fit the record (unknown item, wrong kind …).
    Invalid,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, thiserror::Error)]
#[error("{}{message}", rule.map(|r| format!("{r}: ")).unwrap_or_default())]
pub struct Refusal {
    pub kind: RefusalKind,
    /// The rule ID that refused, e.g. `R-IMPACT-2`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rule: Option<&'static str>,
    pub message: String,
    /// The field the refusal is about, so a form can show it beside that field.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
}

impl Refusal {
    pub fn rule(rule: &'static str, message: impl Into<String>) -> Refusal {
        Refusal {
            kind: RefusalKind::Rule,
            rule: Some(rule),
            message: message.into(),
            field: None,
        }
    }

    pub fn forbidden(message: impl Into<String>) -> Refusal {
        Refusal {
            kind: RefusalKind::Forbidden,
            rule: None,
            message: message.into(),
            field: None,
        }
    }

    pub fn invalid(message: impl Into<String>) -> Refusal {
        Refusal {
            kind: RefusalKind::Invalid,
            rule: None,
            message: message.into(),
            field: None,
        }
    }

    pub fn on_field(mut self, field: impl Into<String>) -> Refusal {
        self.field = Some(field.into());
        self
    }
}
