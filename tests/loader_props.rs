//! Property tests of the loader: no input makes it panic, and every located problem points at a
//! line and column that exist in the file.

mod common;

use abc_failover::load::{load_bytes, LoadError, Loaded};
use abc_failover::render::pool_files;
use proptest::prelude::*;

/// Load `bytes`; on failure check that every position lies inside `text` (when it is text); on
/// success render it and check the output invariants.
fn check(bytes: &[u8]) -> Result<(), TestCaseError> {
    let diags = match load_bytes("t.yaml", "t.yaml", bytes, &[]) {
        Ok(loaded) => return check_output(&loaded),
        Err(LoadError::Invalid(diags)) => diags,
        Err(_) => return Ok(()),
    };
    prop_assert!(
        diags.iter().any(|d| d.is_error()),
        "Invalid without an error"
    );
    let text = String::from_utf8_lossy(bytes);
    let text = text.strip_prefix('\u{FEFF}').unwrap_or(&text);
    // YAML line breaks: LF, CR LF, lone CR. The last "line" after a final line break is where
    // the parser reports the end of input.
    let lines: Vec<&str> = text
        .split("\r\n")
        .flat_map(|l| l.split(['\r', '\n']))
        .collect();
    for d in &diags {
        prop_assert!(!d.message.is_empty());
        prop_assert_eq!(d.file.as_str(), "t.yaml");
        match (d.line, d.column) {
            (Some(line), Some(col)) => {
                prop_assert!(
                    line >= 1 && line <= lines.len(),
                    "line {} outside 1..={}: {}",
                    line,
                    lines.len(),
                    d
                );
                let width = lines[line - 1].chars().count();
                prop_assert!(
                    col >= 1 && col <= width + 1,
                    "column {} outside 1..={} of line {} {:?}: {}",
                    col,
                    width + 1,
                    line,
                    lines[line - 1],
                    d
                );
            }
            (None, None) => {}
            _ => prop_assert!(false, "line without column or the reverse: {d:?}"),
        }
    }
    Ok(())
}

/// What every render of a topology that loads must give: both files of every pool and nothing
/// else; scripts with a BOM, CRLF only, no trailing white space, a clean parse and PowerShell's
/// quote rules agreeing with it; checklists in UTF-8 without BOM, LF only, one final newline,
/// every PowerShell block parsing clean under the same two readers; the same bytes twice.
fn check_output(loaded: &Loaded) -> Result<(), TestCaseError> {
    let artifacts = common::render(loaded);
    let mut expected: Vec<String> = loaded
        .topology
        .pools
        .iter()
        .flat_map(|p| pool_files(&p.effective_id()))
        .collect();
    expected.sort();
    prop_assert_eq!(artifacts.keys().cloned().collect::<Vec<_>>(), expected);
    for (name, bytes) in &artifacts {
        let text = std::str::from_utf8(bytes);
        prop_assert!(text.is_ok(), "{} is not UTF-8", name);
        let text = text.unwrap();
        if name.ends_with(".ps1") {
            prop_assert!(text.starts_with('\u{FEFF}'), "{}: no BOM", name);
            prop_assert!(
                !text.replace("\r\n", "").contains('\n'),
                "{}: a bare LF",
                name
            );
            prop_assert!(
                !text.replace("\r\n", "").contains('\r'),
                "{}: a bare CR",
                name
            );
            prop_assert!(
                text.ends_with("\r\n") && !text.ends_with("\r\n\r\n"),
                "{}",
                name
            );
            prop_assert!(
                !text.split("\r\n").any(|l| l.ends_with([' ', '\t'])),
                "{}: trailing white space",
                name
            );
            let src = common::text(bytes);
            let problems = common::syntax_problems(&src);
            prop_assert!(problems.is_empty(), "{}: {:?}", name, problems);
            let problems = common::quotes::quote_rule_problems(&src);
            prop_assert!(problems.is_empty(), "{}: {:?}", name, problems);
        } else {
            prop_assert!(!text.starts_with('\u{FEFF}'), "{}: BOM", name);
            prop_assert!(!text.contains('\r'), "{}: CR", name);
            prop_assert!(text.ends_with('\n') && !text.ends_with("\n\n"), "{}", name);
            for (line, block) in common::powershell_blocks(text) {
                let problems = common::syntax_problems(&block);
                prop_assert!(
                    problems.is_empty(),
                    "{} block at {}: {:?}",
                    name,
                    line,
                    problems
                );
                let problems = common::quotes::quote_rule_problems(&block);
                prop_assert!(
                    problems.is_empty(),
                    "{} block at {}: {:?}",
                    name,
                    line,
                    problems
                );
            }
        }
    }
    prop_assert!(
        common::render(loaded) == artifacts,
        "a second render differs"
    );
    Ok(())
}

fn samples() -> Vec<String> {
    let mut v: Vec<String> = common::samples()
        .iter()
        .map(|p| std::fs::read_to_string(p).expect("sample"))
        .collect();
    v.push(abc_failover::starter::STARTER_TOPOLOGY.to_string());
    v
}

#[derive(Debug, Clone)]
enum Mutation {
    DeleteLine(usize),
    DuplicateLine(usize),
    SwapLines(usize, usize),
    Insert(usize, String),
    Truncate(usize),
    Indent(usize, bool, usize),
}

