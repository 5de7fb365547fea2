//! The console's screens: login, then the dashboard. A session is what login hands the dashboard.

pub mod admin;
pub mod dashboard;
pub mod login;
pub mod password;
pub mod wall;

use atalaia_client::Api;
use atalaia_core::wire::UserInfo;

/// An authenticated link to the server.
#[derive(Clone)]
pub struct Session {
    /// REST client carrying the bearer token.
    pub api: Api,
    /// Server root URL (the live feed derives its `ws://` address from it).
    pub base: String,
    pub token: String,
    pub user: UserInfo,
    /// The site's time zone, as the server said at login.
    pub site_tz: Option<chrono_tz::Tz>,
}

impl std::fmt::Debug for Session {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // The bearer token stays out of logs.
        f.debug_struct("Session").field("base", &self.base).field("user", &self.user).finish_non_exhaustive()
    }
}
