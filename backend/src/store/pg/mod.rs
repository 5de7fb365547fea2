//! The PostgreSQL engine of the store (issue 24, deployment mode 3: several `atalaia-server`
//! replicas on one PostgreSQL). Built piece by piece beside the SQLite engine, each piece held to
//! the same behaviour by tests against a real PostgreSQL; this first piece is the event log.

pub(crate) mod append;
pub mod follow;
pub mod log;
pub mod schema;

use tokio_postgres::{Client, NoTls};

/// Opens an asynchronous connection and drives it on the runtime; notifications (LISTEN) are
/// not read on it ([`log::doorbell`] does that).
pub async fn connect(url: &str) -> Result<Client, tokio_postgres::Error> {
    let (client, connection) = tokio_postgres::connect(url, NoTls).await?;
    tokio::spawn(async move {
        if let Err(error) = connection.await {
            tracing::warn!(%error, "PostgreSQL connection ended");
        }
    });
    Ok(client)
}
