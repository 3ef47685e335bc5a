//! The change-feed consumer: a task that holds `GET /v1/events` open, turns its
//! Server-Sent Events into [`FeedMsg`]s, and reconnects with backoff, resuming after the
//! last event it saw (`Last-Event-ID`) so that no change is missed.

use std::time::Duration;

use futures_util::StreamExt;
use tokio::sync::{mpsc, watch};
use tokio::task::JoinHandle;

use crate::wire::Change;

use super::api::{Client, offline};
use super::sanitize::clean_value;

/// The first wait before reconnecting; it doubles after each failure.
pub const BACKOFF_START: Duration = Duration::from_millis(500);
/// The longest wait before reconnecting.
pub const BACKOFF_MAX: Duration = Duration::from_secs(10);
/// The longest line the parser holds; a longer one ends the connection.
pub const MAX_LINE: usize = 1024 * 1024;
/// Messages waiting for the receiver before the task waits for it.
const CHANNEL: usize = 256;

/// What the feed task reports.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FeedMsg {
    /// The feed is open. `resumed` is true when it continues after an event already seen,
    /// so nothing was missed; when false (the first connection without a starting point, or
    /// a reconnection before any event arrived) changes may have happened unseen: reload
    /// what is on screen.
    Connected { resumed: bool },
    /// Record `record_id` is now at `version`; re-read it through the masked API.
    Change(Change),
    /// The feed is closed or could not be opened, and why; a reconnection follows.
    Disconnected(String),
}

/// A running feed task. Dropping the handle stops the task, as does [`FeedHandle::stop`]
/// or dropping the receiver.
#[derive(Debug)]
pub struct FeedHandle {
    stop: watch::Sender<bool>,
    task: Option<JoinHandle<()>>,
}

impl FeedHandle {
    /// Stop the task and wait for it to end.
    pub async fn stop(mut self) {
        let _ = self.stop.send(true);
        if let Some(task) = self.task.take() {
            let _ = task.await;
        }
    }
}

impl Drop for FeedHandle {
    fn drop(&mut self) {
        let _ = self.stop.send(true);
    }
}

/// Start following the change feed. `after` resumes after that sequence number; `None`
/// starts with the newest change. Must be called within a Tokio runtime.
pub fn spawn(client: Client, after: Option<i64>) -> (FeedHandle, mpsc::Receiver<FeedMsg>) {
    let (tx, rx) = mpsc::channel(CHANNEL);
    let (stop, stopped) = watch::channel(false);
    let task = tokio::spawn(run(client, after, tx, stopped));
    (
        FeedHandle {
            stop,
            task: Some(task),
        },
        rx,
    )
}

/// Why a connection ended.
enum Ended {
    /// The receiver is gone or the stop signal fired: the task ends.
    Stop,
    /// The link ended; reconnect.
    Lost(String),
}

async fn run(
    client: Client,
    after: Option<i64>,
    tx: mpsc::Sender<FeedMsg>,
    mut stopped: watch::Receiver<bool>,
) {
    let mut last = after;
    let mut backoff = BACKOFF_START;
    loop {
        if *stopped.borrow() {
            return;
        }
        let opened = tokio::select! {
            opened = client.open_feed(last) => opened,
            _ = tx.closed() => return,
            _ = stopped.wait_for(|s| *s) => return,
        };
        let reason = match opened {
            Ok(response) => {
                backoff = BACKOFF_START;
                let resumed = last.is_some();
                if tx.send(FeedMsg::Connected { resumed }).await.is_err() {
                    return;
                }
                match follow(&client, response, &mut last, &tx, &mut stopped).await {
                    Ended::Stop => return,
                    Ended::Lost(reason) => reason,
                }
            }
            Err(error) => error.to_string(),
        };
        if tx.send(FeedMsg::Disconnected(reason)).await.is_err() {
            return;
        }
        tokio::select! {
            _ = tokio::time::sleep(backoff) => {},
            _ = tx.closed() => return,
            _ = stopped.wait_for(|s| *s) => return,
        }
        backoff = (backoff * 2).min(BACKOFF_MAX);
    }
}

