//! People's records that live (issue 22 item 1; Anexo III 2.7, 2.21), over real sockets: an
//! administrator corrects a person's record; the change reaches every seat through the live feed
//! and the record's history says what changed, who changed it and when.

use atalaia_core::auth::Role;
use atalaia_core::wire::{EventBody, LiveMessage};
use atalaia_tests::{TestServer, expect_problem, next_message};
use serde_json::{Value, json};

#[tokio::test]
async fn iii_2_7_a_persons_record_is_corrected_with_its_history_and_the_feed_follows() {
    let s = TestServer::start().await;
    let admin = s.admin_token.clone();
    let created: Value = s
        .post(
            &admin,
            "/persons",
            &json!({"name": "Joao da Silva", "record": "0001-07", "regime": "semi_open"}),
        )
        .await
        .json()
        .await
        .expect("person");
    let id = created["id"].as_str().expect("id").to_owned();
    let mut feed = s.live(&admin, None).await;
    assert!(matches!(next_message(&mut feed).await, LiveMessage::Snapshot(_)));

    // The name spelled right, the regime changed by the court, a group given.
    let fixed =
        json!({"name": "João da Silva", "record": "0001-07", "regime": "open", "group": "Regional II"});
    let r = s.put(&admin, &format!("/persons/{id}"), &fixed).await;
    assert_eq!(r.status(), 200);
    let person: Value = r.json().await.expect("person");
    assert_eq!(
        (person["name"].as_str(), person["regime"].as_str(), person["group"].as_str()),
        (Some("João da Silva"), Some("open"), Some("Regional II"))
    );
    assert_eq!(person["created_at"], created["created_at"], "registration time kept");
    let stored: Value = s.get(&admin, &format!("/persons/{id}")).await.json().await.expect("read back");
    assert_eq!(stored["name"], "João da Silva");

    // Every seat gets the corrected record.
    loop {
        if let LiveMessage::Event(e) = next_message(&mut feed).await
            && let EventBody::Person(p) = e.body
            && p.id.to_string() == id
        {
            assert_eq!(p.name, "João da Silva");
            break;
        }
    }

    // The same body again changes nothing and adds nothing to the history.
    assert_eq!(s.put(&admin, &format!("/persons/{id}"), &fixed).await.status(), 200);
    let history: Value =
        s.get(&admin, &format!("/persons/{id}/history")).await.json().await.expect("history");
    let rows = history.as_array().expect("array");
    assert_eq!(rows.len(), 2, "{history}");
    assert_eq!(rows[0]["action"], "person.update");
    let detail = rows[0]["detail"].as_str().expect("detail");
    for change in
        ["Nome: Joao da Silva → João da Silva", "Regime: Semiaberto → Aberto", "Grupo: — → Regional II"]
    {
        assert!(detail.contains(change), "{change} in {detail}");
    }
    assert_eq!(rows[1]["action"], "person.create");

    // Refused, in Portuguese: a missing name, linking a person to itself; an operator may not.
    let problem = expect_problem(
        s.put(
            &admin,
            &format!("/persons/{id}"),
            &json!({"name": " ", "record": "0001-07", "regime": "open"}),
        )
        .await,
        422,
        "validation",
    )
    .await;
    assert!(problem.to_string().contains("Nome é obrigatório."), "{problem}");
    let selfish =
        json!({"name": "João da Silva", "record": "0001-07", "regime": "victim", "linked_person": id});
    let problem =
        expect_problem(s.put(&admin, &format!("/persons/{id}"), &selfish).await, 422, "validation").await;
    assert!(problem.to_string().contains("vinculada a si mesma"), "{problem}");
    let operator = s.user_token("operadora", Role::MonitoringOperator).await;
    expect_problem(s.put(&operator, &format!("/persons/{id}"), &fixed).await, 403, "forbidden").await;
    expect_problem(
        s.put(&admin, &format!("/persons/{}", uuid::Uuid::now_v7()), &fixed).await,
        404,
        "not_found",
    )
    .await;
    s.running.shutdown().await;
}

