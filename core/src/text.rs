//! Brazilian-Portuguese labels for domain values, shared by the console and the backend's
//! problem messages (seed 003 item 27.14.8: the whole interface in Portuguese).

use crate::alarm::{AlarmKind, Outcome, Severity};
use crate::auth::Role;
use crate::geom::GeomError;
use crate::monitoring::{DeviceAction, DeviceKind, Regime, ZoneKind};
use crate::samu::{CallType, Priority, VehicleKind, VehicleStatus};

/// Lower case without accents, to compare what was typed with what is stored (municipality
/// names, addresses, places searched on the map).
pub fn fold(s: &str) -> String {
    s.chars()
        .flat_map(char::to_lowercase)
        .map(|c| match c {
            'á' | 'à' | 'â' | 'ã' | 'ä' => 'a',
            'é' | 'è' | 'ê' | 'ë' => 'e',
            'í' | 'ì' | 'î' | 'ï' => 'i',
            'ó' | 'ò' | 'ô' | 'õ' | 'ö' => 'o',
            'ú' | 'ù' | 'û' | 'ü' => 'u',
            'ç' => 'c',
            c => c,
        })
        .collect()
}

pub fn call_type(v: CallType) -> &'static str {
    match v {
        CallType::Atendimento => "Atendimento",
        CallType::Trote => "Trote",
        CallType::Engano => "Engano",
        CallType::LigacaoInterrompida => "Ligação interrompida",
        CallType::InformacaoSaude => "Informação em saúde",
        CallType::Outro => "Outro",
    }
}

pub fn priority(v: Priority) -> &'static str {
    match v {
        Priority::Emergency => "Vermelha — emergência",
        Priority::VeryUrgent => "Laranja — muito urgente",
        Priority::Urgent => "Amarela — urgente",
        Priority::LessUrgent => "Verde — pouco urgente",
        Priority::NotUrgent => "Azul — não urgente",
    }
}

pub fn demand_type(v: crate::samu::DemandType) -> &'static str {
    use crate::samu::DemandType::*;
    match v {
        Clinical => "Clínica",
        Trauma => "Trauma",
        Psychiatric => "Psiquiátrica",
        Obstetric => "Obstétrica",
        Other => "Outra",
    }
}

pub fn request_type(v: crate::samu::RequestType) -> &'static str {
    match v {
        crate::samu::RequestType::PreHospital => "Atendimento pré-hospitalar",
        crate::samu::RequestType::InterHospital => "Transferência inter-hospitalar",
    }
}

pub fn sex(v: crate::samu::Sex) -> &'static str {
    match v {
        crate::samu::Sex::Female => "Feminino",
        crate::samu::Sex::Male => "Masculino",
        crate::samu::Sex::Unknown => "Não informado",
    }
}

pub fn regulator_stage(v: crate::samu::RegulatorStage) -> &'static str {
    match v {
        crate::samu::RegulatorStage::Primary => "regulador primário",
        crate::samu::RegulatorStage::Secondary => "regulador secundário",
    }
}

pub fn vehicle_kind(v: VehicleKind) -> &'static str {
    match v {
        VehicleKind::Usb => "USB",
        VehicleKind::Usa => "USA",
        VehicleKind::Motolancia => "Motolância",
        VehicleKind::Vir => "VIR",
    }
}

pub fn vehicle_status(v: VehicleStatus) -> &'static str {
    match v {
        VehicleStatus::Available => "Disponível",
        VehicleStatus::Committed => "Empenhada",
        VehicleStatus::EnRoute => "A caminho",
        VehicleStatus::OnScene => "No local",
        VehicleStatus::Transporting => "Transportando",
        VehicleStatus::AtDestination => "No destino",
        VehicleStatus::StretcherRetained => "Maca retida",
        VehicleStatus::Returning => "Retornando",
        VehicleStatus::AtBase => "Na base",
        VehicleStatus::Maintenance => "Manutenção",
    }
}

