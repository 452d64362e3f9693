//! Templates (embedded, optionally overridden per file) to in-memory artifacts. Pure: no file is
//! written here.
//!
//! Two Tera instances keep the escaping honest: `.ps1` templates autoescape every printed value
//! into a PowerShell single-quoted literal, `.md` templates into CommonMark text; in Markdown
//! code blocks the `ps` filter gives the PowerShell literal instead.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use include_dir::{include_dir, Dir};
use tera::{Context, Kwargs, State, Tera, Value};

use crate::blocks::{run_whole, stop_on_missing};
use crate::escape::{comment_text, md_code, md_text, ps_literal};
use crate::load::Loaded;
use crate::plan::{pool_plan, PoolPlan, BACKUP_STEPS};

static EMBEDDED: Dir<'static> = include_dir!("$CARGO_MANIFEST_DIR/templates");

/// Generated files: path relative to OUT (with `/`) to bytes, in sorted order.
pub type Artifacts = BTreeMap<String, Vec<u8>>;

/// The layout template of each per-pool output; each includes its parts from the same folder.
pub const BACKUP_TEMPLATE: &str = "backup/layout.ps1";
pub const CHECKLIST_TEMPLATE: &str = "checklist/layout.md";

/// The template that includes the file of each enabled backup step. It is made here from
/// [`BACKUP_STEPS`], the one list of backup steps, so it is not a file of the template tree.
pub const BACKUP_STEP_DISPATCH: &str = "backup/steps.ps1";

/// The files generated for pool `id`, relative to OUT with `/`: the backup script, the
/// restore checklist and its interactive page. The one definition of the output layout
/// (`output` uses it to recognise generated files, so it can never remove anything else).
pub fn pool_files(id: &str) -> [String; 3] {
    [
        format!("{id}/backup-{id}.ps1"),
        format!("{id}/restore-checklist-{id}.md"),
        format!("{id}/restore-checklist-{id}.html"),
    ]
}

#[derive(Debug, thiserror::Error)]
pub enum RenderError {
    #[error("custom template folder {path}: {reason}")]
    TemplateDir { path: String, reason: String },
    #[error("a template does not parse: {message}{origins}")]
    Template { message: String, origins: String },
    #[error("rendering {name} for pool {pool}: {message}{origins}")]
    Render {
        name: String,
        pool: String,
        message: String,
        origins: String,
    },
}

/// Where a template's text came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Source {
    Embedded,
    Custom(PathBuf),
}

/// The templates in use: path relative to `templates/` (`backup/steps/04-call-park.ps1.tera`) to
/// text and origin.
#[derive(Debug, Clone)]
pub struct TemplateSet {
    pub files: BTreeMap<String, (String, Source)>,
}

impl TemplateSet {
    pub fn embedded() -> Self {
        fn walk(dir: &Dir<'static>, files: &mut BTreeMap<String, (String, Source)>) {
            for f in dir.files() {
                let name = f.path().to_string_lossy().replace('\\', "/");
                let text = f
                    .contents_utf8()
                    .expect("embedded templates are UTF-8")
                    .to_string();
                files.insert(name, (text, Source::Embedded));
            }
            for d in dir.dirs() {
                walk(d, files);
            }
        }
        let mut files = BTreeMap::new();
        walk(&EMBEDDED, &mut files);
        TemplateSet { files }
    }

    /// The embedded templates with each `*.tera` file of `dir` (at any depth, named by its path
    /// relative to `dir`, e.g. `checklist/steps/14-call-park.md.tera`) replacing the one of the
    /// same name. A file that replaces nothing is an error naming the closest real name.
    pub fn with_overrides(dir: &Path) -> Result<Self, RenderError> {
        let mut set = Self::embedded();
        let fail = |reason: String| RenderError::TemplateDir {
            path: dir.display().to_string(),
            reason,
        };
        let mut found = Vec::new();
        collect_overrides(dir, "", 0, &mut found).map_err(|e| fail(e.to_string()))?;
        // Name order, so that which problem is reported first does not depend on the file system.
        found.sort();
        let mut texts = Vec::new();
        for (name, path) in found {
            if !set.files.contains_key(&name) {
                return Err(fail(unknown_template(&name, set.files.keys())));
            }
            let bytes = std::fs::read(&path).map_err(|e| fail(format!("{name}: {e}")))?;
            let text =
                String::from_utf8(bytes).map_err(|_| fail(format!("{name} is not UTF-8")))?;
            texts.push((name, text, path));
        }
        for (name, text, path) in texts {
            set.files.insert(name, (text, Source::Custom(path)));
        }
        Ok(set)
    }
}

/// Folders deeper than this under an override folder are not read (the embedded tree is two
/// levels deep).
const MAX_OVERRIDE_DEPTH: usize = 8;

