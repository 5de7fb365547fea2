//! TLS on every listener (9.21, 16.2.20, 16.2.30; seed 000): with a certificate configured the API
//! answers HTTPS only, and devices talk GT06, Teltonika and OsmAnd over TLS; a plain-text client
//! gets nothing. Certificates come from rcgen, as a deployment's development certificates would.

use atalaia_backend::Config;
use atalaia_backend::ingest::gt06;
use rustls_pki_types::ServerName;
use std::sync::Arc;
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio_rustls::TlsConnector;
use tokio_rustls::rustls::{ClientConfig, RootCertStore};

struct Tls {
    running: atalaia_backend::Running,
    ca_pem: String,
    connector: TlsConnector,
    _dir: tempfile::TempDir,
}

async fn start() -> Tls {
    let dir = tempfile::tempdir().expect("tempdir");
    let cert =
        rcgen::generate_simple_self_signed(vec!["localhost".into(), "127.0.0.1".into()]).expect("cert");
    let (cert_path, key_path) = (dir.path().join("server.crt"), dir.path().join("server.key"));
    std::fs::write(&cert_path, cert.cert.pem()).expect("write cert");
    std::fs::write(&key_path, cert.signing_key.serialize_pem()).expect("write key");
    let mut config = Config::embedded(dir.path().join("tls.sqlite"));
    config.tls_cert = Some(cert_path);
    config.tls_key = Some(key_path);
    let running = atalaia_backend::start(config).await.expect("server with TLS");
    let mut roots = RootCertStore::empty();
    roots.add(cert.cert.der().clone()).expect("root");
    let client = ClientConfig::builder().with_root_certificates(roots).with_no_client_auth();
    Tls { running, ca_pem: cert.cert.pem(), connector: TlsConnector::from(Arc::new(client)), _dir: dir }
}

async fn register(t: &Tls, imei: &'static str, kind: atalaia_core::monitoring::DeviceKind) {
    t.running
        .state
        .store
        .write(move |ctx| {
            ctx.save(&atalaia_core::monitoring::Device {
                id: atalaia_core::ids::DeviceId::new(),
                imei: imei.into(),
                kind,
                state: atalaia_core::monitoring::DeviceState::Active,
                sim1: None,
                sim2: None,
                person_id: None,
                vehicle_id: None,
                last_contact: None,
                battery_pct: None,
                model: None,
                report_interval_s: None,
                history: Vec::new(),
                created_at: ctx.now,
            })
        })
        .await
        .expect("device");
}

#[tokio::test]
async fn the_api_answers_https_only() {
    let t = start().await;
    let https = reqwest::Client::builder()
        .add_root_certificate(reqwest::Certificate::from_pem(t.ca_pem.as_bytes()).expect("ca"))
        .build()
        .expect("client");
    let port = t.running.api_addr.port();
    let r = https.get(format!("https://localhost:{port}/api/v1/health")).send().await.expect("https");
    assert_eq!(r.status(), 200);
    let plain = reqwest::Client::builder().timeout(Duration::from_secs(3)).build().expect("client");
    assert!(
        plain.get(format!("http://localhost:{port}/api/v1/health")).send().await.is_err(),
        "no plain HTTP"
    );
    // A client that does not trust the certificate is refused by its own TLS check.
    let untrusting = reqwest::Client::new();
    assert!(untrusting.get(format!("https://localhost:{port}/api/v1/health")).send().await.is_err());
    t.running.shutdown().await;
}

#[tokio::test]
async fn a_gt06_device_logs_in_over_tls_and_plain_text_gets_nothing() {
    let t = start().await;
    let imei = "123456789012345";
    register(&t, imei, atalaia_core::monitoring::DeviceKind::AnkleBracelet).await;
    let padded = format!("0{imei}");
    let bcd: Vec<u8> =
        (0..8).map(|i| u8::from_str_radix(&padded[i * 2..i * 2 + 2], 16).expect("hex")).collect();
    let login = gt06::encode(gt06::LOGIN, &bcd, 1);

    let tcp = TcpStream::connect(t.running.gt06_addr).await.expect("connect");
    let name = ServerName::try_from("localhost").expect("name");
    let mut tls = t.connector.connect(name, tcp).await.expect("handshake");
    tls.write_all(&login).await.expect("login");
    let mut ack = vec![0u8; 10];
    tokio::time::timeout(Duration::from_secs(5), tls.read_exact(&mut ack))
        .await
        .expect("in time")
        .expect("ack");
    assert_eq!(ack, gt06::encode(gt06::LOGIN, &[], 1), "login acknowledged over TLS");

    // The same bytes in plain text are not a TLS handshake: no acknowledgement, connection closed.
    let mut plain = TcpStream::connect(t.running.gt06_addr).await.expect("connect");
    plain.write_all(&login).await.expect("write");
    let mut buf = [0u8; 64];
    let n = tokio::time::timeout(Duration::from_secs(5), plain.read(&mut buf))
        .await
        .expect("in time")
        .unwrap_or(0);
    assert!(n == 0 || buf[..2] != [0x78, 0x78], "no GT06 answer in plain text");
    t.running.shutdown().await;
}

#[tokio::test]
async fn osmand_reports_over_https() {
    let t = start().await;
    register(&t, "tls-phone", atalaia_core::monitoring::DeviceKind::VehicleTracker).await;
    let https = reqwest::Client::builder()
        .add_root_certificate(reqwest::Certificate::from_pem(t.ca_pem.as_bytes()).expect("ca"))
        .build()
        .expect("client");
    let port = t.running.osmand_addr.port();
    let r = https
        .get(format!("https://localhost:{port}/?id=tls-phone&lat=-19.91&lon=-43.93"))
        .send()
        .await
        .expect("report");
    assert_eq!(r.status(), 200);
    t.running.shutdown().await;
}
