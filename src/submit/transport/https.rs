//! The https transport: the submission as JSON in one POST to the recipient's API, which
//! answers at once with a reference or its reasons.

use std::fmt;
use std::net::IpAddr;
use std::ops::RangeInclusive;
use std::path::{Path, PathBuf};
use std::time::Duration;

use reqwest::header::ACCEPT;
use reqwest::{StatusCode, Url};
use serde::Deserialize;
use serde_json::Value;

use super::answer::{self, reasons};
use super::{Answer, Envelope, Failed, MAX_ANSWER_BYTES, Outgoing};
use crate::client::api::innermost_cause;

pub const DEFAULT_TIMEOUT_SECONDS: u64 = 30;
pub const TIMEOUT_SECONDS: RangeInclusive<u64> = 1..=300;

/// Waiting longer than this for a connection helps no one: the next try comes anyway.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);

const IDEMPOTENCY_KEY: &str = "Idempotency-Key";

/// An https recipient as configured: its address, how cims proves who it is (a bearer token,
/// a client certificate or both), which certificate authority to trust, and how long to
/// wait for an answer.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HttpsConfig {
    pub endpoint: String,
    /// A file holding the bearer token (surrounding whitespace is ignored).
    #[serde(default)]
    pub token_file: Option<PathBuf>,
    /// A PEM file holding the client certificate chain and its private key.
    #[serde(default)]
    pub client_certificate: Option<PathBuf>,
    /// A PEM file of the certificate authorities that sign the recipient's certificate;
    /// when given, only these are trusted, not the system's.
    #[serde(default)]
    pub ca_file: Option<PathBuf>,
    #[serde(default = "default_timeout_seconds")]
    pub timeout_seconds: u64,
}

fn default_timeout_seconds() -> u64 {
    DEFAULT_TIMEOUT_SECONDS
}

impl HttpsConfig {
    /// What can be checked without reading a file; the endpoint as an address.
    pub fn check(&self) -> Result<Url, String> {
        if !TIMEOUT_SECONDS.contains(&self.timeout_seconds) {
            return Err(format!(
                "timeout_seconds: {} is outside {} to {}",
                self.timeout_seconds,
                TIMEOUT_SECONDS.start(),
                TIMEOUT_SECONDS.end()
            ));
        }
        if self.token_file.is_none() && self.client_certificate.is_none() {
            return Err(
                "give token_file, client_certificate or both: cims must prove who it is".into(),
            );
        }
        endpoint(&self.endpoint)
    }

    /// Read the files and set up the connection; errors name the file and what is wrong.
    pub fn build(&self) -> Result<Https, String> {
        let endpoint = self.check()?;
        let token = self.token_file.as_deref().map(read_token).transpose()?;
        crate::tls::install_default_provider();
        let timeout = Duration::from_secs(self.timeout_seconds);
        let mut builder = reqwest::Client::builder()
            .timeout(timeout)
            .connect_timeout(timeout.min(CONNECT_TIMEOUT))
            // A redirected POST turns into a GET that delivers nothing: say so instead.
            .redirect(reqwest::redirect::Policy::none())
            .user_agent(concat!("cims/", env!("CARGO_PKG_VERSION")));
        if let Some(path) = &self.ca_file {
            builder = builder.tls_certs_only(read_authorities(path)?);
        }
        if let Some(path) = &self.client_certificate {
            builder = builder.identity(read_identity(path)?);
        }
        let client = builder
            .build()
            .map_err(|e| format!("cannot set up the HTTPS client: {}", innermost_cause(&e)))?;
        Ok(Https {
            client,
            shown: shown(&endpoint),
            endpoint,
            token: token.map(Token),
            timeout,
        })
    }
}

/// The endpoint as an address: https, or plain http to a receiver on this machine.
fn endpoint(text: &str) -> Result<Url, String> {
    let url = Url::parse(text.trim()).map_err(|e| format!("endpoint {text:?}: {e}"))?;
    if !url.username().is_empty() || url.password().is_some() {
        return Err("endpoint: the address holds credentials; use token_file".into());
    }
    if url.fragment().is_some() {
        return Err(format!("endpoint {text:?}: remove the #fragment"));
    }
    match url.scheme() {
        "https" => Ok(url),
        "http" if is_loopback(&url) => Ok(url),
        "http" => Err(format!(
            "endpoint {text:?}: plain http only reaches this machine (127.0.0.1, ::1, \
             localhost); use https"
        )),
        other => Err(format!(
            "endpoint {text:?}: the scheme {other:?} is neither https nor http"
        )),
    }
}

