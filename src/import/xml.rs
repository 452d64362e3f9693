//! Reading a topology document as hostile input: bounded size, BOM-sniffed UTF-8 or UTF-16,
//! no DTD (so no entities beyond the five predefined ones), bounded node count and depth, and
//! every problem located as `FILE:LINE:COL`.

use std::path::Path;

use crate::diagnostic::{shown, Diagnostic, Severity};
use crate::load::CappedRead;

/// Largest document accepted, in bytes. A published six-cluster topology is about 30 KB in
/// UTF-8; UTF-16 doubles it. 8 MiB leaves room for very large deployments.
pub const MAX_DOCUMENT_BYTES: u64 = 8 * 1024 * 1024;
/// Most XML nodes (elements, text, comments, ...) accepted in one document.
pub const MAX_NODES: u32 = 500_000;
/// Deepest element nesting accepted. Real documents nest about 8 deep.
pub const MAX_DEPTH: usize = 64;

/// Why a document could not be imported.
#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    /// The file or folder could not be read at all (exit 2).
    #[error("{path}: error: cannot read {what}: {reason}")]
    Unreadable {
        path: String,
        what: &'static str,
        reason: String,
    },
    /// The document is malformed, hostile or not a topology (exit 1).
    #[error("{0}")]
    Invalid(Box<Diagnostic>),
}

/// A located problem in the document `file`.
pub fn located(
    severity: Severity,
    file: &str,
    pos: Option<(usize, usize)>,
    message: impl Into<String>,
) -> Diagnostic {
    Diagnostic {
        severity,
        file: file.to_string(),
        line: pos.map(|p| p.0),
        column: pos.map(|p| p.1),
        message: message.into(),
        help: None,
        // The source-line snippet under a message is made for YAML values; none for XML.
        snippet: None,
    }
}

fn invalid(file: &str, pos: Option<(usize, usize)>, message: impl Into<String>) -> ImportError {
    ImportError::Invalid(Box::new(located(Severity::Error, file, pos, message)))
}

/// Read `path` (at most [`MAX_DOCUMENT_BYTES`]); `shown_name` names it in messages.
pub fn read_bounded(
    path: &Path,
    shown_name: &str,
    what: &'static str,
) -> Result<Vec<u8>, ImportError> {
    crate::load::read_capped(path, MAX_DOCUMENT_BYTES).map_err(|e| match e {
        CappedRead::Unreadable(reason) => ImportError::Unreadable {
            path: shown_name.to_string(),
            what,
            reason,
        },
        CappedRead::TooLarge(_) => invalid(
            shown_name,
            None,
            format!(
                "the document holds more than {} MiB; a topology document is far smaller",
                MAX_DOCUMENT_BYTES / 1024 / 1024
            ),
        ),
    })
}

/// The document's text: UTF-8 (with or without BOM) or UTF-16 LE/BE (with a BOM, or without one
/// when the first character is `<`, as XML documents start).
pub fn decode(file: &str, bytes: &[u8]) -> Result<String, ImportError> {
    enum Enc {
        Utf8,
        Utf16Le,
        Utf16Be,
    }
    let (enc, body) = match bytes {
        [0xEF, 0xBB, 0xBF, rest @ ..] => (Enc::Utf8, rest),
        [0xFF, 0xFE, rest @ ..] => (Enc::Utf16Le, rest),
        [0xFE, 0xFF, rest @ ..] => (Enc::Utf16Be, rest),
        [b'<', 0, ..] => (Enc::Utf16Le, bytes),
        [0, b'<', ..] => (Enc::Utf16Be, bytes),
        _ => (Enc::Utf8, bytes),
    };
    match enc {
        Enc::Utf8 => match std::str::from_utf8(body) {
            Ok(s) => Ok(s.to_string()),
            Err(e) => {
                let good = std::str::from_utf8(&body[..e.valid_up_to()]).unwrap_or_default();
                Err(invalid(
                    file,
                    Some(LineIndex::new(good).pos(good, good.len())),
                    format!(
                        "the document is not valid UTF-8 (byte 0x{:02X}) and has no UTF-16 byte order mark",
                        body[e.valid_up_to()]
                    ),
                ))
            }
        },
        Enc::Utf16Le | Enc::Utf16Be => {
            let le = matches!(enc, Enc::Utf16Le);
            let units: Vec<u16> = body
                .chunks(2)
                .map(|c| match (c, le) {
                    ([a, b], true) => u16::from_le_bytes([*a, *b]),
                    ([a, b], false) => u16::from_be_bytes([*a, *b]),
                    // An odd trailing byte: not a code unit; reported below as U+FFFD.
                    _ => 0xFFFF,
                })
                .collect();
            let mut text = String::with_capacity(units.len());
            for r in char::decode_utf16(units.iter().copied()) {
                match r {
                    Ok('\u{FFFF}') | Err(_) => return Err(invalid(
                        file,
                        Some(LineIndex::new(&text).pos(&text, text.len())),
                        "the document is not valid UTF-16 (a lone surrogate or an odd byte count)",
                    )),
                    Ok(c) => text.push(c),
                }
            }
            Ok(text)
        }
    }
}

