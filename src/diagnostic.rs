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
    /// The source line the position is in, shown under the first line with a caret.
    #[serde(skip)]
    pub snippet: Option<Snippet>,
}

impl Diagnostic {
    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }

    /// Attach the line of `source` (the topology text) that this diagnostic points into.
    pub fn with_source(mut self, source: &str) -> Self {
        if let (Some(line), Some(col)) = (self.line, self.column) {
            self.snippet = Snippet::new(source, line, col);
        }
        self
    }
}

/// Longest source line shown under a diagnostic (longer lines are not shown).
const SNIPPET_CHARS: usize = 200;

/// One source line, made safe to print, and the part of it under the caret.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Snippet {
    pub line: usize,
    /// The line with tabs as spaces and control characters as U+FFFD.
    pub text: String,
    /// 1-based column (in characters) of the first caret.
    pub col: usize,
    /// Number of carets: the value at `col` (a quoted scalar to its closing quote, a plain
    /// scalar to a comment, a flow indicator or the end of the line), at least 1.
    pub width: usize,
}

impl Snippet {
    /// `None` when the line does not exist, is blank or is too long to show usefully.
    pub fn new(source: &str, line: usize, col: usize) -> Option<Snippet> {
        let raw = source_line(source, line)?;
        if raw.len() > SNIPPET_CHARS * 4 {
            return None;
        }
        let chars: Vec<char> = raw.chars().collect();
        if chars.len() > SNIPPET_CHARS || raw.trim().is_empty() || col == 0 {
            return None;
        }
        let text: String = chars
            .iter()
            .map(|&c| match c {
                '\t' => ' ',
                c if crate::text::is_forbidden_control(c) => '\u{FFFD}',
                c => c,
            })
            .collect();
        let start = (col - 1).min(chars.len());
        Some(Snippet {
            line,
            text,
            col: start + 1,
            width: value_width(&chars[start..]).max(1),
        })
    }
}

/// Line `line` (1-based) of `source`, with YAML's line breaks: LF, CR LF and a lone CR. Found
/// with `memchr`-backed searches, so a 1 MiB file costs little even in a debug build.
fn source_line(source: &str, line: usize) -> Option<&str> {
    let i = line.checked_sub(1)?;
    let bytes = source.as_bytes();
    let lone_cr = source
        .match_indices('\r')
        .any(|(at, _)| bytes.get(at + 1) != Some(&b'\n'));
    if lone_cr {
        return source
            .split("\r\n")
            .flat_map(|l| l.split(['\r', '\n']))
            .nth(i);
    }
    let l = source.split('\n').nth(i)?;
    Some(l.strip_suffix('\r').unwrap_or(l))
}

/// Length in characters of the YAML value that starts `rest`.
fn value_width(rest: &[char]) -> usize {
    match rest.first() {
        None => 0,
        Some(&q @ ('\'' | '"')) => {
            let mut i = 1;
            while i < rest.len() {
                if rest[i] == '\\' && q == '"' {
                    i += 2;
                    continue;
                }
                if rest[i] == q {
                    if q == '\'' && rest.get(i + 1) == Some(&'\'') {
                        i += 2;
                        continue;
                    }
                    return i + 1;
                }
                i += 1;
            }
            rest.len()
        }
        Some(_) => {
            let mut end = rest.len();
            for (i, &c) in rest.iter().enumerate() {
                let comment = c == '#' && i > 0 && rest[i - 1] == ' ';
                if comment || (i > 0 && matches!(c, ',' | ']' | '}')) {
                    end = i;
                    break;
                }
            }
            rest[..end]
                .iter()
                .rposition(|c| *c != ' ')
                .map_or(1, |i| i + 1)
        }
    }
}

