//! The dashboard's long-running streams: the live feed (one per server and token, resuming where
//! the cache stopped) and the outbox sender (one per session and outbox file).

use super::{Dashboard, Message};
use atalaia_client::live::Resume;
use atalaia_client::{cache, outbox};
use iced::Subscription;
use std::hash::{Hash, Hasher};
use std::path::PathBuf;
use std::sync::Arc;

/// Identity of the live subscription: a new server or token starts a new one, nothing else does.
struct LiveKey {
    base: String,
    token: String,
    /// Read when the subscription starts only (not part of its identity).
    resume: Option<Resume>,
    cache: Option<cache::Writer>,
}

/// Identity of the outbox sender: one per session and outbox file.
struct PumpKey {
    api: atalaia_client::Api,
    token: String,
    path: PathBuf,
    wake: Arc<tokio::sync::Notify>,
}

impl Hash for PumpKey {
    fn hash<H: Hasher>(&self, state: &mut H) {
        "atalaia-outbox".hash(state);
        self.token.hash(state);
        self.path.hash(state);
    }
}

impl Hash for LiveKey {
    fn hash<H: Hasher>(&self, state: &mut H) {
        "atalaia-live".hash(state);
        self.base.hash(state);
        self.token.hash(state);
    }
}

impl Dashboard {
    pub fn subscription(&self) -> Subscription<Message> {
        let (resume, cache) = self.desk.live_source();
        let key =
            LiveKey { base: self.session.base.clone(), token: self.session.token.clone(), resume, cache };
        let live = Subscription::run_with(key, |k| {
            atalaia_client::live::subscribe_from(
                k.base.clone(),
                k.token.clone(),
                k.resume.clone(),
                k.cache.clone(),
            )
        })
        .map(Message::Live);
        let pump = self.desk.outbox_source().map(|(path, wake)| {
            let key =
                PumpKey { api: self.session.api.clone(), token: self.session.token.clone(), path, wake };
            Subscription::run_with(key, |k| outbox::pump(k.api.clone(), k.path.clone(), k.wake.clone()))
                .map(Message::Outbox)
        });
        Subscription::batch([live, self.mapa.subscription().map(Message::Mapa)].into_iter().chain(pump))
    }
}
