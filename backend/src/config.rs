//! Server configuration from (lowest to highest precedence) built-in defaults, a TOML file,
//! `ATALAIA_*` environment variables and command-line flags.

use clap::Parser;
use serde::Deserialize;
use std::net::SocketAddr;
use std::path::PathBuf;

#[derive(Debug, Clone, PartialEq)]
pub struct Config {
    /// REST API, live feed, OpenAPI and health.
    pub listen: SocketAddr,
    /// OsmAnd / Traccar Client HTTP ingest (Traccar's default port 5055).
    pub osmand_listen: SocketAddr,
    /// GT06 / Concox TCP ingest (Traccar's default port 5023).
    pub gt06_listen: SocketAddr,
    /// Teltonika Codec 8 / 8E TCP ingest (Traccar's default port 5027).
    pub teltonika_listen: SocketAddr,
    /// SQLite database file, or a `postgres://` URL (several servers on one PostgreSQL).
    pub database: PathBuf,
    /// Session lifetime in minutes.
    pub session_minutes: i64,
    /// Failed logins before the account is locked.
    pub max_failed_logins: u32,
    /// Lock duration in minutes.
    pub lockout_minutes: i64,
    /// An alarm nobody has claimed this long after it was raised escalates to the supervisors
    /// (seed 003 item 27.9: response within 5 minutes).
    pub ack_target_minutes: i64,
    /// Passwords older than this many days must be changed (16.3.2.3); 0 disables the rule.
    pub password_max_age_days: i64,
    /// Allow binding to a non-loopback address without TLS (seed 000: external access only over
    /// encrypted channels; put a TLS terminator or VPN in front if you set this).
    pub insecure: bool,
    /// Username and password of an administrator created on first start when no users exist.
    pub bootstrap_admin: Option<(String, String)>,
    /// Seed the demo dataset when the database is empty.
    pub demo: bool,
    /// The site's time zone: local calendar for occurrence numbers and zone schedules.
    pub timezone: chrono_tz::Tz,
    /// PEM certificate chain and private key: with both, every listener speaks TLS.
    pub tls_cert: Option<PathBuf>,
    pub tls_key: Option<PathBuf>,
    /// Outgoing e-mail (16.2.7, 16.2.31): a lettre connection URL, `smtp://user:pass@host:587?tls=required`
    /// (STARTTLS) or `smtps://…:465`; none: e-mails wait in the outbox.
    pub smtp_url: Option<String>,
    /// Sender address of the e-mails.
    pub smtp_from: String,
    /// Extra PEM root certificate the SMTP server's certificate may chain to (a private CA).
    pub smtp_ca: Option<PathBuf>,
    /// SMS gateway: JSON `{"to","text","id"}` is POSTed here; any 2xx answer means accepted.
    pub sms_url: Option<String>,
    /// Bearer token for the SMS gateway.
    pub sms_token: Option<String>,
    /// Nominatim-compatible geocoder (the central's own: coordinates of monitored people are sent
    /// to it): notification e-mails name the street address of the place (16.2.7). None: the
    /// e-mails give coordinates and a map link only.
    pub geocoder_url: Option<String>,
    /// Device models added to (or replacing) the shipped ones: a TOML file of `[[model]]` tables
    /// (docs/DEVICES.md).
    pub device_models: Option<PathBuf>,
    /// Area codes (DDD) the SAMU centre covers; a call from another raises an alert to the TARM
    /// (RFS003). Empty: no check.
    pub samu_ddds: Vec<u16>,
    /// Municipalities of the SAMU-Regional: an address there raises an alert to the TARM
    /// (RFS007).
    pub samu_regional_municipalities: Vec<String>,
    /// Thresholds of the vehicle alerts: a committed vehicle standing still this many seconds
    /// (RFS009); a vehicle without a dispatch moving at this speed, km/h (RFS010; 0 disables).
    pub fleet_stationary_s: i64,
    pub fleet_moving_kmh: f64,
    /// Questions and answers the crew and the regulators pick instead of typing (RFS044).
    pub samu_canned_messages: Vec<String>,
    /// A call still with the TARM this many seconds after it was answered raises an over-time
    /// alert to the TARM and the supervisors (RFS033).
    pub samu_call_overtime_s: i64,
    /// The outcomes ("desfechos") an occurrence is closed with, offered where it is closed
    /// (RFS036).
    pub samu_outcomes: Vec<String>,
}

