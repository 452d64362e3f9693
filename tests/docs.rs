//! The docs in the repository against what they describe: docs/topology.md's key tables against
//! the JSON Schema (every key, type, required, default, pattern), its example against the
//! loader, docs/cli.md against the commands, and every link of README.md and docs/ against the
//! files of the repository.

mod common;

use std::collections::BTreeMap;
use std::path::Path;

use serde_json::Value;

fn read(rel: &str) -> String {
    std::fs::read_to_string(common::root().join(rel)).unwrap_or_else(|e| panic!("{rel}: {e}"))
}

fn schema() -> Value {
    serde_json::from_str(&abc_failover::schema::schema_json()).expect("schema is JSON")
}

/// What the docs must say about one key, derived from the schema.
#[derive(Debug, PartialEq, Eq)]
struct KeyDoc {
    ty: String,
    required: &'static str,
    default: String,
    /// Patterns the description must quote.
    patterns: Vec<String>,
}

fn resolve<'a>(root: &'a Value, v: &'a Value) -> &'a Value {
    match v.get("$ref").and_then(Value::as_str) {
        Some(r) => {
            let name = r.strip_prefix("#/$defs/").expect("local ref");
            &root["$defs"][name]
        }
        None => v,
    }
}

/// The schema of a property without its nullability (`Option<T>` is `T` or null).
fn non_null<'a>(root: &'a Value, v: &'a Value) -> &'a Value {
    if let Some(any) = v.get("anyOf").and_then(Value::as_array) {
        let rest: Vec<&Value> = any.iter().filter(|s| s["type"] != "null").collect();
        if rest.len() == 1 {
            return resolve(root, rest[0]);
        }
    }
    resolve(root, v)
}

fn main_type(v: &Value) -> Option<&str> {
    match &v["type"] {
        Value::String(s) => Some(s),
        Value::Array(a) => a.iter().filter_map(Value::as_str).find(|t| *t != "null"),
        _ => None,
    }
}

fn type_words(root: &Value, v: &Value) -> String {
    if let Some(values) = v.get("enum").and_then(Value::as_array) {
        let names: Vec<String> = values
            .iter()
            .map(|x| format!("`{}`", x.as_str().unwrap()))
            .collect();
        return format!("one of {}", names.join(", "));
    }
    if let Some(one) = v.get("oneOf").and_then(Value::as_array) {
        // An enum whose values have their own descriptions (notify.when).
        if one
            .iter()
            .all(|o| o["type"] == "string" && o["const"].is_string())
        {
            let names: Vec<String> = one
                .iter()
                .map(|o| format!("`{}`", o["const"].as_str().unwrap()))
                .collect();
            return format!("one of {}", names.join(", "));
        }
        // hosts_cms: a boolean or the one string `unknown`.
        assert_eq!(one.len(), 2, "{v}");
        assert_eq!(one[0]["type"], "boolean", "{v}");
        return format!("`true`, `false` or `{}`", one[1]["const"].as_str().unwrap());
    }
    match main_type(v) {
        Some("integer") => format!("integer {}..{}", v["minimum"], v["maximum"]),
        Some("array") => match main_type(resolve(root, &v["items"])) {
            Some("string") => "list of strings".into(),
            Some("object") => "list of mappings".into(),
            other => panic!("list of {other:?}"),
        },
        Some("object") => "mapping".into(),
        Some(t @ ("string" | "boolean")) => t.into(),
        other => panic!("type {other:?} in {v}"),
    }
}

fn default_words(v: &Value) -> String {
    match v.get("default") {
        None => "—".into(),
        Some(Value::Object(_)) => "(each key's default)".into(),
        Some(Value::String(s)) => format!("`{s}`"),
        Some(d) => format!("`{d}`"),
    }
}

