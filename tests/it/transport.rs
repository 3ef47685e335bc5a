//! Transports (R-SUBMIT): a submission delivered over https to a real receiver on a
//! loopback socket, or written to a directory for something else to carry, and the
//! recipient's answer read back; and the configuration that says which goes where.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use axum::{Json, Router};
use cims::domain::submissions::{Recipient, SubmissionKind};
use cims::submit::transport::{
    Answer, Directory, Failed, Outgoing, SubmissionsConfig, Transport, TransportConfig,
};
use serde_json::{Value, json};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;
use tokio_rustls::rustls;

const KEY: &str = "0198c3a4-5b6e-7f00-8a1b-2c3d4e5f6a7b";
const TOKEN: &str = "s3cret-department-token";

fn payload() -> Value {
    json!({"record": "INC-2025-000042", "impact": "major", "summary": "fall, hospital visit"})
}

fn outgoing<'a>(key: &'a str, payload: &'a Value) -> Outgoing<'a> {
    Outgoing {
        key,
        recipient: Recipient::Department,
        kind: SubmissionKind::IncidentReport,
        payload,
    }
}

// ---------------------------------------------------------------------------------------
// The receiver: an axum server on a loopback port whose answers each test chooses.
// ---------------------------------------------------------------------------------------

#[derive(Debug, Clone, Copy)]
pub(crate) enum Behaviour {
    /// 201 with a reference.
    Accept,
    /// 422 with reasons.
    Reject,
    /// 422 with a body that is not JSON.
    RejectBare,
    /// A reference the first time a key is seen, 409 and the same reference after; both
    /// with the time the key was first received.
    OncePerKey,
    /// As `OncePerKey`, answering this many milliseconds after the submission arrived.
    OncePerKeyAfter(u64),
    /// Waits longer than any client here waits, then accepts.
    Slow,
    /// 200 without a reference.
    NoReference,
    /// 201 with a reference and 100 KiB of padding.
    Huge,
    /// This status with an empty JSON object.
    Status(u16),
}

/// What the receiver was sent.
#[derive(Debug, Clone)]
struct Seen {
    authorization: Option<String>,
    idempotency_key: Option<String>,
    content_type: Option<String>,
    body: Value,
}

#[derive(Clone)]
pub(crate) struct Receiver {
    behaviour: Arc<Mutex<Behaviour>>,
    seen: Arc<Mutex<Vec<Seen>>>,
    /// Each key's reference and when it was first received.
    references: Arc<Mutex<HashMap<String, (String, String)>>>,
}

impl Receiver {
    fn seen(&self) -> Vec<Seen> {
        self.seen.lock().expect("lock").clone()
    }

    /// The idempotency keys of everything sent, in order.
    pub(crate) fn keys(&self) -> Vec<String> {
        self.seen()
            .into_iter()
            .filter_map(|s| s.idempotency_key)
            .collect()
    }

    /// Each key's first arrival, as the receiver told the sender.
    pub(crate) fn first_received(&self) -> HashMap<String, String> {
        self.references
            .lock()
            .expect("lock")
            .iter()
            .map(|(key, (_, at))| (key.clone(), at.clone()))
            .collect()
    }

    /// What each submission carried, in order.
    pub(crate) fn bodies(&self) -> Vec<Value> {
        self.seen().into_iter().map(|s| s.body).collect()
    }

    /// Answer from now on as `behaviour`.
    pub(crate) fn set(&self, behaviour: Behaviour) {
        *self.behaviour.lock().expect("lock") = behaviour;
    }
}

fn header(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get(name)
        .and_then(|v| v.to_str().ok())
        .map(str::to_string)
}

async fn receive(State(receiver): State<Receiver>, headers: HeaderMap, body: Bytes) -> Response {
    let seen = Seen {
        authorization: header(&headers, "authorization"),
        idempotency_key: header(&headers, "idempotency-key"),
        content_type: header(&headers, "content-type"),
        body: serde_json::from_slice(&body).unwrap_or(Value::Null),
    };
    let key = seen.idempotency_key.clone().unwrap_or_default();
    receiver.seen.lock().expect("lock").push(seen);
    let reference = json!({"reference": format!("CIMS-{}", &key[..8.min(key.len())])});
    let behaviour = *receiver.behaviour.lock().expect("lock");
    match behaviour {
        Behaviour::Accept => (StatusCode::CREATED, Json(reference)).into_response(),
        Behaviour::Reject => (
            StatusCode::UNPROCESSABLE_ENTITY,
            Json(json!({"reasons": [" date of birth is missing ", "", "impact not given"]})),
        )
            .into_response(),
        Behaviour::RejectBare => {
            (StatusCode::UNPROCESSABLE_ENTITY, "<h1>Unprocessable</h1>").into_response()
        }
        Behaviour::OncePerKey => once_per_key(&receiver, key),
        Behaviour::OncePerKeyAfter(millis) => {
            let answer = once_per_key(&receiver, key);
            tokio::time::sleep(Duration::from_millis(millis)).await;
            answer
        }
        Behaviour::Slow => {
            tokio::time::sleep(Duration::from_secs(5)).await;
            (StatusCode::CREATED, Json(reference)).into_response()
        }
        Behaviour::NoReference => (StatusCode::OK, Json(json!({"status": "ok"}))).into_response(),
        Behaviour::Huge => (
            StatusCode::CREATED,
            Json(json!({"reference": "CIMS-1", "padding": "x".repeat(100 * 1024)})),
        )
            .into_response(),
        Behaviour::Status(code) => (
            StatusCode::from_u16(code).expect("a status"),
            Json(json!({})),
        )
            .into_response(),
    }
}

