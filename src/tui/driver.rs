//! The driver: owns the terminal, turns input, the change feed and timers into messages,
//! runs effects through the API client, and draws a frame only when something changed —
//! one buffered write per frame inside a synchronized update.

use std::io::{self, BufWriter, Stdout, Write};
use std::path::PathBuf;
use std::time::Duration;

use chrono::Utc;
use ratatui::Terminal;
use ratatui::backend::CrosstermBackend;

use super::frugal::Frugal;
use ratatui::buffer::{Buffer, CellDiffOption, CellWidth};
use ratatui::crossterm::event::{self, Event};
use ratatui::crossterm::terminal::{
    BeginSynchronizedUpdate, EndSynchronizedUpdate, EnterAlternateScreen, LeaveAlternateScreen,
    disable_raw_mode, enable_raw_mode,
};
use ratatui::crossterm::{cursor, execute, queue};
use tokio::sync::mpsc;

use crate::client::api::{
    AnalyticsRequest, Client, ClientError, QueueRequest, new_idempotency_key,
};
use crate::client::drafts::Drafts;
use crate::client::exports::save;
use crate::client::feed::{self, FeedMsg};
use crate::client::outbox::{Outbox, OutboxEntry};
use crate::client::resume::Resume;
use crate::wire::{ExportFormat, ExportRequest, RecordView};

use super::app::{State, restore, snapshot, update, view, watch};
use super::msg::{Connection, Effect, Merged, Msg, SameAs};
use super::notify;

type Backend = Frugal<CrosstermBackend<BufWriter<Stdout>>>;

/// Rows asked of the server per queue load.
const PAGE: u32 = 200;
/// Periods the Trends screen shows: a year of months, or twelve weeks.
const ANALYTICS_PERIODS: usize = 12;

fn restore_terminal() {
    let _ = disable_raw_mode();
    let mut out = io::stdout();
    let _ = execute!(out, LeaveAlternateScreen, cursor::Show);
}

/// Put the terminal back however the program ends, panics included.
fn install_panic_hook() {
    let previous = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        restore_terminal();
        previous(info);
    }));
}

/// Draw the state; when the frame equals the last one drawn, write nothing at all.
fn draw(
    terminal: &mut Terminal<Backend>,
    state: &mut State,
    last: &mut Option<Buffer>,
) -> io::Result<()> {
    terminal.autoresize()?;
    let size = terminal.size()?;
    // The queue shows about 45% of the screen, less borders and header.
    state.queue.page = usize::from(size.height).saturating_mul(45) / 100;
    state.queue.page = state.queue.page.saturating_sub(3).max(1);
    {
        let mut frame = terminal.get_frame();
        view(state, &mut frame);
    }
    let current = terminal.current_buffer_mut();
    if last.as_ref() == Some(&*current) {
        current.reset();
        return Ok(());
    }
    let drawn = current.clone();
    if let Some(previous) = last.as_ref() {
        rewrite_covered_columns(previous, current);
    }
    *last = Some(drawn);
    queue!(terminal.backend_mut(), BeginSynchronizedUpdate)?;
    terminal.apply_buffer()?;
    queue!(terminal.backend_mut(), EndSynchronizedUpdate)?;
    terminal.backend_mut().flush()
}

/// Where the last frame had a character wider than one column and this frame has something
/// else there, the columns it covered are written again. The app lays text out by grapheme,
/// but a terminal may draw a grapheme's code points in cells of their own (a flag's two
/// letters, a Devanagari vowel sign beside its consonant); overwriting the first cell then
/// leaves the rest on screen, and ratatui rewrites a covered column only when it differs
/// in its own buffers, where it is blank before and after.
fn rewrite_covered_columns(previous: &Buffer, current: &mut Buffer) {
    if previous.area != current.area {
        return;
    }
    let width = usize::from(current.area.width).max(1);
    for (i, before) in previous.content.iter().enumerate() {
        let covered = usize::from(before.cell_width());
        if covered < 2 || current.content.get(i) == Some(before) {
            continue;
        }
        let row_end = (i / width + 1) * width;
        for cell in current
            .content
            .iter_mut()
            .take((i + covered).min(row_end))
            .skip(i + 1)
        {
            cell.diff_option = CellDiffOption::AlwaysUpdate;
        }
    }
}

