//! An event listener owned like any other value (gloo's `EventListener`): it is
//! removed from its target when dropped, so a banner that goes takes its
//! listeners, and the widget they hold, with it. Page-long ones say so with
//! [`Listener::forever`].

use wasm_bindgen::closure::Closure;
use wasm_bindgen::JsCast;
use web_sys::EventTarget;

pub struct Listener {
    target: EventTarget,
    name: &'static str,
    callback: Closure<dyn FnMut(web_sys::Event)>,
}

impl Listener {
    /// Calls `f` on each `name` event at `target` until dropped.
    pub fn new(target: &EventTarget, name: &'static str, f: impl FnMut(web_sys::Event) + 'static) -> Listener {
        let callback = Closure::<dyn FnMut(web_sys::Event)>::new(f);
        let _ = target.add_event_listener_with_callback(name, callback.as_ref().unchecked_ref());
        Listener { target: target.clone(), name, callback }
    }

    /// Keeps listening as long as the page lives (the window's, the document's).
    pub fn forever(self) {
        core::mem::forget(self);
    }
}

impl Drop for Listener {
    /// Removes the listener. Safe from inside its own call: wasm-bindgen frees the
    /// closure only once that call has returned.
    fn drop(&mut self) {
        let _ = self.target.remove_event_listener_with_callback(self.name, self.callback.as_ref().unchecked_ref());
    }
}
