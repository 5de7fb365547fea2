//! Alert tones, synthesised sample by sample (no audio files to ship or lose).
//!
//! Each severity has its own cadence so an operator can tell them apart without looking: a
//! critical alarm is three fast high beeps, a high one two slower middle beeps, a medium one a
//! single low beep; low-severity alarms are silent (visual only). The pattern repeats for as long
//! as the alarm is unattended. Everything here is a pure function of the sample index, so the
//! player, the tests and the WAV written by a test produce the very same signal.

use atalaia_core::alarm::Severity;

/// One beep of a pattern.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Beep {
    pub freq_hz: f32,
    /// Start within the pattern period.
    pub start_ms: u32,
    pub len_ms: u32,
}

/// A repeating cadence of beeps.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Pattern {
    pub beeps: &'static [Beep],
    pub period_ms: u32,
}

const CRITICAL: Pattern = Pattern {
    beeps: &[
        Beep { freq_hz: 880.0, start_ms: 0, len_ms: 250 },
        Beep { freq_hz: 880.0, start_ms: 400, len_ms: 250 },
        Beep { freq_hz: 880.0, start_ms: 800, len_ms: 250 },
    ],
    period_ms: 2000,
};

const HIGH: Pattern = Pattern {
    beeps: &[
        Beep { freq_hz: 660.0, start_ms: 0, len_ms: 350 },
        Beep { freq_hz: 660.0, start_ms: 600, len_ms: 350 },
    ],
    period_ms: 3000,
};

const MEDIUM: Pattern =
    Pattern { beeps: &[Beep { freq_hz: 520.0, start_ms: 0, len_ms: 400 }], period_ms: 6000 };

/// The cadence for a severity; `None` for alarms that only show.
pub fn pattern(severity: Severity) -> Option<Pattern> {
    match severity {
        Severity::Critical => Some(CRITICAL),
        Severity::High => Some(HIGH),
        Severity::Medium => Some(MEDIUM),
        Severity::Low => None,
    }
}

/// Attack and release of each beep, so it starts and ends without a click.
const RAMP_MS: f32 = 5.0;

/// Sample `n` (from the start of the pattern) at `rate` Hz, amplitude in [-volume, volume].
pub fn sample(pattern: &Pattern, n: u64, rate: u32, volume: f32) -> f32 {
    let rate_f = rate as f64;
    let period = (u64::from(pattern.period_ms) * u64::from(rate) / 1000).max(1);
    let at = n % period;
    let ms = at as f64 * 1000.0 / rate_f;
    for beep in pattern.beeps {
        let (start, len) = (f64::from(beep.start_ms), f64::from(beep.len_ms));
        if ms >= start && ms < start + len {
            let into = ms - start;
            let ramp = ((into.min(len - into)) as f32 / RAMP_MS).min(1.0);
            // Phase from the beep's start so every beep begins at zero.
            let t = into / 1000.0;
            let s = (t * f64::from(beep.freq_hz) * std::f64::consts::TAU).sin() as f32;
            return s * ramp * volume;
        }
    }
    0.0
}

/// A whole stretch of the tone (tests, WAV files).
pub fn render(pattern: &Pattern, rate: u32, seconds: f32, volume: f32) -> Vec<f32> {
    let n = (rate as f32 * seconds) as u64;
    (0..n).map(|i| sample(pattern, i, rate, volume)).collect()
}

/// Volume by how long the oldest alarm has waited unattended: it gets louder, never quieter.
pub fn volume(unattended_s: i64) -> f32 {
    match unattended_s {
        ..30 => 0.45,
        30..120 => 0.7,
        _ => 1.0,
    }
}

/// Power of `freq` in `samples` (Goertzel), normalised so a full-scale sine gives about 0.25.
pub fn goertzel(samples: &[f32], rate: u32, freq: f32) -> f32 {
    let w = std::f32::consts::TAU * freq / rate as f32;
    let coeff = 2.0 * w.cos();
    let (mut s1, mut s2) = (0.0f32, 0.0f32);
    for &x in samples {
        let s = x + coeff * s1 - s2;
        s2 = s1;
        s1 = s;
    }
    let n = samples.len().max(1) as f32;
    (s1 * s1 + s2 * s2 - coeff * s1 * s2) / (n * n)
}

/// On/off segments of a signal, as (start_ms, len_ms, on), measured in windows of `window_ms`.
pub fn segments(samples: &[f32], rate: u32, window_ms: u32) -> Vec<(u32, u32, bool)> {
    let w = (rate * window_ms / 1000).max(1) as usize;
    let mut out: Vec<(u32, u32, bool)> = Vec::new();
    for (i, chunk) in samples.chunks(w).enumerate() {
        let rms = (chunk.iter().map(|x| x * x).sum::<f32>() / chunk.len() as f32).sqrt();
        let on = rms > 0.02;
        let at = i as u32 * window_ms;
        match out.last_mut() {
            Some(last) if last.2 == on => last.1 += window_ms,
            _ => out.push((at, window_ms, on)),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const RATE: u32 = 48_000;

    #[test]
    fn critical_is_three_880_hz_beeps_every_two_seconds() {
        let p = pattern(Severity::Critical).expect("critical sounds");
        let s = render(&p, RATE, 4.0, 0.5);
        let seg = segments(&s, RATE, 10);
        let on: Vec<(u32, u32)> = seg.iter().filter(|x| x.2).map(|x| (x.0, x.1)).collect();
        // Windows of 10 ms: starts exact, lengths within one window (the ramps are quiet).
        assert_eq!(on.len(), 6, "{seg:?}");
        for (i, (start, len)) in on.iter().enumerate() {
            let expected = (i as u32 / 3) * 2000 + (i as u32 % 3) * 400;
            assert!(start.abs_diff(expected) <= 10, "beep {i} at {start} ms, expected {expected}");
            assert!(len.abs_diff(250) <= 10, "beep {i} lasts {len} ms");
        }
        let beep = &s[(RATE / 100) as usize..(RATE / 5) as usize];
        assert!(goertzel(beep, RATE, 880.0) > 20.0 * goertzel(beep, RATE, 660.0));
    }

    #[test]
    fn severities_are_told_apart_by_pitch_and_cadence() {
        let hz = |s| pattern(s).map(|p: Pattern| p.beeps[0].freq_hz);
        assert_eq!(hz(Severity::Critical), Some(880.0));
        assert_eq!(hz(Severity::High), Some(660.0));
        assert_eq!(hz(Severity::Medium), Some(520.0));
        assert_eq!(hz(Severity::Low), None, "low severity only shows");
        let beeps = |s| pattern(s).map_or(0, |p: Pattern| p.beeps.len());
        assert!(beeps(Severity::Critical) > beeps(Severity::High));
        assert!(beeps(Severity::High) > beeps(Severity::Medium));
    }

    #[test]
    fn no_clicks_and_unattended_alarms_get_louder() {
        let p = pattern(Severity::High).expect("high sounds");
        let s = render(&p, RATE, 1.0, 1.0);
        let max_step = s.windows(2).map(|w| (w[1] - w[0]).abs()).fold(0.0, f32::max);
        // A 660 Hz sine at 48 kHz moves at most 2π·660/48000 ≈ 0.086 per sample.
        assert!(max_step < 0.1, "step {max_step}");
        assert!(s.iter().all(|x| x.abs() <= 1.0));
        assert!(volume(0) < volume(45) && volume(45) < volume(300));
    }
}
