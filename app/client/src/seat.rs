//! A user's offline seat on this workstation (issue 8): where their cache and outbox live, and
//! what lets them log in while the server is unreachable.
//!
//! Each (server, user) pair has a directory of its own under the console's data directory, so one
//! operator never starts from another's data (they may see different things) and a command queued
//! by one is never sent with another's session. After every successful login the session is kept
//! there with an argon2id verifier of the password; with the server unreachable, the same user
//! typing the same password gets that session back and works from the cache. The server still
//! decides: if the session expired meanwhile, the live feed's refusal sends the operator back to
//! the login screen when the link returns, and the queue waits for the new session.

use argon2::Argon2;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use atalaia_core::wire::LoginResponse;
use rand::RngCore;
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};

/// The seat of `username` on the server at `base`, under `data_dir`.
pub fn dir(data_dir: &Path, base: &str, username: &str) -> PathBuf {
    // Percent-encoded, so two names never share a directory and none is "." or "..". User names
    // are case-insensitive on the server.
    let clean = |s: &str| -> String {
        s.bytes()
            .map(|b| {
                if b.is_ascii_alphanumeric() || b == b'-' {
                    char::from(b).to_string()
                } else {
                    format!("%{b:02X}")
                }
            })
            .collect()
    };
    let server = base.trim_end_matches('/').split("://").last().unwrap_or(base);
    data_dir.join("offline").join(clean(server)).join(clean(&username.to_lowercase()))
}

pub fn cache_file(seat: &Path) -> PathBuf {
    seat.join("cache.sqlite")
}

pub fn outbox_file(seat: &Path) -> PathBuf {
    seat.join("outbox.sqlite")
}

#[derive(Serialize, Deserialize)]
struct Kept {
    session: LoginResponse,
    /// argon2id PHC string of the password that opened it.
    verifier: String,
}

/// Keeps a session that just logged in, for a later login without the server.
pub fn remember(seat: &Path, session: &LoginResponse, password: &str) -> std::io::Result<()> {
    std::fs::create_dir_all(seat)?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(seat, std::fs::Permissions::from_mode(0o700))?;
    }
    let mut salt = [0u8; 16];
    rand::rng().fill_bytes(&mut salt);
    let salt = SaltString::encode_b64(&salt).map_err(|e| std::io::Error::other(e.to_string()))?;
    let verifier = Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map_err(|e| std::io::Error::other(e.to_string()))?
        .to_string();
    let body = serde_json::to_vec(&Kept { session: session.clone(), verifier })?;
    let path = seat.join("session.json");
    let tmp = seat.join("session.json.tmp");
    {
        use std::io::Write;
        let mut options = std::fs::OpenOptions::new();
        options.write(true).create(true).truncate(true);
        #[cfg(unix)]
        {
            use std::os::unix::fs::OpenOptionsExt;
            options.mode(0o600);
        }
        let mut f = options.open(&tmp)?;
        f.write_all(&body)?;
        f.sync_all()?;
    }
    std::fs::rename(tmp, path)
}

/// The session kept for this seat, when `password` is the one that opened it and the session has
/// not expired (a deactivated user's session ends with it).
pub fn offline_login(
    seat: &Path,
    password: &str,
    now: chrono::DateTime<chrono::Utc>,
) -> Option<LoginResponse> {
    let body = std::fs::read(seat.join("session.json")).ok()?;
    let kept: Kept = serde_json::from_slice(&body).ok()?;
    if kept.session.expires_at <= now {
        return None;
    }
    let hash = PasswordHash::new(&kept.verifier).ok()?;
    Argon2::default().verify_password(password.as_bytes(), &hash).ok()?;
    Some(kept.session)
}

/// Logging out ends the kept session too.
pub fn forget(seat: &Path) {
    let _ = std::fs::remove_file(seat.join("session.json"));
}

#[cfg(test)]
mod tests {
    use super::*;
    use atalaia_core::auth::Role;
    use atalaia_core::ids::UserId;
    use atalaia_core::wire::UserInfo;

    fn session() -> LoginResponse {
        serde_json::from_value(serde_json::json!({
            "token": "secret-token",
            "expires_at": "2026-11-23T12:00:00Z",
            "user": UserInfo { id: UserId::new(), username: "joana".into(), display_name: "Joana".into(), role: Role::MonitoringOperator, profile: None, permissions: None, active: true, unit: None },
        }))
        .expect("login response")
    }

    #[test]
    fn the_same_password_opens_the_kept_session_and_another_does_not() {
        let data = tempfile::tempdir().expect("dir");
        let seat = dir(data.path(), "https://central.example:8443/", "Joana");
        assert!(seat.ends_with("offline/central%2Eexample%3A8443/joana"), "{}", seat.display());
        let before = chrono::DateTime::parse_from_rfc3339("2026-11-23T03:00:00Z").expect("t").to_utc();
        assert!(offline_login(&seat, "senha-da-joana", before).is_none(), "nothing kept yet");
        remember(&seat, &session(), "senha-da-joana").expect("kept");
        let back = offline_login(&seat, "senha-da-joana", before).expect("opened");
        assert_eq!(back.token, "secret-token");
        assert!(offline_login(&seat, "outra-senha", before).is_none());
        let after = chrono::DateTime::parse_from_rfc3339("2026-11-23T12:00:00Z").expect("t").to_utc();
        assert!(offline_login(&seat, "senha-da-joana", after).is_none(), "an expired session stays shut");
        let raw = std::fs::read_to_string(seat.join("session.json")).expect("file");
        assert!(!raw.contains("senha-da-joana"), "the password itself is never written");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(seat.join("session.json")).expect("meta").permissions().mode();
            assert_eq!(mode & 0o077, 0, "readable by its owner only");
        }
        forget(&seat);
        assert!(offline_login(&seat, "senha-da-joana", before).is_none());
        // Another user's seat is another directory; odd names stay inside the server's.
        assert_ne!(dir(data.path(), "https://central.example:8443", "carlos"), seat);
        assert_ne!(dir(data.path(), "x", "a.b"), dir(data.path(), "x", "a_b"));
        assert!(dir(data.path(), "x", "..").ends_with("offline/x/%2E%2E"));
    }
}
