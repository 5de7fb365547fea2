//! The site's time zone belongs to the site (issue 22 "Time zone"): the server says it at login,
//! so every console shows the site's time without a flag per workstation; a zone's schedule may
//! name its municipality's zone, for a central that spans zones, and a wrong name is refused in
//! Portuguese.

use atalaia_tests::TestServer;
use serde_json::{Value, json};

#[tokio::test]
async fn the_sites_zone_is_said_at_login_and_a_curfew_may_keep_its_municipalitys_zone() {
    let s = TestServer::start_with(|c| c.timezone = chrono_tz::America::Manaus).await;
    let r = s.try_login("admin", atalaia_tests::ADMIN_PASSWORD).await;
    let login: Value = r.json().await.expect("login");
    assert_eq!(login["site_timezone"], "America/Manaus");

    let person: Value = s
        .post(
            &s.admin_token,
            "/persons",
            &json!({"name": "Iago Tenório", "record": "0001-tz", "regime": "semi_open"}),
        )
        .await
        .json()
        .await
        .expect("person");
    let zone = |tz: &str| {
        json!({"name": "Casa (Eirunepé)", "kind": "inclusion", "person_id": person["id"],
            "shape": {"type": "circle", "center": {"lat": -6.66, "lon": -69.87}, "radius_m": 150.0},
            "schedule": {"windows": [{"days": [1, 2, 3, 4, 5, 6, 7], "start": "20:00", "end": "06:00"}],
                "timezone": tz}})
    };
    let r = s.post(&s.admin_token, "/zones", &zone("America/Manaós")).await;
    assert_eq!(r.status(), 422);
    let body = r.text().await.expect("body");
    assert!(body.contains("fuso horário \\\"America/Manaós\\\" desconhecido"), "{body}");
    let r = s.post(&s.admin_token, "/zones", &zone("America/Eirunepe")).await;
    assert_eq!(r.status(), 201);
    let saved: Value = r.json().await.expect("zone");
    assert_eq!(saved["schedule"]["timezone"], "America/Eirunepe");
}