/// Every `*.tera` file under `dir`, with its name relative to the override root (`/`-separated).
fn collect_overrides(
    dir: &Path,
    prefix: &str,
    depth: usize,
    found: &mut Vec<(String, PathBuf)>,
) -> std::io::Result<()> {
    for entry in std::fs::read_dir(dir)? {
        let entry = entry?;
        let name = format!("{prefix}{}", entry.file_name().to_string_lossy());
        let kind = std::fs::metadata(entry.path())?;
        if kind.is_dir() && depth < MAX_OVERRIDE_DEPTH {
            collect_overrides(&entry.path(), &format!("{name}/"), depth + 1, found)?;
        } else if kind.is_file() && name.ends_with(".tera") {
            found.push((name, entry.path()));
        }
    }
    Ok(())
}

/// The message for an override file that replaces no embedded template.
fn unknown_template<'a>(name: &str, known: impl Iterator<Item = &'a String>) -> String {
    let closest = known
        .map(|k| (strsim::levenshtein(name, k), k))
        .min()
        .map(|(_, k)| k.clone())
        .unwrap_or_default();
    format!(
        "{name} does not replace any embedded template (did you mean {closest}? \
         `abc-failover templates list` shows every name)"
    )
}

impl TemplateSet {
    /// Notes naming the file behind each custom template (empty with only embedded ones), for
    /// error messages: Tera reports positions by template name.
    fn origins(&self) -> String {
        self.files
            .iter()
            .filter_map(|(name, (_, src))| match src {
                Source::Custom(path) => Some(format!(
                    "\n  note: template {} comes from {}",
                    name.trim_end_matches(".tera"),
                    path.display()
                )),
                Source::Embedded => None,
            })
            .collect()
    }
}

fn write_ps(s: &str, out: &mut dyn std::io::Write) -> std::io::Result<()> {
    out.write_all(ps_literal(s).as_bytes())
}

fn write_md(s: &str, out: &mut dyn std::io::Write) -> std::io::Result<()> {
    out.write_all(md_text(s).as_bytes())
}

fn engine(
    set: &TemplateSet,
    suffix: &'static str,
    escape: tera::EscapeFn,
    md: bool,
) -> Result<Tera, RenderError> {
    let mut tera = Tera::default();
    tera.set_escape_fn(escape);
    tera.autoescape_on([suffix]);
    tera.register_filter("comment", |s: &str, _: Kwargs, _: &State| {
        Value::safe_string(&comment_text(s))
    });
    if md {
        tera.register_filter("ps", |s: &str, _: Kwargs, _: &State| {
            Value::safe_string(&ps_literal(s))
        });
        tera.register_filter("code", |s: &str, _: Kwargs, _: &State| {
            Value::safe_string(&md_code(s))
        });
    }
    let templates: Vec<(String, String)> = set
        .files
        .iter()
        .filter_map(|(name, (text, _))| {
            let short = name.strip_suffix(".tera")?;
            short
                .ends_with(suffix)
                .then(|| (short.to_string(), text.clone()))
        })
        .collect();
    let mut templates = templates;
    if suffix == ".ps1" {
        templates.push((BACKUP_STEP_DISPATCH.to_string(), backup_step_dispatch()));
    }
    tera.add_raw_templates(templates)
        .map_err(|e| RenderError::Template {
            message: e.to_string(),
            origins: set.origins(),
        })?;
    Ok(tera)
}

/// `{% if step.template == "..." %}{% include "..." %}{% elif ... %}` over [`BACKUP_STEPS`]: includes
/// the file of the current `step` and adds no text of its own.
fn backup_step_dispatch() -> String {
    let mut text = String::new();
    for (i, def) in BACKUP_STEPS.iter().enumerate() {
        let tag = if i == 0 { "if" } else { "elif" };
        text.push_str(&format!(
            "{{%- {tag} step.template == \"{t}\" %}}{{% include \"{t}\" %}}\n",
            t = def.template
        ));
    }
    text.push_str("{%- endif %}");
    text
}

/// Engines for both kinds of output, built once per run.
pub struct Renderer {
    ps: Tera,
    md: Tera,
    origins: String,
}

impl Renderer {
    pub fn new(set: &TemplateSet) -> Result<Self, RenderError> {
        Ok(Renderer {
            ps: engine(set, ".ps1", write_ps, false)?,
            md: engine(set, ".md", write_md, true)?,
            origins: set.origins(),
        })
    }

    fn render(&self, name: &str, plan: &PoolPlan) -> Result<String, RenderError> {
        let tera = if name.ends_with(".ps1") {
            &self.ps
        } else {
            &self.md
        };
        let fail = |e: tera::Error| RenderError::Render {
            name: name.into(),
            pool: plan.id.clone(),
            message: e.to_string(),
            origins: self.origins.clone(),
        };
        let ctx = Context::from_serialize(plan).map_err(fail)?;
        tera.render(name, &ctx).map_err(fail)
    }

    /// Render every pool's files.
    pub fn render_all(&self, loaded: &Loaded) -> Result<Artifacts, RenderError> {
        let mut out = Artifacts::new();
        for pool in &loaded.topology.pools {
            let plan = pool_plan(loaded, pool);
            let [script_path, checklist_path, page_path] = pool_files(&plan.id);
            let script = self.render(BACKUP_TEMPLATE, &plan)?;
            out.insert(script_path, finish_ps1(&script));
            let checklist = self.render(CHECKLIST_TEMPLATE, &plan)?;
            let checklist = stop_on_missing(&checklist, &plan.runbook.missing_values.missing);
            let checklist = run_whole(&checklist);
            let checklist = finish_md(&checklist);
            out.insert(page_path, crate::html::page(&plan.id, &checklist));
            out.insert(checklist_path, checklist);
        }
        Ok(out)
    }
}

