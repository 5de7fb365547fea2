//! TLS for every listener (seed 003 9.21, 16.2.20, 16.2.30; seed 000: external access only over
//! encrypted channels). With a certificate and key configured, the API, the live feed and the
//! three device listeners speak TLS (rustls); without one they are plain and the server refuses
//! non-loopback addresses unless `--insecure` is given.
//!
//! Handshakes run in their own tasks with a deadline, so a slow or silent client never holds up
//! the accept loop.

use rustls_pki_types::pem::PemObject;
use rustls_pki_types::{CertificateDer, PrivateKeyDer};
use std::net::SocketAddr;
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;
use tokio::io::{AsyncRead, AsyncWrite};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::mpsc;
use tokio_rustls::TlsAcceptor;
use tokio_rustls::rustls::ServerConfig;

/// How long a client may take to complete the TLS handshake.
pub const HANDSHAKE: Duration = Duration::from_secs(10);

/// A connection, plain or TLS.
pub trait AsyncStream: AsyncRead + AsyncWrite + Send + Unpin {}
impl<T: AsyncRead + AsyncWrite + Send + Unpin> AsyncStream for T {}
pub type Stream = Box<dyn AsyncStream>;

/// Load a PEM certificate chain and private key.
pub fn acceptor(cert: &Path, key: &Path) -> Result<TlsAcceptor, String> {
    let certs: Vec<CertificateDer<'static>> = CertificateDer::pem_file_iter(cert)
        .map_err(|e| format!("certificado {}: {e}", cert.display()))?
        .collect::<Result<_, _>>()
        .map_err(|e| format!("certificado {}: {e}", cert.display()))?;
    if certs.is_empty() {
        return Err(format!("certificado {}: nenhum certificado PEM encontrado", cert.display()));
    }
    let key = PrivateKeyDer::from_pem_file(key).map_err(|e| format!("chave {}: {e}", key.display()))?;
    let config = ServerConfig::builder()
        .with_no_client_auth()
        .with_single_cert(certs, key)
        .map_err(|e| format!("certificado e chave não combinam: {e}"))?;
    Ok(TlsAcceptor::from(Arc::new(config)))
}

/// Complete the handshake if TLS is on; `None` when the client failed or took too long.
pub async fn wrap(tcp: TcpStream, tls: Option<&TlsAcceptor>, remote: SocketAddr) -> Option<Stream> {
    let Some(acceptor) = tls else { return Some(Box::new(tcp)) };
    match tokio::time::timeout(HANDSHAKE, acceptor.accept(tcp)).await {
        Ok(Ok(s)) => Some(Box::new(s)),
        Ok(Err(e)) => {
            tracing::warn!(%remote, error = %e, "TLS handshake failed");
            None
        }
        Err(_) => {
            tracing::warn!(%remote, "TLS handshake timed out");
            None
        }
    }
}

/// The client address of an HTTP connection (axum connect info for [`HttpListener`]).
#[derive(Debug, Clone, Copy)]
pub struct Remote(pub SocketAddr);

/// An axum listener that hands over connections once their handshake is done.
pub struct HttpListener {
    rx: mpsc::Receiver<(Stream, SocketAddr)>,
    local: SocketAddr,
}

impl HttpListener {
    pub fn new(tcp: TcpListener, tls: Option<TlsAcceptor>) -> std::io::Result<Self> {
        let local = tcp.local_addr()?;
        let (tx, rx) = mpsc::channel(256);
        tokio::spawn(async move {
            loop {
                // Stop (and release the port) once the server dropped the listener.
                let accepted = tokio::select! {
                    a = tcp.accept() => a,
                    () = tx.closed() => return,
                };
                let (stream, remote) = match accepted {
                    Ok(c) => c,
                    Err(e) => {
                        tracing::warn!(error = %e, "accept failed");
                        tokio::time::sleep(Duration::from_millis(50)).await;
                        continue;
                    }
                };
                let _ = stream.set_nodelay(true);
                let (out, acceptor) = (tx.clone(), tls.clone());
                tokio::spawn(async move {
                    if let Some(s) = wrap(stream, acceptor.as_ref(), remote).await {
                        let _ = out.send((s, remote)).await;
                    }
                });
            }
        });
        Ok(Self { rx, local })
    }
}

impl axum::serve::Listener for HttpListener {
    type Io = Stream;
    type Addr = SocketAddr;

    async fn accept(&mut self) -> (Self::Io, Self::Addr) {
        match self.rx.recv().await {
            Some(c) => c,
            // The accept task only ends when this listener is gone.
            None => std::future::pending().await,
        }
    }

    fn local_addr(&self) -> std::io::Result<Self::Addr> {
        Ok(self.local)
    }
}

impl axum::extract::connect_info::Connected<axum::serve::IncomingStream<'_, HttpListener>> for Remote {
    fn connect_info(stream: axum::serve::IncomingStream<'_, HttpListener>) -> Self {
        Remote(*stream.remote_addr())
    }
}
