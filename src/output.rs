//! The file-system edge: the lock file, atomic writes, `check` against OUT and `diff` of two
//! renders. Everything before this works in memory.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use similar::TextDiff;

use crate::load::{sha256_hex, Loaded};
use crate::render::{pool_files, Artifacts};
use crate::validate::is_pool_id;

pub const LOCK_FILE: &str = "abc-failover.lock.json";

#[derive(Debug, thiserror::Error)]
pub enum OutputError {
    #[error("{path}: {reason}")]
    Io { path: String, reason: String },
    #[error("{path}: the lock file is not valid ({reason}); remove it and render again")]
    BadLock { path: String, reason: String },
    #[error("{path}: is a symbolic link or junction; abc-failover writes and removes files only in real folders under OUT: replace the link with a folder")]
    Link { path: String },
    #[error("{path}: is not a folder; give -o a folder (it is created when missing)")]
    NotAFolder { path: String },
}

fn io_err(path: &Path, e: std::io::Error) -> OutputError {
    OutputError::Io {
        path: path.display().to_string(),
        reason: e.to_string(),
    }
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct LockTopology {
    // Fields in sorted order: artifacts.md asks for sorted keys, and serde_json writes struct
    // fields in declaration order.
    pub file: String,
    /// `--set` overrides applied, in order.
    pub overrides: Vec<String>,
    pub sha256: String,
}

/// `OUT/abc-failover.lock.json`: what the tool generated.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Lock {
    pub files: BTreeMap<String, String>,
    pub generator: String,
    pub topology: LockTopology,
    pub version: String,
}

impl Lock {
    pub fn to_bytes(&self) -> Vec<u8> {
        // Keys come out in field declaration order (serde_json's `preserve_order` is on through
        // a dependency, so nothing sorts them). `Lock` is declared sorted; `LockTopology` is not
        // (`overrides` follows `sha256`), and reordering it changes every committed lock file.
        let mut s = serde_json::to_string_pretty(self).expect("lock serializes");
        s.push('\n');
        s.into_bytes()
    }
}

/// Whether `rel` is a path this tool can have generated: `<pool id>/<generated file>`.
/// Anything else named in a lock file is never deleted or read.
pub fn is_generated_path(rel: &str) -> bool {
    let Some((dir, _)) = rel.split_once('/') else {
        return false;
    };
    is_pool_id(dir) && pool_files(dir).iter().any(|f| f == rel)
}

/// The artifacts plus the lock file that describes them.
pub fn with_lock(mut artifacts: Artifacts, loaded: &Loaded, sets: &[String]) -> Artifacts {
    let lock = Lock {
        files: artifacts
            .iter()
            .map(|(p, b)| (p.clone(), sha256_hex(b)))
            .collect(),
        generator: "abc-failover".into(),
        topology: LockTopology {
            file: loaded.source_name.clone(),
            sha256: loaded.source_sha256.clone(),
            overrides: sets.to_vec(),
        },
        version: env!("CARGO_PKG_VERSION").into(),
    };
    artifacts.insert(LOCK_FILE.to_string(), lock.to_bytes());
    artifacts
}

fn read_lock(out: &Path) -> Result<Option<Lock>, OutputError> {
    let path = out.join(LOCK_FILE);
    match std::fs::read(&path) {
        Ok(bytes) => serde_json::from_slice(&bytes)
            .map(Some)
            .map_err(|e| OutputError::BadLock {
                path: path.display().to_string(),
                reason: e.to_string(),
            }),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(io_err(&path, e)),
    }
}

fn read_if_exists(path: &Path) -> Result<Option<Vec<u8>>, OutputError> {
    match std::fs::read(path) {
        Ok(b) => Ok(Some(b)),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(io_err(path, e)),
    }
}

fn target(out: &Path, rel: &str) -> PathBuf {
    rel.split('/').fold(out.to_path_buf(), |p, c| p.join(c))
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Change {
    Created,
    Changed,
    Unchanged,
    Removed,
}

impl Change {
    pub fn word(self) -> &'static str {
        match self {
            Change::Created => "created",
            Change::Changed => "changed",
            Change::Unchanged => "unchanged",
            Change::Removed => "removed",
        }
    }
}

