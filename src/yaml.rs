//! The topology file as a YAML tree with a position on every node.
//!
//! Built from `saphyr-parser` events. The tree exists so that `--set` overrides can be applied
//! before validation and so that every check, after parsing, can point at the line and column of
//! the value it is about. Hostile input is bounded here: nesting depth has a hard limit, the number
//! of nodes (aliases expanded) is bounded by the size of the text ([`node_budget`]), scalar text
//! (aliases expanded) by [`MAX_TEXT_BYTES`], and several documents, duplicate keys and non-scalar
//! keys are refused.

use std::collections::HashMap;

use saphyr_parser::{Event, Parser, ScalarStyle, Span};

use crate::diagnostic::{Origin, Pos, Problem};

/// Nodes any document may expand to, aliases included, however short its text.
pub const MIN_NODE_BUDGET: usize = 20_000;
/// Nodes a document may expand to per byte of its text, aliases included.
///
/// Written out, a topology spends more than 10 bytes a node (the 1,000-pool benchmark topology:
/// 680 KB, about 50,000 nodes), so every honest file up to the 1 MiB limit fits with room for
/// anchors, while an alias bomb stops after about one node per byte: milliseconds for a small
/// file, well under a second for one of 1 MiB (tests/budgets.rs).
pub const NODES_PER_BYTE: usize = 1;
/// Deepest nesting accepted (a topology is at most six levels deep).
pub const MAX_DEPTH: usize = 32;
/// Most bytes of scalar text (keys and values, aliases expanded) a document may hold. The file
/// itself is at most 1 MiB; without this budget a few thousand aliases of one large scalar
/// would expand to gigabytes while staying within the node budget.
pub const MAX_TEXT_BYTES: usize = 4 * 1024 * 1024;

/// Most nodes (aliases expanded) a document of `text_len` bytes may have: [`NODES_PER_BYTE`] for
/// each byte, and never fewer than [`MIN_NODE_BUDGET`].
pub fn node_budget(text_len: usize) -> usize {
    text_len.saturating_mul(NODES_PER_BYTE).max(MIN_NODE_BUDGET)
}

#[derive(Debug, Clone, PartialEq)]
pub enum Kind {
    /// A scalar: its text, whether it was written plain (unquoted, so `true`, `14`, `~` are typed).
    Scalar {
        text: String,
        plain: bool,
    },
    Seq(Vec<Node>),
    /// Mapping entries in file order; keys are scalar text with their position.
    Map(Vec<Entry>),
}

#[derive(Debug, Clone, PartialEq)]
pub struct Entry {
    pub key: String,
    pub key_pos: Pos,
    pub value: Node,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Node {
    pub kind: Kind,
    pub pos: Pos,
}

/// The YAML 1.2 core-schema reading of a plain scalar.
#[derive(Debug, Clone, PartialEq)]
pub enum Plain {
    Null,
    Bool(bool),
    Int(i128),
    Float(f64),
    Str,
}

pub fn resolve_plain(text: &str) -> Plain {
    match text {
        "" | "~" | "null" | "Null" | "NULL" => return Plain::Null,
        "true" | "True" | "TRUE" => return Plain::Bool(true),
        "false" | "False" | "FALSE" => return Plain::Bool(false),
        ".inf" | ".Inf" | ".INF" | "+.inf" | "+.Inf" | "+.INF" => {
            return Plain::Float(f64::INFINITY)
        }
        "-.inf" | "-.Inf" | "-.INF" => return Plain::Float(f64::NEG_INFINITY),
        ".nan" | ".NaN" | ".NAN" => return Plain::Float(f64::NAN),
        _ => {}
    }
    let digits = |s: &str, radix: u32| !s.is_empty() && s.chars().all(|c| c.is_digit(radix));
    if let Some(h) = text.strip_prefix("0x") {
        if digits(h, 16) {
            return i128::from_str_radix(h, 16)
                .map(Plain::Int)
                .unwrap_or(Plain::Str);
        }
    }
    if let Some(o) = text.strip_prefix("0o") {
        if digits(o, 8) {
            return i128::from_str_radix(o, 8)
                .map(Plain::Int)
                .unwrap_or(Plain::Str);
        }
    }
    let unsigned = text.strip_prefix(['-', '+']).unwrap_or(text);
    if digits(unsigned, 10) {
        return text.parse::<i128>().map(Plain::Int).unwrap_or(Plain::Str);
    }
    let is_float = {
        let (mantissa, exp) = match unsigned.find(['e', 'E']) {
            Some(i) => (&unsigned[..i], Some(&unsigned[i + 1..])),
            None => (unsigned, None),
        };
        let mut parts = mantissa.splitn(2, '.');
        let int = parts.next().unwrap_or("");
        let frac = parts.next();
        let mantissa_ok = match frac {
            Some(f) => {
                (int.is_empty() || digits(int, 10))
                    && (f.is_empty() || digits(f, 10))
                    && !(int.is_empty() && f.is_empty())
            }
            None => digits(int, 10),
        };
        let exp_ok = match exp {
            None => frac.is_some(),
            Some(e) => digits(e.strip_prefix(['-', '+']).unwrap_or(e), 10),
        };
        mantissa_ok && exp_ok
    };
    if is_float {
        if let Ok(f) = text.parse::<f64>() {
            return Plain::Float(f);
        }
    }
    Plain::Str
}

impl Node {
    /// A short description of the node's YAML type, for messages.
    pub fn describe(&self) -> String {
        match &self.kind {
            Kind::Seq(_) => "a list".into(),
            Kind::Map(_) => "a mapping".into(),
            Kind::Scalar { text, plain: false } => format!("the string {text:?}"),
            Kind::Scalar { text, plain: true } => match resolve_plain(text) {
                Plain::Null => "nothing (null)".into(),
                Plain::Bool(b) => format!("the boolean {b}"),
                Plain::Int(_) | Plain::Float(_) => format!("the number {text}"),
                Plain::Str => format!("the string {text:?}"),
            },
        }
    }

