//! The Submissions tab (R-SUBMIT-1): what an incident has sent or queued for the
//! department, the regulator or CCYP, and each recipient's answer, as the server shows
//! them to this user (R-PRIV-8); and the line on Details that says why a record came back.

use ratatui::style::Style;
use ratatui::text::{Line, Span};

use crate::domain::submissions::Recipient;
use crate::tui::action::Action;
use crate::tui::context::Context;
use crate::tui::layout::BLANKED;
use crate::tui::when;
use crate::wire::{Submission, SubmissionStatus};

/// Who receives it, as the tab's arrow names them.
fn recipient(to: Recipient) -> &'static str {
    match to {
        Recipient::Department => "department",
        Recipient::Regulator => "regulator",
        Recipient::Ccyp => "CCYP",
    }
}

/// Who receives it, in a sentence.
fn recipient_in_prose(to: Recipient) -> &'static str {
    match to {
        Recipient::Department => "the department",
        Recipient::Regulator => "the regulator",
        Recipient::Ccyp => "CCYP",
    }
}

/// `Incident report → department`.
pub(super) fn what(s: &Submission) -> String {
    format!("{} → {}", s.kind.label(), recipient(s.recipient))
}

/// The status in words, after a mark that carries it without colour.
fn status(status: SubmissionStatus) -> &'static str {
    match status {
        SubmissionStatus::Queued => "◦ queued",
        SubmissionStatus::Held => "◦ held for the month's batch",
        SubmissionStatus::Batched => "↑ in the month's batch",
        SubmissionStatus::Sending => "↑ sending",
        SubmissionStatus::Awaiting => "… awaiting its receipt",
        SubmissionStatus::Accepted => "✓ accepted",
        SubmissionStatus::Rejected => "✗ rejected",
        SubmissionStatus::Failing => "! failing",
        SubmissionStatus::Withdrawn => "– withdrawn: made outside cims",
    }
}

fn attempts(n: i64) -> String {
    match n {
        0 => "not yet tried".to_string(),
        1 => "1 attempt".to_string(),
        n => format!("{n} attempts"),
    }
}

/// Text from outside cims (a recipient's reasons, a transport's error), blanked behind the
/// privacy screen as notes are.
fn outside_text(text: &str, context: &Context) -> String {
    if context.privacy {
        BLANKED.to_string()
    } else {
        text.to_string()
    }
}

/// Whether `s` may be asked for again: a failing one, or a rejected one not yet sent again.
pub(super) fn retryable(s: &Submission, all: &[Submission]) -> bool {
    match s.status {
        SubmissionStatus::Failing => true,
        SubmissionStatus::Rejected => !all.iter().any(|other| other.replaces == Some(s.id)),
        _ => false,
    }
}

/// The status line of `s`: the status, attempts, and the submission it sends again.
fn status_line(s: &Submission, context: &Context) -> Line<'static> {
    let mut text = match s.status {
        SubmissionStatus::Withdrawn => format!("  {}", status(s.status)),
        _ => format!("  {}, {}", status(s.status), attempts(s.attempts)),
    };
    if let Some(first) = s.replaces {
        text.push_str(&format!(" · sends again #{first}"));
    }
    let style = match s.status {
        SubmissionStatus::Rejected | SubmissionStatus::Failing => context.theme.overdue,
        _ => Style::new(),
    };
    Line::styled(text, style)
}

