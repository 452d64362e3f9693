//! Rules every template must keep, so escaping cannot be bypassed by a template edit.

use abc_failover::render::TemplateSet;

#[test]
fn no_template_bypasses_escaping() {
    for (name, (text, _)) in TemplateSet::embedded().files {
        for (i, line) in text.lines().enumerate() {
            let compact: String = line.chars().filter(|c| !c.is_whitespace()).collect();
            assert!(
                !compact.contains("|safe"),
                "{name}:{}: `| safe` bypasses escaping",
                i + 1
            );
            assert!(
                !compact.contains("{%autoescape"),
                "{name}:{}: autoescape blocks are not allowed",
                i + 1
            );
            assert!(
                !compact.contains("{%raw"),
                "{name}:{}: raw blocks are not allowed",
                i + 1
            );
        }
    }
}

#[test]
fn the_comment_filter_is_only_used_in_header_comments() {
    for (name, (text, _)) in TemplateSet::embedded().files {
        for (i, line) in text.lines().enumerate() {
            if line.contains("| comment") || line.contains("|comment") {
                let t = line.trim_start();
                assert!(
                    t.starts_with('#') || t.starts_with("<!--"),
                    "{name}:{}: `comment` filter outside a comment line",
                    i + 1
                );
            }
        }
    }
}

#[test]
fn ps1_templates_never_print_a_value_inside_double_quotes_or_after_a_comment_mark() {
    for (name, (text, _)) in TemplateSet::embedded().files {
        if !name.ends_with(".ps1.tera") {
            continue;
        }
        for (i, line) in text.lines().enumerate() {
            let mut rest = line;
            while let Some(pos) = rest.find("{{") {
                let before = &line[..line.len() - rest.len() + pos];
                let expr_end = rest[pos..].find("}}").map_or(rest.len(), |e| pos + e + 2);
                let expr = &rest[pos..expr_end];
                if !expr.contains("comment") {
                    let quotes = before.chars().filter(|c| *c == '"').count();
                    assert!(
                        quotes % 2 == 0,
                        "{name}:{}: a value inside double quotes: {line}",
                        i + 1
                    );
                    assert!(
                        !before.contains('#') || before.matches('\'').count() % 2 == 1,
                        "{name}:{}: a value in a comment: {line}",
                        i + 1
                    );
                }
                rest = &rest[expr_end..];
            }
        }
    }
}

#[test]
fn an_override_folder_is_read_in_name_order() {
    let tmp = tempfile::tempdir().unwrap();
    for name in ["zz-typo.md.tera", "mm-typo.ps1.tera", "aa-typo.ps1.tera"] {
        std::fs::write(tmp.path().join(name), "x").unwrap();
    }
    let err = TemplateSet::with_overrides(tmp.path())
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("aa-typo.ps1.tera does not replace any embedded template"),
        "{err}"
    );
}

/// The embedded tree: (path relative to templates/, text).
fn tree() -> Vec<(String, String)> {
    TemplateSet::embedded()
        .files
        .into_iter()
        .map(|(name, (text, _))| (name, text))
        .collect()
}

#[test]
fn no_template_file_is_over_250_lines() {
    for (name, text) in tree() {
        let lines = text.lines().count();
        assert!(lines <= 250, "{name}: {lines} lines");
    }
}

#[test]
fn each_backup_step_and_each_of_the_29_runbook_steps_is_its_own_file() {
    let names: Vec<String> = tree().into_iter().map(|(n, _)| n).collect();
    let under =
        |prefix: &str| -> Vec<&String> { names.iter().filter(|n| n.starts_with(prefix)).collect() };
    let backup_steps = under("backup/steps/");
    assert_eq!(backup_steps.len(), abc_failover::plan::BACKUP_STEPS.len());
    for (i, name) in backup_steps.iter().enumerate() {
        assert!(
            name.starts_with(&format!("backup/steps/{:02}-", i + 1)) && name.ends_with(".ps1.tera"),
            "{name}"
        );
    }
    let steps = under("checklist/steps/");
    assert_eq!(steps.len(), 29);
    for (i, name) in steps.iter().enumerate() {
        assert!(
            name.starts_with(&format!("checklist/steps/{:02}-", i + 1))
                && name.ends_with(".md.tera"),
            "{name}"
        );
    }
}

