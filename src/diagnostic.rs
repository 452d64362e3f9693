//! One diagnostic type for every topology problem: where it is, what is wrong, how to fix it.

use std::fmt;

use serde::Serialize;

/// Where a value came from: the topology file or one `--set` argument.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Origin {
    /// The topology file.
    File,
    /// The `--set` argument with this index (0-based) in the order given.
    Set(usize),
}

/// A position in the topology file (1-based line and column) or a `--set` argument.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Pos {
    pub origin: Origin,
    pub line: usize,
    pub col: usize,
}

impl Pos {
    pub fn file(line: usize, col: usize) -> Self {
        Pos {
            origin: Origin::File,
            line,
            col,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Error,
    Warning,
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
        })
    }
}

/// One problem found in a topology, ready to print as `FILE:LINE:COL: error: MESSAGE`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Diagnostic {
    pub severity: Severity,
    /// The topology file name as given on the command line, or `--set PATH` for an override.
    pub file: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub line: Option<usize>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub column: Option<usize>,
    pub message: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub help: Option<String>,
}

impl Diagnostic {
    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.file)?;
        if let (Some(l), Some(c)) = (self.line, self.column) {
            write!(f, ":{l}:{c}")?;
        }
        write!(f, ": {}: {}", self.severity, self.message)?;
        if let Some(h) = &self.help {
            write!(f, "\n  help: {h}")?;
        }
        Ok(())
    }
}

/// A problem not yet tied to a file name: built by the loader and the validator.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    pub severity: Severity,
    pub pos: Option<Pos>,
    pub message: String,
    pub help: Option<String>,
}

impl Problem {
    pub fn error(pos: Option<Pos>, message: impl Into<String>) -> Self {
        Problem {
            severity: Severity::Error,
            pos,
            message: message.into(),
            help: None,
        }
    }
    pub fn warning(pos: Option<Pos>, message: impl Into<String>) -> Self {
        Problem {
            severity: Severity::Warning,
            pos,
            message: message.into(),
            help: None,
        }
    }
    pub fn with_help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }

    /// Attach the file name (and, for `--set` origins, the override's path) to make a diagnostic.
    pub fn locate(self, file: &str, sets: &[String]) -> Diagnostic {
        let (file, line, column) = match &self.pos {
            None => (file.to_string(), None, None),
            Some(Pos {
                origin: Origin::File,
                line,
                col,
            }) => (file.to_string(), Some(*line), Some(*col)),
            Some(Pos {
                origin: Origin::Set(i),
                ..
            }) => {
                let path = sets
                    .get(*i)
                    .map(|s| s.split('=').next().unwrap_or(s))
                    .unwrap_or("?");
                (format!("--set {path}"), None, None)
            }
        };
        Diagnostic {
            severity: self.severity,
            file,
            line,
            column,
            message: self.message,
            help: self.help,
        }
    }
}

/// Longest part of a value quoted back in a message.
const SHOWN_CHARS: usize = 100;

/// A topology value as quoted back in a message: control and direction-changing characters
/// become U+FFFD (so a value cannot drive the terminal that reads the message), and a long
/// value is cut to its first 100 characters.
pub fn shown(value: &str) -> String {
    let mut out: String = value
        .chars()
        .take(SHOWN_CHARS)
        .map(|c| {
            if crate::text::is_forbidden_control(c) {
                '\u{FFFD}'
            } else {
                c
            }
        })
        .collect();
    if value.chars().count() > SHOWN_CHARS {
        out.push('…');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::shown;

    #[test]
    fn shown_values_cannot_drive_a_terminal_and_stay_short() {
        assert_eq!(shown("a\u{1b}[31mb\u{202E}c"), "a\u{FFFD}[31mb\u{FFFD}c");
        let long = "x".repeat(1000);
        assert_eq!(shown(&long).chars().count(), 101);
        assert!(shown(&long).ends_with('…'));
        assert_eq!(shown("pool-a.contoso.com"), "pool-a.contoso.com");
    }
}