/// Every key of the format, as `backup.root` / `pools[].backup_pool.fqdn`.
fn walk(root: &Value, obj: &Value, prefix: &str, out: &mut BTreeMap<String, KeyDoc>) {
    let required: Vec<&str> = obj["required"]
        .as_array()
        .map(|a| a.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default();
    assert_eq!(
        obj["additionalProperties"], false,
        "unknown keys refused at {prefix}"
    );
    for (key, prop) in obj["properties"].as_object().expect("properties") {
        let path = format!("{prefix}{key}");
        // The description and default sit next to a `$ref`; the rest is in the definition.
        let target = non_null(root, prop);
        let mut patterns = Vec::new();
        for p in [prop, target, resolve(root, &target["items"])] {
            if let Some(pat) = p.get("pattern").and_then(Value::as_str) {
                if !patterns.iter().any(|x| x == pat) {
                    patterns.push(pat.to_string());
                }
            }
        }
        out.insert(
            path.clone(),
            KeyDoc {
                ty: type_words(root, target),
                required: if required.contains(&key.as_str()) {
                    "yes"
                } else {
                    "no"
                },
                default: default_words(prop),
                patterns,
            },
        );
        if main_type(target) == Some("object") {
            walk(root, target, &format!("{path}."), out);
        }
        let items = resolve(root, &target["items"]);
        if main_type(target) == Some("array") && main_type(items) == Some("object") {
            walk(root, items, &format!("{path}[]."), out);
        }
    }
}

/// A Markdown table row's cells, `\|` kept as `|` inside a cell.
fn cells(line: &str) -> Vec<String> {
    let inner = line.trim().trim_start_matches('|').trim_end_matches('|');
    let mut out = vec![String::new()];
    let mut chars = inner.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\\' if chars.peek() == Some(&'|') => {
                out.last_mut().unwrap().push('|');
                chars.next();
            }
            '|' => out.push(String::new()),
            c => out.last_mut().unwrap().push(c),
        }
    }
    out.iter().map(|c| c.trim().to_string()).collect()
}

/// The rows of every `| key | type | required | default | ... |` table of the doc.
fn documented_keys(md: &str) -> BTreeMap<String, Vec<String>> {
    let mut rows = BTreeMap::new();
    let mut in_table = false;
    for line in md.lines() {
        if line.starts_with("| key | type | required | default |") {
            in_table = true;
            continue;
        }
        if !line.starts_with('|') {
            in_table = false;
            continue;
        }
        if in_table && !line.starts_with("|---") {
            let c = cells(line);
            let key = c[0].trim_matches('`').to_string();
            assert!(
                rows.insert(key.clone(), c).is_none(),
                "{key} is documented twice"
            );
        }
    }
    rows
}

#[test]
fn topology_doc_lists_every_key_of_the_schema_as_the_schema_has_it() {
    let root = schema();
    let mut expected = BTreeMap::new();
    walk(&root, &root, "", &mut expected);
    assert!(expected.len() > 30, "{} keys", expected.len());
    let doc = documented_keys(&read("docs/topology.md"));
    let missing: Vec<&String> = expected.keys().filter(|k| !doc.contains_key(*k)).collect();
    let unknown: Vec<&String> = doc.keys().filter(|k| !expected.contains_key(*k)).collect();
    assert!(
        missing.is_empty(),
        "keys not in docs/topology.md: {missing:?}"
    );
    assert!(
        unknown.is_empty(),
        "documented keys the schema does not have: {unknown:?}"
    );
    for (key, want) in &expected {
        let row = &doc[key];
        assert_eq!(row.len(), 5, "{key}: {row:?}");
        assert_eq!(row[1], want.ty, "type of {key}");
        assert_eq!(row[2], want.required, "required of {key}");
        assert_eq!(row[3], want.default, "default of {key}");
        for p in &want.patterns {
            assert!(
                row[4].contains(&format!("`{p}`")),
                "{key}: the description does not quote the pattern `{p}`: {}",
                row[4]
            );
        }
    }
}

/// The fenced blocks of `lang` in a Markdown text.
fn blocks(md: &str, lang: &str) -> Vec<String> {
    common::fenced_blocks(md, lang)
        .into_iter()
        .map(|(_, b)| b)
        .collect()
}

#[test]
fn topology_doc_example_is_a_valid_topology_without_warnings() {
    let md = read("docs/topology.md");
    let yaml = &blocks(&md, "yaml")[0];
    let loaded = common::load_text(yaml);
    assert_eq!(loaded.warnings, vec![], "{yaml}");
    // It uses every key the tables list (so each one is shown once in context).
    let root = schema();
    let mut keys = BTreeMap::new();
    walk(&root, &root, "", &mut keys);
    for key in keys.keys() {
        let last = key.rsplit('.').next().unwrap();
        assert!(
            yaml.contains(&format!("{last}:")),
            "the example lacks `{key}`"
        );
    }
}

