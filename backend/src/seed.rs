//! The demo dataset: one user per role, the simulated fleet's vehicles and trackers, monitored
//! people in Porto Velho with their bracelets and zones, calls waiting for regulation in Belo
//! Horizonte and a few open alarms. Seeding is idempotent: it does nothing on a database that
//! already has vehicles.

use crate::auth;
use crate::error::ApiError;
use crate::sim::{self, Behaviour, UnitKind};
use crate::store::{Store, StoreError};
use atalaia_core::alarm::{Alarm, AlarmKind, Subject};
use atalaia_core::auth::Role;
use atalaia_core::geom::Shape;
use atalaia_core::ids::{DeviceId, OccurrenceId, PersonId, UserId, VehicleId, ZoneId};
use atalaia_core::monitoring::{Device, DeviceKind, DeviceState, Person, Regime, Zone, ZoneKind};
use atalaia_core::samu::{
    CallType, Occurrence, OccurrencePhase, Priority, Telemetry, Vehicle, VehicleKind, VehicleStatus,
};
use atalaia_core::schedule::{WeeklySchedule, Window};
use atalaia_core::wire::NewUser;
use chrono::{Datelike, Duration};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

/// Password of every demo user (demo databases only).
pub const DEMO_PASSWORD: &str = "atalaia-demo";

/// Demo users: (username, display name, role).
pub const DEMO_USERS: [(&str, &str, Role); 9] = [
    ("supervisor", "Marcos Silva", Role::Supervisor),
    ("tarm", "Ana Souza", Role::Tarm),
    ("regulador", "Dr. Paulo Lima", Role::Regulator),
    ("frota", "Carla Mendes", Role::FleetController),
    ("operador", "Joana Rocha", Role::MonitoringOperator),
    ("admmon", "Rafael Costa", Role::MonitoringAdmin),
    ("equipe", "Equipe USA-01", Role::Crew),
    ("admin", "Administrador", Role::Admin),
    ("auditor", "Beatriz Alves", Role::Auditor),
];

const FIRST: [&str; 16] = [
    "João",
    "Maria",
    "José",
    "Ana",
    "Carlos",
    "Francisca",
    "Paulo",
    "Antônia",
    "Lucas",
    "Adriana",
    "Pedro",
    "Juliana",
    "Marcos",
    "Luana",
    "Rafael",
    "Patrícia",
];
const LAST: [&str; 16] = [
    "da Silva",
    "dos Santos",
    "Oliveira",
    "Souza",
    "Rodrigues",
    "Ferreira",
    "Alves",
    "Pereira",
    "Lima",
    "Gomes",
    "Costa",
    "Ribeiro",
    "Martins",
    "Carvalho",
    "Almeida",
    "Nascimento",
];

#[derive(Debug, Clone, Copy)]
pub struct DemoOptions {
    pub seed: u64,
    pub bracelets: usize,
    pub ambulances: usize,
}

