//! Arbitrary bytes through the Teltonika handshake parser, then (in two reads) the AVL framer and
//! record decoder.
#![no_main]

use atalaia_backend::ingest::teltonika;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = teltonika::parse_imei(data);
    let mut f = teltonika::Framer::default();
    let mid = data.len() / 2;
    for chunk in [&data[..mid], &data[mid..]] {
        f.push(chunk);
        while let Some(next) = f.next_packet() {
            if let Ok(packet) = next {
                let _ = teltonika::ack(packet.records.len());
            }
        }
    }
});
