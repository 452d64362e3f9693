//! The cmdlet table (tests/cmdlets.tsv: cmdlet, parameter, versions; each section says its
//! source) and the check that
//! every Lync/SfB cmdlet a generated script or checklist block calls exists, with each parameter
//! written on it, in the product version the topology names.
use std::collections::{BTreeMap, BTreeSet};

use abc_failover::model::Product;
use tree_sitter::Node;

pub fn node_text<'a>(node: Node, src: &'a str) -> &'a str {
    node.utf8_text(src.as_bytes()).expect("UTF-8 node text")
}

/// One command of a PowerShell text: where it starts, its name, the `command_parameter`s
/// written directly on it (without the leading `-` or a trailing `:`), and its whole text.
#[derive(Debug)]
pub struct Command {
    pub at: usize,
    pub name: String,
    pub params: Vec<String>,
    pub text: String,
}

/// Every `command` node, in source order.
pub fn command_list(src: &str) -> Vec<Command> {
    let tree = super::parse_ps(src);
    let mut out = Vec::new();
    super::walk(tree.root_node(), &mut |node| {
        if node.kind() != "command" {
            return;
        }
        let Some(name) = node.child_by_field_name("command_name") else {
            return;
        };
        let mut params = Vec::new();
        if let Some(elements) = node.child_by_field_name("command_elements") {
            let mut cursor = elements.walk();
            for child in elements.children(&mut cursor) {
                if child.kind() == "command_parameter" {
                    let p = node_text(child, src);
                    params.push(p.trim_start_matches('-').trim_end_matches(':').to_string());
                }
            }
        }
        out.push(Command {
            at: node.start_byte(),
            name: node_text(name, src).to_string(),
            params,
            text: node_text(node, src).to_string(),
        });
    });
    out.sort_by_key(|c| c.at);
    out
}

/// Every command's name and parameters, in source order.
pub fn commands(src: &str) -> Vec<(String, Vec<String>)> {
    command_list(src)
        .into_iter()
        .map(|c| (c.name, c.params))
        .collect()
}

/// A `Verb-<prefix>Noun` cmdlet name, e.g. prefix `Cs` (Lync/SfB) or `UM` (Exchange UM).
fn has_noun_prefix(name: &str, prefix: &str) -> bool {
    name.split_once('-').is_some_and(|(verb, noun)| {
        !verb.is_empty()
            && verb.chars().all(|c| c.is_ascii_alphabetic())
            && noun.len() > prefix.len()
            && noun.starts_with(prefix)
            && noun[prefix.len()..].starts_with(|c: char| c.is_ascii_uppercase())
    })
}

pub fn is_cs_cmdlet(name: &str) -> bool {
    has_noun_prefix(name, "Cs")
}

/// An Exchange Unified Messaging cmdlet (`Get-UMIPGateway`, `Remove-UMIPGateway`, ...).
pub fn is_exchange_um_cmdlet(name: &str) -> bool {
    has_noun_prefix(name, "UM")
}

pub fn cmdlet_table() -> BTreeMap<(String, String), BTreeSet<String>> {
    let text = std::fs::read_to_string(super::root().join("tests/cmdlets.tsv")).expect("tsv");
    let mut t = BTreeMap::new();
    for line in text
        .lines()
        .filter(|l| !l.starts_with('#') && !l.is_empty())
    {
        let f: Vec<&str> = line.split('\t').collect();
        assert_eq!(f.len(), 3, "bad row {line:?}");
        let versions = f[2].split(',').map(String::from).collect();
        let key = (f[0].to_ascii_lowercase(), f[1].to_ascii_lowercase());
        assert!(t.insert(key, versions).is_none(), "duplicate row {line:?}");
    }
    t
}

pub fn version_key(p: Product) -> &'static str {
    match p {
        Product::Lync2013 => "L13",
        Product::Sfb2015 => "S15",
        Product::Sfb2019 => "S19",
    }
}

/// PowerShell's common parameters (about_CommonParameters), which every cmdlet of the
/// reference lists under CommonParameters. -WhatIf and -Confirm are not among them: they need
/// rows of their own.
const COMMON_PARAMETERS: [&str; 8] = [
    "Verbose",
    "Debug",
    "ErrorAction",
    "ErrorVariable",
    "WarningAction",
    "WarningVariable",
    "OutVariable",
    "OutBuffer",
];

/// Whether `p` (without `-`) is one of PowerShell's common parameters.
pub fn is_common_parameter(p: &str) -> bool {
    COMMON_PARAMETERS.iter().any(|c| c.eq_ignore_ascii_case(p))
}

/// Check every Lync/SfB cmdlet of `src` and each parameter written on it against the table for
/// `product`; the number of parameters checked.
pub fn check_parameters(what: &str, product: Product, src: &str) -> usize {
    let table = cmdlet_table();
    let v = version_key(product);
    let mut checked = 0;
    for (name, params) in commands(src) {
        if !is_cs_cmdlet(&name) {
            continue;
        }
        let cmd = name.to_ascii_lowercase();
        let exists = table
            .get(&(cmd.clone(), "*".into()))
            .unwrap_or_else(|| panic!("{what}: {name} is not in tests/cmdlets.tsv"));
        assert!(exists.contains(v), "{what}: {name} does not exist in {v}");
        for p in &params {
            if is_common_parameter(p) {
                continue;
            }
            let versions = table
                .get(&(cmd.clone(), p.to_ascii_lowercase()))
                .unwrap_or_else(|| panic!("{what}: {name} has no parameter -{p}"));
            assert!(
                versions.contains(v),
                "{what}: {name} -{p} does not exist in {v}"
            );
            checked += 1;
        }
    }
    checked
}