    /// The node as JSON, reading plain scalars with the YAML 1.2 core schema ([`resolve_plain`])
    /// and quoted scalars as strings; for checking a topology against the JSON Schema. Numbers
    /// JSON cannot hold (out of range, infinities, NaN) become their text.
    pub fn to_json(&self) -> serde_json::Value {
        use serde_json::Value;
        match &self.kind {
            Kind::Scalar { text, plain: false } => Value::String(text.clone()),
            Kind::Scalar { text, plain: true } => match resolve_plain(text) {
                Plain::Null => Value::Null,
                Plain::Bool(b) => Value::Bool(b),
                Plain::Int(i) => u64::try_from(i)
                    .map(Value::from)
                    .or_else(|_| i64::try_from(i).map(Value::from))
                    .unwrap_or_else(|_| Value::String(text.clone())),
                Plain::Float(f) => serde_json::Number::from_f64(f)
                    .map_or_else(|| Value::String(text.clone()), Value::Number),
                Plain::Str => Value::String(text.clone()),
            },
            Kind::Seq(items) => Value::Array(items.iter().map(Node::to_json).collect()),
            Kind::Map(entries) => Value::Object(
                entries
                    .iter()
                    .map(|e| (e.key.clone(), e.value.to_json()))
                    .collect(),
            ),
        }
    }

    pub fn get(&self, key: &str) -> Option<&Node> {
        match &self.kind {
            Kind::Map(entries) => entries.iter().find(|e| e.key == key).map(|e| &e.value),
            _ => None,
        }
    }

    pub fn scalar(&self) -> Option<&str> {
        match &self.kind {
            Kind::Scalar { text, .. } => Some(text),
            _ => None,
        }
    }

