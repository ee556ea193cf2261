//! One component per file, named after it.

pub mod drop_zone;
pub mod file_list;
