//! The OpenAPI 3.1 document served at `/api/v1/openapi.json`, generated from the handlers'
//! annotations and the wire types, so it cannot drift from the code.

use super::{
    alarms, audit, devices, documents, ingest, investigate, monitoring, photos, profiles, reports, samu,
    users,
};
use atalaia_core::wire::{LiveMessage, Problem};
use axum::Json;
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};

struct BearerAuth;

impl Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
        );
    }
}

/// The errors every operation may answer, documented as they are sent (issue 24 item 5): each
/// problem as `application/problem+json` (the annotations name the `Problem` body; the media
/// type is set here once), and the statuses that come from the route's shape rather than its
/// handler — 401 and 403 where a session is required, 404 where the path names a record, 400
/// where a query or a body is read, 413, 415 and 422 where a body is.
struct ErrorResponses;

impl Modify for ErrorResponses {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        use utoipa::openapi::path::ParameterIn;
        use utoipa::openapi::{ContentBuilder, Ref, RefOr, ResponseBuilder};
        let problem = || ContentBuilder::new().schema(Some(Ref::from_schema_name("Problem"))).build();
        for (path, item) in openapi.paths.paths.iter_mut() {
            let names_a_record = path.contains('{');
            let ops = [&mut item.get, &mut item.put, &mut item.post, &mut item.delete, &mut item.patch];
            for op in ops.into_iter().flatten() {
                for response in op.responses.responses.values_mut() {
                    let RefOr::T(response) = response else { continue };
                    let is_problem = response.content.get("application/json").is_some_and(
                        |c| matches!(&c.schema, Some(RefOr::Ref(r)) if r.ref_location.ends_with("/Problem")),
                    );
                    if is_problem && let Some(c) = response.content.shift_remove("application/json") {
                        response.content.insert(PROBLEM.to_owned(), c);
                    }
                }
                // A file sent as it is (a photo, a PDF, an attachment) is bytes, not a JSON array of
                // numbers, whatever Rust type carries it.
                for (media, content) in op.request_body.iter_mut().flat_map(|b| b.content.iter_mut()) {
                    if media != "application/json" {
                        content.schema = Some(binary());
                    }
                }
                let secured = op.security.as_ref().is_some_and(|s| !s.is_empty());
                let reads_query =
                    op.parameters.iter().flatten().any(|p| p.parameter_in == ParameterIn::Query);
                let reads_body = op.request_body.is_some();
                let mut add = |status: &str, description: &str| {
                    op.responses.responses.entry(status.to_owned()).or_insert_with(|| {
                        ResponseBuilder::new()
                            .description(description)
                            .content(PROBLEM, problem())
                            .build()
                            .into()
                    });
                };
                if secured {
                    add("401", "Sem sessão válida (faça login)");
                    add("403", "O perfil não permite, ou a senha precisa ser trocada antes");
                }
                if names_a_record {
                    add("404", "Registro não encontrado");
                }
                if reads_query || reads_body {
                    add("400", "Requisição ilegível (JSON ou parâmetros da consulta)");
                }
                if reads_body {
                    add("413", "Corpo acima do limite do endereço");
                    add("415", "Tipo de conteúdo não aceito");
                    add("422", "Campos inválidos, cada um com sua mensagem");
                }
            }
        }
    }
}

/// The schema of bytes sent as they are.
fn binary() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
    use utoipa::openapi::schema::{KnownFormat, ObjectBuilder, SchemaFormat, Type};
    ObjectBuilder::new()
        .schema_type(Type::String)
        .format(Some(SchemaFormat::KnownFormat(KnownFormat::Binary)))
        .into()
}

/// The media type of every error (RFC 9457).
const PROBLEM: &str = "application/problem+json";

#[derive(OpenApi)]
#[openapi(
    info(title = "Atalaia API", description = "SAMU 192 regulation and electronic-monitoring operations. \
        Errors are RFC 9457 application/problem+json with a stable `code`. The live feed is a WebSocket at \
        /api/v1/live (Bearer token or ?token=; ?since=SEQ resumes) carrying LiveMessage frames."),
    paths(
        crate::live::handler,
        super::health,
        users::login, users::logout, users::me, users::list, users::create,
        users::change_password, users::report, users::unlock, users::names, users::set_active, users::set_unit,
        profiles::list, profiles::create, profiles::update, profiles::report, profiles::assign, profiles::user_report,
        samu::list_occurrences, samu::create_occurrence, samu::get_occurrence,
        samu::list_vehicles, samu::create_vehicle, samu::get_vehicle, samu::set_vehicle_status,
        samu::hand_off, samu::close, samu::intake_rules,
        samu::regulation::regulate, samu::regulation::add_addendum, samu::regulation::recommendation,
        samu::regulation::panel,
        samu::dispatch::create_dispatch, samu::dispatch::list_dispatches, samu::dispatch::assignments,
        samu::dispatch::acknowledge, samu::dispatch::set_status,
        samu::crew::add_record, samu::crew::upload, samu::crew::download, samu::crew::send_message,
        samu::crew::list_messages, samu::crew::mark_read, samu::crew::canned_messages, samu::crew::report_pdf,
        samu::crew::add_consent, samu::crew::transfer, samu::crew::crew_alert,
        samu::crew_seat::set_crew_vehicle, samu::crew_seat::get_crew_vehicle, samu::crew_seat::list_choices,
        monitoring::list_persons, monitoring::update_person, monitoring::person_history, monitoring::get_person, monitoring::create_person,
        photos::put_photo, photos::get_photo,
        documents::add_document, documents::list_documents, documents::get_document,
        devices::list_devices, devices::get_device, devices::create_device, devices::change_device_state,
        devices::list_commands, devices::send_command,
        monitoring::list_zones, monitoring::get_zone, monitoring::create_zone, monitoring::update_zone, monitoring::change_zone_state, monitoring::zone_history,
        monitoring::list_group_rules, monitoring::get_group_rules, monitoring::put_group_rules,
        monitoring::list_positions, ingest::list_rejects, ingest::list_unhandled, ingest::list_models,
        alarms::list_alarms, alarms::get_alarm, alarms::act, alarms::list_procedures, alarms::put_procedure,
        alarms::list_notifications, alarms::list_notification_rules, alarms::put_notification_rule,
        audit::search, audit::verify,
        investigate::presence, investigate::nearby, investigate::tracks, investigate::encounters,
        investigate::common_places,
        reports::report, reports::export_events,
    ),
    components(schemas(LiveMessage, Problem)),
    modifiers(&BearerAuth, &ErrorResponses),
    tags(
        (name = "system", description = "Health and metadata"),
        (name = "auth", description = "Sessions and users"),
        (name = "samu", description = "SAMU 192: occurrences and fleet"),
        (name = "monitoring", description = "Electronic monitoring: people, devices, zones, positions"),
        (name = "alarms", description = "Alarms of both domains"),
        (name = "audit", description = "The hash-chained audit trail"),
        (name = "investigations", description = "Investigative queries over the position history"),
        (name = "reports", description = "Reports (CSV, PDF) and the BI export"),
    )
)]
pub struct ApiDoc;

