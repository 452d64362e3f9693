//! Issue #10 item 1: every property the generated scripts (and the runbook's blocks) read
//! directly on a Lync/SfB cmdlet's output is listed in tests/output-properties.tsv with its
//! source. Under `Set-StrictMode -Version 2.0` a wrong name throws, so a read no source confirms
//! goes through the script's tolerant `Get-OutputProperty` (a command, not a member access).
mod common;

use std::collections::{BTreeMap, BTreeSet, HashMap};

use tree_sitter::Node;

/// (cmdlet, property), lower-cased, to the source of the row.
fn table() -> BTreeMap<(String, String), String> {
    let text = std::fs::read_to_string(common::root().join("tests/output-properties.tsv"))
        .expect("tests/output-properties.tsv");
    let mut t = BTreeMap::new();
    for line in text
        .lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
    {
        let f: Vec<&str> = line.split('\t').collect();
        assert_eq!(f.len(), 3, "bad row {line:?}");
        assert!(f[2].trim().len() > 10, "row without a source: {line:?}");
        let key = (f[0].to_ascii_lowercase(), f[1].to_ascii_lowercase());
        assert!(
            t.insert(key, f[2].to_string()).is_none(),
            "duplicate {line:?}"
        );
    }
    t
}

use common::cmdlets::node_text as text;

/// Node kinds that only wrap a value (no member access, cast or call in between).
const WRAPPERS: &[&str] = &[
    "pipeline",
    "pipeline_chain",
    "logical_expression",
    "bitwise_expression",
    "comparison_expression",
    "additive_expression",
    "multiplicative_expression",
    "format_expression",
    "range_expression",
    "array_literal_expression",
    "unary_expression",
    "array_expression",
    "statement_list",
    "parenthesized_expression",
    "sub_expression",
];

fn children<'t>(n: Node<'t>) -> Vec<Node<'t>> {
    let mut c = n.walk();
    n.children(&mut c).collect()
}

/// The first Lync/SfB cmdlet called in a subtree, outside script blocks.
fn first_cs_command(n: Node, src: &str) -> Option<String> {
    if n.kind() == "script_block" {
        return None;
    }
    if n.kind() == "command" {
        if let Some(name) = n.child_by_field_name("command_name") {
            if common::cmdlets::is_cs_cmdlet(text(name, src)) {
                return Some(text(name, src).to_string());
            }
        }
    }
    children(n)
        .into_iter()
        .find_map(|c| first_cs_command(c, src))
}

type Scope = usize;

fn scope_of(mut n: Node) -> Scope {
    while let Some(p) = n.parent() {
        if p.kind() == "function_statement" {
            return p.start_byte();
        }
        n = p;
    }
    0
}

fn var_name(n: Node, src: &str) -> Option<String> {
    (n.kind() == "variable").then(|| {
        text(n, src)
            .trim_start_matches('$')
            .trim_start_matches("script:")
            .to_ascii_lowercase()
    })
}

struct Flow<'a> {
    src: &'a str,
    bound: HashMap<(Scope, String), String>,
}