/// A PNG signature and header chunk (with its CRC) claiming `w` × `h` pixels, and no pixels.
fn png_header(w: u32, h: u32) -> Vec<u8> {
    let crc32 = |bytes: &[u8]| {
        let mut c = 0xFFFF_FFFFu32;
        for b in bytes {
            c ^= u32::from(*b);
            for _ in 0..8 {
                c = if c & 1 == 1 { 0xEDB8_8320 ^ (c >> 1) } else { c >> 1 };
            }
        }
        !c
    };
    let mut chunk = b"IHDR".to_vec();
    chunk.extend(w.to_be_bytes());
    chunk.extend(h.to_be_bytes());
    chunk.extend([8, 2, 0, 0, 0]);
    let mut out = vec![0x89, b'P', b'N', b'G', 0x0D, 0x0A, 0x1A, 0x0A];
    out.extend(13u32.to_be_bytes());
    out.extend(&chunk);
    out.extend(crc32(&chunk).to_be_bytes());
    // An empty image-data chunk: where a reader stops reading the header.
    out.extend(0u32.to_be_bytes());
    out.extend(b"IDAT");
    out.extend(crc32(b"IDAT").to_be_bytes());
    out
}

/// A picture of `w` × `h` pixels (a gradient, so each is a different file) as PNG or JPEG.
fn picture(w: u32, h: u32, shade: u8, format: image::ImageFormat) -> Vec<u8> {
    let img = image::RgbImage::from_fn(w, h, |x, y| image::Rgb([shade, (x % 256) as u8, (y % 256) as u8]));
    let mut out = std::io::Cursor::new(Vec::new());
    img.write_to(&mut out, format).expect("encode");
    out.into_inner()
}

