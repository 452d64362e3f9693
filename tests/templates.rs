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
