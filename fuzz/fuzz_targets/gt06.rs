//! Arbitrary bytes, delivered in two reads, through the GT06 framer (78 78 and 79 79 frames),
//! the decoder of every packet type, the acknowledgements and the device model that reads the
//! alarm and status inputs.
#![no_main]

use atalaia_backend::ingest::gt06;
use atalaia_backend::ingest::models::ModelRegistry;
use atalaia_core::devices::Input;
use libfuzzer_sys::fuzz_target;

fn drain(f: &mut gt06::Framer, models: &ModelRegistry) {
    while let Some(next) = f.next_frame() {
        if let Ok(frame) = next {
            let _ = gt06::ack_for(&frame);
            let _ = gt06::protocol_name(frame.protocol, frame.long);
            let report = match gt06::decode(&frame) {
                Ok(gt06::Message::Heartbeat(r) | gt06::Message::Alarm { report: r, .. }) => r,
                Ok(gt06::Message::TimeRequest) => {
                    let _ = gt06::time_reply(frame.serial, chrono::Utc::now());
                    continue;
                }
                _ => continue,
            };
            let _ = report.battery.map(gt06::Battery::percent);
            let inputs = [Input::Gt06Status(report.status.alarm_bits), Input::Gt06Alarm(report.alarm)];
            for m in models.all() {
                let _ = m.read(&inputs);
            }
        }
    }
}

fuzz_target!(|data: &[u8]| {
    let models = ModelRegistry::shipped();
    let mut f = gt06::Framer::default();
    let mid = data.len() / 2;
    f.push(&data[..mid]);
    drain(&mut f, &models);
    f.push(&data[mid..]);
    drain(&mut f, &models);
    assert!(f.pending() <= data.len());
});
