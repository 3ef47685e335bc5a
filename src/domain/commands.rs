//! What a user can ask of a record. `decide` turns a command into events or a refusal.

use std::collections::BTreeSet;

use super::submissions::SubmissionKind;
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use super::model::{
    Classification, Consequence, Details, Incident, Intake, Probability, RcsScope, Span, Urgency,
};

/// Why someone contacts the child or family during intake (R-INT-NOCONTACT).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ContactPurpose {
    /// Gathering information to assess risk: never done by intake.
    RiskAssessment,
    /// Advice, assistance or referral after a child wellbeing classification.
    AssistanceOrReferral,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(tag = "command", rename_all = "snake_case", deny_unknown_fields)]
pub enum Command {
    /// Register a new incident or intake report. The id is assigned by the caller.
    Create {
        id: String,
        org: String,
        details: Details,
        #[serde(default)]
        assignee: Option<String>,
    },
    /// Replace the incident's details (classification, circumstances, people …).
    UpdateIncident {
        incident: Incident,
        /// Why the awareness time is corrected, when it is (R-AWARE-1).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        correction: Option<String>,
    },
    /// Replace the intake's details (people, concerns, risk assessment …).
    UpdateIntake {
        intake: Intake,
    },
    Tick {
        item: String,
    },
    /// R-SUBMIT-1: a submission made outside cims (by the recipient's own form or portal),
    /// recorded by hand: when it was made, and why not through cims.
    SubmittedOutside {
        kind: SubmissionKind,
        at: DateTime<Utc>,
        reason: String,
    },
    Untick {
        item: String,
    },
    Waive {
        item: String,
        reason: String,
    },
    AdvanceStage,
    AddNote {
        text: String,
        #[serde(default)]
        protected_spans: Vec<Span>,
        /// The policy's note category (R-NOTE-CAT); a case note when not given.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        category: Option<String>,
    },
    AmendNote {
        note: u32,
        text: String,
        #[serde(default)]
        protected_spans: Vec<Span>,
        reason: String,
    },
    Assign {
        user: Option<String>,
    },
    ChangeOrganisation {
        org: String,
        reason: String,
    },
    /// The Integrity Unit's answer on RCS scope (R-RCS-2).
    ConfirmRcsScope {
        scope: RcsScope,
    },
    /// Police ask that the investigation wait (R-POLICE-2).
    PoliceHold,
    /// Police confirm the investigation may proceed (R-POLICE-2).
    PoliceClearance,
    /// Extend the investigation deadline (R-DL-INVEST).
    ExtendInvestigation {
        business_days: u32,
        reason: String,
    },
    RecordInvestigationOutcome {
        outcome: String,
    },
    /// The delegate records that the investigation covered what a review would (R-FOLLOWUP-2).
    SkipReview {
        reason: String,
    },
    /// A privacy breach was identified (R-PRIV-7).
    RaisePrivacyBreach {
        identified_at: DateTime<Utc>,
    },
    /// Endorse the incident report or the intake classification.
    Endorse,
    ClassifyIntake {
        classifications: BTreeSet<Classification>,
        #[serde(default)]
        urgency: Option<Urgency>,
        #[serde(default)]
        rationale: Option<String>,
        /// The intake risk assessment, recorded with the decision when given (R-INT-MATRIX).
        #[serde(default)]
        consequence: Option<Consequence>,
        #[serde(default)]
        probability: Option<Probability>,
    },
    /// The DAOM's decision on a third report within 12 months (R-INT-REREPORT-3).
    DecideRereport {
        investigate: bool,
        rationale: String,
    },
    /// The DAOM delegates the re-report decision to a team manager or above
    /// (R-INT-REREPORT-3).
    DelegateRereport {
        to: String,
    },
    /// Feedback to a professional reporter is not given, and why (R-INT-DL-FB).
    RecordFeedbackException {
        reason: String,
    },
    RecordContact {
        purpose: ContactPurpose,
    },
    /// R-LINK-1: link the intake report to the incident it was registered for, an incident
    /// that also meets the criteria for a new allegation.
    LinkIncident {
        incident: String,
    },
    /// An investigation or review raises an action to learn from the incident (R-STAGE).
    RaiseLearningAction {
        what: String,
        owner: String,
        /// The Melbourne date it is due by (close of business).
        due_on: NaiveDate,
    },
    /// The action's owner or a manager records what came of it (R-STAGE).
    CloseLearningAction {
        action: u32,
        outcome: String,
    },
    Close {
        reason: String,
    },
    /// R-LOCK-1: withdraw an endorsement so the facts it covers may change; it must then
    /// be endorsed again.
    WithdrawEndorsement {
        item: String,
        reason: String,
    },
}