/// The measurements of a care entry in one line: "PA 120/80 · FC 110 · SpO2 95% · Glasgow 15";
/// empty when none was taken.
pub fn vitals(r: &crate::samu::care::CareRecord) -> String {
    let s = &r.vitals;
    let mut out = Vec::new();
    let mut put = |label: &str, x: Option<String>| {
        if let Some(x) = x {
            out.push(format!("{label} {x}"));
        }
    };
    put("PA", s.sbp.map(|p| format!("{p}/{}", s.dbp.map_or("—".into(), |d| d.to_string()))));
    put("FC", s.hr.map(|x| x.to_string()));
    put("FR", s.rr.map(|x| x.to_string()));
    put("SpO2", s.spo2.map(|x| format!("{x}%")));
    put("Temp.", s.temp_c.map(|x| format!("{x:.1} °C").replace('.', ",")));
    put("Glicemia", s.glucose.map(|x| x.to_string()));
    put("Glasgow", r.glasgow_total.map(|x| x.to_string()));
    put("RTS", r.trauma_score.map(|x| format!("{x:.2}").replace('.', ",")));
    out.join(" · ")
}

pub fn attachment_kind(v: crate::samu::care::AttachmentKind) -> &'static str {
    use crate::samu::care::AttachmentKind;
    match v {
        AttachmentKind::Photo => "Foto",
        AttachmentKind::Audio => "Áudio",
        AttachmentKind::Video => "Vídeo",
        AttachmentKind::Document => "Documento",
    }
}

/// The alarm kinds a group's rules may switch off, for error messages.
pub fn optional_alarm_kinds() -> String {
    AlarmKind::OPTIONAL_PER_GROUP.map(alarm_kind).join(", ")
}

pub fn outcome(v: Outcome) -> &'static str {
    match v {
        Outcome::Handled => "Tratado",
        Outcome::FalseAlarm => "Alarme falso",
        Outcome::Forwarded => "Encaminhado",
    }
}

pub fn alarm_kind(v: AlarmKind) -> &'static str {
    match v {
        AlarmKind::InclusionZoneExit => "Saída da zona de inclusão",
        AlarmKind::ScheduleStartOutside => "Fora da zona de inclusão no início do horário",
        AlarmKind::ContinuousZoneExit => "Saída da zona de monitoramento contínuo",
        AlarmKind::WrongInstallation => "Instalação incorreta",
        AlarmKind::DeviceOff => "Dispositivo desligado por falta de bateria",
        AlarmKind::GnssLost => "Perda de sinal GNSS",
        AlarmKind::Shielding => "Blindagem (envelopamento metálico)",
        AlarmKind::CommonPlace => "Local frequentado em comum",
        AlarmKind::AggressorNearVictim => "Agressor próximo à vítima",
        AlarmKind::ExclusionZoneEntry => "Entrada em zona de exclusão",
        AlarmKind::WarningZoneEntry => "Entrada em zona de advertência",
        AlarmKind::StrapCut => "Rompimento da cinta",
        AlarmKind::Tamper => "Violação do dispositivo",
        AlarmKind::BodyNotDetected => "Corpo não detectado",
        AlarmKind::BatteryCritical => "Bateria crítica",
        AlarmKind::SignalLost => "Perda de comunicação celular",
        AlarmKind::Jamming => "Interferência (jammer)",
        AlarmKind::Encounter => "Encontro entre monitorados",
        AlarmKind::LateData => "Dados atrasados",
        AlarmKind::Panic => "Pânico / SOS acionado no dispositivo",
        AlarmKind::CallOverTime => "Chamada acima do tempo",
        AlarmKind::PriorityAlert => "Alerta de priorização",
        AlarmKind::VehicleStationary => "Viatura empenhada parada",
        AlarmKind::MovingWithoutDispatch => "Viatura em movimento sem empenho",
        AlarmKind::RiskAlert => "Alerta de classificação de risco",
        AlarmKind::CrewNeedsSupport => "Equipe solicita apoio",
        AlarmKind::MultipleVictims => "Múltiplas vítimas",
    }
}

pub fn measure(v: crate::alarm::Measure) -> &'static str {
    use crate::alarm::Measure;
    match v {
        Measure::Letter => "Ofício enviado",
        Measure::RecaptureRequest => "Pedido de recaptura",
        Measure::WrittenWarning => "Advertência escrita",
        Measure::VerbalWarning => "Advertência verbal",
        Measure::Justification => "Justificativa do monitorado",
        Measure::Other => "Outra providência",
    }
}

