//! Device-health detectors: strap, body, installation, tamper and jamming as the device reports
//! them (9.19, III-1.37), GNSS loss (27.18.6.10), critical battery from the discharge trend at
//! least an hour before empty (27.18.6.7), and, on the server's clock, loss of cellular
//! communication (27.18.6.9), shielding (GNSS and cellular lost together) and the device switched
//! off for lack of charge (27.18.6.8).

use super::{Ctx, Engine, EngineConfig, Output, Sample, Signal};
use crate::alarm::{AlarmKey, AlarmKind, Subject};
use chrono::{DateTime, Duration, Utc};
use std::collections::VecDeque;

/// How much battery history the trend looks at.
const TREND_SPAN: Duration = Duration::hours(3);
/// The trend needs this much history before it predicts anything.
const TREND_MIN_SPAN: Duration = Duration::minutes(20);

/// Readings closer together than this add nothing to a three-hour trend: the trend keeps one a
/// minute at most, which also bounds what is saved for a restart (9.37).
const TREND_SPACING: Duration = Duration::seconds(60);

/// Battery readings while discharging, for a least-squares discharge rate.
#[derive(Debug, Clone, Default)]
pub struct BatteryTrend {
    readings: VecDeque<(DateTime<Utc>, f64)>,
}

impl BatteryTrend {
    /// Add a reading; returns whether the trend kept it (it changed).
    pub fn push(&mut self, t: DateTime<Utc>, pct: f64) -> bool {
        if self.readings.back().is_some_and(|(last, _)| t < *last + TREND_SPACING) {
            return false;
        }
        self.readings.push_back((t, pct));
        while self.readings.front().is_some_and(|(first, _)| t - *first > TREND_SPAN) {
            self.readings.pop_front();
        }
        true
    }

    /// Forget the history; returns whether there was any.
    pub fn reset(&mut self) -> bool {
        let had = !self.readings.is_empty();
        self.readings.clear();
        had
    }

    pub(super) fn readings(&self) -> Vec<(DateTime<Utc>, f64)> {
        self.readings.iter().copied().collect()
    }

    pub(super) fn restore(&mut self, readings: Vec<(DateTime<Utc>, f64)>) {
        self.readings = readings.into_iter().collect();
    }

    pub fn last(&self) -> Option<(DateTime<Utc>, f64)> {
        self.readings.back().copied()
    }

    /// Discharge rate in percentage points per hour (positive while discharging).
    pub fn rate_per_hour(&self) -> Option<f64> {
        let (first, last) = (self.readings.front()?, self.readings.back()?);
        if self.readings.len() < 3 || last.0 - first.0 < TREND_MIN_SPAN {
            return None;
        }
        let n = self.readings.len() as f64;
        let xs = self.readings.iter().map(|(t, _)| (*t - first.0).num_milliseconds() as f64 / 3_600_000.0);
        let mean_x = xs.clone().sum::<f64>() / n;
        let mean_y = self.readings.iter().map(|(_, p)| p).sum::<f64>() / n;
        let (mut sxy, mut sxx) = (0.0, 0.0);
        for (x, (_, y)) in xs.zip(self.readings.iter()) {
            sxy += (x - mean_x) * (y - mean_y);
            sxx += (x - mean_x) * (x - mean_x);
        }
        if sxx <= f64::EPSILON {
            return None;
        }
        Some(-sxy / sxx)
    }

    /// When the battery is predicted to reach zero, from the last reading and the trend.
    pub fn empty_at(&self) -> Option<DateTime<Utc>> {
        let rate = self.rate_per_hour().filter(|r| *r > 0.1)?;
        let (t, pct) = self.last()?;
        Some(t + Duration::milliseconds((pct.max(0.0) / rate * 3_600_000.0) as i64))
    }
}

