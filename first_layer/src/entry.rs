//! The first layer's boundary with its loader (`www/loader/consent.js`): the
//! only place with raw pointers. The loader puts the config's and the page's
//! values into numbered slots, calls `start`, and on a click `decide`; the DOM,
//! the cookie and the clock are reached through a handful of imports.

use core::cell::UnsafeCell;

use crate::cookie::split;
use crate::decision::{words, Site};
use crate::lang;
use crate::sink::Buf;
use crate::skeleton::{self, Dom, Look, Text, CSS};
use crate::slot::{Slot, SLOTS};

#[link(wasm_import_module = "c")]
extern "C" {
    /// Creates the banner's host element with its shadow root and style sheet;
    /// texts will come from the config in `lang`.
    fn host(css: *const u8, css_len: usize, lang: *const u8, lang_len: usize);
    /// Appends a new `<tag>` to node `parent` (0: the shadow root); returns its number.
    fn el(parent: u32, tag: *const u8, tag_len: usize) -> u32;
    fn at(node: u32, name: *const u8, name_len: usize, value: *const u8, value_len: usize);
    /// Adds a class.
    fn cl(node: u32, class: *const u8, len: usize);
    /// Appends text: the config text named `s` when `key` is 1, else `s` itself.
    fn tx(node: u32, s: *const u8, len: usize, key: u32);
    /// `document.cookie = line`.
    fn ck(line: *const u8, len: usize);
    /// Fills `len` bytes with `crypto.getRandomValues`.
    fn rnd(buf: *mut u8, len: usize);
    /// `Date.now()`.
    fn now() -> f64;
    /// Reports that the config lacks the field `name` (or has it mistyped).
    fn err(name: *const u8, len: usize);
}

/// The config field each required slot comes from (named in the error when it
/// is missing).
const REQUIRED: [(Slot, &str); 6] = [
    (Slot::CookieName, "cookie.name"),
    (Slot::Revision, "revision"),
    (Slot::MaxAgeDays, "cookie.maxAgeDays"),
    (Slot::Langs, "langs"),
    (Slot::DefaultLang, "defaultLang"),
    (Slot::Categories, "categories"),
];