impl fmt::Display for Snippet {
    /// rustc style: a gutter as wide as the line number, the line, then the carets.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let n = self.line.to_string();
        let pad = " ".repeat(n.len());
        writeln!(f, "{pad} |")?;
        writeln!(f, "{n} | {}", self.text.trim_end())?;
        write!(
            f,
            "{pad} | {}{}",
            " ".repeat(self.col - 1),
            "^".repeat(self.width)
        )
    }
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.file)?;
        if let (Some(l), Some(c)) = (self.line, self.column) {
            write!(f, ":{l}:{c}")?;
        }
        write!(f, ": {}: {}", self.severity, self.message)?;
        if let Some(s) = &self.snippet {
            write!(f, "\n{s}")?;
        }
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
            snippet: None,
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
    use super::{shown, Snippet};

    fn carets(src: &str, line: usize, col: usize) -> String {
        Snippet::new(src, line, col).unwrap().to_string()
    }

    #[test]
    fn the_caret_is_under_the_whole_value() {
        let src = "a: 1\n  fqdn: 'x y'  # note\n  b: plain value # c\n  c: [x, yy]\r\n";
        assert_eq!(
            carets(src, 2, 9),
            "  |\n2 |   fqdn: 'x y'  # note\n  |         ^^^^^"
        );
        assert_eq!(
            carets(src, 3, 6),
            "  |\n3 |   b: plain value # c\n  |      ^^^^^^^^^^^"
        );
        assert_eq!(carets(src, 4, 10), "  |\n4 |   c: [x, yy]\n  |          ^^");
        assert_eq!(
            carets("k: 'it''s' x", 1, 4).lines().last(),
            Some("  |    ^^^^^^^")
        );
        assert_eq!(
            carets("k: \"a\\\"b\"", 1, 4).lines().last(),
            Some("  |    ^^^^^^")
        );
        // An escape skips the next character only, in a double-quoted value only.
        assert_eq!(
            carets("k: \"ab\" x", 1, 4).lines().last(),
            Some("  |    ^^^^")
        );
        assert_eq!(
            carets("k: \"\\\"b\" x", 1, 4).lines().last(),
            Some("  |    ^^^^^")
        );
        assert_eq!(
            carets("k: 'a\\' x", 1, 4).lines().last(),
            Some("  |    ^^^^")
        );
        // A doubled quote right before the closing one is one character, not the end.
        assert_eq!(
            carets("k: 'ab''' x", 1, 4).lines().last(),
            Some("  |    ^^^^^^")
        );
        // A comment needs a space before its `#`; a flow indicator ends a value, not starts it.
        assert_eq!(carets("k: a #c", 1, 4).lines().last(), Some("  |    ^"));
        assert_eq!(carets("k: a#c", 1, 4).lines().last(), Some("  |    ^^^"));
        assert_eq!(carets("k: ,ab", 1, 4).lines().last(), Some("  |    ^^^"));
        // Past the end of the line (a missing value): one caret after it.
        assert_eq!(carets("key:", 1, 5).lines().last(), Some("  |     ^"));
    }

    #[test]
    fn snippets_cannot_drive_a_terminal_and_skip_what_cannot_be_shown() {
        let s = carets("k: \u{1b}[2J\tx", 1, 4);
        assert!(!s.contains('\u{1b}') && !s.contains('\t'), "{s:?}");
        assert!(Snippet::new("a\nb", 3, 1).is_none());
        assert!(Snippet::new(&"x".repeat(300), 1, 1).is_none());
        assert!(Snippet::new("a\n\n", 2, 1).is_none());
        assert_eq!(Snippet::new("a\rb\r\nc", 3, 1).unwrap().text, "c");
        assert_eq!(Snippet::new("a\rb", 2, 1).unwrap().text, "b");
        assert_eq!(Snippet::new("a\r\nb\r\n", 2, 1).unwrap().text, "b");
        assert_eq!(Snippet::new("a\nb\n", 2, 1).unwrap().text, "b");
    }

    #[test]
    fn shown_values_cannot_drive_a_terminal_and_stay_short() {
        assert_eq!(shown("a\u{1b}[31mb\u{202E}c"), "a\u{FFFD}[31mb\u{FFFD}c");
        let long = "x".repeat(1000);
        assert_eq!(shown(&long).chars().count(), 101);
        assert!(shown(&long).ends_with('…'));
        assert_eq!(shown("pool-a.contoso.com"), "pool-a.contoso.com");
        // Exactly at the limit nothing is cut, so no ellipsis.
        assert_eq!(shown(&"x".repeat(100)), "x".repeat(100));
        assert_eq!(shown(&"x".repeat(101)), format!("{}…", "x".repeat(100)));
    }
}