    /// Position of the node at `path`, or of the deepest ancestor that exists (for a missing key,
    /// that is its parent mapping).
    pub fn pos_at(&self, path: &[Seg<'_>]) -> Pos {
        let mut node = self;
        for seg in path {
            let next = match (seg, &node.kind) {
                (Seg::Key(k), Kind::Map(_)) => node.get(k),
                (Seg::Index(i), Kind::Seq(items)) => items.get(*i),
                _ => None,
            };
            match next {
                Some(n) => node = n,
                None => break,
            }
        }
        node.pos.clone()
    }
}

/// One step of a path into the tree.
#[derive(Debug, Clone, Copy)]
pub enum Seg<'a> {
    Key(&'a str),
    Index(usize),
}

fn pos_of(span: &Span, origin: &Origin, end: (usize, usize)) -> Pos {
    let (line, col) = clamp((span.start.line(), span.start.col() + 1), end);
    Pos {
        origin: origin.clone(),
        line,
        col,
    }
}

/// The position (1-based line, column in characters) just after `text`: its last line (empty
/// after a final line break) and the column after its last character.
pub fn end_of(text: &str) -> (usize, usize) {
    let (count, last) = lines(text).fold((0, ""), |(n, _), l| (n + 1, l));
    (count, last.chars().count() + 1)
}

/// The lines of `text` as YAML counts them: broken at LF, CR LF and a lone CR.
fn lines(text: &str) -> impl Iterator<Item = &str> {
    text.split("\r\n").flat_map(|l| l.split(['\r', '\n']))
}

/// At the end of input saphyr reports the line after the last one when the text does not end
/// with a line break; point at the end of the text instead, so the position exists in the file.
fn clamp((line, col): (usize, usize), end: (usize, usize)) -> (usize, usize) {
    if (line, col) > end {
        end
    } else {
        (line, col)
    }
}

enum Frame {
    Seq(Pos, Vec<Node>, usize),
    /// Position, entries, pending key, anchor, and the line of each key seen (duplicate check).
    Map(
        Pos,
        Vec<Entry>,
        Option<(String, Pos)>,
        usize,
        HashMap<String, usize>,
    ),
}

/// Parse YAML text into one tree. `origin` labels the positions (file or `--set`).
pub fn parse(text: &str, origin: Origin) -> Result<Node, Problem> {
    parse_stream(text, origin)?.ok_or_else(|| {
        Problem::error(None, "the file is empty")
            .with_help("run `abc-failover init` for a commented starter topology")
    })
}

/// Where a "found a tab" syntax error really is: the first tab in the indentation of a line at
/// or after `line` (saphyr reports the start of the scalar it was reading instead).
fn tab_pos(text: &str, line: usize) -> Option<(usize, usize)> {
    lines(text)
        .enumerate()
        .skip(line.saturating_sub(1))
        .find_map(|(i, l)| {
            let indent: String = l.chars().take_while(|c| *c == ' ' || *c == '\t').collect();
            indent.find('\t').map(|col| (i + 1, col + 1))
        })
}

/// Parse YAML text into one tree; `None` when the stream holds no document at all (empty, or
/// only comments).
pub fn parse_stream(text: &str, origin: Origin) -> Result<Option<Node>, Problem> {
    let mut parser = Parser::new_from_str(text);
    let end = end_of(text);
    let mut stack: Vec<Frame> = Vec::new();
    let mut anchors: HashMap<usize, (Node, usize, usize)> = HashMap::new();
    let mut root: Option<Node> = None;
    let mut documents = 0usize;
    let mut nodes = 0usize;
    let max_nodes = node_budget(text.len());
    let mut text_bytes = 0usize;
    let too_much_text = |pos: Pos| {
        Problem::error(
            Some(pos),
            format!(
                "the document holds more than {} MiB of text once YAML aliases are expanded; refused",
                MAX_TEXT_BYTES / (1024 * 1024)
            ),
        )
        .with_help("write the values out instead of repeating large anchors")
    };

    loop {
        let (event, span) = match parser.next_event() {
            None => break,
            Some(Ok(ev)) => ev,
            Some(Err(e)) => {
                let m = e.marker();
                let (mut line, mut col) = clamp((m.line(), m.col() + 1), end);
                // Error markers can also sit past the end of their line (after a misplaced BOM).
                if let Some(l) = lines(text).nth(line.saturating_sub(1)) {
                    col = col.min(l.chars().count() + 1);
                }
                let mut help = None;
                if e.info()
                    .split(|c: char| !c.is_alphabetic())
                    .any(|w| w == "tab" || w == "tabs")
                {
                    if let Some((l, c)) = tab_pos(text, line) {
                        (line, col) = (l, c);
                    }
                    help = Some("indent with spaces: YAML does not allow tabs in indentation");
                }
                let pos = Pos {
                    origin: origin.clone(),
                    line,
                    col,
                };
                let p = Problem::error(Some(pos), format!("YAML syntax error: {}", e.info()));
                return Err(match help {
                    Some(h) => p.with_help(h),
                    None => p,
                });
            }
        };
        let pos = pos_of(&span, &origin, end);
        let (node, anchor, size) = match event {
            Event::StreamStart | Event::Nothing | Event::DocumentEnd => continue,
            Event::StreamEnd => break,
            Event::DocumentStart(_) => {
                documents += 1;
                if documents > 1 {
                    return Err(Problem::error(
                        Some(pos),
                        "the file holds more than one YAML document",
                    )
                    .with_help(
                        "a topology is one document: remove the `---` separator and what follows",
                    ));
                }
                continue;
            }
            Event::Alias(id) => {
                let Some((node, size, bytes)) = anchors.get(&id) else {
                    return Err(Problem::error(Some(pos), "alias to an unknown anchor"));
                };
                if nodes + size > max_nodes {
                    return Err(Problem::error(
                        Some(pos),
                        format!(
                            "YAML aliases expand the document beyond {max_nodes} nodes (the budget \
                             is one node per byte of the file, at least {MIN_NODE_BUDGET}); refused"
                        ),
                    )
                    .with_help("write the values out instead of repeating large anchors"));
                }
                nodes += size;
                text_bytes += bytes;
                if text_bytes > MAX_TEXT_BYTES {
                    return Err(too_much_text(pos));
                }
                // The copy is where the alias is: point there, not at the anchor.
                let mut node = node.clone();
                node.pos = pos;
                (node, 0, *size)
            }
            Event::Scalar(text, style, anchor, tag) => {
                if let Some(tag) = tag {
                    if !(tag.handle == "tag:yaml.org,2002:" && tag.suffix == "str") {
                        return Err(Problem::error(
                            Some(pos),
                            format!("YAML tag `{}{}` is not supported", tag.handle, tag.suffix),
                        )
                        .with_help("remove the tag; quote the value if it must be text"));
                    }
                }
                let plain = matches!(style, ScalarStyle::Plain);
                text_bytes += text.len();
                if text_bytes > MAX_TEXT_BYTES {
                    return Err(too_much_text(pos));
                }
                nodes += 1;
                if nodes > max_nodes {
                    return Err(too_many_nodes(&pos, max_nodes));
                }
                (
                    Node {
                        kind: Kind::Scalar {
                            text: text.into_owned(),
                            plain,
                        },
                        pos,
                    },
                    anchor,
                    1,
                )
            }
            Event::SequenceStart(anchor, tag) => {
                open_collection(&pos, tag.is_some(), stack.len(), &mut nodes, max_nodes)?;
                stack.push(Frame::Seq(pos, Vec::new(), anchor));
                continue;
            }
            Event::MappingStart(anchor, tag) => {
                open_collection(&pos, tag.is_some(), stack.len(), &mut nodes, max_nodes)?;
                stack.push(Frame::Map(pos, Vec::new(), None, anchor, HashMap::new()));
                continue;
            }
            Event::SequenceEnd => {
                let Some(Frame::Seq(pos, items, anchor)) = stack.pop() else {
                    return Err(Problem::error(Some(pos), "unbalanced sequence"));
                };
                let size = 1 + items.iter().map(count).sum::<usize>();
                (
                    Node {
                        kind: Kind::Seq(items),
                        pos,
                    },
                    anchor,
                    size,
                )
            }
            Event::MappingEnd => {
                let Some(Frame::Map(pos, entries, _, anchor, _)) = stack.pop() else {
                    return Err(Problem::error(Some(pos), "unbalanced mapping"));
                };
                let size = 1 + entries.iter().map(|e| 1 + count(&e.value)).sum::<usize>();
                (
                    Node {
                        kind: Kind::Map(entries),
                        pos,
                    },
                    anchor,
                    size,
                )
            }
        };
        if anchor != 0 {
            anchors.insert(anchor, (node.clone(), size, text_len(&node)));
        }
        match stack.last_mut() {
            None => root = Some(node),
            Some(Frame::Seq(_, items, _)) => items.push(node),
            Some(Frame::Map(_, entries, pending, _, seen)) => match pending.take() {
                None => {
                    let Kind::Scalar { text, .. } = node.kind else {
                        return Err(Problem::error(
                            Some(node.pos),
                            "mapping keys must be plain text",
                        ));
                    };
                    if let Some(first_line) = seen.get(&text) {
                        return Err(Problem::error(
                            Some(node.pos),
                            format!("duplicate key `{text}` (first at line {first_line})"),
                        )
                        .with_help("each key may appear once in a mapping; remove one of them"));
                    }
                    seen.insert(text.clone(), node.pos.line);
                    *pending = Some((text, node.pos));
                }
                Some((key, key_pos)) => entries.push(Entry {
                    key,
                    key_pos,
                    value: node,
                }),
            },
        }
    }
    Ok(root)
}

fn open_collection(
    pos: &Pos,
    tagged: bool,
    depth: usize,
    nodes: &mut usize,
    max_nodes: usize,
) -> Result<(), Problem> {
    if tagged {
        return Err(
            Problem::error(Some(pos.clone()), "YAML tags are not supported")
                .with_help("remove the tag"),
        );
    }
    if depth >= MAX_DEPTH {
        return Err(Problem::error(
            Some(pos.clone()),
            format!("nesting deeper than {MAX_DEPTH} levels; refused"),
        ));
    }
    *nodes += 1;
    if *nodes > max_nodes {
        return Err(too_many_nodes(pos, max_nodes));
    }
    Ok(())
}

fn too_many_nodes(pos: &Pos, max_nodes: usize) -> Problem {
    Problem::error(
        Some(pos.clone()),
        format!("the document has more than {max_nodes} nodes (one per byte of the file, at least {MIN_NODE_BUDGET}); refused"),
    )
}

/// Bytes of scalar text in a subtree (keys included), for the expansion budget.
fn text_len(n: &Node) -> usize {
    match &n.kind {
        Kind::Scalar { text, .. } => text.len(),
        Kind::Seq(items) => items.iter().map(text_len).sum(),
        Kind::Map(entries) => entries
            .iter()
            .map(|e| e.key.len() + text_len(&e.value))
            .sum(),
    }
}

fn count(n: &Node) -> usize {
    match &n.kind {
        Kind::Scalar { .. } => 1,
        Kind::Seq(items) => 1 + items.iter().map(count).sum::<usize>(),
        Kind::Map(entries) => 1 + entries.iter().map(|e| 1 + count(&e.value)).sum::<usize>(),
    }
}

#[cfg(test)]
mod tests {
    use super::{parse, resolve_plain, Plain, MAX_TEXT_BYTES};
    use crate::diagnostic::Origin;

