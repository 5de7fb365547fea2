//! The console's Brazilian-Portuguese text catalog (seed 003 item 27.14.8: the whole interface in
//! Portuguese). Every string a person reads lives here; labels of domain enums come from
//! [`atalaia_core::text`] so the backend's messages and the console agree.

use atalaia_client::ApiError;

pub const APP_NAME: &str = "Atalaia";

// Login screen.
pub const LOGIN_TITLE: &str = "Entrar no Atalaia";
pub const LOGIN_SUBTITLE: &str = "Central de operações — SAMU 192 e monitoramento eletrônico";
pub const USERNAME: &str = "Usuário";
pub const PASSWORD: &str = "Senha";
pub const LOGIN_BUTTON: &str = "Entrar";
pub const LOGGING_IN: &str = "Entrando…";
pub const LOGIN_EMPTY: &str = "Informe usuário e senha.";
pub const SESSION_EXPIRED: &str = "Sua sessão expirou. Entre novamente.";
pub const LOGGED_OUT: &str = "Sessão encerrada.";

pub fn server_failed(reason: &str) -> String {
    format!("Não foi possível iniciar o servidor local: {reason}")
}

pub fn server_at(base: &str) -> String {
    format!("Servidor: {base}")
}

pub fn demo_hint(user: &str, password: &str) -> String {
    format!("Modo demonstração — usuário: {user}  ·  senha: {password}")
}

/// A new standalone database: the administrator created with a random password.
pub fn first_run_hint(user: &str, password: &str) -> String {
    format!("Primeiro acesso — usuário: {user}  ·  senha: {password} (altere a senha após entrar)")
}

pub const NO_CONNECTION: &str = "Sem conexão com o servidor. Verifique a rede e tente novamente.";
pub const UNEXPECTED_ANSWER: &str = "Resposta inesperada do servidor.";

/// A failed request in words for the operator: the server's own Portuguese message when it refused,
/// otherwise a plain sentence (the transport's English detail goes to the log only).
pub fn api_error(e: &ApiError) -> String {
    match e {
        ApiError::Problem(_) => e.user_message(),
        ApiError::Network(_) => NO_CONNECTION.to_owned(),
        ApiError::Decode(_) => UNEXPECTED_ANSWER.to_owned(),
        ApiError::Local(said) => said.clone(),
    }
}

// Header / status strip.
pub const CONNECTING: &str = "Conectando…";
pub const CONNECTED: &str = "Conectado";
pub const LOGOUT: &str = "Sair";
pub const HINT_REGISTER: &str =
    "Ctrl+Enter registra a chamada · F2 nova chamada · F3 vítima · F4 outro telefone";
pub const HINT_CLAIM: &str = "F9 assume o próximo alarme · Alt+1…3 desfecho";
pub const HINT_TAB: &str = "Tab/Enter navegam · Ctrl+= / Ctrl+- tamanho do texto · F12 alto contraste";

/// The link is down, since when.
pub fn offline_since(since: &str) -> String {
    format!("Sem conexão desde {since}")
}

/// When the link is tried again.
pub fn retry_in(secs: i64) -> String {
    format!("nova tentativa em {}s", secs.max(0))
}

/// How old the data shown is while the link is down.
pub fn data_from(at: &str) -> String {
    format!("dados de {at}")
}

pub fn pending_commands(n: usize) -> String {
    if n == 1 { "1 comando na fila".to_owned() } else { format!("{n} comandos na fila") }
}

pub fn refused_commands(n: usize) -> String {
    if n == 1 { "1 comando recusado".to_owned() } else { format!("{n} comandos recusados") }
}

pub const CONFLICTS_TITLE: &str =
    "Recusados pelo servidor ao voltar a conexão — veja o motivo e decida: reenviar ou descartar";
pub const RESEND: &str = "Reenviar";

// About box.
pub const ABOUT: &str = "Sobre";
pub const ABOUT_WHAT: &str = "Console de operações — SAMU 192 e monitoramento eletrônico.";

pub fn about_title(version: &str) -> String {
    format!("Atalaia {version}")
}

pub fn about_server(base: &str) -> String {
    format!("Servidor: {base}")
}

pub fn about_licence(licence: &str) -> String {
    format!("Licença {licence}")
}

