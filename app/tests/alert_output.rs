//! The console's alert outputs, through the real system interfaces.
//!
//! - Sound: the critical-alarm tone played by the console's own cpal player into ALSA, whose
//!   default device is redirected (per process, through `$HOME/.asoundrc`) to the `file` plugin.
//!   The captured WAV is measured with sox (frequency) and by its envelope (cadence).
//! - No sound card: the player reports "unavailable" and nothing panics.
//! - Desktop notification: notify-rust talks to a fake `org.freedesktop.Notifications` service on
//!   a private session bus started with `dbus-run-session`.
//!
//! ALSA reads its configuration once per process and the session bus comes from the environment,
//! so each check runs in a child process: this test binary re-runs itself with one `#[ignore]`d
//! test selected and the environment it needs.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use atalaia_console::alert::{Sound, desktop, sound, tone};
use atalaia_core::alarm::Severity;
use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

/// Runs `test` (an ignored test of this binary) in a child process, optionally under a wrapper.
fn child(test: &str, wrapper: &[&str], env: &[(&str, &Path)]) {
    let exe = std::env::current_exe().unwrap();
    let mut cmd = match wrapper.split_first() {
        Some((program, args)) => {
            let mut c = Command::new(program);
            c.args(args).arg(&exe);
            c
        }
        None => Command::new(&exe),
    };
    cmd.args(["--exact", test, "--ignored", "--nocapture", "--test-threads=1"]);
    for (k, v) in env {
        cmd.env(k, v);
    }
    let out = cmd.output().expect("run the child test");
    let text = format!("{}\n{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    assert!(out.status.success(), "child {test} failed:\n{text}");
    assert!(text.contains("1 passed"), "child {test} did not run:\n{text}");
}

/// The tone for a critical alarm, as ALSA received it: 880 Hz (sox), three 250 ms beeps 400 ms
/// apart, repeating every 2 s (envelope), at the volume asked.
#[test]
fn critical_alarm_tone_through_an_alsa_file_pcm() {
    let dir = tempfile::tempdir().unwrap();
    let wav = dir.path().join("captured.wav");
    std::fs::write(
        dir.path().join(".asoundrc"),
        format!(
            "pcm.!default {{ type plug; slave {{ pcm \"capture_to_file\"; format S16_LE; rate 48000; channels 1 }} }}\n\
             pcm.capture_to_file {{ type file; slave.pcm \"null\"; file \"{}\"; format \"wav\" }}\n",
            wav.display()
        ),
    )
    .unwrap();
    child("child_plays_the_critical_tone", &[], &[("HOME", dir.path())]);

    let mut reader = hound::WavReader::open(&wav).expect("ALSA wrote the WAV");
    let spec = reader.spec();
    assert_eq!((spec.sample_rate, spec.channels, spec.bits_per_sample), (48_000, 1, 16));
    let rate = spec.sample_rate;
    // The stream starts silent until the alarm is set (and the clockless PCM may have taken a
    // lot of silence by then): measure eight seconds from the first beep.
    let tone: Vec<f32> = reader
        .samples::<i16>()
        .map(|s| f32::from(s.unwrap()) / f32::from(i16::MAX))
        .skip_while(|s| s.abs() <= 0.01)
        .take(rate as usize * 8)
        .collect();
    assert!(!tone.is_empty(), "the tone reached ALSA");
    let tone = &tone[..];
    assert!(tone.len() >= rate as usize * 4, "at least two periods captured");

    // Cadence: on/off segments of the first 4 s.
    let segments = tone::segments(&tone[..rate as usize * 4], rate, 10);
    let on: Vec<(u32, u32)> = segments.iter().filter(|s| s.2).map(|s| (s.0, s.1)).collect();
    assert_eq!(on.len(), 6, "three beeps per period, two periods: {segments:?}");
    for (i, (at, len)) in on.iter().enumerate() {
        let expected = (i as u32 / 3) * 2000 + (i as u32 % 3) * 400;
        assert!(at.abs_diff(expected) <= 20, "beep {i} at {at} ms, expected {expected} ms");
        assert!(len.abs_diff(250) <= 20, "beep {i} lasts {len} ms");
    }
    // Level: the volume of a fresh alarm (RMS of a sine = peak / √2).
    let beep = &tone[(rate / 50) as usize..(rate / 5) as usize];
    let rms = (beep.iter().map(|x| x * x).sum::<f32>() / beep.len() as f32).sqrt();
    let expected_rms = tone::volume(0) / std::f32::consts::SQRT_2;
    assert!((rms - expected_rms).abs() < 0.02, "rms {rms}, expected {expected_rms}");

    // Frequency, measured by sox on the first beep.
    let first_beep = dir.path().join("beep.wav");
    let spec = hound::WavSpec {
        channels: 1,
        sample_rate: rate,
        bits_per_sample: 16,
        sample_format: hound::SampleFormat::Int,
    };
    let mut w = hound::WavWriter::create(&first_beep, spec).unwrap();
    for s in &tone[(rate / 100) as usize..(rate * 24 / 100) as usize] {
        w.write_sample((s * f32::from(i16::MAX)) as i16).unwrap();
    }
    w.finalize().unwrap();
    let out = Command::new("sox").arg(&first_beep).args(["-n", "stat"]).output().expect("sox (apt: sox)");
    let report = String::from_utf8_lossy(&out.stderr);
    let freq: f64 = report
        .lines()
        .find(|l| l.starts_with("Rough   frequency:"))
        .and_then(|l| l.split(':').nth(1))
        .and_then(|v| v.trim().parse().ok())
        .unwrap_or_else(|| panic!("no frequency in sox output:\n{report}"));
    assert!((freq - 880.0).abs() <= 10.0, "sox measured {freq} Hz");
    eprintln!("critical tone via ALSA: {freq} Hz (sox), beeps at {on:?} ms (onset, length), rms {rms:.4}");
}

#[test]
#[ignore = "run by critical_alarm_tone_through_an_alsa_file_pcm in its own process"]
fn child_plays_the_critical_tone() {
    let sound = Sound::start();
    assert!(matches!(sound.status(), sound::Status::Ready(_)), "{:?}", sound.status());
    sound.set(Some((Severity::Critical, tone::volume(0))));
    // The file plugin over `null` has no clock: samples flow as fast as they are made. Keep the
    // stream open until five seconds of tone have been handed over.
    let deadline = Instant::now() + Duration::from_secs(20);
    let before = sound.frames_written();
    while sound.frames_written() < before + 48_000 * 6 {
        assert!(Instant::now() < deadline, "ALSA took only {} frames", sound.frames_written());
        std::thread::sleep(Duration::from_millis(20));
    }
    sound.set(None);
    drop(sound);
    // The stream thread closes the file when it stops.
    std::thread::sleep(Duration::from_millis(300));
}

/// No sound card (the default PCM points at a card that does not exist): the player says so in
/// Portuguese and every call still works; the console relies on the visual alert.
#[test]
fn without_an_audio_device_the_console_says_so_and_keeps_working() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join(".asoundrc"), "pcm.!default { type hw; card 97 }\n").unwrap();
    child("child_without_audio", &[], &[("HOME", dir.path())]);
}