impl Flow<'_> {
    /// The cmdlet whose output a value is, when it is that output as such (possibly filtered
    /// or wrapped in `@()`), not something computed from it.
    fn value_source(&self, n: Node) -> Option<String> {
        if let Some(v) = var_name(n, self.src) {
            return self.bound.get(&(scope_of(n), v)).cloned();
        }
        if n.kind() == "pipeline_chain" {
            let commands: Vec<Node> = children(n)
                .into_iter()
                .filter(|c| c.kind() == "command")
                .collect();
            if let Some(last) = commands.last() {
                let name = last
                    .child_by_field_name("command_name")
                    .map(|c| text(c, self.src))
                    .unwrap_or("");
                let filter = ["Where-Object", "Sort-Object", "Select-Object"]
                    .iter()
                    .any(|f| f.eq_ignore_ascii_case(name));
                if !(common::cmdlets::is_cs_cmdlet(name) || filter) {
                    return None;
                }
                return first_cs_command(n, self.src).or_else(|| {
                    children(n)
                        .into_iter()
                        .take_while(|c| c.kind() != "command")
                        .find_map(|c| self.value_source(c))
                });
            }
        }
        if WRAPPERS.contains(&n.kind()) {
            return children(n).into_iter().find_map(|c| self.value_source(c));
        }
        None
    }

    fn bind(&mut self, root: Node) {
        let mut found: Vec<((Scope, String), String)> = Vec::new();
        common::walk(root, &mut |n| match n.kind() {
            "assignment_expression" => {
                let kids = children(n);
                let (Some(left), Some(right)) = (kids.first(), kids.last()) else {
                    return;
                };
                let mut target = None;
                common::walk(*left, &mut |l| {
                    if target.is_none() {
                        target = var_name(l, self.src);
                    }
                });
                if let (Some(v), Some(c)) = (target, self.value_source(*right)) {
                    found.push(((scope_of(n), v), c));
                }
            }
            "foreach_statement" => {
                let kids = children(n);
                let Some(var) = kids.iter().find(|c| c.kind() == "variable") else {
                    return;
                };
                let Some(over) = kids.iter().find(|c| c.kind() == "pipeline") else {
                    return;
                };
                // The loop variable takes the cmdlet of what it walks, also when that is a
                // property of the output (nested objects of the same output).
                let mut source = first_cs_command(*over, self.src);
                common::walk(*over, &mut |m| {
                    if source.is_none() {
                        if let Some(v) = var_name(m, self.src) {
                            source = self.bound.get(&(scope_of(m), v)).cloned();
                        }
                    }
                });
                if let (Some(v), Some(c)) = (var_name(*var, self.src), source) {
                    found.push(((scope_of(n), v), c));
                }
            }
            _ => {}
        });
        self.bound.extend(found);
    }

    /// The cmdlet whose output `$_` is inside the script block around `n`.
    fn dollar_underscore(&self, n: Node) -> Option<String> {
        let mut cur = n;
        while let Some(p) = cur.parent() {
            if p.kind() == "pipeline_chain" && cur.kind() == "command" {
                let before: Vec<Node> = children(p)
                    .into_iter()
                    .take_while(|c| c.id() != cur.id())
                    .collect();
                if before.iter().any(|c| c.kind() == "|") {
                    // `$_` is the output of the command just before: after ForEach-Object (or
                    // any other command that makes new objects) it is no cmdlet's output.
                    let transformed = before.iter().filter(|c| c.kind() == "command").any(|c| {
                        let name = c
                            .child_by_field_name("command_name")
                            .map(|n| text(n, self.src))
                            .unwrap_or("");
                        !common::cmdlets::is_cs_cmdlet(name)
                            && !["Where-Object", "Sort-Object", "Select-Object"]
                                .iter()
                                .any(|f| f.eq_ignore_ascii_case(name))
                    });
                    if transformed {
                        return None;
                    }
                    return before.iter().find_map(|c| {
                        first_cs_command(*c, self.src).or_else(|| self.value_source(*c))
                    });
                }
            }
            cur = p;
        }
        None
    }

    fn reads(&self, root: Node) -> Vec<(String, String, usize)> {
        let mut out = Vec::new();
        common::walk(root, &mut |n| {
            if n.kind() != "member_access" && n.kind() != "invokation_expression" {
                return;
            }
            let kids = children(n);
            let (Some(object), Some(member)) = (
                kids.first(),
                kids.iter().find(|c| c.kind() == "member_name"),
            ) else {
                return;
            };
            let member = text(*member, self.src).to_string();
            // PSObject is PowerShell's own view of every object (the tolerant lookups use it).
            if member.eq_ignore_ascii_case("PSObject") {
                return;
            }
            let source = match object.kind() {
                "variable" if text(*object, self.src) == "$_" => self.dollar_underscore(n),
                "variable" => {
                    if member.eq_ignore_ascii_case("Count") {
                        None
                    } else {
                        self.value_source(*object)
                    }
                }
                "element_access" => children(*object)
                    .first()
                    .and_then(|v| self.value_source(*v)),
                "parenthesized_expression" => self.value_source(*object),
                _ => None,
            };
            if let Some(cmdlet) = source {
                out.push((cmdlet, member, n.start_position().row + 1));
            }
        });
        out
    }
}

