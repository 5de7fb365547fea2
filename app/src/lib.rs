//! Atalaia's operator console (iced 0.14): the login and dashboard screens, the four panes (call
//! taking, regulation queue, fleet map, alarms), the operator theme and the Portuguese text
//! catalog. Everything without a UI (REST, live feed, live model) lives in `atalaia-client`.
//!
//! A library so the headless UI tests in `tests/` can build the same views the binary shows.

pub mod app;
pub mod pane;
pub mod screen;
pub mod text;
pub mod theme;

pub use app::{App, BootConfig, Message};
