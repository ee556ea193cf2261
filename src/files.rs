//! Reading browser `File`s into the engine.
//!
//! Files are read in slices (`Blob.slice` + `arrayBuffer`) so no single
//! JavaScript allocation ever holds a whole large file.

use js_sys::Uint8Array;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;
use web_sys::{File, FileList};

/// Bytes read per slice.
const SLICE_BYTES: f64 = 4.0 * 1024.0 * 1024.0;

/// The files of a `FileList` (from an input or a drop), in order.
pub fn list(files: &FileList) -> Vec<File> {
    (0..files.length()).filter_map(|i| files.get(i)).collect()
}

/// Reads a whole `File` slice by slice. Errors carry the file name.
pub async fn read_all(file: &File) -> Result<Vec<u8>, String> {
    let size = file.size();
    let mut out = Vec::with_capacity(size as usize);
    let mut start = 0.0;
    while start < size {
        let end = (start + SLICE_BYTES).min(size);
        let blob = file
            .slice_with_f64_and_f64(start, end)
            .map_err(|e| format!("{}: cannot read: {e:?}", file.name()))?;
        let buf = JsFuture::from(blob.array_buffer())
            .await
            .map_err(|e| format!("{}: cannot read: {e:?}", file.name()))?;
        let bytes = Uint8Array::new(buf.unchecked_ref());
        let offset = out.len();
        out.resize(offset + bytes.length() as usize, 0);
        bytes.copy_to(&mut out[offset..]);
        start = end;
    }
    Ok(out)
}
