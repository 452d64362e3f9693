//! `abc-failover completions SHELL` and `abc-failover man`: every shell's script names every
//! command, the PowerShell and bash scripts parse, and the manual pages are well-formed roff.

mod common;

use std::process::{Command, Output};

fn run(args: &[&str]) -> Output {
    common::abc(None, args)
}

fn ok_stdout(args: &[&str]) -> String {
    let o = run(args);
    assert_eq!(
        o.status.code(),
        Some(0),
        "{args:?}: {}",
        String::from_utf8_lossy(&o.stderr)
    );
    String::from_utf8(o.stdout).expect("UTF-8")
}

const COMMANDS: [&str; 11] = [
    "init",
    "import",
    "validate",
    "render",
    "check",
    "diff",
    "schema",
    "completions",
    "man",
    "templates",
    "export",
];

#[test]
fn every_shell_completes_every_command() {
    // The form in which each shell's script offers a command and a flag as a candidate (a bare
    // substring would match `man` inside `command` or `set` inside `reset`).
    let forms: [(&str, &str, &str); 5] = [
        ("bash", "__subcmd__{}\"", "--{}(?:[^A-Za-z0-9-]|$)"),
        ("zsh", "'{}:", "'\\*?--{}[\\[=]"),
        ("fish", "-a \"{}\"", "-l {} "),
        ("powershell", "::new\\('{}',", "::new\\('--{}',"),
        ("elvish", "cand {} ", "cand --{} "),
    ];
    for (shell, cmd_form, flag_form) in forms {
        let script = ok_stdout(&["completions", shell]);
        let offers = |form: &str, word: &str| {
            let pattern = form.replace("{}", &regex::escape(word));
            regex::Regex::new(&pattern)
                .expect("pattern")
                .is_match(&script)
        };
        for cmd in COMMANDS {
            assert!(offers(cmd_form, cmd), "{shell}: no command `{cmd}`");
        }
        assert!(
            !offers(cmd_form, "no-such-command"),
            "{shell}: the check is blind"
        );
        for flag in [
            "format",
            "deny-warnings",
            "set",
            "templates",
            "stat",
            "dir",
            "compare",
        ] {
            assert!(offers(flag_form, flag), "{shell}: no flag `--{flag}`");
        }
        assert!(
            !offers(flag_form, "no-such-flag"),
            "{shell}: the check is blind"
        );
    }
    assert_eq!(run(&["completions", "tcsh"]).status.code(), Some(2));
}

#[test]
fn powershell_completion_parses_and_registers_a_completer() {
    let script = ok_stdout(&["completions", "powershell"]);
    assert_eq!(common::syntax_problems(&script), Vec::<String>::new());
    assert!(!script.contains(".Where{"), "{script}");
    assert!(
        script.contains("Register-ArgumentCompleter -Native -CommandName 'abc-failover'"),
        "{script}"
    );
    // Commands after `abc-failover`, and each command's options.
    assert!(
        script.contains("[CompletionResult]::new('render', 'render'")
            && script.contains("'abc-failover;diff' {")
            && script.contains("[CompletionResult]::new('--stat', '--stat'"),
        "{script}"
    );
}

#[test]
fn bash_completion_is_valid_bash() {
    let script = ok_stdout(&["completions", "bash"]);
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("abc-failover.bash");
    std::fs::write(&path, &script).unwrap();
    let o = Command::new("bash")
        .arg("-n")
        .arg(&path)
        .output()
        .expect("bash runs");
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    assert!(script.contains("complete -F _abc__failover"), "{script}");
}

#[test]
fn man_prints_the_page_of_the_tool() {
    let page = ok_stdout(&["man"]);
    assert!(page.contains(".TH abc-failover 1"), "{page}");
    for section in [".SH NAME", ".SH SYNOPSIS", ".SH SUBCOMMANDS"] {
        assert!(page.contains(section), "no {section}");
    }
    for cmd in COMMANDS.iter().filter(|c| **c != "export") {
        assert!(
            page.contains(&format!("abc\\-failover\\-{cmd}(1)")),
            "no {cmd}"
        );
    }
    assert!(page.contains("Exit codes: 0 success"), "{page}");
    // No page is written for `help`, so the page does not point at one.
    assert!(!page.contains("abc\\-failover\\-help(1)"), "{page}");
}

#[test]
fn man_dir_writes_one_page_per_command() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("man1");
    let o = run(&["man", "--dir", &out.display().to_string()]);
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    let names: Vec<String> = common::files_under(&out).into_keys().collect();
    assert_eq!(
        names,
        [
            "abc-failover-check.1",
            "abc-failover-completions.1",
            "abc-failover-diff.1",
            "abc-failover-import.1",
            "abc-failover-init.1",
            "abc-failover-man.1",
            "abc-failover-render.1",
            "abc-failover-schema.1",
            "abc-failover-templates-export.1",
            "abc-failover-templates-list.1",
            "abc-failover-templates.1",
            "abc-failover-validate.1",
            "abc-failover.1",
        ]
    );
    let diff = std::fs::read_to_string(out.join("abc-failover-diff.1")).unwrap();
    assert!(diff.contains(".TH abc-failover-diff 1"), "{diff}");
    assert!(diff.contains("REV:PATH"), "{diff}");
    assert_eq!(
        std::fs::read_to_string(out.join("abc-failover.1")).unwrap(),
        ok_stdout(&["man"])
    );
}