/// `{% include "NAME" %}` targets of a template text, in order.
fn includes(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut rest = text;
    while let Some(pos) = rest.find("include \"") {
        rest = &rest[pos + "include \"".len()..];
        let end = rest.find('"').expect("closing quote");
        out.push(rest[..end].to_string());
        rest = &rest[end..];
    }
    out
}

#[test]
fn the_runbook_layout_lists_every_part_once_and_the_steps_in_order() {
    let files = tree();
    let layout = &files
        .iter()
        .find(|(n, _)| n == "checklist/layout.md.tera")
        .expect("layout")
        .1;
    let listed = includes(layout);
    let mut seen = std::collections::BTreeSet::new();
    for name in &listed {
        assert!(seen.insert(name.clone()), "{name} listed twice");
    }
    let steps: Vec<&String> = listed
        .iter()
        .filter(|n| n.starts_with("checklist/steps/"))
        .collect();
    let mut sorted = steps.clone();
    sorted.sort();
    assert_eq!(steps, sorted, "the 29 steps in Microsoft's order");
    assert_eq!(steps.len(), 29);
    // Every other runbook file is reached: listed by the layout or included by a part.
    let included_by_parts: Vec<String> = files
        .iter()
        .filter(|(n, _)| n.starts_with("checklist/") && n != "checklist/layout.md.tera")
        .flat_map(|(_, t)| includes(t))
        .collect();
    for (name, _) in &files {
        let short = name.trim_end_matches(".tera");
        if name.starts_with("checklist/") && name != "checklist/layout.md.tera" {
            assert!(
                listed.iter().any(|l| l == short) || included_by_parts.iter().any(|l| l == short),
                "{name} is never included"
            );
        }
    }
}

/// The runbook value a part binds: `steps/14-call-park` -> `step14`, `before/p2-...` -> `p2`,
/// `extra/sign-off` -> `sign_off`, `header` -> `header`.
fn own_key(name: &str) -> String {
    let stem = name
        .trim_start_matches("checklist/")
        .trim_end_matches(".md.tera");
    if let Some(rest) = stem.strip_prefix("steps/") {
        format!("step{}", &rest[..2])
    } else if let Some(rest) = stem.strip_prefix("before/") {
        rest.split('-').next().unwrap().to_string()
    } else {
        stem.rsplit('/').next().unwrap().replace('-', "_")
    }
}

#[test]
fn a_runbook_part_reads_only_its_own_value_and_every_value_has_its_part() {
    let yaml = std::fs::read(concat!(env!("CARGO_MANIFEST_DIR"), "/samples/contoso.yaml")).unwrap();
    let loaded =
        abc_failover::load::load_bytes("contoso.yaml", "contoso.yaml", &yaml, &[]).unwrap();
    let plan = abc_failover::plan::pool_plan(&loaded, &loaded.topology.pools[0]);
    let runbook = serde_json::to_value(&plan.runbook).unwrap();
    let keys: std::collections::BTreeSet<String> =
        runbook.as_object().unwrap().keys().cloned().collect();
    let mut bound = std::collections::BTreeSet::new();
    for (name, text) in tree() {
        if name.ends_with(".ps1.tera") {
            assert!(
                !text.contains("runbook"),
                "{name}: the backup script reads no runbook value"
            );
            continue;
        }
        let uses = text.matches("runbook.").count();
        if uses == 0 {
            continue;
        }
        let key = own_key(&name);
        assert_eq!(
            text.lines().next().unwrap(),
            format!("{{%- set part = runbook.{key} -%}}"),
            "{name}: binds its own value on its first line"
        );
        assert_eq!(uses, 1, "{name}: reads no other part's value");
        assert!(!text.contains("checklist."), "{name}");
        bound.insert(key);
    }
    assert_eq!(
        bound, keys,
        "every runbook value is bound by its own part, and only by it"
    );
}
