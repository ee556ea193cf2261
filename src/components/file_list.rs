//! The list of loaded files with their row counts and columns, or the error
//! that stopped a file.

use engine::inspect::FileInspection;
use leptos::prelude::*;

/// One loaded file: its inspection, or a message naming what went wrong.
#[derive(Clone, Debug)]
pub struct FileRow {
    /// File name.
    pub name: String,
    /// What the engine found, or the error message.
    pub result: Result<FileInspection, String>,
}

/// Table of files; hidden while empty.
#[component]
pub fn FileList(
    /// Files to show, in load order.
    rows: ReadSignal<Vec<FileRow>>,
) -> impl IntoView {
    view! {
        <Show when=move || !rows.with(Vec::is_empty)>
            <table class="file-list">
                <thead>
                    <tr>
                        <th>"File"</th>
                        <th class="num">"Rows"</th>
                        <th>"Columns"</th>
                    </tr>
                </thead>
                <tbody>
                    {move || rows.get().into_iter().map(row_view).collect_view()}
                </tbody>
            </table>
        </Show>
    }
}

fn row_view(row: FileRow) -> impl IntoView {
    let key = row.name.clone();
    match row.result {
        Ok(info) => view! {
            <tr data-file=key>
                <td class="name">{row.name}</td>
                <td class="num" data-rows=info.rows>{info.rows.to_string()}</td>
                <td class="columns">{info.columns.join(", ")}</td>
            </tr>
        }
        .into_any(),
        Err(message) => view! {
            <tr data-file=key class="error">
                <td class="name">{row.name}</td>
                <td class="num">"–"</td>
                <td class="file-error">{message}</td>
            </tr>
        }
        .into_any(),
    }
}
