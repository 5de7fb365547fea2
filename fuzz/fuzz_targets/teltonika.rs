//! Arbitrary bytes through the Teltonika handshake parser, then (in two reads) the framer
//! (keep-alive bytes included) and the decoder of Codec 8, 8E, 16 records, Codec 12/14 responses
//! and Codec 13 messages; each record's IO read by every shipped device model.
#![no_main]

use atalaia_backend::ingest::models::ModelRegistry;
use atalaia_backend::ingest::teltonika;
use atalaia_core::devices::Input;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let models = ModelRegistry::shipped();
    let _ = teltonika::parse_imei(data);
    let mut f = teltonika::Framer::default();
    let mid = data.len() / 2;
    for chunk in [&data[..mid], &data[mid..]] {
        f.push(chunk);
        while let Some(next) = f.next_packet() {
            if let Ok(packet) = next {
                let _ = teltonika::ack(packet.records.len());
                for r in &packet.records {
                    let inputs: Vec<Input> = r
                        .io
                        .iter()
                        .filter_map(|(id, v)| match v {
                            teltonika::IoValue::Int(value) => Some(Input::TeltonikaIo { id: *id, value: *value }),
                            teltonika::IoValue::Bytes(_) => None,
                        })
                        .chain([Input::TeltonikaPriority(r.priority)])
                        .collect();
                    for m in models.all() {
                        let _ = m.read(&inputs);
                    }
                }
            }
        }
        let _ = f.take_pings();
    }
});
