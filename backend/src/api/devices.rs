//! Devices: registration (with their person or vehicle link), their life from stock to write-off
//! (III-2.12) and the commands sent to them (16.2.15, III-2.20).

use super::monitoring::{get_of, list_of};
use super::{Body, Caller, check, created, parse_id};
use crate::error::ApiResult;
use crate::server::AppState;
use crate::store::{Entity, Store, StoreError};
use atalaia_core::auth::Permission;
use atalaia_core::command::{CommandKind, CommandState, DeviceCommand};
use atalaia_core::ids::DeviceId;
use atalaia_core::monitoring::{Device, DeviceAction, DeviceState, Person, Why, active_on};
use atalaia_core::samu::Vehicle;
use atalaia_core::wire::{DeviceChange, FieldError, NewCommand, NewDevice, Problem};
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::routing::get;
use axum::{Json, Router};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/devices", get(list_devices).post(create_device))
        .route("/devices/{id}", get(get_device))
        .route("/devices/{id}/state", axum::routing::post(change_device_state))
        .route("/devices/{id}/commands", get(list_commands).post(send_command))
}

#[utoipa::path(get, path = "/api/v1/devices", tag = "monitoring", responses((status = 200, body = [Device]), (status = 403, body = Problem)), security(("bearer" = [])))]
pub async fn list_devices(State(s): State<AppState>, caller: Caller) -> ApiResult<Json<Vec<Device>>> {
    list_of(&s, &caller, Permission::DeviceRead).await
}

#[utoipa::path(get, path = "/api/v1/devices/{id}", tag = "monitoring", params(("id" = atalaia_core::ids::DeviceId, Path)), responses((status = 200, body = Device), (status = 404, body = Problem)), security(("bearer" = [])))]
pub async fn get_device(
    State(s): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> ApiResult<Json<Device>> {
    get_of(&s, &caller, Permission::DeviceRead, &id).await
}

/// Register a device; linking it to a vehicle also records the tracker on the vehicle.
#[utoipa::path(post, path = "/api/v1/devices", tag = "monitoring", request_body = NewDevice,
    responses((status = 201, body = Device), (status = 200, body = Device, description = "replay of an id already stored"),
        (status = 404, body = Problem, description = "the person or the vehicle named does not exist"),
        (status = 409, body = Problem), (status = 422, body = Problem)), security(("bearer" = [])))]
pub async fn create_device(
    State(state): State<AppState>,
    caller: Caller,
    Body(new): Body<NewDevice>,
) -> ApiResult<(StatusCode, Json<Device>)> {
    caller.require(Permission::DeviceWrite)?;
    let actor = caller.actor();
    let mut errors = new.validate();
    if let Some(m) = new.model.as_deref()
        && state.models.get(m).is_none()
    {
        let known: Vec<&str> = state.models.all().iter().map(|m| m.id.as_str()).collect();
        errors.push(FieldError::new(
            "model",
            &format!("Modelo de dispositivo desconhecido: {m}. Modelos: {}.", known.join(", ")),
        ));
    }
    check(errors)?;
    let unit = super::reach::unit(&caller);
    let (new_record, d) = state
        .store
        .write(move |ctx| {
            if let Some(stored) = Store::existing::<Device, _>(ctx.conn, new.id)? {
                return Ok((false, super::reach::get(ctx.conn, unit.as_deref(), &stored.id.to_string())?));
            }
            let d = Device {
                id: new.id.unwrap_or_default(),
                imei: new.imei.trim().to_owned(),
                kind: new.kind,
                state: new.state,
                sim1: new.sim1,
                sim2: new.sim2,
                person_id: new.person_id,
                vehicle_id: new.vehicle_id,
                last_contact: None,
                battery_pct: None,
                model: new.model,
                report_interval_s: new.report_interval_s,
                history: Vec::new(),
                created_at: ctx.now,
            };
            if Store::find_by::<Device>(ctx.conn, "imei", &d.imei)?.is_some() {
                return Err(StoreError::Conflict(format!("O identificador {} já está cadastrado.", d.imei)));
            }
            if let Some(p) = d.person_id {
                let person = super::reach::person(ctx.conn, unit.as_deref(), p)?;
                if d.state == DeviceState::Active {
                    one_active(ctx.conn, &person, &d)?;
                }
            }
            if let Some(v) = d.vehicle_id {
                let mut vehicle: Vehicle = Store::get_required(ctx.conn, &v.to_string())?;
                vehicle.device_id = Some(d.id);
                vehicle.updated_at = ctx.now;
                ctx.save(&vehicle)?;
            }
            ctx.save(&d)?;
            ctx.audit(&actor, "device.create", &d.id.to_string(), &d.imei)?;
            Ok((true, d))
        })
        .await?;
    Ok(created(new_record, d))
}