/// A reference the first time `key` arrives, 409 and the same one after; both with the
/// time it first arrived.
fn once_per_key(receiver: &Receiver, key: String) -> Response {
    let mut references = receiver.references.lock().expect("lock");
    let count = references.len();
    match references.get(&key) {
        Some((earlier, received_at)) => (
            StatusCode::CONFLICT,
            Json(json!({"reference": earlier, "received_at": received_at})),
        )
            .into_response(),
        None => {
            let fresh = format!("CIMS-{:06}", count + 1);
            let received_at = chrono::Utc::now().to_rfc3339();
            references.insert(key, (fresh.clone(), received_at.clone()));
            (
                StatusCode::CREATED,
                Json(json!({"reference": fresh, "received_at": received_at})),
            )
                .into_response()
        }
    }
}

fn receiver(behaviour: Behaviour) -> (Receiver, Router) {
    let receiver = Receiver {
        behaviour: Arc::new(Mutex::new(behaviour)),
        seen: Arc::default(),
        references: Arc::default(),
    };
    let router = Router::new()
        .route("/v1/submissions", post(receive))
        .with_state(receiver.clone());
    (receiver, router)
}

/// A plain-http receiver on a loopback port: its address for submissions.
pub(crate) async fn serve_http(behaviour: Behaviour) -> (Receiver, String) {
    let (receiver, router) = receiver(behaviour);
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let address = listener.local_addr().expect("address");
    tokio::spawn(async move { axum::serve(listener, router).await });
    (receiver, format!("http://{address}/v1/submissions"))
}

/// A receiver that reads one request, answers it with `answer` as it stands (nothing at
/// all if empty), and closes the connection.
async fn raw_receiver(answer: &'static [u8]) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let address = listener.local_addr().expect("address");
    tokio::spawn(async move {
        let (mut stream, _) = listener.accept().await.expect("accept");
        read_request(&mut stream).await;
        if !answer.is_empty() {
            let _ = stream.write_all(answer).await;
        }
        drop(stream);
    });
    format!("http://{address}/v1/submissions")
}

/// Read a request's head and its body (by its Content-Length).
async fn read_request(stream: &mut tokio::net::TcpStream) -> Vec<u8> {
    let mut request = Vec::new();
    let mut buffer = [0u8; 4096];
    loop {
        let n = stream.read(&mut buffer).await.expect("read");
        if n == 0 {
            return request;
        }
        request.extend_from_slice(&buffer[..n]);
        let text = String::from_utf8_lossy(&request).to_string();
        if let Some(end) = text.find("\r\n\r\n") {
            let length = text[..end]
                .lines()
                .find_map(|line| {
                    let (name, value) = line.split_once(':')?;
                    name.eq_ignore_ascii_case("content-length")
                        .then(|| value.trim().parse::<usize>().ok())?
                })
                .unwrap_or(0);
            if request.len() >= end + 4 + length {
                return request;
            }
        }
    }
}

/// The department's transport to `endpoint`, with the test token and `more` settings.
pub(crate) fn https_transport(dir: &Path, endpoint: &str, more: &str) -> Transport {
    let token_file = dir.join("department-token");
    std::fs::write(&token_file, format!("  {TOKEN}\n")).expect("write the token");
    let text = format!(
        "[submissions.department]\ntransport = \"https\"\nendpoint = \"{endpoint}\"\n\
         token_file = {token_file:?}\n{more}\n"
    );
    let config = SubmissionsConfig::parse(&text).expect("the configuration reads");
    config
        .transport(Recipient::Department, dir)
        .expect("the transport builds")
}

async fn send(transport: &Transport, key: &str) -> Result<Answer, Failed> {
    let payload = payload();
    transport.send(&outgoing(key, &payload)).await
}

fn failed(result: Result<Answer, Failed>) -> String {
    match result {
        Err(Failed(text)) => {
            assert!(!text.contains(TOKEN), "the token in {text}");
            text
        }
        Ok(answer) => panic!("expected a failure, got {answer:?}"),
    }
}

// ---------------------------------------------------------------------------------------
// https
// ---------------------------------------------------------------------------------------

#[tokio::test]
async fn an_accepted_submission_brings_its_reference_r_submit_1() {
    let dir = tempfile::tempdir().expect("temporary directory");
    let (_receiver, endpoint) = serve_http(Behaviour::Accept).await;
    let transport = https_transport(dir.path(), &endpoint, "");
    let answer = send(&transport, KEY).await.expect("delivered");
    assert_eq!(
        answer,
        Answer::Accepted {
            reference: "CIMS-0198c3a4".into(),
            received_at: None,
        }
    );
    assert_eq!(
        transport.receipt(KEY).await.expect("no receipt over https"),
        None
    );
}

