//! A quick look at CSV files: name, header columns and row count, without
//! typing the rows. Used by `puffy inspect` and the page's file list.
//!
//! Input is any `Read` (a file, a browser `Blob` read in slices), consumed
//! record by record into one reused buffer, so a file is never held whole.

use std::io::{Chain, Cursor, Read};

use crate::error::{Error, Position, Result};

/// How many leading bytes are checked for binary or non-UTF-8 content.
const SNIFF_BYTES: usize = 8 * 1024;

/// What a quick look at one file found.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct FileInspection {
    /// File name as given by the caller.
    pub name: String,
    /// Data rows (the header and blank lines are not counted).
    pub rows: u64,
    /// Header columns exactly as found (BOM removed).
    pub columns: Vec<String>,
}

/// The reader type [`open_csv`] returns: the sniffed head, then the rest.
pub(crate) type Sniffed<R> = csv::Reader<Chain<Cursor<Vec<u8>>, R>>;

/// Magic numbers of files people drop by mistake.
const MAGIC: &[(&[u8], &str)] = &[
    (b"\x89PNG", "a PNG image"),
    (b"\xFF\xD8\xFF", "a JPEG image"),
    (b"GIF8", "a GIF image"),
    (b"%PDF", "a PDF document"),
    (b"PK\x03\x04", "a ZIP archive (or an Excel file)"),
    (b"\x1F\x8B", "a gzip archive"),
    (b"\xD0\xCF\x11\xE0", "an old Excel/Word file"),
];

/// Opens `reader` as CSV after checking that it is non-empty text.
///
/// The first bytes are read (whatever the reader's chunk size) and checked
/// for known binary formats and for control bytes; a header that is not
/// UTF-8 is caught by [`header_columns`]. Rows with the wrong number of
/// fields are returned, not rejected, so callers can quarantine them.
pub(crate) fn open_csv<R: Read>(name: &str, mut reader: R) -> Result<Sniffed<R>> {
    let pos = || Position {
        file: name.to_string(),
        line: 0,
    };
    let mut head = vec![0u8; SNIFF_BYTES];
    let mut filled = 0;
    while filled < head.len() {
        match reader.read(&mut head[filled..]) {
            Ok(0) => break,
            Ok(n) => filled += n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(e) => {
                return Err(Error::Csv {
                    pos: pos(),
                    message: e.to_string(),
                })
            }
        }
    }
    head.truncate(filled);
    if head.is_empty() {
        return Err(Error::EmptyFile(pos()));
    }
    if let Some((_, kind)) = MAGIC.iter().find(|(m, _)| head.starts_with(m)) {
        return Err(Error::Binary { pos: pos(), kind });
    }
    let control = head
        .iter()
        .filter(|&&b| b < 0x20 && !matches!(b, b'\t' | b'\r' | b'\n'))
        .count();
    if control * 100 > head.len() {
        return Err(Error::Binary {
            pos: pos(),
            kind: "binary data",
        });
    }
    Ok(csv::ReaderBuilder::new()
        .flexible(true)
        .has_headers(true)
        .from_reader(Cursor::new(head).chain(reader)))
}

/// Header columns of an open reader, with a UTF-8 BOM stripped from the first.
pub(crate) fn header_columns<R: Read>(name: &str, rdr: &mut csv::Reader<R>) -> Result<Vec<String>> {
    let header = rdr.byte_headers().map_err(|e| Error::csv(name, &e))?;
    let mut columns = Vec::with_capacity(header.len());
    for (i, field) in header.iter().enumerate() {
        let field = if i == 0 {
            field.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(field)
        } else {
            field
        };
        let text = std::str::from_utf8(field).map_err(|_| {
            Error::NotUtf8(Position {
                file: name.to_string(),
                line: 1,
            })
        })?;
        // A header name is shown in findings and on the page: a hostile
        // one is cut (an export's real names are a dozen characters).
        columns.push(crate::limits::truncate(text.trim(), 100).into_owned());
    }
    Ok(columns)
}

/// Reads the header and counts the data rows of one CSV file.
pub fn inspect<R: Read>(name: &str, reader: R) -> Result<FileInspection> {
    let mut rdr = open_csv(name, reader)?;
    let columns = header_columns(name, &mut rdr)?;
    let mut record = csv::ByteRecord::new();
    let mut rows = 0u64;
    while rdr
        .read_byte_record(&mut record)
        .map_err(|e| Error::csv(name, &e))?
    {
        rows += 1;
    }
    Ok(FileInspection {
        name: name.to_string(),
        rows,
        columns,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const TWO_ROWS: &str = "\u{feff}client_id,page_url,timestamp\r\n\
        a,https://puffy.com/,2025-02-23T00:00:01.750Z\r\n\
        b,\"https://puffy.com/?q=\"\"x\"\"\n2\",2025-02-23T00:00:02.000Z\r\n\r\n";

    #[test]
    fn counts_rows_and_strips_bom_with_crlf_quotes_and_trailing_blank_line() {
        let got = inspect("events_20250223.csv", TWO_ROWS.as_bytes()).unwrap();
        assert_eq!(got.rows, 2);
        assert_eq!(got.columns, vec!["client_id", "page_url", "timestamp"]);
    }

    #[test]
    fn header_only_file_has_zero_rows() {
        let got = inspect("h.csv", "a,b,c\n".as_bytes()).unwrap();
        assert_eq!(got.rows, 0);
        assert_eq!(got.columns.len(), 3);
    }

    #[test]
    fn empty_binary_and_latin1_files_are_named_errors() {
        let empty = inspect("empty.csv", &b""[..]).unwrap_err();
        assert!(empty.to_string().contains("empty.csv: the file is empty"));
        let png = inspect("logo.csv", &b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR"[..]).unwrap_err();
        assert!(
            png.to_string().contains("logo.csv: this is a PNG image"),
            "{png}"
        );
        let noise = inspect("noise.csv", &[1u8, 2, 3, 4, 5, 6][..]).unwrap_err();
        assert!(matches!(noise, Error::Binary { .. }), "{noise}");
        let latin1 = inspect("l1.csv", &b"caf\xe9,b\n1,2\n"[..]).unwrap_err();
        assert!(matches!(latin1, Error::NotUtf8(_)), "{latin1}");
    }
}