#[test]
fn cli_doc_covers_every_command_and_option() {
    use clap::CommandFactory;
    let md = read("docs/cli.md");
    let cmd = abc_failover::cli::Cli::command();
    for sub in cmd.get_subcommands() {
        let name = sub.get_name();
        assert!(
            md.contains(&format!("## `abc-failover {name}")),
            "docs/cli.md has no section for `{name}`"
        );
        for arg in sub.get_arguments() {
            if let Some(long) = arg.get_long() {
                let short = arg.get_short().map(|c| format!("-{c} "));
                if long != "help" {
                    assert!(
                        md.contains(&format!("--{long}")) || short.is_some_and(|s| md.contains(&s)),
                        "docs/cli.md does not mention {name} --{long}"
                    );
                }
            }
        }
    }
}

#[test]
fn artifacts_doc_names_every_event_id_and_backup_set_file_of_the_script() {
    let md = read("docs/artifacts.md");
    let loaded = common::load_path(&common::root().join("samples/contoso.yaml"));
    let artifacts = common::render(&loaded);
    let script = common::text(&artifacts["red/backup-red.ps1"]);
    for line in script.lines() {
        let line = line.trim();
        if let Some(rest) = line.strip_prefix("$EventId") {
            let id = rest.rsplit(' ').next().unwrap();
            assert!(md.contains(&format!("| {id} |")), "event {id} ({line})");
        }
    }
    // The names inside a backup set, bound at the top of the script.
    let mut names = 0;
    for line in script.lines() {
        let Some((var, value)) = line.split_once(" = '") else {
            continue;
        };
        let is_layout = var.ends_with("Zip")
            || var.ends_with("Csv")
            || var.ends_with("Xml")
            || var.ends_with("Dir")
            || ["$LogName", "$SumsName", "$ManifestName", "$CompleteName"].contains(&var);
        if var.starts_with('$') && is_layout && !var.contains(' ') {
            let value = value.trim_end_matches('\'');
            assert!(
                md.contains(&format!("`{value}")),
                "docs/artifacts.md lacks `{value}` ({var})"
            );
            names += 1;
        }
    }
    assert!(names > 20, "{names} set names found");
}

/// Relative link targets of a Markdown text: `](target)`.
fn links(md: &str) -> Vec<String> {
    md.match_indices("](")
        .map(|(i, _)| {
            let rest = &md[i + 2..];
            rest[..rest.find(')').expect("closed link")].to_string()
        })
        .collect()
}

#[test]
fn readme_and_docs_link_only_to_files_in_the_repository() {
    let root = common::root();
    let mut docs: Vec<String> = vec!["README.md".into()];
    for e in std::fs::read_dir(root.join("docs")).expect("docs/") {
        let name = e.unwrap().file_name().to_string_lossy().into_owned();
        if name.ends_with(".md") {
            docs.push(format!("docs/{name}"));
        }
    }
    let mut checked = 0;
    for doc in &docs {
        let text = read(doc);
        assert!(
            !text.contains("shared folder") && !text.contains("design/"),
            "{doc} points outside the repository"
        );
        let dir = Path::new(doc).parent().unwrap();
        for target in links(&text) {
            if target.starts_with("https://") || target.starts_with('#') {
                continue;
            }
            let file = target.split('#').next().unwrap();
            assert!(
                root.join(dir).join(file).exists(),
                "{doc} links to {target}, which is not in the repository"
            );
            checked += 1;
        }
    }
    assert!(checked >= 5, "{checked} links checked");
    let readme = read("README.md");
    for doc in [
        "docs/topology.md",
        "docs/artifacts.md",
        "docs/cli.md",
        "docs/ci.md",
    ] {
        assert!(
            readme.contains(&format!("]({doc})")),
            "README does not link {doc}"
        );
    }
}

#[test]
fn ci_doc_shows_the_example_files_as_they_are() {
    let md = read("docs/ci.md");
    let yaml = blocks(&md, "yaml");
    for file in [
        "docs/examples/github-actions.yml",
        "docs/examples/azure-pipelines.yml",
    ] {
        let text = read(file);
        assert!(
            yaml.contains(&text),
            "docs/ci.md does not show {file} as it is"
        );
        // The commands they run are this tool's.
        assert!(
            text.contains("abc-failover check topology.yaml -o out"),
            "{file}"
        );
        assert!(
            text.contains("abc-failover import (Join-Path $set.FullName 'Inventory\\Topology.xml') --compare topology.yaml"),
            "{file}"
        );
    }
    let hooks = read(".pre-commit-hooks.yaml");
    assert!(hooks.contains("entry: abc-failover check\n"), "{hooks}");
}
