//! From a topology file (plus `--set` overrides) to a validated topology or the full list of
//! located problems.

use std::io::Read as _;
use std::path::Path;

use sha2::{Digest, Sha256};

use crate::de::from_node;
use crate::diagnostic::{Diagnostic, Origin, Pos, Problem};
use crate::model::{default_pool_id, Topology};
use crate::validate::validate;
use crate::yaml::{self, Entry, Kind, Node};

/// Largest topology file accepted.
pub const MAX_FILE_BYTES: u64 = 1024 * 1024;

/// A topology that passed every check, with what the outputs need to know about its source.
#[derive(Debug, Clone)]
pub struct Loaded {
    pub topology: Topology,
    /// The file name without folders (what generated headers and the lock file name).
    pub source_name: String,
    /// SHA-256 of the file's bytes, lower-case hex.
    pub source_sha256: String,
    pub warnings: Vec<Diagnostic>,
}

#[derive(Debug, thiserror::Error)]
pub enum LoadError {
    /// The file could not be read at all (exit 2).
    #[error("{path}: error: cannot read the topology file: {reason}")]
    Unreadable { path: String, reason: String },
    /// The topology has problems (exit 1); warnings are included.
    #[error("the topology has {} problem(s)", .0.iter().filter(|d| d.is_error()).count())]
    Invalid(Vec<Diagnostic>),
}

