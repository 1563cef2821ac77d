//! Fresh consent and event ids: UUIDv7 from the page's clock and its
//! cryptographic random source (the format lives in the first layer's crate).

use alloc::string::String;

pub use consent_first_layer::consent_id::uuid_v7;

pub fn new_id() -> Option<String> {
    let mut random = [0u8; 10];
    web_sys::window()?.crypto().ok()?.get_random_values_with_u8_array(&mut random).ok()?;
    Some(uuid_v7(js_sys::Date::now() as u64, &random))
}