/// What effects need besides the message channel.
struct Services {
    client: Client,
    outbox: std::sync::Arc<tokio::sync::Mutex<Outbox>>,
    drafts: Drafts,
}

/// A refusal goes to the form that asked (beside its field); anything else is a message.
fn refused_or_failed(error: ClientError) -> Msg {
    match error {
        ClientError::Refused {
            rule,
            message,
            field,
        } => Msg::Refused {
            rule,
            message,
            field,
        },
        e => Msg::Failed(e.to_string()),
    }
}

/// What each query matches; none where the count could not be had.
async fn count_each(client: &Client, queries: &[String]) -> Vec<Option<i64>> {
    let mut counts = Vec::with_capacity(queries.len());
    for q in queries {
        counts.push(client.count(q).await.ok());
    }
    counts
}

/// How long the highlight rests on a row before the record pane shows it: longer than
/// the gap between repeats of a key held down.
const PREVIEW_DELAY: Duration = Duration::from_millis(150);

/// Carry out one effect; its outcome comes back as a message.
fn run_effect(effect: Effect, services: &Services, tx: &mpsc::Sender<Msg>) {
    // Drafts are small local files, written at once so a hang-up cannot lose them.
    let drafted = match &effect {
        Effect::SaveDraft { record_id, text } => Some(services.drafts.save(record_id, text)),
        Effect::ClearDraft { record_id } => Some(services.drafts.remove(record_id)),
        _ => None,
    };
    if let Some(result) = drafted {
        if let Err(e) = result {
            tracing::warn!(error = %e, "a note draft could not be kept");
            let _ = tx.try_send(Msg::Failed(format!("the draft could not be kept: {e}")));
        }
        return;
    }
    let client = services.client.clone();
    let outbox = services.outbox.clone();
    let tx = tx.clone();
    tokio::spawn(async move {
        let msg = match effect {
            // Attention is written to the terminal by the loop that draws.
            Effect::Quit
            | Effect::SaveDraft { .. }
            | Effect::ClearDraft { .. }
            | Effect::Attention { .. } => return,
            Effect::PreviewAfter { id } => {
                tokio::time::sleep(PREVIEW_DELAY).await;
                Msg::Preview(id)
            }
            Effect::LoadQueue { query, sort } => {
                let request = QueueRequest {
                    q: (!query.is_empty()).then_some(query.clone()),
                    sort: Some(sort.clone()),
                    limit: Some(PAGE),
                    ..QueueRequest::default()
                };
                match client.queue(&request).await {
                    Ok(page) => Msg::QueueFor { query, sort, page },
                    Err(e) => Msg::Failed(e.to_string()),
                }
            }
            Effect::LoadRecord { id } => match client.record(&id).await {
                Ok(view) => Msg::Record(view),
                Err(e) => Msg::Failed(e.to_string()),
            },
            Effect::LoadColleagues => match client.colleagues().await {
                Ok(list) => Msg::Colleagues(list),
                Err(e) => Msg::Failed(e.to_string()),
            },
            Effect::LoadPolicy => match client.policy().await {
                Ok(policy) => Msg::Policy(Box::new(policy)),
                Err(e) => Msg::Failed(e.to_string()),
            },
            Effect::Create {
                details,
                link,
                same,
            } => {
                let body = crate::wire::CreateRecord {
                    org: None,
                    details: *details,
                    assignee: None,
                };
                match client.create(&body, &new_idempotency_key()).await {
                    Ok(view) => {
                        let id = record_id(&view);
                        let created = match link {
                            Some(incident) => linked(&client, &tx, view, incident).await,
                            None => Msg::Created(view),
                        };
                        if same.is_empty() {
                            created
                        } else {
                            let _ = tx.send(created).await;
                            Msg::MergedOnRegistering(merge_chosen(&client, id, same).await)
                        }
                    }
                    Err(e) => refused_or_failed(e),
                }
            }
            Effect::LoadCounts { queries } => Msg::Counts(count_each(&client, &queries).await),
            Effect::MarkSeen { id, version } => {
                // A mark not kept only means the row may say changed again.
                if let Err(e) = client.mark_seen(&id, version).await {
                    tracing::warn!(error = %e, "a record could not be marked seen");
                }
                return;
            }
            Effect::LoadHandovers => match client.handovers().await {
                Ok(data) => Msg::Handovers(Box::new(data)),
                Err(e) => Msg::Failed(e.to_string()),
            },
            Effect::WriteHandover { handover } => match client.write_handover(&handover).await {
                Ok(written) => Msg::HandoverWritten(Box::new(written)),
                Err(e) => Msg::Failed(format!("the handover was not kept: {e}")),
            },
            Effect::AcknowledgeHandover { id } => match client.acknowledge_handover(id).await {
                Ok(()) => Msg::Acknowledged,
                Err(e) => Msg::Failed(e.to_string()),
            },
            Effect::FindPeople { find } => match client.candidates(&find).await {
                Ok(found) => Msg::Candidates(Box::new(found)),
                Err(e) => Msg::Failed(e.to_string()),
            },
            Effect::LoadPerson { id } => match client.person(&id).await {
                Ok(view) => Msg::Person(Box::new(view)),
                Err(e) => Msg::PersonUnread {
                    person: id,
                    error: e.to_string(),
                },
            },
            Effect::PersonCandidates { person, find } => match client.candidates(&find).await {
                Ok(found) => Msg::PersonCandidates {
                    person,
                    found: Box::new(found),
                },
                Err(e) => Msg::PersonCandidatesFailed {
                    person,
                    error: e.to_string(),
                },
            },
            Effect::MatchRegistering { person, find } => {
                let found = client
                    .candidates(&find)
                    .await
                    .map(Box::new)
                    .map_err(|e| e.to_string());
                Msg::MatchedRegistering {
                    person,
                    find,
                    found,
                }
            }
            Effect::MergePeople {
                person,
                with,
                reason,
            } => match client.merge_people(&person, &with, &reason).await {
                Ok(view) => Msg::PeopleMerged(Box::new(view)),
                Err(e) => Msg::Failed(format!("not merged: {e}")),
            },
            Effect::KeepApart {
                person,
                with,
                reason,
            } => match client.keep_apart(&person, &with, &reason).await {
                Ok(view) => Msg::PeopleKeptApart(Box::new(view)),
                Err(e) => Msg::Failed(format!("not kept apart: {e}")),
            },
            Effect::UndoMerge {
                person,
                merge,
                reason,
            } => match client.undo_merge(merge, &reason).await {
                // The answer is the person on the merge's first side: the timeline shown
                // may be the other's, read again.
                Ok(view) if view.id == person => Msg::MergeUndone(Box::new(view)),
                Ok(_) => match client.person(&person).await {
                    Ok(view) => Msg::MergeUndone(Box::new(view)),
                    Err(e) => Msg::Failed(format!("merge {merge} undone; {e}")),
                },
                Err(e) => Msg::Failed(format!("not undone: {e}")),
            },
            Effect::LoadReminders => match client.reminders().await {
                Ok(data) => Msg::Reminders(Box::new(data)),
                Err(e) => Msg::Failed(e.to_string()),
            },
            Effect::SetReminder { reminder } => match client.set_reminder(&reminder).await {
                Ok(set) => Msg::ReminderSet(Box::new(set)),
                Err(e) => Msg::Failed(format!("the reminder was not kept: {e}")),
            },
            Effect::FinishReminder { id } => match client.finish_reminder(id).await {
                Ok(()) => Msg::ReminderDone,
                Err(e) => Msg::Failed(e.to_string()),
            },
            Effect::LoadSince { from } => match client.since(from).await {
                Ok(since) => Msg::Since(Box::new(since)),
                Err(e) => Msg::Failed(e.to_string()),
            },
            Effect::LoadAlertCounts { queries } => {
                Msg::AlertCounts(count_each(&client, &queries).await)
            }
            Effect::LoadAnalytics { by, interval, q } => {
                let request = AnalyticsRequest {
                    by: Some(by),
                    interval: Some(interval),
                    periods: Some(ANALYTICS_PERIODS),
                    q: (!q.is_empty()).then_some(q),
                };
                match client.analytics(&request).await {
                    Ok(analytics) => Msg::Analytics(Box::new(analytics)),
                    Err(e) => Msg::Failed(e.to_string()),
                }
            }
            Effect::LoadActions { mine } => match client.learning_actions(mine).await {
                Ok(actions) => Msg::Actions(Box::new(actions)),
                Err(e) => Msg::Failed(e.to_string()),
            },
            Effect::Export { query, sort, file } => {
                let request = ExportRequest {
                    format: ExportFormat::Csv,
                    q: (!query.is_empty()).then_some(query),
                    view: None,
                    sort: Some(sort),
                };
                let path = std::env::current_dir().unwrap_or_default().join(file);
                match client.export(&request).await {
                    Ok(export) => match save(&path, &export.bytes, export.rows, false) {
                        Ok(message) => Msg::Exported(message),
                        Err(message) => Msg::Failed(message),
                    },
                    Err(e) => Msg::Failed(format!("export: {e}")),
                }
            }
            Effect::LoadHistory { id } => match client.history(&id).await {
                Ok(history) => Msg::History(history),
                Err(e) => Msg::Failed(e.to_string()),
            },
            Effect::LoadSubmissions { id } => Msg::Submissions {
                answer: client
                    .record_submissions(&id)
                    .await
                    .map(|list| list.submissions)
                    .map_err(|e| e.to_string()),
                record: id,
            },
            Effect::RetrySubmission { record, id } => Msg::Retried {
                answer: client
                    .retry_submission(id)
                    .await
                    .map(Box::new)
                    .map_err(|e| e.to_string()),
                record,
                id,
            },
            Effect::Command {
                id,
                version,
                command,
            } => {
                let key = new_idempotency_key();
                match client.command(&id, version, &command, &key).await {
                    Ok(view) => Msg::Record(view),
                    Err(ClientError::Offline { reason, .. }) => {
                        tracing::info!(record = %id, "server unreachable: the write is kept in the outbox");
                        // Kept with the same key: if the server did apply it before the
                        // link dropped, sending it again cannot apply it twice.
                        let mut outbox = outbox.lock().await;
                        let kept = outbox.push_entry(OutboxEntry {
                            key,
                            record_id: id.clone(),
                            base_version: version,
                            command: *command,
                            queued_at: Utc::now(),
                        });
                        let _ = tx.send(Msg::Pending(outbox.pending().len())).await;
                        match kept {
                            Ok(_) => Msg::Connection(Connection::Offline(reason)),
                            Err(e) => Msg::Failed(format!("could not keep the write: {e}")),
                        }
                    }
                    Err(ClientError::Conflict { current_version }) => {
                        let _ = tx
                            .send(Msg::Failed(format!(
                                "someone changed {id} first (now version {current_version}): it has been reloaded; check it and try again"
                            )))
                            .await;
                        match client.record(&id).await {
                            Ok(view) => Msg::Record(view),
                            Err(e) => Msg::Failed(e.to_string()),
                        }
                    }
                    Err(e) => refused_or_failed(e),
                }
            }
        };
        let _ = tx.send(msg).await;
    });
}