pub fn sha256_hex(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// Why [`read_capped`] gave no bytes.
#[derive(Debug)]
pub enum CappedRead {
    /// A folder, or an I/O error (its text).
    Unreadable(String),
    /// Longer than the cap; the length when the file system knew it in advance.
    TooLarge(Option<u64>),
}

/// The bytes of the file at `path`, at most `max`. Bounded even when the length is not known in
/// advance: a device or pipe (`/dev/zero`, a FIFO) reports length 0 but may never end.
pub fn read_capped(path: &Path, max: u64) -> Result<Vec<u8>, CappedRead> {
    let unreadable = |e: std::io::Error| CappedRead::Unreadable(e.to_string());
    let meta = std::fs::metadata(path).map_err(unreadable)?;
    if meta.is_dir() {
        return Err(CappedRead::Unreadable("it is a folder".into()));
    }
    if meta.len() > max {
        return Err(CappedRead::TooLarge(Some(meta.len())));
    }
    let mut bytes = Vec::new();
    std::fs::File::open(path)
        .and_then(|f| f.take(max + 1).read_to_end(&mut bytes))
        .map_err(unreadable)?;
    if bytes.len() as u64 > max {
        return Err(CappedRead::TooLarge(None));
    }
    Ok(bytes)
}

/// Read and check the topology file at `path`, applying `sets` (`PATH=VALUE`) before validation.
pub fn load_file(path: &Path, sets: &[String]) -> Result<Loaded, LoadError> {
    load_file_as(path, None, sets)
}

/// [`load_file`], with `name` (when given) instead of the file's own name in generated headers.
pub fn load_file_as(path: &Path, name: Option<&str>, sets: &[String]) -> Result<Loaded, LoadError> {
    let shown = path.display().to_string();
    let unreadable = |reason: String| LoadError::Unreadable {
        path: shown.clone(),
        reason,
    };
    let bytes = match read_capped(path, MAX_FILE_BYTES) {
        Ok(bytes) => bytes,
        Err(CappedRead::Unreadable(reason)) => return Err(unreadable(reason)),
        Err(CappedRead::TooLarge(len)) => {
            let size = match len {
                Some(n) => format!("the file is {n} bytes"),
                None => "the file holds more than 1 MiB".to_string(),
            };
            let d = Problem::error(None, format!("{size}; a topology file is at most 1 MiB"));
            return Err(LoadError::Invalid(vec![d.locate(&shown, sets)]));
        }
    };
    let name = match name {
        Some(n) => n.to_string(),
        None => file_name(path).unwrap_or_else(|| shown.clone()),
    };
    load_bytes(&shown, &name, &bytes, sets)
}

/// The last component of `path`, as generated headers name a topology file.
pub fn file_name(path: &Path) -> Option<String> {
    path.file_name().map(|n| n.to_string_lossy().into_owned())
}

/// Check topology `bytes`; `shown` names the file in messages, `name` in generated headers.
pub fn load_bytes(
    shown: &str,
    name: &str,
    bytes: &[u8],
    sets: &[String],
) -> Result<Loaded, LoadError> {
    let fail = |p: Problem| LoadError::Invalid(vec![p.locate(shown, sets)]);
    if bytes.len() as u64 > MAX_FILE_BYTES {
        return Err(fail(Problem::error(
            None,
            format!(
                "the file is {} bytes; a topology file is at most 1 MiB",
                bytes.len()
            ),
        )));
    }
    let text = std::str::from_utf8(bytes).map_err(|e| {
        // Valid up to here; a byte order mark is not a column in any editor.
        let good = std::str::from_utf8(&bytes[..e.valid_up_to()]).unwrap_or_default();
        let (line, col) = yaml::end_of(good.strip_prefix('\u{FEFF}').unwrap_or(good));
        fail(
            Problem::error(
                Some(Pos::file(line, col)),
                format!(
                    "the file is not valid UTF-8 (byte 0x{:02X} at offset {})",
                    bytes[e.valid_up_to()],
                    e.valid_up_to()
                ),
            )
            .with_help("save the topology as UTF-8 (in Notepad: Save As, Encoding UTF-8)"),
        )
    })?;
    let text = text.strip_prefix('\u{FEFF}').unwrap_or(text);
    let fail = |p: Problem| LoadError::Invalid(vec![p.locate(shown, sets).with_source(text)]);
    let mut root = yaml::parse(text, Origin::File).map_err(fail)?;
    if !matches!(root.kind, Kind::Map(_)) {
        return Err(fail(Problem::error(
            Some(root.pos.clone()),
            format!(
                "the topology must be a mapping of keys to values, found {}",
                root.describe()
            ),
        )));
    }
    for (i, set) in sets.iter().enumerate() {
        apply_set(&mut root, i, set).map_err(fail)?;
    }
    let topology: Topology = from_node(&root).map_err(fail)?;
    let mut problems = validate(&topology, &root);
    // File order (then the --set arguments in order), so an operator can work top to bottom.
    problems.sort_by_key(|p| match &p.pos {
        Some(Pos {
            origin: Origin::File,
            line,
            col,
        }) => (0, *line, *col),
        Some(Pos {
            origin: Origin::Set(i),
            ..
        }) => (1, *i, 0),
        None => (2, 0, 0),
    });
    let diags: Vec<Diagnostic> = problems
        .into_iter()
        .map(|p| p.locate(shown, sets).with_source(text))
        .collect();
    if diags.iter().any(Diagnostic::is_error) {
        return Err(LoadError::Invalid(diags));
    }
    Ok(Loaded {
        topology,
        source_name: name.to_string(),
        source_sha256: sha256_hex(bytes),
        warnings: diags,
    })
}

/// Apply one `--set PATH=VALUE` to the tree. Pools are addressed by id: `pools.dc1.fqdn`.
fn apply_set(root: &mut Node, index: usize, set: &str) -> Result<(), Problem> {
    let here = Pos {
        origin: Origin::Set(index),
        line: 1,
        col: 1,
    };
    let err = |msg: String| Problem::error(Some(here.clone()), msg);
    let Some((path, value)) = set.split_once('=') else {
        return Err(err(format!("`{set}` is not PATH=VALUE"))
            .with_help("for example --set pools.dc1.replacement_pool.fqdn=pool-c.contoso.com"));
    };
    let segs: Vec<&str> = path.split('.').collect();
    if segs.iter().any(|s| s.is_empty()) {
        return Err(err(format!("`{path}` is not a dotted key path")));
    }
    let quote_help = format!("quote the value, for example --set '{path}=\"{value}\"'");
    let value_node = match yaml::parse_stream(value, Origin::Set(index))? {
        None if value.trim().is_empty() => Node {
            kind: Kind::Scalar {
                text: String::new(),
                plain: true,
            },
            pos: here.clone(),
        },
        None => {
            return Err(err(format!(
                "the value `{value}` reads as nothing in YAML (`#` starts a comment)"
            ))
            .with_help(quote_help))
        }
        Some(n) if matches!(n.kind, Kind::Scalar { .. }) => n,
        Some(n) => {
            return Err(err(format!(
                "the value of --set must be a single YAML scalar, but `{value}` reads as {}",
                n.describe()
            ))
            .with_help(quote_help))
        }
    };
    set_at(root, &segs, 0, value_node, &err)
}

fn set_at(
    node: &mut Node,
    segs: &[&str],
    i: usize,
    value: Node,
    err: &dyn Fn(String) -> Problem,
) -> Result<(), Problem> {
    let seg = segs[i];
    let last = i + 1 == segs.len();
    // An empty value (`replacement_pool:` with nothing after it) can receive keys. (The root is
    // never one: load refuses a topology that is not a mapping before any --set.)
    if matches!(&node.kind, Kind::Scalar { text, plain: true } if yaml::resolve_plain(text) == yaml::Plain::Null)
    {
        node.kind = Kind::Map(Vec::new());
    }
    match &mut node.kind {
        Kind::Seq(_) if segs[..i] != ["pools"] => Err(err(format!(
            "`{}` is a list; --set addresses only pools (by id), not the items of other lists",
            segs[..i].join(".")
        ))
        .with_help("edit the file for changes inside lists")),
        Kind::Seq(items) => {
            // Only `pools` is a list that --set can address, by pool id.
            let Some(idx) = items
                .iter()
                .position(|p| pool_id_of(p).as_deref() == Some(seg))
            else {
                let ids: Vec<String> = items.iter().filter_map(pool_id_of).collect();
                return Err(err(format!("no pool with id `{seg}`"))
                    .with_help(format!("pool ids: {}", ids.join(", "))));
            };
            if last {
                return Err(err("--set changes one value, not a whole pool".into()));
            }
            set_at(&mut items[idx], segs, i + 1, value, err)
        }
        Kind::Map(entries) => {
            let idx = match entries.iter().position(|e| e.key == seg) {
                Some(idx) => idx,
                None => {
                    let pos = value.pos.clone();
                    entries.push(Entry {
                        key: seg.to_string(),
                        key_pos: pos.clone(),
                        value: Node {
                            kind: Kind::Map(Vec::new()),
                            pos,
                        },
                    });
                    entries.len() - 1
                }
            };
            if last {
                entries[idx].value = value;
                Ok(())
            } else {
                set_at(&mut entries[idx].value, segs, i + 1, value, err)
            }
        }
        Kind::Scalar { .. } => Err(err(format!(
            "`{}` is a single value, so it has no key `{seg}`",
            segs[..i].join(".")
        ))),
    }
}

fn pool_id_of(pool: &Node) -> Option<String> {
    if let Some(id) = pool.get("id").and_then(Node::scalar) {
        return Some(id.to_string());
    }
    pool.get("fqdn").and_then(Node::scalar).map(default_pool_id)
}
