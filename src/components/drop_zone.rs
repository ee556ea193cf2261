//! The drop zone: drag-and-drop anywhere on the page, plus a file picker.

use leptos::prelude::*;
use web_sys::{DragEvent, File, HtmlInputElement};

/// A target for dropped files, with a `<input type="file" multiple>`.
/// While `compact`, it shrinks to a bar above the report.
#[component]
pub fn DropZone(
    /// Called with the dropped or picked files.
    on_files: impl Fn(Vec<File>) + Copy + 'static,
    /// Show as a slim bar (a report is on screen).
    #[prop(into)]
    compact: Signal<bool>,
) -> impl IntoView {
    let (hover, set_hover) = signal(false);
    let on_drop = move |ev: DragEvent| {
        ev.prevent_default();
        // The page handles drops anywhere; this one is done here.
        ev.stop_propagation();
        set_hover.set(false);
        if let Some(files) = ev.data_transfer().and_then(|dt| dt.files()) {
            on_files(crate::files::list(&files));
        }
    };
    let on_change = move |ev: leptos::ev::Event| {
        let input: HtmlInputElement = event_target(&ev);
        if let Some(files) = input.files() {
            on_files(crate::files::list(&files));
        }
        // Let the same file be picked again later.
        input.set_value("");
    };
    view! {
        <label
            class="drop-zone"
            class:hover=move || hover.get()
            class:compact=move || compact.get()
            on:dragover=move |ev: DragEvent| {
                ev.prevent_default();
                set_hover.set(true);
            }
            on:dragleave=move |_| set_hover.set(false)
            on:drop=on_drop
        >
            <span class="drop-title">{move || if compact.get() { "Drop more exports to add them to the batch" } else { "Drop your daily CSV exports here" }}</span>
            <span class="drop-hint">"or click to choose files: daily events_YYYYMMDD.csv exports, or a .zip of them"</span>
            <input type="file" multiple accept=".csv,.zip,text/csv,application/zip" on:change=on_change />
        </label>
    }
}
