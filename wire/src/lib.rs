//! The wire format shared by the widget and the backend: consent events and,
//! for the server side, the site configuration schema and the policy revision.
//!
//! Invariant: this crate depends on neither web-sys nor a database driver.
//! Without the `server` feature it is `no_std`, for the widget's Wasm.

#![cfg_attr(not(feature = "server"), no_std)]

extern crate alloc;

pub mod choice;
pub mod consent_mode;
pub mod cookie_name;
pub mod digits;
pub mod event;
pub mod json;
pub mod limits;
pub mod link;
pub mod path;
pub mod policy_doc;

#[cfg(feature = "server")]
pub mod banner_version;
#[cfg(feature = "server")]
pub mod config;
#[cfg(feature = "server")]
pub mod validate;

pub use event::{Action, Event};
