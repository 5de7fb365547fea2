//! `atalaia-server`: the Atalaia backend as a service.

use anyhow::Context;
use atalaia_backend::config::Args;
use clap::Parser;
use tracing_subscriber::EnvFilter;

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    tracing_subscriber::fmt()
        .with_env_filter(EnvFilter::try_from_env("ATALAIA_LOG").unwrap_or_else(|_| EnvFilter::new("info")))
        .init();
    let args = Args::parse();
    let config = args.resolve().map_err(anyhow::Error::msg).context("invalid configuration")?;
    let running = atalaia_backend::start(config).await.context("server failed to start")?;
    tokio::signal::ctrl_c().await.context("waiting for Ctrl+C")?;
    tracing::info!("shutting down");
    running.shutdown().await;
    Ok(())
}
