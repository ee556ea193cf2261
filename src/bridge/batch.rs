//! The files of the batch: browser `File`s, kept here (they are not `Send`
//! and not data for the reactive signals) until sent to the workers.

use std::cell::RefCell;

use web_sys::File;

thread_local! {
    static BATCH: RefCell<Vec<File>> = const { RefCell::new(Vec::new()) };
}

/// Adds files to the batch (a file with the same name and size as one
/// already in it is skipped) and returns the names skipped.
pub fn add_files(files: Vec<File>) -> Vec<String> {
    BATCH.with(|b| {
        let mut batch = b.borrow_mut();
        let mut skipped = Vec::new();
        for f in files {
            if batch
                .iter()
                .any(|x| x.name() == f.name() && x.size() == f.size())
            {
                skipped.push(f.name());
            } else {
                batch.push(f);
            }
        }
        skipped
    })
}

/// Removes a file from the batch by name.
pub fn remove_file(name: &str) {
    BATCH.with(|b| b.borrow_mut().retain(|f| f.name() != name));
}

/// Forgets every file.
pub fn clear_files() {
    BATCH.with(|b| b.borrow_mut().clear());
}

/// Number of files in the batch.
pub fn batch_len() -> usize {
    BATCH.with(|b| b.borrow().len())
}

/// The files of the batch, in the order added.
pub(super) fn files() -> Vec<File> {
    BATCH.with(|b| b.borrow().clone())
}
