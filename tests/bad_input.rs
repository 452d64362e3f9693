//! The real binary on bad topology files: exit code, `FILE:LINE:COL` of the offending value, the
//! message words, the `help:` line, and never a panic.

use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

use abc_failover::load::{load_bytes, LoadError};

/// A valid topology that produces no warning; the cases below change one thing in it.
const BASE: &str = r#"format: 1
product: sfb2015
organization: Litware Inc.
backup:
  root: 'E:\SfbBackup'
  copies:
    - '\\nas01.litwareinc.com\DR\Skype'
  sql_backup_path: '\\sql01.litwareinc.com\SqlBak'
pools:
  - id: se1
    fqdn: sfbse01.litwareinc.com
    edition: standard
    file_store: '\\sfbse01.litwareinc.com\SfbShare'
    backup_pool:
      fqdn: sfbse02.litwareinc.com
    services:
      response_groups: true
      call_park: true
    rgs_audio_sources:
      - 'D:\RGS Prompts'
"#;

struct Run {
    code: i32,
    stdout: String,
    stderr: String,
    elapsed: Duration,
    /// The file name as passed on the command line (what diagnostics start with).
    shown: String,
}

fn bin() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_abc-failover"));
    c.env("NO_COLOR", "1").env_remove("RUST_BACKTRACE");
    c
}

fn run_in(dir: &Path, args: &[&str]) -> (i32, String, String, Duration) {
    let start = Instant::now();
    let out = bin()
        .current_dir(dir)
        .args(args)
        .output()
        .expect("binary runs");
    let elapsed = start.elapsed();
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    let code = out.status.code().expect("exited, not killed by a signal");
    assert_ne!(code, 101, "panic exit code; stderr:\n{stderr}");
    assert!(!stderr.contains("panicked"), "panic; stderr:\n{stderr}");
    (
        code,
        String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr,
        elapsed,
    )
}

/// Write `bytes` as `topology.yaml` in a fresh temp dir and run `validate` on it with `extra`.
fn validate_bytes(bytes: &[u8], extra: &[&str]) -> Run {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("topology.yaml");
    std::fs::write(&path, bytes).expect("write topology");
    let shown = path.display().to_string();
    let mut args = vec!["validate", shown.as_str()];
    args.extend_from_slice(extra);
    let (code, stdout, stderr, elapsed) = run_in(dir.path(), &args);
    Run {
        code,
        stdout,
        stderr,
        elapsed,
        shown,
    }
}

fn validate_text(yaml: &str, extra: &[&str]) -> Run {
    validate_bytes(yaml.as_bytes(), extra)
}

/// `BASE` with the first occurrence of `from` replaced by `to` (which must exist).
fn base_with(from: &str, to: &str) -> String {
    assert!(BASE.contains(from), "BASE has no {from:?}");
    BASE.replacen(from, to, 1)
}

/// 1-based line and column (in characters) of the first occurrence of `needle` in `text`.
fn pos_of(text: &str, needle: &str) -> (usize, usize) {
    pos_of_nth(text, needle, 0)
}

fn pos_of_nth(text: &str, needle: &str, n: usize) -> (usize, usize) {
    let at = text
        .match_indices(needle)
        .nth(n)
        .unwrap_or_else(|| panic!("{needle:?} (#{n}) not in the text"))
        .0;
    let before = &text[..at];
    let line = 1 + before.matches('\n').count();
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    (line, 1 + before[line_start..].chars().count())
}

/// The diagnostic lines (`FILE:...: error: ...`) of a run, each with the line that follows.
fn errors(r: &Run) -> Vec<&str> {
    r.stderr
        .lines()
        .filter(|l| l.starts_with(&r.shown) && l.contains(": error: "))
        .collect()
}

/// Assert a located error at `line:col` whose message has every word of `words`, followed by a
/// `help:` line containing `help` when given.
fn assert_error_at(r: &Run, (line, col): (usize, usize), words: &[&str], help: Option<&str>) {
    let prefix = format!("{}:{line}:{col}: error: ", r.shown);
    let lines: Vec<&str> = r.stderr.lines().collect();
    let found = lines
        .iter()
        .enumerate()
        .find(|(_, l)| l.starts_with(&prefix) && words.iter().all(|w| l.contains(w)));
    let Some((i, _)) = found else {
        panic!(
            "no error at {line}:{col} with {words:?}; exit {}; stderr:\n{}",
            r.code, r.stderr
        );
    };
    if let Some(h) = help {
        // The source line and its caret (`  |`, `12 |   key: value`, `   |       ^^^^`) come first.
        let is_snippet = |l: &str| {
            let gutter = l
                .trim_start()
                .trim_start_matches(|c: char| c.is_ascii_digit());
            gutter.starts_with(" |") || gutter.starts_with('|')
        };
        let next = lines[i + 1..]
            .iter()
            .copied()
            .find(|l| !is_snippet(l))
            .unwrap_or("");
        assert!(
            next.starts_with("  help: ") && next.contains(h),
            "expected a help line with {h:?} after {:?}; stderr:\n{}",
            lines[i],
            r.stderr
        );
    }
}

fn assert_invalid_at(yaml: &str, pos: (usize, usize), words: &[&str], help: Option<&str>) -> Run {
    let r = validate_text(yaml, &[]);
    assert_eq!(r.code, 1, "exit code; stderr:\n{}", r.stderr);
    assert_error_at(&r, pos, words, help);
    r
}

// ---------------------------------------------------------------------------------------------
// The base itself, so every case below differs from a file that passes.

#[test]
fn base_is_valid_without_warnings() {
    let r = validate_text(BASE, &["--deny-warnings"]);
    assert_eq!(r.code, 0, "stderr:\n{}", r.stderr);
    assert!(r.stderr.contains("valid"), "{}", r.stderr);
}

// ---------------------------------------------------------------------------------------------
// YAML level

