//! `cims serve` as a child process: started with given arguments and environment, its
//! address read from its start-up log line, every line it logs kept for the test to read.

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::thread::JoinHandle;
use std::time::Duration;

/// How long the server may take to say where it listens.
const STARTUP: Duration = Duration::from_secs(30);

/// A running `cims serve`.
pub struct ServeProcess {
    child: Child,
    /// Where it listens, as it logged it (e.g. `0.0.0.0:41234`).
    pub address: String,
    /// Its port.
    pub port: u16,
    lines: mpsc::Receiver<String>,
    seen: Vec<String>,
    reader: Option<JoinHandle<()>>,
}

impl ServeProcess {
    /// Start `cims serve ARGS` with `env` added, and wait until it logs that it is serving.
    pub fn start(args: &[&str], env: &[(&str, &str)]) -> ServeProcess {
        let mut child = Command::new(env!("CARGO_BIN_EXE_cims"))
            .arg("serve")
            .args(args)
            .env_remove("RUST_LOG")
            .envs(env.iter().copied())
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .expect("start cims serve");
        let stderr = child.stderr.take().expect("piped stderr");
        let (tx, lines) = mpsc::channel();
        let reader = std::thread::spawn(move || {
            for line in BufReader::new(stderr).lines() {
                let Ok(line) = line else { return };
                if tx.send(line).is_err() {
                    return;
                }
            }
        });
        let mut seen = Vec::new();
        let address = loop {
            match lines.recv_timeout(STARTUP) {
                Ok(line) => {
                    let address = line
                        .contains("cims serving")
                        .then(|| field(&line, "address"))
                        .flatten();
                    seen.push(line);
                    if let Some(address) = address {
                        break address;
                    }
                }
                Err(_) => {
                    let _ = child.kill();
                    panic!(
                        "cims serve did not start within {STARTUP:?}: {}",
                        seen.join("\n")
                    );
                }
            }
        };
        let port = address
            .rsplit_once(':')
            .and_then(|(_, port)| port.parse().ok())
            .unwrap_or_else(|| panic!("no port in {address:?}"));
        ServeProcess {
            child,
            address,
            port,
            lines,
            seen,
            reader: Some(reader),
        }
    }

    /// Kill it with SIGKILL, as a crash would: nothing is flushed or finished.
    pub fn kill(mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }

    /// What it has logged so far.
    pub fn lines(&mut self) -> &[String] {
        while let Ok(line) = self.lines.try_recv() {
            self.seen.push(line);
        }
        &self.seen
    }

    /// Stop it with SIGTERM, as an operator would; every line it logged.
    pub fn stop(mut self) -> Vec<String> {
        let stopped = Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status()
            .is_ok_and(|s| s.success());
        if !stopped {
            let _ = self.child.kill();
        }
        let _ = self.child.wait();
        if let Some(reader) = self.reader.take() {
            let _ = reader.join();
        }
        self.lines();
        std::mem::take(&mut self.seen)
    }
}

impl Drop for ServeProcess {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The value of `name=` in a log line, up to the next space, without quotes.
fn field(line: &str, name: &str) -> Option<String> {
    let start = line.find(&format!("{name}="))? + name.len() + 1;
    let value = line[start..].split_whitespace().next()?;
    Some(value.trim_matches('"').to_string())
}
