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

pub async fn document() -> Json<utoipa::openapi::OpenApi> {
    Json(ApiDoc::openapi())
}
