//! The Web Worker binary: Trunk builds it as `worker.js` + `worker_bg.wasm`.

fn main() {
    console_error_panic_hook::set_once();
    puffy_app::worker::start();
}