#[tokio::test]
async fn the_receiver_gets_the_token_the_key_and_the_submission_r_submit_1() {
    let dir = tempfile::tempdir().expect("temporary directory");
    let (receiver, endpoint) = serve_http(Behaviour::Accept).await;
    let transport = https_transport(dir.path(), &endpoint, "");
    send(&transport, KEY).await.expect("delivered");
    let seen = receiver.seen();
    assert_eq!(seen.len(), 1, "one request");
    let request = &seen[0];
    assert_eq!(
        request.authorization.as_deref(),
        Some(format!("Bearer {TOKEN}").as_str()),
        "the token is read from its file, trimmed"
    );
    assert_eq!(request.idempotency_key.as_deref(), Some(KEY));
    assert!(
        request
            .content_type
            .as_deref()
            .is_some_and(|t| t.starts_with("application/json")),
        "{:?}",
        request.content_type
    );
    assert_eq!(
        request.body,
        json!({
            "submission": KEY,
            "recipient": "department",
            "kind": "incident_report",
            "payload": payload(),
        })
    );
}

#[tokio::test]
async fn a_rejection_brings_its_reasons_r_submit_1() {
    let dir = tempfile::tempdir().expect("temporary directory");
    let (_receiver, endpoint) = serve_http(Behaviour::Reject).await;
    let transport = https_transport(dir.path(), &endpoint, "");
    assert_eq!(
        send(&transport, KEY).await.expect("answered"),
        Answer::Rejected {
            reasons: vec!["date of birth is missing".into(), "impact not given".into()]
        }
    );
}

#[tokio::test]
async fn a_rejection_without_readable_reasons_says_so_r_submit_1() {
    let dir = tempfile::tempdir().expect("temporary directory");
    let (_receiver, endpoint) = serve_http(Behaviour::RejectBare).await;
    let transport = https_transport(dir.path(), &endpoint, "");
    assert_eq!(
        send(&transport, KEY).await.expect("answered"),
        Answer::Rejected {
            reasons: vec!["rejected (HTTP 422) without reasons".into()]
        }
    );
}

#[tokio::test]
async fn the_same_key_sent_again_is_answered_with_the_same_reference_r_submit_1() {
    let dir = tempfile::tempdir().expect("temporary directory");
    let (receiver, endpoint) = serve_http(Behaviour::OncePerKey).await;
    let transport = https_transport(dir.path(), &endpoint, "");
    let first = send(&transport, KEY).await.expect("delivered");
    let again = send(&transport, KEY).await.expect("delivered again");
    let other = send(&transport, "0198c3a4-0000-7000-8000-000000000001")
        .await
        .expect("another submission");
    let reference_of = |answer: &Answer| match answer {
        Answer::Accepted {
            reference,
            received_at,
        } => {
            assert!(received_at.is_some(), "the receipt's time is read");
            reference.clone()
        }
        other => panic!("accepted: {other:?}"),
    };
    assert_eq!(reference_of(&first), "CIMS-000001");
    assert_eq!(
        again, first,
        "409 with the first reference and the first receipt's time is accepted"
    );
    assert_eq!(reference_of(&other), "CIMS-000002");
    let keys: Vec<_> = receiver
        .seen()
        .into_iter()
        .map(|s| s.idempotency_key)
        .collect();
    assert_eq!(keys[0], keys[1], "the resend carries the same key");
    assert_ne!(keys[1], keys[2]);
}

#[tokio::test]
async fn no_answer_within_the_timeout_is_a_failure_to_try_again_r_submit_1() {
    let dir = tempfile::tempdir().expect("temporary directory");
    let (_receiver, endpoint) = serve_http(Behaviour::Slow).await;
    let transport = https_transport(dir.path(), &endpoint, "timeout_seconds = 1");
    let started = Instant::now();
    let text = failed(send(&transport, KEY).await);
    assert!(
        started.elapsed() < Duration::from_secs(4),
        "{:?}",
        started.elapsed()
    );
    assert!(text.contains("no answer within 1 s"), "{text}");
    assert!(text.contains(&endpoint), "{text}");
}

#[tokio::test]
async fn server_errors_are_failures_that_name_the_status_r_submit_1() {
    for (code, words) in [
        (500, "HTTP 500 Internal Server Error"),
        (503, "HTTP 503 Service Unavailable"),
        (401, "HTTP 401 Unauthorized"),
        (403, "HTTP 403 Forbidden"),
        (404, "HTTP 404 Not Found"),
        (408, "HTTP 408 Request Timeout"),
        (413, "HTTP 413 Payload Too Large"),
        (429, "HTTP 429 Too Many Requests"),
    ] {
        let dir = tempfile::tempdir().expect("temporary directory");
        let (_receiver, endpoint) = serve_http(Behaviour::Status(code)).await;
        let transport = https_transport(dir.path(), &endpoint, "");
        let text = failed(send(&transport, KEY).await);
        assert!(text.contains(words), "{code}: {text}");
    }
}