/// Every command name, as the policy's `[permissions]` table spells it.
pub const NAMES: &[&str] = &[
    "create_incident",
    "create_intake",
    "update_incident",
    "update_intake",
    "tick",
    "untick",
    "waive",
    "advance_stage",
    "add_note",
    "amend_note",
    "assign",
    "change_organisation",
    "confirm_rcs_scope",
    "police_hold",
    "police_clearance",
    "extend_investigation",
    "record_investigation_outcome",
    "skip_review",
    "raise_privacy_breach",
    "endorse_incident",
    "endorse_intake",
    "classify_intake",
    "decide_rereport",
    "delegate_rereport",
    "record_feedback_exception",
    "record_contact",
    "link_incident",
    "raise_learning_action",
    "close_learning_action",
    "close",
    "withdraw_endorsement",
    "submitted_outside",
    // Not commands on a record: decisions about people (R-PERSON-2).
    "merge_people",
    "unmerge_people",
    // Not commands on a record: sending a submission again (R-SUBMIT-1), and an
    // organisation's month-end batch (R-SUBMIT-4).
    "retry_submission",
    "send_batch",
];

impl Command {
    /// The permission name of this command; creation and endorsement differ by kind.
    pub fn name(&self, kind: super::model::RecordKind) -> &'static str {
        use super::model::RecordKind::{Incident as I, Intake as N};
        match (self, kind) {
            (Command::Create { .. }, I) => "create_incident",
            (Command::Create { .. }, N) => "create_intake",
            (Command::UpdateIncident { .. }, _) => "update_incident",
            (Command::UpdateIntake { .. }, _) => "update_intake",
            (Command::Tick { .. }, _) => "tick",
            (Command::SubmittedOutside { .. }, _) => "submitted_outside",
            (Command::Untick { .. }, _) => "untick",
            (Command::Waive { .. }, _) => "waive",
            (Command::AdvanceStage, _) => "advance_stage",
            (Command::AddNote { .. }, _) => "add_note",
            (Command::AmendNote { .. }, _) => "amend_note",
            (Command::Assign { .. }, _) => "assign",
            (Command::ChangeOrganisation { .. }, _) => "change_organisation",
            (Command::ConfirmRcsScope { .. }, _) => "confirm_rcs_scope",
            (Command::PoliceHold, _) => "police_hold",
            (Command::PoliceClearance, _) => "police_clearance",
            (Command::ExtendInvestigation { .. }, _) => "extend_investigation",
            (Command::RecordInvestigationOutcome { .. }, _) => "record_investigation_outcome",
            (Command::SkipReview { .. }, _) => "skip_review",
            (Command::RaisePrivacyBreach { .. }, _) => "raise_privacy_breach",
            (Command::Endorse, I) => "endorse_incident",
            (Command::Endorse, N) => "endorse_intake",
            (Command::ClassifyIntake { .. }, _) => "classify_intake",
            (Command::DecideRereport { .. }, _) => "decide_rereport",
            (Command::RecordFeedbackException { .. }, _) => "record_feedback_exception",
            (Command::DelegateRereport { .. }, _) => "delegate_rereport",
            (Command::WithdrawEndorsement { .. }, _) => "withdraw_endorsement",
            (Command::RecordContact { .. }, _) => "record_contact",
            (Command::LinkIncident { .. }, _) => "link_incident",
            (Command::RaiseLearningAction { .. }, _) => "raise_learning_action",
            (Command::CloseLearningAction { .. }, _) => "close_learning_action",
            (Command::Close { .. }, _) => "close",
        }
    }
}
