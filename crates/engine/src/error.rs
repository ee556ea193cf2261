//! The one error type of the engine. `Err` means a stage could not run at
//! all; data problems are findings and quarantined rows, not errors.

/// Where in the input something happened.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Position {
    /// File name as given by the caller.
    pub file: String,
    /// 1-based line number, 0 when unknown.
    pub line: u64,
}

impl std::fmt::Display for Position {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.line > 0 {
            write!(f, "{}, line {}", self.file, self.line)
        } else {
            write!(f, "{}", self.file)
        }
    }
}

/// Everything that can stop a stage from running.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The file has no bytes at all.
    #[error("{0}: the file is empty")]
    EmptyFile(Position),
    /// The file looks binary (an image, an archive...) rather than CSV text.
    #[error("{pos}: this is {kind}, not a CSV text file")]
    Binary {
        /// Where.
        pos: Position,
        /// What it looks like.
        kind: &'static str,
    },
    /// The file is text but not UTF-8.
    #[error("{0}: the file is not UTF-8 text (save it as UTF-8 CSV)")]
    NotUtf8(Position),
    /// The header names none of the columns an event export must have.
    #[error("{pos}: not an event export: required column(s) {missing} not found in the header")]
    NotAnExport {
        /// Where.
        pos: Position,
        /// Canonical names of the required columns that are absent.
        missing: String,
    },
    /// The CSV reader failed (I/O or malformed input it cannot recover from).
    #[error("{pos}: could not read CSV: {message}")]
    Csv {
        /// Where.
        pos: Position,
        /// The reader's own message.
        message: String,
    },
    /// A configuration value is invalid.
    #[error("invalid configuration: {0}")]
    Config(String),
}

impl Error {
    /// Wraps a `csv::Error` with the file it came from.
    pub fn csv(file: &str, err: &csv::Error) -> Self {
        let line = err.position().map_or(0, |p| p.line());
        Error::Csv {
            pos: Position {
                file: file.to_string(),
                line,
            },
            message: err.to_string(),
        }
    }
}

/// Engine result type.
pub type Result<T> = std::result::Result<T, Error>;