/// What the status leads to: the reference and when it was sent, the reasons it was
/// refused, or the error and the next try.
fn outcome_lines(s: &Submission, context: &Context) -> Vec<Line<'static>> {
    let at = |t| when::said(t, context.now);
    match s.status {
        SubmissionStatus::Accepted => {
            let reference = s.reference.as_deref().unwrap_or("—");
            let sent = s.sent_at.map(|t| format!(" · sent {}", at(t)));
            vec![Line::from(format!(
                "  ref {reference}{}",
                sent.unwrap_or_default()
            ))]
        }
        SubmissionStatus::Rejected if s.reasons.is_empty() => {
            vec![Line::from("  – no reasons given")]
        }
        SubmissionStatus::Rejected => s
            .reasons
            .iter()
            .map(|r| Line::from(format!("  – {}", outside_text(r, context))))
            .collect(),
        SubmissionStatus::Failing => {
            let mut lines = vec![Line::from(format!("  next try {}", at(s.next_try_at)))];
            if let Some(error) = &s.last_error {
                lines.push(Line::from(format!(
                    "  last error: {}",
                    outside_text(error, context)
                )));
            }
            lines
        }
        SubmissionStatus::Awaiting => s
            .sent_at
            .map(|t| Line::from(format!("  sent {}", at(t))))
            .into_iter()
            .collect(),
        SubmissionStatus::Batched => s
            .batch
            .map(|batch| Line::from(format!("  sent with batch #{batch}")))
            .into_iter()
            .collect(),
        SubmissionStatus::Queued
        | SubmissionStatus::Held
        | SubmissionStatus::Sending
        | SubmissionStatus::Withdrawn => Vec::new(),
    }
}

/// The tab's lines, newest first, and the line the highlighted submission starts on.
pub(super) fn lines(
    submissions: Option<&Result<Vec<Submission>, String>>,
    cursor: usize,
    context: &Context,
) -> (Vec<Line<'static>>, usize) {
    let all = match submissions {
        None => return (vec![Line::from("loading …")], 0),
        Some(Err(e)) => {
            let again = context.keymap.keys_of(Action::Refresh);
            let text = format!("The submissions could not be read: {e}. {again} reads them again.");
            return (vec![Line::from(text)], 0);
        }
        Some(Ok(all)) if all.is_empty() => {
            return (
                vec![Line::from("Nothing sent or queued for this record.")],
                0,
            );
        }
        Some(Ok(all)) => all,
    };
    let mut lines = Vec::new();
    let mut selected = 0;
    for (i, s) in all.iter().enumerate() {
        let head = format!("#{} {}", s.id, what(s));
        if i == cursor {
            selected = lines.len();
            lines.push(Line::styled(head, context.theme.selected));
        } else {
            lines.push(Line::from(head));
        }
        lines.push(status_line(s, context));
        lines.extend(outcome_lines(s, context));
        if i == cursor && retryable(s, all) {
            lines.push(Line::from(format!(
                "  {} sends it again",
                context.keymap.keys_of(Action::RetrySubmission)
            )));
        }
    }
    (lines, selected)
}

/// Reasons in one line: each ended as its writer ended it, or with a semicolon.
fn one_line(reasons: &[String]) -> String {
    let last = reasons.len().saturating_sub(1);
    reasons
        .iter()
        .enumerate()
        .map(|(i, r)| {
            let r = r.trim();
            if i < last && !r.ends_with(['.', '!', '?', ';']) {
                format!("{r};")
            } else {
                r.to_string()
            }
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// R-SUBMIT-1: for each kind sent, the latest submission if the recipient rejected it
/// (not sent again since): the record came back for that, in the recipient's words.
pub(super) fn returned(submissions: &[Submission], context: &Context) -> Vec<Line<'static>> {
    let mut seen = Vec::new();
    let mut lines = Vec::new();
    // Newest first: the first of each kind is its latest.
    for s in submissions {
        if seen.contains(&(s.kind, s.recipient)) {
            continue;
        }
        seen.push((s.kind, s.recipient));
        if s.status != SubmissionStatus::Rejected {
            continue;
        }
        let reasons = if s.reasons.is_empty() {
            "no reasons given".to_string()
        } else {
            outside_text(&one_line(&s.reasons), context)
        };
        lines.push(Line::from(vec![
            Span::raw(format!("{:<10}", "Returned")),
            Span::styled(
                format!(
                    "{} rejected by {}: {reasons}",
                    s.kind.label(),
                    recipient_in_prose(s.recipient)
                ),
                context.theme.due_soon,
            ),
        ]));
    }
    lines
}
