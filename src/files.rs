//! Browser file lists (from an input or a drop) as vectors. Reading the
//! files happens in the worker (see [`crate::worker`]).

use web_sys::{File, FileList};

/// The files of a `FileList` (from an input or a drop), in order.
pub fn list(files: &FileList) -> Vec<File> {
    (0..files.length()).filter_map(|i| files.get(i)).collect()
}