/// A temporary file next to `path`, created new (never opening an existing file or following a
/// link planted under the name).
fn create_temp(dir: &Path, name: &str) -> std::io::Result<(PathBuf, std::fs::File)> {
    for n in 0..100 {
        let tmp = dir.join(format!(".{name}.tmp-{}-{n}", std::process::id()));
        match std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&tmp)
        {
            Ok(f) => return Ok((tmp, f)),
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => continue,
            Err(e) => return Err(e),
        }
    }
    Err(std::io::Error::new(
        std::io::ErrorKind::AlreadyExists,
        "no free temporary file name (remove the .*.tmp-* files left by an interrupted run)",
    ))
}

/// Write `bytes` to `path` through a temporary file in the same folder and a rename; the
/// temporary file is removed when anything fails.
fn write_atomic(path: &Path, bytes: &[u8]) -> Result<(), OutputError> {
    let dir = path.parent().unwrap_or(Path::new(""));
    std::fs::create_dir_all(dir).map_err(|e| io_err(dir, e))?;
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let (tmp, mut f) = create_temp(dir, &name).map_err(|e| io_err(path, e))?;
    let result = (|| {
        use std::io::Write;
        f.write_all(bytes)?;
        f.sync_all()?;
        drop(f);
        std::fs::rename(&tmp, path)
    })();
    if let Err(e) = result {
        let _ = std::fs::remove_file(&tmp);
        return Err(io_err(path, e));
    }
    Ok(())
}

/// Files written at the same time: each write waits mostly for its own `fsync`, and the file
/// system commits concurrent ones together, so a render of 1,000 pools costs about one `sync`
/// instead of 2,000 (bench/run.sh).
const WRITERS: usize = 16;

/// [`write_atomic`] for each of `rels`, spread over [`WRITERS`] threads; the first error (in
/// `rels` order) is returned once every thread has stopped.
fn write_files(out: &Path, rels: &[String], artifacts: &Artifacts) -> Result<(), OutputError> {
    let chunk = rels.len().div_ceil(WRITERS).max(1);
    std::thread::scope(|scope| {
        let workers: Vec<_> = rels
            .chunks(chunk)
            .map(|part| {
                scope.spawn(move || {
                    part.iter()
                        .try_for_each(|rel| write_atomic(&target(out, rel), &artifacts[rel]))
                })
            })
            .collect();
        // Threads not joined here are joined when the scope ends.
        workers
            .into_iter()
            .try_for_each(|w| w.join().unwrap_or_else(|p| std::panic::resume_unwind(p)))
    })
}

/// Refuse a folder under `out` on the way to `rel` that is a symbolic link (or, on Windows, a
/// junction): writing or removing through it would reach files outside OUT.
fn refuse_links(out: &Path, rel: &str) -> Result<(), OutputError> {
    let mut dir = out.to_path_buf();
    let mut parts: Vec<&str> = rel.split('/').collect();
    parts.pop();
    for part in parts {
        dir.push(part);
        match std::fs::symlink_metadata(&dir) {
            Ok(m) if m.file_type().is_symlink() => {
                return Err(OutputError::Link {
                    path: dir.display().to_string(),
                })
            }
            Ok(_) => {}
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(()),
            Err(e) => return Err(io_err(&dir, e)),
        }
    }
    Ok(())
}