    /// The text budget counts every scalar once per place it appears (keys too, aliases at the
    /// size of their anchor) and refuses the first byte over 4 MiB, reached at an alias or at a
    /// plain scalar.
    #[test]
    fn the_text_budget_is_exact_at_aliases_and_at_scalars() {
        let over = |text: &str| match parse(text, Origin::File) {
            Ok(_) => false,
            Err(p) => {
                assert!(p.message.contains("MiB of text"), "{}", p.message);
                true
            }
        };
        // kk + S + ll + 4 S = MAX at the last alias.
        let s = "x".repeat(838_860);
        let at_alias = |key: &str| format!("{key}: &a {s}\nll: [*a, *a, *a, *a]\n");
        assert_eq!(2 + 5 * s.len() + 2, MAX_TEXT_BYTES);
        assert!(!over(&at_alias("kk")));
        assert!(over(&at_alias("kkk")));
        // kk + S + ll + 4 S + m + Z = MAX at the last scalar.
        let s = "x".repeat(838_859);
        let at_scalar = |z: &str| format!("kk: &a {s}\nll: [*a, *a, *a, *a]\nm: {z}\n");
        assert_eq!(2 + 5 * s.len() + 2 + 1 + 4, MAX_TEXT_BYTES);
        assert!(!over(&at_scalar("zzzz")));
        assert!(over(&at_scalar("zzzzz")));
    }