impl Config {
    /// The intake rules of this centre (RFS003, RFS007, RFS033).
    pub fn intake_rules(&self) -> atalaia_core::samu::intake::IntakeRules {
        atalaia_core::samu::intake::IntakeRules {
            ddds: self.samu_ddds.clone(),
            regional_municipalities: self.samu_regional_municipalities.clone(),
            call_overtime_s: self.samu_call_overtime_s,
            outcomes: self.samu_outcomes.clone(),
        }
    }
}

impl Default for Config {
    fn default() -> Self {
        Self {
            listen: SocketAddr::from(([127, 0, 0, 1], 8080)),
            osmand_listen: SocketAddr::from(([127, 0, 0, 1], 5055)),
            gt06_listen: SocketAddr::from(([127, 0, 0, 1], 5023)),
            teltonika_listen: SocketAddr::from(([127, 0, 0, 1], 5027)),
            database: PathBuf::from("atalaia.sqlite"),
            session_minutes: 12 * 60,
            max_failed_logins: 5,
            lockout_minutes: 15,
            ack_target_minutes: 5,
            password_max_age_days: 90,
            insecure: false,
            bootstrap_admin: None,
            demo: false,
            timezone: chrono_tz::America::Sao_Paulo,
            tls_cert: None,
            tls_key: None,
            smtp_url: None,
            smtp_from: "Atalaia <atalaia@localhost>".into(),
            smtp_ca: None,
            sms_url: None,
            sms_token: None,
            geocoder_url: None,
            device_models: None,
            samu_ddds: Vec::new(),
            samu_regional_municipalities: Vec::new(),
            fleet_stationary_s: 180,
            fleet_moving_kmh: 20.0,
            samu_canned_messages: [
                "Solicito orientação sobre a conduta.",
                "Paciente estável, seguimos para a unidade de destino?",
                "Necessitamos de apoio (USA / bombeiros).",
                "Qual a unidade de destino?",
                "Chegamos ao local.",
                "Ciente. Prossiga.",
                "Aguarde contato da regulação.",
            ]
            .map(String::from)
            .to_vec(),
            samu_call_overtime_s: 180,
            samu_outcomes: [
                "Atendimento concluído com remoção",
                "Atendimento concluído no local",
                "Orientação por telefone",
                "Recusa de atendimento",
                "Óbito",
                "Vítima não localizada",
                "Cancelada pelo solicitante",
                "Trote",
                "Solicitação de informação",
            ]
            .map(String::from)
            .to_vec(),
        }
    }
}

impl Config {
    /// Embedded mode: everything on loopback with OS-chosen ports.
    pub fn embedded(database: PathBuf) -> Self {
        Self {
            listen: SocketAddr::from(([127, 0, 0, 1], 0)),
            osmand_listen: SocketAddr::from(([127, 0, 0, 1], 0)),
            gt06_listen: SocketAddr::from(([127, 0, 0, 1], 0)),
            teltonika_listen: SocketAddr::from(([127, 0, 0, 1], 0)),
            database,
            ..Self::default()
        }
    }

    /// Whether the listeners speak TLS.
    pub fn tls(&self) -> bool {
        self.tls_cert.is_some() && self.tls_key.is_some()
    }

    /// Refuse plain-text listeners beyond loopback unless explicitly allowed.
    pub fn check_transport(&self) -> Result<(), String> {
        for addr in [self.listen, self.osmand_listen, self.gt06_listen, self.teltonika_listen] {
            if !addr.ip().is_loopback() && !self.insecure && !self.tls() {
                return Err(format!(
                    "refusing to listen on {addr} without TLS: external access must be encrypted \
                     (put the server behind a TLS terminator or VPN and pass --insecure to acknowledge)"
                ));
            }
        }
        Ok(())
    }
}