fn is_loopback(url: &Url) -> bool {
    // The parsed address has its name in lower case and an IPv6 host in brackets.
    match url.host_str() {
        Some("localhost") => true,
        Some(host) => host
            .trim_start_matches('[')
            .trim_end_matches(']')
            .parse::<IpAddr>()
            .is_ok_and(|ip| ip.is_loopback()),
        None => false,
    }
}

/// The endpoint as shown in messages: no query, which may carry something private.
fn shown(url: &Url) -> String {
    let mut shown = url.clone();
    shown.set_query(None);
    shown.to_string()
}

fn read_token(path: &Path) -> Result<String, String> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| format!("token_file {}: cannot be read: {e}", path.display()))?;
    let token = text.trim();
    if token.is_empty() {
        return Err(format!("token_file {} is empty", path.display()));
    }
    if !token.bytes().all(|b| b.is_ascii_graphic()) {
        return Err(format!(
            "token_file {}: a token is visible ASCII characters only",
            path.display()
        ));
    }
    Ok(token.to_string())
}

fn read_authorities(path: &Path) -> Result<Vec<reqwest::Certificate>, String> {
    let pem = std::fs::read(path)
        .map_err(|e| format!("ca_file {}: cannot be read: {e}", path.display()))?;
    let authorities = reqwest::Certificate::from_pem_bundle(&pem)
        .map_err(|e| format!("ca_file {}: {}", path.display(), innermost_cause(&e)))?;
    if authorities.is_empty() {
        return Err(format!(
            "ca_file {} holds no PEM certificate (-----BEGIN CERTIFICATE-----)",
            path.display()
        ));
    }
    Ok(authorities)
}

fn read_identity(path: &Path) -> Result<reqwest::Identity, String> {
    let pem = std::fs::read(path)
        .map_err(|e| format!("client_certificate {}: cannot be read: {e}", path.display()))?;
    reqwest::Identity::from_pem(&pem).map_err(|e| {
        format!(
            "client_certificate {}: {} (the file holds the certificate chain and its private \
             key, in PEM)",
            path.display(),
            innermost_cause(&e)
        )
    })
}

/// A bearer token: never shown.
#[derive(Clone)]
struct Token(String);

/// One https recipient, ready to send to.
#[derive(Clone)]
pub struct Https {
    client: reqwest::Client,
    endpoint: Url,
    shown: String,
    token: Option<Token>,
    timeout: Duration,
}

impl fmt::Debug for Https {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Https")
            .field("endpoint", &self.shown)
            .field("token", &self.token.as_ref().map(|_| "hidden"))
            .field("timeout", &self.timeout)
            .finish_non_exhaustive()
    }
}

impl Https {
    /// Where submissions go, as shown to people.
    pub fn endpoint(&self) -> &str {
        &self.shown
    }

    pub(super) async fn send(&self, out: &Outgoing<'_>) -> Result<Answer, Failed> {
        let mut request = self
            .client
            .post(self.endpoint.clone())
            .header(IDEMPOTENCY_KEY, out.key)
            .header(ACCEPT, "application/json")
            .json(&Envelope::of(out));
        if let Some(Token(token)) = &self.token {
            request = request.bearer_auth(token);
        }
        let response = request.send().await.map_err(|e| self.broken(&e))?;
        let status = response.status();
        let body = self.read_body(response).await?;
        classify(status, &body).map_err(|problem| Failed(format!("{}: {problem}", self.shown)))
    }

    async fn read_body(&self, mut response: reqwest::Response) -> Result<Vec<u8>, Failed> {
        let too_large = || {
            Failed(format!(
                "{}: the answer is larger than {} KiB",
                self.shown,
                MAX_ANSWER_BYTES / 1024
            ))
        };
        if response
            .content_length()
            .is_some_and(|length| length > MAX_ANSWER_BYTES as u64)
        {
            return Err(too_large());
        }
        let mut body = Vec::new();
        while let Some(chunk) = response.chunk().await.map_err(|e| self.broken(&e))? {
            if body.len() + chunk.len() > MAX_ANSWER_BYTES {
                return Err(too_large());
            }
            body.extend_from_slice(&chunk);
        }
        Ok(body)
    }

    /// No answer: the exchange timed out, never began or broke off.
    fn broken(&self, error: &reqwest::Error) -> Failed {
        let problem = if error.is_timeout() && error.is_connect() {
            format!(
                "no connection within {} s",
                self.timeout.min(CONNECT_TIMEOUT).as_secs()
            )
        } else if error.is_timeout() {
            format!("no answer within {} s", self.timeout.as_secs())
        } else if error.is_connect() {
            format!("cannot connect: {}", innermost_cause(error))
        } else {
            format!("the exchange broke off: {}", innermost_cause(error))
        };
        Failed(format!("{}: {problem}", self.shown))
    }
}

