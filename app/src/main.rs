//! `atalaia`: the operator console. Parses the command line, opens the log file, starts the
//! embedded backend when no `--server` is given, then runs the iced application.
//!
//! Nothing here may end the process before the window opens: a failure to start the embedded
//! server is shown on the login screen instead (ARCHITECTURE: the UI never crashes on an error).

use anyhow::Context;
use atalaia_console::BootConfig;
use clap::Parser;
use std::path::{Path, PathBuf};
use tracing_subscriber::EnvFilter;

#[derive(Debug, Clone, Parser)]
#[command(name = "atalaia", version, about = "Console de operações Atalaia (SAMU 192 e monitoramento)")]
struct Args {
    /// The workstation's settings file (TOML: server, timezone, tiles_street, tiles_satellite,
    /// tiles_street_attribution, tiles_satellite_attribution, geocoder, pois), written by the
    /// installer; flags and environment variables win over it. Default:
    /// /etc/atalaia/console.toml (Windows: %ProgramData%\Atalaia\console.toml), if present;
    /// `none`: no settings file.
    #[arg(long, env = "ATALAIA_CONSOLE_CONFIG", value_name = "FILE")]
    config: Option<PathBuf>,
    /// Central server root URL (e.g. https://central.example:8443); without it the console starts
    /// its own server on 127.0.0.1 (standalone mode).
    #[arg(long, env = "ATALAIA_SERVER", value_name = "URL")]
    server: Option<String>,
    /// Start from a fresh demo dataset and run the device/fleet simulator (standalone mode only;
    /// the demo has its own database, the real one is never touched).
    #[arg(long)]
    demo: bool,
    /// Where the local database and the log live (default: the user's data directory).
    #[arg(long, value_name = "PATH")]
    data_dir: Option<PathBuf>,
    /// Log in as this user at start, with the password from ATALAIA_PASSWORD (kiosk, screenshots).
    #[arg(long, value_name = "NAME")]
    user: Option<String>,
    /// Site time zone for every time shown (IANA name), e.g. America/Porto_Velho.
    #[arg(long, env = "ATALAIA_TZ", value_name = "ZONE")]
    timezone: Option<chrono_tz::Tz>,
    /// Supervisor wall display: full screen, large type, KPIs, queue, map and alarms, cycling by
    /// itself (no keyboard or mouse needed). Combine with --user for an unattended screen.
    #[arg(long)]
    wall: bool,
    /// No alert sound (the banner and desktop notifications still alert).
    #[arg(long)]
    no_sound: bool,
    /// Street map tiles: XYZ URL template, e.g. https://tiles.example/{z}/{x}/{y}.png. Tiles
    /// fetched are kept in <data dir>/tiles/street.mbtiles and used offline afterwards.
    #[arg(long, env = "ATALAIA_TILES_STREET", value_name = "URL")]
    tiles_street: Option<String>,
    /// Satellite imagery tiles: XYZ URL template (kept in <data dir>/tiles/satellite.mbtiles).
    #[arg(long, env = "ATALAIA_TILES_SATELLITE", value_name = "URL")]
    tiles_satellite: Option<String>,
    /// Attribution the street tile provider requires (shown on the map).
    #[arg(long, env = "ATALAIA_TILES_STREET_ATTRIBUTION", value_name = "TEXT")]
    tiles_street_attribution: Option<String>,
    /// Attribution the satellite tile provider requires (shown on the map).
    #[arg(long, env = "ATALAIA_TILES_SATELLITE_ATTRIBUTION", value_name = "TEXT")]
    tiles_satellite_attribution: Option<String>,
    /// Nominatim-compatible geocoder for the map's address search, e.g. https://nominatim.example.
    #[arg(long, env = "ATALAIA_GEOCODER", value_name = "URL")]
    geocoder: Option<String>,
    /// Hospitals, ambulance bases and cameras for the map: a GeoJSON FeatureCollection of Points
    /// with properties "kind" (hospital, base or camera) and "name".
    #[arg(long, env = "ATALAIA_POIS", value_name = "FILE")]
    pois: Option<PathBuf>,
    /// Import an operator-supplied .mbtiles file (PNG/JPEG raster tiles) into the map's tile
    /// store, then exit. See --import-as.
    #[arg(long, value_name = "FILE")]
    import_tiles: Option<PathBuf>,
    /// An alarm to open once logged in: the link of a notification e-mail
    /// (atalaia://alarme/ID; the packages make the console the handler of atalaia: links).
    #[arg(value_name = "LINK")]
    link: Option<String>,
    /// Which map the imported tiles are: street or satellite.
    #[arg(long, value_name = "KIND", default_value = "street", value_parser = ["street", "satellite"])]
    import_as: String,
}

