//! The rules that exist on both sides, in `validate` and in the generated script, are one rule.
//!
//! `validate::path_problem` (which explains a refusal) must accept exactly what
//! `FOLDER_PATH_PATTERN` plus the UTF-16 length limit accept, because the backup script's
//! `Test-FolderPath` checks `-BackupRoot`/`-CopyTo` with that pattern (tests/backup_script.rs
//! checks that the generated function uses it). The pattern is evaluated with Rust's `regex`,
//! which reads the subset of the syntax it is written in exactly as .NET does.
use abc_failover::validate::{
    path_problem, FOLDER_PATH_MAX_UTF16, FOLDER_PATH_PATTERN, SERVICE_ID_PATTERN,
};
use proptest::prelude::*;
use regex::Regex;
use std::sync::LazyLock;

fn folder_rule() -> &'static Regex {
    static RULE: LazyLock<Regex> =
        LazyLock::new(|| Regex::new(FOLDER_PATH_PATTERN).expect("the pattern compiles"));
    &RULE
}

fn script_accepts(re: &Regex, p: &str) -> bool {
    re.is_match(p) && p.encode_utf16().count() <= FOLDER_PATH_MAX_UTF16
}

/// The path forms of issue #15 and their neighbours, each with the answer both sides must give.
fn path_table() -> Vec<(String, bool)> {
    let mut v: Vec<(String, bool)> = [
        ("D:\\Abc\\Backup", true),
        ("d:\\abc", true),
        ("D:\\Abc/Backup", false),
        ("D:/Abc", false),
        ("D:Folder", false),
        ("D:", false),
        ("D:\\", false),
        ("\\Folder", false),
        ("Folder", false),
        ("D:\\a\\", false),
        ("D:\\a\\\\b", false),
        ("\\\\s\\sh", true),
        ("\\\\s\\sh\\folder", true),
        ("\\\\s", false),
        ("\\\\s\\", false),
        ("\\\\\\sh", false),
        ("\\\\s\\sh\\", false),
        ("\\\\?\\D:\\x", false),
        ("\\\\.\\pipe", false),
        ("D:\\a\\.\\b", false),
        ("D:\\a\\..\\b", false),
        ("D:\\a\\..", false),
        ("D:\\a.\\b", false),
        ("D:\\a \\b", false),
        ("D:\\.hidden", true),
        ("D:\\a.b", true),
        ("D:\\ a", true),
        ("D:\\a:b", false),
        ("\\\\s:1\\sh", false),
        ("1:\\a", false),
        ("é:\\a", false),
        ("\u{212A}:\\a", false), // KELVIN SIGN: a case-insensitive match would take it for k
        ("D:\\Ab’c 'x' $y `z ; & {}", true),
        ("D:\\日本語\\Sicherung", true),
        ("D:\\emoji\u{1F600}", true),
        ("D:\\a<b", false),
        ("D:\\a>b", false),
        ("D:\\a\"b", false),
        ("D:\\a|b", false),
        ("D:\\a?b", false),
        ("D:\\a*b", false),
        ("D:\\a\tb", false),
        ("D:\\a\nb", false),
        ("D:\\a\u{85}b", false),
        ("D:\\a\u{202E}b", false),
        ("D:\\a\u{FEFF}b", false),
        ("D:\\a\u{2028}b", false),
        (" D:\\a", false),
        ("", false),
    ]
    .into_iter()
    .map(|(p, ok)| (p.to_string(), ok))
    .collect();
    // Long: 200 UTF-16 units is the limit; an astral character counts twice.
    let at_limit = format!("D:\\{}", "a".repeat(FOLDER_PATH_MAX_UTF16 - 3));
    v.push((at_limit.clone(), true));
    v.push((format!("{at_limit}b"), false));
    v.push((
        format!("D:\\{}\u{1F600}", "a".repeat(FOLDER_PATH_MAX_UTF16 - 4)),
        false,
    ));
    v.push((
        format!("D:\\{}é", "a".repeat(FOLDER_PATH_MAX_UTF16 - 4)),
        true,
    ));
    v
}

