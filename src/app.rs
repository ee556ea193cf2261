//! The application shell: state, the drop zone and the results.

use leptos::prelude::*;
use leptos::task::spawn_local;
use web_sys::File;

use crate::components::drop_zone::DropZone;
use crate::components::file_list::{FileList, FileRow};

/// Where the page is; mirrored to `data-state` on the root for tests.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PageState {
    /// Nothing loaded yet.
    Idle,
    /// Files are being read.
    Processing,
    /// Results are shown.
    Ready,
    /// Nothing could be shown (every file failed).
    Error,
}

impl PageState {
    fn as_str(self) -> &'static str {
        match self {
            PageState::Idle => "idle",
            PageState::Processing => "processing",
            PageState::Ready => "ready",
            PageState::Error => "error",
        }
    }
}

/// Root component.
#[component]
pub fn App() -> impl IntoView {
    let (state, set_state) = signal(PageState::Idle);
    let (rows, set_rows) = signal(Vec::<FileRow>::new());

    let on_files = move |files: Vec<File>| {
        if files.is_empty() {
            return;
        }
        set_state.set(PageState::Processing);
        spawn_local(async move {
            let mut out = Vec::with_capacity(files.len());
            for file in files {
                let name = file.name();
                let result = match crate::files::read_all(&file).await {
                    Ok(bytes) => {
                        engine::inspect::inspect(&name, bytes.as_slice()).map_err(|e| e.to_string())
                    }
                    Err(e) => Err(e),
                };
                out.push(FileRow { name, result });
            }
            let any_ok = out.iter().any(|r| r.result.is_ok());
            set_rows.set(out);
            set_state.set(if any_ok {
                PageState::Ready
            } else {
                PageState::Error
            });
        });
    };

    view! {
        <main class="app" data-state=move || state.get().as_str()>
            <header class="app-header">
                <h1>"Puffy Analytics"</h1>
                <p class="tagline">
                    "Drop your daily event exports. Everything runs in this tab: no data leaves your computer."
                </p>
            </header>
            <DropZone on_files=on_files />
            <FileList rows=rows />
        </main>
    }
}