/// The document, built once (it depends on the code only).
static DOCUMENT: std::sync::LazyLock<serde_json::Value> = std::sync::LazyLock::new(|| {
    let mut doc = serde_json::to_value(ApiDoc::openapi()).unwrap_or_default();
    nullable_as_one_of(&mut doc);
    bodies_naming_records(&mut doc);
    doc
});

pub async fn document() -> Json<&'static serde_json::Value> {
    Json(&DOCUMENT)
}

/// Whether `v` refers, anywhere inside, to an id's schema (`…/PersonId`, `…/VehicleId`).
fn refers_to_an_id(v: &serde_json::Value) -> bool {
    use serde_json::Value;
    match v {
        Value::Object(map) => {
            map.get("$ref").and_then(Value::as_str).is_some_and(|r| r.ends_with("Id"))
                || map.values().any(refers_to_an_id)
        }
        Value::Array(items) => items.iter().any(refers_to_an_id),
        _ => false,
    }
}

/// 404 on every operation whose JSON body names another record by its id (a person, a
/// vehicle, a device): the record may not exist.
fn bodies_naming_records(doc: &mut serde_json::Value) {
    use serde_json::{Value, json};
    let names_a_record = |schema: &Value| -> bool {
        let Some(name) = schema["$ref"].as_str().and_then(|r| r.rsplit('/').next()) else { return false };
        let properties = &doc["components"]["schemas"][name]["properties"];
        properties.as_object().is_some_and(|props| {
            // Its own `id` (a client-chosen id for a new record) names nothing else.
            props.iter().filter(|(k, _)| *k != "id").any(|(_, p)| refers_to_an_id(p))
        })
    };
    let mut add = Vec::new();
    for (path, ops) in doc["paths"].as_object().into_iter().flatten() {
        for (method, op) in ops.as_object().into_iter().flatten() {
            let body = &op["requestBody"]["content"]["application/json"]["schema"];
            if names_a_record(body) && op["responses"].get("404").is_none() {
                add.push((path.clone(), method.clone()));
            }
        }
    }
    for (path, method) in add {
        doc["paths"][&path][&method]["responses"]["404"] = json!({
            "description": "Um registro citado no corpo não existe",
            "content": {PROBLEM: {"schema": {"$ref": "#/components/schemas/Problem"}}},
        });
    }
}

/// The constraints a value must meet when it is not null.
const CONSTRAINTS: [&str; 6] = ["format", "pattern", "minLength", "maxLength", "minimum", "maximum"];

/// `{"type": ["string", "null"], "format": "date-time"}` as `{"oneOf": [{"type": "null"},
/// {"type": "string", "format": "date-time"}]}`: the same to JSON Schema, but tools that build
/// requests from the document (generators, fuzzers) lose the format, pattern or bounds of a type
/// list and send an empty string where a date is due.
fn nullable_as_one_of(v: &mut serde_json::Value) {
    use serde_json::{Map, Value, json};
    match v {
        Value::Object(map) => {
            let nullable_type = match map.get("type") {
                Some(Value::Array(types)) if types.len() == 2 && types.contains(&json!("null")) => {
                    types.iter().find(|t| *t != "null").cloned()
                }
                _ => None,
            };
            if let Some(ty) = nullable_type
                && CONSTRAINTS.iter().any(|c| map.contains_key(*c))
            {
                let mut inner = Map::new();
                inner.insert("type".into(), ty);
                for c in CONSTRAINTS {
                    if let Some(x) = map.remove(c) {
                        inner.insert(c.into(), x);
                    }
                }
                map.remove("type");
                map.insert("oneOf".into(), json!([{"type": "null"}, Value::Object(inner)]));
            }
            map.values_mut().for_each(nullable_as_one_of);
        }
        Value::Array(items) => items.iter_mut().for_each(nullable_as_one_of),
        _ => {}
    }
}
