//! The accept loop shared by the TCP device protocols: one task per connection, until the server
//! stops, over TLS when configured. Each protocol supplies its connection handler.

use crate::server::AppState;
use crate::tls::{Stream, wrap};
use std::future::Future;
use std::net::SocketAddr;
use std::time::Duration;
use tokio::net::TcpListener;
use tokio::sync::watch;
use tokio_rustls::TlsAcceptor;

/// A device silent for this long is disconnected (it reconnects when it has data).
pub const IDLE: Duration = Duration::from_secs(30 * 60);

pub async fn serve<H, F>(
    listener: TcpListener,
    tls: Option<TlsAcceptor>,
    state: AppState,
    stopping: watch::Receiver<bool>,
    protocol: &'static str,
    handler: H,
) where
    H: Fn(Stream, SocketAddr, AppState) -> F + Send + Sync + Copy + 'static,
    F: Future<Output = std::io::Result<()>> + Send + 'static,
{
    let stopping = crate::server::until_stopping(stopping);
    tokio::pin!(stopping);
    loop {
        tokio::select! {
            () = &mut stopping => return,
            accepted = listener.accept() => match accepted {
                Ok((stream, remote)) => {
                    let _ = stream.set_nodelay(true);
                    let (state, tls) = (state.clone(), tls.clone());
                    tokio::spawn(async move {
                        // The handshake happens in the connection's task, never in the loop.
                        let Some(stream) = wrap(stream, tls.as_ref(), remote).await else { return };
                        if let Err(e) = handler(stream, remote, state).await {
                            tracing::debug!(protocol, %remote, error = %e, "device connection ended");
                        }
                    });
                }
                Err(e) => {
                    tracing::warn!(protocol, error = %e, "accept failed");
                    tokio::time::sleep(Duration::from_millis(100)).await;
                }
            },
        }
    }
}
