//! `atalaia-server`: the Atalaia backend as a service.

use anyhow::Context;
use atalaia_backend::config::{Args, Command};
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
    if let Some(Command::Migrate { from, to }) = &args.command {
        return migrate(from, to).await;
    }
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

/// `atalaia-server migrate`: the move, on a thread of its own (PostgreSQL's synchronous client
/// may not run on the asynchronous ones), saying on stdout what it moved.
async fn migrate(from: &str, to: &str) -> anyhow::Result<()> {
    let path = std::path::PathBuf::from(from.strip_prefix("sqlite:").unwrap_or(from));
    let to = to.to_owned();
    let started = std::time::Instant::now();
    let moved = tokio::task::spawn_blocking(move || {
        atalaia_backend::store::migrate::sqlite_to_postgres(&path, &to, |m| {
            tracing::info!(table = %m.table, rows = m.rows, "moved");
        })
    })
    .await
    .context("migration task")?
    .context("a central não foi movida (o destino ficou como estava)")?;
    let rows: u64 = moved.iter().map(|m| m.rows).sum();
    #[allow(clippy::print_stdout)]
    {
        for m in &moved {
            println!("{}\t{}", m.table, m.rows);
        }
        println!("total\t{rows} linhas em {:.1} s", started.elapsed().as_secs_f64());
    }
    Ok(())
}