/// Write `artifacts` (lock included) under `out`. Returns each file with what happened to it.
///
/// Everything is read and checked before the first write, so a read error or a link under OUT
/// changes nothing. The lock file is written last: until then the previous lock still lists
/// every file an interrupted run leaves behind, and the next render removes them.
pub fn write(out: &Path, artifacts: &Artifacts) -> Result<Vec<(String, Change)>, OutputError> {
    if out.exists() && !out.is_dir() {
        return Err(OutputError::NotAFolder {
            path: out.display().to_string(),
        });
    }
    let previous = read_lock(out)?;
    let mut report = Vec::new();
    for (rel, bytes) in artifacts {
        refuse_links(out, rel)?;
        let change = match read_if_exists(&target(out, rel))? {
            Some(old) if old == *bytes => Change::Unchanged,
            Some(_) => Change::Changed,
            None => Change::Created,
        };
        report.push((rel.clone(), change));
    }
    let stale: Vec<String> = previous
        .into_iter()
        .flat_map(|l| l.files.into_keys())
        .filter(|rel| !artifacts.contains_key(rel) && is_generated_path(rel))
        .collect();
    for rel in &stale {
        refuse_links(out, rel)?;
    }

    let (file_writes, lock_writes) = write_rounds(&report);
    write_files(out, &file_writes, artifacts)?;
    for rel in stale {
        let path = target(out, &rel);
        match std::fs::remove_file(&path) {
            Ok(()) => {
                report.push((rel, Change::Removed));
                if let Some(dir) = path.parent() {
                    // Only succeeds when the pool folder is now empty.
                    let _ = std::fs::remove_dir(dir);
                }
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => return Err(io_err(&path, e)),
        }
    }
    for rel in &lock_writes {
        write_atomic(&target(out, rel), &artifacts[rel])?;
    }
    report.sort_by(|a, b| a.0.cmp(&b.0));
    Ok(report)
}

/// What `write` writes, in two rounds: every changed file but the lock, then the lock.
fn write_rounds(report: &[(String, Change)]) -> (Vec<String>, Vec<String>) {
    report
        .iter()
        .filter(|(_, change)| *change != Change::Unchanged)
        .map(|(rel, _)| rel.clone())
        .partition(|rel| rel != LOCK_FILE)
}

/// Text of a generated file for display in a diff: BOM dropped, CRLF as LF.
fn display_text(bytes: &[u8]) -> String {
    let s = String::from_utf8_lossy(bytes);
    let s = s.strip_prefix('\u{FEFF}').unwrap_or(&s);
    // A hand-edited file may hold terminal escape sequences: show them, do not run them.
    s.replace("\r\n", "\n")
        .chars()
        .map(|c| {
            if c.is_control() && c != '\n' && c != '\t' {
                '\u{FFFD}'
            } else {
                c
            }
        })
        .collect()
}

/// One file's unified diff and its line counts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileDiff {
    pub text: String,
    pub added_lines: usize,
    pub removed_lines: usize,
}

/// A unified diff of two versions of `rel`; `None` when they are byte-identical.
pub fn unified(
    rel: &str,
    old: Option<&[u8]>,
    new: Option<&[u8]>,
    old_label: &str,
    new_label: &str,
) -> Option<FileDiff> {
    if old == new {
        return None;
    }
    let (a, b) = (
        old.map(display_text).unwrap_or_default(),
        new.map(display_text).unwrap_or_default(),
    );
    let mut out = String::new();
    if a == b {
        let _ = writeln!(out, "--- {old_label}/{rel}\n+++ {new_label}/{rel}\n(the files differ only in byte order mark or line endings)");
        return Some(FileDiff {
            text: out,
            added_lines: 0,
            removed_lines: 0,
        });
    }
    let diff = TextDiff::configure()
        .algorithm(similar::Algorithm::Patience)
        .diff_lines(&a, &b);
    let header_old = if old.is_some() {
        format!("{old_label}/{rel}")
    } else {
        "/dev/null".into()
    };
    let header_new = if new.is_some() {
        format!("{new_label}/{rel}")
    } else {
        "/dev/null".into()
    };
    let _ = write!(
        out,
        "{}",
        diff.unified_diff()
            .context_radius(3)
            .header(&header_old, &header_new)
    );
    if !out.ends_with('\n') {
        out.push('\n');
    }
    // Counted from the diff itself, not from its text: a changed line that starts with `--` or
    // `++` (a Markdown rule `---`) prints as `---`/`+++` and would pass for a header.
    let count = |tag| diff.iter_all_changes().filter(|c| c.tag() == tag).count();
    Some(FileDiff {
        text: out,
        added_lines: count(similar::ChangeTag::Insert),
        removed_lines: count(similar::ChangeTag::Delete),
    })
}

/// For a generated page `ID/restore-checklist-ID.html`: its Markdown runbook, which it is made
/// from.
fn page_markdown(rel: &str) -> Option<String> {
    let (dir, _) = rel.split_once('/')?;
    let [_, md, page] = pool_files(dir);
    (page == rel && is_generated_path(rel)).then_some(md)
}

/// The one line that stands for a page's diff when the page changed only because its Markdown
/// did: the Markdown differs and both versions of the page are exactly what
/// [`crate::html::page`] makes from their Markdown (a hand edit of the page still gets its diff).
fn page_follows_markdown(
    rel: &str,
    md: &str,
    old_page: &[u8],
    new_page: &[u8],
    old_md: Option<&[u8]>,
    new_md: Option<&[u8]>,
) -> Option<String> {
    let (old_md, new_md) = (old_md?, new_md?);
    let id = rel.split('/').next()?;
    (old_md != new_md
        && crate::html::page(id, old_md) == old_page
        && crate::html::page(id, new_md) == new_page)
        .then(|| format!("{rel}: changed only because {md} changed (the page is made from it); no second diff\n"))
}