struct Slots(UnsafeCell<[&'static str; SLOTS]>);
// SAFETY: wasm32-unknown-unknown without atomics runs this module on one thread.
unsafe impl Sync for Slots {}
static VALUES: Slots = Slots(UnsafeCell::new([""; SLOTS]));

fn get(slot: Slot) -> &'static str {
    // SAFETY: one thread; `put` is the only writer and never runs during a read.
    unsafe { (*VALUES.0.get())[slot as usize] }
}

#[global_allocator]
// SAFETY: one thread (above). The first layer lives as long as the page and
// allocates a few hundred bytes: a bump allocator that never frees is enough.
static ALLOC: lol_alloc::AssumeSingleThreaded<lol_alloc::LeakingAllocator> = unsafe { lol_alloc::AssumeSingleThreaded::new(lol_alloc::LeakingAllocator::new()) };

#[panic_handler]
fn panic(_: &core::panic::PanicInfo) -> ! {
    core::arch::wasm32::unreachable()
}

/// Room for `len` bytes the loader is about to write (null if there is none).
#[no_mangle]
pub extern "C" fn mem(len: usize) -> *mut u8 {
    match core::alloc::Layout::from_size_align(len.max(1), 1) {
        // SAFETY: a non-zero size; the bytes live as long as the page.
        Ok(layout) => unsafe { alloc::alloc::alloc(layout) },
        Err(_) => core::ptr::null_mut(),
    }
}

/// Takes the `len` bytes at `ptr` (written after `mem`): the slots' values in
/// order, each ended by a NUL (which the loader removes from the values).
#[no_mangle]
pub extern "C" fn put(ptr: *const u8, len: usize) {
    if ptr.is_null() {
        return;
    }
    // SAFETY: `ptr` came from `mem(len)`, is never freed, and the loader wrote
    // `len` bytes of `TextEncoder` output (UTF-8) there; NUL is ASCII, so the
    // pieces between NULs are UTF-8 too. One thread; no reference into the
    // array outlives a `get`.
    let all = unsafe { core::str::from_utf8_unchecked(core::slice::from_raw_parts(ptr, len)) };
    let values = unsafe { &mut *VALUES.0.get() };
    for (slot, value) in values.iter_mut().zip(split(all, 0)) {
        *slot = value;
    }
}

/// 0: the config lacks a field (reported); 1: the visitor has decided already;
/// 2: the banner is built (the loader puts it on the page).
#[no_mangle]
pub extern "C" fn start() -> u32 {
    if let Some((_, field)) = REQUIRED.iter().find(|(slot, _)| get(*slot).is_empty()) {
        // SAFETY: a valid UTF-8 buffer for the duration of the call.
        unsafe { err(field.as_ptr(), field.len()) };
        return 0;
    }
    let site = site();
    // SAFETY: an import without arguments.
    if site.is_decided(get(Slot::Cookies), (unsafe { now() } / 1000.0) as u64) {
        return 1;
    }
    let look = Look {
        lang: lang::pick(get(Slot::PageLang), get(Slot::BrowserLang), words(get(Slot::Langs)), get(Slot::DefaultLang)),
        layout: get(Slot::Layout),
        theme: get(Slot::Theme),
        policy_url: get(Slot::PolicyUrl),
        gpc: get(Slot::Gpc) == "1" && site.has_gpc_categories(),
        order: get(Slot::Order),
    };
    // SAFETY: valid UTF-8 buffers for the duration of the call.
    unsafe { host(CSS.as_ptr(), CSS.len(), look.lang.as_ptr(), look.lang.len()) };
    skeleton::build(&mut Imports, &0, &look);
    2
}

/// A click on "Accept all" (`accept` = 1) or "Reject all" (0): stores the
/// decision. (The full widget replays the click: event, scripts, Consent Mode.)
#[no_mangle]
pub extern "C" fn decide(accept: u32) {
    let mut random = [0u8; 10];
    // SAFETY: `random` is writable for its length; `now` takes no arguments.
    let now_ms = unsafe {
        rnd(random.as_mut_ptr(), random.len());
        now()
    } as u64;
    let mut line = Buf::<2048>::new();
    site().write_cookie_line(&mut line, accept == 1, get(Slot::Cookies), now_ms, &random, get(Slot::Https) == "1");
    // Too long for the buffer (hundreds of categories): the full widget stores it instead.
    if let Some(line) = line.text() {
        // SAFETY: a valid UTF-8 buffer for the duration of the call.
        unsafe { ck(line.as_ptr(), line.len()) };
    }
}

fn site() -> Site<'static> {
    Site {
        cookie_name: get(Slot::CookieName),
        revision: get(Slot::Revision),
        max_age_days: decimal(get(Slot::MaxAgeDays)),
        session: get(Slot::Session) == "1",
        domain: get(Slot::Domain),
        categories: get(Slot::Categories),
    }
}

/// Digits to a number, without `core::fmt`'s parser; anything else ends it, and
/// more than nine digits are not a number of days.
fn decimal(s: &str) -> u64 {
    s.bytes().take_while(u8::is_ascii_digit).take(9).fold(0u64, |n, d| n * 10 + u64::from(d - b'0'))
}

/// The skeleton's DOM, through the loader.
struct Imports;

impl Dom for Imports {
    type Node = u32;
    fn element(&mut self, parent: &u32, tag: &str) -> Option<u32> {
        // SAFETY: a valid UTF-8 buffer for the duration of the call.
        Some(unsafe { el(*parent, tag.as_ptr(), tag.len()) })
    }
    fn attr(&mut self, node: &u32, name: &str, value: &str) {
        // SAFETY: as above.
        unsafe { at(*node, name.as_ptr(), name.len(), value.as_ptr(), value.len()) }
    }
    fn class(&mut self, node: &u32, class: &str) {
        // SAFETY: as above.
        unsafe { cl(*node, class.as_ptr(), class.len()) }
    }
    fn text(&mut self, node: &u32, text: Text) {
        let (s, key) = match text {
            Text::Key(k) => (k, 1),
            Text::Lit(s) => (s, 0),
        };
        // SAFETY: as above.
        unsafe { tx(*node, s.as_ptr(), s.len(), key) }
    }
}
