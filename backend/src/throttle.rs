//! Login throttling that slows a guesser without locking the real user out (issue 22 item 5).
//!
//! Failures are counted per (account, source address) and per source: after
//! `max_failed_logins` failures for one account from one address, that address may not try that
//! account for `lockout_minutes`; after four times as many attempts with user names that do not
//! exist from one address (a spray of guessed names), that address may not log in at all for as
//! long. Typos on real accounts never block an address for everyone: a central whose consoles
//! share one address (a NAT) is not locked out by a shift's mistakes. The account
//! itself is never locked: its owner, at another desk, logs in as usual — before, anyone who knew
//! a user name could lock its owner (the administrator included) out by failing five times. An
//! administrator lifts an account's blocks, with an audited reason (`POST /users/{id}/unlock`).
//!
//! Kept in memory: a restart forgives (as the lock's expiry would), and each server of a central
//! counts its own traffic.

use chrono::{DateTime, Duration, Utc};
use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::Mutex;

#[derive(Debug, Clone, Copy, Default)]
struct Tally {
    failures: u32,
    /// Attempts let through and not answered yet: a burst sent at once cannot all pass the check
    /// before the first of them fails.
    pending: u32,
    /// When the first failure still counted happened (the window is `lockout`).
    since: Option<DateTime<Utc>>,
    blocked_until: Option<DateTime<Utc>>,
    /// Refusals while blocked (only the first of a block goes to the audit trail).
    refused: u32,
}

impl Tally {
    fn blocked(&self, now: DateTime<Utc>) -> bool {
        self.blocked_until.is_some_and(|t| t > now)
    }

    fn expired(&self, now: DateTime<Utc>, lockout: Duration) -> bool {
        !self.blocked(now) && self.since.is_none_or(|s| now - s > lockout)
    }

    /// One more failure; true when the tally is (now) blocked until `now + lockout`. A failure
    /// that reaches a blocked tally keeps the block as it is.
    fn fail(&mut self, now: DateTime<Utc>, max: u32, lockout: Duration) -> bool {
        self.pending = self.pending.saturating_sub(1);
        if self.blocked(now) {
            return true;
        }
        if self.since.is_none_or(|s| now - s > lockout) {
            *self = Tally { since: Some(now), pending: self.pending, ..Tally::default() };
        }
        self.failures += 1;
        if self.failures >= max {
            *self = Tally { blocked_until: Some(now + lockout), ..Tally::default() };
            return true;
        }
        false
    }
}

/// Why a login attempt is refused before its password is checked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    /// This address failed this account too often.
    Account,
    /// This address tried too many user names that do not exist.
    Source,
}

/// A refusal, and whether it is the first of its block (the one worth an audit row).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Refused {
    pub why: Refusal,
    pub first: bool,
}

#[derive(Debug, Default)]
pub struct Throttle {
    inner: Mutex<Inner>,
}

#[derive(Debug, Default)]
struct Inner {
    pairs: HashMap<(String, IpAddr), Tally>,
    sources: HashMap<IpAddr, Tally>,
}

/// The rules: failures before a block and how long it lasts (the server's configuration).
#[derive(Debug, Clone, Copy)]
pub struct Rules {
    pub max_failures: u32,
    pub lockout: Duration,
}

/// Most tallies kept: past it, only blocks are (a flood of addresses cannot fill the memory).
const MAX_TALLIES: usize = 50_000;