/// The file form: every key optional.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FileConfig {
    pub listen: Option<SocketAddr>,
    pub osmand_listen: Option<SocketAddr>,
    pub gt06_listen: Option<SocketAddr>,
    pub teltonika_listen: Option<SocketAddr>,
    pub database: Option<PathBuf>,
    pub session_minutes: Option<i64>,
    pub max_failed_logins: Option<u32>,
    pub lockout_minutes: Option<i64>,
    pub ack_target_minutes: Option<i64>,
    pub password_max_age_days: Option<i64>,
    pub insecure: Option<bool>,
    pub timezone: Option<chrono_tz::Tz>,
    pub tls_cert: Option<PathBuf>,
    pub tls_key: Option<PathBuf>,
    pub smtp_url: Option<String>,
    pub smtp_from: Option<String>,
    pub smtp_ca: Option<PathBuf>,
    pub sms_url: Option<String>,
    pub sms_token: Option<String>,
    pub geocoder_url: Option<String>,
    pub device_models: Option<PathBuf>,
    pub samu_ddds: Option<Vec<u16>>,
    pub samu_regional_municipalities: Option<Vec<String>>,
    pub fleet_stationary_s: Option<i64>,
    pub fleet_moving_kmh: Option<f64>,
    pub samu_canned_messages: Option<Vec<String>>,
    pub samu_call_overtime_s: Option<i64>,
    pub samu_outcomes: Option<Vec<String>>,
}