    /// The node budget (at least MIN_NODE_BUDGET) is exact when its last node is a scalar:
    /// map, key a, the anchored list of 1,537 items (1,538 nodes), key b, a list of twelve
    /// aliases of it, and c: z make 20,000 nodes; one more key is one node too many.
    #[test]
    fn the_node_budget_is_exact_at_a_scalar() {
        let items = ["y"; 1537].join(", ");
        let aliases = ["*x"; 12].join(", ");
        let doc = format!("a: &x [{items}]\nb: [{aliases}]\nc: z\n");
        assert!(doc.len() < super::MIN_NODE_BUDGET);
        assert_eq!(1 + 1 + 1538 + 1 + 1 + 12 * 1538 + 2, super::MIN_NODE_BUDGET);
        assert!(parse(&doc, Origin::File).is_ok());
        let err = parse(&format!("{doc}d: w\n"), Origin::File).unwrap_err();
        assert!(err.message.contains("20000 nodes"), "{}", err.message);
    }

    /// The same at a collection, with aliases of a mapping (1 + 2 nodes per entry): map, key a,
    /// the anchored mapping of 384 entries (769 nodes), key b, 25 aliases of it, key c and an
    /// empty list make 20,000 nodes; a list inside that list is one too many.
    #[test]
    fn the_node_budget_is_exact_at_a_collection_and_counts_mappings_whole() {
        let entries: Vec<String> = (0..384).map(|i| format!("k{i}: v")).collect();
        let aliases = ["*x"; 25].join(", ");
        let doc = |last: &str| {
            format!(
                "a: &x {{{}}}\nb: [{aliases}]\nc: {last}\n",
                entries.join(", ")
            )
        };
        assert_eq!(
            1 + 1 + 769 + 1 + 1 + 25 * 769 + 1 + 1,
            super::MIN_NODE_BUDGET
        );
        assert!(parse(&doc("[]"), Origin::File).is_ok());
        let err = parse(&doc("[[]]"), Origin::File).unwrap_err();
        assert!(err.message.contains("20000 nodes"), "{}", err.message);
    }