/// Render with the embedded templates.
pub fn render_embedded(loaded: &Loaded) -> Result<Artifacts, RenderError> {
    Renderer::new(&TemplateSet::embedded())?.render_all(loaded)
}

/// Lines without trailing white space, at most one blank line in a row, no blank lines at the
/// start or end.
fn tidy_lines(text: &str) -> Vec<&str> {
    let mut lines: Vec<&str> = Vec::new();
    for line in text.split('\n') {
        let line = line.trim_end_matches([' ', '\t', '\r']);
        if line.is_empty() && lines.last().is_none_or(|l| l.is_empty()) {
            continue;
        }
        lines.push(line);
    }
    while lines.last().is_some_and(|l| l.is_empty()) {
        lines.pop();
    }
    lines
}

/// `.ps1`: UTF-8 with BOM, CRLF, final newline.
pub fn finish_ps1(text: &str) -> Vec<u8> {
    let mut s = String::from("\u{FEFF}");
    for line in tidy_lines(text) {
        s.push_str(line);
        s.push_str("\r\n");
    }
    s.into_bytes()
}

/// `.md`: UTF-8 without BOM, LF, final newline.
pub fn finish_md(text: &str) -> Vec<u8> {
    let mut s = String::new();
    for line in tidy_lines(text) {
        s.push_str(line);
        s.push('\n');
    }
    s.into_bytes()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ps1_files_get_bom_crlf_and_tidy_lines() {
        let out = finish_ps1("\n\na  \r\n\n\n\nb\t\nc");
        assert_eq!(out, "\u{FEFF}a\r\n\r\nb\r\nc\r\n".as_bytes());
    }

    #[test]
    fn md_files_get_lf_and_no_bom() {
        let out = finish_md("# t \r\n\n\n\n- x\n\n");
        assert_eq!(out, b"# t\n\n- x\n");
    }

    #[test]
    fn the_plan_names_the_files_that_are_written() {
        let yaml = std::fs::read(concat!(env!("CARGO_MANIFEST_DIR"), "/samples/contoso.yaml"))
            .expect("sample");
        let loaded = crate::load::load_bytes("contoso.yaml", "contoso.yaml", &yaml, &[])
            .expect("the sample loads");
        for pool in &loaded.topology.pools {
            let plan = pool_plan(&loaded, pool);
            let id = &plan.id;
            let [script, checklist, page] = pool_files(id);
            assert_eq!(
                [script, checklist],
                [
                    format!("{id}/{}", plan.script_file),
                    format!("{id}/{}", plan.checklist_file)
                ]
            );
            assert_eq!(
                page,
                format!("{id}/{}", plan.checklist_file.replace(".md", ".html"))
            );
        }
    }

    #[test]
    fn every_backup_step_has_its_file_and_every_step_file_a_step() {
        let names: Vec<String> = TemplateSet::embedded().files.into_keys().collect();
        let step_files: Vec<&str> = names
            .iter()
            .filter(|n| n.starts_with("backup/steps/"))
            .map(|n| n.trim_end_matches(".tera"))
            .collect();
        let listed: Vec<&str> = BACKUP_STEPS.iter().map(|d| d.template).collect();
        assert_eq!(
            step_files, listed,
            "files under backup/steps/ and BACKUP_STEPS, in order"
        );
        assert!(names.contains(&format!("{BACKUP_TEMPLATE}.tera")));
        assert!(names.contains(&format!("{CHECKLIST_TEMPLATE}.tera")));
        assert!(!names.contains(&format!("{BACKUP_STEP_DISPATCH}.tera")));
    }

    #[test]
    fn the_dispatch_includes_each_step_once_and_adds_no_text() {
        let text = backup_step_dispatch();
        for def in BACKUP_STEPS {
            assert_eq!(
                text.matches(&format!("{{% include \"{}\" %}}", def.template))
                    .count(),
                1
            );
        }
        let outside_tags: String = text
            .split("{%")
            .map(|part| part.split_once("%}").map_or(part, |(_, rest)| rest))
            .collect();
        assert!(outside_tags.trim().is_empty(), "{outside_tags:?}");
    }

    #[test]
    fn a_misspelt_override_names_the_closest_template() {
        let tmp = std::env::temp_dir().join(format!("abc-override-{}", std::process::id()));
        let steps = tmp.join("checklist/steps");
        std::fs::create_dir_all(&steps).unwrap();
        std::fs::write(steps.join("14-cal-park.md.tera"), "x").unwrap();
        let err = TemplateSet::with_overrides(&tmp).unwrap_err().to_string();
        std::fs::remove_dir_all(&tmp).unwrap();
        assert!(
            err.contains(
                "checklist/steps/14-cal-park.md.tera does not replace any embedded template"
            ) && err.contains("did you mean checklist/steps/14-call-park.md.tera?"),
            "{err}"
        );
    }
}