/// `atalaia --import-tiles pack.mbtiles`: copies the pack into the tile store and says what came in.
fn import_tiles(data_dir: &Path, file: &Path, kind: &str) -> anyhow::Result<()> {
    use atalaia_console::pane::mapa::{Config, Source};
    let source = if kind == "satellite" { Source::Satellite } else { Source::Street };
    let target = Config::cache_file(&data_dir.join("tiles"), source);
    if let Some(dir) = target.parent() {
        std::fs::create_dir_all(dir).with_context(|| format!("criar {}", dir.display()))?;
    }
    let store = atalaia_client::tiles::MbTiles::open(&target)
        .with_context(|| format!("abrir {}", target.display()))?;
    let report = store.import(file)?;
    // The one place the console writes to a terminal: an installer or operator ran it by hand.
    #[allow(clippy::print_stdout)]
    {
        println!(
            "{} mosaicos {} importados (zoom {}–{}) para {}",
            report.tiles,
            report.format.to_uppercase(),
            report.min_zoom,
            report.max_zoom,
            target.display()
        );
    }
    Ok(())
}

fn default_data_dir() -> PathBuf {
    directories::ProjectDirs::from("br", "Atalaia", "atalaia")
        .map(|d| d.data_dir().to_path_buf())
        .unwrap_or_else(|| PathBuf::from("atalaia-data"))
}

/// Log to `atalaia.log` in the data directory (a console has no terminal to print to).
fn init_logging(data_dir: &Path) -> anyhow::Result<PathBuf> {
    std::fs::create_dir_all(data_dir).with_context(|| format!("criar {}", data_dir.display()))?;
    let path = data_dir.join("atalaia.log");
    let file = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(&path)
        .with_context(|| format!("abrir {}", path.display()))?;
    let filter = EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| EnvFilter::new("info,wgpu_core=warn,wgpu_hal=warn,naga=warn,cosmic_text=warn"));
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_ansi(false)
        .with_writer(std::sync::Mutex::new(file))
        .init();
    Ok(path)
}

/// The workstation's settings file (see `Args::config`): what the installer decided, under the
/// flags and environment variables of a particular start.
#[derive(Debug, Default, serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct Workstation {
    server: Option<String>,
    timezone: Option<chrono_tz::Tz>,
    tiles_street: Option<String>,
    tiles_satellite: Option<String>,
    tiles_street_attribution: Option<String>,
    tiles_satellite_attribution: Option<String>,
    geocoder: Option<String>,
    pois: Option<PathBuf>,
}

fn workstation_file() -> PathBuf {
    if cfg!(windows) {
        std::env::var_os("ProgramData")
            .map_or_else(|| PathBuf::from(r"C:\ProgramData"), PathBuf::from)
            .join("Atalaia")
            .join("console.toml")
    } else {
        PathBuf::from("/etc/atalaia/console.toml")
    }
}

/// Fills what the command line and the environment left unsaid from the settings file. A file
/// named with --config must exist; the default one may not.
fn with_workstation(mut args: Args) -> anyhow::Result<Args> {
    let (path, required) = match &args.config {
        // `--config none` (or ATALAIA_CONSOLE_CONFIG=none): no settings file at all.
        Some(p) if p.as_os_str() == "none" => return Ok(args),
        Some(p) => (p.clone(), true),
        None => (workstation_file(), false),
    };
    let text = match std::fs::read_to_string(&path) {
        Ok(t) => t,
        Err(e) if !required && e.kind() == std::io::ErrorKind::NotFound => return Ok(args),
        Err(e) => return Err(e).with_context(|| format!("ler {}", path.display())),
    };
    let w: Workstation =
        toml::from_str(&text).with_context(|| format!("configuração inválida em {}", path.display()))?;
    args.server = args.server.or(w.server);
    args.timezone = args.timezone.or(w.timezone);
    args.tiles_street = args.tiles_street.or(w.tiles_street);
    args.tiles_satellite = args.tiles_satellite.or(w.tiles_satellite);
    args.tiles_street_attribution = args.tiles_street_attribution.or(w.tiles_street_attribution);
    args.tiles_satellite_attribution = args.tiles_satellite_attribution.or(w.tiles_satellite_attribution);
    args.geocoder = args.geocoder.or(w.geocoder);
    args.pois = args.pois.or(w.pois);
    Ok(args)
}