/// Byte offsets of line starts, to turn an offset into a 1-based line and column (in characters).
/// Character counts are kept every [`MARK_BYTES`] bytes, so a position costs a binary search and
/// a short scan even on a document that is one long line.
pub struct LineIndex {
    starts: Vec<usize>,
    /// (byte offset on a character boundary, characters before it), ascending.
    marks: Vec<(usize, usize)>,
}

const MARK_BYTES: usize = 1024;

impl LineIndex {
    pub fn new(text: &str) -> Self {
        let mut starts = vec![0];
        starts.extend(text.match_indices('\n').map(|(i, _)| i + 1));
        let mut marks = vec![(0, 0)];
        for (n, (i, _)) in text.char_indices().enumerate() {
            if i >= marks[marks.len() - 1].0 + MARK_BYTES {
                marks.push((i, n));
            }
        }
        LineIndex { starts, marks }
    }

    /// Characters in `text[..offset]`.
    fn chars_to(&self, text: &str, offset: usize) -> usize {
        let k = self.marks.partition_point(|m| m.0 <= offset) - 1;
        let (b, c) = self.marks[k];
        c + text.get(b..offset).map(|s| s.chars().count()).unwrap_or(0)
    }

    pub fn pos(&self, text: &str, offset: usize) -> (usize, usize) {
        let offset = offset.min(text.len());
        let line = self.starts.partition_point(|&s| s <= offset);
        let start = self.starts[line - 1];
        let col = self
            .chars_to(text, offset)
            .saturating_sub(self.chars_to(text, start));
        (line, col + 1)
    }
}