/// A person wears one active device of a kind: fitting a second one is refused (409) with the
/// way to do it (III-2.12).
fn one_active(conn: crate::store::db::Db<'_>, person: &Person, device: &Device) -> Result<(), StoreError> {
    let devices = Store::list::<Device>(conn)?;
    match active_on(&devices, person.id, device.kind, device.id) {
        Some(worn) => Err(StoreError::Conflict(format!(
            "{} já está com o dispositivo {} ativo. Para trocar, use Substituir nesse dispositivo.",
            person.name, worn.imei
        ))),
        None => Ok(()),
    }
}

/// A step in a device's life (III-2.12): activate (on a wearer), return to stock, defective,
/// lost, restock, deactivate, or replace on its wearer by a spare from stock — both devices
/// change in one transaction. The reason is required for all but activation; every step is kept
/// on the device's record and in the audit trail. What the state does not allow is 409.
#[utoipa::path(post, path = "/api/v1/devices/{id}/state", tag = "monitoring", params(("id" = atalaia_core::ids::DeviceId, Path)),
    request_body = DeviceChange,
    responses((status = 200, body = Device), (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)),
    security(("bearer" = [])))]
pub async fn change_device_state(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    Body(change): Body<DeviceChange>,
) -> ApiResult<Json<Device>> {
    caller.require(Permission::DeviceWrite)?;
    let id: DeviceId = parse_id(&id, Device::WHAT)?;
    check(change.validate())?;
    let actor = caller.actor();
    let by = caller.user.display_name.clone();
    let unit = super::reach::unit(&caller);
    let d = state
        .store
        .write(move |ctx| {
            let mut d: Device = super::reach::get(ctx.conn, unit.as_deref(), &id.to_string())?;
            let why = Why { by: &by, at: ctx.now, reason: &change.reason };
            let (wearer, vehicle) = (d.person_id, d.vehicle_id);
            let mut detail = format!("{}: {}", d.imei, d.state.label());
            if let DeviceAction::Activate { person_id: Some(p) } = change.action {
                let person = super::reach::person(ctx.conn, unit.as_deref(), p)?;
                one_active(ctx.conn, &person, &d)?;
                detail.push_str(&format!(" → em {}", person.name));
            }
            d.apply(change.action, why).map_err(StoreError::Conflict)?;
            detail.push_str(&format!(" → {}", d.state.label()));
            // A tracker out of use leaves its vehicle without one.
            if let (Some(v), None) = (vehicle, d.vehicle_id)
                && let Some(mut v) = Store::get::<Vehicle>(ctx.conn, &v.to_string())?
                && v.device_id == Some(d.id)
            {
                v.device_id = None;
                v.updated_at = ctx.now;
                ctx.save(&v)?;
                detail.push_str(&format!("; retirado da viatura {}", v.code));
            }
            if let DeviceAction::Replace { by: spare, .. } = change.action {
                let mut spare: Device = super::reach::get(ctx.conn, unit.as_deref(), &spare.to_string())?;
                let wearer =
                    wearer.ok_or_else(|| StoreError::Conflict("O dispositivo não tem portador.".into()))?;
                spare.fit_as_replacement(&d, wearer, why).map_err(StoreError::Conflict)?;
                ctx.save(&spare)?;
                detail.push_str(&format!("; substituto {} ativo", spare.imei));
                ctx.audit(
                    &actor,
                    "device.fit",
                    &spare.id.to_string(),
                    &format!("{} substitui {}", spare.imei, d.imei),
                )?;
            }
            if !change.reason.trim().is_empty() {
                detail.push_str(&format!(" ({})", change.reason.trim()));
            }
            ctx.save(&d)?;
            ctx.audit(&actor, change.action.audit_action(), &d.id.to_string(), &detail)?;
            Ok(d)
        })
        .await?;
    Ok(Json(d))
}

