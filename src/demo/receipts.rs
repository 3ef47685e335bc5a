//! The demo's recipients (R-SUBMIT-1): the department, the regulator and CCYP, played by a
//! task that reads each submission written to its folder and drops a receipt beside it —
//! accepting most, and rejecting about one in eight with reasons a reviewer might give —
//! so the whole path, from endorsement to a met deadline or a returned record, shows with
//! nothing to install.

use std::path::{Path, PathBuf};
use std::time::Duration;

use serde_json::{Value, json};
use sha2::{Digest, Sha256};
use tokio::sync::watch;

use crate::domain::submissions::Recipient;

/// Reasons a demo recipient gives for sending a report back.
const REASONS: &[&[&str]] = &[
    &["The impact rating is not explained: say why it is major or non-major."],
    &[
        "The client's date of birth is missing.",
        "The location of the incident is not given.",
    ],
    &["The description does not say what was done to keep the client safe."],
];

/// The folder each recipient's submissions are written to under `home`.
pub fn folder(home: &Path, recipient: Recipient) -> PathBuf {
    home.join("submissions").join(recipient.as_str())
}

/// A receipt for the submission `key`: a reference, or (one in eight) reasons.
fn receipt(recipient: Recipient, key: &str) -> Value {
    let digest = Sha256::digest(key.as_bytes());
    let n = u32::from_le_bytes([digest[0], digest[1], digest[2], digest[3]]);
    if n % 8 == 0 {
        let reasons = REASONS[(n as usize / 8) % REASONS.len()];
        json!({ "reasons": reasons })
    } else {
        let prefix = match recipient {
            Recipient::Department => "CIMS",
            Recipient::Regulator => "SSR",
            Recipient::Ccyp => "CCYP",
        };
        json!({ "reference": format!("{prefix}-{:06}", n % 1_000_000) })
    }
}

/// Answer every submission in the folders that has no receipt yet.
fn answer_all(home: &Path) {
    for recipient in Recipient::ALL {
        let dir = folder(home, recipient);
        let Ok(entries) = std::fs::read_dir(&dir) else {
            continue;
        };
        for entry in entries.flatten() {
            let name = entry.file_name().to_string_lossy().into_owned();
            let Some(key) = name.strip_suffix(".json") else {
                continue;
            };
            if key.ends_with(".receipt") || key.starts_with('.') {
                continue;
            }
            let path = dir.join(format!("{key}.receipt.json"));
            if !path.exists()
                && let Ok(text) = serde_json::to_string_pretty(&receipt(recipient, key))
                && let Err(e) = std::fs::write(&path, text)
            {
                tracing::warn!(path = %path.display(), error = %e, "demo: could not write a receipt");
            }
        }
    }
}

/// Answer submissions under `home` every `every` until `stop` turns true.
pub async fn simulate(home: PathBuf, every: Duration, mut stop: watch::Receiver<bool>) {
    loop {
        let dir = home.clone();
        let _ = tokio::task::spawn_blocking(move || answer_all(&dir)).await;
        tokio::select! {
            _ = tokio::time::sleep(every) => {}
            _ = stop.changed() => return,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn most_are_accepted_and_some_rejected_with_reasons() {
        let answers: Vec<Value> = (0..400)
            .map(|n| receipt(Recipient::Department, &format!("INC-2026-{n:06}-v12")))
            .collect();
        let rejected = answers
            .iter()
            .filter(|a| a.get("reasons").is_some())
            .count();
        assert!((20..=80).contains(&rejected), "{rejected} of 400 rejected");
        assert!(answers.iter().all(|a| {
            a.get("reference")
                .and_then(Value::as_str)
                .is_some_and(|r| r.starts_with("CIMS-"))
                || a.get("reasons").is_some()
        }));
        assert_eq!(
            receipt(Recipient::Regulator, "k"),
            receipt(Recipient::Regulator, "k")
        );
    }
}
