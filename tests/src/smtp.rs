//! The real SMTP server of the e-mail tests: `tests/fixtures/smtp_sink.py` (aiosmtpd, Debian's
//! python3-aiosmtpd), STARTTLS required with an rcgen certificate.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

/// The text of a stored message's body, quoted-printable decoded when the message says it is.
pub fn body_text(message: &str) -> String {
    let (head, body) =
        message.split_once("\r\n\r\n").or_else(|| message.split_once("\n\n")).unwrap_or((message, ""));
    let qp = head.lines().any(|l| l.eq_ignore_ascii_case("Content-Transfer-Encoding: quoted-printable"));
    if !qp {
        return body.to_owned();
    }
    let joined = body.replace("=\r\n", "").replace("=\n", "");
    let bytes = joined.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = bytes
            .get(i + 1..i + 3)
            .and_then(|h| std::str::from_utf8(h).ok())
            .and_then(|h| u8::from_str_radix(h, 16).ok());
        match (bytes[i], hex) {
            (b'=', Some(b)) => {
                out.push(b);
                i += 3;
            }
            (b, _) => {
                out.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// The value of a header line of a stored message.
pub fn header<'a>(message: &'a str, name: &str) -> Option<&'a str> {
    message.lines().find_map(|l| l.strip_prefix(name).and_then(|r| r.strip_prefix(": ")))
}

/// The SMTP server of `tests/fixtures/smtp_sink.py`, killed on drop.
pub struct Sink {
    child: Child,
    dir: tempfile::TempDir,
    pub port: u16,
    pub ca: PathBuf,
}

impl Sink {
    pub fn start() -> Self {
        let dir = tempfile::tempdir().expect("tempdir");
        let cert = rcgen::generate_simple_self_signed(vec!["localhost".into()]).expect("cert");
        let ca = dir.path().join("smtp.crt");
        let key = dir.path().join("smtp.key");
        std::fs::write(&ca, cert.cert.pem()).expect("cert");
        std::fs::write(&key, cert.signing_key.serialize_pem()).expect("key");
        let port =
            std::net::TcpListener::bind("127.0.0.1:0").expect("port").local_addr().expect("addr").port();
        let mail = dir.path().join("mail");
        std::fs::create_dir(&mail).expect("mail dir");
        let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/smtp_sink.py");
        // Debian's interpreter, where python3-aiosmtpd is installed (not a pyenv shim on PATH).
        let python = if Path::new("/usr/bin/python3").exists() { "/usr/bin/python3" } else { "python3" };
        let mut child = Command::new(python)
            .arg(script)
            .arg(port.to_string())
            .arg(&ca)
            .arg(&key)
            .arg(&mail)
            .stdout(Stdio::piped())
            .spawn()
            .expect("start the SMTP server (apt-get install python3-aiosmtpd)");
        let mut line = String::new();
        let stdout = child.stdout.take().expect("stdout");
        std::io::BufRead::read_line(&mut std::io::BufReader::new(stdout), &mut line).expect("ready line");
        assert_eq!(line.trim(), "ready", "SMTP server did not start (is python3-aiosmtpd installed?)");
        Self { child, dir, port, ca }
    }

    pub fn mail_dir(&self) -> PathBuf {
        self.dir.path().join("mail")
    }

    /// Accepted messages, in arrival order.
    pub fn messages(&self) -> Vec<String> {
        let mut names: Vec<PathBuf> = std::fs::read_dir(self.mail_dir())
            .expect("mail dir")
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.extension().is_some_and(|x| x == "eml"))
            .collect();
        names.sort();
        names.iter().map(|p| std::fs::read_to_string(p).expect("message")).collect()
    }

    pub async fn wait_for(&self, count: usize) -> Vec<String> {
        for _ in 0..300 {
            let m = self.messages();
            if m.len() >= count {
                return m;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!("expected {count} e-mails, got {}", self.messages().len());
    }

    /// Make every message wait at DATA, a random time between `min_ms` and `max_ms`, before it
    /// is accepted.
    pub fn slow(&self, min_ms: u64, max_ms: u64) {
        std::fs::write(self.mail_dir().join("slow"), format!("{min_ms}-{max_ms}")).expect("slow flag");
    }

    /// The server's flags for this SMTP server (STARTTLS with the sink's certificate).
    pub fn server_args(&self) -> Vec<String> {
        vec![
            "--smtp-url".into(),
            format!("smtp://localhost:{}?tls=required", self.port),
            "--smtp-ca".into(),
            self.ca.display().to_string(),
            "--smtp-from".into(),
            "Central de Monitoramento <central@atalaia.test>".into(),
        ]
    }

    pub fn stall(&self, on: bool) {
        let flag = self.mail_dir().join("stall");
        if on {
            std::fs::write(flag, b"").expect("stall flag");
        } else {
            std::fs::remove_file(flag).expect("stall flag");
        }
    }

    pub fn smtp_config(&self) -> impl FnOnce(&mut atalaia_backend::Config) + use<> {
        let (port, ca) = (self.port, self.ca.clone());
        move |c| {
            c.smtp_url = Some(format!("smtp://localhost:{port}?tls=required"));
            c.smtp_ca = Some(ca);
            c.smtp_from = "Central de Monitoramento <central@atalaia.test>".into();
        }
    }
}

impl Drop for Sink {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
