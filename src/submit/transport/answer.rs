//! Reading what a recipient answered, the same way whichever transport brought it: a
//! reference is checked before it is kept, and reasons are cleaned up and bounded, because
//! both end up in the record and on people's screens.

use chrono::{DateTime, Utc};
use serde_json::Value;

use super::Answer;

pub const MAX_REFERENCE_CHARS: usize = 200;
pub const MAX_REASON_CHARS: usize = 1000;
pub const MAX_REASONS: usize = 50;

/// The `reference` in `answer`, or what is wrong with it.
pub fn reference(answer: &Value) -> Result<String, String> {
    let Some(given) = answer.get("reference") else {
        return Err("no reference".into());
    };
    let Some(text) = given.as_str() else {
        return Err("the reference is not a string".into());
    };
    let text = text.trim();
    if text.is_empty() {
        return Err("the reference is empty".into());
    }
    if text.chars().count() > MAX_REFERENCE_CHARS {
        return Err(format!(
            "the reference is longer than {MAX_REFERENCE_CHARS} characters"
        ));
    }
    if text.chars().any(char::is_control) {
        return Err("the reference holds control characters".into());
    }
    Ok(text.to_string())
}

/// An acceptance: its reference, and when the recipient first received it if it says so.
pub fn accepted(answer: &Value) -> Result<Answer, String> {
    Ok(Answer::Accepted {
        reference: reference(answer)?,
        received_at: received_at(answer),
    })
}

/// The recipient's `received_at` (RFC 3339), if given and readable. One that cannot be read
/// is left out rather than refusing the acceptance: the send's own time is used instead,
/// and refusing would only send it again.
fn received_at(answer: &Value) -> Option<DateTime<Utc>> {
    answer
        .get("received_at")
        .and_then(Value::as_str)
        .and_then(|text| DateTime::parse_from_rfc3339(text.trim()).ok())
        .map(|at| at.with_timezone(&Utc))
}

/// The readable `reasons` in `answer`: strings only, control characters made spaces,
/// trimmed, empty ones dropped, each cut to [`MAX_REASON_CHARS`], at most [`MAX_REASONS`].
pub fn reasons(answer: &Value) -> Vec<String> {
    let Some(given) = answer.get("reasons").and_then(Value::as_array) else {
        return Vec::new();
    };
    given
        .iter()
        .filter_map(Value::as_str)
        .map(clean_reason)
        .filter(|reason| !reason.is_empty())
        .take(MAX_REASONS)
        .collect()
}

fn clean_reason(text: &str) -> String {
    let spaced: String = text
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    let trimmed = spaced.trim();
    if trimmed.chars().count() <= MAX_REASON_CHARS {
        return trimmed.to_string();
    }
    let mut cut: String = trimmed.chars().take(MAX_REASON_CHARS - 1).collect();
    cut.push('…');
    cut
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn a_reference_is_trimmed_and_checked() {
        assert_eq!(
            reference(&json!({"reference": "  CIMS-2025-000123 "})),
            Ok("CIMS-2025-000123".to_string())
        );
        for (answer, problem) in [
            (json!({}), "no reference"),
            (json!({"reference": 12}), "not a string"),
            (json!({"reference": "   "}), "empty"),
            (json!({"reference": "x".repeat(201)}), "longer than 200"),
            (json!({"reference": "ab\u{1b}[2J"}), "control characters"),
            (json!(["reference"]), "no reference"),
        ] {
            let refused = reference(&answer).expect_err(problem);
            assert!(refused.contains(problem), "{answer}: {refused}");
        }
        assert!(reference(&json!({"reference": "é".repeat(200)})).is_ok());
    }

    #[test]
    fn an_acceptance_keeps_the_recipient_s_receipt_time_when_it_can_be_read() {
        let at = |text: &str| {
            DateTime::parse_from_rfc3339(text)
                .map(|t| t.with_timezone(&Utc))
                .ok()
        };
        assert_eq!(
            accepted(&json!({"reference": "D-1", "received_at": "2026-12-01T10:00:05+11:00"})),
            Ok(Answer::Accepted {
                reference: "D-1".into(),
                received_at: at("2026-11-30T23:00:05Z"),
            })
        );
        for unreadable in [json!("yesterday"), json!(12), json!(null)] {
            assert_eq!(
                accepted(&json!({"reference": "D-1", "received_at": unreadable})),
                Ok(Answer::Accepted {
                    reference: "D-1".into(),
                    received_at: None,
                })
            );
        }
        assert!(accepted(&json!({"received_at": "2026-12-01T10:00:05Z"})).is_err());
    }

    #[test]
    fn reasons_are_cleaned_cut_and_bounded() {
        let long = "y".repeat(MAX_REASON_CHARS + 5);
        let got = reasons(
            &json!({"reasons": [" date of birth missing ", "", "  ", 7, "a\u{1b}b", long]}),
        );
        assert_eq!(got[0], "date of birth missing");
        assert_eq!(got[1], "a b");
        assert_eq!(got[2].chars().count(), MAX_REASON_CHARS);
        assert!(got[2].ends_with('…'));
        assert_eq!(got.len(), 3);

        let many: Vec<String> = (0..80).map(|n| format!("reason {n}")).collect();
        assert_eq!(reasons(&json!({ "reasons": many })).len(), MAX_REASONS);
        assert!(reasons(&json!({"reasons": "one string"})).is_empty());
        assert!(reasons(&json!({})).is_empty());
    }
}
