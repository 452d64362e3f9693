//! The interactive runbook page (`ID/restore-checklist-ID.html`) without a browser: what it is
//! made of, that it holds every command block of its Markdown exactly, and that no value of a
//! hostile topology ends up inside a tag. The browser test (tests/browser, run by .ci/run)
//! checks the behaviour.

mod common;

use abc_failover::html::page;
use pulldown_cmark::{CodeBlockKind, Event, Options, Parser, Tag, TagEnd};

/// Every page the samples and the hostile fixtures produce, with its Markdown.
fn pages() -> Vec<(String, String, String)> {
    let mut inputs = common::samples();
    for f in [
        "hostile-checklist.yaml",
        "hostile-backup.yaml",
        "hostile-html.yaml",
    ] {
        inputs.push(common::root().join("tests/fixtures").join(f));
    }
    let mut out = Vec::new();
    for input in inputs {
        let a = common::render(&common::load_path(&input));
        for (path, bytes) in &a {
            if let Some(md_path) = path.strip_suffix(".html") {
                let md = String::from_utf8(a[&format!("{md_path}.md")].clone()).expect("UTF-8");
                let html = String::from_utf8(bytes.clone()).expect("UTF-8");
                out.push((path.clone(), md, html));
            }
        }
    }
    assert!(out.len() >= 10, "{}", out.len());
    out
}

/// The fenced code blocks of a Markdown text (language, text), as CommonMark reads them.
fn md_blocks(md: &str) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let mut current: Option<(String, String)> = None;
    for e in Parser::new_ext(md, Options::ENABLE_TABLES | Options::ENABLE_TASKLISTS) {
        match e {
            Event::Start(Tag::CodeBlock(CodeBlockKind::Fenced(lang))) => {
                current = Some((lang.to_string(), String::new()))
            }
            Event::Text(t) => {
                if let Some((_, body)) = &mut current {
                    body.push_str(&t);
                }
            }
            Event::End(TagEnd::CodeBlock) => out.extend(current.take()),
            _ => {}
        }
    }
    out
}

fn unescape(s: &str) -> String {
    s.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&amp;", "&")
}

/// The text of each `<code id="code-N">` block of a page, unescaped.
fn page_blocks(html: &str) -> Vec<String> {
    html.split("<code id=\"code-")
        .skip(1)
        .map(|rest| {
            let start = rest.find('>').expect("tag end") + 1;
            let end = rest.find("</code>").expect("block end");
            // Without the per-line spans: the text nodes are what the copy button copies.
            let inner = &rest[start..end];
            let text: String = inner
                .split('<')
                .enumerate()
                .map(|(i, part)| {
                    if i == 0 {
                        part
                    } else {
                        part.split_once('>').map_or("", |(_, t)| t)
                    }
                })
                .collect();
            unescape(&text)
        })
        .collect()
}

/// Every tag of the page (`<...>`), outside the inline script and style.
fn tags(html: &str) -> Vec<&str> {
    let head_end = html.find("</style>").expect("style");
    let script = html.rfind("<script>").expect("script");
    let body = &html[head_end..script];
    body.split('<')
        .skip(1)
        .map(|t| t.split('>').next().unwrap_or(t))
        .collect()
}

#[test]
fn each_page_holds_every_command_block_of_its_markdown_exactly() {
    for (path, md, html) in pages() {
        let expected: Vec<String> = md_blocks(&md)
            .into_iter()
            .filter(|(lang, _)| lang != "mermaid")
            .map(|(_, t)| t)
            .collect();
        assert!(!expected.is_empty(), "{path}");
        assert_eq!(page_blocks(&html), expected, "{path}");
        assert_eq!(
            html.matches("<button type=\"button\" class=\"copy\"")
                .count(),
            expected.len(),
            "{path}"
        );
    }
}

#[test]
fn each_page_is_self_contained() {
    for (path, md, html) in pages() {
        assert_eq!(html.matches("<script").count(), 1, "{path}");
        assert_eq!(html.matches("<style").count(), 1, "{path}");
        assert_eq!(html.matches("<svg").count(), 1, "{path}: the pool diagram");
        assert!(!html.contains("```mermaid"), "{path}");
        assert!(html.contains("<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; script-src 'sha256-"), "{path}");
        for t in tags(&html) {
            let lower = t.to_ascii_lowercase();
            for bad in [
                "src=", "http:", "https:", "url(", "@import", " on", "style=",
            ] {
                // The SVG's own namespace and marker reference are the only URLs.
                if lower.starts_with("svg ") && bad == "http:" || lower.contains("url(#arrow)") {
                    continue;
                }
                assert!(!lower.contains(bad), "{path}: <{t}>");
            }
        }
        assert!(
            html.contains(&format!(
                "data-runbook=\"{}\"",
                abc_failover::load::sha256_hex(md.as_bytes())
            )),
            "{path}"
        );
        assert!(
            html.ends_with("</html>\n") && !html.contains('\r'),
            "{path}"
        );
    }
}