/// atalaia-server: the Atalaia backend (REST API, live feed, device ingest).
///
/// Every option can also be set in the TOML file given by --config and through the environment
/// variable shown; flags override the environment, which overrides the file.
#[derive(Debug, Parser)]
#[command(name = "atalaia-server", version, about, long_about = None)]
pub struct Args {
    /// TOML configuration file (keys: listen, osmand_listen, gt06_listen, teltonika_listen,
    /// database, session_minutes, max_failed_logins, lockout_minutes, ack_target_minutes, password_max_age_days, insecure, timezone,
    /// tls_cert, tls_key, smtp_url, smtp_from, smtp_ca, sms_url, sms_token, geocoder_url, device_models,
    /// samu_ddds,
    /// samu_regional_municipalities, fleet_stationary_s, fleet_moving_kmh, samu_canned_messages,
    /// samu_call_overtime_s, samu_outcomes).
    #[arg(long, env = "ATALAIA_CONFIG")]
    pub config: Option<PathBuf>,
    /// Address of the REST API and live feed [default: 127.0.0.1:8080].
    #[arg(long, env = "ATALAIA_LISTEN")]
    pub listen: Option<SocketAddr>,
    /// Address of the OsmAnd (Traccar Client) HTTP device ingest [default: 127.0.0.1:5055].
    #[arg(long, env = "ATALAIA_OSMAND_LISTEN")]
    pub osmand_listen: Option<SocketAddr>,
    /// Address of the GT06 / Concox TCP device ingest [default: 127.0.0.1:5023].
    #[arg(long, env = "ATALAIA_GT06_LISTEN")]
    pub gt06_listen: Option<SocketAddr>,
    /// Address of the Teltonika Codec 8 / 8E TCP device ingest [default: 127.0.0.1:5027].
    #[arg(long, env = "ATALAIA_TELTONIKA_LISTEN")]
    pub teltonika_listen: Option<SocketAddr>,
    /// SQLite database file, or a postgres://user:password@host/db URL for several servers on
    /// one PostgreSQL [default: atalaia.sqlite].
    #[arg(long, env = "ATALAIA_DATABASE")]
    pub database: Option<PathBuf>,
    /// Session lifetime in minutes [default: 720].
    #[arg(long, env = "ATALAIA_SESSION_MINUTES")]
    pub session_minutes: Option<i64>,
    /// Minutes after which an unclaimed alarm escalates to the supervisors [default: 5].
    #[arg(long, env = "ATALAIA_ACK_TARGET_MINUTES")]
    pub ack_target_minutes: Option<i64>,
    /// Allow non-loopback listeners without TLS (only behind a VPN or TLS terminator).
    #[arg(long, env = "ATALAIA_INSECURE")]
    pub insecure: bool,
    /// Site time zone (IANA name), e.g. America/Porto_Velho [default: America/Sao_Paulo].
    #[arg(long, env = "ATALAIA_TZ")]
    pub timezone: Option<chrono_tz::Tz>,
    /// PEM certificate chain for TLS on every listener (API, live feed, device ingest).
    #[arg(long, env = "ATALAIA_TLS_CERT")]
    pub tls_cert: Option<PathBuf>,
    /// PEM private key of --tls-cert.
    #[arg(long, env = "ATALAIA_TLS_KEY")]
    pub tls_key: Option<PathBuf>,
    /// SMTP server for notifications: smtp://user:pass@host:587?tls=required (STARTTLS) or
    /// smtps://user:pass@host:465 (prefer the environment variable: it holds a password).
    #[arg(long, env = "ATALAIA_SMTP_URL", hide_env_values = true)]
    pub smtp_url: Option<String>,
    /// Sender of notification e-mails [default: Atalaia <atalaia@localhost>].
    #[arg(long, env = "ATALAIA_SMTP_FROM")]
    pub smtp_from: Option<String>,
    /// Extra PEM root certificate for the SMTP server (private CA).
    #[arg(long, env = "ATALAIA_SMTP_CA")]
    pub smtp_ca: Option<PathBuf>,
    /// SMS gateway URL (JSON POST of to, text, id).
    #[arg(long, env = "ATALAIA_SMS_URL")]
    pub sms_url: Option<String>,
    /// Bearer token of the SMS gateway.
    #[arg(long, env = "ATALAIA_SMS_TOKEN", hide_env_values = true)]
    pub sms_token: Option<String>,
    /// Nominatim-compatible geocoder for the street address in notification e-mails
    /// (e.g. https://nominatim.central.example; use the central's own).
    #[arg(long, env = "ATALAIA_GEOCODER_URL")]
    pub geocoder_url: Option<String>,
    /// Device models added to (or replacing) the shipped ones: a TOML file of [[model]] tables.
    #[arg(long, env = "ATALAIA_DEVICE_MODELS")]
    pub device_models: Option<PathBuf>,
    /// Create this administrator on first start when the database has no users.
    #[arg(long, env = "ATALAIA_ADMIN_USER")]
    pub admin_user: Option<String>,
    /// Password of --admin-user (prefer the environment variable).
    #[arg(long, env = "ATALAIA_ADMIN_PASSWORD", hide_env_values = true)]
    pub admin_password: Option<String>,
    /// Seed the demo dataset (users, fleet, monitored people, zones) if the database is empty.
    #[arg(long)]
    pub demo: bool,
    /// Create the database and its first administrator (--admin-user, password in
    /// ATALAIA_ADMIN_PASSWORD) if it has no users, then exit without serving (for installers).
    #[arg(long)]
    pub init_admin: bool,
    #[command(subcommand)]
    pub command: Option<Command>,
}

/// What `atalaia-server` does instead of serving.
#[derive(Debug, clap::Subcommand)]
pub enum Command {
    /// Move a standalone central's whole SQLite database into PostgreSQL, to run it there
    /// (several servers, failover). Stop the server first; the destination must not hold a
    /// central yet (its tables are made if missing).
    Migrate {
        /// The SQLite central: `sqlite:PATH` (or just its path).
        #[arg(long)]
        from: String,
        /// The PostgreSQL database: `postgres://user:password@host/database`.
        #[arg(long)]
        to: String,
    },
}