#[test]
fn the_path_table_holds_on_both_sides() {
    let re = folder_rule();
    let mut wrong = Vec::new();
    for (p, ok) in path_table() {
        let validate_ok = path_problem(&p).is_none();
        let script_ok = script_accepts(re, &p);
        if validate_ok != ok || script_ok != ok {
            wrong.push(format!(
                "{p:?}: expected {ok}, validate {validate_ok} ({:?}), script {script_ok}",
                path_problem(&p)
            ));
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

/// Paths built from the pieces that matter to either side.
fn path_like() -> impl Strategy<Value = String> {
    let piece = prop_oneof![
        6 => prop::sample::select(vec![
            "a", "Backup", "D:", "d:", "\\", "\\\\", "/", ":", ".", "..", " ", "x y", "é", "\u{1F600}",
            "’", "'", "\"", "|", "?", "*", "<", ">", "\t", "\n", "\u{85}", "\u{202E}", "\u{FEFF}",
            "\u{2066}", "\u{212A}", "$", "`", "%", "~1",
        ])
        .prop_map(str::to_string),
        1 => "[a-z]{1,70}",
    ];
    prop::collection::vec(piece, 0..12).prop_map(|v| v.concat())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(4000))]

    #[test]
    fn validate_and_the_script_accept_the_same_paths(
        prefix in prop::sample::select(vec!["", "D:\\", "\\\\", "\\\\srv\\share\\", "C:", "\\"]),
        rest in path_like(),
    ) {
        let p = format!("{prefix}{rest}");
        let re = folder_rule();
        prop_assert_eq!(
            path_problem(&p).is_none(),
            script_accepts(re, &p),
            "{:?}: validate says {:?}",
            p,
            path_problem(&p)
        );
    }
}

#[test]
fn service_id_rule_is_one_on_both_sides() {
    let re = Regex::new(SERVICE_ID_PATTERN).expect("compiles");
    let cases = [
        ("1-ApplicationServer-1", true),
        ("12-ApplicationServer-340", true),
        ("1-applicationserver-1", false),
        ("1-ApplicationServer-1\n", false),
        ("-ApplicationServer-1", false),
        ("1-ApplicationServer-", false),
        ("a-ApplicationServer-1", false),
        ("1-ApplicationServer-1-1", false),
        ("1-UserServer-1", false),
        ("١-ApplicationServer-1", false), // ARABIC-INDIC DIGIT ONE
        ("", false),
    ];
    for (id, ok) in cases {
        assert_eq!(re.is_match(id), ok, "pattern on {id:?}");
        let yaml = format!(
            "format: 1\nproduct: sfb2015\nbackup:\n  root: 'D:\\B'\n  copies: ['\\\\s\\c']\npools:\n  - fqdn: pool01.contoso.com\n    file_store: '\\\\fs\\share'\n    app_server_service_id: {}\n    backup_pool:\n      fqdn: pool02.contoso.com\n",
            serde_json::to_string(id).unwrap()
        );
        let loaded = abc_failover::load::load_bytes("t.yaml", "t.yaml", yaml.as_bytes(), &[]);
        assert_eq!(loaded.is_ok(), ok, "validate on {id:?}: {:?}", loaded.err());
    }
}

/// A .NET custom date format of the kinds the set name uses (`yyyy MM dd HH mm ss`, quoted
/// literals), applied to a UTC time given as its fields.
fn dotnet_format(format: &str, (y, mo, d, h, mi, s): (u32, u32, u32, u32, u32, u32)) -> String {
    let mut out = String::new();
    let mut rest = format;
    while !rest.is_empty() {
        if let Some(after) = rest.strip_prefix('\'') {
            let end = after.find('\'').expect("closed literal");
            out.push_str(&after[..end]);
            rest = &after[end + 1..];
            continue;
        }
        let (text, n) = match rest {
            r if r.starts_with("yyyy") => (format!("{y:04}"), 4),
            r if r.starts_with("MM") => (format!("{mo:02}"), 2),
            r if r.starts_with("dd") => (format!("{d:02}"), 2),
            r if r.starts_with("HH") => (format!("{h:02}"), 2),
            r if r.starts_with("mm") => (format!("{mi:02}"), 2),
            r if r.starts_with("ss") => (format!("{s:02}"), 2),
            r => panic!("format specifier this oracle does not know at {r:?}"),
        };
        out.push_str(&text);
        rest = &rest[n..];
    }
    out
}

/// The names the script gives its sets (`$SetNameFormat`) are exactly the names Prune and the
/// checklist recognise (`$SetNameRegex`), and nothing else looks like one.
#[test]
fn set_names_written_are_set_names_recognised() {
    use abc_failover::plan::LAYOUT;
    let re = Regex::new(LAYOUT.set_name_regex).expect("compiles");
    for t in [
        (2024, 1, 1, 0, 0, 0),
        (2026, 12, 31, 23, 59, 59),
        (1999, 2, 28, 9, 5, 7),
        (9999, 12, 31, 23, 59, 59),
    ] {
        let name = dotnet_format(LAYOUT.set_name_format, t);
        assert!(re.is_match(&name), "{name}");
        assert_eq!(name.len(), 16, "{name}");
    }
    assert_eq!(
        dotnet_format(LAYOUT.set_name_format, (2026, 3, 4, 5, 6, 7)),
        "20260304T050607Z"
    );
    for not in [
        "20260304t050607Z",
        "20260304T050607z",
        "20260304T050607Z\n",
        "20260304T050607Z.old",
        "x20260304T050607Z",
        "2026030T050607Z",
        "20260304T0506077Z",
        "２0260304T050607Z",
    ] {
        assert!(!re.is_match(not), "{not:?}");
    }
}

/// The FQDN and pool id rules at their boundaries (each off-by-one is a different answer).
#[test]
fn fqdn_and_pool_id_boundaries() {
    use abc_failover::validate::{fqdn_problem, is_pool_id};
    let label = |n: usize| "a".repeat(n);
    // 253 characters in all is the limit: 4 labels of 62 and one of 1, joined by dots.
    let fqdn_253 = format!("{}.{}.{}.{}.b", label(62), label(62), label(62), label(62));
    assert_eq!(fqdn_253.len(), 253);
    assert_eq!(fqdn_problem(&fqdn_253), None);
    assert!(fqdn_problem(&format!("{fqdn_253}b")).is_some());
    assert_eq!(fqdn_problem(&format!("{}.contoso.com", label(63))), None);
    assert!(fqdn_problem(&format!("{}.contoso.com", label(64))).is_some());
    assert_eq!(fqdn_problem("a.b"), None);
    for bad in [
        "a", "", "a..b", ".a.b", "a.b.", "-a.b", "a-.b", "a_b.c", "a b.c", "é.com", "a.b/",
    ] {
        assert!(fqdn_problem(bad).is_some(), "{bad:?}");
    }
    assert_eq!(fqdn_problem("a-b.c-d.e"), None);
    assert_eq!(fqdn_problem("XN--BCHER-KVA.example"), None);

    assert!(is_pool_id(&label(32)) && !is_pool_id(&label(33)) && !is_pool_id(""));
    for ok in ["a", "red", "pool-1", "0", "com0", "lpt", "com10", "conx"] {
        assert!(is_pool_id(ok), "{ok}");
    }
    for bad in [
        "Red", "a_b", "a.b", "a b", "é", "con", "nul", "prn", "aux", "com1", "com9", "lpt1", "lpt9",
    ] {
        assert!(!is_pool_id(bad), "{bad}");
    }
}