/// Parse `text` with roxmltree under the budgets: no DTD, [`MAX_NODES`], [`MAX_DEPTH`].
pub fn parse<'a>(file: &str, text: &'a str) -> Result<roxmltree::Document<'a>, ImportError> {
    let index = LineIndex::new(text);
    let opts = roxmltree::ParsingOptions {
        allow_dtd: false,
        nodes_limit: MAX_NODES,
        ..Default::default()
    };
    let doc = roxmltree::Document::parse_with_options(text, opts).map_err(|e| {
        use roxmltree::Error as E;
        let end = Some(index.pos(text, text.len()));
        let (pos, message) = match &e {
            E::DtdDetected => (
                text.find("<!DOCTYPE").map(|o| index.pos(text, o)),
                "the document has a DTD (<!DOCTYPE>); topology documents have none, and DTDs and entities are refused".to_string(),
            ),
            E::NodesLimitReached => (
                None,
                format!("the document has more than {MAX_NODES} XML nodes; a topology document is far smaller"),
            ),
            E::UnexpectedEndOfStream | E::UnclosedRootNode => {
                (end, "the document ends before its root element is closed (truncated?)".into())
            }
            E::NoRootNode => (end, "the document has no root element: it is not XML".into()),
            other => {
                let p = other.pos();
                let msg = other.to_string();
                let msg = msg
                    .strip_suffix(&format!(" at {p}"))
                    .map(str::to_string)
                    .unwrap_or(msg);
                (Some((p.row as usize, p.col as usize)), format!("malformed XML: {}", shown(&msg)))
            }
        };
        invalid(file, pos, message)
    })?;
    // Depth, computed once per node from its parent (no recursion, linear time).
    let mut depth = vec![0usize; doc.descendants().count() + 1];
    for node in doc.descendants() {
        let d = node
            .parent()
            .map(|p| depth[p.id().get_usize()] + 1)
            .unwrap_or(0);
        depth[node.id().get_usize()] = d;
        if d > MAX_DEPTH {
            return Err(invalid(
                file,
                Some(index.pos(text, node.range().start)),
                format!("elements nest more than {MAX_DEPTH} deep; a topology document nests about 8 deep"),
            ));
        }
    }
    Ok(doc)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn utf16_with_and_without_bom_and_utf8_bom_decode_alike() {
        let text = "<Topology a=\"é\"/>";
        let le: Vec<u8> = text.encode_utf16().flat_map(u16::to_le_bytes).collect();
        let be: Vec<u8> = text.encode_utf16().flat_map(u16::to_be_bytes).collect();
        for bytes in [
            [&[0xFF, 0xFE][..], &le].concat(),
            le.clone(),
            [&[0xFE, 0xFF][..], &be].concat(),
            be,
            [&[0xEF, 0xBB, 0xBF][..], text.as_bytes()].concat(),
            text.as_bytes().to_vec(),
        ] {
            assert_eq!(decode("t.xml", &bytes).unwrap(), text);
        }
        assert!(decode("t.xml", &[0xFF, 0xFE, b'<', 0, b'a']).is_err());
        assert!(decode("t.xml", &[0xFF, 0xFE, 0x00, 0xD8, b'<', 0]).is_err());
    }

    #[test]
    fn positions_on_a_long_line_count_characters() {
        let text = format!("{}\n{}<", "é".repeat(3000), "aé".repeat(2000));
        let i = LineIndex::new(&text);
        assert_eq!(i.pos(&text, 2 * 3000), (1, 3001));
        assert_eq!(i.pos(&text, text.len() - 1), (2, 4001));
        assert_eq!(i.pos(&text, 2 * 1500), (1, 1501));
    }

    #[test]
    fn positions_are_lines_and_character_columns() {
        let text = "ab\néé<x";
        let i = LineIndex::new(text);
        assert_eq!(i.pos(text, 0), (1, 1));
        assert_eq!(i.pos(text, 3), (2, 1));
        assert_eq!(i.pos(text, text.len() - 2), (2, 3));
    }

    #[test]
    fn depth_and_dtd_are_refused_with_a_location() {
        let deep = format!(
            "{}{}",
            "<a>".repeat(MAX_DEPTH + 2),
            "</a>".repeat(MAX_DEPTH + 2)
        );
        let Err(ImportError::Invalid(d)) = parse("d.xml", &deep) else {
            panic!()
        };
        assert_eq!((d.line, d.column), (Some(1), Some(3 * MAX_DEPTH + 1)));
        let dtd = "<?xml version=\"1.0\"?>\n<!DOCTYPE a [<!ENTITY x \"y\">]><a>&x;</a>";
        let Err(ImportError::Invalid(d)) = parse("e.xml", dtd) else {
            panic!()
        };
        assert_eq!((d.line, d.column), (Some(2), Some(1)));
    }

    #[test]
    fn a_document_of_more_than_max_nodes_is_refused() {
        let nodes = |n: usize| format!("<a>{}</a>", "<b/>".repeat(n));
        assert!(parse("n.xml", &nodes(MAX_NODES as usize / 2)).is_ok());
        let Err(ImportError::Invalid(d)) = parse("n.xml", &nodes(MAX_NODES as usize)) else {
            panic!("parsed")
        };
        assert!(
            d.message.contains("more than 500000 XML nodes"),
            "{}",
            d.message
        );
    }
}