fn yaml_char() -> impl Strategy<Value = char> {
    prop_oneof![
        4 => prop::sample::select(vec![
            ':', '-', ' ', '\n', '\t', '\'', '"', '[', ']', '{', '}', ',', '#', '&', '*', '!', '|',
            '>', '?', '%', '@', '`', '\\', '\r', '\u{0}', '\u{85}', '\u{FEFF}', '\u{2028}', 'é',
        ]),
        1 => any::<char>(),
    ]
}

fn mutation() -> impl Strategy<Value = Mutation> {
    prop_oneof![
        any::<usize>().prop_map(Mutation::DeleteLine),
        any::<usize>().prop_map(Mutation::DuplicateLine),
        (any::<usize>(), any::<usize>()).prop_map(|(a, b)| Mutation::SwapLines(a, b)),
        (
            any::<usize>(),
            prop::collection::vec(yaml_char(), 1..4).prop_map(String::from_iter)
        )
            .prop_map(|(at, s)| Mutation::Insert(at, s)),
        any::<usize>().prop_map(Mutation::Truncate),
        (any::<usize>(), any::<bool>(), 1..5usize)
            .prop_map(|(l, more, n)| Mutation::Indent(l, more, n)),
    ]
}

fn apply(text: &str, m: &Mutation) -> String {
    let mut lines: Vec<String> = text.lines().map(str::to_string).collect();
    let n = lines.len().max(1);
    match m {
        Mutation::DeleteLine(i) => {
            if !lines.is_empty() {
                lines.remove(i % n);
            }
        }
        Mutation::DuplicateLine(i) => {
            if !lines.is_empty() {
                let l = lines[i % n].clone();
                lines.insert(i % n, l);
            }
        }
        Mutation::SwapLines(a, b) => {
            if !lines.is_empty() {
                lines.swap(a % n, b % n);
            }
        }
        Mutation::Insert(at, s) => {
            // At a character boundary of the whole text.
            let chars: Vec<(usize, char)> = text.char_indices().collect();
            let cut = chars
                .get(at % (chars.len() + 1))
                .map_or(text.len(), |c| c.0);
            return format!("{}{s}{}", &text[..cut], &text[cut..]);
        }
        Mutation::Truncate(at) => {
            let chars: Vec<(usize, char)> = text.char_indices().collect();
            let cut = chars
                .get(at % (chars.len() + 1))
                .map_or(text.len(), |c| c.0);
            return text[..cut].to_string();
        }
        Mutation::Indent(i, more, k) => {
            if !lines.is_empty() {
                let l = &mut lines[i % n];
                if *more {
                    l.insert_str(0, &" ".repeat(*k));
                } else {
                    let strip = l.len() - l.trim_start_matches(' ').len();
                    l.drain(..strip.min(*k));
                }
            }
        }
    }
    let mut out = lines.join("\n");
    out.push('\n');
    out
}

/// 300 cases; `PROPTEST_CASES` lowers it for `.ci/mutants`, which runs this binary per mutant.
fn cases() -> u32 {
    std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(300)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: cases(), failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn random_bytes_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..400)) {
        check(&bytes)?;
    }

    #[test]
    fn random_unicode_never_panics(s in any::<String>()) {
        check(s.as_bytes())?;
    }

    #[test]
    fn yaml_like_text_never_panics(s in prop::collection::vec(
        prop_oneof![
            yaml_char().prop_map(String::from),
            prop::sample::select(vec![
                "format: 1\n", "pools:\n", "  - ", "&a ", "*a", "---\n", "...\n", "? ", "!!str ",
                "backup:\n  root: 'D:\\x'\n", "{", "}", "[", "]", "\n  ", "key: ", "~", "0x1F",
            ]).prop_map(String::from),
        ],
        0..60,
    ).prop_map(|v| v.concat())) {
        check(s.as_bytes())?;
    }

    #[test]
    fn mutated_samples_never_panic_and_point_inside_the_file(
        sample in any::<prop::sample::Index>(),
        muts in prop::collection::vec(mutation(), 1..4),
    ) {
        let all = samples();
        let mut text = all[sample.index(all.len())].clone();
        for m in &muts {
            text = apply(&text, m);
        }
        check(text.as_bytes())?;
    }
}

#[test]
fn unmutated_samples_load_and_render_within_the_invariants() {
    for s in samples() {
        let loaded = load_bytes("t.yaml", "t.yaml", s.as_bytes(), &[]).expect("sample loads");
        check_output(&loaded).expect("invariants");
    }
}

/// Line mutations of the samples that still load (a changed value, a dropped optional key) reach
/// the render checks: the property above is not only about refused input.
#[test]
fn many_mutated_samples_still_load_and_are_rendered() {
    let all = samples();
    let mut loaded = 0;
    let mut tried = 0;
    for (si, text) in all.iter().enumerate() {
        // Every seventh line (the test renders and parses each result: keep it to seconds).
        for line in (si..text.lines().count()).step_by(7) {
            tried += 1;
            let m = if line % 2 == 0 {
                Mutation::DeleteLine(line)
            } else {
                Mutation::Indent(line, false, 2)
            };
            let mutated = apply(text, &m);
            if let Ok(l) = load_bytes("t.yaml", "t.yaml", mutated.as_bytes(), &[]) {
                loaded += 1;
                check_output(&l).unwrap_or_else(|e| panic!("sample {si}, {m:?}: {e}"));
            }
        }
    }
    assert!(
        loaded * 5 > tried,
        "only {loaded} of {tried} mutated samples load"
    );
}