/// Commands sent to a device, newest first, with their delivery state.
#[utoipa::path(get, path = "/api/v1/devices/{id}/commands", tag = "monitoring", params(("id" = atalaia_core::ids::DeviceId, Path)),
    responses((status = 200, body = [DeviceCommand]), (status = 404, body = Problem)), security(("bearer" = [])))]
pub async fn list_commands(
    State(s): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> ApiResult<Json<Vec<DeviceCommand>>> {
    caller.require(Permission::DeviceRead)?;
    let id: DeviceId = parse_id(&id, Device::WHAT)?;
    let unit = super::reach::unit(&caller);
    let mut list = s
        .store
        .read(move |c| {
            super::reach::get::<Device>(c, unit.as_deref(), &id.to_string())?;
            Store::list_by::<DeviceCommand>(c, "device_id", &id.to_string())
        })
        .await?;
    list.sort_by_key(|c| std::cmp::Reverse(c.created_at));
    Ok(Json(list))
}

/// Queue a command for a device (16.2.15, III-2.20): an alert to the wearer needs the right to
/// handle alarms, a new reporting interval the right to manage devices. Answers 202: delivery
/// and the device's acknowledgement follow on the live feed.
#[utoipa::path(post, path = "/api/v1/devices/{id}/commands", tag = "monitoring", params(("id" = atalaia_core::ids::DeviceId, Path)),
    request_body = NewCommand,
    responses((status = 202, body = DeviceCommand), (status = 409, body = Problem, description = "the device is not active"), (status = 404, body = Problem), (status = 422, body = Problem)),
    security(("bearer" = [])))]
pub async fn send_command(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    Body(new): Body<NewCommand>,
) -> ApiResult<(StatusCode, Json<DeviceCommand>)> {
    caller.require(match new.kind {
        CommandKind::Alert { .. } => Permission::AlarmHandle,
        CommandKind::ReportInterval { .. } => Permission::DeviceWrite,
    })?;
    let actor = caller.actor();
    let device: DeviceId = parse_id(&id, Device::WHAT)?;
    if let Some(problem) = new.kind.problem() {
        check(vec![FieldError::new("kind", problem)])?;
    }
    let by = caller.user.id;
    let unit = super::reach::unit(&caller);
    let command = state
        .store
        .write(move |ctx| {
            let d = super::reach::get::<Device>(ctx.conn, unit.as_deref(), &device.to_string())?;
            if let Some(stored) = Store::existing::<DeviceCommand, _>(ctx.conn, new.id)? {
                // A replay is of a command to this device.
                if stored.device_id != device {
                    return Err(StoreError::NotFound(Device::WHAT));
                }
                return Ok((stored, d.imei));
            }
            if !d.accepts_data() {
                return Err(StoreError::Conflict("O dispositivo não está ativo.".into()));
            }
            let c = DeviceCommand {
                id: new.id.unwrap_or_default(),
                device_id: device,
                kind: new.kind,
                tag: Store::next_counter(ctx.conn, "command_tag")? as u32,
                created_by: by,
                created_at: ctx.now,
                state: CommandState::Queued,
                attempts: 0,
            };
            ctx.save(&c)?;
            ctx.audit(&actor, "device.command", &d.id.to_string(), &c.kind.text())?;
            Ok((c, d.imei))
        })
        .await?;
    let (command, imei) = command;
    state.commands.set_pending(&imei, true);
    state.commands.wake(device);
    Ok((StatusCode::ACCEPTED, Json(command)))
}