#[tokio::test]
async fn acceptance_without_a_reference_is_a_failure_r_submit_1() {
    let dir = tempfile::tempdir().expect("temporary directory");
    let (_receiver, endpoint) = serve_http(Behaviour::NoReference).await;
    let transport = https_transport(dir.path(), &endpoint, "");
    let text = failed(send(&transport, KEY).await);
    assert!(text.contains("accepted without a reference"), "{text}");
    assert!(text.contains("HTTP 200"), "{text}");
}

#[tokio::test]
async fn an_answer_larger_than_64_kib_is_a_failure_r_submit_1() {
    let dir = tempfile::tempdir().expect("temporary directory");
    let (_receiver, endpoint) = serve_http(Behaviour::Huge).await;
    let transport = https_transport(dir.path(), &endpoint, "");
    let text = failed(send(&transport, KEY).await);
    assert!(text.contains("larger than 64 KiB"), "{text}");

    // Without a length given up front, the cap holds as the answer arrives.
    let mut chunked = String::from(
        "HTTP/1.1 201 Created\r\ncontent-type: application/json\r\n\
         transfer-encoding: chunked\r\nconnection: close\r\n\r\n",
    );
    for _ in 0..80 {
        chunked.push_str(&format!("400\r\n{}\r\n", " ".repeat(0x400)));
    }
    chunked.push_str("0\r\n\r\n");
    let endpoint = raw_receiver(chunked.leak().as_bytes()).await;
    let transport = https_transport(dir.path(), &endpoint, "");
    let text = failed(send(&transport, KEY).await);
    assert!(text.contains("larger than 64 KiB"), "{text}");
}

#[tokio::test]
async fn a_connection_dropped_without_an_answer_is_a_failure_r_submit_1() {
    let dir = tempfile::tempdir().expect("temporary directory");
    let endpoint = raw_receiver(b"").await;
    let transport = https_transport(dir.path(), &endpoint, "");
    let text = failed(send(&transport, KEY).await);
    assert!(text.contains("broke off"), "{text}");
    assert!(text.contains(&endpoint), "{text}");
}

#[tokio::test]
async fn a_receiver_that_is_not_there_is_a_failure_r_submit_1() {
    let dir = tempfile::tempdir().expect("temporary directory");
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let address = listener.local_addr().expect("address");
    drop(listener);
    let endpoint = format!("http://{address}/v1/submissions");
    let transport = https_transport(dir.path(), &endpoint, "");
    let text = failed(send(&transport, KEY).await);
    assert!(text.contains("cannot connect"), "{text}");
}

#[tokio::test]
async fn a_key_that_is_not_plain_is_never_sent_r_submit_1() {
    let dir = tempfile::tempdir().expect("temporary directory");
    let (receiver, endpoint) = serve_http(Behaviour::Accept).await;
    let transport = https_transport(dir.path(), &endpoint, "");
    for key in ["", "a\r\nX-Injected: 1", "../../x", &"k".repeat(65)] {
        let text = failed(send(&transport, key).await);
        assert!(text.contains("cannot be used"), "{text}");
    }
    assert!(receiver.seen().is_empty(), "nothing reached the receiver");
}

// ---------------------------------------------------------------------------------------
// https with TLS: a private certificate authority and a client certificate
// ---------------------------------------------------------------------------------------

struct Authority {
    pem: String,
    issuer: rcgen::Issuer<'static, rcgen::KeyPair>,
}

fn authority(name: &str) -> Authority {
    let mut params = rcgen::CertificateParams::new(Vec::new()).expect("parameters");
    params.is_ca = rcgen::IsCa::Ca(rcgen::BasicConstraints::Unconstrained);
    params
        .distinguished_name
        .push(rcgen::DnType::CommonName, name);
    params.key_usages = vec![
        rcgen::KeyUsagePurpose::KeyCertSign,
        rcgen::KeyUsagePurpose::DigitalSignature,
    ];
    let key = rcgen::KeyPair::generate().expect("key");
    let cert = params.self_signed(&key).expect("self-signed");
    Authority {
        pem: cert.pem(),
        issuer: rcgen::Issuer::new(params, key),
    }
}

/// A certificate signed by `authority`, and its key, both as PEM.
fn signed(
    authority: &Authority,
    names: &[&str],
    usage: rcgen::ExtendedKeyUsagePurpose,
) -> (String, String) {
    let mut params =
        rcgen::CertificateParams::new(names.iter().map(|n| n.to_string()).collect::<Vec<_>>())
            .expect("parameters");
    params
        .distinguished_name
        .push(rcgen::DnType::CommonName, names[0]);
    params.extended_key_usages = vec![usage];
    params.use_authority_key_identifier_extension = true;
    let key = rcgen::KeyPair::generate().expect("key");
    let cert = params.signed_by(&key, &authority.issuer).expect("signed");
    (cert.pem(), key.serialize_pem())
}

