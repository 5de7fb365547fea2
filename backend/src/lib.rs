//! Atalaia backend library: configuration, the SQLite store with its event log, authentication,
//! the REST API and live feed, device ingest, the demo dataset and the device/fleet simulator.
//! `atalaia-server` and the console's embedded mode both start it through [`server::start`].

pub mod api;
pub mod auth;
pub mod care_report;
pub mod commands;
pub mod config;
pub mod crew_app;
pub mod embedded;
pub mod error;
pub mod fleet;
pub mod idempotency;
pub mod ingest;
pub mod investigate;
pub mod live;
pub mod monitor;
pub mod notify;
pub mod reports;
pub mod scenario;
pub mod seed;
pub mod server;
pub mod sim;
pub mod store;
pub mod throttle;
pub mod tls;

pub use config::Config;
pub use server::{AppState, Running, start};
