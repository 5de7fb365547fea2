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

#[derive(Debug, Parser)]
#[command(name = "atalaia", version, about = "Console de operações Atalaia (SAMU 192 e monitoramento)")]
struct Args {
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
    #[arg(long, env = "ATALAIA_TZ", value_name = "ZONE", default_value = "America/Sao_Paulo")]
    timezone: chrono_tz::Tz,
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
    #[arg(long, env = "ATALAIA_TILES_STREET_ATTRIBUTION", value_name = "TEXT", default_value = "")]
    tiles_street_attribution: String,
    /// Attribution the satellite tile provider requires (shown on the map).
    #[arg(long, env = "ATALAIA_TILES_SATELLITE_ATTRIBUTION", value_name = "TEXT", default_value = "")]
    tiles_satellite_attribution: String,
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

fn main() -> anyhow::Result<()> {
    let args = Args::parse();
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
            street_attribution: args.tiles_street_attribution.clone(),
            satellite_attribution: args.tiles_satellite_attribution.clone(),
            tiles_dir: Some(data_dir.join("tiles")),
            geocoder: args.geocoder.clone(),
            pois: args.pois.clone(),
            demo_pois: args.demo && args.server.is_none(),
        },
        ..BootConfig::default()
    };
    match &args.server {
        Some(url) => {
            if args.demo {
                tracing::warn!("--demo applies to the embedded server only; ignored with --server");
            }
            config.server = Ok(url.trim_end_matches('/').to_owned());
        }
        None => match atalaia_backend::embedded::start_in_background(data_dir.clone(), args.demo) {
            Ok(embedded) => {
                tracing::info!(base = %embedded.base_url, ingest = %embedded.ingest_url, "embedded server listening");
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