/// An https receiver on a loopback port whose certificate `authority` signed and which
/// takes only clients with a certificate that `clients` signed.
async fn serve_https(
    authority: &Authority,
    clients: &Authority,
    behaviour: Behaviour,
) -> (Receiver, String) {
    use rustls::pki_types::pem::PemObject;
    use rustls::pki_types::{CertificateDer, PrivateKeyDer};

    let (cert, key) = signed(
        authority,
        &["127.0.0.1"],
        rcgen::ExtendedKeyUsagePurpose::ServerAuth,
    );
    let chain = vec![CertificateDer::from_pem_slice(cert.as_bytes()).expect("certificate")];
    let key = PrivateKeyDer::from_pem_slice(key.as_bytes()).expect("key");
    let mut roots = rustls::RootCertStore::empty();
    roots
        .add(CertificateDer::from_pem_slice(clients.pem.as_bytes()).expect("client authority"))
        .expect("a root");
    let provider = cims::tls::crypto_provider();
    let verifier = rustls::server::WebPkiClientVerifier::builder_with_provider(
        Arc::new(roots),
        provider.clone(),
    )
    .build()
    .expect("client verifier");
    let mut config = rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .expect("versions")
        .with_client_cert_verifier(verifier)
        .with_single_cert(chain, key)
        .expect("server certificate");
    config.alpn_protocols = vec![b"http/1.1".to_vec()];

    let (receiver, router) = receiver(behaviour);
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let address: SocketAddr = listener.local_addr().expect("address");
    let tls = cims::server::tls::TlsListener::new(listener, Arc::new(config)).expect("listen");
    tokio::spawn(async move { axum::serve(tls, router).await });
    (receiver, format!("https://{address}/v1/submissions"))
}

fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, text).expect("write");
    path
}

#[tokio::test]
async fn over_tls_a_private_authority_and_a_client_certificate_are_used_r_submit_1() {
    let dir = tempfile::tempdir().expect("temporary directory");
    let ca = authority("test-only private authority");
    let (receiver, endpoint) = serve_https(&ca, &ca, Behaviour::Accept).await;
    let (client_cert, client_key) = signed(
        &ca,
        &["cims.test-only"],
        rcgen::ExtendedKeyUsagePurpose::ClientAuth,
    );
    let ca_file = write(dir.path(), "ca.pem", &ca.pem);
    let identity = write(
        dir.path(),
        "client.pem",
        &format!("{client_cert}{client_key}"),
    );
    let transport = https_transport(
        dir.path(),
        &endpoint,
        &format!("ca_file = {ca_file:?}\nclient_certificate = {identity:?}"),
    );
    assert_eq!(
        send(&transport, KEY).await.expect("delivered over TLS"),
        Answer::Accepted {
            reference: "CIMS-0198c3a4".into(),
            received_at: None,
        }
    );
    assert_eq!(receiver.seen().len(), 1);
}

#[tokio::test]
async fn over_tls_an_untrusted_server_is_never_sent_to_r_submit_1() {
    let dir = tempfile::tempdir().expect("temporary directory");
    let ca = authority("test-only private authority");
    let stranger = authority("test-only other authority");
    let (receiver, endpoint) = serve_https(&stranger, &ca, Behaviour::Accept).await;
    let (client_cert, client_key) = signed(
        &ca,
        &["cims.test-only"],
        rcgen::ExtendedKeyUsagePurpose::ClientAuth,
    );
    let ca_file = write(dir.path(), "ca.pem", &ca.pem);
    let identity = write(
        dir.path(),
        "client.pem",
        &format!("{client_cert}{client_key}"),
    );
    let transport = https_transport(
        dir.path(),
        &endpoint,
        &format!("ca_file = {ca_file:?}\nclient_certificate = {identity:?}"),
    );
    let text = failed(send(&transport, KEY).await);
    assert!(text.contains("cannot connect"), "{text}");
    assert!(text.to_lowercase().contains("certificate"), "{text}");
    assert!(receiver.seen().is_empty());
}

#[tokio::test]
async fn over_tls_a_server_that_requires_a_client_certificate_refuses_one_without_r_submit_1() {
    let dir = tempfile::tempdir().expect("temporary directory");
    let ca = authority("test-only private authority");
    let (receiver, endpoint) = serve_https(&ca, &ca, Behaviour::Accept).await;
    let ca_file = write(dir.path(), "ca.pem", &ca.pem);
    let transport = https_transport(dir.path(), &endpoint, &format!("ca_file = {ca_file:?}"));
    failed(send(&transport, KEY).await);
    assert!(receiver.seen().is_empty());
}

// ---------------------------------------------------------------------------------------
// directory
// ---------------------------------------------------------------------------------------

fn read_json(path: &Path) -> Value {
    serde_json::from_slice(&std::fs::read(path).expect("read")).expect("JSON")
}

fn names_in(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .expect("list")
        .map(|entry| {
            entry
                .expect("entry")
                .file_name()
                .to_string_lossy()
                .into_owned()
        })
        .collect();
    names.sort();
    names
}