impl Engine {
    pub(super) fn device_health(&mut self, ctx: Ctx, subject: Subject, s: &Sample, out: &mut Vec<Output>) {
        let t = s.fix_time;
        let k = |kind| AlarmKey::new(kind, subject);
        for signal in &s.signals {
            match *signal {
                Signal::StrapOpen(on) => self.set(ctx, k(AlarmKind::StrapCut), on, t, out),
                Signal::BodyMissing(on) => self.set(ctx, k(AlarmKind::BodyNotDetected), on, t, out),
                Signal::WrongInstallation(on) => self.set(ctx, k(AlarmKind::WrongInstallation), on, t, out),
                Signal::Tamper(on) => self.set(ctx, k(AlarmKind::Tamper), on, t, out),
                Signal::Jamming(on) => self.set(ctx, k(AlarmKind::Jamming), on, t, out),
                Signal::PowerOff => self.set(ctx, k(AlarmKind::DeviceOff), true, t, out),
                // A button pressed during an outage still needs an answer: raised, dated when it
                // was pressed, however late it arrives. No condition is kept, so nothing
                // restores it; the operator closes it.
                Signal::Panic => out.push(Output::Raise { key: k(AlarmKind::Panic), since: t }),
            }
        }

        // GNSS: lost only after the grace time without any valid fix.
        let grace = self.cfg.gnss_grace;
        let Some(dev) = self.devices.get_mut(&s.device_id) else { return };
        match s.at {
            None if s.heartbeat => {}
            None => {
                if dev.gnss_lost_since.is_none() {
                    self.dirty.devices.insert(s.device_id);
                }
                let since = *dev.gnss_lost_since.get_or_insert(t);
                if t - since >= grace {
                    self.set(ctx, k(AlarmKind::GnssLost), true, since, out);
                }
            }
            Some(_) => {
                if dev.gnss_lost_since.take().is_some() {
                    self.dirty.devices.insert(s.device_id);
                }
                self.set(ctx, k(AlarmKind::GnssLost), false, t, out);
            }
        }

        // Battery: critical at a low level, or when the trend predicts empty soon enough to
        // warn at least an hour ahead; over only once charging or clearly recovered.
        let Some(dev) = self.devices.get_mut(&s.device_id) else { return };
        if s.charging == Some(true) {
            if dev.battery.reset() {
                self.dirty.batteries.insert(s.device_id);
            }
            self.set(ctx, k(AlarmKind::BatteryCritical), false, t, out);
            return;
        }
        let Some(pct) = s.battery_pct else { return };
        if dev.battery.push(t, pct) {
            self.dirty.batteries.insert(s.device_id);
        }
        let empty_at = dev.battery.empty_at();
        let cfg: &EngineConfig = &self.cfg;
        let soon = empty_at.is_some_and(|e| e - t <= cfg.battery_warn_before);
        let active = self.conds.get(&k(AlarmKind::BatteryCritical)).is_some_and(|c| c.active);
        let critical = if active {
            let recovered = pct >= cfg.battery_critical_pct + 5.0
                && empty_at.is_none_or(|e| e - t > cfg.battery_warn_before + Duration::minutes(30));
            !recovered
        } else {
            pct <= cfg.battery_critical_pct || soon
        };
        self.set(ctx, k(AlarmKind::BatteryCritical), critical, t, out);
    }

    /// Loss of communication on the server's clock. What it is called depends on how the device
    /// went quiet: battery empty → switched off; GNSS lost just before → shielding; else a plain
    /// loss of cellular communication.
    pub(super) fn communication(&mut self, now: DateTime<Utc>, out: &mut Vec<Output>) {
        let cfg = &self.cfg;
        let mut lost = Vec::new();
        for d in self.devices.values() {
            let Some(last) = d.last_recv else { continue };
            let group_rule =
                d.info.person_id.as_ref().and_then(|p| self.group_threshold(p, |r| r.signal_timeout_s));
            // A group's threshold replaces the site default, but is never shorter than three
            // of the device's own report intervals (it would flap between reports).
            let by_interval = d
                .info
                .report_interval_s
                .map(|s| (Duration::seconds(i64::from(s)) * 3).max(Duration::minutes(1)));
            let timeout = match (group_rule, by_interval) {
                (Some(g), b) => Duration::seconds(i64::from(g)).max(b.unwrap_or(Duration::zero())),
                (None, Some(b)) => b,
                (None, None) => cfg.signal_timeout,
            };
            if now - last <= timeout {
                continue;
            }
            let subject = self.subject_of(d);
            let already = [AlarmKind::SignalLost, AlarmKind::Shielding, AlarmKind::DeviceOff]
                .iter()
                .any(|kind| self.conds.get(&AlarmKey::new(*kind, subject)).is_some_and(|c| c.active));
            if already {
                continue;
            }
            let battery_empty = d.battery.last().is_some_and(|(_, p)| p <= cfg.battery_off_pct)
                || d.battery.empty_at().is_some_and(|e| e <= now);
            let shielded = match (d.gnss_lost_since, d.last_fix) {
                (Some(g), Some(f)) => f - g <= cfg.shielding_window,
                _ => false,
            };
            let kind = if battery_empty {
                AlarmKind::DeviceOff
            } else if shielded {
                AlarmKind::Shielding
            } else {
                AlarmKind::SignalLost
            };
            lost.push((AlarmKey::new(kind, subject), last));
        }
        for (key, since) in lost {
            self.set(Ctx { device: None, live: true }, key, true, since, out);
        }
    }
}