    /// What an alias costs: every node of its anchor (each key counted with its value) and every
    /// byte of its scalars, keys included.
    #[test]
    fn an_anchor_is_counted_in_nodes_and_text_bytes() {
        let node = parse("[[a, bb], {k: v, kk: [w]}]\n", Origin::File).unwrap();
        // seq, seq a bb, map k v kk seq w
        assert_eq!(super::count(&node), 10);
        // a bb k v kk w
        assert_eq!(super::text_len(&node), 8);
    }

    /// Only the core schema's `!!str` tag is read (as text); any other tag is refused.
    #[test]
    fn only_the_str_tag_is_accepted() {
        assert!(parse("k: !!str 2015\n", Origin::File).is_ok());
        let err = parse("k: !!int 5\n", Origin::File).unwrap_err();
        assert!(
            err.message
                .contains("YAML tag `tag:yaml.org,2002:int` is not supported"),
            "{}",
            err.message
        );
        assert!(parse("k: !str 5\n", Origin::File).is_err());
    }

    /// The YAML 1.2 core schema's tag resolution, form by form (what `organization: .inf` or
    /// `keep_last: 0x10` means decides whether it is refused or read as a number).
    #[test]
    fn plain_scalars_resolve_as_the_core_schema_says() {
        let null = ["", "~", "null", "Null", "NULL"];
        let bools = [
            ("true", true),
            ("True", true),
            ("TRUE", true),
            ("false", false),
        ];
        let bools = bools.iter().chain(&[("False", false), ("FALSE", false)]);
        let ints = [
            ("0", 0),
            ("-12", -12),
            ("+7", 7),
            ("0x1F", 31),
            ("0o17", 15),
            ("007", 7),
        ];
        let floats = [
            (".5", 0.5),
            ("1.", 1.0),
            ("-1.5", -1.5),
            ("1e3", 1000.0),
            ("1.5E-3", 0.0015),
            ("+2.5e+2", 250.0),
            (".inf", f64::INFINITY),
            ("+.Inf", f64::INFINITY),
            (".INF", f64::INFINITY),
            ("-.inf", f64::NEG_INFINITY),
            ("-.INF", f64::NEG_INFINITY),
        ];
        let strings = [
            "nul", "yes", "on", "0x", "0xg", "0o8", "0b1", "1_000", "1e", "e3", ".", "-.", "a.5",
            "1.a", "1.5.2", "1e3.5", ".e3", "inf", "nan", "1,5", "sfb2015",
        ];
        for t in null {
            assert_eq!(resolve_plain(t), Plain::Null, "{t:?}");
        }
        for &(t, b) in bools {
            assert_eq!(resolve_plain(t), Plain::Bool(b), "{t:?}");
        }
        for (t, i) in ints {
            assert_eq!(resolve_plain(t), Plain::Int(i), "{t:?}");
        }
        for (t, f) in floats {
            assert_eq!(resolve_plain(t), Plain::Float(f), "{t:?}");
        }
        for t in [".nan", ".NaN", ".NAN"] {
            assert!(
                matches!(resolve_plain(t), Plain::Float(f) if f.is_nan()),
                "{t:?}"
            );
        }
        for t in strings {
            assert_eq!(resolve_plain(t), Plain::Str, "{t:?}");
        }
    }
}
