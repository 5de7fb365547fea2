//! Atalaia's pure domain: identifiers, time, geometry, the SAMU and monitoring models, the alarm
//! lifecycle, roles and permissions, and the wire contract shared by backend and console.
//!
//! Deterministic by construction: no I/O, no async runtime; time comes through [`clock::Clock`].

pub mod alarm;
pub mod auth;
pub mod clock;
pub mod command;
pub mod detect;
pub mod devices;
pub mod geom;
pub mod ids;
pub mod investigate;
pub mod mercator;
pub mod monitoring;
pub mod notify;
pub mod samu;
pub mod schedule;
pub mod text;
pub mod wire;
pub mod zones;

pub use clock::{Clock, ManualClock, SystemClock};