/// Every direct read of a property (or method) on a Lync/SfB cmdlet's output.
fn output_reads(src: &str) -> Vec<(String, String, usize)> {
    let tree = common::parse_ps(src);
    let mut flow = Flow {
        src,
        bound: HashMap::new(),
    };
    for _ in 0..3 {
        flow.bind(tree.root_node());
    }
    flow.reads(tree.root_node())
}

fn unconfirmed(src: &str) -> Vec<String> {
    let t = table();
    output_reads(src)
        .into_iter()
        .filter(|(c, p, _)| !t.contains_key(&(c.to_ascii_lowercase(), p.to_ascii_lowercase())))
        .map(|(c, p, line)| format!("line {line}: {c} .{p}"))
        .collect()
}

fn all_scripts() -> Vec<(String, String)> {
    let mut out = Vec::new();
    let mut topologies: Vec<(String, abc_failover::load::Loaded)> = common::samples()
        .into_iter()
        .map(|s| (s.display().to_string(), common::load_path(&s)))
        .collect();
    topologies.push((
        "hostile".into(),
        common::load_path(&common::root().join("tests/fixtures/hostile-backup.yaml")),
    ));
    for (what, loaded) in topologies {
        for (path, bytes) in common::render(&loaded).iter() {
            if path.ends_with(".ps1") || path.ends_with(".md") {
                out.push((format!("{what} {path}"), common::text(bytes)));
            }
        }
    }
    out
}

#[test]
fn every_output_property_a_backup_script_reads_has_a_source() {
    let mut reads = 0;
    let mut used = BTreeSet::new();
    for (what, src) in all_scripts().iter().filter(|(w, _)| w.ends_with(".ps1")) {
        assert_eq!(unconfirmed(src), Vec::<String>::new(), "{what}");
        for (c, p, _) in output_reads(src) {
            used.insert((c.to_ascii_lowercase(), p.to_ascii_lowercase()));
            reads += 1;
        }
        // The reads the review found unconfirmed go through the tolerant helper.
        for needle in [
            "Get-OutputProperty -InputObject $_ -Cmdlet 'Get-CsUnassignedNumber' -Name @('AnnouncementService', 'AnnouncementServiceId')",
            "Get-OutputProperty -InputObject $relation[0] -Cmdlet 'Get-CsPoolBackupRelationship'",
        ] {
            if src.contains("Get-CsUnassignedNumber") || needle.contains("Relationship") {
                assert!(src.contains(needle), "{what}: {needle}");
            }
        }
        assert!(!src.contains("$_.AnnouncementService"), "{what}");
    }
    assert!(
        reads > 20,
        "only {reads} reads found: the flow analysis is blind"
    );
    for key in ["callparkserviceid", "serviceid", "uptodate", "exportstatus"] {
        assert!(
            used.iter().any(|(_, p)| p == key),
            "{key} is no longer read: the analysis or the table is stale"
        );
    }
}

