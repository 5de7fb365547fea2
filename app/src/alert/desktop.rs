//! Desktop notifications (freedesktop `org.freedesktop.Notifications` on Linux) for alarms that
//! arrive while the console window is in the background. Sent from a short-lived thread: a slow or
//! missing notification daemon never holds up the UI.

use atalaia_core::alarm::Severity;

/// One notification.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Notice {
    pub summary: String,
    pub body: String,
    pub severity: Severity,
}

/// Application name the daemon shows (and our tests check).
pub const APP: &str = "Atalaia";

/// Sends now, on this thread. Critical alarms ask the daemon to keep the bubble until dismissed.
pub fn send_blocking(notice: &Notice) -> Result<u32, String> {
    let mut n = notify_rust::Notification::new();
    n.appname(APP).summary(&notice.summary).body(&notice.body).icon("dialog-warning");
    #[cfg(all(unix, not(target_os = "macos")))]
    {
        let urgency = match notice.severity {
            Severity::Critical => notify_rust::Urgency::Critical,
            Severity::High | Severity::Medium => notify_rust::Urgency::Normal,
            Severity::Low => notify_rust::Urgency::Low,
        };
        n.urgency(urgency);
        if notice.severity == Severity::Critical {
            n.timeout(notify_rust::Timeout::Never);
        }
    }
    #[cfg(all(unix, not(target_os = "macos")))]
    {
        n.show().map(|h| h.id()).map_err(|e| e.to_string())
    }
    #[cfg(not(all(unix, not(target_os = "macos"))))]
    {
        n.show().map(|_| 0).map_err(|e| e.to_string())
    }
}

/// Sends in the background; a failure is logged (the banner and the tone still alert).
pub fn send(notice: Notice) {
    let spawned = std::thread::Builder::new().name("atalaia-notify".into()).spawn(move || {
        if let Err(error) = send_blocking(&notice) {
            tracing::warn!(%error, "desktop notification not shown");
        }
    });
    if let Err(error) = spawned {
        tracing::warn!(%error, "desktop notification thread");
    }
}