#[test]
#[ignore = "run by without_an_audio_device_the_console_says_so_and_keeps_working in its own process"]
fn child_without_audio() {
    let sound = Sound::start();
    let sound::Status::Unavailable(reason) = sound.status() else { panic!("{:?}", sound.status()) };
    assert!(reason.contains("indisponível") || reason.contains("nenhum dispositivo"), "{reason}");
    assert!(!reason.contains("não respondeu"), "a missing device is reported at once, not as a hang");
    sound.set(Some((Severity::Critical, 1.0)));
    assert_eq!(sound.current(), Some((Severity::Critical, 1.0)), "the wish is kept, nothing sounds");
    sound.set(None);
}

/// A desktop notification for a critical alarm reaches the freedesktop notification service with
/// the console's name, the alarm in the summary, and critical urgency.
#[test]
fn desktop_notification_reaches_the_notification_service() {
    child("child_notifies", &["dbus-run-session", "--"], &[]);
}

#[derive(Debug, Clone, PartialEq)]
struct Received {
    app: String,
    summary: String,
    body: String,
    urgency: Option<u8>,
    timeout: i32,
}

struct FakeNotifications {
    tx: std::sync::mpsc::Sender<Received>,
}

#[zbus::interface(name = "org.freedesktop.Notifications")]
impl FakeNotifications {
    #[allow(clippy::too_many_arguments)]
    fn notify(
        &self,
        app_name: String,
        _replaces_id: u32,
        _app_icon: String,
        summary: String,
        body: String,
        _actions: Vec<String>,
        hints: std::collections::HashMap<String, zbus::zvariant::OwnedValue>,
        expire_timeout: i32,
    ) -> u32 {
        let urgency = hints.get("urgency").and_then(|v| u8::try_from(v).ok());
        let _ = self.tx.send(Received { app: app_name, summary, body, urgency, timeout: expire_timeout });
        42
    }

    fn get_capabilities(&self) -> Vec<String> {
        vec!["body".into()]
    }

    fn get_server_information(&self) -> (String, String, String, String) {
        ("fake".into(), "atalaia-tests".into(), "1".into(), "1.2".into())
    }

    fn close_notification(&self, _id: u32) {}
}

#[test]
#[ignore = "run by desktop_notification_reaches_the_notification_service under dbus-run-session"]
fn child_notifies() {
    assert!(std::env::var("DBUS_SESSION_BUS_ADDRESS").is_ok(), "no session bus");
    let (tx, rx) = std::sync::mpsc::channel();
    let _service = zbus::blocking::connection::Builder::session()
        .unwrap()
        .name("org.freedesktop.Notifications")
        .unwrap()
        .serve_at("/org/freedesktop/Notifications", FakeNotifications { tx })
        .unwrap()
        .build()
        .unwrap();
    let notice = desktop::Notice {
        summary: "Alarme: Rompimento da cinta".into(),
        body: "Crítica — João da Silva — 22/11 10:30:00".into(),
        severity: Severity::Critical,
    };
    let id = desktop::send_blocking(&notice).expect("notification sent");
    assert_eq!(id, 42);
    let got = rx.recv_timeout(Duration::from_secs(5)).expect("the service got it");
    assert_eq!(
        got,
        Received {
            app: desktop::APP.into(),
            summary: notice.summary.clone(),
            body: notice.body.clone(),
            urgency: Some(2),
            timeout: 0,
        }
    );
}
