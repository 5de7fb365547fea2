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

#[derive(OpenApi)]
#[openapi(
    info(title = "Atalaia API", description = "SAMU 192 regulation and electronic-monitoring operations. \
        Errors are RFC 9457 application/problem+json with a stable `code`. The live feed is a WebSocket at \
        /api/v1/live (Bearer token or ?token=; ?since=SEQ resumes) carrying LiveMessage frames."),
    paths(
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
    modifiers(&BearerAuth),
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
