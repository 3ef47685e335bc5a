//! Transports deliver one submission to its recipient and read the recipient's answer.
//! `https` posts it to the recipient's API and has the answer at once; `directory` (the
//! embedded default) drops a file for something outside cims to carry over, and reads the
//! receipt that is later dropped beside it.

mod answer;
mod config;
mod directory;
mod https;

use std::fmt;

use serde::Serialize;
use serde_json::Value;

use crate::domain::submissions::{Recipient, SubmissionKind};

pub use config::{SubmissionsConfig, TransportConfig};
pub use directory::{Directory, DirectoryConfig};
pub use https::{Https, HttpsConfig};

/// The most of an answer (a response body, a receipt) that is read: more is a failure.
pub const MAX_ANSWER_BYTES: usize = 64 * 1024;

/// The most characters of a submission key; keys name files, so they are kept short and
/// plain.
pub const MAX_KEY_CHARS: usize = 64;

/// One submission to deliver.
#[derive(Debug, Clone, Copy)]
pub struct Outgoing<'a> {
    /// The idempotency key: the same submission is always sent with the same key, so the
    /// recipient can tell a resend from a new submission.
    pub key: &'a str,
    pub recipient: Recipient,
    pub kind: SubmissionKind,
    /// Already masked for the recipient (R-SUBMIT-2).
    pub payload: &'a Value,
}

/// The recipient's answer to a submission.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Answer {
    /// Accepted, under the recipient's reference; `received_at` when the recipient says
    /// when it first received it (a resend after a crash is answered with the first
    /// receipt's time, which is the true submission time).
    Accepted {
        reference: String,
        received_at: Option<chrono::DateTime<chrono::Utc>>,
    },
    /// Refused for these reasons: sending it again will not help.
    Rejected { reasons: Vec<String> },
    /// Handed over; the answer comes later, as a receipt.
    Awaiting,
}

/// Not delivered, or no answer that can be read: try again later. The text says what went
/// wrong, for the operator; it never holds a credential.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Failed(pub String);

impl fmt::Display for Failed {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for Failed {}

/// How submissions reach one recipient.
#[derive(Debug, Clone)]
pub enum Transport {
    Https(Https),
    Directory(Directory),
}

impl Transport {
    /// Deliver `out`. The same key may be sent again (after a crash, a timeout): the
    /// recipient answers it as the first time.
    pub async fn send(&self, out: &Outgoing<'_>) -> Result<Answer, Failed> {
        check_key(out.key)?;
        match self {
            Transport::Https(https) => https.send(out).await,
            Transport::Directory(directory) => directory.send(out).await,
        }
    }

    /// The answer to a submission handed over earlier, if it has come. Over https the
    /// answer comes with the send, so there is never a later one.
    pub async fn receipt(&self, key: &str) -> Result<Option<Answer>, Failed> {
        check_key(key)?;
        match self {
            Transport::Https(_) => Ok(None),
            Transport::Directory(directory) => directory.receipt(key).await,
        }
    }
}

impl fmt::Display for Transport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Transport::Https(https) => write!(f, "https {}", https.endpoint()),
            Transport::Directory(directory) => {
                write!(f, "directory {}", directory.path().display())
            }
        }
    }
}

/// What is sent: the same shape over every transport; a file also says when it was written.
#[derive(Debug, Serialize)]
struct Envelope<'a> {
    submission: &'a str,
    recipient: Recipient,
    kind: SubmissionKind,
    #[serde(skip_serializing_if = "Option::is_none")]
    written_at: Option<String>,
    payload: &'a Value,
}

impl<'a> Envelope<'a> {
    fn of(out: &Outgoing<'a>) -> Envelope<'a> {
        Envelope {
            submission: out.key,
            recipient: out.recipient,
            kind: out.kind,
            written_at: None,
            payload: out.payload,
        }
    }
}

/// A key is used in file names and headers: only ASCII letters, digits and hyphens, so it
/// can never climb out of a directory or split a header.
pub fn check_key(key: &str) -> Result<(), Failed> {
    let plain = key.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-');
    if plain && (1..=MAX_KEY_CHARS).contains(&key.len()) {
        return Ok(());
    }
    let shown: String = key.chars().take(MAX_KEY_CHARS + 1).collect();
    Err(Failed(format!(
        "the submission key {shown:?} cannot be used: 1 to {MAX_KEY_CHARS} ASCII letters, \
         digits and hyphens"
    )))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_plain_and_short() {
        assert!(check_key("0198c3a4-5b6e-7f00-8a1b-2c3d4e5f6a7b").is_ok());
        assert!(check_key(&"a".repeat(MAX_KEY_CHARS)).is_ok());
        for bad in [
            "",
            "../etc/passwd",
            "a/b",
            "a.b",
            "a b",
            "ключ",
            "a\r\nX-Evil: 1",
            &"a".repeat(MAX_KEY_CHARS + 1),
        ] {
            let refused = check_key(bad).expect_err(bad);
            assert!(refused.0.contains("cannot be used"), "{bad}: {refused}");
        }
    }
}
