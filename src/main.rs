//! The one entry point of the page and of its Web Workers: the page and its
//! workers run the same WebAssembly module (one download, one compile
//! cache). In a worker it answers the page's requests; in the page it
//! mounts the app.

use wasm_bindgen::JsCast;

fn main() {
    console_error_panic_hook::set_once();
    engine::hashing::set_seed(hash_seed());
    if js_sys::global()
        .dyn_ref::<web_sys::DedicatedWorkerGlobalScope>()
        .is_some()
    {
        puffy_app::worker::start();
    } else {
        leptos::mount::mount_to_body(puffy_app::app::App);
    }
}

/// The seed text from an export is hashed under ([`engine::hashing`]): from
/// the browser's randomness, so unknown to whoever made the files. It only
/// has to be unguessable, not secret: `Math.random` is enough.
fn hash_seed() -> u64 {
    let half = || (js_sys::Math::random() * 4_294_967_296.0) as u64;
    half() << 32 | half()
}
