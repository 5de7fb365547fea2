//! Arbitrary query strings and bodies, with and without a JSON content type, through the OsmAnd
//! decoder.
#![no_main]

use atalaia_backend::ingest::osmand;
use axum::http::{HeaderMap, HeaderValue, header};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let split = data.iter().position(|b| *b == 0).unwrap_or(data.len());
    let query = std::str::from_utf8(&data[..split]).ok();
    let body = data.get(split + 1..).unwrap_or_default();
    let _ = osmand::decode(query, &HeaderMap::new(), body);
    let mut json = HeaderMap::new();
    json.insert(header::CONTENT_TYPE, HeaderValue::from_static("application/json"));
    let _ = osmand::decode(None, &json, body);
});