impl Args {
    pub fn resolve(&self) -> Result<Config, String> {
        let mut cfg = Config::default();
        if let Some(path) = &self.config {
            let text =
                std::fs::read_to_string(path).map_err(|e| format!("reading {}: {e}", path.display()))?;
            let file: FileConfig =
                toml::from_str(&text).map_err(|e| format!("parsing {}: {e}", path.display()))?;
            cfg.apply_file(file);
        }
        if let Some(v) = self.listen {
            cfg.listen = v;
        }
        if let Some(v) = self.osmand_listen {
            cfg.osmand_listen = v;
        }
        if let Some(v) = self.gt06_listen {
            cfg.gt06_listen = v;
        }
        if let Some(v) = self.teltonika_listen {
            cfg.teltonika_listen = v;
        }
        if let Some(v) = &self.database {
            cfg.database = v.clone();
        }
        if let Some(v) = self.session_minutes {
            cfg.session_minutes = v;
        }
        if let Some(v) = self.ack_target_minutes {
            cfg.ack_target_minutes = v;
        }
        if let Some(v) = self.timezone {
            cfg.timezone = v;
        }
        if let Some(v) = &self.tls_cert {
            cfg.tls_cert = Some(v.clone());
        }
        if let Some(v) = &self.tls_key {
            cfg.tls_key = Some(v.clone());
        }
        for (value, slot) in [
            (&self.smtp_url, &mut cfg.smtp_url),
            (&self.sms_url, &mut cfg.sms_url),
            (&self.sms_token, &mut cfg.sms_token),
            (&self.geocoder_url, &mut cfg.geocoder_url),
        ] {
            if let Some(v) = value {
                *slot = Some(v.clone());
            }
        }
        if let Some(v) = &self.smtp_from {
            cfg.smtp_from = v.clone();
        }
        if let Some(v) = &self.smtp_ca {
            cfg.smtp_ca = Some(v.clone());
        }
        if let Some(v) = &self.device_models {
            cfg.device_models = Some(v.clone());
        }
        if cfg.tls_cert.is_some() != cfg.tls_key.is_some() {
            return Err("TLS needs both tls_cert and tls_key".into());
        }
        cfg.insecure |= self.insecure;
        cfg.demo = self.demo;
        match (&self.admin_user, &self.admin_password) {
            (Some(u), Some(p)) => cfg.bootstrap_admin = Some((u.clone(), p.clone())),
            (Some(_), None) => return Err("--admin-user needs ATALAIA_ADMIN_PASSWORD".into()),
            _ => {}
        }
        if cfg.session_minutes <= 0 {
            return Err("session_minutes must be positive".into());
        }
        if cfg.password_max_age_days < 0 {
            return Err("password_max_age_days must be 0 (no expiry) or positive".into());
        }
        if cfg.ack_target_minutes <= 0 {
            return Err("ack_target_minutes must be positive".into());
        }
        Ok(cfg)
    }
}

