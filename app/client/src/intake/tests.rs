use super::*;
use atalaia_core::ids::OccurrenceId;
use atalaia_core::samu::OccurrencePhase;
use atalaia_core::wire::NewOccurrence;
use chrono::{TimeZone, Utc};

fn command(d: &Draft) -> (NewOccurrence, Vec<FieldError>) {
    d.to_new(OccurrenceId::new(), None)
}

fn filled() -> Draft {
    Draft {
        phone: "(31) 98888-7777".into(),
        address: "Rua da Bahia".into(),
        number: "1148".into(),
        municipality: "Belo Horizonte".into(),
        description: "Queda de altura".into(),
        ..Draft::default()
    }
}

fn fields(errors: &[FieldError]) -> Vec<&str> {
    errors.iter().map(|e| e.field.as_str()).collect()
}

#[test]
fn rfs115_coordinates_are_read_as_a_tarm_types_them() {
    let bh = LatLon { lat: -19.9191, lon: -43.9386 };
    for typed in [
        "-19,9191 -43,9386",
        "-19.9191, -43.9386",
        "-19.9191 -43.9386",
        "-19,9191; -43,9386",
        " -19.9191,-43.9386 ",
    ] {
        assert_eq!(parse_coordinates(typed), Ok(bh), "{typed}");
    }
    for bad in ["", "-19,9191", "-19,9", "-19.9,43", "-19,91,91 -43", "abc def", "-19.9 -43.9 10"] {
        assert!(parse_coordinates(bad).is_err(), "{bad}");
    }
    assert!(parse_coordinates("-95 -43").expect_err("out of range").contains("limites"));
}

#[test]
fn rfs115_the_call_carries_its_place_typed_coordinates_winning_over_a_suggested_point() {
    let mut d = filled();
    let (new, errors) = command(&d);
    assert!(errors.is_empty(), "{errors:?}");
    assert_eq!(new.location, None);
    assert_eq!(new.address, "Rua da Bahia, 1148");
    d.place = Some((LatLon { lat: -19.92, lon: -43.94 }, PlaceSource::Map));
    assert_eq!(command(&d).0.location, Some(LatLon { lat: -19.92, lon: -43.94 }));
    d.coordinates = "-19,9 -43,9".into();
    assert_eq!(command(&d).0.location, Some(LatLon { lat: -19.9, lon: -43.9 }));
    d.coordinates = "perto da praça".into();
    let (_, errors) = command(&d);
    assert_eq!(fields(&errors), ["location"]);
    assert!(errors[0].message.starts_with("Coordenadas"), "in Portuguese: {}", errors[0].message);
}

#[test]
fn rfs029_each_victim_with_identity_checked_by_its_digits_and_a_readable_age() {
    let mut d = filled();
    d.victims = vec![
        VictimDraft {
            name: "Maria".into(),
            sex: Some(Sex::Female),
            age: "67".into(),
            cpf: "529.982.247-25".into(),
            cns: "700000000000005".into(),
            complaint: "dor no quadril".into(),
        },
        VictimDraft { cpf: "529.982.247-24".into(), age: "sessenta".into(), ..VictimDraft::default() },
        VictimDraft { cns: "700000000000006".into(), ..VictimDraft::default() },
    ];
    let (new, errors) = command(&d);
    assert_eq!(fields(&errors), ["victims[1].age_years", "victims[1].cpf", "victims[2].cns"]);
    assert_eq!(new.victims[0].age_years, Some(67));
    assert_eq!(new.victims[0].complaint, "dor no quadril");
    assert_eq!(new.victims[0].sex, Some(Sex::Female));
}

#[test]
fn rfs186_extra_phones_are_checked_and_blank_ones_dropped() {
    let mut d = filled();
    d.extra_phones = vec!["(31) 3333-4444".into(), "  ".into(), "123".into()];
    let (new, errors) = command(&d);
    assert_eq!(new.extra_phones, ["(31) 3333-4444", "123"]);
    assert_eq!(fields(&errors), ["extra_phones[2]"], "the error is under the row that has it");
}

fn earlier(phone: &str, address: &str, location: Option<LatLon>, minutes_ago: i64) -> Occurrence {
    let at = Utc.with_ymd_and_hms(2026, 12, 6, 12, 0, 0).single().expect("time")
        - chrono::Duration::minutes(minutes_ago);
    let mut o = crate::fixtures::occurrence(OccurrenceId::new(), at);
    o.number = format!("2026-{minutes_ago:06}");
    o.caller_name = "João".into();
    o.caller_phone = phone.into();
    o.address = address.into();
    o.municipality = "Contagem".into();
    o.location = location;
    o.phase = OccurrencePhase::Closed;
    o.extra_phones = vec!["(31) 3333-4444".into()];
    o
}