pub fn severity(v: Severity) -> &'static str {
    match v {
        Severity::Low => "Baixa",
        Severity::Medium => "Média",
        Severity::High => "Alta",
        Severity::Critical => "Crítica",
    }
}

pub fn role(v: Role) -> &'static str {
    match v {
        Role::Tarm => "TARM",
        Role::Regulator => "Médico regulador",
        Role::FleetController => "Controlador de frota",
        Role::Supervisor => "Supervisor",
        Role::MonitoringOperator => "Operador de monitoramento",
        Role::MonitoringAdmin => "Administrador de monitoramento",
        Role::Crew => "Equipe",
        Role::Admin => "Administrador",
        Role::Auditor => "Auditor",
    }
}

pub fn regime(v: Regime) -> &'static str {
    match v {
        Regime::HouseArrest => "Prisão domiciliar",
        Regime::SemiOpen => "Semiaberto",
        Regime::Open => "Aberto",
        Regime::ProtectiveMeasure => "Medida protetiva",
        Regime::Victim => "Vítima",
    }
}

pub fn zone_kind(v: ZoneKind) -> &'static str {
    match v {
        ZoneKind::Inclusion => "Inclusão",
        ZoneKind::Exclusion => "Exclusão",
        ZoneKind::Warning => "Advertência",
        ZoneKind::Continuous => "Contínua",
    }
}

pub fn device_kind(v: DeviceKind) -> &'static str {
    match v {
        DeviceKind::AnkleBracelet => "Tornozeleira",
        DeviceKind::VictimUnit => "Unidade da vítima",
        DeviceKind::VehicleTracker => "Rastreador veicular",
    }
}

/// A step in a device's life, as a button or a history line names it (III-2.12).
pub fn device_action(v: DeviceAction) -> &'static str {
    match v {
        DeviceAction::Activate { person_id: Some(_) } => "Instalar na pessoa",
        DeviceAction::Activate { person_id: None } => "Ativar",
        DeviceAction::Return => "Devolver ao estoque",
        DeviceAction::Defective => "Com defeito",
        DeviceAction::Lost => "Extraviado",
        DeviceAction::Restock => "Reparado / achado",
        DeviceAction::Deactivate => "Desativar",
        DeviceAction::Replace { .. } => "Substituir",
    }
}

pub fn geom_error(e: &GeomError) -> String {
    match e {
        GeomError::Latitude(v) => format!("latitude {v} fora de -90 a 90"),
        GeomError::Longitude(v) => format!("longitude {v} fora de -180 a 180"),
        GeomError::Radius(v) if v.is_finite() && v.abs() < 1e9 => format!(
            "o raio deve ficar entre {:.0} m e {:.0} km (recebido {v:.1} m)",
            crate::geom::MIN_RADIUS_M,
            crate::geom::MAX_RADIUS_M / 1000.0
        )
        .replace('.', ","),
        GeomError::Radius(_) => format!(
            "o raio deve ficar entre {:.0} m e {:.0} km",
            crate::geom::MIN_RADIUS_M,
            crate::geom::MAX_RADIUS_M / 1000.0
        ),
        GeomError::TooManyVertices(n) => {
            format!("o polígono pode ter até {} vértices (recebidos {n})", crate::geom::MAX_VERTICES)
        }
        GeomError::SelfIntersection => {
            "as bordas do polígono se cruzam; desenhe-o sem cruzamentos".to_owned()
        }
        GeomError::Polygon(n) => format!("polígono precisa de ao menos 3 vértices distintos (recebidos {n})"),
        GeomError::Rectangle => "cantos do retângulo invertidos".to_owned(),
    }
}

pub fn schedule_error(e: &crate::schedule::ScheduleError) -> String {
    use crate::schedule::ScheduleError;
    match e {
        ScheduleError::Empty => "informe ao menos um período".to_owned(),
        ScheduleError::Time(t) => format!("hora \"{t}\" inválida; use HH:MM"),
        ScheduleError::Day(d) => format!("dia {d} inválido; use 1 (segunda) a 7 (domingo)"),
        ScheduleError::TimeZone(t) => {
            format!("fuso horário \"{t}\" desconhecido; use o nome IANA do município, ex.: America/Manaus")
        }
    }
}