/// What an answer means; the error says why it is no answer, to try again later.
fn classify(status: StatusCode, body: &[u8]) -> Result<Answer, String> {
    let json = serde_json::from_slice::<Value>(body).ok();
    let code = status.as_u16();
    match code {
        200..=299 => accepted(json.as_ref())
            .map_err(|why| format!("accepted without a reference (HTTP {code}): {why}")),
        // Sent before under the same key: the first answer again.
        409 => match accepted(json.as_ref()) {
            Ok(answer) => Ok(answer),
            Err(why) => match json.as_ref().map(reasons).filter(|r| !r.is_empty()) {
                Some(reasons) => Ok(Answer::Rejected { reasons }),
                None => Err(format!(
                    "answered HTTP {status} (sent before) without a reference: {why}"
                )),
            },
        },
        400 | 422 => {
            let mut reasons = json.as_ref().map(reasons).unwrap_or_default();
            if reasons.is_empty() {
                reasons.push(format!("rejected (HTTP {code}) without reasons"));
            }
            Ok(Answer::Rejected { reasons })
        }
        _ => Err(format!("answered HTTP {status}{}", hint(status))),
    }
}

fn accepted(json: Option<&Value>) -> Result<Answer, String> {
    let json = json.ok_or("the answer is not JSON")?;
    answer::accepted(json)
}

fn hint(status: StatusCode) -> &'static str {
    match status.as_u16() {
        300..=399 => " (redirects are not followed: is the endpoint right?)",
        401 | 403 => " (are the token and the client certificate right?)",
        404 => " (is the endpoint right?)",
        413 => " (the submission is larger than the recipient takes)",
        _ => "",
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn body(value: Value) -> Vec<u8> {
        serde_json::to_vec(&value).expect("json")
    }

    #[test]
    fn statuses_mean_what_the_recipient_said() {
        let accepted = classify(StatusCode::CREATED, &body(json!({"reference": "D-1"})));
        assert_eq!(
            accepted,
            Ok(Answer::Accepted {
                reference: "D-1".into(),
                received_at: None,
            })
        );
        let again = classify(StatusCode::CONFLICT, &body(json!({"reference": "D-1"})));
        assert_eq!(again, accepted);
        let rejected = classify(
            StatusCode::BAD_REQUEST,
            &body(json!({"reasons": ["no date"]})),
        );
        assert_eq!(
            rejected,
            Ok(Answer::Rejected {
                reasons: vec!["no date".into()]
            })
        );
        let bare = classify(StatusCode::UNPROCESSABLE_ENTITY, b"<html>no</html>");
        assert_eq!(
            bare,
            Ok(Answer::Rejected {
                reasons: vec!["rejected (HTTP 422) without reasons".into()]
            })
        );
        let no_reference = classify(StatusCode::OK, b"{}").expect_err("no reference");
        assert!(no_reference.contains("accepted without a reference (HTTP 200)"));
        let not_json = classify(StatusCode::ACCEPTED, b"ok").expect_err("not json");
        assert!(not_json.contains("not JSON"), "{not_json}");
        let conflict = classify(StatusCode::CONFLICT, b"{}").expect_err("no reference");
        assert!(conflict.contains("409"), "{conflict}");
        for (status, words) in [
            (StatusCode::UNAUTHORIZED, "401 Unauthorized"),
            (StatusCode::FORBIDDEN, "403 Forbidden"),
            (StatusCode::NOT_FOUND, "404 Not Found"),
            (StatusCode::FOUND, "redirects are not followed"),
            (StatusCode::TOO_MANY_REQUESTS, "429 Too Many Requests"),
            (StatusCode::SERVICE_UNAVAILABLE, "503 Service Unavailable"),
        ] {
            let failed = classify(status, &body(json!({"reference": "D-1"}))).expect_err(words);
            assert!(failed.contains(words), "{failed}");
        }
    }

    #[test]
    fn endpoints_are_https_or_loopback_http() {
        for fine in [
            "https://cims-api.example.gov.au/v1/submissions",
            "http://127.0.0.1:8080/in",
            "http://[::1]:9/in",
            "http://localhost/in",
            "http://127.0.0.2/in",
        ] {
            assert!(endpoint(fine).is_ok(), "{fine}");
        }
        for (bad, problem) in [
            (
                "http://cims-api.example.gov.au/v1",
                "plain http only reaches this machine",
            ),
            ("http://10.0.0.1/v1", "plain http only reaches this machine"),
            ("ftp://example.org/", "neither https nor http"),
            ("https://user:pass@example.org/", "credentials"),
            ("https://example.org/#x", "fragment"),
            ("not an address", "endpoint"),
        ] {
            let refused = endpoint(bad).expect_err(bad);
            assert!(refused.contains(problem), "{bad}: {refused}");
            assert!(!refused.contains("pass@"), "{refused}");
        }
    }
}