/// When a refused command was issued: "emitido às 03:12:40", or "emitido em 21/11 às 23:50:02".
pub fn issued_at(
    at: chrono::DateTime<chrono::Utc>,
    now: chrono::DateTime<chrono::Utc>,
    tz: chrono_tz::Tz,
) -> String {
    let (at, now) = (at.with_timezone(&tz), now.with_timezone(&tz));
    if at.date_naive() == now.date_naive() {
        format!("emitido às {}", at.format("%H:%M:%S"))
    } else {
        format!("emitido em {} às {}", at.format("%d/%m"), at.format("%H:%M:%S"))
    }
}

/// The outbox file is in trouble (its commands are still on disk).
pub const DISCARD: &str = "Descartar";
pub const HIDE: &str = "Ocultar";
pub const CALL_QUEUED: &str =
    "Chamado gravado neste console (sem conexão): será enviado ao servidor assim que a conexão voltar.";

pub fn last_seq(seq: u64) -> String {
    format!("seq {seq}")
}

// Pane titles (also the headless test's anchors).
pub const PANE_ATENDIMENTO: &str = "Atendimento";
pub const PANE_REGULACAO: &str = "Fila de regulação";
pub const PANE_MAPA: &str = "Mapa da frota";
pub const PANE_ALARMES: &str = "Alarmes";
pub const MAXIMIZE: &str = "Maximizar";
pub const RESTORE: &str = "Restaurar";

// Atendimento (TARM call taking, RFS184/RFS186).
pub const PHONE: &str = "Telefone *";
pub const PHONE_PLACEHOLDER: &str = "(31) 98888-7777";
pub const CALLER_NAME: &str = "Nome do solicitante";
pub const CALL_TYPE: &str = "Tipo de chamada (Ctrl+1…6)";
pub const ADDRESS: &str = "Endereço *";
pub const MUNICIPALITY: &str = "Município *";
pub const COMPLAINT: &str = "Queixa *";
pub const REGISTER: &str = "Registrar e enviar à regulação (Ctrl+Enter)";
pub const COMPLAINT_PLACEHOLDER: &str = "Enter registra a chamada";
pub const SUGGESTIONS: &str = "Endereços conhecidos:";
pub const NUMBER: &str = "Número";
pub const CALL_BEING_TAKEN: &str = "Chamada em registro";
pub const PICK_ON_MAP: &str = "Marcar no mapa";
pub const CANCEL: &str = "Cancelar";
pub const CLOSE_OCCURRENCE: &str = "Encerrar ocorrência";
pub const CLOSE_REASON_HINT: &str = "Motivo do encerramento (ex.: paciente entregue no destino)";
pub const CONFIRM_CLOSE: &str = "Confirmar encerramento";
pub const CLOSE_REASON_REQUIRED: &str = "Informe o motivo do encerramento.";

pub fn occurrence_closed(number: &str) -> String {
    format!("Ocorrência {number} encerrada.")
}
pub const CHOOSE_VEHICLE: &str = "Escolher viatura no mapa";

/// Over the map while the fleet controller chooses the vehicle for a call.
pub fn choose_vehicle(number: &str) -> String {
    format!("Clique na viatura para a ocorrência {number}")
}

/// The button that commits a vehicle picked on the map.
pub fn dispatch_to(vehicle: &str, number: &str) -> String {
    format!("Despachar {vehicle} para {number}")
}
pub const PICK_CALL_PLACE: &str = "Clique no mapa no local da chamada";
pub const COORDINATES: &str = "Coordenadas (lat lon)";
pub const COORDINATES_PLACEHOLDER: &str = "-19,9191 -43,9386";
pub const NO_PLACE: &str = "Local no mapa: não marcado (a frota precisa dele para despachar)";
pub const CLEAR_PLACE: &str = "Desmarcar";
pub const EXTRA_PHONES: &str = "Outros telefones (F4)";
pub const ADD_PHONE: &str = "+ Telefone";
pub const VICTIMS: &str = "Vítimas (F3)";
pub const ADD_VICTIM: &str = "+ Vítima";
pub const NO_VICTIMS: &str = "nenhuma identificada";
pub const VICTIM_NAME: &str = "Nome";
pub const VICTIM_SEX: &str = "Sexo";
pub const VICTIM_AGE: &str = "Idade";
pub const VICTIM_CPF: &str = "CPF";
pub const VICTIM_CNS: &str = "CNS";
pub const VICTIM_COMPLAINT: &str = "Queixa da vítima";
pub const REMOVE: &str = "Remover";
pub const REUSE: &str = "Usar dados";