fn main() -> anyhow::Result<()> {
    let given = Args::parse();
    // A settings file the console cannot use is said on the login screen (the window always
    // opens: started from a menu, nobody would see an error printed here).
    let (args, settings_error) = match with_workstation(given.clone()) {
        Ok(args) => (args, None),
        Err(e) => (given, Some(format!("{e:#}"))),
    };
    let data_dir = args.data_dir.clone().unwrap_or_else(default_data_dir);
    // Without a log file the console is still needed (e.g. a read-only home): keep going.
    if let Some(file) = &args.import_tiles {
        return import_tiles(&data_dir, file, &args.import_as);
    }
    let log = init_logging(&data_dir).ok();
    tracing::info!(version = env!("CARGO_PKG_VERSION"), ?log, data_dir = %data_dir.display(), "atalaia starting");
    let sound = if args.no_sound {
        atalaia_console::alert::Sound::disabled("som desativado (--no-sound)")
    } else {
        atalaia_console::alert::Sound::start()
    };
    let mut config = BootConfig {
        demo: args.demo,
        tz: args.timezone,
        sound,
        wall: args.wall,
        data_dir: Some(data_dir.clone()),
        map: atalaia_console::pane::mapa::Config {
            street_url: args.tiles_street.clone(),
            satellite_url: args.tiles_satellite.clone(),
            street_attribution: args.tiles_street_attribution.clone().unwrap_or_default(),
            satellite_attribution: args.tiles_satellite_attribution.clone().unwrap_or_default(),
            tiles_dir: Some(data_dir.join("tiles")),
            geocoder: args.geocoder.clone(),
            pois: args.pois.clone(),
            demo_pois: args.demo && args.server.is_none(),
        },
        ..BootConfig::default()
    };
    match &args.server {
        _ if settings_error.is_some() => {
            let reason = settings_error.unwrap_or_default();
            tracing::error!(%reason, "workstation settings unusable");
            config.server = Err(reason);
        }
        Some(url) => {
            if args.demo {
                tracing::warn!("--demo applies to the embedded server only; ignored with --server");
            }
            config.server = Ok(url.trim_end_matches('/').to_owned());
        }
        None => match atalaia_backend::embedded::start_in_background(data_dir.clone(), args.demo) {
            Ok(embedded) => {
                tracing::info!(base = %embedded.base_url, ingest = %embedded.ingest_url, "embedded server listening");
                if args.demo {
                    crew_app_hint(&embedded.base_url);
                }
                config.server = Ok(embedded.base_url);
                config.seat_server = Some(if args.demo { "embedded-demo" } else { "embedded" }.to_owned());
                config.demo_login = embedded.demo_login;
            }
            Err(reason) => {
                tracing::error!(%reason, "embedded server failed to start");
                config.server = Err(reason);
            }
        },
    }
    if let Some(link) = &args.link {
        config.open_alarm = atalaia_core::notify::parse_console_link(link);
        if config.open_alarm.is_none() {
            tracing::warn!(%link, "not an alarm link (atalaia://alarme/ID); ignored");
        }
    }
    if let Some(user) = args.user {
        match std::env::var("ATALAIA_PASSWORD") {
            Ok(password) => config.auto_login = Some((user, password)),
            Err(_) => tracing::warn!("--user given without ATALAIA_PASSWORD; showing the login screen"),
        }
    }

    atalaia_console::application(config)
        .run()
        .inspect_err(|error| tracing::error!(%error, "the console window failed"))
        .context("a janela do console falhou")?;
    tracing::info!("atalaia closed");
    Ok(())
}

/// The demo's crew tablet app runs in a browser beside the console: say where (issue 23).
#[allow(clippy::print_stdout)]
fn crew_app_hint(base: &str) {
    println!(
        "Aplicativo das equipes (tablet da viatura): {base}/crew/  — usuário equipe, senha atalaia-demo"
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The example shipped as /etc/atalaia/console.toml parses as it is (all commented out) and
    /// with every key set as its comments show.
    #[test]
    fn the_packaged_console_settings_parse_with_every_documented_key() {
        let example = include_str!("../../packaging/deb/console/console.toml");
        let as_shipped: Workstation = toml::from_str(example).expect("as shipped");
        assert!(as_shipped.server.is_none());
        let filled: String = example
            .lines()
            .map(|l| match l.strip_prefix("# ") {
                Some(rest) if rest.contains(" = ") => rest,
                _ => l,
            })
            .collect::<Vec<_>>()
            .join("\n");
        let w: Workstation = toml::from_str(&filled).expect("every key");
        assert_eq!(w.server.as_deref(), Some("https://atalaia.central.example:8443"));
        assert_eq!(w.timezone, Some(chrono_tz::America::Sao_Paulo));
        assert!(w.tiles_street.is_some() && w.geocoder.is_some() && w.pois.is_some());
    }

    #[test]
    fn flags_win_over_the_settings_file_and_a_named_file_must_exist() {
        let dir = tempfile::tempdir().expect("dir");
        let file = dir.path().join("console.toml");
        std::fs::write(&file, "server = \"https://central:8443\"\ngeocoder = \"https://geo\"\n")
            .expect("write");
        let f = file.to_str().expect("utf-8");
        let args = with_workstation(Args::parse_from(["atalaia", "--config", f])).expect("read");
        assert_eq!(args.server.as_deref(), Some("https://central:8443"));
        let args =
            with_workstation(Args::parse_from(["atalaia", "--config", f, "--server", "http://outro:8080"]))
                .expect("read");
        assert_eq!(args.server.as_deref(), Some("http://outro:8080"), "the flag wins");
        assert_eq!(args.geocoder.as_deref(), Some("https://geo"), "the rest still comes from the file");
        let none = with_workstation(Args::parse_from(["atalaia", "--config", "none"])).expect("no file");
        assert!(none.server.is_none(), "`none`: no settings file read");
        let missing = dir.path().join("nenhum.toml");
        assert!(
            with_workstation(Args::parse_from(["atalaia", "--config", missing.to_str().expect("utf-8")]))
                .is_err()
        );
        std::fs::write(&file, "servidor = \"x\"\n").expect("write");
        assert!(
            with_workstation(Args::parse_from(["atalaia", "--config", f])).is_err(),
            "unknown keys are refused"
        );
    }
}
