//! Every generated script and every PowerShell block of every checklist, read with PowerShell's
//! quote rules (tests/common/quotes.rs), has exactly the strings and comments tree-sitter reads.
//! tree-sitter-powershell takes U+2018-U+201B for ordinary characters, so without this a value
//! printed with only the ASCII quote doubled would still "parse clean".
mod common;

use common::quotes::{lex, quote_rule_problems, Kind};

fn all_outputs() -> Vec<(String, Vec<u8>)> {
    let mut inputs = common::samples();
    for f in ["hostile-backup.yaml", "hostile-checklist.yaml"] {
        inputs.push(common::root().join("tests/fixtures").join(f));
    }
    let mut out = Vec::new();
    for p in inputs {
        let loaded = common::load_path(&p);
        for (name, bytes) in common::render(&loaded) {
            out.push((format!("{}: {name}", p.display()), bytes));
        }
    }
    out
}

#[test]
fn the_lexer_follows_powershells_quote_rules() {
    let lexed = |s: &str| lex(s).unwrap();
    assert_eq!(lexed("$a = 'it''s'"), vec![(Kind::SingleQuoted, 5, 12)]);
    // Any of the five quotes ends a string and any doubles any other.
    assert_eq!(lexed("'a’’b'"), vec![(Kind::SingleQuoted, 0, 10)]);
    assert_eq!(lexed("'a'’b'"), vec![(Kind::SingleQuoted, 0, 8)]);
    assert_eq!(
        lexed("‘x‛ 'y'"),
        vec![(Kind::SingleQuoted, 0, 7), (Kind::SingleQuoted, 8, 11)]
    );
    assert!(
        lex("'a’b'").is_err(),
        "’ ends the string, so the last ' opens one"
    );
    assert_eq!(
        lexed("'a’b'c'"),
        vec![(Kind::SingleQuoted, 0, 5), (Kind::SingleQuoted, 6, 9)]
    );
    // Comments, and quotes inside them or after a backtick.
    assert_eq!(
        lexed("x # it's\n'y'"),
        vec![(Kind::Comment, 2, 8), (Kind::SingleQuoted, 9, 12)]
    );
    assert_eq!(
        lexed("<# it's #> 'y'"),
        vec![(Kind::Comment, 0, 10), (Kind::SingleQuoted, 11, 14)]
    );
    assert_eq!(lexed("f `'x"), vec![]);
    assert_eq!(
        lexed("'# not a comment'"),
        vec![(Kind::SingleQuoted, 0, 17)]
    );
    assert!(lex("\"x\"").is_err());
    assert!(lex("@'\nx\n'@").is_err());
}

#[test]
fn the_check_catches_what_tree_sitter_misses() {
    // The very case: tree-sitter reads one clean literal, PowerShell two strings.
    let src = "$a = 'a’b'\n$b = 'c'\n";
    assert_eq!(
        common::syntax_problems(src),
        Vec::<String>::new(),
        "tree-sitter parses it clean"
    );
    assert!(!quote_rule_problems(src).is_empty());
    // Doubled, both agree.
    assert_eq!(
        quote_rule_problems("$a = 'a’’b'\n$b = 'c'\n"),
        Vec::<String>::new()
    );
    // Only the ASCII quote doubled: PowerShell's string ends at ‘.
    assert!(!quote_rule_problems("$a = 'O''Brien‘s'\n").is_empty());
}

#[test]
fn every_generated_script_follows_the_quote_rules() {
    let mut checked = 0;
    for (name, bytes) in all_outputs() {
        if !name.ends_with(".ps1") {
            continue;
        }
        let src = common::text(&bytes);
        let problems = quote_rule_problems(&src);
        assert!(problems.is_empty(), "{name}:\n{}", problems.join("\n"));
        assert!(lex(&src).unwrap().iter().any(|t| t.0 == Kind::SingleQuoted));
        checked += 1;
    }
    assert!(checked >= 9, "{checked} scripts");
}

#[test]
fn every_checklist_block_follows_the_quote_rules() {
    let mut blocks = 0;
    for (name, bytes) in all_outputs() {
        if !name.ends_with(".md") {
            continue;
        }
        for (line, block) in common::powershell_blocks(&common::text(&bytes)) {
            let problems = quote_rule_problems(&block);
            assert!(
                problems.is_empty(),
                "{name}, block at line {line}:\n{}",
                problems.join("\n")
            );
            blocks += 1;
        }
    }
    assert!(blocks > 100, "{blocks} blocks");
}
