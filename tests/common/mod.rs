//! Helpers shared by the integration tests.
#![allow(dead_code)]

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use abc_failover::load::{load_bytes, load_file, Loaded};
use abc_failover::render::{render_embedded, Artifacts, Renderer, TemplateSet};
use tree_sitter::{Node, Parser, Tree};

pub mod cmdlets;
pub mod quotes;
pub mod structure;

/// The abc-failover binary of this build, with NO_COLOR set.
pub fn bin() -> std::process::Command {
    let mut c = std::process::Command::new(env!("CARGO_BIN_EXE_abc-failover"));
    c.env("NO_COLOR", "1");
    c
}

/// Run the binary with `args`, in `dir` when given; fails the test when the tool panicked.
pub fn abc(dir: Option<&Path>, args: &[&str]) -> std::process::Output {
    let mut c = bin();
    if let Some(dir) = dir {
        c.current_dir(dir);
    }
    let out = c.args(args).output().expect("the binary runs");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!stderr.contains("panicked"), "{stderr}");
    out
}

pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Every bundled sample topology, sorted.
pub fn samples() -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> = std::fs::read_dir(root().join("samples"))
        .expect("samples/")
        .map(|e| e.expect("entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "yaml"))
        .collect();
    v.sort();
    v
}

pub fn load_path(path: &Path) -> Loaded {
    load_file(path, &[]).unwrap_or_else(|e| panic!("{}: {e:?}", path.display()))
}

/// Load a topology given as text (name `topology.yaml`).
pub fn load_text(yaml: &str) -> Loaded {
    load_bytes("topology.yaml", "topology.yaml", yaml.as_bytes(), &[])
        .unwrap_or_else(|e| panic!("{e:?}"))
}

/// Render with the embedded templates, or, when `ABC_FAILOVER_TEST_TEMPLATES` names a folder,
/// with that folder's templates replacing the embedded ones of the same name: the template
/// mutation harness (`python3 .ci/template_mutations.py`) runs the semantic tests that way.
pub fn render(loaded: &Loaded) -> Artifacts {
    match std::env::var_os(TEMPLATES_ENV) {
        Some(dir) => {
            let set = TemplateSet::with_overrides(Path::new(&dir)).expect("override templates");
            Renderer::new(&set)
                .and_then(|r| r.render_all(loaded))
                .expect("render")
        }
        None => render_embedded(loaded).expect("render"),
    }
}

pub const TEMPLATES_ENV: &str = "ABC_FAILOVER_TEST_TEMPLATES";

/// One generated file of pool `id` as text; `which` is 0 for the backup script, 1 for the
/// restore checklist (the order of `render::pool_files`).
fn pool_file(artifacts: &Artifacts, id: &str, which: usize) -> String {
    let path = &abc_failover::render::pool_files(id)[which];
    let bytes = artifacts.get(path).unwrap_or_else(|| {
        panic!(
            "{path} not rendered; have {:?}",
            artifacts.keys().collect::<Vec<_>>()
        )
    });
    text(bytes)
}

/// The backup script of pool `id`, as text.
pub fn script_of(artifacts: &Artifacts, id: &str) -> String {
    pool_file(artifacts, id, 0)
}

/// The restore checklist of pool `id`.
pub fn checklist_of(loaded: &Loaded, id: &str) -> String {
    pool_file(&render(loaded), id, 1)
}

/// Every pool's backup script, as (pool, text), in topology order.
pub fn pool_scripts(loaded: &Loaded) -> Vec<(abc_failover::model::Pool, String)> {
    let artifacts = render(loaded);
    loaded
        .topology
        .pools
        .iter()
        .map(|pool| (pool.clone(), script_of(&artifacts, &pool.effective_id())))
        .collect()
}

/// A generated file as text: BOM dropped, CRLF turned into LF.
pub fn text(bytes: &[u8]) -> String {
    let s = std::str::from_utf8(bytes).expect("UTF-8");
    s.strip_prefix('\u{FEFF}')
        .unwrap_or(s)
        .replace("\r\n", "\n")
}

pub fn parse_ps(src: &str) -> Tree {
    let mut parser = Parser::new();
    parser
        .set_language(&tree_sitter_powershell::LANGUAGE.into())
        .expect("grammar loads");
    parser.parse(src, None).expect("parser returns a tree")
}

/// ERROR and MISSING nodes of a PowerShell parse, as `KIND line:col "text"`; empty when clean.
pub fn syntax_problems(src: &str) -> Vec<String> {
    let tree = parse_ps(src);
    let mut out = Vec::new();
    visit_errors(tree.root_node(), src.as_bytes(), &mut out);
    out
}

fn visit_errors(node: Node, src: &[u8], out: &mut Vec<String>) {
    if !node.has_error() && !node.is_missing() {
        return;
    }
    if node.is_error() || node.is_missing() {
        let p = node.start_position();
        let what = if node.is_missing() {
            "MISSING"
        } else {
            "ERROR"
        };
        let text: String = node.utf8_text(src).unwrap_or("").chars().take(80).collect();
        out.push(format!(
            "{what} {} at {}:{} {:?}",
            node.kind(),
            p.row + 1,
            p.column + 1,
            text
        ));
    }
    let mut cursor = node.walk();
    for child in node.children(&mut cursor) {
        visit_errors(child, src, out);
    }
}

/// Call `f` on every node of the tree, depth first.
pub fn walk<'t>(node: Node<'t>, f: &mut dyn FnMut(Node<'t>)) {
    f(node);
    let mut cursor = node.walk();
    for child in node.children(&mut cursor) {
        walk(child, f);
    }
}

/// The ```powershell blocks of a Markdown text, as written (with the `. {`, `trap { break }` and
/// `}` lines every block is wrapped in), with the line each starts on (1-based).
pub fn wrapped_powershell_blocks(md: &str) -> Vec<(usize, String)> {
    fenced_blocks(md, "powershell")
}

/// The fenced blocks of language `lang` of a Markdown text (indented or not), with the line
/// each body starts on (1-based).
pub fn fenced_blocks(md: &str, lang: &str) -> Vec<(usize, String)> {
    let open = format!("```{lang}");
    let mut out = Vec::new();
    let mut current: Option<(usize, String)> = None;
    for (i, line) in md.lines().enumerate() {
        match &mut current {
            None if line.trim_start() == open => current = Some((i + 2, String::new())),
            Some(_) if line.trim_start() == "```" => out.push(current.take().expect("open block")),
            Some((_, body)) => {
                body.push_str(line);
                body.push('\n');
            }
            None => {}
        }
    }
    assert!(current.is_none(), "unclosed ```{lang} block");
    out
}

/// The body of every ```powershell block of a Markdown text, inside the `. {` `trap { break }`
/// ... `}` wrapper (which it asserts), with the line the body starts on (1-based).
pub fn powershell_blocks(md: &str) -> Vec<(usize, String)> {
    wrapped_powershell_blocks(md)
        .into_iter()
        .map(|(line, block)| {
            let lines: Vec<&str> = block.lines().collect();
            assert!(
                lines.len() >= 3
                    && lines[0].trim() == ". {"
                    && lines[1].trim() == "trap { break }"
                    && lines[lines.len() - 1].trim() == "}",
                "block at line {line} is not wrapped in . {{ }}:\n{block}"
            );
            let mut body = String::new();
            for l in &lines[2..lines.len() - 1] {
                body.push_str(l);
                body.push('\n');
            }
            (line + 2, body)
        })
        .collect()
}

/// Every file under `dir` (relative path with `/`) with its bytes. Panics when `dir` is not a
/// folder, so the trees of two failed renders never compare equal.
pub fn files_under(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    assert!(dir.is_dir(), "{} is not a folder", dir.display());
    let mut out = BTreeMap::new();
    let mut pending = vec![dir.to_path_buf()];
    while let Some(d) = pending.pop() {
        let Ok(entries) = std::fs::read_dir(&d) else {
            continue;
        };
        for e in entries {
            let p = e.expect("entry").path();
            if p.is_dir() {
                pending.push(p);
            } else {
                let rel = p.strip_prefix(dir).expect("under dir");
                out.insert(
                    rel.to_string_lossy().replace('\\', "/"),
                    std::fs::read(&p).expect("read"),
                );
            }
        }
    }
    out
}
