//! The consent widget: reads the site config, shows the banner when there is no
//! current decision, stores the decision in the consent cookie, starts the
//! scripts that waited for it and reports it to the backend.
//!
//! Invariant: nothing here uses `core::fmt` (no `format!`, `to_string`, `unwrap`):
//! it would add kilobytes to the Wasm the banner needs. For the same reason the
//! Wasm build is `no_std` with a panic handler that traps without a message.

#![cfg_attr(target_arch = "wasm32", no_std)]

extern crate alloc;

#[cfg(target_arch = "wasm32")]
mod config;
#[cfg(target_arch = "wasm32")]
mod consent_id;
pub mod consent_rules;
pub mod cookie_cleanup;
pub use consent_first_layer::cookie;
pub mod policy_search;

#[cfg(target_arch = "wasm32")]
mod api;
#[cfg(target_arch = "wasm32")]
mod banner;
#[cfg(target_arch = "wasm32")]
mod consent_mode;
#[cfg(target_arch = "wasm32")]
mod early_click;
#[cfg(target_arch = "wasm32")]
mod element;
#[cfg(target_arch = "wasm32")]
mod events;
#[cfg(target_arch = "wasm32")]
mod framework;
#[cfg(target_arch = "wasm32")]
mod gating;
#[cfg(target_arch = "wasm32")]
mod listener;
#[cfg(target_arch = "wasm32")]
mod modal;
#[cfg(target_arch = "wasm32")]
mod outbox;
#[cfg(target_arch = "wasm32")]
mod policy_viewer;
#[cfg(target_arch = "wasm32")]
mod settings_button;
#[cfg(target_arch = "wasm32")]
mod widget;

#[cfg(target_arch = "wasm32")]
#[global_allocator]
// SAFETY: wasm32-unknown-unknown without atomics runs this module on one thread.
static ALLOC: lol_alloc::AssumeSingleThreaded<lol_alloc::FreeListAllocator> = unsafe { lol_alloc::AssumeSingleThreaded::new(lol_alloc::FreeListAllocator::new()) };

#[cfg(target_arch = "wasm32")]
pub use api::start;

#[cfg(all(target_arch = "wasm32", not(test)))]
#[panic_handler]
fn panic(_: &core::panic::PanicInfo) -> ! {
    core::arch::wasm32::unreachable()
}