#[tokio::test]
async fn iii_2_21_a_persons_photo_is_checked_kept_with_the_earlier_ones_and_each_viewing_audited() {
    let s = TestServer::start().await;
    let admin = s.admin_token.clone();
    let person: Value = s
        .post(&admin, "/persons", &json!({"name": "Rui Tavares", "record": "0001-21", "regime": "open"}))
        .await
        .json()
        .await
        .expect("person");
    let path = format!("/persons/{}/photo", person["id"].as_str().expect("id"));
    expect_problem(s.get(&admin, &path).await, 404, "not_found").await;

    let first = picture(480, 640, 10, image::ImageFormat::Png);
    let r = s.put_file(&admin, &path, "image/png", first.clone()).await;
    assert_eq!(r.status(), 200);
    let with_photo: Value = r.json().await.expect("person");
    let photo = &with_photo["photo"];
    assert_eq!((photo["width"].as_u64(), photo["height"].as_u64()), (Some(480), Some(640)));
    assert_eq!(
        (photo["content_type"].as_str(), photo["by"].as_str()),
        (Some("image/png"), Some("Administrador"))
    );
    let r = s.get(&admin, &path).await;
    assert_eq!(r.headers()["content-type"], "image/png");
    assert_eq!(r.bytes().await.expect("bytes").to_vec(), first, "served as sent");

    // The same file again is the same photo; a new one replaces it and the first stays kept.
    let again: Value =
        s.put_file(&admin, &path, "image/png", first.clone()).await.json().await.expect("again");
    assert_eq!(again["photo"]["id"], photo["id"]);
    let second = picture(600, 800, 200, image::ImageFormat::Jpeg);
    let newer: Value =
        s.put_file(&admin, &path, "image/jpeg", second.clone()).await.json().await.expect("newer");
    assert_ne!(newer["photo"]["id"], photo["id"]);
    assert_eq!(s.get(&admin, &path).await.bytes().await.expect("bytes").to_vec(), second);
    let earlier = s.get(&admin, &format!("{path}?id={}", photo["id"].as_str().expect("id"))).await;
    assert_eq!(earlier.bytes().await.expect("bytes").to_vec(), first);
    let stored: Value = s
        .get(&admin, &format!("/persons/{}", person["id"].as_str().expect("id")))
        .await
        .json()
        .await
        .expect("p");
    assert_eq!(stored["photo"]["id"], newer["photo"]["id"]);

    // What could not be shown is refused in Portuguese; nothing changes.
    let refusal = |r: Value| r["errors"][0]["message"].as_str().unwrap_or_default().to_owned();
    let text = s.put_file(&admin, &path, "text/plain", b"not a photo".to_vec()).await;
    assert_eq!(
        refusal(expect_problem(text, 422, "validation").await),
        "A foto deve ser JPEG ou PNG (recebido: text/plain)."
    );
    let mut cut = picture(480, 640, 30, image::ImageFormat::Png);
    cut.truncate(cut.len() / 2);
    let cut = s.put_file(&admin, &path, "image/png", cut).await;
    assert_eq!(
        refusal(expect_problem(cut, 422, "validation").await),
        "O arquivo não é uma imagem JPEG ou PNG legível."
    );
    let tiny = s.put_file(&admin, &path, "image/png", picture(20, 20, 0, image::ImageFormat::Png)).await;
    assert!(
        refusal(expect_problem(tiny, 422, "validation").await)
            .starts_with("A foto é pequena demais (20 × 20)")
    );
    // A few bytes that claim 10,000 × 10,000 pixels: refused by the header, never decoded.
    let bomb = s.put_file(&admin, &path, "image/png", png_header(10_000, 10_000)).await;
    assert_eq!(
        refusal(expect_problem(bomb, 422, "validation").await),
        "A foto é grande demais (10000 × 10000); o máximo é 40 megapixels."
    );
    let huge = s.put_file(&admin, &path, "image/jpeg", vec![0u8; 13 * 1024 * 1024]).await;
    expect_problem(huge, 413, "too_large").await;
    let operator = s.user_token("operador", Role::MonitoringOperator).await;
    expect_problem(s.put_file(&operator, &path, "image/png", first.clone()).await, 403, "forbidden").await;
    let still: Value = s
        .get(&admin, &format!("/persons/{}", person["id"].as_str().expect("id")))
        .await
        .json()
        .await
        .expect("p");
    assert_eq!(still["photo"]["id"], newer["photo"]["id"]);

    // The operator may look at it; every viewing and every new photo is in the audit trail.
    assert_eq!(s.get(&operator, &path).await.status(), 200);
    let audit: Value = s.get(&admin, "/audit?limit=100").await.json().await.expect("audit");
    let count = |action: &str, user: &str| {
        audit
            .as_array()
            .expect("array")
            .iter()
            .filter(|e| e["action"] == action && e["username"] == user)
            .count()
    };
    assert_eq!(count("person.photo", "admin"), 2);
    assert_eq!(count("person.photo.view", "admin"), 3);
    assert_eq!(count("person.photo.view", "operador"), 1);
    let history: Value = s
        .get(&admin, &format!("/persons/{}/history", person["id"].as_str().expect("id")))
        .await
        .json()
        .await
        .expect("h");
    let actions: Vec<&str> =
        history.as_array().expect("array").iter().filter_map(|e| e["action"].as_str()).collect();
    assert_eq!(actions, ["person.photo", "person.photo", "person.create"]);
}