#[test]
fn rfs182_an_earlier_call_from_the_number_is_found_and_its_data_reused() {
    let mut model = LiveModel::default();
    let point = LatLon { lat: -19.93, lon: -44.05 };
    let old = earlier("+55 31 98888-7777", "Rua Um, 45", Some(point), 90);
    let older = earlier("(31) 98888-7777", "Rua Dois, 7", None, 900);
    let other = earlier("(31) 97777-0000", "Rua Três", None, 5);
    for o in [&old, &older, &other] {
        model.occurrences.insert(o.id, o.clone());
    }
    let calls = earlier_calls(&model, "31988887777");
    assert_eq!(calls.iter().map(|o| o.id).collect::<Vec<_>>(), [old.id, older.id], "newest first");
    assert_eq!(earlier_calls(&model, "(31) 3333-4444").len(), 3, "extra phones count too");
    assert!(earlier_calls(&model, "3198").is_empty(), "too short to match");

    let mut d = Draft { phone: "(31) 98888-7777".into(), ..Draft::default() };
    d.reuse(calls[0]);
    assert_eq!(
        (d.address.as_str(), d.number.as_str(), d.municipality.as_str()),
        ("Rua Um", "45", "Contagem")
    );
    assert_eq!(d.caller_name, "João");
    assert_eq!(d.place, Some((point, PlaceSource::Known)));
    assert_eq!(d.extra_phones, ["(31) 3333-4444"], "the number being called from is not repeated");
    assert!(d.description.is_empty(), "the complaint is this call's own");
}

#[test]
fn rfs030_known_addresses_are_suggested_with_their_point() {
    let mut model = LiveModel::default();
    let point = LatLon { lat: -19.93, lon: -44.05 };
    let with_point = earlier("(31) 98888-7777", "Rua Um, 45", Some(point), 90);
    let without = earlier("(31) 98888-7777", "Rua Um, 45", None, 10);
    for o in [&with_point, &without] {
        model.occurrences.insert(o.id, o.clone());
    }
    let found = address_suggestions(&model, "rua u");
    assert_eq!(found.len(), 1, "one per address and municipality");
    assert_eq!(found[0].location, Some(point), "the point of any call at the address");
    assert!(address_suggestions(&model, "ru").is_empty(), "three letters at least");
    assert!(address_suggestions(&model, "Rua Um, 45").is_empty(), "not what is already typed");
    assert_eq!(split_number("Rua Um, 45"), ("Rua Um".into(), "45".into()));
    assert_eq!(split_number("Rodovia BR-040, km 12"), ("Rodovia BR-040, km 12".into(), String::new()));
}

#[test]
fn rfs030_the_geocoder_is_asked_for_the_street_and_its_places_offered_with_their_point() {
    use crate::geocoder::Place;
    assert_eq!(geocoder_query("Rua", "Belo Horizonte"), None, "four letters at least");
    assert_eq!(
        geocoder_query(" Rua da Bahia ", " Belo Horizonte "),
        Some("Rua da Bahia, Belo Horizonte".into())
    );
    assert_eq!(geocoder_query("Rua da Bahia", ""), Some("Rua da Bahia".into()));
    let at = |lat: f64| LatLon { lat, lon: -43.9378 };
    let place = |street: Option<&str>, municipality: Option<&str>, lat: f64| Place {
        label: "…".into(),
        at: at(lat),
        street: street.map(Into::into),
        municipality: municipality.map(Into::into),
    };
    let found = geocoded_addresses(
        &[
            place(Some("Rua da Bahia, 1148"), Some("Belo Horizonte"), -19.92),
            place(None, Some("Belo Horizonte"), -19.93),
            place(Some("Rua da Bahia, 1148"), Some("Belo Horizonte"), -19.94),
            place(Some("Rua da Bahia"), None, -19.95),
        ],
        "Contagem",
    );
    assert_eq!(
        found,
        [
            KnownAddress {
                address: "Rua da Bahia, 1148".into(),
                municipality: "Belo Horizonte".into(),
                location: Some(at(-19.92))
            },
            KnownAddress {
                address: "Rua da Bahia".into(),
                municipality: "Contagem".into(),
                location: Some(at(-19.95))
            },
        ]
    );
}