/// Run the app until the user quits or the terminal goes away.
/// `resume` is the file that keeps where the app was left, to come back to it.
pub async fn run(
    mut state: State,
    client: Client,
    outbox: Outbox,
    drafts: Drafts,
    resume: Option<PathBuf>,
) -> io::Result<()> {
    let (tx, mut rx) = mpsc::channel::<Msg>(256);
    // Terminal input is read on its own thread: reading blocks.
    let input = tx.clone();
    std::thread::spawn(move || {
        loop {
            match event::read() {
                Ok(Event::Key(key)) => {
                    if input.blocking_send(Msg::Key(key)).is_err() {
                        return;
                    }
                }
                Ok(Event::Resize(_, _)) => {
                    if input.blocking_send(Msg::Tick(Utc::now())).is_err() {
                        return;
                    }
                }
                Ok(_) => {}
                Err(_) => return,
            }
        }
    });
    let (feed_handle, mut feed_rx) = feed::spawn(client.clone(), None);
    let outbox = std::sync::Arc::new(tokio::sync::Mutex::new(outbox));
    update(
        &mut state,
        Msg::Pending(outbox.lock().await.pending().len()),
    );
    state.record.drafts = drafts.load_all();
    let kept = state.record.drafts.len();
    if kept > 0 {
        update(
            &mut state,
            Msg::Failed(format!(
                "{kept} note draft(s) kept from last time: open the record and press n to continue"
            )),
        );
    }
    let services = Services {
        client: client.clone(),
        outbox: outbox.clone(),
        drafts,
    };
    let mut resumed = Vec::new();
    match resume.as_deref().map(Resume::load) {
        Some(Ok(Some(place))) => resumed = restore(&mut state, place),
        Some(Err(e)) => {
            update(&mut state, Msg::Failed(e.to_string()));
        }
        Some(Ok(None)) | None => {}
    }

    enable_raw_mode()?;
    install_panic_hook();
    let mut out = BufWriter::new(io::stdout());
    execute!(out, EnterAlternateScreen, cursor::Hide)?;
    let mut terminal = Terminal::new(Frugal::new(CrosstermBackend::new(out))?)?;

    // The first frame never waits on the network: who the user is and the queue arrive as
    // messages; "live" waits for the change feed to say so.
    let mut last = None;
    draw(&mut terminal, &mut state, &mut last)?;
    {
        let (client, tx) = (client.clone(), tx.clone());
        tokio::spawn(async move {
            let msg = match client.me().await {
                Ok(me) => Msg::Me(me),
                Err(e) => Msg::Failed(e.to_string()),
            };
            let _ = tx.send(msg).await;
        });
    }
    // The queue and what its first screen shows go first; the rest waits until that page
    // is on screen, so that it never waits behind them on a busy server or a slow link.
    run_effect(
        Effect::LoadQueue {
            query: state.queue.query(),
            sort: state.queue.sorted_by().0.to_string(),
        },
        &services,
        &tx,
    );
    run_effect(Effect::LoadPolicy, &services, &tx);
    // What changed while the user was away is read before anything is marked seen.
    let away = [
        Effect::LoadSince { from: None },
        Effect::LoadHandovers,
        Effect::LoadReminders,
        Effect::LoadColleagues,
    ];
    let mut after_first_page: Vec<Effect> = resumed
        .into_iter()
        .chain(watch(&mut state))
        .chain(away)
        .collect();
    // Inside tmux a notification must pass through it to reach the terminal.
    let in_tmux = std::env::var_os("TMUX").is_some();

    let every_minute = Duration::from_secs(60);
    let mut minute =
        tokio::time::interval_at(tokio::time::Instant::now() + every_minute, every_minute);
    let mut hangup = signal(tokio::signal::unix::SignalKind::hangup())?;
    let mut terminate = signal(tokio::signal::unix::SignalKind::terminate())?;
    let mut terminal_gone = false;
    loop {
        let msg = tokio::select! {
            Some(msg) = rx.recv() => msg,
            Some(feed_msg) = feed_rx.recv() => match feed_msg {
                FeedMsg::Change(change) => Msg::Change(change),
                FeedMsg::Connected { .. } => {
                    replay_outbox(&outbox, &client, &tx).await;
                    Msg::Connection(Connection::Live)
                }
                FeedMsg::Disconnected(reason) => Msg::Connection(Connection::Offline(reason)),
            },
            _ = minute.tick() => Msg::Tick(Utc::now()),
            _ = hangup.recv() => { terminal_gone = true; break; }
            _ = terminate.recv() => break,
        };
        let mut batch = vec![msg];
        // Draw once for everything already waiting.
        while let Ok(more) = rx.try_recv() {
            batch.push(more);
        }
        let first_page_in = batch
            .iter()
            .any(|m| matches!(m, Msg::Queue(_) | Msg::QueueFor { .. } | Msg::Failed(_)));
        let mut attention = Vec::new();
        for msg in batch {
            for effect in update(&mut state, msg) {
                match effect {
                    Effect::Attention { how, osc, text } => {
                        attention.extend(notify::sequence(how, osc, &text, in_tmux));
                    }
                    other => run_effect(other, &services, &tx),
                }
            }
        }
        if state.quit {
            break;
        }
        draw(&mut terminal, &mut state, &mut last)?;
        if first_page_in {
            for effect in std::mem::take(&mut after_first_page) {
                run_effect(effect, &services, &tx);
            }
        }
        if !attention.is_empty() {
            let out = terminal.backend_mut();
            out.write_all(&attention)?;
            out.flush()?;
        }
    }
    feed_handle.stop().await;
    if let Some(path) = &resume
        && let Err(e) = snapshot(&state).save(path)
    {
        tracing::warn!("where the app was left is not kept: {e}");
    }
    if terminal_gone {
        // Nothing may be written to a terminal that hung up.
        let _ = disable_raw_mode();
    } else {
        restore_terminal();
    }
    Ok(())
}