#[test]
fn no_value_of_a_hostile_topology_lands_inside_a_tag() {
    let hostile: Vec<_> = pages()
        .into_iter()
        .filter(|(p, _, _)| {
            p.starts_with("page/") || p.starts_with("hostile/") || p.starts_with("evil/")
        })
        .collect();
    assert_eq!(hostile.len(), 3);
    for (path, _, html) in hostile {
        let shown = html.matches("ZZHTML").count()
            + html.matches("ZZMARK").count()
            + html.matches("&lt;b&gt;").count();
        assert!(
            shown > 0,
            "{path}: the fixture's markers are not in the page"
        );
        for t in tags(&html) {
            let lower = t.to_ascii_lowercase();
            assert!(
                !lower.contains("zzhtml") && !lower.contains("zzmark"),
                "{path}: <{t}>"
            );
            assert!(!lower.starts_with("b ") && lower != "b", "{path}: <{t}>");
        }
        // The injected markup of hostile-html.yaml is shown as text.
        if path.starts_with("page/") {
            assert!(
                html.contains("&lt;script&gt;window.ZZHTML1=1&lt;/script&gt;"),
                "{path}"
            );
            assert!(html.contains("&lt;!-- ZZHTML5 --&gt;"), "{path}");
        }
    }
}

#[test]
fn the_page_is_made_from_the_markdown_alone() {
    for (path, md, html) in pages() {
        let id = path.split('/').next().expect("pool folder");
        assert_eq!(page(id, md.as_bytes()), html.as_bytes(), "{path}");
    }
}

fn abc(args: &[&str]) -> std::process::Output {
    common::abc(None, args)
}

#[test]
fn check_shows_a_page_that_only_follows_its_markdown_as_one_line() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("out");
    let out_s = out.to_str().unwrap();
    let sample = common::root().join("samples/contoso.yaml");
    let sample_s = sample.to_str().unwrap();
    assert!(abc(&["render", sample_s, "-o", out_s]).status.success());
    // The committed output of an older runbook: its Markdown and the page made from it.
    let md_path = out.join("red/restore-checklist-red.md");
    let older = std::fs::read_to_string(&md_path).unwrap().replacen(
        "## Before you begin",
        "## Before you start",
        1,
    );
    std::fs::write(&md_path, &older).unwrap();
    std::fs::write(
        out.join("red/restore-checklist-red.html"),
        page("red", older.as_bytes()),
    )
    .unwrap();
    let o = abc(&["check", sample_s, "-o", out_s]);
    let s = String::from_utf8_lossy(&o.stdout);
    assert_eq!(o.status.code(), Some(1), "{s}");
    assert!(s.contains("changed: red/restore-checklist-red.html"), "{s}");
    assert!(s.contains("--- a/red/restore-checklist-red.md"), "{s}");
    assert!(!s.contains("--- a/red/restore-checklist-red.html"), "{s}");
    let line = "red/restore-checklist-red.html: changed only because red/restore-checklist-red.md changed (the page is made from it); no second diff";
    assert_eq!(s.matches(line).count(), 1, "{s}");

    // A page edited by hand keeps its full diff.
    let mut edited = page("red", older.as_bytes());
    edited.extend_from_slice(b"<!-- typed by hand -->\n");
    std::fs::write(out.join("red/restore-checklist-red.html"), edited).unwrap();
    let s = String::from_utf8_lossy(&abc(&["check", sample_s, "-o", out_s]).stdout).into_owned();
    assert!(s.contains("--- a/red/restore-checklist-red.html"), "{s}");
    assert!(s.contains("-<!-- typed by hand -->"), "{s}");
}

#[test]
fn diff_shows_a_page_that_only_follows_its_markdown_as_one_line() {
    let tmp = tempfile::tempdir().unwrap();
    let old = common::root().join("samples/contoso.yaml");
    let text = std::fs::read_to_string(&old).unwrap();
    let new = tmp.path().join("contoso.yaml");
    std::fs::write(&new, text.replacen("Contoso Ltd", "Contoso Limited", 1)).unwrap();
    let o = abc(&["diff", old.to_str().unwrap(), new.to_str().unwrap()]);
    let s = String::from_utf8_lossy(&o.stdout);
    assert_eq!(o.status.code(), Some(1), "{s}");
    assert!(s.contains("+Organization: Contoso Limited"), "{s}");
    assert!(!s.contains("+++ new/red/restore-checklist-red.html"), "{s}");
    assert!(s.contains("red/restore-checklist-red.html: changed only because red/restore-checklist-red.md changed"), "{s}");
    assert!(s.contains("red: 2 file(s) changed"), "{s}");
}