/// Where the call's place is, and where it came from.
pub fn call_place(lat: f64, lon: f64, source: &str) -> String {
    format!("Local no mapa: {} {} · {source}", crate::text::degrees(lat), crate::text::degrees(lon))
}

/// Degrees with a Brazilian decimal comma, to 5 places (about a metre).
pub fn degrees(v: f64) -> String {
    format!("{v:.5}").replace('.', ",")
}

pub fn victim_count(n: usize) -> String {
    if n == 1 { "1 vítima".to_owned() } else { format!("{n} vítimas") }
}

pub fn victim_title(n: usize) -> String {
    format!("Vítima {n}")
}

pub fn close_call(call_type: &str) -> String {
    format!("Encerrar chamada: {call_type} (Ctrl+Enter)")
}

pub fn caller_history(n: usize) -> String {
    match n {
        0 => "Primeira chamada deste número".to_owned(),
        1 => "1 chamada anterior deste número".to_owned(),
        n => format!("{n} chamadas anteriores deste número"),
    }
}
pub const REGISTERING: &str = "Registrando…";
pub const NEW_CALL: &str = "Nova chamada (F2)";
pub const DISCARD_AGAIN: &str = "Esta chamada tem dados: pressione F2 de novo em 5 s para descartá-la.";
pub const MANDATORY_NOTE: &str = "* obrigatório para chamadas de atendimento";
pub const CALL_TIMER_IDLE: &str = "Tempo de chamada: —";
pub const RECENT_CALLS: &str = "Últimas chamadas";
pub const NO_RECENT_CALLS: &str = "Nenhuma chamada registrada";
pub const CANNOT_REGISTER: &str = "Seu perfil não registra chamadas.";
pub const FIX_ERRORS: &str = "Corrija os campos indicados.";

pub fn call_timer(elapsed: &str) -> String {
    format!("Tempo de chamada: {elapsed}")
}

/// The call timer past the centre's limit (RFS033).
pub fn over_time(timer: &str, limit_min: i64) -> String {
    format!("{timer} · acima do tempo ({limit_min} min)")
}

/// What an intake rule says of the call being typed (RFS003, RFS007).
pub fn intake_alert(a: &atalaia_core::samu::IntakeAlert) -> String {
    match a {
        atalaia_core::samu::IntakeAlert::DddOutsideCoverage { ddd } => {
            format!("Ligação do DDD {ddd}: fora da área de cobertura desta central.")
        }
        atalaia_core::samu::IntakeAlert::RegionalMunicipality { municipality } => {
            format!("{municipality}: município do SAMU-Regional, regulado por esta central.")
        }
    }
}

pub fn occurrence_registered(number: &str) -> String {
    format!("Ocorrência {number} registrada")
}

pub fn register_failed(reason: &str) -> String {
    format!("Não foi possível registrar: {reason}")
}

// Regulation queue.
pub const EMPTY_QUEUE: &str = "Fila vazia";
pub const NO_CLOSED: &str = "Nenhuma ocorrência encerrada nas últimas 24 horas";
/// The list of occurrences closed in the last day, to read or append to (RFS133).
pub const SHOW_CLOSED: &str = "Encerradas (24 h)";
pub const TAB_REGULATION: &str = "Regulação";
pub const TAB_RECORD: &str = "Registro";
pub fn tab_chat(unread: usize) -> String {
    if unread == 0 { "Chat com a equipe".to_owned() } else { format!("Chat com a equipe ({unread} nova(s))") }
}
pub const UNCLASSIFIED: &str = "Sem classificação";

/// A row's waiting time; past its priority's limit it says so in words, not only in red.
pub fn waiting(elapsed: &str, over: bool) -> String {
    if over { format!("! aguarda {elapsed}") } else { format!("aguarda {elapsed}") }
}

pub fn closed_at(when: &str) -> String {
    format!("encerrada em {when}")
}

pub fn waiting_limit(elapsed: &str, limit_min: i64) -> String {
    format!("aguarda {elapsed} (limite {limit_min} min)")
}

