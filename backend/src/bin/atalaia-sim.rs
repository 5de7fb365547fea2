//! `atalaia-sim`: drives simulated ankle bracelets and ambulances against an Atalaia (or any
//! Traccar-compatible) server over the OsmAnd HTTP protocol. Pair with `atalaia-server --demo`,
//! which registers the same devices for the same seed and counts.

use atalaia_backend::sim::{SimConfig, run};
use clap::Parser;
use std::time::Duration;
use tracing_subscriber::EnvFilter;

/// Simulated device fleet for Atalaia (OsmAnd / Traccar Client protocol).
#[derive(Debug, Parser)]
#[command(name = "atalaia-sim", version, about)]
struct Args {
    /// OsmAnd ingest root of the server.
    #[arg(long, env = "ATALAIA_OSMAND_URL", default_value = "http://127.0.0.1:5055")]
    url: String,
    /// Number of ankle bracelets (Porto Velho).
    #[arg(long, default_value_t = 40)]
    bracelets: usize,
    /// Number of ambulances (Belo Horizonte and Porto Velho).
    #[arg(long, default_value_t = 16)]
    ambulances: usize,
    /// Seed: the same seed replays the same tracks.
    #[arg(long, default_value_t = 7)]
    seed: u64,
    /// Seconds between report rounds.
    #[arg(long, default_value_t = 2.0)]
    interval: f64,
    /// Simulated seconds per round (larger than --interval fast-forwards movement).
    #[arg(long, default_value_t = 6.0)]
    step: f64,
    /// Stop after this many rounds.
    #[arg(long)]
    rounds: Option<u64>,
    /// Instead of the fleet: run the monitoring scenarios (or the named ones) against a fresh
    /// in-process server on 127.0.0.1 with a manual clock, and report expected versus raised
    /// alarms. Exits with status 1 on any false positive or negative.
    #[arg(long, num_args = 0.., value_name = "NAME")]
    scenarios: Option<Vec<String>>,
}

async fn scenarios(names: Vec<String>) -> anyhow::Result<bool> {
    use std::io::Write;
    let names: Vec<String> = if names.is_empty() {
        atalaia_backend::scenario::NAMES.iter().map(|s| (*s).to_owned()).collect()
    } else {
        names
    };
    let mut out = std::io::stdout().lock();
    let mut ok = true;
    for name in names {
        let r = atalaia_backend::scenario::run(&name).await?;
        ok &= r.passed();
        writeln!(
            out,
            "{:<30} {}  expected {:>2}  raised {:>2}  false+ {}  false- {}",
            r.name,
            if r.passed() { "ok  " } else { "FAIL" },
            r.expected.len(),
            r.raised.len(),
            r.false_positives.len(),
            r.false_negatives.len()
        )?;
        for s in &r.expected {
            let mark = if r.false_negatives.contains(s) { "missing " } else { "        " };
            writeln!(out, "    {mark}{s}")?;
        }
        for s in &r.false_positives {
            writeln!(out, "    UNEXPECTED {s}")?;
        }
    }
    Ok(ok)
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    tracing_subscriber::fmt()
        .with_env_filter(EnvFilter::try_from_env("ATALAIA_LOG").unwrap_or_else(|_| EnvFilter::new("info")))
        .init();
    let a = Args::parse();
    if let Some(names) = a.scenarios {
        if !scenarios(names).await? {
            std::process::exit(1);
        }
        return Ok(());
    }
    if !(a.interval > 0.0 && a.step > 0.0) {
        anyhow::bail!("--interval and --step must be positive");
    }
    let cfg = SimConfig {
        seed: a.seed,
        bracelets: a.bracelets,
        ambulances: a.ambulances,
        interval: Duration::from_secs_f64(a.interval),
        step_s: a.step,
        osmand_url: a.url.trim_end_matches('/').to_owned(),
        rounds: a.rounds,
    };
    tracing::info!(?cfg, "simulator starting");
    let stats = run(cfg).await;
    tracing::info!(?stats, "simulator finished");
    Ok(())
}