/// What `check` can find wrong with one file under OUT.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum FindingKind {
    /// This render produces it; OUT does not have it.
    Missing,
    /// OUT has other bytes.
    Changed,
    /// Its SHA-256 differs from the one the lock file records (always with a `Changed`).
    HandEdited,
    /// The lock file lists it; this topology no longer produces it.
    Extra,
}

/// One problem `check` found, with the unified diff for a changed file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Finding {
    pub kind: FindingKind,
    /// Relative to OUT, with `/`.
    pub path: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub diff: Option<String>,
}

impl Finding {
    /// The report line: `missing: p`, `changed: p`, `extra: p (...)`, `hand-edited: p (...)`.
    pub fn line(&self) -> String {
        let p = &self.path;
        match self.kind {
            FindingKind::Missing => format!("missing: {p}"),
            FindingKind::Changed => format!("changed: {p}"),
            FindingKind::HandEdited => {
                format!("hand-edited: {p} (its SHA-256 differs from the one the lock file records)")
            }
            FindingKind::Extra => {
                format!("extra: {p} (a generated file this topology no longer produces)")
            }
        }
    }
}

/// What `check` found.
#[derive(Debug, Default)]
pub struct CheckReport {
    /// In path order; a hand-edited file has a `HandEdited` and then a `Changed` finding.
    pub findings: Vec<Finding>,
    /// Remarks that are not findings (files `render` leaves alone).
    pub notes: Vec<String>,
}

impl CheckReport {
    pub fn is_clean(&self) -> bool {
        self.findings.is_empty()
    }

    /// Unified diffs of changed files.
    pub fn diffs(&self) -> impl Iterator<Item = &str> {
        self.findings.iter().filter_map(|f| f.diff.as_deref())
    }
}

/// Compare `artifacts` (lock included) with what is under `out`.
pub fn check(out: &Path, artifacts: &Artifacts) -> Result<CheckReport, OutputError> {
    let mut report = CheckReport::default();
    let lock = read_lock(out).ok().flatten();
    for (rel, bytes) in artifacts {
        let path = target(out, rel);
        let finding = |kind, diff| Finding {
            kind,
            path: rel.clone(),
            diff,
        };
        match read_if_exists(&path)? {
            None => report.findings.push(finding(FindingKind::Missing, None)),
            Some(old) if old == *bytes => {}
            Some(old) => {
                if let Some(recorded) = lock.as_ref().and_then(|l| l.files.get(rel)) {
                    if *recorded != sha256_hex(&old) {
                        report.findings.push(finding(FindingKind::HandEdited, None));
                    }
                }
                let follows = match page_markdown(rel) {
                    Some(md) => {
                        let old_md = read_if_exists(&target(out, &md))?;
                        let new_md = artifacts.get(&md);
                        page_follows_markdown(
                            rel,
                            &md,
                            &old,
                            bytes,
                            old_md.as_deref(),
                            new_md.map(Vec::as_slice),
                        )
                    }
                    None => None,
                };
                let diff = follows
                    .or_else(|| unified(rel, Some(&old), Some(bytes), "a", "b").map(|d| d.text));
                report.findings.push(finding(FindingKind::Changed, diff));
            }
        }
    }
    // "extra" is what the lock lists and this render no longer produces: exactly what `render`
    // removes, so `render` then `check` always agrees. A generated-looking file the lock does
    // not list is never removed by `render`; it is only pointed out.
    let listed: Vec<String> = lock
        .map(|l| l.files.into_keys().collect())
        .unwrap_or_default();
    for rel in &listed {
        if !artifacts.contains_key(rel) && is_generated_path(rel) && target(out, rel).exists() {
            report.findings.push(Finding {
                kind: FindingKind::Extra,
                path: rel.clone(),
                diff: None,
            });
        }
    }
    for rel in generated_files_on_disk(out)? {
        if !artifacts.contains_key(&rel) && !listed.contains(&rel) {
            report.notes.push(format!(
                "note: {rel} looks generated, but the lock file does not list it: render never removes it; delete it by hand if it is stale"
            ));
        }
    }
    Ok(report)
}