pub const ORIGIN_ALL: &str = "Todas";
pub const ORIGIN_OWN: &str = "Próprias";
pub const ORIGIN_CONVENIADO: &str = "Conveniadas";
pub const PRIORITY_ALL: &str = "Todas as cores";
pub const UNCLASSIFIED_SHORT: &str = "Sem cor";

/// The colour name alone, for buttons and filters.
pub fn priority_short(p: atalaia_core::samu::Priority) -> &'static str {
    use atalaia_core::samu::Priority;
    match p {
        Priority::Emergency => "Vermelha",
        Priority::VeryUrgent => "Laranja",
        Priority::Urgent => "Amarela",
        Priority::LessUrgent => "Verde",
        Priority::NotUrgent => "Azul",
    }
}

/// A municipality served under agreement (RFS183).
pub fn conveniado(municipality: &str) -> String {
    format!("{municipality} (conveniado)")
}

pub const BACK_TO_QUEUE: &str = "← Fila";
pub const REGULATION: &str = "Regulação";
pub const STAGE: &str = "Etapa";
pub const STAGE_PRIMARY: &str = "Primária";
pub const STAGE_SECONDARY: &str = "Secundária";
pub const PRIORITY: &str = "Prioridade";
pub const RESOURCE: &str = "Recurso";
pub const CONDUCT: &str = "Conduta";
pub const CONDUCT_HINT: &str = "Conduta médica, orientações à equipe";
pub const REASON: &str = "Motivo da alteração";
pub const REASON_HINT: &str = "Obrigatório ao mudar prioridade ou recurso já definidos";
pub const REGULATE: &str = "Registrar regulação (Enter)";
pub const SENDING: &str = "Enviando…";
pub const REGULATED: &str = "Regulação registrada.";
pub const NOTHING_TO_REGULATE: &str = "Nada mudou: altere um campo da regulação antes de registrar.";
pub const DEMAND: &str = "Demanda";
pub const REQUEST: &str = "Solicitação";
pub const CLINICAL: &str = "Descrição clínica";
pub const CLINICAL_HINT: &str = "Quadro clínico e contexto da cena";
pub const AMBULANCE: &str = "Ambulância?";
pub const YES: &str = "Sim";
pub const NO: &str = "Não";
pub const ORIENTATION: &str = "Orientação";
pub const ORIENTATION_HINT: &str = "Orientação dada ao solicitante";
pub const SUPPORT: &str = "Apoio externo";
pub const DESTINATION: &str = "Destino";
pub const DESTINATION_HINT: &str = "Unidade de destino do paciente";
pub const TRANSPORT: &str = "Transporte (TS)";
pub const TRANSPORT_HINT: &str = "Motivo, se for transporte de paciente";
pub const RISK_ALERT: &str = "Alertar o regulador secundário sobre o risco";
pub const REASON_REQUIRED: &str = "Informe o motivo: a prioridade ou o recurso já tinham sido definidos.";
pub const HISTORY: &str = "Histórico da regulação";
pub const NO_HISTORY: &str = "Ainda não regulada.";
pub const RECOMMENDED: &str = "Viaturas livres mais próximas";
pub const REFRESH: &str = "Atualizar";
pub const LOADING: &str = "Consultando…";
pub const NO_FREE_VEHICLE: &str = "Nenhuma viatura livre do tipo indicado.";

pub fn caller_line(name: &str, phone: &str) -> String {
    if name.trim().is_empty() {
        format!("Solicitante: {phone}")
    } else {
        format!("Solicitante: {name} · {phone}")
    }
}

pub fn current_regulation(resource: Option<&str>, conduct: &str) -> String {
    let resource = resource.unwrap_or("a definir");
    if conduct.trim().is_empty() {
        format!("Recurso: {resource}")
    } else {
        format!("Recurso: {resource} · Conduta: {conduct}")
    }
}

pub fn dispatch_button(code: &str) -> String {
    format!("Despachar {code}")
}

/// Commits a vehicle in place of another already sent (RFS054).
pub fn substitute_button(old: &str, new: &str) -> String {
    format!("Substituir {old} por {new}")
}

pub fn dispatched(code: &str) -> String {
    format!("{code} despachada.")
}

/// Road distance and estimated time of arrival, Brazilian style ("2,8 km · 4 min").
pub fn distance_eta(road_m: f64, eta_s: i64) -> String {
    let km = format!("{:.1}", road_m / 1000.0).replace('.', ",");
    format!("{km} km · {} min", (eta_s + 59) / 60)
}

