//! RFS030 at the console: while the TARM types the street, the configured geocoder (a
//! Nominatim-compatible fake on 127.0.0.1 speaking its `/search` JSON v2 contract) is asked once
//! typing pauses; its place is offered beside the known addresses, taken with one click — street,
//! number, municipality and point — and the call registered with it on a real embedded server.
//!
//! Run with `ICED_TEST_BACKEND=tiny-skia` (no GPU, no X server).

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use atalaia_core::geom::LatLon;
use atalaia_core::samu::Occurrence;
use iced_test::instruction::Key;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use support::{Console, api_as, block, demo_server, kiosk};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

const PHONE: &str = "(31) 95555-4321";

/// A geocoder answering every search with one place on Rua da Bahia; the request lines it got.
fn fake_nominatim(rt: &tokio::runtime::Runtime) -> (String, Arc<Mutex<Vec<String>>>) {
    let asked = Arc::new(Mutex::new(Vec::new()));
    let seen = Arc::clone(&asked);
    let base = rt.block_on(async move {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        tokio::spawn(async move {
            while let Ok((mut s, _)) = listener.accept().await {
                let mut buf = vec![0u8; 4096];
                let n = s.read(&mut buf).await.unwrap_or(0);
                let line = String::from_utf8_lossy(&buf[..n]).lines().next().unwrap_or_default().to_owned();
                seen.lock().unwrap().push(line);
                let body = r#"[{"display_name":"1148, Rua da Bahia, Centro, Belo Horizonte, Minas Gerais, Brasil","lat":"-19.9226","lon":"-43.9378","address":{"house_number":"1148","road":"Rua da Bahia","suburb":"Centro","city":"Belo Horizonte","state":"Minas Gerais","country":"Brasil"}}]"#;
                let head = format!(
                    "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
                    body.len()
                );
                let _ = s.write_all(head.as_bytes()).await;
                let _ = s.write_all(body.as_bytes()).await;
            }
        });
        format!("http://{addr}")
    });
    (base, asked)
}

#[test]
fn rfs030_the_tarm_takes_the_geocoders_place_for_the_street_being_typed() {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let (geocoder, asked) = fake_nominatim(&rt);
    let (_dir, server) = demo_server();
    let mut config = kiosk(&server.base_url, "tarm");
    config.map.geocoder = Some(geocoder);
    let mut tarm = Console::start(atalaia_console::application(config));
    tarm.wait_for("Conectado", Duration::from_secs(20));
    for (value, next) in [(PHONE, Key::Tab), ("Joana Prado", Key::Enter), ("Belo Horizonte", Key::Tab)] {
        tarm.type_text(value);
        tarm.key(next);
    }
    tarm.type_text("Rua da Bahia");
    let offered = format!("Rua da Bahia, 1148 — Belo Horizonte{}", atalaia_console::text::FROM_GEOCODER);
    tarm.wait_for(&offered, Duration::from_secs(10));
    let requests = asked.lock().unwrap().clone();
    assert_eq!(requests.len(), 1, "asked once, after typing paused: {requests:?}");
    assert!(
        requests[0].starts_with("GET /search?q=Rua+da+Bahia%2C+Belo+Horizonte&format=jsonv2"),
        "{requests:?}"
    );
    assert!(requests[0].contains("addressdetails=1"), "{requests:?}");

    tarm.click(&offered);
    // The cursor is in the complaint: type it, Enter registers.
    tarm.type_text("Queda da própria altura, dor no quadril");
    tarm.key(Key::Enter);
    let supervisor = block(api_as(&server.base_url, "supervisor"));
    let deadline = Instant::now() + Duration::from_secs(10);
    let registered = loop {
        let all: Vec<Occurrence> = block(supervisor.get("/occurrences")).unwrap();
        if let Some(o) = all.into_iter().find(|o| o.caller_phone == PHONE) {
            break o;
        }
        assert!(Instant::now() < deadline, "never registered: {}", tarm.screenshot("geocoder").display());
        tarm.settle(Duration::from_millis(100));
    };
    assert_eq!(registered.address, "Rua da Bahia, 1148");
    assert_eq!(registered.municipality, "Belo Horizonte");
    assert_eq!(registered.location, Some(LatLon { lat: -19.9226, lon: -43.9378 }));
}
