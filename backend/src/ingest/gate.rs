//! What refused or malformed device traffic may cost. The device ports face the network without
//! authentication, so every refusal is bounded: per source address, a few rows in the ingest log
//! and one log line per minute, the rest folded into a count written with the source's next row;
//! and each kind of frame the server counts instead of using is logged once per process.

use std::collections::{HashMap, HashSet};
use std::net::IpAddr;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// The period the limits apply to.
pub const WINDOW: Duration = Duration::from_secs(60);
/// Rows a source may add to the ingest log per window.
pub const ROWS_PER_WINDOW: u32 = 10;
/// Sources remembered at most (the oldest windows are forgotten first).
const MAX_SOURCES: usize = 10_000;
/// Kinds of unhandled frames remembered as logged.
const MAX_KINDS: usize = 10_000;

#[derive(Debug)]
struct Window {
    start: Instant,
    rows: u32,
    /// Refusals held back in this window.
    held: u64,
    /// Refusals held back in earlier windows, not yet written.
    owed: u64,
}

/// What to do with one refusal.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    /// Write a row standing for `count` refusals (this one and those held back before); `log`
    /// says whether to write a log line too.
    Record { count: u64, log: bool },
    /// Count it only.
    Hold,
}

#[derive(Debug, Default)]
pub struct Gate {
    sources: Mutex<HashMap<IpAddr, Window>>,
    logged: Mutex<HashSet<String>>,
}

impl Gate {
    /// Decide about a refusal from `source` at `now`.
    pub fn admit(&self, source: IpAddr, now: Instant) -> Verdict {
        let mut sources = self.sources.lock().unwrap_or_else(|e| e.into_inner());
        if sources.len() >= MAX_SOURCES && !sources.contains_key(&source) {
            sources.retain(|_, w| now.duration_since(w.start) < WINDOW);
            if sources.len() >= MAX_SOURCES {
                return Verdict::Hold;
            }
        }
        let w = sources.entry(source).or_insert(Window { start: now, rows: 0, held: 0, owed: 0 });
        if now.duration_since(w.start) >= WINDOW {
            w.owed += w.held;
            w.start = now;
            w.rows = 0;
            w.held = 0;
        }
        if w.rows >= ROWS_PER_WINDOW {
            w.held += 1;
            return Verdict::Hold;
        }
        w.rows += 1;
        let count = 1 + std::mem::take(&mut w.owed);
        Verdict::Record { count, log: w.rows == 1 }
    }

    /// Whether this kind of unhandled frame is seen for the first time by this process (log it
    /// then, and only count it afterwards).
    pub fn first_time(&self, kind: &str) -> bool {
        let mut logged = self.logged.lock().unwrap_or_else(|e| e.into_inner());
        if logged.contains(kind) || logged.len() >= MAX_KINDS {
            return false;
        }
        logged.insert(kind.to_owned());
        true
    }
}

/// The address part of a remote as the listeners write it (`ip:port`).
pub fn source_of(remote: &str) -> IpAddr {
    remote
        .parse::<std::net::SocketAddr>()
        .map(|a| a.ip())
        .or_else(|_| remote.parse::<IpAddr>())
        .unwrap_or(IpAddr::V4(std::net::Ipv4Addr::UNSPECIFIED))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_source_gets_a_few_rows_and_one_line_per_window_the_rest_is_counted() {
        let g = Gate::default();
        let (a, b) = (source_of("10.0.0.1:5000"), source_of("10.0.0.2:6000"));
        let t0 = Instant::now();
        let verdicts: Vec<Verdict> = (0..1_000).map(|_| g.admit(a, t0)).collect();
        assert_eq!(verdicts[0], Verdict::Record { count: 1, log: true });
        assert_eq!(verdicts[1], Verdict::Record { count: 1, log: false });
        assert_eq!(
            verdicts.iter().filter(|v| matches!(v, Verdict::Record { .. })).count(),
            ROWS_PER_WINDOW as usize
        );
        assert_eq!(
            g.admit(b, t0),
            Verdict::Record { count: 1, log: true },
            "another source is not held back"
        );
        // The next window's first row carries what was held back.
        let later = t0 + WINDOW;
        assert_eq!(g.admit(a, later), Verdict::Record { count: 991, log: true });
        assert_eq!(g.admit(a, later), Verdict::Record { count: 1, log: false });
        assert!(g.first_time("gt06 0x2A") && !g.first_time("gt06 0x2A"));
    }
}
