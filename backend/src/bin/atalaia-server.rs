//! `atalaia-server`: the Atalaia backend as a service.

use anyhow::Context;
use atalaia_backend::config::Args;
use clap::Parser;
use tracing_subscriber::EnvFilter;

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    tracing_subscriber::fmt()
        .with_env_filter(EnvFilter::try_from_env("ATALAIA_LOG").unwrap_or_else(|_| EnvFilter::new("info")))
        // Logs on stderr (the journal takes both): stdout carries only what a command answers,
        // e.g. --init-admin's result, which the package's postinst reads.
        .with_writer(std::io::stderr)
        .init();
    let args = Args::parse();
    let config = args.resolve().map_err(anyhow::Error::msg).context("invalid configuration")?;
    if args.init_admin {
        let created = atalaia_backend::server::init_admin(&config).await.context("--init-admin")?;
        #[allow(clippy::print_stdout)]
        {
            println!(
                "{}",
                if created { "administrator created" } else { "users exist already; nothing done" }
            );
        }
        return Ok(());
    }
    let running = atalaia_backend::start(config).await.context("server failed to start")?;
    stop_requested().await?;
    tracing::info!("shutting down");
    running.shutdown().await;
    Ok(())
}

/// Ctrl+C, or SIGTERM from systemd (`systemctl stop`) or a container runtime.
async fn stop_requested() -> anyhow::Result<()> {
    #[cfg(unix)]
    {
        let mut term = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
            .context("listening for SIGTERM")?;
        tokio::select! {
            r = tokio::signal::ctrl_c() => r.context("waiting for Ctrl+C")?,
            _ = term.recv() => {}
        }
    }
    #[cfg(not(unix))]
    tokio::signal::ctrl_c().await.context("waiting for Ctrl+C")?;
    Ok(())
}