impl Throttle {
    fn lock(&self) -> std::sync::MutexGuard<'_, Inner> {
        self.inner.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Whether `source` may try `account` now; a pass is reserved until [`Throttle::failed`] or
    /// [`Throttle::succeeded`] answers it.
    pub fn check(
        &self,
        account: &str,
        source: IpAddr,
        now: DateTime<Utc>,
        rules: Rules,
    ) -> Result<(), Refused> {
        let (max, source) = (rules.max_failures.max(1), network(source));
        let mut inner = self.lock();
        if inner.pairs.len() + inner.sources.len() > MAX_TALLIES {
            inner.pairs.retain(|_, t| !t.expired(now, rules.lockout));
            inner.sources.retain(|_, t| !t.expired(now, rules.lockout));
            if inner.pairs.len() + inner.sources.len() > MAX_TALLIES {
                inner.pairs.retain(|_, t| t.blocked(now));
                inner.sources.retain(|_, t| t.blocked(now));
            }
        }
        let refuse = |t: &mut Tally, why| {
            t.refused += 1;
            Err(Refused { why, first: t.refused == 1 })
        };
        if let Some(t) = inner.sources.get_mut(&source).filter(|t| t.blocked(now)) {
            return refuse(t, Refusal::Source);
        }
        let pair = inner.pairs.entry((key(account), source)).or_default();
        if pair.blocked(now) {
            return refuse(pair, Refusal::Account);
        }
        if pair.since.is_some_and(|s| now - s > rules.lockout) {
            pair.failures = 0;
            pair.since = None;
        }
        // At most as many attempts in flight as failures are left before the block.
        if pair.failures + pair.pending >= max {
            return Err(Refused { why: Refusal::Account, first: false });
        }
        pair.pending += 1;
        Ok(())
    }

    /// A failed attempt (`unknown`: the user name does not exist); what it blocked, if anything.
    pub fn failed(
        &self,
        account: &str,
        unknown: bool,
        source: IpAddr,
        now: DateTime<Utc>,
        rules: Rules,
    ) -> Option<Refusal> {
        let (max, source) = (rules.max_failures.max(1), network(source));
        let mut inner = self.lock();
        let source_blocked = unknown
            && inner.sources.entry(source).or_default().fail(now, max.saturating_mul(4), rules.lockout);
        let pair_blocked =
            inner.pairs.entry((key(account), source)).or_default().fail(now, max, rules.lockout);
        if source_blocked {
            Some(Refusal::Source)
        } else if pair_blocked {
            Some(Refusal::Account)
        } else {
            None
        }
    }

    /// A successful login: this address's failures on this account are forgotten.
    pub fn succeeded(&self, account: &str, source: IpAddr) {
        self.lock().pairs.remove(&(key(account), network(source)));
    }

    /// An administrator lifts every block on `account` (from every address) and every address
    /// blocked for all accounts; how many blocks there were.
    pub fn unlock(&self, account: &str, now: DateTime<Utc>) -> usize {
        let k = key(account);
        let mut inner = self.lock();
        let blocks = inner.pairs.iter().filter(|((a, _), t)| *a == k && t.blocked(now)).count()
            + inner.sources.values().filter(|t| t.blocked(now)).count();
        inner.pairs.retain(|(a, _), _| *a != k);
        inner.sources.clear();
        blocks
    }
}

/// User names are matched as the login matches them: trimmed, and without regard to ASCII case
/// (the users table compares them `COLLATE NOCASE`).
fn key(account: &str) -> String {
    account.trim().to_ascii_lowercase()
}

