//! Reconnection waits with "full jitter": the n-th wait is drawn uniformly from
//! `[base, min(cap, base · 2ⁿ)]`, so 225 consoles that lost the server at the same instant come
//! back spread over the window instead of all at once, and a long outage is retried every
//! `cap` at most.

use rand::Rng;
use std::time::Duration;

#[derive(Debug, Clone)]
pub struct Backoff {
    base: Duration,
    cap: Duration,
    attempt: u32,
}

impl Backoff {
    pub fn new(base: Duration, cap: Duration) -> Self {
        Self { base, cap: cap.max(base), attempt: 0 }
    }

    /// The link works again: the next failure starts from a short wait.
    pub fn reset(&mut self) {
        self.attempt = 0;
    }

    /// The wait before the next attempt.
    pub fn next_delay(&mut self) -> Duration {
        self.next_with(&mut rand::rng())
    }

    pub fn next_with(&mut self, rng: &mut impl Rng) -> Duration {
        let ceiling = self.base.saturating_mul(1u32 << self.attempt.min(16)).min(self.cap);
        self.attempt = self.attempt.saturating_add(1);
        let (lo, hi) = (self.base.as_millis() as u64, ceiling.as_millis() as u64);
        Duration::from_millis(if hi > lo { rng.random_range(lo..=hi) } else { lo })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;

    #[test]
    fn waits_grow_to_the_cap_and_stay_within_their_window() {
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(7);
        let mut b = Backoff::new(Duration::from_millis(500), Duration::from_secs(30));
        for n in 0..12u32 {
            let ceiling = (500u64 << n).min(30_000);
            let d = b.next_with(&mut rng).as_millis() as u64;
            assert!((500..=ceiling).contains(&d), "attempt {n}: {d} ms outside 500..={ceiling}");
        }
        b.reset();
        assert_eq!(b.next_with(&mut rng), Duration::from_millis(500), "first wait after a reset");
    }

    #[test]
    fn consoles_that_lost_the_server_together_come_back_spread_out() {
        // 225 consoles, each on its fourth failure (window 0.5–4 s): no second of the window
        // gets more than a third of them, and they are not all in the same 100 ms.
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(1);
        let mut per_second = [0usize; 5];
        let mut delays = Vec::new();
        for _ in 0..225 {
            let mut b = Backoff::new(Duration::from_millis(500), Duration::from_secs(30));
            for _ in 0..3 {
                b.next_with(&mut rng);
            }
            let d = b.next_with(&mut rng);
            per_second[d.as_secs() as usize] += 1;
            delays.push(d.as_millis());
        }
        assert!(per_second.iter().all(|&n| n <= 75), "{per_second:?}");
        let (min, max) = (delays.iter().min().expect("some"), delays.iter().max().expect("some"));
        assert!(max - min > 2_500, "spread over the window: {min}..{max} ms");
    }
}
