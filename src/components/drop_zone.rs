//! The drop zone: drag-and-drop of files, folders or ZIPs anywhere on the
//! page, plus a file picker and a folder picker.

use leptos::prelude::*;
use web_sys::{DragEvent, HtmlInputElement};

use crate::files::{self, Picked};
use crate::state::AppState;

/// A target for dropped files, with a `<input type="file" multiple>` and a
/// folder picker. While `compact`, it shrinks to a bar above the report.
#[component]
pub fn DropZone(
    /// Where picked and dropped files go.
    app: AppState,
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
        app.add_dropped(&ev);
    };
    // Both pickers: read the chosen files, then clear the input so the same
    // files can be chosen again later.
    let on_pick = move |ev: leptos::ev::Event, whole_folder: bool| {
        let input: HtmlInputElement = event_target(&ev);
        if let Some(list) = input.files() {
            app.add_picked(if whole_folder {
                files::folder(&list)
            } else {
                Picked {
                    files: files::list(&list),
                    skipped: Vec::new(),
                }
            });
        }
        input.set_value("");
    };
    view! {
        <div
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
            <label class="drop-main">
                <span class="drop-title">{move || if compact.get() { "Drop more exports to add them to the batch" } else { "Drop your daily CSV exports here" }}</span>
                <span class="drop-hint">"or click to choose files: daily events_YYYYMMDD.csv exports, a folder of them, or a .zip"</span>
                <input type="file" multiple accept=".csv,.zip,text/csv,application/zip" on:change=move |ev| on_pick(ev, false) />
            </label>
            <label class="folder-pick">
                "Choose a folder…"
                <input type="file" prop:webkitdirectory=true on:change=move |ev| on_pick(ev, true) />
            </label>
        </div>
    }
}
