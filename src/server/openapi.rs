//! The OpenAPI document at `/openapi.json`: every path, parameter, body and error.

use axum::Json;
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};

use crate::wire;

struct BearerAuth;

impl Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
        );
    }
}

#[derive(OpenApi)]
#[openapi(
    info(
        title = "cims",
        description = "Client incidents (CIMS) and child protection intake reports. Every record representation is masked for the caller; refusals name the rule (R-…).",
    ),
    paths(
        super::session::login,
        super::session::me,
        super::session::colleagues,
        super::reference::policy,
        super::records::queue,
        super::records::count,
        super::records::create,
        super::records::read,
        super::records::command,
        super::records::history,
        super::since::seen,
        super::since::since,
        super::handovers::write,
        super::handovers::list,
        super::handovers::acknowledge,
        super::people::candidates,
        super::persons::show,
        super::persons::merge,
        super::persons::distinct,
        super::persons::undo,
        super::submissions::list,
        super::submissions::show,
        super::submissions::retry,
        super::submissions::send_batch,
        super::reminders::set,
        super::reminders::list,
        super::reminders::done,
        super::analytics::analytics,
        super::exports::export,
        super::learning::learning_actions,
        super::feed::events,
        super::reference::audit,
        super::reference::holidays,
        super::reference::healthz,
        super::reference::readyz,
        document,
    ),
    components(schemas(
        wire::Submissions,
        wire::SendBatch,
        wire::BatchSent,
        crate::store::Submission,
        crate::store::SubmissionStatus,
        crate::domain::submissions::Recipient,
        crate::domain::submissions::SubmissionKind,
        wire::LoginRequest,
        wire::LoginResponse,
        wire::Me,
        wire::Colleague,
        wire::OrganisationDto,
        wire::QueuePage,
        wire::QueueCount,
        wire::QueueRow,
        wire::CreateRecord,
        wire::RecordView,
        wire::ChecklistLine,
        wire::History,
        wire::Seen,
        wire::Since,
        wire::SinceRecord,
        wire::WriteHandover,
        wire::HandoverLine,
        wire::Handover,
        wire::HandoverItem,
        wire::Handovers,
        wire::FindPerson,
        wire::Candidate,
        wire::Candidates,
        wire::PersonView,
        wire::RecordPerson,
        wire::IncidentPattern,
        wire::TimelineEntry,
        wire::PersonEvent,
        wire::MergePeople,
        wire::DistinctPeople,
        wire::KeptApart,
        wire::UndoMerge,
        wire::WriteReminder,
        wire::Reminder,
        wire::Reminders,
        wire::Holidays,
        wire::HolidayDto,
        wire::Change,
        wire::ServerSentEvent,
        wire::ErrorBody,
        wire::Health,
        wire::AuditRow,
        wire::Analytics,
        wire::AnalyticsCount,
        wire::AnalyticsGroup,
        wire::AnalyticsPeriod,
        wire::ExportRequest,
        wire::ExportFormat,
        wire::LearningActions,
        wire::LearningActionRow,
    )),
    modifiers(&BearerAuth),
)]
pub struct ApiDoc;

/// This document.
#[utoipa::path(
    get, path = "/openapi.json", tag = "health",
    responses((status = 200, description = "The OpenAPI document", body = Object))
)]
pub async fn document() -> Json<utoipa::openapi::OpenApi> {
    Json(ApiDoc::openapi())
}