fn signal(kind: tokio::signal::unix::SignalKind) -> io::Result<tokio::signal::unix::Signal> {
    tokio::signal::unix::signal(kind)
}

/// A record's id, as the server gave it.
fn record_id(view: &RecordView) -> Option<String> {
    view.record
        .get("id")
        .and_then(|v| v.as_str())
        .map(String::from)
}

/// R-PERSON-2: each person of the new record `id` chosen as the same as another while
/// registering is merged with them now that the record exists, or kept apart from one
/// decided not to be them, for the reason given; a refusal is kept in the server's words.
/// The record stands either way.
async fn merge_chosen(client: &Client, id: Option<String>, same: Vec<SameAs>) -> Vec<Merged> {
    let mut merged = Vec::with_capacity(same.len());
    for chosen in same {
        let person = format!("{}.{}", id.as_deref().unwrap_or("?"), chosen.mention);
        let refused = match &id {
            None => Some("the new record's id was not in the server's answer".to_string()),
            Some(_) if chosen.same => client
                .merge_people(&person, &chosen.with, &chosen.reason)
                .await
                .err()
                .map(|e| e.to_string()),
            Some(_) => client
                .keep_apart(&person, &chosen.with, &chosen.reason)
                .await
                .err()
                .map(|e| e.to_string()),
        };
        merged.push(Merged {
            person,
            with: chosen.with,
            same: chosen.same,
            refused,
        });
    }
    merged
}