impl Default for DemoOptions {
    fn default() -> Self {
        let sim = sim::SimConfig::default();
        Self { seed: sim.seed, bracelets: sim.bracelets, ambulances: sim.ambulances }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum SeedError {
    #[error("store: {0}")]
    Store(#[from] StoreError),
    #[error("users: {0:?}")]
    Users(ApiError),
}

/// Seed the demo dataset. Returns false when the database already had data.
pub async fn demo(store: &Store, opts: DemoOptions, tz: chrono_tz::Tz) -> Result<bool, SeedError> {
    let has_fleet =
        store.read(|c| Ok(Store::scalar_i64(c, "SELECT COUNT(*) FROM vehicles")?.unwrap_or(0) > 0)).await?;
    if has_fleet {
        return Ok(false);
    }
    let mut operator = None;
    for (username, display, role) in DEMO_USERS {
        let new = NewUser {
            username: username.into(),
            display_name: display.into(),
            role,
            password: DEMO_PASSWORD.into(),
            unit: None,
        };
        match auth::create_user(store, None, new, false).await {
            Ok(u) if role == Role::MonitoringOperator => operator = Some(u.id),
            Ok(_) => {}
            // A user created earlier (e.g. the bootstrap admin) is fine.
            Err(ApiError::Conflict(_)) => {}
            Err(e) => return Err(SeedError::Users(e)),
        }
    }
    let operator = operator.unwrap_or_default();
    store.write(move |ctx| seed_data(ctx, opts, operator, tz)).await?;
    tracing::info!(bracelets = opts.bracelets, ambulances = opts.ambulances, "demo dataset seeded");
    Ok(true)
}

fn seed_data(
    ctx: &mut crate::store::WriteCtx<'_>,
    opts: DemoOptions,
    operator: UserId,
    tz: chrono_tz::Tz,
) -> Result<(), StoreError> {
    let now = ctx.now;
    let mut rng = ChaCha8Rng::seed_from_u64(opts.seed);
    let units = sim::fleet(opts.seed, opts.bracelets, opts.ambulances);
    let (mut usa, mut usb) = (0, 0);
    let mut persons = Vec::new();
    for (i, unit) in units.iter().enumerate() {
        let device_id = DeviceId::new();
        match unit.kind {
            UnitKind::Ambulance => {
                let kind = if i % 3 == 0 { VehicleKind::Usa } else { VehicleKind::Usb };
                let n = if kind == VehicleKind::Usa {
                    usa += 1;
                    usa
                } else {
                    usb += 1;
                    usb
                };
                let city = unit.city;
                let prefix = if city == sim::PORTO_VELHO { "PVH-" } else { "" };
                let v = Vehicle {
                    id: VehicleId::new(),
                    code: format!("{prefix}{}-{n:02}", atalaia_core::text::vehicle_kind(kind)),
                    kind,
                    status: if rng.random_bool(0.7) {
                        VehicleStatus::Available
                    } else {
                        VehicleStatus::EnRoute
                    },
                    base: format!("Base {}", ["Centro", "Norte", "Sul", "Leste", "Oeste"][i % 5]),
                    municipality: city.name.into(),
                    conveniado: false,
                    device_id: Some(device_id),
                    telemetry: Telemetry { position: Some(unit.anchor), ..Telemetry::default() },
                    updated_at: now,
                    crew: None,
                };
                ctx.save(&tracker(device_id, &unit.imei, DeviceKind::VehicleTracker, None, Some(v.id), now))?;
                ctx.save(&v)?;
            }
            UnitKind::Bracelet(behaviour) => {
                let name = format!(
                    "{} {}",
                    FIRST[rng.random_range(0..FIRST.len())],
                    LAST[rng.random_range(0..LAST.len())]
                );
                let regime = match behaviour {
                    Behaviour::HomeBound => Regime::HouseArrest,
                    Behaviour::Commuter => Regime::SemiOpen,
                    Behaviour::Free => Regime::ProtectiveMeasure,
                };
                let p = Person {
                    id: PersonId::new(),
                    name,
                    record: format!(
                        "{:07}-{:02}.{}.8.22.0001",
                        rng.random_range(0..9_999_999),
                        rng.random_range(0..99),
                        now.year() - 1
                    ),
                    regime,
                    group: Some(
                        match regime {
                            Regime::HouseArrest => "Prisão domiciliar",
                            Regime::SemiOpen => "Semiaberto",
                            _ => "Violência doméstica",
                        }
                        .into(),
                    ),
                    region: Some(format!("Regional {}", ["I", "II", "III"][i % 3])),
                    responsible: Some("Rafael Costa".into()),
                    linked_person: None,
                    personal: Default::default(),
                    revision: Default::default(),
                    created_at: now,
                    photo: None,
                };
                ctx.save(&p)?;
                ctx.save(&tracker(device_id, &unit.imei, DeviceKind::AnkleBracelet, Some(p.id), None, now))?;
                // House arrest: home at all times. Semi-open: home at night (curfew, in the
                // site's time zone). Protective measure: the victim's home is an exclusion zone
                // with a warning buffer (III-2.10).
                let (zone_name, kind, shape, schedule, warning_m) = match regime {
                    Regime::ProtectiveMeasure => (
                        "Residência da vítima",
                        ZoneKind::Exclusion,
                        Shape::Circle {
                            center: unit.home.moved(rng.random_range(0.0..360.0), 2_800.0),
                            radius_m: 300.0,
                        },
                        None,
                        Some(200.0),
                    ),
                    Regime::SemiOpen => (
                        "Residência (recolhimento noturno)",
                        ZoneKind::Inclusion,
                        Shape::Circle { center: unit.home, radius_m: 150.0 },
                        Some(WeeklySchedule {
                            windows: vec![Window {
                                days: vec![1, 2, 3, 4, 5, 6, 7],
                                start: "20:00".into(),
                                end: "06:00".into(),
                            }],
                            timezone: None,
                        }),
                        None,
                    ),
                    _ => (
                        "Residência",
                        ZoneKind::Inclusion,
                        Shape::Circle { center: unit.home, radius_m: 150.0 },
                        None,
                        None,
                    ),
                };
                ctx.save(&Zone {
                    id: ZoneId::new(),
                    name: zone_name.into(),
                    kind,
                    shape,
                    person_id: Some(p.id),
                    group: None,
                    active: true,
                    schedule,
                    warning_m,
                    created_at: now,
                    lifted: None,
                })?;
                persons.push(p.id);
            }
        }
    }
    seed_alarms(ctx, &persons, operator)?;
    seed_calls(ctx, &mut rng, tz)
}

fn tracker(
    id: DeviceId,
    imei: &str,
    kind: DeviceKind,
    person_id: Option<PersonId>,
    vehicle_id: Option<VehicleId>,
    now: chrono::DateTime<chrono::Utc>,
) -> Device {
    Device {
        id,
        imei: imei.into(),
        kind,
        state: DeviceState::Active,
        sim1: Some("Operadora A".into()),
        sim2: Some("Operadora B".into()),
        person_id,
        vehicle_id,
        last_contact: None,
        battery_pct: None,
        model: None,
        report_interval_s: None,
        history: Vec::new(),
        created_at: now,
    }
}

fn seed_alarms(
    ctx: &mut crate::store::WriteCtx<'_>,
    persons: &[PersonId],
    operator: UserId,
) -> Result<(), StoreError> {
    let kinds = [
        (AlarmKind::StrapCut, 2),
        (AlarmKind::InclusionZoneExit, 7),
        (AlarmKind::Tamper, 12),
        (AlarmKind::SignalLost, 25),
        (AlarmKind::WarningZoneEntry, 4),
    ];
    for (i, (kind, minutes_ago)) in kinds.into_iter().enumerate() {
        let Some(person) = persons.get(i * 3) else { break };
        let at = ctx.now - Duration::minutes(minutes_ago);
        let mut a = Alarm::new(kind, Subject::Person(*person), None, at, at);
        if kind == AlarmKind::SignalLost {
            // One alarm already in someone's hands, as on a real shift.
            a.claim(operator, ctx.now - Duration::minutes(20))
                .map_err(|e| StoreError::Conflict(e.to_string()))?;
        }
        ctx.save(&a)?;
    }
    Ok(())
}

fn seed_calls(
    ctx: &mut crate::store::WriteCtx<'_>,
    rng: &mut ChaCha8Rng,
    tz: chrono_tz::Tz,
) -> Result<(), StoreError> {
    let calls = [
        ("Rua da Bahia, 1148 - Centro", "Dor torácica há 30 minutos, sudorese", Some(Priority::Emergency), 3),
        (
            "Av. Afonso Pena, 3000 - Funcionários",
            "Queda de altura, consciente",
            Some(Priority::VeryUrgent),
            9,
        ),
        (
            "Rua Padre Eustáquio, 1500 - Padre Eustáquio",
            "Idosa com febre e confusão",
            Some(Priority::Urgent),
            14,
        ),
        ("Av. Amazonas, 5200 - Gameleira", "Colisão moto x carro, vítima no solo", None, 1),
        ("Rua Jacuí, 800 - Concórdia", "Crise convulsiva, já cessou", Some(Priority::LessUrgent), 22),
    ];
    let year = ctx.now.with_timezone(&tz).year();
    for (address, description, priority, minutes_ago) in calls {
        let n = Store::next_counter(ctx.conn, &format!("occurrence-{year}"))?;
        let at = ctx.now - Duration::minutes(minutes_ago);
        let location =
            sim::BELO_HORIZONTE.center.moved(rng.random_range(0.0..360.0), rng.random_range(500.0..6_000.0));
        let mut occ = Occurrence::new(
            OccurrenceId::new(),
            format!("{year}-{n:06}"),
            CallType::Atendimento,
            String::new(),
            format!("319{:08}", rng.random_range(80_000_000..99_999_999)),
            address.into(),
            "Belo Horizonte".into(),
            Some(location),
            description.into(),
            OccurrencePhase::Regulation,
            UserId::new(),
            at,
        );
        occ.priority = priority;
        occ.call_started_at = Some(at);
        occ.handed_off_at = Some(at + Duration::minutes(1));
        ctx.save(&occ)?;
    }
    Ok(())
}
