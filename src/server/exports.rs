//! `POST /v1/exports`: the rows of a queue view as CSV or JSON, masked exactly as the queue
//! shows them to the caller (R-PRIV-4), and recorded in the audit log.

use axum::Json;
use axum::extract::State;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use chrono::Utc;

use crate::domain::local_time;
use crate::store::QueueQuery;
use crate::wire::{CSV_HEADER, ErrorBody, ExportFormat, ExportRequest, QueueRow};

use super::AppState;
use super::auth::{Caller, viewer};
use super::error::ApiError;
use super::present;
use super::records::{scope_and_filter, sort_of};

/// The most rows one export holds; a larger view is refused, not cut short.
pub const MAX_EXPORT_ROWS: i64 = 20_000;

/// Rows read from the queue at a time: a quarter of the most an export holds, so an export
/// is a few reads of the matching records, not dozens.
const EXPORT_PAGE: i64 = 5_000;

/// Every row of a view, masked for the caller; the export is audited.
#[utoipa::path(
    post, path = "/v1/exports", tag = "records",
    request_body = ExportRequest,
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The rows as CSV (format csv) or a JSON array of queue rows (format json); X-Cims-Rows gives their number", content(
            (Vec<QueueRow> = "application/json"),
            (String = "text/csv"),
        )),
        (status = 400, description = "Bad filter, view or sort", body = ErrorBody),
        (status = 401, description = "No valid token", body = ErrorBody),
        (status = 403, description = "Admin accounts see no client data", body = ErrorBody),
        (status = 415, description = "The body is not JSON", body = ErrorBody),
        (status = 422, description = "A bad body, or more rows than one export holds", body = ErrorBody),
    )
)]
pub async fn export(
    caller: Caller,
    State(state): State<AppState>,
    Json(request): Json<ExportRequest>,
) -> Result<Response, ApiError> {
    let (scope, filter) = scope_and_filter(
        &state,
        &caller,
        request.view.as_deref(),
        request.q.as_deref(),
    )
    .await?;
    let (sort, descending) = sort_of(request.sort.as_deref())?;
    let now = Utc::now();
    let q = QueueQuery {
        viewer: viewer(&caller.actor, scope, state.policies.in_force_at(now)),
        filter,
        sort,
        descending,
        limit: EXPORT_PAGE,
        cursor: None,
        now,
    };
    let matching = state.store.count(&q, &state.policies).await?;
    if matching > MAX_EXPORT_ROWS {
        return Err(ApiError::unprocessable(format!(
            "{matching} records match; an export holds at most {MAX_EXPORT_ROWS}: narrow the filter"
        )));
    }
    let mut rows = Vec::new();
    let mut through_protected = Vec::new();
    state.store.sync_terms().await?;
    state
        .store
        .each_page(&q, &state.policies, |page| {
            rows.extend(
                page.iter()
                    .map(|row| present::queue_row(&state, &caller, row)),
            );
            through_protected.extend(
                page.iter()
                    .filter(|r| r.through_protected)
                    .map(|r| r.record.id.clone()),
            );
            true
        })
        .await?;
    let through_protected: Vec<&str> = through_protected.iter().map(String::as_str).collect();
    present::audit_search(&state, &caller, &through_protected).await?;
    state
        .store
        .audit(
            &caller.user.id,
            "export",
            None,
            &serde_json::json!({
                "format": request.format,
                "q": audited_query(request.q.as_deref(), &q.filter),
                "view": request.view,
                "rows": rows.len(),
            }),
            now,
        )
        .await?;
    let (body, content_type) = match request.format {
        ExportFormat::Json => (
            serde_json::to_vec(&rows).map_err(|_| ApiError::internal())?,
            "application/json",
        ),
        ExportFormat::Csv => (
            csv_of(&rows).map_err(|_| ApiError::internal())?,
            "text/csv; charset=utf-8",
        ),
    };
    let mut response = (StatusCode::OK, body).into_response();
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    headers.insert("x-cims-rows", HeaderValue::from(rows.len()));
    Ok(response)
}

/// The filter as the audit log keeps it. Its free text may be a protective intervener's
/// search for a reporter, and the log is read by administrators who see no client data
/// (R-PRIV-5, R-PRIV-8): a filter with free text is kept as a marker that says how many
/// words it held, never the words.
fn audited_query(q: Option<&str>, filter: &crate::domain::query::Filter) -> serde_json::Value {
    match q {
        Some(_) if !filter.text.is_empty() => serde_json::json!({
            "masked": "protected",
            "words": filter.text.len(),
        }),
        other => serde_json::json!(other),
    }
}

/// A cell that a spreadsheet would run as a formula gets a leading apostrophe.
fn cell(text: &str) -> String {
    if text.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{text}")
    } else {
        text.to_string()
    }
}

/// The subject as the queue shows it: the name, or what is withheld and the masked form.
pub fn subject_text(subject: &serde_json::Value) -> String {
    match subject {
        serde_json::Value::String(name) => name.clone(),
        serde_json::Value::Object(marker) => {
            let class = marker.get("masked").and_then(|v| v.as_str()).unwrap_or("");
            match marker.get("display").and_then(|v| v.as_str()) {
                Some(display) => format!("{display} [{class} withheld]"),
                None => format!("[{class} withheld]"),
            }
        }
        _ => String::new(),
    }
}

fn csv_of(rows: &[QueueRow]) -> Result<Vec<u8>, csv::Error> {
    let mut out = csv::Writer::from_writer(Vec::new());
    out.write_record(CSV_HEADER)?;
    for row in rows {
        let due = row.next_due.map(|d| {
            d.with_timezone(&local_time::ZONE)
                .format("%Y-%m-%d %H:%M")
                .to_string()
        });
        out.write_record(
            [
                row.id.as_str(),
                &row.kind,
                &row.org,
                &row.stage,
                &row.status,
                row.assignee.as_deref().unwrap_or(""),
                due.as_deref().unwrap_or(""),
                row.impact.as_deref().unwrap_or(""),
                row.primary_type.as_deref().unwrap_or(""),
                &subject_text(&row.subject),
                &row.people.to_string(),
            ]
            .map(cell),
        )?;
    }
    out.into_inner().map_err(|e| e.into_error().into())
}