/// The source an address counts as: itself for IPv4, its /64 for IPv6 (one subscriber's
/// network; otherwise each of its 2^64 addresses would be a fresh source).
fn network(ip: IpAddr) -> IpAddr {
    match ip.to_canonical() {
        IpAddr::V6(v6) => {
            let s = v6.segments();
            IpAddr::V6(std::net::Ipv6Addr::new(s[0], s[1], s[2], s[3], 0, 0, 0, 0))
        }
        v4 => v4,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn t(s: i64) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 12, 6, 12, 0, 0).single().expect("valid") + Duration::seconds(s)
    }

    const RULES: Rules = Rules { max_failures: 3, lockout: Duration::minutes(15) };

    fn ip(s: &str) -> IpAddr {
        s.parse().expect("ip")
    }

    /// The guesser's address is blocked on the account; the owner at another address is not,
    /// and the block ends with its time or an administrator's unlock.
    #[test]
    fn a_guesser_is_blocked_on_the_account_and_its_owner_elsewhere_is_not() {
        let th = Throttle::default();
        let (attacker, owner) = (ip("10.0.0.66"), ip("10.0.0.7"));
        assert_eq!(th.failed("admin", false, attacker, t(0), RULES), None);
        assert_eq!(th.failed("admin", false, attacker, t(1), RULES), None);
        assert_eq!(th.failed("admin", false, attacker, t(2), RULES), Some(Refusal::Account));
        assert_eq!(th.check("admin", attacker, t(3), RULES).map_err(|r| r.why), Err(Refusal::Account));
        assert_eq!(
            th.check("ADMIN ", attacker, t(3), RULES).map_err(|r| r.why),
            Err(Refusal::Account),
            "case and spaces do not lift it"
        );
        assert_eq!(th.check("admin", owner, t(3), RULES), Ok(()), "the owner is not locked out");
        assert_eq!(th.check("joana", attacker, t(3), RULES), Ok(()), "other accounts from there still may");
        assert_eq!(
            th.check("admin", attacker, t(2) + Duration::minutes(15) + Duration::seconds(1), RULES),
            Ok(())
        );
        th.failed("admin", false, attacker, t(10), RULES);
        th.failed("admin", false, attacker, t(11), RULES);
        th.failed("admin", false, attacker, t(12), RULES);
        assert_eq!(th.unlock("admin", t(13)), 1);
        assert_eq!(th.check("admin", attacker, t(13), RULES), Ok(()));
    }

    /// A burst sent at once: only as many attempts pass as failures are left before the block;
    /// a failure reaching a blocked tally keeps the block; an IPv6 /64 is one source.
    #[test]
    fn a_burst_passes_no_more_attempts_than_the_block_allows() {
        let th = Throttle::default();
        let a = ip("2001:db8:1:2::10");
        let passed = (0..100).filter(|_| th.check("admin", a, t(0), RULES).is_ok()).count();
        assert_eq!(passed, 3);
        for _ in 0..3 {
            th.failed("admin", false, a, t(1), RULES);
        }
        assert_eq!(th.failed("Admin", false, a, t(2), RULES), Some(Refusal::Account), "still blocked");
        let neighbour = ip("2001:db8:1:2::99");
        let refused = th.check("admin", neighbour, t(3), RULES).expect_err("same /64");
        assert_eq!(refused, Refused { why: Refusal::Account, first: true });
        let again = th.check("admin", a, t(4), RULES).expect_err("still blocked");
        assert!(!again.first, "one audit row per block");
        assert_eq!(th.check("admin", ip("2001:db8:1:3::10"), t(3), RULES), Ok(()));
    }

    /// Failures older than the window do not add up; a success forgets the address's failures.
    #[test]
    fn failures_count_within_the_window_and_a_success_forgets_them() {
        let th = Throttle::default();
        let desk = ip("10.0.0.7");
        th.failed("ana", false, desk, t(0), RULES);
        th.failed("ana", false, desk, t(1), RULES);
        assert_eq!(th.failed("ana", false, desk, t(1) + Duration::minutes(16), RULES), None, "a new window");
        th.failed("ana", false, desk, t(2000), RULES);
        th.succeeded("ana", desk);
        assert_eq!(th.failed("ana", false, desk, t(2001), RULES), None);
    }

    /// A spray of user names from one address blocks that address for every account.
    #[test]
    fn a_spray_of_user_names_blocks_the_address() {
        let th = Throttle::default();
        let sprayer = ip("203.0.113.9");
        let mut blocked = None;
        for i in 0..12 {
            blocked = th.failed(&format!("user{i}"), true, sprayer, t(i), RULES);
        }
        assert_eq!(blocked, Some(Refusal::Source));
        assert_eq!(th.check("someone-else", sprayer, t(20), RULES).map_err(|r| r.why), Err(Refusal::Source));
        assert_eq!(th.check("someone-else", ip("10.0.0.7"), t(20), RULES), Ok(()));
        // Typos on real accounts from one shared address never block it for everyone.
        let site = ip("10.1.1.1");
        for i in 0..40 {
            th.failed(&format!("operador{}", i % 20), false, site, t(i), RULES);
        }
        assert_eq!(th.check("operador99", site, t(50), RULES), Ok(()));
    }
}
