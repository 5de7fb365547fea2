//! Forms more than one screen opens (the alarm card and the administration screen both correct
//! a person's record). Each is a component: its own `Message`, an `update` that answers with an
//! `Event` for the holder, and a `view`.

pub mod commands;
pub mod person;