/// The checker finds reads through `$_`, a variable, an element, a loop variable and a
/// parenthesized call, and lets the tolerant helper and computed values through.
#[test]
fn the_checker_catches_unlisted_reads() {
    let bad = [
        ("Get-CsUnassignedNumber | Where-Object { $_.AnnouncementService }\n", "AnnouncementService"),
        ("$r = @(Get-CsPool -Identity $x)\n$r[0].Fqdn\n", "Fqdn"),
        ("$r = @(Get-CsPool | Where-Object { $true })\nforeach ($p in $r) { $p.Site }\n", "Site"),
        ("(Get-CsTopology -AsXml).InnerText\n", "InnerText"),
        ("$Now = $null\ntry {\n    $Now = @(Get-CsService -CentralManagement -ErrorAction Stop)\n} catch {\n}\nif ($null -eq $Now) {\n} else {\n    if (@($Now | Where-Object { $_.Active -eq $PoolA }).Count -gt 0) { 'a' }\n}\n", "Active"),
        ("function F {\n    $s = Get-CsService -Registrar\n    $s.Version\n}\n", "Version"),
        ("$o = @(@(Get-CsCallParkOrbit) + @(Get-CsCallParkOrbit -Type GroupPickup) | Where-Object {\n    $_.NumberRangeStart\n})\n", "NumberRangeStart"),
    ];
    for (src, prop) in bad {
        let found = unconfirmed(src);
        assert!(
            found.iter().any(|f| f.ends_with(&format!(".{prop}"))),
            "{src:?}: {found:?}"
        );
    }
    let fine = [
        "Get-CsUnassignedNumber | Where-Object { Test-PoolServiceReference -Reference (Get-OutputProperty -InputObject $_ -Cmdlet 'Get-CsUnassignedNumber' -Name @('AnnouncementService')) }\n",
        "$t = [string](Get-CsTopology -AsXml).ToString()\n$t.Length\n",
        "$h = @(Get-CsService -CentralManagement | ForEach-Object { 1 })\n$h.Count\n",
        "function G {\n    $service = $doc.SelectSingleNode('x')\n    $service.Name\n}\nfunction H {\n    $service = @(Get-CsService -ApplicationServer)\n    $service[0].ServiceId\n}\n",
        "Get-CsCallParkOrbit | Where-Object { $_.CallParkServiceId.toString() -eq 'x' }\n",
    ];
    for src in fine {
        assert_eq!(unconfirmed(src), Vec::<String>::new(), "{src:?}");
    }
}

/// The runbook's blocks read only sourced properties of a cmdlet's output; the others go through
/// the blocks' own tolerant `Read-Property` (templates/checklist/shared/read-property.md.tera).
#[test]
fn runbook_blocks_read_no_unconfirmed_property() {
    let t = table();
    let mut blocks = 0;
    let mut missing = BTreeSet::new();
    for (what, md) in all_scripts().iter().filter(|(w, _)| w.ends_with(".md")) {
        for (line, block) in common::powershell_blocks(md) {
            blocks += 1;
            for (c, p, l) in output_reads(&block) {
                let key = (c.to_ascii_lowercase(), p.to_ascii_lowercase());
                if !t.contains_key(&key) {
                    missing.insert(format!("{what}:{}: {c} .{p}", line + l - 1));
                }
            }
        }
    }
    assert!(blocks > 20, "only {blocks} blocks");
    assert!(missing.is_empty(), "no source: {missing:#?}");
}

/// Every row of the table is still read somewhere (a stale row would vouch for nothing).
#[test]
fn every_row_of_the_table_is_used() {
    let mut used = BTreeSet::new();
    for (what, text) in all_scripts() {
        let sources: Vec<String> = if what.ends_with(".md") {
            common::powershell_blocks(&text)
                .into_iter()
                .map(|(_, b)| b)
                .collect()
        } else {
            vec![text]
        };
        for src in sources {
            for (c, p, _) in output_reads(&src) {
                used.insert((c.to_ascii_lowercase(), p.to_ascii_lowercase()));
            }
        }
    }
    let unused: Vec<_> = table().into_keys().filter(|k| !used.contains(k)).collect();
    assert!(unused.is_empty(), "rows nothing reads: {unused:?}");
}