/// III-2.21, 16.2.16: who the person is — CPF (checked by its digits), RG, birth date, mother's
/// name, address, phone — registered, corrected with its history, refused in Portuguese when
/// wrong, and kept by a correction that does not touch it.
#[tokio::test]
async fn iii_2_21_a_persons_identification_is_kept_checked_and_its_changes_in_the_history() {
    let s = TestServer::start().await;
    let mut body = json!({"name": "Valdir Cunha", "record": "0002-21", "regime": "semi_open",
        "personal": {"cpf": "529.982.247-99", "birth_date": "1988-03-07"}});
    let r = s.post(&s.admin_token, "/persons", &body).await;
    let problem = expect_problem(r, 422, "validation").await;
    assert!(problem.to_string().contains("CPF inválido: confira os 11 dígitos."), "{problem}");
    body["personal"]["cpf"] = json!("529.982.247-25");
    body["personal"]["mother_name"] = json!("  Maria das Dores ");
    let p: Value = s.post(&s.admin_token, "/persons", &body).await.json().await.expect("person");
    assert_eq!(p["personal"]["cpf"], "52998224725", "digits only");
    assert_eq!(p["personal"]["mother_name"], "Maria das Dores");
    let id = p["id"].as_str().expect("id").to_owned();
    body["personal"]["address"] = json!("Rua das Flores, 12, Porto Velho");
    body["personal"]["birth_date"] = json!("1988-03-08");
    assert_eq!(s.put(&s.admin_token, &format!("/persons/{id}"), &body).await.status(), 200);
    let history: Value =
        s.get(&s.admin_token, &format!("/persons/{id}/history")).await.json().await.expect("history");
    let text = history.to_string();
    assert!(text.contains("Nascimento: 07/03/1988 → 08/03/1988"), "{text}");
    assert!(text.contains("Endereço: — → Rua das Flores, 12, Porto Velho"), "{text}");
    body["personal"]["birth_date"] = json!("2999-01-01");
    let r = s.put(&s.admin_token, &format!("/persons/{id}"), &body).await;
    expect_problem(r, 422, "validation").await;
    let kept: Value = s.get(&s.admin_token, &format!("/persons/{id}")).await.json().await.expect("person");
    assert_eq!(kept["personal"]["birth_date"], "1988-03-08", "nothing of the refused body stored");
    // A correction that leaves the identification out (an older client) keeps it.
    let plain = json!({"name": "Valdir da Cunha", "record": "0002-21", "regime": "semi_open"});
    assert_eq!(s.put(&s.admin_token, &format!("/persons/{id}"), &plain).await.status(), 200);
    let kept: Value = s.get(&s.admin_token, &format!("/persons/{id}")).await.json().await.expect("person");
    assert_eq!(
        (kept["name"].as_str(), kept["personal"]["cpf"].as_str()),
        (Some("Valdir da Cunha"), Some("52998224725"))
    );
}

/// III-2.7: two administrators correct the same record: the one who saves second, on the record
/// as it was before the first's correction, is refused with why — who changed what (409) — never
/// silently over the other's correction, which stays as saved.
#[tokio::test]
async fn a_correction_made_on_an_older_record_is_refused_not_saved_over_anothers() {
    let s = TestServer::start().await;
    let body = json!({"name": "Caetano Reis", "record": "0003-07", "regime": "semi_open"});
    let p: Value = s.post(&s.admin_token, "/persons", &body).await.json().await.expect("person");
    let id = p["id"].as_str().expect("id").to_owned();
    assert_eq!(p["revision"], 0);
    let path = format!("/persons/{id}");
    let first = json!({"name": "Caetano Reis", "record": "0003-07", "regime": "semi_open",
        "responsible": "Rafael Costa", "revision": 0});
    let saved: Value = s.put(&s.admin_token, &path, &first).await.json().await.expect("saved");
    assert_eq!(saved["revision"], 1);
    let second =
        json!({"name": "Caetano dos Reis", "record": "0003-07", "regime": "semi_open", "revision": 0});
    let problem = expect_problem(s.put(&s.admin_token, &path, &second).await, 409, "conflict").await;
    let detail = problem["detail"].as_str().unwrap_or_default();
    assert!(detail.contains("foi corrigido por outra pessoa"), "{problem}");
    assert!(detail.contains("admin (Responsável: — → Rafael Costa)"), "says who changed what: {problem}");
    let kept: Value = s.get(&s.admin_token, &path).await.json().await.expect("person");
    assert_eq!(
        (kept["name"].as_str(), kept["responsible"].as_str()),
        (Some("Caetano Reis"), Some("Rafael Costa"))
    );
    // On the record as it is now, the second correction goes through.
    let again = json!({"name": "Caetano dos Reis", "record": "0003-07", "regime": "semi_open",
        "responsible": "Rafael Costa", "revision": 1});
    let saved: Value = s.put(&s.admin_token, &path, &again).await.json().await.expect("saved");
    assert_eq!((saved["name"].as_str(), saved["revision"].as_u64()), (Some("Caetano dos Reis"), Some(2)));
}
