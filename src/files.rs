//! Browser file lists (from an input, a drop or a dropped folder) as
//! vectors. Reading the files happens in the worker (see [`crate::worker`]).

use js_sys::{Array, Promise, Reflect};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;
use web_sys::{DataTransfer, File, FileList};

#[wasm_bindgen]
extern "C" {
    /// `js/folder_drop.js`: `null` when the drop holds no folder, else a
    /// promise of `{ files, skipped }`.
    #[wasm_bindgen(catch, js_name = puffyDroppedFiles)]
    fn dropped_files(data: &DataTransfer) -> Result<JsValue, JsValue>;
}

/// The files to load from one drop or pick, and the hidden files left out.
#[derive(Debug, Default)]
pub struct Picked {
    /// Files to load, in path order.
    pub files: Vec<File>,
    /// Hidden files and folders left out (`.DS_Store`, `.git`), by path.
    pub skipped: Vec<String>,
}

/// The files of a `FileList` (from an input or a drop), in order.
pub fn list(files: &FileList) -> Vec<File> {
    (0..files.length()).filter_map(|i| files.get(i)).collect()
}

/// The files of a folder chosen with `<input webkitdirectory>`, leaving out
/// hidden ones (any path part starting with a dot).
pub fn folder(files: &FileList) -> Picked {
    let mut picked = Picked::default();
    for file in list(files) {
        let path = relative_path(&file);
        if is_hidden(&path) {
            picked.skipped.push(path);
        } else {
            picked.files.push(file);
        }
    }
    picked
}

/// `File.webkitRelativePath` (not in web-sys): the path inside the chosen
/// folder, or the plain name.
fn relative_path(file: &File) -> String {
    Reflect::get(file, &JsValue::from_str("webkitRelativePath"))
        .ok()
        .and_then(|p| p.as_string())
        .filter(|p| !p.is_empty())
        .unwrap_or_else(|| file.name())
}

fn is_hidden(path: &str) -> bool {
    path.split('/').any(|part| part.starts_with('.'))
}

/// Hands the files of a drop to `done`: at once for plain files, or after
/// walking the dropped folders (which the browser lists asynchronously).
/// Must be called while the drop event is dispatched.
pub fn dropped(data: &DataTransfer, done: impl FnOnce(Result<Picked, String>) + 'static) {
    match dropped_files(data) {
        Ok(walk) if walk.is_instance_of::<Promise>() => {
            let walk = JsFuture::from(walk.unchecked_into::<Promise>());
            wasm_bindgen_futures::spawn_local(async move {
                done(
                    walk.await
                        .map(|found| picked(&found))
                        .map_err(|e| message(&e)),
                );
            });
        }
        // No folder in the drop (or no folder support): the plain file list.
        _ => done(Ok(Picked {
            files: data.files().map(|f| list(&f)).unwrap_or_default(),
            skipped: Vec::new(),
        })),
    }
}

fn picked(found: &JsValue) -> Picked {
    let array = |key: &str| {
        Reflect::get(found, &JsValue::from_str(key))
            .ok()
            .and_then(|v| v.dyn_into::<Array>().ok())
            .map(|a| a.iter().collect::<Vec<_>>())
            .unwrap_or_default()
    };
    Picked {
        files: array("files")
            .into_iter()
            .filter_map(|v| v.dyn_into::<File>().ok())
            .collect(),
        skipped: array("skipped")
            .into_iter()
            .filter_map(|v| v.as_string())
            .collect(),
    }
}

/// A readable message from a rejected promise (a `DOMException` or `Error`).
fn message(error: &JsValue) -> String {
    Reflect::get(error, &JsValue::from_str("message"))
        .ok()
        .and_then(|m| m.as_string())
        .or_else(|| error.as_string())
        .unwrap_or_else(|| "the browser refused to list it".into())
}

#[cfg(test)]
mod tests {
    use super::is_hidden;

    #[test]
    fn hidden_paths_are_those_with_a_dot_part() {
        assert!(is_hidden("exports/.DS_Store"));
        assert!(is_hidden("exports/.git/config"));
        assert!(!is_hidden("exports/events_20250301.csv"));
        assert!(!is_hidden("march.2025/events_20250301.csv"));
    }
}
