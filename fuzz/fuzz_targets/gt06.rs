//! Arbitrary bytes, delivered in two reads, through the GT06 framer, decoder and acknowledger.
#![no_main]

use atalaia_backend::ingest::gt06;
use libfuzzer_sys::fuzz_target;

fn drain(f: &mut gt06::Framer) {
    while let Some(next) = f.next_frame() {
        if let Ok(frame) = next {
            let _ = gt06::decode(&frame);
            let _ = gt06::ack_for(&frame);
        }
    }
}

fuzz_target!(|data: &[u8]| {
    let mut f = gt06::Framer::default();
    let mid = data.len() / 2;
    f.push(&data[..mid]);
    drain(&mut f);
    f.push(&data[mid..]);
    drain(&mut f);
    assert!(f.pending() <= data.len());
});
