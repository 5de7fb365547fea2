//! The crew's tablet app at `/crew/` (issue 23): the files built from `crew-app/` by `build.rs`,
//! embedded in the binary and served with the build id as their ETag. The service worker keeps
//! them on the tablet; `no-cache` makes it ask again, cheaply, whenever it is online.

use axum::Router;
use axum::extract::Path;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;

macro_rules! asset {
    ($name:literal) => {
        include_bytes!(concat!(env!("OUT_DIR"), "/crew/", $name))
    };
}

/// Identifies this build of the app (a hash of its files).
pub const BUILD_ID: &str = include_str!(concat!(env!("OUT_DIR"), "/crew/BUILD_ID"));

/// Every file of the app: its media type, its bytes, and the same gzipped.
const FILES: &[(&str, &str, &[u8], &[u8])] = &[
    ("index.html", "text/html; charset=utf-8", asset!("index.html"), asset!("index.html.gz")),
    ("app.js", "text/javascript; charset=utf-8", asset!("app.js"), asset!("app.js.gz")),
    ("sw.js", "text/javascript; charset=utf-8", asset!("sw.js"), asset!("sw.js.gz")),
    ("app.css", "text/css; charset=utf-8", asset!("app.css"), asset!("app.css.gz")),
    (
        "manifest.webmanifest",
        "application/manifest+json",
        asset!("manifest.webmanifest"),
        asset!("manifest.webmanifest.gz"),
    ),
    ("icon.svg", "image/svg+xml", asset!("icon.svg"), asset!("icon.svg.gz")),
];

/// Scripts from the app itself only; styles inline for the element builder's `style`
/// attributes; images and media from blobs (photos before they are sent), the API and the live
/// feed on the same origin.
const CSP: &str = "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; \
                   img-src 'self' blob: data:; media-src 'self' blob:; connect-src 'self'; \
                   frame-ancestors 'none'; base-uri 'none'; form-action 'none'";

pub fn router<S: Clone + Send + Sync + 'static>() -> Router<S> {
    Router::new()
        .route("/crew", get(|| async { Redirect::permanent("/crew/") }))
        .route("/crew/", get(|headers: HeaderMap| async move { serve("index.html", &headers) }))
        .route(
            "/crew/{file}",
            get(|Path(file): Path<String>, headers: HeaderMap| async move { serve(&file, &headers) }),
        )
}

fn serve(name: &str, headers: &HeaderMap) -> Response {
    let Some((_, media, plain, gzipped)) = FILES.iter().find(|(n, ..)| *n == name) else {
        return crate::error::ApiError::NotFound("Arquivo").into_response();
    };
    let etag = format!("\"{BUILD_ID}-{name}\"");
    let common = [
        (header::ETAG, HeaderValue::from_str(&etag).unwrap_or(HeaderValue::from_static("\"\""))),
        (header::CACHE_CONTROL, HeaderValue::from_static("no-cache")),
        (header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff")),
        (header::CONTENT_SECURITY_POLICY, HeaderValue::from_static(CSP)),
    ];
    if headers.get(header::IF_NONE_MATCH).and_then(|v| v.to_str().ok()) == Some(etag.as_str()) {
        return (StatusCode::NOT_MODIFIED, common).into_response();
    }
    let gzip = headers
        .get(header::ACCEPT_ENCODING)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.split(',').any(|e| e.trim().split(';').next() == Some("gzip")));
    let typed = [
        (header::CONTENT_TYPE, HeaderValue::from_static(media)),
        (header::VARY, HeaderValue::from_static("accept-encoding")),
    ];
    if gzip {
        let encoding = [(header::CONTENT_ENCODING, HeaderValue::from_static("gzip"))];
        return (common, typed, encoding, *gzipped).into_response();
    }
    (common, typed, *plain).into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_app_is_embedded_whole() {
        for (name, _, plain, gzipped) in FILES {
            assert!(!plain.is_empty(), "{name}");
            assert_eq!(&gzipped[..2], [0x1f, 0x8b], "{name}.gz is gzip");
        }
        assert_eq!(BUILD_ID.len(), 16);
        let sw = std::str::from_utf8(asset!("sw.js")).expect("utf-8");
        assert!(sw.contains(BUILD_ID), "the service worker names its cache after the build");
    }
}
