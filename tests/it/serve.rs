//! `cims serve` and the network: plain HTTP on loopback only, HTTPS with a PEM certificate
//! and key anywhere, plain HTTP elsewhere only when asked for by name.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use crate::support::serve::ServeProcess;

fn cims_serve(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_cims"))
        .arg("serve")
        .args(args)
        .output()
        .expect("run cims serve")
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

fn db_in(dir: &tempfile::TempDir) -> String {
    dir.path().join("cims.db").to_string_lossy().into_owned()
}

/// A self-signed certificate for localhost and 127.0.0.1, written as PEM files; made for
/// the test, never committed.
struct TestCertificate {
    cert_pem: String,
    cert: PathBuf,
    key: PathBuf,
}

fn test_certificate(dir: &Path) -> TestCertificate {
    let rcgen::CertifiedKey { cert, signing_key } =
        rcgen::generate_simple_self_signed(vec!["localhost".to_string(), "127.0.0.1".to_string()])
            .expect("generate a self-signed certificate");
    let cert_path = dir.join("test-only-cert.pem");
    let key_path = dir.join("test-only-key.pem");
    std::fs::write(&cert_path, cert.pem()).expect("write the certificate");
    std::fs::write(&key_path, signing_key.serialize_pem()).expect("write the key");
    TestCertificate {
        cert_pem: cert.pem(),
        cert: cert_path,
        key: key_path,
    }
}

fn path(p: &Path) -> &str {
    p.to_str().expect("a UTF-8 temporary path")
}

/// Any address that is not loopback (every interface, IPv4 or IPv6, or one interface) is
/// refused without TLS: exit code 2, and the message names the address and both ways out.
#[test]
fn plain_http_off_loopback_is_refused_with_both_ways_out() {
    let dir = tempfile::tempdir().expect("temporary directory");
    let db = db_in(&dir);
    for address in ["0.0.0.0:8080", "[::]:8080", "192.0.2.10:8443"] {
        let output = cims_serve(&["--db", &db, "--listen", address]);
        assert_eq!(
            output.status.code(),
            Some(2),
            "{address}: {}",
            stderr(&output)
        );
        let message = stderr(&output);
        for needed in [address, "--tls-cert", "--tls-key", "--insecure-http"] {
            assert!(message.contains(needed), "{address}: {needed} in {message}");
        }
    }
    assert!(
        !dir.path().join("cims.db").exists(),
        "nothing is opened before the refusal"
    );
}

/// Half a TLS configuration, or TLS with --insecure-http, is a usage error (exit code 2).
#[test]
fn tls_flags_that_do_not_fit_together_are_usage_errors() {
    let dir = tempfile::tempdir().expect("temporary directory");
    let db = db_in(&dir);
    for args in [
        vec!["--tls-cert", "cert.pem"],
        vec!["--tls-key", "key.pem"],
        vec![
            "--tls-cert",
            "cert.pem",
            "--tls-key",
            "key.pem",
            "--insecure-http",
        ],
    ] {
        let mut all = vec!["--db", &db];
        all.extend(&args);
        let output = cims_serve(&all);
        assert_eq!(
            output.status.code(),
            Some(2),
            "{args:?}: {}",
            stderr(&output)
        );
    }
}

/// A certificate that cannot be read is an error naming the file (exit code 1).
#[test]
fn an_unreadable_certificate_is_named() {
    let dir = tempfile::tempdir().expect("temporary directory");
    let db = db_in(&dir);
    let missing = dir.path().join("no-such-cert.pem");
    let key = dir.path().join("key.pem");
    std::fs::write(&key, "not a key").expect("write");
    let output = cims_serve(&[
        "--db",
        &db,
        "--listen",
        "0.0.0.0:0",
        "--tls-cert",
        path(&missing),
        "--tls-key",
        path(&key),
    ]);
    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
    assert!(
        stderr(&output).contains("no-such-cert.pem"),
        "{}",
        stderr(&output)
    );
}

/// `--insecure-http` serves plain HTTP on every interface (reached here over loopback).
#[tokio::test]
async fn insecure_http_serves_plain_http_off_loopback() {
    let dir = tempfile::tempdir().expect("temporary directory");
    let db = db_in(&dir);
    let server = ServeProcess::start(
        &["--db", &db, "--listen", "0.0.0.0:0", "--insecure-http"],
        &[],
    );
    assert!(server.address.starts_with("0.0.0.0:"), "{}", server.address);
    let health = plain_client()
        .get(format!("http://127.0.0.1:{}/healthz", server.port))
        .send()
        .await
        .expect("GET /healthz over plain HTTP");
    assert_eq!(health.status().as_u16(), 200);
    server.stop();
}

/// Loopback, named as `localhost`, is served over plain HTTP without any flag.
#[tokio::test]
async fn localhost_is_served_over_plain_http_by_default() {
    let dir = tempfile::tempdir().expect("temporary directory");
    let db = db_in(&dir);
    let server = ServeProcess::start(&["--db", &db, "--listen", "localhost:0"], &[]);
    assert!(
        server.address.starts_with("127.0.0.1:"),
        "{}",
        server.address
    );
    let health = plain_client()
        .get(format!("http://localhost:{}/healthz", server.port))
        .send()
        .await
        .expect("GET /healthz over plain HTTP");
    assert_eq!(health.status().as_u16(), 200);
    server.stop();
}

/// With `--tls-cert` and `--tls-key` the server speaks HTTPS on every interface: a client
/// that trusts the certificate gets its answer; plain HTTP to the same port gets none.
#[tokio::test]
async fn https_is_served_with_a_pem_certificate_and_key() {
    let dir = tempfile::tempdir().expect("temporary directory");
    let db = db_in(&dir);
    let certificate = test_certificate(dir.path());
    let server = ServeProcess::start(
        &[
            "--db",
            &db,
            "--listen",
            "0.0.0.0:0",
            "--tls-cert",
            path(&certificate.cert),
            "--tls-key",
            path(&certificate.key),
        ],
        &[],
    );
    cims::tls::install_default_provider();
    let trusted = reqwest::Certificate::from_pem(certificate.cert_pem.as_bytes())
        .expect("the test certificate parses");
    let client = reqwest::Client::builder()
        .no_proxy()
        .tls_certs_only([trusted])
        .build()
        .expect("HTTPS client");
    for host in ["localhost", "127.0.0.1"] {
        let health = client
            .get(format!("https://{host}:{}/healthz", server.port))
            .send()
            .await
            .unwrap_or_else(|e| panic!("GET https://{host}/healthz: {e:?}"));
        assert_eq!(health.status().as_u16(), 200, "{host}");
    }
    let plain = plain_client()
        .get(format!("http://127.0.0.1:{}/healthz", server.port))
        .send()
        .await;
    assert!(
        plain.is_err(),
        "plain HTTP to the HTTPS port is not answered: {plain:?}"
    );
    let untrusting = plain_client()
        .get(format!("https://localhost:{}/healthz", server.port))
        .send()
        .await;
    assert!(
        untrusting.is_err(),
        "a client that does not trust the certificate does not connect"
    );
    let lines = server.stop();
    assert!(
        lines
            .iter()
            .any(|l| l.contains("cims serving") && l.contains("https")),
        "the start-up line says HTTPS: {lines:?}"
    );
}

fn plain_client() -> reqwest::Client {
    cims::tls::install_default_provider();
    reqwest::Client::builder()
        .no_proxy()
        .build()
        .expect("HTTP client")
}

/// `cims login` speaks HTTPS to a server whose certificate the system trusts (here through
/// `SSL_CERT_FILE`), so a remote server behind TLS is reachable from the terminal app.
#[tokio::test]
async fn cims_login_reaches_an_https_server() {
    use std::io::Write as _;

    let dir = tempfile::tempdir().expect("temporary directory");
    let db = db_in(&dir);
    let store = cims::store::Store::open(&db).await.expect("open the store");
    store
        .create_organisation(&cims::store::Organisation {
            id: "dffh".to_string(),
            name: "DFFH".to_string(),
            kind: cims::domain::actor::OrgKind::Department,
        })
        .await
        .expect("create the organisation");
    store
        .create_user(&cims::store::NewUser {
            id: "lena".to_string(),
            org_id: "dffh".to_string(),
            display_name: "Lena".to_string(),
            roles: [cims::domain::actor::Role::Practitioner]
                .into_iter()
                .collect(),
            protective_intervener: true,
            password: Some("correct horse battery".to_string()),
        })
        .await
        .expect("create the user");
    store.close().await;
    let certificate = test_certificate(dir.path());
    let server = ServeProcess::start(
        &[
            "--db",
            &db,
            "--listen",
            "127.0.0.1:0",
            "--tls-cert",
            path(&certificate.cert),
            "--tls-key",
            path(&certificate.key),
        ],
        &[],
    );
    let mut login = Command::new(env!("CARGO_BIN_EXE_cims"))
        .args([
            "login",
            "--server",
            &format!("https://localhost:{}", server.port),
            "--user",
            "lena",
            "--password-stdin",
        ])
        .env("SSL_CERT_FILE", &certificate.cert)
        .env("XDG_DATA_HOME", dir.path())
        .env_remove("CIMS_TOKEN")
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("run cims login");
    login
        .stdin
        .take()
        .expect("piped stdin")
        .write_all(b"correct horse battery\n")
        .expect("write the password");
    let output = login.wait_with_output().expect("cims login finishes");
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let said = String::from_utf8_lossy(&output.stdout);
    assert!(said.contains("logged in as lena"), "{said}");
    server.stop();
}

/// R-SUBMIT-1: a submissions file that cannot be read, or says something cims does not
/// understand, stops `cims serve` before it serves, with the file and the problem named.
#[test]
fn a_submissions_file_with_a_mistake_is_refused_naming_it() {
    let dir = tempfile::tempdir().expect("temporary directory");
    let db = db_in(&dir);
    let missing = dir.path().join("missing.toml");
    let output = cims_serve(&[
        "--db",
        &db,
        "--submissions",
        path(&missing),
        "--listen",
        "127.0.0.1:0",
    ]);
    assert!(!output.status.success());
    assert!(
        stderr(&output).contains("missing.toml"),
        "{}",
        stderr(&output)
    );
    let wrong = dir.path().join("submissions.toml");
    for (text, named) in [
        (
            "[submissions.police]\ntransport = \"directory\"\npath = \"/tmp/x\"\n",
            "police",
        ),
        (
            "[submissions.department]\ntransport = \"https\"\nendpoint = \"http://192.0.2.1/v1\"\ntoken_file = \"/nonexistent\"\n",
            "department",
        ),
        (
            "[submissions.department]\ntransport = \"carrier-pigeon\"\n",
            "carrier-pigeon",
        ),
    ] {
        std::fs::write(&wrong, text).expect("write");
        let output = cims_serve(&[
            "--db",
            &db,
            "--submissions",
            path(&wrong),
            "--listen",
            "127.0.0.1:0",
        ]);
        assert!(!output.status.success(), "{text}");
        let said = stderr(&output);
        assert!(
            said.contains("submissions.toml") && said.contains(named),
            "{said}"
        );
    }
}