#[tokio::test]
async fn a_submission_is_written_as_a_file_and_awaits_its_receipt_r_submit_3() {
    let dir = tempfile::tempdir().expect("temporary directory");
    let inbox = dir.path().join("not").join("there").join("yet");
    let transport = Transport::Directory(Directory::new(&inbox));
    let payload = payload();
    let out = Outgoing {
        key: KEY,
        recipient: Recipient::Regulator,
        kind: SubmissionKind::SsrShortForm,
        payload: &payload,
    };
    assert_eq!(
        transport.send(&out).await.expect("written"),
        Answer::Awaiting
    );
    let file = inbox.join(format!("{KEY}.json"));
    let written = read_json(&file);
    assert_eq!(written["submission"], KEY);
    assert_eq!(written["recipient"], "regulator");
    assert_eq!(written["kind"], "ssr_short_form");
    assert_eq!(written["payload"], payload);
    let at = written["written_at"].as_str().expect("written_at");
    chrono::DateTime::parse_from_rfc3339(at).expect("RFC 3339");
    let text = std::fs::read_to_string(&file).expect("read");
    assert!(text.contains("\n  \"submission\""), "pretty: {text}");
    assert_eq!(
        names_in(&inbox),
        vec![format!("{KEY}.json")],
        "no temporary file is left"
    );
    assert_eq!(transport.receipt(KEY).await.expect("no receipt yet"), None);
}

#[tokio::test]
async fn writing_the_same_submission_again_changes_nothing_r_submit_3() {
    let dir = tempfile::tempdir().expect("temporary directory");
    let transport = Transport::Directory(Directory::new(dir.path()));
    send(&transport, KEY).await.expect("written");
    let file = dir.path().join(format!("{KEY}.json"));
    let first = std::fs::read(&file).expect("read");
    tokio::time::sleep(Duration::from_millis(20)).await;
    assert_eq!(
        send(&transport, KEY).await.expect("written again"),
        Answer::Awaiting
    );
    assert_eq!(std::fs::read(&file).expect("read"), first);
    assert_eq!(names_in(dir.path()), vec![format!("{KEY}.json")]);

    // A file for the key that holds something else is replaced.
    std::fs::write(&file, "half a subm").expect("spoil");
    send(&transport, KEY).await.expect("written over");
    assert_eq!(read_json(&file)["payload"], payload());
}