/// A regulation field as people read it.
pub fn field_label(field: &str) -> String {
    match field {
        "priority" => "prioridade",
        "resource" => "recurso",
        "conduct" => "conduta",
        "description" => "descrição",
        "orientation" => "orientação",
        "destination" => "destino",
        "demand_type" => "tipo de demanda",
        "request_type" => "tipo de solicitação",
        "ambulance_needed" => "precisa de ambulância",
        "external_support" => "apoio externo",
        "patient_transport" => "transporte (TS)",
        other => other,
    }
    .to_owned()
}

/// A value as stored in the history (its wire form), as people read it.
pub fn field_value(field: &str, value: &str) -> String {
    let quoted = serde_json::Value::String(value.to_owned());
    match field {
        "priority" => serde_json::from_value(quoted)
            .map(priority_short)
            .map(str::to_owned)
            .unwrap_or_else(|_| value.to_owned()),
        "resource" => serde_json::from_value(quoted)
            .map(atalaia_core::text::vehicle_kind)
            .map(str::to_owned)
            .unwrap_or_else(|_| value.to_owned()),
        "demand_type" => serde_json::from_value(quoted)
            .map(atalaia_core::text::demand_type)
            .map(str::to_owned)
            .unwrap_or_else(|_| value.to_owned()),
        "request_type" => serde_json::from_value(quoted)
            .map(atalaia_core::text::request_type)
            .map(str::to_owned)
            .unwrap_or_else(|_| value.to_owned()),
        "external_support" => serde_json::from_str::<Vec<String>>(value)
            .map(|v| v.join(", "))
            .unwrap_or_else(|_| value.to_owned()),
        "ambulance_needed" => if value == "true" { "sim" } else { "não" }.to_owned(),
        _ => value.to_owned(),
    }
}

/// One line of the regulation history: "22/11 13:05:10 · Dra. Ana (regulador primário):
/// prioridade Amarela → Vermelha — piora do quadro".
pub fn change_line(
    at: &str,
    by: &str,
    stage: Option<&str>,
    field: &str,
    from: Option<&str>,
    to: &str,
    reason: &str,
) -> String {
    format!("{at} · {}", change_text(by, stage, field, from, to, reason))
}

/// A change of the regulation without its time: who (as which regulator), what, and why.
pub fn change_text(
    by: &str,
    stage: Option<&str>,
    field: &str,
    from: Option<&str>,
    to: &str,
    reason: &str,
) -> String {
    let who = match stage {
        Some(s) => format!("{by} ({s})"),
        None => by.to_owned(),
    };
    let change = match from {
        Some(f) => format!("{field} {f} → {to}"),
        None => format!("{field} {to}"),
    };
    if reason.trim().is_empty() {
        format!("{who}: {change}")
    } else {
        format!("{who}: {change} — {reason}")
    }
}

pub fn queue_count(n: usize) -> String {
    match n {
        1 => "1 ocorrência na fila".to_owned(),
        n => format!("{n} ocorrências na fila"),
    }
}

// Fleet map.
pub const BELO_HORIZONTE: &str = "Belo Horizonte";
pub const PORTO_VELHO: &str = "Porto Velho";
pub const LEGEND_FREE: &str = "Livre";
pub const LEGEND_BUSY: &str = "Empenhada";
pub const LEGEND_SCENE: &str = "No local / transporte";
pub const LEGEND_PERSON: &str = "Monitorado";
pub const LEGEND_PERSON_ALARM: &str = "Monitorado em alarme";
pub const LEGEND_OCCURRENCE: &str = "Ocorrência";

pub fn scale_label(metres: f64) -> String {
    if metres >= 1000.0 { format!("{} km", (metres / 1000.0).round()) } else { format!("{metres:.0} m") }
}

// Alarms.
pub const NO_ALARMS: &str = "Nenhum alarme ativo";
pub const CLAIM: &str = "Assumir";
pub const CLAIMING: &str = "Assumindo…";
pub const OPEN: &str = "Aberto";
pub const YOU: &str = "você";
pub const ANOTHER_OPERATOR: &str = "outro operador";
pub const UNKNOWN_SUBJECT: &str = "Sujeito desconhecido";

pub fn claimed_by(name: &str) -> String {
    format!("Assumido por {name}")
}

