//! Console logic without a UI toolkit: the REST client, the live-feed link with resume by `seq`,
//! the in-memory live model the panes render, and Brazilian formatting of times.

pub mod access;
pub mod admin;
pub mod api;
pub mod backoff;
pub mod cache;
pub mod desk;
pub mod documents;
/// Records for tests, here and in the console's (feature `fixtures`).
#[cfg(any(test, feature = "fixtures"))]
pub mod fixtures;
pub mod format;
pub mod geocoder;
pub mod intake;
pub mod investigation;
pub mod live;
pub mod model;
pub mod outbox;
pub mod photo;
pub mod record;
pub mod regulation;
pub mod reports;
pub mod rules;
pub mod schedule_text;
pub mod seat;
mod sqlite;
pub mod tiles;
pub mod zones;

pub use api::{Api, ApiError};

/// The server's own field checks as one refusal for a form: every message, one per line.
pub(crate) fn refusal(errors: Vec<atalaia_core::wire::FieldError>) -> Result<(), String> {
    if errors.is_empty() {
        Ok(())
    } else {
        Err(errors.into_iter().map(|e| e.message).collect::<Vec<_>>().join("\n"))
    }
}
pub use live::{LiveUpdate, subscribe};
pub use model::LiveModel;
