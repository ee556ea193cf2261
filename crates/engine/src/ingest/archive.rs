//! ZIP archives of exports: each `.csv` member (folders flattened, sorted
//! by name, macOS `__MACOSX` copies left out) is read into the batch like a
//! file of its own, so `puffy run batch.zip` and a zip dropped on the page
//! give the same rows.
//!
//! An archive is hostile input too. Each member is loaded or gets its own
//! error naming the archive and the member: encrypted, compressed with a
//! method other than stored or deflate, or past the size limit. What an
//! archive inflates to is capped ([`MAX_INFLATED_BYTES`], counted on the
//! bytes actually produced, not on what the archive claims), so a zip bomb
//! stops with a message instead of filling memory.

use std::io::{Read, Seek};

use crate::ingest::Ingest;

/// The most bytes one archive may inflate to (4 GiB, more than twice the
/// largest batch we have measured).
pub const MAX_INFLATED_BYTES: u64 = 4 << 30;

/// Reads the CSV members of the archive `name` into `ingest`, with the
/// default cap. Never fails: problems are recorded as file errors.
pub fn add_zip<R: Read + Seek>(ingest: &mut Ingest, name: &str, reader: R) {
    add_zip_capped(ingest, name, reader, MAX_INFLATED_BYTES);
}

/// [`add_zip`] with an explicit cap on the inflated bytes.
pub fn add_zip_capped<R: Read + Seek>(ingest: &mut Ingest, name: &str, reader: R, cap: u64) {
    let mut archive = match zip::ZipArchive::new(reader) {
        Ok(a) => a,
        Err(e) => {
            ingest.add_unreadable(name, &format!("not a readable ZIP archive ({e})"));
            return;
        }
    };
    let mut members: Vec<(String, String, usize)> = Vec::new();
    for i in 0..archive.len() {
        let entry = match archive.by_index_raw(i) {
            Ok(entry) => entry,
            Err(e) => {
                ingest.add_unreadable_member(name, &format!("member {}", i + 1), &e.to_string());
                continue;
            }
        };
        let path = String::from_utf8_lossy(entry.name_raw()).into_owned();
        let base = path.rsplit(['/', '\\']).next().unwrap_or(&path);
        if entry.is_file()
            && !path.starts_with("__MACOSX")
            && base.to_ascii_lowercase().ends_with(".csv")
        {
            // A member name is text of the archive's author: bounded like any.
            let base = crate::limits::truncate(base, 255).into_owned();
            let path = crate::limits::truncate(&path, 500).into_owned();
            members.push((base, path, i));
        }
    }
    crate::sorting::sort(&mut members);
    if members.is_empty() {
        ingest.add_unreadable(name, "the ZIP archive holds no .csv file");
    }
    let mut left = cap;
    for (base, path, i) in members {
        // Refused before inflating anything: what the headers say.
        let refused = match archive.by_index_raw(i) {
            Ok(e) if e.encrypted() => Some(
                "the member is encrypted (password-protected); zip it again without a password"
                    .to_string(),
            ),
            Ok(e)
                if !matches!(
                    e.compression(),
                    zip::CompressionMethod::Stored | zip::CompressionMethod::Deflated
                ) =>
            {
                Some(format!("the member is compressed with {}, which cannot be read here; zip it again with standard (deflate) compression", e.compression()))
            }
            Ok(e) if e.size() > left => Some(too_large(cap, Some(e.size()))),
            Ok(_) => None,
            Err(e) => Some(e.to_string()),
        };
        if let Some(message) = refused {
            ingest.add_unreadable_member(name, &path, &message);
            continue;
        }
        match archive.by_index(i) {
            Ok(member) => {
                let mut capped = Capped {
                    inner: member,
                    left,
                    cap,
                    hit: false,
                };
                ingest.add_member(name, &path, &base, &mut capped);
                left = capped.left;
                if capped.hit {
                    // The reader knows why it stopped better than the parser.
                    ingest.set_last_error(format!(
                        "{name}/{path}: {}; the rows before the cut were read",
                        too_large(cap, None)
                    ));
                }
            }
            Err(e) => ingest.add_unreadable_member(name, &path, &e.to_string()),
        }
    }
}

fn too_large(cap: u64, claimed: Option<u64>) -> String {
    let claim = claimed.map_or(String::new(), |b| {
        format!(" (this member claims {} MB)", b.div_ceil(1 << 20))
    });
    format!(
        "the archive inflates to more than {} MB{claim}; unzip it and add the CSV files themselves",
        cap >> 20
    )
}

/// A reader that stops with an error once `left` bytes have passed.
struct Capped<R> {
    inner: R,
    left: u64,
    cap: u64,
    hit: bool,
}

impl<R: Read> Read for Capped<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        if n as u64 > self.left {
            self.hit = true;
            self.left = 0;
            return Err(std::io::Error::other(too_large(self.cap, None)));
        }
        self.left -= n as u64;
        Ok(n)
    }
}