pub fn in_procedure_by(name: &str) -> String {
    format!("Em procedimento por {name}")
}

pub fn repeats(count: u32) -> String {
    format!("×{count}")
}

pub fn device_subject(imei: &str) -> String {
    format!("Dispositivo {imei}")
}

pub fn vehicle_subject(code: &str) -> String {
    format!("Viatura {code}")
}

pub fn occurrence_subject(number: &str) -> String {
    format!("Ocorrência {number}")
}

pub fn action_failed(reason: &str) -> String {
    format!("Não foi possível: {reason}")
}

pub fn command_failed(reason: &str) -> String {
    format!("Comando não enviado: {reason}")
}

pub const CLAIM_F9: &str = "Assumir (F9)";

pub fn back_to_list(n: usize) -> String {
    format!("← Lista de alarmes ({n})")
}
pub const NOTE_EMPTY: &str = "Escreva a anotação antes de registrar.";
pub const CLOSE_NEEDS_OUTCOME: &str =
    "Escolha o desfecho: Tratado, Alarme falso ou Encaminhado (Alt+1, 2 ou 3).";
pub const WAIT_PREVIOUS: &str = "Aguarde: a ação anterior ainda está sendo registrada.";
pub const CLOSE_NEEDS_NOTE: &str = "A nota de encerramento é obrigatória.";
pub const PROCEDURE: &str = "Procedimento";
pub const START_PROCEDURE: &str = "Iniciar procedimento";
pub const NO_PROCEDURE_YET: &str = "Procedimento ainda não iniciado.";
pub const DEVICE_COMMANDS: &str = "Comandos ao dispositivo";
pub const CMD_VIBRATE: &str = "Vibrar";
pub const CMD_SOUND: &str = "Alerta sonoro";
pub const CMD_DISCREET: &str = "Alerta discreto";

/// "Envio a cada 15 s", "Envio a cada 1 min".
pub fn cmd_interval(seconds: u32) -> String {
    if seconds.is_multiple_of(60) {
        format!("Envio a cada {} min", seconds / 60)
    } else {
        format!("Envio a cada {seconds} s")
    }
}
pub const COMMAND_QUEUED: &str = "na fila (dispositivo fora de alcance)";
pub const NOTES: &str = "Anotações";
pub const NOTE_PLACEHOLDER: &str = "Anotação (Enter registra)";
pub const ADD_NOTE: &str = "Anotar";
pub const CLOSING: &str = "Encerramento";
pub const CLOSE_NOTE_PLACEHOLDER: &str = "Nota de encerramento * (Enter encerra)";
pub const CLOSE_ALARM: &str = "Encerrar";
pub const NO_PHOTO: &str = "sem foto";
pub const BATTERY_UNKNOWN: &str = "Bateria ?";
pub const CHARGING: &str = "Carregando";
pub const NOT_CHARGING: &str = "Fora do carregador";
pub const CHARGING_UNKNOWN: &str = "Carga ?";
pub const GNSS_UNKNOWN: &str = "GNSS ?";
pub const LINK_ONLINE: &str = "Conexão ativa";
pub const LINK_SILENT: &str = "Sem contato";
pub const LINK_NEVER: &str = "Nunca conectou";
pub const NEVER_CONTACTED: &str = "sem contato registrado";
pub const LATE_DATA: &str = "Dados atrasados";

pub fn alarm_times(raised: &str, waiting: &str, acknowledged: Option<&str>) -> String {
    match acknowledged {
        Some(a) => format!("Disparado {raised} · há {waiting} · assumido às {a}"),
        None => format!("Disparado {raised} · aguardando há {waiting}"),
    }
}

pub fn command_line(what: &str, at: &str, state: &str) -> String {
    format!("{what} às {at}: {state}")
}

pub fn command_sent(at: &str) -> String {
    format!("enviado às {at}, aguardando confirmação")
}

pub fn command_acknowledged(at: &str) -> String {
    format!("confirmado pelo dispositivo às {at}")
}

pub fn record(r: &str) -> String {
    format!("Processo {r}")
}

/// "Regime Semiaberto · grupo Violência doméstica · região Zona Leste" (III-2.24).
pub fn regime_group(regime: &str, group: Option<&str>, region: Option<&str>) -> String {
    let mut s = format!("Regime {regime}");
    if let Some(g) = group {
        s.push_str(&format!(" · grupo {g}"));
    }
    if let Some(r) = region {
        s.push_str(&format!(" · região {r}"));
    }
    s
}

