//! Downloads: the pieces a worker posts, chained into one `Blob`, and
//! saving bytes or a `Blob` as a file.

use std::cell::RefCell;

use js_sys::{Array, Uint8Array};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{Blob, BlobPropertyBag, Url};

thread_local! {
    /// The download being received: its name and its pieces so far, chained
    /// as a `Blob` (the browser keeps a blob's bytes outside the page's
    /// memory, on disk when large).
    static PIECES: RefCell<Option<(String, Blob)>> = const { RefCell::new(None) };
}

/// Appends a piece of the download `name` (a new name starts afresh).
pub(super) fn add_piece(name: &str, bytes: &JsValue) -> Result<(), String> {
    PIECES.with(|p| {
        let mut p = p.borrow_mut();
        let parts = match p.take() {
            Some((n, blob)) if n == name => Array::of2(&blob, bytes),
            _ => Array::of1(bytes),
        };
        let blob = Blob::new_with_blob_sequence(&parts).map_err(|e| format!("{e:?}"))?;
        *p = Some((name.to_string(), blob));
        Ok(())
    })
}

/// The download received so far, taken (see [`add_piece`]).
pub(super) fn take_pieces() -> Option<Blob> {
    PIECES.with(|p| p.borrow_mut().take()).map(|(_, b)| b)
}

/// Saves bytes as a file through a temporary link.
pub fn save(name: &str, bytes: &[u8]) -> Result<(), String> {
    save_part(name, &Uint8Array::from(bytes).into())
}

/// Saves a `Blob` or a `Uint8Array` as a file through a temporary link.
pub fn save_part(name: &str, part: &JsValue) -> Result<(), String> {
    let options = BlobPropertyBag::new();
    options.set_type(if name.ends_with(".zip") {
        "application/zip"
    } else if name.ends_with(".json") {
        "application/json"
    } else if name.ends_with(".html") {
        "text/html;charset=utf-8"
    } else {
        "text/csv;charset=utf-8"
    });
    let blob = Blob::new_with_blob_sequence_and_options(&Array::of1(part), &options)
        .map_err(|e| format!("{e:?}"))?;
    let url = Url::create_object_url_with_blob(&blob).map_err(|e| format!("{e:?}"))?;
    let document = web_sys::window()
        .and_then(|w| w.document())
        .ok_or("no document")?;
    let a: web_sys::HtmlAnchorElement = document
        .create_element("a")
        .map_err(|e| format!("{e:?}"))?
        .unchecked_into();
    a.set_href(&url);
    a.set_download(name);
    a.click();
    let _ = Url::revoke_object_url(&url);
    Ok(())
}