#[tokio::test]
async fn receipts_beside_a_submission_bring_the_answer_r_submit_3() {
    let dir = tempfile::tempdir().expect("temporary directory");
    let transport = Transport::Directory(Directory::new(dir.path()));
    let receipt = dir.path().join(format!("{KEY}.receipt.json"));

    std::fs::write(&receipt, r#"{"reference": " SSR-2025-77 "}"#).expect("receipt");
    assert_eq!(
        transport.receipt(KEY).await.expect("read"),
        Some(Answer::Accepted {
            reference: "SSR-2025-77".into(),
            received_at: None,
        })
    );

    std::fs::write(&receipt, r#"{"reasons": ["no incident date", "  ", 3]}"#).expect("receipt");
    assert_eq!(
        transport.receipt(KEY).await.expect("read"),
        Some(Answer::Rejected {
            reasons: vec!["no incident date".into()]
        })
    );

    std::fs::write(&receipt, r#"{"reasons": []}"#).expect("receipt");
    assert_eq!(
        transport.receipt(KEY).await.expect("read"),
        Some(Answer::Rejected {
            reasons: vec!["rejected without reasons".into()]
        })
    );
}

#[tokio::test]
async fn a_receipt_that_cannot_be_read_is_a_failure_naming_the_file_r_submit_3() {
    let dir = tempfile::tempdir().expect("temporary directory");
    let transport = Transport::Directory(Directory::new(dir.path()));
    let receipt = dir.path().join(format!("{KEY}.receipt.json"));
    let too_large = format!(
        r#"{{"reference": "R-1", "padding": "{}"}}"#,
        "x".repeat(70_000)
    );
    let too_long = format!(r#"{{"reference": "{}"}}"#, "R".repeat(201));
    for (text, problem) in [
        ("{\"reference\": ", "is not JSON"),
        ("", "is not JSON"),
        (r#"{"status": "done"}"#, "neither a reference nor reasons"),
        (r#"{"reference": "R-1", "reasons": ["x"]}"#, "both"),
        (r#"{"reasons": "late"}"#, "not a list"),
        (r#"{"reference": ""}"#, "empty"),
        (too_long.as_str(), "longer than 200"),
        (too_large.as_str(), "larger than 64 KiB"),
    ] {
        std::fs::write(&receipt, text).expect("receipt");
        let refused = transport.receipt(KEY).await.expect_err(problem);
        assert!(refused.0.contains(problem), "{problem}: {refused}");
        assert!(
            refused.0.contains(&receipt.display().to_string()),
            "{refused}"
        );
    }

    // A receipt that is a directory cannot be read either.
    std::fs::remove_file(&receipt).expect("remove");
    std::fs::create_dir(&receipt).expect("a directory in its place");
    let refused = transport.receipt(KEY).await.expect_err("a directory");
    assert!(refused.0.contains("cannot be read"), "{refused}");
}

#[tokio::test]
async fn keys_that_could_leave_the_directory_are_refused_r_submit_3() {
    let dir = tempfile::tempdir().expect("temporary directory");
    let inbox = dir.path().join("inbox");
    std::fs::create_dir(&inbox).expect("inbox");
    // A receipt outside the directory that a crafted key would reach.
    std::fs::write(
        dir.path().join("x.receipt.json"),
        r#"{"reference": "stolen"}"#,
    )
    .expect("outside");
    let transport = Transport::Directory(Directory::new(&inbox));
    for key in ["../x", "..", "/tmp/x", "a/b", "a.b", "a\\b", "x\0", ""] {
        let text = failed(send(&transport, key).await);
        assert!(text.contains("cannot be used"), "{key:?}: {text}");
        let refused = transport.receipt(key).await.expect_err(key);
        assert!(refused.0.contains("cannot be used"), "{key:?}: {refused}");
    }
    assert!(names_in(&inbox).is_empty(), "nothing written");
    assert_eq!(names_in(dir.path()), vec!["inbox", "x.receipt.json"]);
}

#[tokio::test]
async fn a_directory_that_cannot_be_made_is_a_failure_naming_it_r_submit_3() {
    let dir = tempfile::tempdir().expect("temporary directory");
    let blocker = write(dir.path(), "a-file", "not a directory");
    let inbox = blocker.join("inbox");
    let transport = Transport::Directory(Directory::new(&inbox));
    let text = failed(send(&transport, KEY).await);
    assert!(
        text.contains("cannot create the submissions directory"),
        "{text}"
    );
    assert!(text.contains(&inbox.display().to_string()), "{text}");
}

// ---------------------------------------------------------------------------------------
// configuration
// ---------------------------------------------------------------------------------------

#[test]
fn the_configuration_names_a_transport_per_recipient_r_submit_1() {
    let dir = tempfile::tempdir().expect("temporary directory");
    let token = write(dir.path(), "token", "t0ken\n");
    let text = format!(
        r#"
[submissions.department]
transport = "https"
endpoint = "https://cims-api.example.gov.au/v1/submissions"
token_file = {token:?}
timeout_seconds = 45

[submissions.regulator]
transport = "directory"
path = "/var/lib/cims/submissions/regulator"
"#
    );
    let config = SubmissionsConfig::parse(&text).expect("reads");
    let Some(TransportConfig::Https(https)) = config.get(Recipient::Department) else {
        panic!("https for the department: {config:?}");
    };
    assert_eq!(
        https.endpoint,
        "https://cims-api.example.gov.au/v1/submissions"
    );
    assert_eq!(https.timeout_seconds, 45);
    assert_eq!(https.client_certificate, None);
    assert!(matches!(
        config.get(Recipient::Regulator),
        Some(TransportConfig::Directory(_))
    ));
    assert_eq!(config.get(Recipient::Ccyp), None);

    let data = dir.path().join("data");
    let built = config.build(&data).expect("builds");
    assert_eq!(built.len(), 3);
    assert_eq!(
        built[&Recipient::Department].to_string(),
        "https https://cims-api.example.gov.au/v1/submissions"
    );
    assert_eq!(
        built[&Recipient::Regulator].to_string(),
        "directory /var/lib/cims/submissions/regulator"
    );
    let Transport::Directory(ccyp) = &built[&Recipient::Ccyp] else {
        panic!("the default directory for CCYP");
    };
    assert_eq!(ccyp.path(), data.join("submissions").join("ccyp"));
    assert!(!format!("{:?}", built[&Recipient::Department]).contains("t0ken"));
}

#[test]
fn the_embedded_default_is_a_directory_per_recipient_r_submit_3() {
    let data = Path::new("/srv/cims");
    let config = SubmissionsConfig::embedded_default(data);
    for recipient in Recipient::ALL {
        let Some(TransportConfig::Directory(directory)) = config.get(recipient) else {
            panic!("{recipient}: {config:?}");
        };
        assert_eq!(
            directory.path,
            data.join("submissions").join(recipient.as_str())
        );
    }
    // R-SUBMIT-4: each report on its own unless the file asks for a month-end batch; the
    // example's does.
    assert!(!SubmissionsConfig::parse("").expect("empty").batch_non_major);
    let example = SubmissionsConfig::parse(include_str!("../../submissions.example.toml"))
        .expect("the example");
    assert!(example.batch_non_major);
    assert_eq!(example.lease_seconds, Some(600));
    assert_eq!(
        SubmissionsConfig::parse("").expect("empty").lease_seconds,
        None
    );
    assert_eq!(
        SubmissionsConfig::parse("")
            .expect("empty")
            .build(data)
            .expect("builds")[&Recipient::Department]
            .to_string(),
        "directory /srv/cims/submissions/department"
    );
}

#[test]
fn configuration_mistakes_are_named_r_submit_1() {
    let https = |more: &str| {
        format!(
            "[submissions.department]\ntransport = \"https\"\n\
             endpoint = \"https://cims-api.example.gov.au/v1\"\ntoken_file = \"/t\"\n{more}"
        )
    };
    let cases: Vec<(String, Vec<&str>)> = vec![
        (
            "[submissions.police]\ntransport = \"directory\"\npath = \"/x\"".into(),
            vec![
                "[submissions.police]",
                "not a recipient",
                "department, regulator, ccyp",
            ],
        ),
        (
            "[submissions.regulator]\ntransport = \"ftp\"\npath = \"/x\"".into(),
            vec!["[submissions.regulator]", "transport", "\"ftp\"", "unknown"],
        ),
        (
            "[submissions.regulator]\npath = \"/x\"".into(),
            vec!["[submissions.regulator]", "transport: missing"],
        ),
        (
            "[submissions.department]\ntransport = \"https\"\ntoken_file = \"/t\"".into(),
            vec!["[submissions.department]", "endpoint"],
        ),
        (
            "[submissions.ccyp]\ntransport = \"directory\"\npath = \"/x\"\nendpiont = \"y\"".into(),
            vec!["[submissions.ccyp]", "endpiont"],
        ),
        (
            "[submissions.ccyp]\ntransport = \"directory\"\npath = \"\"".into(),
            vec!["[submissions.ccyp]", "path is empty"],
        ),
        (
            "[submissions.department]\ntransport = \"https\"\n\
             endpoint = \"http://cims-api.example.gov.au/v1\"\ntoken_file = \"/t\""
                .into(),
            vec!["[submissions.department]", "plain http", "https"],
        ),
        (
            https("timeout_seconds = 0"),
            vec!["[submissions.department]", "timeout_seconds", "1 to 300"],
        ),
        (
            https("timeout_seconds = 301"),
            vec!["timeout_seconds", "301"],
        ),
        (
            "[submissions.department]\ntransport = \"https\"\n\
             endpoint = \"https://cims-api.example.gov.au/v1\""
                .into(),
            vec![
                "[submissions.department]",
                "token_file",
                "client_certificate",
            ],
        ),
        (
            "[submission.department]\ntransport = \"directory\"\npath = \"/x\"".into(),
            vec!["\"submission\" is unknown", "[submissions.<recipient>]"],
        ),
        (
            "[submissions.department]\ntransport = \"directory\"\npath = \"/x".into(),
            vec!["line 3"],
        ),
        (
            "[batch]\nnon_major = \"weekly\"".into(),
            vec!["[batch]", "non_major", "weekly", "monthly"],
        ),
        (
            "[batch]\nnon_majors = \"monthly\"".into(),
            vec!["[batch]", "\"non_majors\" is unknown"],
        ),
        ("batch = 1".into(), vec!["[batch]", "a table"]),
        (
            "[delivery]\nlease_seconds = 1".into(),
            vec!["[delivery]", "lease_seconds", "2 to 3600"],
        ),
        (
            "[delivery]\nlease_seconds = \"long\"".into(),
            vec!["[delivery]", "whole number"],
        ),
        (
            "[delivery]\nlease = 60".into(),
            vec!["[delivery]", "\"lease\" is unknown"],
        ),
        (
            format!(
                "{}\n[delivery]\nlease_seconds = 30",
                https("timeout_seconds = 30")
            ),
            vec!["lease_seconds", "not longer", "timeout_seconds 30"],
        ),
    ];
    for (text, words) in cases {
        let refused = SubmissionsConfig::parse(&text).expect_err(&text);
        for word in words {
            assert!(refused.contains(word), "{word:?} in {refused:?}\n{text}");
        }
    }
}

#[test]
fn files_named_by_the_configuration_are_read_when_it_is_built_r_submit_1() {
    let dir = tempfile::tempdir().expect("temporary directory");
    let ca = authority("test-only private authority");
    let (cert, _key) = signed(
        &ca,
        &["cims.test-only"],
        rcgen::ExtendedKeyUsagePurpose::ClientAuth,
    );
    let good_token = write(dir.path(), "token", "t0ken");
    let empty_token = write(dir.path(), "empty-token", " \n\t");
    let spaced_token = write(dir.path(), "spaced-token", "two words");
    let missing = dir.path().join("missing");
    let not_pem = write(dir.path(), "not.pem", "hello");
    let cert_only = write(dir.path(), "cert-only.pem", &cert);
    let built = |settings: String| {
        let text = format!(
            "[submissions.department]\ntransport = \"https\"\n\
             endpoint = \"https://cims-api.example.gov.au/v1\"\n{settings}"
        );
        let config = SubmissionsConfig::parse(&text).expect("reads");
        config
            .transport(Recipient::Department, dir.path())
            .map(|_| ())
    };
    assert_eq!(built(format!("token_file = {good_token:?}")), Ok(()));
    for (settings, words) in [
        (
            format!("token_file = {missing:?}"),
            vec!["token_file", "cannot be read"],
        ),
        (format!("token_file = {empty_token:?}"), vec!["is empty"]),
        (
            format!("token_file = {spaced_token:?}"),
            vec!["visible ASCII"],
        ),
        (
            format!("token_file = {good_token:?}\nca_file = {not_pem:?}"),
            vec!["ca_file", "no PEM certificate"],
        ),
        (
            format!("token_file = {good_token:?}\nca_file = {missing:?}"),
            vec!["ca_file", "cannot be read"],
        ),
        (
            format!("client_certificate = {cert_only:?}"),
            vec!["client_certificate", "private key"],
        ),
        (
            format!("client_certificate = {missing:?}"),
            vec!["client_certificate", "cannot be read"],
        ),
    ] {
        let refused = built(settings.clone()).expect_err(&settings);
        assert!(refused.contains("[submissions.department]"), "{refused}");
        for word in words {
            assert!(refused.contains(word), "{word:?} in {refused:?}");
        }
        assert!(
            refused.contains(&dir.path().display().to_string()),
            "the file is named: {refused}"
        );
        assert!(!refused.contains("t0ken"), "{refused}");
    }
}