pub fn responsible(r: Option<&str>) -> String {
    format!("Responsável: {}", r.unwrap_or("não informado"))
}

pub fn zones_line(zones: &[String]) -> String {
    if zones.is_empty() { "Zonas: nenhuma".to_owned() } else { format!("Zonas: {}", zones.join(", ")) }
}

pub fn other_person(name: &str) -> String {
    format!("Envolve também: {name}")
}

pub fn battery(pct: f64) -> String {
    format!("Bateria {pct:.0}%")
}

pub fn gnss(accuracy_m: f64) -> String {
    format!("GNSS ±{accuracy_m:.0} m")
}

pub fn last_contact(at: &str, ago: &str) -> String {
    format!("Último contato {at} (há {ago})")
}

// Alerts.
pub const SOUND_OFF: &str = "Som indisponível";

/// The flashing banner; `worst` is the severity label ("crítica", "alta"), hence "de severidade".
pub fn alert_banner(n: usize, worst: &str) -> String {
    if n == 1 {
        format!("1 alarme de severidade {worst} aguardando operador — F9 assume")
    } else {
        format!("{n} alarmes aguardando operador (o mais grave de severidade {worst}) — F9 assume o próximo")
    }
}

pub fn desktop_summary(kind: &str) -> String {
    format!("Alarme: {kind}")
}

/// "ligada"/"desligada", or of a masculine noun (giroflex) "ligado"/"desligado".
pub fn on_off(on: bool, masculine: bool) -> &'static str {
    match (on, masculine) {
        (true, false) => "ligada",
        (false, false) => "desligada",
        (true, true) => "ligado",
        (false, true) => "desligado",
    }
}

/// How a vehicle's unit talks to the centre (RFS051).
pub fn link(l: atalaia_core::samu::Link) -> &'static str {
    match l {
        atalaia_core::samu::Link::Data => "dados móveis",
        atalaia_core::samu::Link::Satellite => "satélite",
        atalaia_core::samu::Link::Offline => "sem conexão",
    }
}

/// A dispatch's phase in a vehicle's chain ("a caminho 03:12").
pub fn phase_short(p: atalaia_client::record::Phase) -> &'static str {
    use atalaia_client::record::Phase;
    match p {
        Phase::Committed => "empenho",
        Phase::Acknowledged => "ciente",
        Phase::EnRoute => "a caminho",
        Phase::OnScene => "no local",
        Phase::Transporting => "transporte",
        Phase::AtDestination => "no destino",
        Phase::StretcherRetained => "maca retida",
        Phase::Released => "liberada",
        Phase::AtBase => "na base",
    }
}

/// Busy vehicles offered as one more for a call (RFS062).
pub const BUSY_NEAREST: &str = "Em outra ocorrência — empenho adicional (atende ao terminar a atual):";

pub fn additional_button(code: &str) -> String {
    format!("Empenhar {code} também")
}

/// The regulators working on one call (RFS131).
pub const REGULATORS: &str = "Reguladores nesta ocorrência";

pub fn regulator_line(name: &str, stage: &str, changes: usize, last_field: &str, at: &str) -> String {
    let changes = if changes == 1 { "1 alteração".to_owned() } else { format!("{changes} alterações") };
    format!("{name}{stage}: {changes}, a última em {last_field} às {at}")
}

/// After an address the geocoder suggested (RFS030).
pub const FROM_GEOCODER: &str = " · geocodificador";

/// Before the centre's outcomes in the closing box (RFS036).
pub const OUTCOME: &str = "Desfecho:";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn small_formatters() {
        assert_eq!(offline_since("03:12"), "Sem conexão desde 03:12");
        assert_eq!(retry_in(-2), "nova tentativa em 0s");
        assert_eq!(pending_commands(1), "1 comando na fila");
        assert_eq!(refused_commands(3), "3 comandos recusados");
        assert_eq!(occurrence_registered("2026-000123"), "Ocorrência 2026-000123 registrada");
        assert_eq!(scale_label(500.0), "500 m");
        assert_eq!(scale_label(2000.0), "2 km");
        assert_eq!(queue_count(1), "1 ocorrência na fila");
        assert_eq!(queue_count(3), "3 ocorrências na fila");
    }
}
