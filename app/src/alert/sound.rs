//! The alert sound: one cpal output stream for the console's lifetime, fed by [`tone::sample`].
//!
//! The stream lives on its own thread (cpal streams are not `Send` everywhere). The UI only sets
//! what should sound — a severity and a volume, or silence — through two atomics the audio callback
//! reads; no locks on the audio thread. Without an audio device the console keeps working: the
//! status says why there is no sound and the visual alert carries the alarm alone.

use super::tone;
use atalaia_core::alarm::Severity;
use cpal::traits::{DeviceTrait, HostTrait, StreamTrait};
use cpal::{FromSample, SizedSample};
use std::sync::atomic::{AtomicBool, AtomicU8, AtomicU32, Ordering};
use std::sync::{Arc, mpsc};
use std::time::Duration;

/// Whether the console can make a sound.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Status {
    /// Playing through this device.
    Ready(String),
    /// No sound: why (shown to the operator).
    Unavailable(String),
}

#[derive(Debug, Default)]
struct Shared {
    /// 0 silence, 1 medium, 2 high, 3 critical.
    severity: AtomicU8,
    /// Volume × 1000.
    volume: AtomicU32,
    stop: AtomicBool,
    /// The stream reported an error (device unplugged, sound server restarted).
    failed: AtomicBool,
    /// Samples written since the stream started (for tests and diagnostics).
    written: std::sync::atomic::AtomicU64,
}

/// Handle to the alert sound; cheap to clone, the stream stops when the last clone is dropped.
#[derive(Debug, Clone)]
pub struct Sound {
    shared: Arc<Shared>,
    status: Status,
    _guard: Arc<Guard>,
}

#[derive(Debug)]
struct Guard {
    shared: Arc<Shared>,
    thread: Option<std::thread::Thread>,
}

impl Drop for Guard {
    fn drop(&mut self) {
        self.shared.stop.store(true, Ordering::Release);
        if let Some(t) = &self.thread {
            t.unpark();
        }
    }
}

impl Default for Sound {
    fn default() -> Self {
        Self::disabled("som desativado")
    }
}

fn code(severity: Severity) -> u8 {
    match severity {
        Severity::Critical => 3,
        Severity::High => 2,
        Severity::Medium => 1,
        Severity::Low => 0,
    }
}

fn severity_of(code: u8) -> Option<Severity> {
    match code {
        3 => Some(Severity::Critical),
        2 => Some(Severity::High),
        1 => Some(Severity::Medium),
        _ => None,
    }
}

impl Sound {
    /// No sound at all (tests, `--no-sound`), with the reason to show.
    pub fn disabled(reason: &str) -> Self {
        let shared = Arc::new(Shared::default());
        Self {
            shared: shared.clone(),
            status: Status::Unavailable(reason.to_owned()),
            _guard: Arc::new(Guard { shared, thread: None }),
        }
    }

    /// Opens the default output device. Never fails: without a device the status says why.
    pub fn start() -> Self {
        let shared = Arc::new(Shared::default());
        let (tx, rx) = mpsc::channel();
        let worker = shared.clone();
        let spawned = std::thread::Builder::new().name("atalaia-sound".into()).spawn(move || {
            match open(worker.clone()) {
                Ok((stream, name)) => {
                    let _ = tx.send(Ok(name));
                    while !worker.stop.load(Ordering::Acquire) {
                        std::thread::park_timeout(Duration::from_secs(1));
                    }
                    drop(stream);
                }
                Err(reason) => {
                    let _ = tx.send(Err(reason));
                }
            }
        });
        let (status, thread) = match spawned {
            Ok(handle) => {
                let status = match rx.recv_timeout(Duration::from_secs(5)) {
                    Ok(Ok(name)) => Status::Ready(name),
                    Ok(Err(reason)) => Status::Unavailable(reason),
                    Err(_) => Status::Unavailable("o dispositivo de áudio não respondeu".into()),
                };
                (status, Some(handle.thread().clone()))
            }
            Err(e) => (Status::Unavailable(e.to_string()), None),
        };
        match &status {
            Status::Ready(name) => tracing::info!(device = %name, "alert sound ready"),
            Status::Unavailable(reason) => tracing::warn!(%reason, "no alert sound; visual alerts only"),
        }
        Self { shared: shared.clone(), status, _guard: Arc::new(Guard { shared, thread }) }
    }