impl Config {
    fn apply_file(&mut self, f: FileConfig) {
        if let Some(v) = f.listen {
            self.listen = v;
        }
        if let Some(v) = f.osmand_listen {
            self.osmand_listen = v;
        }
        if let Some(v) = f.gt06_listen {
            self.gt06_listen = v;
        }
        if let Some(v) = f.teltonika_listen {
            self.teltonika_listen = v;
        }
        if let Some(v) = f.database {
            self.database = v;
        }
        if let Some(v) = f.session_minutes {
            self.session_minutes = v;
        }
        if let Some(v) = f.max_failed_logins {
            self.max_failed_logins = v;
        }
        if let Some(v) = f.lockout_minutes {
            self.lockout_minutes = v;
        }
        if let Some(v) = f.ack_target_minutes {
            self.ack_target_minutes = v;
        }
        if let Some(v) = f.password_max_age_days {
            self.password_max_age_days = v;
        }
        if let Some(v) = f.insecure {
            self.insecure = v;
        }
        if let Some(v) = f.timezone {
            self.timezone = v;
        }
        if f.tls_cert.is_some() {
            self.tls_cert = f.tls_cert;
        }
        if f.tls_key.is_some() {
            self.tls_key = f.tls_key;
        }
        if f.smtp_url.is_some() {
            self.smtp_url = f.smtp_url;
        }
        if let Some(v) = f.smtp_from {
            self.smtp_from = v;
        }
        if f.smtp_ca.is_some() {
            self.smtp_ca = f.smtp_ca;
        }
        if f.sms_url.is_some() {
            self.sms_url = f.sms_url;
        }
        if f.sms_token.is_some() {
            self.sms_token = f.sms_token;
        }
        if f.geocoder_url.is_some() {
            self.geocoder_url = f.geocoder_url;
        }
        if f.device_models.is_some() {
            self.device_models = f.device_models;
        }
        if let Some(v) = f.samu_ddds {
            self.samu_ddds = v;
        }
        if let Some(v) = f.samu_regional_municipalities {
            self.samu_regional_municipalities = v;
        }
        if let Some(v) = f.fleet_stationary_s {
            self.fleet_stationary_s = v;
        }
        if let Some(v) = f.fleet_moving_kmh {
            self.fleet_moving_kmh = v;
        }
        if let Some(v) = f.samu_canned_messages {
            self.samu_canned_messages = v;
        }
        if let Some(v) = f.samu_call_overtime_s {
            self.samu_call_overtime_s = v;
        }
        if let Some(v) = f.samu_outcomes {
            self.samu_outcomes = v;
        }
    }

    /// The vehicle-alert thresholds (RFS009, RFS010).
    pub fn watch_rules(&self) -> atalaia_core::samu::fleet::WatchRules {
        atalaia_core::samu::fleet::WatchRules {
            stationary_after_s: self.fleet_stationary_s,
            moving_kmh: if self.fleet_moving_kmh > 0.0 { self.fleet_moving_kmh } else { f64::INFINITY },
            ..Default::default()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn flags_override_file() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("atalaia.toml");
        std::fs::write(
            &path,
            "listen = \"127.0.0.1:9000\"\nsession_minutes = 30\ntimezone = \"America/Porto_Velho\"\n",
        )
        .expect("write");
        let args = Args::parse_from([
            "atalaia-server",
            "--config",
            path.to_str().expect("utf8"),
            "--listen",
            "127.0.0.1:9100",
        ]);
        let cfg = args.resolve().expect("resolve");
        assert_eq!(cfg.listen, "127.0.0.1:9100".parse().expect("addr"));
        assert_eq!(cfg.session_minutes, 30);
        assert_eq!(cfg.timezone, chrono_tz::America::Porto_Velho);
    }

    #[test]
    fn packaged_example_config_parses() {
        let file: FileConfig =
            toml::from_str(include_str!("../../packaging/deb/atalaia.toml")).expect("example parses");
        let mut cfg = Config::default();
        cfg.apply_file(file);
        assert_eq!(cfg.database, PathBuf::from("/var/lib/atalaia/atalaia.sqlite"));
        assert!(cfg.check_transport().is_ok());
    }

    #[test]
    fn unknown_file_keys_are_errors() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("bad.toml");
        std::fs::write(&path, "lisen = \"127.0.0.1:9000\"\n").expect("write");
        let args = Args::parse_from(["atalaia-server", "--config", path.to_str().expect("utf8")]);
        assert!(args.resolve().is_err());
    }

    #[test]
    fn tls_allows_listening_beyond_loopback() {
        let cfg = Config {
            listen: "0.0.0.0:8443".parse().expect("addr"),
            tls_cert: Some("server.crt".into()),
            tls_key: Some("server.key".into()),
            ..Config::default()
        };
        assert!(cfg.check_transport().is_ok());
    }

    #[test]
    fn plain_text_beyond_loopback_is_refused_without_insecure() {
        let mut cfg = Config { listen: "0.0.0.0:8080".parse().expect("addr"), ..Config::default() };
        assert!(cfg.check_transport().is_err());
        cfg.insecure = true;
        assert!(cfg.check_transport().is_ok());
    }
}
