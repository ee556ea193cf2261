//! The one entry point of the page and of its Web Workers: the page and its
//! workers run the same WebAssembly module (one download, one compile
//! cache). In a worker it answers the page's requests; in the page it
//! mounts the app.

use wasm_bindgen::JsCast;

fn main() {
    console_error_panic_hook::set_once();
    if js_sys::global()
        .dyn_ref::<web_sys::DedicatedWorkerGlobalScope>()
        .is_some()
    {
        puffy_app::worker::start();
    } else {
        leptos::mount::mount_to_body(puffy_app::app::App);
    }
}