    /// Whether sound works now: a device lost mid-shift turns this to unavailable, so the console
    /// shows it instead of relying on a tone that will not come.
    pub fn status(&self) -> Status {
        if self.shared.failed.load(Ordering::Relaxed) {
            return Status::Unavailable("o dispositivo de áudio parou de responder".into());
        }
        self.status.clone()
    }

    pub fn is_available(&self) -> bool {
        matches!(self.status(), Status::Ready(_))
    }

    /// What should sound now: the most severe unattended alarm's tone at a volume, or silence.
    pub fn set(&self, what: Option<(Severity, f32)>) {
        let (c, v) = what.map_or((0, 0), |(s, v)| (code(s), (v.clamp(0.0, 1.0) * 1000.0) as u32));
        self.shared.volume.store(v, Ordering::Relaxed);
        self.shared.severity.store(c, Ordering::Release);
    }

    /// What is sounding (severity, volume), as set last.
    pub fn current(&self) -> Option<(Severity, f32)> {
        let s = severity_of(self.shared.severity.load(Ordering::Acquire))?;
        Some((s, self.shared.volume.load(Ordering::Relaxed) as f32 / 1000.0))
    }

    /// Frames handed to the device so far.
    pub fn frames_written(&self) -> u64 {
        self.shared.written.load(Ordering::Relaxed)
    }
}

fn open(shared: Arc<Shared>) -> Result<(cpal::Stream, String), String> {
    let host = cpal::default_host();
    let device = host.default_output_device().ok_or_else(|| "nenhum dispositivo de áudio".to_owned())?;
    let config =
        device.default_output_config().map_err(|e| format!("dispositivo de áudio indisponível: {e}"))?;
    let name = device.description().map(|d| d.to_string()).unwrap_or_else(|_| "default".into());
    let format = config.sample_format();
    let config: cpal::StreamConfig = config.into();
    let stream = match format {
        cpal::SampleFormat::F32 => build::<f32>(&device, config, shared),
        cpal::SampleFormat::I16 => build::<i16>(&device, config, shared),
        cpal::SampleFormat::U16 => build::<u16>(&device, config, shared),
        cpal::SampleFormat::I32 => build::<i32>(&device, config, shared),
        other => return Err(format!("formato de áudio não suportado: {other}")),
    }?;
    stream.play().map_err(|e| format!("não foi possível tocar: {e}"))?;
    Ok((stream, name))
}

fn build<T>(
    device: &cpal::Device,
    config: cpal::StreamConfig,
    shared: Arc<Shared>,
) -> Result<cpal::Stream, String>
where
    T: SizedSample + FromSample<f32>,
{
    let shared_for_errors = shared.clone();
    let rate = config.sample_rate;
    let channels = usize::from(config.channels).max(1);
    let (mut current, mut n) = (0u8, 0u64);
    let callback = move |data: &mut [T], _: &cpal::OutputCallbackInfo| {
        let code = shared.severity.load(Ordering::Acquire);
        if code != current {
            // A new tone starts at its beginning; silence resets too.
            current = code;
            n = 0;
        }
        let volume = shared.volume.load(Ordering::Relaxed) as f32 / 1000.0;
        let pattern = severity_of(code).and_then(tone::pattern);
        for frame in data.chunks_mut(channels) {
            let v = pattern.as_ref().map_or(0.0, |p| tone::sample(p, n, rate, volume));
            n += 1;
            frame.fill(T::from_sample(v));
        }
        shared.written.fetch_add((data.len() / channels) as u64, Ordering::Relaxed);
    };
    let errors = shared_for_errors;
    device
        .build_output_stream(
            config,
            callback,
            move |e| {
                tracing::warn!(error = %e, "audio stream error; visual alerts only");
                errors.failed.store(true, Ordering::Relaxed);
            },
            None,
        )
        .map_err(|e| format!("não foi possível abrir o áudio: {e}"))
}