/// Files under `out` whose path has the shape of a generated file (`<id>/backup-<id>.ps1`, ...),
/// sorted.
fn generated_files_on_disk(out: &Path) -> Result<Vec<String>, OutputError> {
    let mut found = Vec::new();
    let entries = match std::fs::read_dir(out) {
        Ok(e) => e,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(found),
        Err(e) => return Err(io_err(out, e)),
    };
    for entry in entries {
        let entry = entry.map_err(|e| io_err(out, e))?;
        if !entry
            .file_type()
            .map_err(|e| io_err(&entry.path(), e))?
            .is_dir()
        {
            continue;
        }
        let dir = entry.file_name().to_string_lossy().into_owned();
        for rel in pool_files(&dir) {
            if is_generated_path(&rel) && target(out, &rel).is_file() {
                found.push(rel);
            }
        }
    }
    found.sort();
    Ok(found)
}

/// Per-pool counts for `diff`.
#[derive(Debug, Default, Clone)]
pub struct PoolStat {
    pub files_changed: usize,
    pub added_lines: usize,
    pub removed_lines: usize,
}

/// Diff two renders (lock files excluded). Returns the diffs in path order and a summary per pool.
pub fn diff(old: &Artifacts, new: &Artifacts) -> (Vec<String>, BTreeMap<String, PoolStat>) {
    let mut paths: Vec<&String> = old
        .keys()
        .chain(new.keys())
        .filter(|p| p.as_str() != LOCK_FILE)
        .collect();
    paths.sort();
    paths.dedup();
    let mut diffs = Vec::new();
    let mut stats: BTreeMap<String, PoolStat> = BTreeMap::new();
    for rel in paths {
        let (o, n) = (
            old.get(rel).map(Vec::as_slice),
            new.get(rel).map(Vec::as_slice),
        );
        let pool = rel.split('/').next().unwrap_or(rel).to_string();
        if let (Some(o), Some(n), Some(md)) = (o, n, page_markdown(rel)) {
            let (old_md, new_md) = (old.get(&md), new.get(&md));
            if let Some(line) = page_follows_markdown(
                rel,
                &md,
                o,
                n,
                old_md.map(Vec::as_slice),
                new_md.map(Vec::as_slice),
            ) {
                stats.entry(pool).or_default().files_changed += 1;
                diffs.push(line);
                continue;
            }
        }
        let Some(d) = unified(rel, o, n, "old", "new") else {
            stats.entry(pool).or_default();
            continue;
        };
        let st = stats.entry(pool).or_default();
        st.files_changed += 1;
        st.added_lines += d.added_lines;
        st.removed_lines += d.removed_lines;
        diffs.push(d.text);
    }
    (diffs, stats)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_generated_shapes_count_as_generated() {
        assert!(is_generated_path("dc1/backup-dc1.ps1"));
        assert!(is_generated_path("dc1/restore-checklist-dc1.md"));
        assert!(is_generated_path("dc1/restore-checklist-dc1.html"));
        for bad in [
            "dc1/backup-dc2.ps1",
            "../dc1/backup-dc1.ps1",
            "dc1/../backup-dc1.ps1",
            "/etc/backup-etc.ps1",
            "abc-failover.lock.json",
            "DC1/backup-DC1.ps1",
            "dc1/notes.txt",
            "a/b/backup-b.ps1",
            "con/backup-con.ps1",
            "",
        ] {
            assert!(!is_generated_path(bad), "{bad}");
        }
    }

    #[test]
    fn only_a_generated_page_has_a_markdown_runbook() {
        assert_eq!(
            page_markdown("p/restore-checklist-p.html").as_deref(),
            Some("p/restore-checklist-p.md")
        );
        for other in [
            "p/backup-p.ps1",
            "p/restore-checklist-p.md",
            "p/restore-checklist-q.html",
            "../restore-checklist-...html",
            "P/restore-checklist-P.html",
        ] {
            assert_eq!(page_markdown(other), None, "{other}");
        }
    }

    #[test]
    fn the_lock_is_written_in_the_last_round_and_unchanged_files_not_at_all() {
        let report = [
            (LOCK_FILE.to_string(), Change::Changed),
            ("a/backup-a.ps1".to_string(), Change::Created),
            ("a/restore-checklist-a.md".to_string(), Change::Unchanged),
            ("b/backup-b.ps1".to_string(), Change::Changed),
        ];
        let (files, lock) = write_rounds(&report);
        assert_eq!(files, ["a/backup-a.ps1", "b/backup-b.ps1"]);
        assert_eq!(lock, [LOCK_FILE]);
    }

    /// Only a name that is taken moves on to the next one; any other error is returned as it
    /// is, not after 100 tries as 'no free temporary file name'.
    #[test]
    fn a_temporary_file_skips_taken_names_and_reports_other_errors() {
        let dir = tempfile::tempdir().unwrap();
        let taken = dir.path().join(format!(".f.tmp-{}-0", std::process::id()));
        std::fs::write(&taken, "").unwrap();
        let (tmp, _) = create_temp(dir.path(), "f").unwrap();
        assert_eq!(
            tmp.file_name().unwrap().to_string_lossy(),
            format!(".f.tmp-{}-1", std::process::id())
        );
        let err = create_temp(&dir.path().join("missing"), "f").unwrap_err();
        assert_eq!(err.kind(), std::io::ErrorKind::NotFound, "{err}");
    }

    #[test]
    fn diffs_show_control_characters_instead_of_sending_them() {
        let d = unified("x.md", Some(b"a\n"), Some(b"a\x1b[2J\x07\n"), "a", "b")
            .unwrap()
            .text;
        assert!(!d.contains('\u{1b}') && !d.contains('\u{7}'), "{d:?}");
        assert!(d.contains("+a\u{FFFD}[2J\u{FFFD}"), "{d:?}");
    }

    #[test]
    fn unified_diff_marks_line_ending_only_changes() {
        let d = unified(
            "x.ps1",
            Some(b"\xEF\xBB\xBFa\r\nb\r\n"),
            Some(b"a\nb\n"),
            "a",
            "b",
        )
        .unwrap()
        .text;
        assert!(
            d.contains("differ only in byte order mark or line endings"),
            "{d}"
        );
        assert!(unified("x", Some(b"same"), Some(b"same"), "a", "b").is_none());
        // Exactly one newline at the end, with or without one at the end of the files.
        for (a, b) in [(&b"a\n"[..], &b"b\n"[..]), (b"a", b"b")] {
            let d = unified("x.md", Some(a), Some(b), "a", "b").unwrap().text;
            assert!(d.ends_with('\n') && !d.ends_with("\n\n"), "{d:?}");
        }
        let d = unified("x.md", None, Some(b"new\n"), "old", "new")
            .unwrap()
            .text;
        assert!(d.contains("--- /dev/null") && d.contains("+new"), "{d}");
    }

    #[test]
    fn diff_counts_lines_that_look_like_headers() {
        let old: Artifacts = [("p/x.md".to_string(), b"a\n---\n++ b\n".to_vec())].into();
        let new: Artifacts = [("p/x.md".to_string(), b"a\n--\n+++ c\nd\n".to_vec())].into();
        let (diffs, stats) = diff(&old, &new);
        assert_eq!(diffs.len(), 1);
        let st = &stats["p"];
        assert_eq!((st.added_lines, st.removed_lines), (3, 2), "{}", diffs[0]);
    }

    #[test]
    fn a_page_that_only_follows_its_markdown_is_one_line() {
        let (md_a, md_b) = (b"# t\n\n- [ ] a\n".to_vec(), b"# t\n\n- [ ] b\n".to_vec());
        let page = |md: &[u8]| crate::html::page("p", md);
        let old: Artifacts = [
            ("p/restore-checklist-p.md".to_string(), md_a.clone()),
            ("p/restore-checklist-p.html".to_string(), page(&md_a)),
        ]
        .into();
        let new: Artifacts = [
            ("p/restore-checklist-p.md".to_string(), md_b.clone()),
            ("p/restore-checklist-p.html".to_string(), page(&md_b)),
        ]
        .into();
        let (diffs, stats) = diff(&old, &new);
        assert_eq!(diffs.len(), 2, "{diffs:?}");
        assert!(
            diffs[0].starts_with(
                "p/restore-checklist-p.html: changed only because p/restore-checklist-p.md changed"
            ),
            "{}",
            diffs[0]
        );
        assert_eq!(diffs[0].lines().count(), 1);
        assert!(
            diffs[1].starts_with("--- old/p/restore-checklist-p.md"),
            "{}",
            diffs[1]
        );
        assert_eq!(stats["p"].files_changed, 2);

        // A page edited by hand keeps its full diff.
        let mut edited = old.clone();
        let mut bytes = page(&md_a);
        bytes.extend_from_slice(b"<!-- edited -->\n");
        edited.insert("p/restore-checklist-p.html".to_string(), bytes);
        let (diffs, _) = diff(&edited, &new);
        assert!(
            diffs[0].starts_with("--- old/p/restore-checklist-p.html"),
            "{}",
            diffs[0]
        );
    }
}
