//! The banner's first layer: everything a visitor needs to decide (title, text,
//! policy link, three equal choices, the consent cookie), small enough to arrive
//! before the rest of the widget. Built on its own as `first.wasm` (feature
//! `entry`) and baked into the loader; the full widget uses the same modules, so the banner's first layer,
//! the cookie format and the language choice have one definition.
//!
//! Invariant: nothing here uses `core::fmt`, and the Wasm build is `no_std`.

#![cfg_attr(target_arch = "wasm32", no_std)]

extern crate alloc;

pub mod consent_id;
pub mod cookie;
pub mod decision;
pub mod lang;
pub mod sink;
pub mod skeleton;
pub mod slot;

#[cfg(all(feature = "entry", target_arch = "wasm32"))]
mod entry;