#[test]
fn yaml_syntax_error() {
    let y = base_with("product: sfb2015\n", "product: [sfb2015\n");
    // The flow sequence is still open when `organization:` starts a block key on line 3.
    let r = validate_text(&y, &[]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    let e = errors(&r);
    assert_eq!(e.len(), 1, "{}", r.stderr);
    assert!(e[0].contains("YAML syntax error"), "{}", r.stderr);
    let (line, _) = pos_of(&y, "organization");
    assert!(
        e[0].starts_with(&format!("{}:{line}:", r.shown)),
        "expected line {line}: {}",
        r.stderr
    );
}

#[test]
fn tab_in_indentation_points_at_the_tab() {
    let y = base_with("  root:", "\troot:");
    assert_invalid_at(
        &y,
        pos_of(&y, "\troot"),
        &["YAML syntax error", "tab"],
        Some("spaces"),
    );
    // Other syntax errors get no tab advice.
    let y = base_with("organization: Litware Inc.", "organization: 'Litware");
    let r = validate_text(&y, &[]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert!(r.stderr.contains("YAML syntax error"), "{}", r.stderr);
    assert!(!r.stderr.contains("tabs"), "{}", r.stderr);
    // After a space, too: the tab's own line and column, not where the scanner noticed it.
    let y = base_with("    services:", " \t  services:");
    assert_invalid_at(
        &y,
        pos_of(&y, "\t  services"),
        &["YAML syntax error", "tab"],
        Some("spaces"),
    );
}

#[test]
fn string_where_a_number_is_expected() {
    let y = base_with(
        "  sql_backup_path",
        "  retention_days: fourteen\n  sql_backup_path",
    );
    assert_invalid_at(
        &y,
        pos_of(&y, "fourteen"),
        &["expected a whole number", "\"fourteen\""],
        None,
    );
}

#[test]
fn number_out_of_range_is_explained() {
    let y = base_with("  sql_backup_path", "  keep_last: -3\n  sql_backup_path");
    assert_invalid_at(
        &y,
        pos_of(&y, "-3"),
        &["-3 is out of range", "whole number"],
        None,
    );
    // The type's own bounds are exact: u32::MAX reaches validation, one more does not.
    let y = base_with(
        "  sql_backup_path",
        "  keep_last: 4294967296\n  sql_backup_path",
    );
    assert_invalid_at(
        &y,
        pos_of(&y, "4294967296"),
        &["4294967296 is out of range: expected a whole number from 0 to 4294967295"],
        None,
    );
    let y = base_with(
        "  sql_backup_path",
        "  keep_last: 4294967295\n  sql_backup_path",
    );
    let r = assert_invalid_at(
        &y,
        pos_of(&y, "4294967295"),
        &["keep_last is 4294967295"],
        None,
    );
    assert!(!r.stderr.contains("out of range"), "{}", r.stderr);
}

#[test]
fn scalar_where_a_list_is_expected() {
    let y = base_with(
        "  copies:\n    - '\\\\nas01.litwareinc.com\\DR\\Skype'\n",
        "  copies: '\\\\nas01.litwareinc.com\\DR\\Skype'\n",
    );
    assert_invalid_at(
        &y,
        pos_of(&y, "'\\\\nas01"),
        &["expected a list", "found the string"],
        None,
    );
}

#[test]
fn list_where_a_mapping_is_expected() {
    let y = base_with(
        "    backup_pool:\n      fqdn: sfbse02.litwareinc.com\n",
        "    backup_pool:\n      - sfbse02.litwareinc.com\n",
    );
    assert_invalid_at(
        &y,
        pos_of(&y, "- sfbse02"),
        &["expected a mapping", "found a list"],
        None,
    );
}

#[test]
fn unknown_key_says_did_you_mean() {
    let y = base_with("    rgs_audio_sources:", "    rgs_audio_source:");
    assert_invalid_at(
        &y,
        pos_of(&y, "rgs_audio_source:"),
        &["unknown key `rgs_audio_source`"],
        Some("did you mean `rgs_audio_sources`?"),
    );
    let y = base_with(
        "  sql_backup_path",
        "  retension_days: 3\n  sql_backup_path",
    );
    assert_invalid_at(
        &y,
        pos_of(&y, "retension_days"),
        &["unknown key `retension_days`"],
        Some(
            "did you mean `retention_days`? (known keys: `root`, `copies`, `sql_backup_path`, \
             `retention_days`, `keep_last`, `schedule`, `run_as`)",
        ),
    );
    // Too far from every key for a guess: the list alone.
    let y = base_with("  sql_backup_path", "  qqqqqqq: 3\n  sql_backup_path");
    assert_invalid_at(
        &y,
        pos_of(&y, "qqqqqqq"),
        &["unknown key `qqqqqqq`"],
        Some(
            "known keys here: `root`, `copies`, `sql_backup_path`, `retention_days`, \
             `keep_last`, `schedule`, `run_as`",
        ),
    );
}

#[test]
fn unknown_enum_value_says_did_you_mean() {
    let y = base_with("product: sfb2015", "product: sfb2051");
    assert_invalid_at(
        &y,
        pos_of(&y, "sfb2051"),
        &["unknown value `sfb2051`"],
        Some("did you mean `sfb2015`? (one of `lync2013`, `sfb2015`, `sfb2019`)"),
    );
    let y = base_with("product: sfb2015", "product: qqqqqqq");
    assert_invalid_at(
        &y,
        pos_of(&y, "qqqqqqq"),
        &["unknown value `qqqqqqq`"],
        Some("use one of `lync2013`, `sfb2015`, `sfb2019`"),
    );
    // A null is no value at all, not a misspelt one (a quoted 'null' is one).
    let y = base_with("product: sfb2015", "product: null");
    assert_invalid_at(
        &y,
        pos_of(&y, "null"),
        &["expected one of `lync2013`, `sfb2015`, `sfb2019`, found nothing (null)"],
        None,
    );
    let y = base_with("product: sfb2015", "product: 'null'");
    assert_invalid_at(&y, pos_of(&y, "'null'"), &["unknown value `null`"], None);
}

#[test]
fn missing_required_key_points_at_the_parent_mapping() {
    let y = base_with(
        "    file_store: '\\\\sfbse01.litwareinc.com\\SfbShare'\n",
        "",
    );
    // The pool mapping starts at `id:` of `  - id: se1`.
    assert_invalid_at(
        &y,
        pos_of(&y, "id: se1"),
        &["missing required key `file_store`"],
        Some("add `file_store:`"),
    );
    let y = base_with("  root: 'E:\\SfbBackup'\n", "");
    assert_invalid_at(
        &y,
        pos_of(&y, "copies:"),
        &["missing required key `root`"],
        Some("add `root:`"),
    );
}

#[test]
fn duplicate_key_points_at_the_second_occurrence() {
    let y = base_with(
        "      call_park: true\n",
        "      call_park: true\n      lis: true\n      call_park: false\n",
    );
    assert_invalid_at(
        &y,
        pos_of_nth(&y, "call_park", 1),
        &["duplicate key `call_park`", "first at line 18"],
        Some("remove one"),
    );
}

#[test]
fn empty_file() {
    for bytes in [&b""[..], b"\n\n", b"# only a comment\n"] {
        let r = validate_bytes(bytes, &[]);
        assert_eq!(r.code, 1, "{}", r.stderr);
        assert!(
            r.stderr
                .contains(&format!("{}: error: the file is empty", r.shown)),
            "{}",
            r.stderr
        );
        assert!(
            r.stderr.contains("help: run `abc-failover init`"),
            "{}",
            r.stderr
        );
    }
}

#[test]
fn a_file_holding_only_a_list() {
    assert_invalid_at(
        "- a\n",
        (1, 1),
        &["must be a mapping", "found a list"],
        None,
    );
}

#[test]
fn a_file_holding_only_a_scalar() {
    assert_invalid_at(
        "hello\n",
        (1, 1),
        &["must be a mapping", "found the string \"hello\""],
        None,
    );
}

#[test]
fn two_documents() {
    let y = format!("{BASE}---\nformat: 1\n");
    let (line, _) = pos_of(&y, "---");
    assert_invalid_at(
        &y,
        (line, 1),
        &["more than one YAML document"],
        Some("remove the `---`"),
    );
}

#[test]
fn non_utf8_bytes_point_at_the_first_bad_byte() {
    let mut bytes = BASE
        .replacen("Litware Inc.", "Litware Caf\u{e9} ", 1)
        .into_bytes();
    // Replace the UTF-8 é (C3 A9) by Latin-1 é (E9), as a file saved in Windows-1252 has it.
    let at = bytes
        .windows(2)
        .position(|w| w == [0xC3, 0xA9])
        .expect("é in the text");
    bytes.splice(at..at + 2, [0xE9]);
    let r = validate_bytes(&bytes, &[]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    // `organization: Litware Caf` is 25 characters: the bad byte is column 26 of line 3.
    assert_error_at(&r, (3, 26), &["not valid UTF-8", "0xE9"], Some("UTF-8"));
}

#[test]
fn non_utf8_after_multibyte_characters_counts_characters() {
    let mut bytes = "format: 1\nproduct: \"Ä€😀".as_bytes().to_vec();
    bytes.push(0xFF);
    bytes.extend_from_slice(b"\"\n");
    let r = validate_bytes(&bytes, &[]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert_error_at(&r, (2, 14), &["not valid UTF-8"], None);
}

#[test]
fn non_utf8_after_a_byte_order_mark() {
    let mut bytes = b"\xEF\xBB\xBFab".to_vec();
    bytes.push(0xFF);
    let r = validate_bytes(&bytes, &[]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert_error_at(&r, (1, 3), &["not valid UTF-8"], None);
}

#[test]
fn a_byte_order_mark_is_accepted() {
    let mut bytes = b"\xEF\xBB\xBF".to_vec();
    bytes.extend_from_slice(BASE.as_bytes());
    let r = validate_bytes(&bytes, &["--deny-warnings"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
}

#[test]
fn a_file_over_one_mebibyte() {
    let mut y = BASE.to_string();
    y.push_str(
        &"# padding padding padding padding padding padding padding padding\n".repeat(17_000),
    );
    assert!(y.len() > 1024 * 1024);
    let r = validate_text(&y, &[]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert!(
        r.stderr.contains(&format!(
            "{}: error: the file is {} bytes",
            r.shown,
            y.len()
        )),
        "{}",
        r.stderr
    );
    assert!(r.stderr.contains("at most 1 MiB"), "{}", r.stderr);
}

/// A device reports length 0 but never ends: the read stops after 1 MiB instead of exhausting memory.
#[cfg(unix)]
#[test]
fn an_endless_device_is_refused_after_one_mebibyte() {
    let dir = tempfile::tempdir().expect("temp dir");
    let (code, _, stderr, elapsed) = run_in(dir.path(), &["validate", "/dev/zero"]);
    assert_eq!(code, 1, "{stderr}");
    assert!(
        stderr.contains("/dev/zero: error: the file holds more than 1 MiB"),
        "{stderr}"
    );
    assert!(elapsed < Duration::from_secs(10), "took {elapsed:?}");
}

#[test]
fn a_file_of_exactly_one_mebibyte_is_read() {
    let mut y = BASE.to_string();
    let pad = 1024 * 1024 - y.len();
    y.push('#');
    y.push_str(&"x".repeat(pad - 2));
    y.push('\n');
    assert_eq!(y.len(), 1024 * 1024);
    let r = validate_text(&y, &["--deny-warnings"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
}

const BILLION_LAUGHS: &str = r#"a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]
b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]
c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]
d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]
e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]
f: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]
g: &g [*f,*f,*f,*f,*f,*f,*f,*f,*f]
h: &h [*g,*g,*g,*g,*g,*g,*g,*g,*g]
i: &i [*h,*h,*h,*h,*h,*h,*h,*h,*h]
"#;

#[test]
fn alias_bomb_is_refused_quickly() {
    let r = validate_text(BILLION_LAUGHS, &[]);
    // Wall-clock time of the whole process; 3 s (as the other budget tests) so a loaded machine
    // does not fail it: expanding the document would take minutes and gigabytes.
    eprintln!("billion laughs: whole process {:?}", r.elapsed);
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert!(r.elapsed < Duration::from_secs(3), "took {:?}", r.elapsed);
    // Each *d is 9^4 scalars + 820 lists = 7381 nodes; after the 8308 nodes of a..d and e's
    // key and list, the second *d in e's list passes 20000 (the budget of a file this small).
    assert_error_at(
        &r,
        pos_of_nth(BILLION_LAUGHS, "*d", 1),
        &["aliases expand the document beyond 20000 nodes", "refused"],
        Some("write the values out"),
    );
}

#[test]
fn alias_text_bomb_is_refused_quickly() {
    // Few nodes, but one large scalar aliased thousands of times (gigabytes once expanded).
    let y = format!(
        "a: &a \"{}\"\nb: [{}]\n",
        "x".repeat(900_000),
        vec!["*a"; 19_000].join(",")
    );
    let r = validate_text(&y, &[]);
    eprintln!("alias text bomb: whole process {:?}", r.elapsed);
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert!(r.elapsed < Duration::from_secs(3), "took {:?}", r.elapsed);
    // 900 000 bytes each: the fifth copy (fourth alias) passes 4 MiB.
    assert_error_at(
        &r,
        pos_of_nth(&y, "*a", 3),
        &["MiB of text", "aliases"],
        None,
    );
}

#[test]
fn deep_nesting_is_refused() {
    let y = format!("a: {}{}\n", "[".repeat(5000), "]".repeat(5000));
    let r = validate_text(&y, &[]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert_eq!(errors(&r).len(), 1, "{}", r.stderr);
    let y = format!("a: {}1\n", "{a: ".repeat(200));
    let r = validate_text(&y, &[]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert!(r.stderr.contains("nesting deeper than"), "{}", r.stderr);
}

#[test]
fn duplicate_key_through_an_alias_points_at_the_alias() {
    let y = "&k format: 1\n*k : 2\n";
    assert_invalid_at(
        y,
        (2, 1),
        &["duplicate key `format`", "first at line 1"],
        None,
    );
}

#[test]
fn yaml_tags_are_refused() {
    let y = base_with("format: 1", "format: !!int 1");
    assert_invalid_at(
        &y,
        pos_of(&y, "!!int"),
        &["tag", "not supported"],
        Some("remove the tag"),
    );
}

#[test]
fn missing_file_is_trouble() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("nope.yaml");
    let shown = path.display().to_string();
    let (code, _, stderr, _) = run_in(dir.path(), &["validate", &shown]);
    assert_eq!(code, 2, "{stderr}");
    assert!(
        stderr.contains(&format!("{shown}: error: cannot read")),
        "{stderr}"
    );
}

#[test]
fn a_folder_is_trouble() {
    let dir = tempfile::tempdir().expect("temp dir");
    let shown = dir.path().display().to_string();
    let (code, _, stderr, _) = run_in(dir.path(), &["validate", &shown]);
    assert_eq!(code, 2, "{stderr}");
    assert!(stderr.contains("folder"), "{stderr}");
}

// ---------------------------------------------------------------------------------------------
// Semantic rules

#[test]
fn duplicate_pool_id() {
    let second = "  - id: se1\n    fqdn: sfbse02.litwareinc.com\n    edition: standard\n    file_store: '\\\\sfbse02.litwareinc.com\\SfbShare'\n    backup_pool:\n      fqdn: sfbse01.litwareinc.com\n";
    let y = format!("{BASE}{second}");
    assert_invalid_at(
        &y,
        pos_of_nth(&y, "se1\n", 1),
        &["pool id `se1` is already used by the pool at line 10"],
        Some("distinct `id:`"),
    );
}

#[test]
fn duplicate_pool_id_derived_from_fqdn() {
    let second = "  - fqdn: SE1.other.litwareinc.com\n    edition: standard\n    file_store: '\\\\x.litwareinc.com\\SfbShare'\n    backup_pool:\n      fqdn: sfbse03.litwareinc.com\n";
    let y = format!("{BASE}{second}");
    // No id key: the error points at the pool mapping that lacks it.
    assert_invalid_at(
        &y,
        pos_of(&y, "fqdn: SE1"),
        &["pool id `se1` is already used"],
        None,
    );
}

#[test]
fn duplicate_pool_fqdn_ignoring_case() {
    let second = "  - id: se2\n    fqdn: SFBSE01.litwareinc.com\n    edition: standard\n    file_store: '\\\\x.litwareinc.com\\SfbShare'\n    backup_pool:\n      fqdn: sfbse03.litwareinc.com\n";
    let y = format!("{BASE}{second}");
    assert_invalid_at(
        &y,
        pos_of(&y, "SFBSE01"),
        &["pool `SFBSE01.litwareinc.com` is already described by the pool at line 10"],
        Some("merge the two entries"),
    );
}

#[test]
fn duplicate_copy_location_and_branch_appliance() {
    let y = base_with(
        "    - '\\\\nas01.litwareinc.com\\DR\\Skype'\n",
        "    - '\\\\nas01.litwareinc.com\\DR\\Skype'\n    - '\\\\NAS01.litwareinc.com\\DR\\Skype'\n",
    );
    assert_invalid_at(&y, pos_of(&y, "'\\\\NAS01"), &["is listed twice"], None);
    let y = format!(
        "{BASE}    branch_appliances:\n      - sba1.litwareinc.com\n      - SBA1.litwareinc.com\n"
    );
    assert_invalid_at(
        &y,
        pos_of(&y, "SBA1"),
        &["branch appliance `SBA1.litwareinc.com` is listed twice"],
        None,
    );
}

/// Duplicate checks over long lists are linear: 19 000 branch appliances (the node budget allows
/// about that many) took 13 s in a debug build when each was compared with all before it.
#[test]
fn long_lists_are_checked_in_linear_time() {
    let mut y = format!("{BASE}    branch_appliances:\n");
    for i in 0..19_000 {
        y.push_str(&format!("      - sba{i}.litwareinc.com\n"));
    }
    y.push_str("      - SBA7.litwareinc.com\n");
    let r = validate_text(&y, &[]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert!(
        r.stderr.contains("`SBA7.litwareinc.com` is listed twice"),
        "{}",
        r.stderr
    );
    assert!(r.elapsed < Duration::from_secs(3), "took {:?}", r.elapsed);
}

#[test]
fn pool_b_equal_to_pool_a_ignoring_case() {
    let y = base_with(
        "fqdn: sfbse02.litwareinc.com",
        "fqdn: SFBSE01.LitwareInc.com",
    );
    assert_invalid_at(
        &y,
        pos_of(&y, "SFBSE01"),
        &["pool B", "same pool as pool A"],
        Some("paired"),
    );
}

#[test]
fn pool_c_equal_to_pool_a_or_b() {
    for (c, words) in [
        ("SfbSe01.litwareinc.com", "not pool A's"),
        ("sfbse02.LITWAREINC.com", "same pool as pool B"),
    ] {
        let y = base_with(
            "    services:",
            &format!(
                "    replacement_pool:\n      fqdn: {c}\n      edition: standard\n    services:"
            ),
        );
        assert_invalid_at(&y, pos_of(&y, c), &[words], None);
    }
}

#[test]
fn asymmetric_pairing() {
    // se2's backup pool is a third pool, not se1.
    let second = "  - id: se2\n    fqdn: sfbse02.litwareinc.com\n    edition: standard\n    file_store: '\\\\sfbse02.litwareinc.com\\SfbShare'\n    backup_pool:\n      fqdn: sfbse09.litwareinc.com\n";
    let y = format!("{BASE}{second}");
    assert_invalid_at(
        &y,
        pos_of(&y, "sfbse02.litwareinc.com\n"),
        &["pairing is not symmetric", "sfbse09.litwareinc.com"],
        Some("fix one of the two backup_pool"),
    );
}

fn fqdn_case(bad: &str, words: &[&str]) {
    let y = base_with("fqdn: sfbse02.litwareinc.com", &format!("fqdn: {bad}"));
    assert_invalid_at(&y, pos_of(&y, bad), words, None);
}

#[test]
fn invalid_fqdns() {
    let long = format!("{}.litwareinc.com", "a".repeat(64));
    fqdn_case(
        &long,
        &["not a valid FQDN", "label of 64 characters", "at most 63"],
    );
    fqdn_case(
        "sfb_se02.litwareinc.com",
        &["not a valid FQDN", "contains `_`"],
    );
    fqdn_case(
        "sfbsé02.litwareinc.com",
        &["not a valid FQDN", "contains `é`", "xn--"],
    );
    fqdn_case("sfbse02", &["not a valid FQDN", "two labels"]);
    fqdn_case("-sfbse02.litwareinc.com", &["starts or ends with `-`"]);
    fqdn_case("sfbse02..litwareinc.com", &["empty label"]);
    let total = format!("{}.com", vec!["a".repeat(60); 5].join("."));
    fqdn_case(&total, &["at most 253"]);
    // Exactly 63 characters in a label is fine.
    let ok = format!("{}.litwareinc.com", "a".repeat(63));
    let y = base_with("fqdn: sfbse02.litwareinc.com", &format!("fqdn: {ok}"));
    assert_eq!(validate_text(&y, &["--deny-warnings"]).code, 0);
}

fn path_case(bad_yaml: &str, words: &[&str]) {
    let y = base_with("'E:\\SfbBackup'", bad_yaml);
    assert_invalid_at(&y, pos_of(&y, bad_yaml), words, None);
}

#[test]
fn invalid_paths() {
    path_case("'SfbBackup'", &["backup.root", "not absolute"]);
    path_case("'SfbBackup\\Sets'", &["not absolute"]);
    path_case("'E:\\Sfb\\..\\Backup'", &["`..` component"]);
    path_case("'E:\\Sfb\\.\\Backup'", &["`.` component"]);
    path_case("'E:\\Sfb\"Backup'", &["contains `\"`"]);
    path_case("'E:\\Sfb|Backup'", &["contains `|`"]);
    path_case("'E:\\Sfb?Backup'", &["contains `?`"]);
    path_case("\"E:\\\\Sfb\\x07Backup\"", &["control character U+0007"]);
    path_case("\"E:\\\\Sfb\\tBackup\"", &["control character U+0009"]);
    path_case("\"E:\\\\Sfb\\nBackup\"", &["control character U+000A"]);
    path_case("\"E:\\\\Sfb\\r\\nBackup\"", &["control character U+000D"]);
    path_case("\"E:\\\\Sfb\\u202EBackup\"", &["U+202E"]);
    // A literal line break inside a quoted scalar folds to a space; a block scalar keeps it.
    // (saphyr positions a block scalar at its first content line)
    let y = base_with("'E:\\SfbBackup'", "|\n    E:\\Sfb\n    Backup");
    assert_invalid_at(
        &y,
        pos_of(&y, "E:\\Sfb\n"),
        &["control character U+000A"],
        None,
    );
}

#[test]
fn invalid_paths_everywhere_a_path_is_taken() {
    let y = base_with("'D:\\RGS Prompts'", "'RGS Prompts'");
    assert_invalid_at(
        &y,
        pos_of(&y, "'RGS Prompts'"),
        &["rgs_audio_sources", "not absolute"],
        None,
    );
    let y = base_with(
        "'\\\\sfbse01.litwareinc.com\\SfbShare'",
        "'\\\\sfbse01.litwareinc.com'",
    );
    assert_invalid_at(
        &y,
        pos_of(&y, "'\\\\sfbse01.litwareinc.com'"),
        &["file_store", "UNC"],
        None,
    );
    let y = base_with("'\\\\sql01.litwareinc.com\\SqlBak'", "'..\\SqlBak'");
    assert_invalid_at(
        &y,
        pos_of(&y, "'..\\SqlBak'"),
        &["sql_backup_path", "not absolute"],
        None,
    );
}

#[test]
fn organization_must_be_one_line_without_control_characters() {
    for (bad, words) in [
        ("\"Litware\\x07Inc.\"", &["control character U+0007"][..]),
        ("\"Litware\\nInc.\"", &["one line", "U+000A"][..]),
        ("|\n  Litware\n  Inc.", &["one line", "U+000A"][..]),
        (">\n  Litware\n\n  Inc.", &["one line", "U+000A"][..]),
        ("\"Litware\\u2028Inc.\"", &["U+2028"][..]),
    ] {
        let y = base_with("Litware Inc.", bad);
        // A block scalar is positioned at its first content line.
        let at = bad.strip_prefix(['|', '>']).map_or(bad, |_| "Litware\n");
        assert_invalid_at(&y, pos_of(&y, at), words, None);
    }
    let long = "x".repeat(201);
    let y = base_with("Litware Inc.", &long);
    assert_invalid_at(
        &y,
        pos_of(&y, &long),
        &["201 characters", "at most 200"],
        None,
    );
    // 200 is allowed, counted in characters, not bytes.
    let y = base_with("Litware Inc.", &"é".repeat(200));
    let r = validate_text(&y, &["--deny-warnings"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
}

#[test]
fn organization_with_double_quote_or_pipe_is_refused() {
    // Issue #2 lists `"` and `|` in organization as bad input.
    for (bad, ch) in [("'Litware \"Best\" Inc.'", '"'), ("'Litware | Inc.'", '|')] {
        let y = base_with("Litware Inc.", bad);
        assert_invalid_at(
            &y,
            pos_of(&y, bad),
            &[&format!("must not contain `{ch}`")],
            Some("without double quotes"),
        );
    }
}

#[test]
fn organization_with_other_punctuation_is_valid_text() {
    let y = base_with(
        "Litware Inc.",
        "'Litware <Best> Inc. & O''Brien’s *1* `x` [a]_#'",
    );
    let l = load_bytes("t.yaml", "t.yaml", y.as_bytes(), &[]).expect("loads");
    assert_eq!(
        l.topology.organization.as_deref(),
        Some("Litware <Best> Inc. & O'Brien’s *1* `x` [a]_#")
    );
}

fn db_yaml(product: &str, role: &str, instance: &str, names: &str) -> String {
    base_with(
        "    rgs_audio_sources:",
        &format!(
            "    databases:\n      - role: {role}\n        server: sql01.litwareinc.com\n        instance: {instance}\n        names: {names}\n    rgs_audio_sources:"
        ),
    )
    .replacen("product: sfb2015", &format!("product: {product}"), 1)
}

#[test]
fn bad_sql_instance_name() {
    for bad in ["9RTC", "RTC-1", "ABCDEFGHIJKLMNOPQ", "'RTC 1'"] {
        let y = db_yaml("sfb2015", "monitoring", bad, "[LcsCDR]");
        assert_invalid_at(
            &y,
            pos_of(&y, bad),
            &["not a valid SQL Server instance name"],
            Some("starts with a letter or `_`"),
        );
    }
    for good in ["RTC", "_a$b#c", "ABCDEFGHIJKLMNOP", "''"] {
        let y = db_yaml("sfb2015", "monitoring", good, "[LcsCDR]");
        assert_eq!(validate_text(&y, &["--deny-warnings"]).code, 0, "{good}");
    }
}

#[test]
fn bad_database_name() {
    let y = db_yaml("sfb2015", "monitoring", "MON", "[LcsCDR, 'Qoe-Metrics']");
    assert_invalid_at(
        &y,
        pos_of(&y, "'Qoe-Metrics'"),
        &["`Qoe-Metrics` is not a valid database name"],
        Some("1-128 letters, digits and `_`"),
    );
    let long = "D".repeat(129);
    let y = db_yaml("sfb2015", "monitoring", "MON", &format!("[{long}]"));
    assert_invalid_at(&y, pos_of(&y, &long), &["not a valid database name"], None);
}

#[test]
fn duplicate_database_on_one_instance() {
    // Server and name compare ignoring case; no instance and '' are the same default instance.
    let y = db_yaml("sfb2015", "monitoring", "''", "[LcsCDR, QoEMetrics]").replacen(
        "    rgs_audio_sources:",
        "      - role: archiving\n        server: SQL01.litwareinc.com\n        names: [lcscdr]\n      - role: archiving\n        server: sql01.litwareinc.com\n        instance: ARC\n        names: [lcscdr]\n    rgs_audio_sources:",
        1,
    );
    let first = format!("first at line {}", pos_of(&y, "LcsCDR").0);
    let r = assert_invalid_at(
        &y,
        pos_of(&y, "lcscdr"),
        &[
            "database `lcscdr` on this SQL instance is listed twice",
            &first,
        ],
        Some("list each database once"),
    );
    assert_eq!(errors(&r).len(), 1, "{}", r.stderr);
}

#[test]
fn databases_without_sql_backup_path() {
    let y = db_yaml("sfb2015", "monitoring", "MON", "[LcsCDR]").replacen(
        "  sql_backup_path: '\\\\sql01.litwareinc.com\\SqlBak'\n",
        "",
        1,
    );
    assert_invalid_at(
        &y,
        pos_of(&y, "- role"),
        &["databases are listed but backup.sql_backup_path is not set"],
        Some("add backup.sql_backup_path"),
    );
    // Located at the first pool that lists databases, not at the first pool.
    let y = y.replacen(
        "pools:\n  - id: se1",
        "pools:\n  - id: se0\n    fqdn: sfbse09.litwareinc.com\n    edition: standard\n    \
         file_store: '\\\\sfbse09.litwareinc.com\\SfbShare'\n    backup_pool:\n      \
         fqdn: sfbse08.litwareinc.com\n  - id: se1",
        1,
    );
    assert!(y.contains("id: se0"));
    assert_invalid_at(
        &y,
        pos_of(&y, "- role"),
        &["databases are listed but backup.sql_backup_path is not set"],
        None,
    );
}

/// Issue #10 item 7: `<sql_backup_path>\<pool>` inside (or holding) `<root or copy>\<pool>`:
/// Prune and `WITH INIT` would act on the other's files.
#[test]
fn sql_backup_path_overlapping_a_set_location() {
    for (sql, words) in [
        ("'E:\\SfbBackup'", "overlaps backup.root `E:\\SfbBackup`"),
        ("'e:\\sfbbackup\\Sql'", "overlaps backup.root"),
        (
            "'\\\\nas01.litwareinc.com\\DR'",
            "overlaps a backup copy location `\\\\nas01.litwareinc.com\\DR\\Skype`",
        ),
    ] {
        let y = db_yaml("sfb2015", "monitoring", "MON", "[LcsCDR]").replacen(
            "  sql_backup_path: '\\\\sql01.litwareinc.com\\SqlBak'\n",
            &format!("  sql_backup_path: {sql}\n"),
            1,
        );
        let r = assert_invalid_at(
            &y,
            (pos_of(&y, "  sql_backup_path: ").0, 20),
            &["backup.sql_backup_path", words],
            Some("a folder of their own"),
        );
        assert_eq!(errors(&r).len(), 1, "{}", r.stderr);
    }
    // A sibling folder whose name only starts alike does not overlap.
    let y = db_yaml("sfb2015", "monitoring", "MON", "[LcsCDR]").replacen(
        "  sql_backup_path: '\\\\sql01.litwareinc.com\\SqlBak'\n",
        "  sql_backup_path: 'E:\\SfbBackup2'\n",
        1,
    );
    let r = validate_text(&y, &[]);
    assert!(!r.stderr.contains("overlaps"), "{}", r.stderr);
}

#[test]
fn persistent_chat_on_sfb2019() {
    let y = db_yaml("sfb2019", "persistent_chat", "PC", "[mgc]");
    assert_invalid_at(
        &y,
        pos_of(&y, "persistent_chat\n"),
        &["Persistent Chat is not supported", "2019"],
        Some("remove this persistent_chat database"),
    );
    let y = base_with("product: sfb2015", "product: sfb2019").replacen(
        "call_park: true",
        "call_park: true\n      persistent_chat_next_hop: true",
        1,
    );
    assert_invalid_at(
        &y,
        pos_of(&y, "true\n    rgs"),
        &["Persistent Chat is not supported", "2019"],
        Some("persistent_chat_next_hop: false"),
    );
    // The same on sfb2015 is fine.
    let y = db_yaml("sfb2015", "persistent_chat", "PC", "[mgc]");
    assert_eq!(validate_text(&y, &["--deny-warnings"]).code, 0);
}

#[test]
fn bad_app_server_service_id() {
    let y = base_with(
        "    backup_pool:",
        "    app_server_service_id: 'ApplicationServer-1'\n    backup_pool:",
    );
    assert_invalid_at(
        &y,
        pos_of(&y, "'ApplicationServer-1'"),
        &["not an Application Server service id"],
        Some("N-ApplicationServer-N"),
    );
}

#[test]
fn out_of_range_retention() {
    let y = base_with(
        "  sql_backup_path",
        "  retention_days: 0\n  keep_last: 1001\n  sql_backup_path",
    );
    let r = assert_invalid_at(
        &y,
        pos_of(&y, "0\n"),
        &["retention_days is 0", "1 and 3650"],
        None,
    );
    assert_error_at(
        &r,
        pos_of(&y, "1001"),
        &["keep_last is 1001", "1 and 1000"],
        None,
    );
}

#[test]
fn several_semantic_problems_are_all_reported_in_file_order() {
    let y = r#"format: 2
product: sfb2019
organization: "a\tb"
backup:
  root: 'Backup'
  copies: ['E:\x\..\y']
pools:
  - id: Dc1
    fqdn: pool_a.contoso.com
    file_store: 'E:\x|y'
    backup_pool:
      fqdn: POOL_A.contoso.com
      backend:
        server: sql.contoso.com
        instance: 1bad
    services:
      persistent_chat_next_hop: true
    edge_pools: [edge]
"#;
    let r = validate_text(y, &[]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    let expected = [
        (pos_of(y, "2\n"), "unsupported format 2"),
        (pos_of(y, "\"a\\tb\""), "U+0009"),
        (pos_of(y, "'Backup'"), "not absolute"),
        (pos_of(y, "'E:\\x\\..\\y'"), "`..` component"),
        (pos_of(y, "Dc1"), "pool id `Dc1` is not valid"),
        (pos_of(y, "pool_a"), "contains `_`"),
        (pos_of(y, "'E:\\x|y'"), "contains `|`"),
        (pos_of(y, "POOL_A"), "contains `_`"),
        (pos_of(y, "POOL_A"), "same pool as pool A"),
        (pos_of(y, "1bad"), "instance name"),
        (pos_of(y, "true\n    edge"), "Persistent Chat"),
        (pos_of(y, "edge]"), "two labels"),
    ];
    let e = errors(&r);
    assert_eq!(e.len(), expected.len(), "stderr:\n{}", r.stderr);
    for (got, ((line, col), words)) in e.iter().zip(expected) {
        let prefix = format!("{}:{line}:{col}: error: ", r.shown);
        assert!(
            got.starts_with(&prefix) && got.contains(words),
            "expected {prefix}…{words}…, got {got}"
        );
    }
}

// ---------------------------------------------------------------------------------------------
// Characters that are legal in Windows paths load unchanged.

#[test]
fn legal_special_characters_in_paths_load_unchanged() {
    let paths = [
        r"D:\Backups\O'Brien's files",
        r"D:\Lync$Backup\share$",
        r"D:\Back`tick\``x",
        r"D:\semi;colon\a;b",
        r"D:\hash#tag\ #x",
        r"D:\at@sign",
        r"D:\Sicherung\Übersicht\ÄÖÜß",
        r"D:\備份\バックアップ",
        "D:\\\u{2018}single\u{2019}\\\u{201C}double\u{201D}",
        "\\\\srv.contoso.com\\share$\\O'Neil\u{2019}s $(x) `n",
    ];
    let sq = |s: &str| format!("'{}'", s.replace('\'', "''"));
    for p in paths {
        let y = BASE
            .replacen("'E:\\SfbBackup'", &sq(p), 1)
            .replacen("'D:\\RGS Prompts'", &sq(p), 1)
            .replacen("'\\\\sql01.litwareinc.com\\SqlBak'", &sq(p), 1)
            .replacen("'\\\\sfbse01.litwareinc.com\\SfbShare'", &sq(p), 1);
        let l = load_bytes("t.yaml", "t.yaml", y.as_bytes(), &[])
            .unwrap_or_else(|e| panic!("{p:?} refused: {e:?}"));
        let t = &l.topology;
        assert_eq!(t.backup.root, p);
        assert_eq!(t.backup.sql_backup_path.as_deref(), Some(p));
        assert_eq!(t.pools[0].file_store, p);
        assert_eq!(t.pools[0].rgs_audio_sources, vec![p.to_string()]);
        // The same value written double-quoted, with YAML escapes for `\` and `"`.
        let dq = format!("\"{}\"", p.replace('\\', "\\\\"));
        let y = BASE.replacen("'E:\\SfbBackup'", &dq, 1);
        let l = load_bytes("t.yaml", "t.yaml", y.as_bytes(), &[])
            .unwrap_or_else(|e| panic!("{dq} refused: {e:?}"));
        assert_eq!(l.topology.backup.root, p);
    }
}

// ---------------------------------------------------------------------------------------------
// Warnings, --deny-warnings, --format json

fn assert_warning(yaml: &str, pos: (usize, usize), words: &[&str]) {
    let r = validate_text(yaml, &[]);
    assert_eq!(
        r.code, 0,
        "a warning alone is not a finding; stderr:\n{}",
        r.stderr
    );
    let prefix = format!("{}:{}:{}: warning: ", r.shown, pos.0, pos.1);
    assert!(
        r.stderr
            .lines()
            .any(|l| l.starts_with(&prefix) && words.iter().all(|w| l.contains(w))),
        "no warning at {pos:?} with {words:?}; stderr:\n{}",
        r.stderr
    );
    let d = validate_text(yaml, &["--deny-warnings"]);
    assert_eq!(d.code, 1, "--deny-warnings; stderr:\n{}", d.stderr);
}

/// Without pool B's back end the CMS failover step of an Enterprise pool A that hosts the CMS
/// keeps a placeholder: a warning. A Standard pool B is its own back end, and a pool that does
/// not host the CMS needs none.
#[test]
fn warning_cms_on_an_enterprise_pool_without_pool_b_s_backend() {
    let enterprise = |hosts_cms: &str| {
        base_with(
            "    edition: standard",
            &format!("    edition: enterprise\n    hosts_cms: {hosts_cms}"),
        )
    };
    let y = enterprise("true");
    assert_warning(
        &y,
        pos_of(&y, "fqdn: sfbse02"),
        &["hosts_cms is true but backup_pool.backend is not given"],
    );
    for y in [
        enterprise("false"),
        base_with(
            "    edition: standard",
            "    edition: standard\n    hosts_cms: true",
        ),
    ] {
        let r = validate_text(&y, &["--deny-warnings"]);
        assert_eq!(r.code, 0, "{}", r.stderr);
    }
}

#[test]
fn warning_no_copies() {
    let y = base_with(
        "  copies:\n    - '\\\\nas01.litwareinc.com\\DR\\Skype'\n",
        "",
    );
    assert_warning(
        &y,
        pos_of(&y, "root:"),
        &["no backup.copies", "another location"],
    );
}

#[test]
fn warning_response_groups_without_audio_sources() {
    let y = base_with("    rgs_audio_sources:\n      - 'D:\\RGS Prompts'\n", "");
    assert_warning(
        &y,
        pos_of(&y, "true\n      call_park"),
        &["response_groups without rgs_audio_sources"],
    );
}

#[test]
fn error_pool_c_edition_differs_from_pool_b() {
    let second = "  - id: se2\n    fqdn: sfbse02.litwareinc.com\n    edition: standard\n    file_store: '\\\\sfbse02.litwareinc.com\\SfbShare'\n    backup_pool:\n      fqdn: sfbse01.litwareinc.com\n";
    let y = format!(
        "{}{second}",
        base_with(
            "    services:",
            "    replacement_pool:\n      fqdn: sfbse03.litwareinc.com\n      edition: enterprise\n    services:"
        )
    );
    assert_invalid_at(
        &y,
        pos_of(&y, "enterprise"),
        &["pool C's edition (enterprise) differs from pool B's (standard)"],
        Some("set replacement_pool.edition: standard"),
    );
}

#[test]
fn error_pool_c_edition_defaulted_differs_from_a_standard_pool_b() {
    // Without `edition:`, pool C is Enterprise: the error points at replacement_pool.
    let second = "  - id: se2\n    fqdn: sfbse02.litwareinc.com\n    edition: standard\n    file_store: '\\\\sfbse02.litwareinc.com\\SfbShare'\n    backup_pool:\n      fqdn: sfbse01.litwareinc.com\n";
    let y = format!(
        "{}{second}",
        base_with(
            "    services:",
            "    replacement_pool:\n      fqdn: sfbse03.litwareinc.com\n    services:"
        )
    );
    let r = validate_text(&y, &[]);
    assert_eq!(r.code, 1, "stderr:\n{}", r.stderr);
    assert!(
        r.stderr
            .contains("pool C's edition (enterprise) differs from pool B's (standard)"),
        "{}",
        r.stderr
    );
    assert!(r.stderr.contains("error: "), "{}", r.stderr);
}

#[test]
fn warning_local_sql_backup_path_with_remote_database_server() {
    let y = db_yaml("sfb2015", "archiving", "ARC", "[LcsLog]").replacen(
        "'\\\\sql01.litwareinc.com\\SqlBak'",
        "'F:\\SqlBak'",
        1,
    );
    assert_warning(
        &y,
        pos_of(&y, "sql01.litwareinc.com\n"),
        &["local drive path", "sql01.litwareinc.com", "another host"],
    );
}

#[test]
fn json_format_lists_every_problem() {
    let y = base_with("'E:\\SfbBackup'", "'SfbBackup'").replacen(
        "fqdn: sfbse02.litwareinc.com",
        "fqdn: sfbse02",
        1,
    );
    let r = validate_text(&y, &["--format", "json"]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    let v: serde_json::Value = serde_json::from_str(&r.stdout).expect("stdout is JSON");
    let items = v.as_array().expect("a JSON array");
    assert_eq!(items.len(), 2, "{v:#}");
    let (l, c) = pos_of(&y, "'SfbBackup'");
    assert_eq!(items[0]["file"], r.shown.as_str());
    assert_eq!(items[0]["severity"], "error");
    assert_eq!(items[0]["line"], l);
    assert_eq!(items[0]["column"], c);
    assert!(items[0]["message"]
        .as_str()
        .unwrap()
        .contains("not absolute"));
    let (l, c) = pos_of(&y, "sfbse02\n");
    assert_eq!(
        (items[1]["line"].clone(), items[1]["column"].clone()),
        (l.into(), c.into())
    );
    // A warning in JSON, and an empty array for a clean file.
    let y = base_with(
        "  copies:\n    - '\\\\nas01.litwareinc.com\\DR\\Skype'\n",
        "",
    );
    let r = validate_text(&y, &["--format", "json"]);
    assert_eq!(r.code, 0);
    let v: serde_json::Value = serde_json::from_str(&r.stdout).expect("JSON");
    assert_eq!(v[0]["severity"], "warning");
    assert!(v[0]["help"].as_str().is_some());
    let r = validate_text(&y, &["--format", "json", "--deny-warnings"]);
    assert_eq!(r.code, 1);
    let r = validate_text(BASE, &["--format", "json"]);
    assert_eq!((r.code, r.stdout.trim()), (0, "[]"));
}

// ---------------------------------------------------------------------------------------------
// --set

fn set_error(r: &Run, path: &str, words: &[&str]) {
    let prefix = format!("--set {path}: error: ");
    assert!(
        r.stderr
            .lines()
            .any(|l| l.starts_with(&prefix) && words.iter().all(|w| l.contains(w))),
        "no `{prefix}` line with {words:?}; stderr:\n{}",
        r.stderr
    );
}

#[test]
fn set_fills_a_value() {
    let r = validate_text(
        BASE,
        &[
            "--deny-warnings",
            "--set",
            "pools.se1.replacement_pool.fqdn=sfbse03.litwareinc.com",
            "--set",
            "pools.se1.replacement_pool.edition=standard",
        ],
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    let sets = [
        "pools.se1.replacement_pool.fqdn=sfbse03.litwareinc.com".to_string(),
        "backup.retention_days=30".to_string(),
        "organization=O'Brien 'Litware' #1".to_string(),
    ];
    let l = load_bytes("t.yaml", "t.yaml", BASE.as_bytes(), &sets).expect("loads");
    let rp = l.topology.pools[0]
        .replacement_pool
        .as_ref()
        .expect("pool C");
    assert_eq!(rp.fqdn, "sfbse03.litwareinc.com");
    assert_eq!(l.topology.backup.retention_days, 30);
    assert_eq!(
        l.topology.organization.as_deref(),
        Some("O'Brien 'Litware'")
    );
}

#[test]
fn set_fills_an_empty_mapping_value() {
    let y = base_with("    services:", "    replacement_pool:\n    services:");
    let r = validate_text(
        &y,
        &[
            "--deny-warnings",
            "--set",
            "pools.se1.replacement_pool.fqdn=sfbse03.litwareinc.com",
        ],
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
}

/// An empty value is an empty scalar (it clears an optional mapping); a value that YAML reads
/// as nothing because of a `#` is refused; a topology that is not a mapping gets no keys.
#[test]
fn set_with_an_empty_value_and_on_a_null_topology() {
    let y = base_with(
        "    services:",
        "    replacement_pool:\n      fqdn: sfbse03.litwareinc.com\n      edition: standard\n    services:",
    );
    let r = validate_text(&y, &["--set", "pools.se1.replacement_pool="]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let sets = ["pools.se1.replacement_pool=".to_string()];
    let l = load_bytes("t.yaml", "t.yaml", y.as_bytes(), &sets).expect("loads");
    assert!(l.topology.pools[0].replacement_pool.is_none());

    let r = validate_text(BASE, &["--set", "organization=#1"]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert!(
        r.stderr
            .contains("the value `#1` reads as nothing in YAML (`#` starts a comment)"),
        "{}",
        r.stderr
    );

    let r = validate_text("~\n", &["--set", "format=1"]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert_error_at(
        &r,
        (1, 1),
        &["the topology must be a mapping of keys to values, found nothing (null)"],
        None,
    );
}

#[test]
fn set_with_an_unknown_key() {
    let r = validate_text(
        BASE,
        &[
            "--set",
            "pools.se1.replacement_pool.fdqn=sfbse03.litwareinc.com",
        ],
    );
    assert_eq!(r.code, 1, "{}", r.stderr);
    set_error(
        &r,
        "pools.se1.replacement_pool.fdqn",
        &["unknown key `fdqn`"],
    );
    assert!(
        r.stderr.contains("help: did you mean `fqdn`?"),
        "{}",
        r.stderr
    );
}

#[test]
fn set_with_a_bad_value() {
    let r = validate_text(BASE, &["--set", "backup.retention_days=lots"]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    set_error(
        &r,
        "backup.retention_days",
        &["expected a whole number", "\"lots\""],
    );
    let r = validate_text(BASE, &["--set", "pools.se1.backup_pool.fqdn=bad_name.x"]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    set_error(
        &r,
        "pools.se1.backup_pool.fqdn",
        &["not a valid FQDN", "`_`"],
    );
    let r = validate_text(BASE, &["--set", "organization=a: b"]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    set_error(&r, "organization", &["single YAML scalar", "a mapping"]);
    assert!(r.stderr.contains("help: quote the value"), "{}", r.stderr);
    let r = validate_text(BASE, &["--set", "organization=#x"]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    set_error(&r, "organization", &["reads as nothing", "comment"]);
    let r = validate_text(BASE, &["--set", "backup.root"]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    set_error(&r, "backup.root", &["not PATH=VALUE"]);
}

#[test]
fn set_of_an_unknown_pool_id() {
    let r = validate_text(BASE, &["--set", "pools.dc9.replacement_pool.fqdn=x.y.z"]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    set_error(
        &r,
        "pools.dc9.replacement_pool.fqdn",
        &["no pool with id `dc9`"],
    );
    assert!(r.stderr.contains("help: pool ids: se1"), "{}", r.stderr);
}

#[test]
fn set_into_another_list_is_refused_clearly() {
    let r = validate_text(BASE, &["--set", "pools.se1.rgs_audio_sources.0=D:\\x"]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    set_error(
        &r,
        "pools.se1.rgs_audio_sources.0",
        &["is a list", "only pools"],
    );
}

#[test]
fn usage_errors_are_trouble() {
    let dir = tempfile::tempdir().expect("temp dir");
    let (code, _, _, _) = run_in(dir.path(), &["validate"]);
    assert_eq!(code, 2);
    let (code, _, _, _) = run_in(dir.path(), &["validate", "x.yaml", "--format", "xml"]);
    assert_eq!(code, 2);
}

#[test]
fn library_reports_an_invalid_topology_as_invalid() {
    let e = load_bytes("t.yaml", "t.yaml", b"- a\n", &[]).expect_err("invalid");
    assert!(
        matches!(e, LoadError::Invalid(ref d) if d.len() == 1),
        "{e:?}"
    );
}

#[test]
fn a_pool_id_that_windows_reserves_is_refused() {
    for id in ["con", "nul", "com1", "lpt9"] {
        let y = base_with("id: se1", &format!("id: {id}"));
        let r = validate_text(&y, &[]);
        assert_eq!(r.code, 1, "{id}: {}", r.stderr);
        assert!(
            r.stderr.contains(&format!("pool id `{id}` is not valid")),
            "{}",
            r.stderr
        );
        assert!(r.stderr.contains("Windows device name"), "{}", r.stderr);
    }
    let y = base_with("id: se1", "id: com0");
    assert_eq!(validate_text(&y, &[]).code, 0);
}

#[test]
fn an_error_shows_its_source_line_with_a_caret_under_the_value() {
    let yaml = BASE.replace(
        "fqdn: sfbse02.litwareinc.com",
        "fqdn: 'sfbse02..litwareinc.com'  # pool B",
    );
    let r = validate_text(&yaml, &[]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    let (line, col) = pos_of_nth(&yaml, "'sfbse02..", 0);
    let first = format!("{}:{line}:{col}: error: ", r.shown);
    let lines: Vec<&str> = r.stderr.lines().collect();
    let i = lines
        .iter()
        .position(|l| l.starts_with(&first))
        .unwrap_or_else(|| panic!("no error at {line}:{col}:\n{}", r.stderr));
    let gutter = " ".repeat(line.to_string().len());
    assert_eq!(
        lines[i + 1..i + 4],
        [
            format!("{gutter} |"),
            format!("{line} |       fqdn: 'sfbse02..litwareinc.com'  # pool B"),
            format!(
                "{gutter} | {}{}",
                " ".repeat(col - 1),
                "^".repeat("'sfbse02..litwareinc.com'".len())
            ),
        ],
        "{}",
        r.stderr
    );
    // Machine-readable output stays one object per problem, without the picture.
    let j = validate_text(&yaml, &["--format", "json"]);
    assert!(!j.stdout.contains('^'), "{}", j.stdout);
}

#[test]
fn a_pool_id_longer_than_32_characters_is_refused() {
    // Derived ids are cut by the FQDN's first label; a given id is not: 33 and 320 characters.
    for len in [33, 320] {
        let id = "a".repeat(len);
        let y = base_with("id: se1", &format!("id: {id}"));
        assert_invalid_at(
            &y,
            pos_of(&y, &id),
            &[&format!("pool id `{id}` is not valid")],
            Some("1-32"),
        );
    }
    let y = base_with("id: se1", &format!("id: {}", "a".repeat(32)));
    assert_eq!(validate_text(&y, &["--deny-warnings"]).code, 0);
}

#[test]
fn drive_relative_root_relative_and_forward_slash_paths_are_refused() {
    // The backup script's Test-FolderPath refuses these at every run (issue #15); validate must too.
    path_case("'E:SfbBackup'", &["backup.root", "not absolute"]);
    path_case("'\\SfbBackup'", &["backup.root", "not absolute"]);
    path_case("'E:\\Sfb/Backup'", &["backup.root", "contains `/`"]);
    path_case("'E:/SfbBackup'", &["backup.root", "contains `/`"]);
}

#[test]
fn a_copy_location_equal_to_the_root_is_refused() {
    let y = base_with("'\\\\nas01.litwareinc.com\\DR\\Skype'", "'e:\\sfbbackup'");
    assert_invalid_at(
        &y,
        pos_of(&y, "'e:\\sfbbackup'"),
        &["backup copy location is the same as backup.root"],
        None,
    );
}

// ---------------------------------------------------------------------------------------------
// Unattended operation (issue #13): backup.schedule, backup.run_as and notify:

/// `BASE` with `extra` added to the end of the `backup:` mapping.
fn base_with_backup(extra: &str) -> String {
    base_with(
        "  sql_backup_path: '\\\\sql01.litwareinc.com\\SqlBak'\n",
        &format!("  sql_backup_path: '\\\\sql01.litwareinc.com\\SqlBak'\n{extra}"),
    )
}

/// A valid `notify:` section; the cases below change one thing in it.
const NOTIFY: &str = "notify:\n  smtp_server: smtp.litwareinc.com\n  port: 25\n  use_ssl: false\n  from: sfb-backup@litwareinc.com\n  to:\n    - sfb-admins@litwareinc.com\n  when: failure\n";

/// `BASE` with `NOTIFY` (its first `from` replaced by `to`) before `pools:`.
/// `hosts_cms` takes true, false or `unknown` and nothing else; an omitted SMTP port is 25.
#[test]
fn hosts_cms_values_and_the_default_smtp_port() {
    let y = base_with("    services:", "    hosts_cms: maybe\n    services:");
    assert_invalid_at(
        &y,
        pos_of(&y, "maybe"),
        &["expected true, false or unknown, found string \"maybe\""],
        None,
    );
    let y = base_with_notify("  port: 25\n", "");
    let l = load_bytes("t.yaml", "t.yaml", y.as_bytes(), &[]).expect("loads");
    assert_eq!(l.topology.notify.expect("notify").port, 25);
}

fn base_with_notify(from: &str, to: &str) -> String {
    assert!(NOTIFY.contains(from), "NOTIFY has no {from:?}");
    base_with(
        "pools:\n",
        &format!("{}pools:\n", NOTIFY.replacen(from, to, 1)),
    )
}

#[test]
fn schedule_run_as_and_notify_that_are_valid_give_no_warning() {
    for y in [
        base_with_backup("  schedule: '23:59'\n  run_as: 'LITWARE\\svc-sfbbak$'\n"),
        base_with_backup("  schedule: 00:00\n"),
        base_with_notify("", ""),
        base_with_notify(
            "  port: 25\n  use_ssl: false\n",
            "  use_ssl: true\n  port: 587\n",
        ),
        base_with_notify("smtp.litwareinc.com", "10.0.0.25"),
        base_with_notify("smtp.litwareinc.com", "smtprelay"),
        base_with_notify("  when: failure\n", "  when: always\n"),
        base_with_notify("sfb-backup@", "o'brien+sfb.backup@"),
    ] {
        let r = validate_text(&y, &["--deny-warnings"]);
        assert_eq!(r.code, 0, "{y}\nstderr:\n{}", r.stderr);
    }
    // Unquoted 02:30 is a string in YAML 1.2 (no base-60 integers), and is kept as written.
    let loaded = load_bytes(
        "t.yaml",
        "t.yaml",
        base_with_backup("  schedule: 02:30\n").as_bytes(),
        &[],
    );
    let schedule = match loaded {
        Ok(l) => l.topology.backup.schedule,
        Err(e) => panic!("{e:?}"),
    };
    assert_eq!(schedule, "02:30");
}

#[test]
fn bad_schedule_is_located() {
    for (bad, words) in [
        (
            "'25:00'",
            &["backup.schedule `25:00`", "hours run 00-23"][..],
        ),
        ("'02:60'", &["minutes 00-59"][..]),
        ("'2:30'", &["not a time of day in the form HH:MM"][..]),
        ("'02.30'", &["form HH:MM"][..]),
        ("noon", &["`noon`", "form HH:MM"][..]),
        ("'02:30 '", &["form HH:MM"][..]),
    ] {
        let y = base_with_backup(&format!("  schedule: {bad}\n"));
        assert_invalid_at(&y, pos_of(&y, bad), words, Some("'02:30'"));
    }
    // A bare number is read as its text, and refused as a time.
    let y = base_with_backup("  schedule: 230\n");
    assert_invalid_at(&y, pos_of(&y, "230"), &["`230`", "form HH:MM"], None);
}

#[test]
fn bad_run_as_is_located_and_never_a_password_account() {
    for (bad, words, help) in [
        (
            "'svc-sfbbak$'",
            &["backup.run_as", "has no domain"][..],
            "omit run_as to run as SYSTEM",
        ),
        (
            "'LITWARE\\svc-sfbbak'",
            &["not a group managed service account", "stored password"][..],
            "New-ADServiceAccount",
        ),
        (
            "'svc-sfbbak$@litwareinc.com'",
            &["user principal name"][..],
            "DOMAIN\\name$",
        ),
        (
            "'LIT WARE\\svc-sfbbak$'",
            &["not a NetBIOS domain name"][..],
            "DOMAIN\\name$",
        ),
        (
            "'LITWARE\\svc-sfb-backup-01$'",
            &["account name that is not 1-15"][..],
            "DOMAIN\\name$",
        ),
        (
            "'LITWARE\\$'",
            &["account name that is not 1-15"][..],
            "DOMAIN\\name$",
        ),
        (
            "'LITWARE\\svc\\x$'",
            &["account name that is not 1-15"][..],
            "DOMAIN\\name$",
        ),
    ] {
        let y = base_with_backup(&format!("  run_as: {bad}\n"));
        assert_invalid_at(&y, pos_of(&y, bad), words, Some(help));
    }
}

#[test]
fn notify_unknown_keys_are_refused_with_a_hint() {
    let y = base_with_notify("  smtp_server:", "  smtp_sever:");
    assert_invalid_at(
        &y,
        pos_of(&y, "smtp_sever"),
        &["unknown key `smtp_sever`"],
        Some("did you mean `smtp_server`?"),
    );
    // No password key exists: a password in the topology is refused, not ignored.
    let y = base_with_notify(
        "  when: failure\n",
        "  when: failure\n  password: hunter2\n",
    );
    assert_invalid_at(
        &y,
        pos_of(&y, "password"),
        &["unknown key `password`"],
        None,
    );
    let y = base_with_notify("  when: failure\n", "  when: failure\n  credential: x\n");
    assert_invalid_at(
        &y,
        pos_of(&y, "credential"),
        &["unknown key `credential`"],
        None,
    );
    let y = base_with_notify("  when: failure\n", "  when: sometimes\n");
    assert_invalid_at(
        &y,
        pos_of(&y, "sometimes"),
        &["unknown value `sometimes`"],
        None,
    );
    let y = base_with_notify("  use_ssl: false\n", "  use_ssl: maybe\n");
    assert_invalid_at(&y, pos_of(&y, "maybe"), &["expected"], None);
    let y = base_with_notify("  port: 25\n", "  port: smtp\n");
    assert_invalid_at(&y, pos_of(&y, "smtp\n"), &["expected a whole number"], None);
}

#[test]
fn notify_missing_keys_point_at_the_notify_mapping() {
    for key in ["smtp_server", "from"] {
        let line = NOTIFY
            .lines()
            .find(|l| l.starts_with(&format!("  {key}:")))
            .expect("key");
        let y = base_with_notify(&format!("{line}\n"), "");
        // The notify mapping starts at its first key, on the line after `notify:`.
        let (line_no, _) = pos_of(&y, "notify:");
        assert_invalid_at(
            &y,
            (line_no + 1, 3),
            &[&format!("missing required key `{key}`")],
            Some(&format!("add `{key}:`")),
        );
    }
}

#[test]
fn notify_without_recipients_key_points_at_the_notify_mapping() {
    let y = base_with_notify("  to:\n    - sfb-admins@litwareinc.com\n", "");
    let (line_no, _) = pos_of(&y, "notify:");
    assert_invalid_at(
        &y,
        (line_no + 1, 3),
        &["missing required key `to`"],
        Some("add `to:`"),
    );
}

#[test]
fn bad_smtp_server_is_located() {
    for (bad, words) in [
        (
            "smtp..litwareinc.com",
            &["notify.smtp_server", "empty label"][..],
        ),
        ("smtp_relay", &["contains `_`"][..]),
        ("'300.1.1.1'", &["not a valid IPv4 address"][..]),
        ("'[::1]'", &["IPv6"][..]),
        ("'smtp.litwareinc.com:25'", &["IPv6"][..]),
        ("-relay", &["starts or ends with `-`"][..]),
    ] {
        let y = base_with_notify("smtp.litwareinc.com", bad);
        assert_invalid_at(&y, pos_of(&y, bad), words, Some("SMTP relay"));
    }
}

#[test]
fn bad_smtp_port_is_located() {
    for bad in ["0", "65536", "100000"] {
        let y = base_with_notify("  port: 25\n", &format!("  port: {bad}\n"));
        let (line, col) = pos_of(&y, &format!("port: {bad}"));
        assert_invalid_at(
            &y,
            (line, col + "port: ".len()),
            &["notify.port", "between 1 and 65535"],
            None,
        );
    }
    let y = base_with_notify("  port: 25\n", "  port: -1\n");
    assert_invalid_at(&y, pos_of(&y, "-1"), &["out of range"], None);
}

#[test]
fn implicit_tls_port_with_use_ssl_is_a_warning() {
    let y = base_with_notify(
        "  port: 25\n  use_ssl: false\n",
        "  port: 465\n  use_ssl: true\n",
    );
    assert_warning(&y, pos_of(&y, "465"), &["port 465", "STARTTLS"]);
}

#[test]
fn bad_addresses_are_located() {
    for (bad, words) in [
        (
            "'Backup <sfb-backup@litwareinc.com>'",
            &["display name"][..],
        ),
        // Either bracket alone is enough.
        ("'sfb-backup@litwareinc.com>'", &["display name"][..]),
        ("'<sfb-backup@litwareinc.com'", &["display name"][..]),
        ("sfb-backup", &["has no `@`"][..]),
        (
            "sfb-backup@litwareinc",
            &["domain (after `@`)", "two labels"][..],
        ),
        ("sfb..backup@litwareinc.com", &["two dots in a row"][..]),
        (".sfb@litwareinc.com", &["starts or ends with a dot"][..]),
        ("'@litwareinc.com'", &["empty"][..]),
        ("'sfb backup@litwareinc.com'", &["` `", "local part"][..]),
        ("'sfb\"x@litwareinc.com'", &["local part"][..]),
        ("sfb@litware_inc.com", &["contains `_`"][..]),
    ] {
        // from
        let y = base_with_notify("sfb-backup@litwareinc.com", bad);
        assert_invalid_at(
            &y,
            pos_of(&y, bad),
            &[&["notify.from", "not a valid email address"][..], words].concat(),
            None,
        );
        // a recipient
        let y = base_with_notify("sfb-admins@litwareinc.com", bad);
        let (line, col) = pos_of(&y, &format!("    - {bad}"));
        assert_invalid_at(
            &y,
            (line, col + "    - ".len()),
            &[&["notify.to", "not a valid email address"][..], words].concat(),
            None,
        );
    }
}

#[test]
fn recipients_empty_duplicated_or_not_a_list() {
    let y = base_with_notify("  to:\n    - sfb-admins@litwareinc.com\n", "  to: []\n");
    assert_invalid_at(&y, pos_of(&y, "[]"), &["notify.to is empty"], None);
    let y = base_with_notify(
        "    - sfb-admins@litwareinc.com\n",
        "    - sfb-admins@litwareinc.com\n    - SFB-Admins@litwareinc.com\n",
    );
    assert_invalid_at(
        &y,
        pos_of(&y, "SFB-Admins"),
        &["recipient `SFB-Admins@litwareinc.com` is listed twice"],
        None,
    );
    let y = base_with_notify(
        "  to:\n    - sfb-admins@litwareinc.com\n",
        "  to: sfb-admins@litwareinc.com\n",
    );
    assert_invalid_at(
        &y,
        pos_of(&y, "sfb-admins@litwareinc.com\n"),
        &["expected a list"],
        None,
    );
}

/// Boundaries and single-sided conditions of the shared rules, one case each (cargo-mutants
/// found no test that told `||` from `&&` or `>` from `>=` in these checks, issue #15).
#[test]
fn rule_boundaries_are_exact() {
    let load = |yaml: &str| load_bytes("t.yaml", "t.yaml", yaml.as_bytes(), &[]);
    let loads = |yaml: &str| load(yaml).is_ok();
    // The message of the refusal (Debug shows every diagnostic).
    let refusal = |yaml: &str| format!("{:?}", load(yaml).expect_err("refused"));
    // `:` in the server name alone, or in the share name alone.
    for bad in ["'\\\\nas01:1\\DR'", "'\\\\nas01\\D:R'"] {
        let y = base_with("'\\\\nas01.litwareinc.com\\DR\\Skype'", bad);
        let err = refusal(&y);
        assert!(err.contains("in the server or share name"), "{bad}: {err}");
    }
    // The hour alone out of range, or the minute alone.
    for (time, ok) in [("'24:00'", false), ("'23:60'", false), ("'23:59'", true)] {
        let y = base_with_backup(&format!("  schedule: {time}\n"));
        assert_eq!(loads(&y), ok, "schedule {time}");
    }
    // A letter in the hour alone, or in the minute alone, is a form error (not a range error).
    for time in ["'2a:30'", "'23:5x'"] {
        let y = base_with_backup(&format!("  schedule: {time}\n"));
        let err = refusal(&y);
        assert!(err.contains("form HH:MM"), "{time}: {err}");
    }
    // An address of 254 characters is fine, 255 is not; a local part of 64 is fine, 65 is not,
    // and an empty one is refused.
    // A domain of `n` characters in labels of at most 60.
    let domain = |n: usize| {
        let mut d = String::from("com");
        while d.len() < n {
            let label = (n - d.len() - 1).min(60);
            d = format!("{}.{d}", "a".repeat(label.max(1)));
        }
        d
    };
    assert_eq!((domain(252).len(), domain(253).len()), (252, 253));
    for (address, ok) in [
        (format!("x@{}", domain(252)), true),
        (format!("x@{}", domain(253)), false),
        (format!("{}@litwareinc.com", "b".repeat(64)), true),
        (format!("{}@litwareinc.com", "b".repeat(65)), false),
        ("@litwareinc.com".to_string(), false),
    ] {
        let y = base_with_notify("sfb-backup@litwareinc.com", &format!("'{address}'"));
        assert_eq!(loads(&y), ok, "from: {} characters", address.len());
        if address.ends_with("@litwareinc.com") && !ok {
            let err = refusal(&y);
            assert!(
                err.contains("empty or longer than 64 characters"),
                "{address}: {err}"
            );
        }
    }
}