/// R-LINK-1: the new intake report, linked to the incident it was registered for; kept but
/// not linked, the user is told so, and can link it from the report.
async fn linked(
    client: &Client,
    tx: &mpsc::Sender<Msg>,
    view: RecordView,
    incident: String,
) -> Msg {
    let Some(id) = record_id(&view) else {
        return Msg::Created(view);
    };
    let command = crate::domain::commands::Command::LinkIncident { incident };
    match client
        .command(&id, view.version, &command, &new_idempotency_key())
        .await
    {
        Ok(linked) => Msg::Created(linked),
        Err(e) => {
            let _ = tx.send(Msg::Created(view)).await;
            Msg::Failed(format!(
                "{id} is registered but not linked ({e}): press K on it to link it"
            ))
        }
    }
}

async fn replay_outbox(
    outbox: &std::sync::Arc<tokio::sync::Mutex<Outbox>>,
    client: &Client,
    tx: &mpsc::Sender<Msg>,
) {
    let mut outbox = outbox.lock().await;
    if outbox.pending().is_empty() {
        return;
    }
    match outbox.replay(client).await {
        Ok(replay) => {
            let _ = tx.send(Msg::Pending(outbox.pending().len())).await;
            if !replay.conflicts.is_empty() || !replay.failures.is_empty() {
                let _ = tx
                    .send(Msg::Failed(format!(
                        "{} kept write(s) conflicted and {} were refused: open the record to see it as it is now",
                        replay.conflicts.len(),
                        replay.failures.len()
                    )))
                    .await;
            }
        }
        Err(e) => {
            let _ = tx
                .send(Msg::Failed(format!("sending kept writes: {e}")))
                .await;
        }
    }
}