/// Read one open feed until it ends, sending its changes.
async fn follow(
    client: &Client,
    response: reqwest::Response,
    last: &mut Option<i64>,
    tx: &mpsc::Sender<FeedMsg>,
    stopped: &mut watch::Receiver<bool>,
) -> Ended {
    let mut body = response.bytes_stream();
    let mut parser = SseParser::new();
    loop {
        let chunk = tokio::select! {
            chunk = body.next() => chunk,
            _ = tx.closed() => return Ended::Stop,
            _ = stopped.wait_for(|s| *s) => return Ended::Stop,
        };
        let bytes = match chunk {
            None => return Ended::Lost("the server closed the change feed".to_string()),
            Some(Err(e)) => return Ended::Lost(offline(client.base(), &e).to_string()),
            Some(Ok(bytes)) => bytes,
        };
        let events = match parser.push(&bytes) {
            Ok(events) => events,
            Err(e) => return Ended::Lost(e),
        };
        for event in events {
            if event.event != "record" {
                continue;
            }
            let Some(change) = serde_json::from_str(&event.data)
                .ok()
                .and_then(|v| serde_json::from_value::<Change>(clean_value(v)).ok())
            else {
                tracing::warn!("change feed: an event that is not a change was skipped");
                continue;
            };
            // Resume after the event's id (the sequence); the data carries it too.
            *last = Some(
                event
                    .id
                    .as_deref()
                    .and_then(|id| id.parse::<i64>().ok())
                    .unwrap_or(change.seq),
            );
            if tx.send(FeedMsg::Change(change)).await.is_err() {
                return Ended::Stop;
            }
        }
    }
}

/// One dispatched Server-Sent Event.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SseEvent {
    /// The event's `id:`, if it had one.
    pub id: Option<String>,
    /// The `event:` type; `message` when absent.
    pub event: String,
    /// The `data:` lines joined with newlines.
    pub data: String,
}

/// An incremental Server-Sent Events parser (the WHATWG event-stream format): bytes go in
/// as they arrive, split anywhere, and complete events come out.
#[derive(Debug, Default)]
pub struct SseParser {
    line: Vec<u8>,
    /// The previous chunk ended in `\r`: a `\n` that starts the next one belongs to it.
    after_cr: bool,
    id: Option<String>,
    event: Option<String>,
    data: String,
    has_data: bool,
    /// The first line has been read (a byte-order mark before it is skipped).
    past_first_line: bool,
}

impl SseParser {
    pub fn new() -> SseParser {
        SseParser::default()
    }

    /// Feed `bytes`; the events they complete, in order. A line longer than [`MAX_LINE`]
    /// is an error.
    pub fn push(&mut self, bytes: &[u8]) -> Result<Vec<SseEvent>, String> {
        let mut out = Vec::new();
        for &b in bytes {
            if self.after_cr {
                self.after_cr = false;
                if b == b'\n' {
                    continue;
                }
            }
            match b {
                b'\n' | b'\r' => {
                    self.after_cr = b == b'\r';
                    let line = std::mem::take(&mut self.line);
                    if let Some(event) = self.line_done(&line) {
                        out.push(event);
                    }
                }
                _ => {
                    if self.line.len() >= MAX_LINE {
                        return Err(format!(
                            "the change feed sent a line longer than {MAX_LINE} bytes"
                        ));
                    }
                    self.line.push(b);
                }
            }
        }
        Ok(out)
    }

    fn line_done(&mut self, mut line: &[u8]) -> Option<SseEvent> {
        if !std::mem::replace(&mut self.past_first_line, true) {
            line = line.strip_prefix("\u{feff}".as_bytes()).unwrap_or(line);
        }
        if line.is_empty() {
            return self.dispatch();
        }
        if line.starts_with(b":") {
            return None;
        }
        let line = String::from_utf8_lossy(line);
        let (field, value) = match line.split_once(':') {
            Some((field, value)) => (field, value.strip_prefix(' ').unwrap_or(value)),
            None => (line.as_ref(), ""),
        };
        match field {
            "event" => self.event = Some(value.to_string()),
            "data" => {
                if self.has_data {
                    self.data.push('\n');
                }
                self.data.push_str(value);
                self.has_data = true;
            }
            "id" if !value.contains('\0') => self.id = Some(value.to_string()),
            _ => {}
        }
        None
    }

    fn dispatch(&mut self) -> Option<SseEvent> {
        let event = self.event.take();
        let data = std::mem::take(&mut self.data);
        if !std::mem::replace(&mut self.has_data, false) {
            return None;
        }
        Some(SseEvent {
            // The id persists across events until another one is given.
            id: self.id.clone(),
            event: event.unwrap_or_else(|| "message".to_string()),
            data,
        })
    }
}
