//! The structure of generated PowerShell, read from the tree-sitter tree: which conditions guard a
//! statement (the `if` blocks around it and the early exits before it), so tests can say "the
//! delete happens only under ShouldProcess and after the KeepLast check" instead of looking for
//! substrings.
use tree_sitter::{Node, Tree};

/// Source text with every run of white space made one space.
pub fn norm(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

pub use super::cmdlets::node_text as text;

/// Every node of `kind` under `root` whose normalised text is `wanted`.
pub fn find_all<'t>(root: Node<'t>, src: &str, kind: &str, wanted: &str) -> Vec<Node<'t>> {
    let wanted = norm(wanted);
    let mut out = Vec::new();
    super::walk(root, &mut |n| {
        if n.kind() == kind && norm(text(n, src)) == wanted {
            out.push(n);
        }
    });
    out
}

/// The one `pipeline` statement whose normalised text is `wanted`.
pub fn statement<'t>(root: Node<'t>, src: &str, wanted: &str) -> Node<'t> {
    let hits = find_all(root, src, "pipeline", wanted);
    assert_eq!(
        hits.len(),
        1,
        "statement {:?} found {} times",
        norm(wanted),
        hits.len()
    );
    hits[0]
}

/// The function `name` of a script.
pub fn function<'t>(tree: &'t Tree, src: &str, name: &str) -> Node<'t> {
    let mut found = Vec::new();
    super::walk(tree.root_node(), &mut |n| {
        if n.kind() == "function_statement"
            && n.child_by_field_name("function_name")
                .or_else(|| named_child_of_kind(n, "function_name"))
                .is_some_and(|f| text(f, src).eq_ignore_ascii_case(name))
        {
            found.push(n);
        }
    });
    assert_eq!(found.len(), 1, "function {name}");
    found[0]
}

fn named_child_of_kind<'t>(n: Node<'t>, kind: &str) -> Option<Node<'t>> {
    let mut c = n.walk();
    let found = n.named_children(&mut c).find(|ch| ch.kind() == kind);
    found
}

/// The condition of an `if_statement` or `elseif_clause` (its `pipeline` child), normalised.
fn condition(n: Node, src: &str) -> String {
    norm(text(
        named_child_of_kind(n, "pipeline").expect("condition"),
        src,
    ))
}

/// Whether a statement block ends the enclosing iteration or function: its statement list holds a
/// `continue`, `return`, `break` or `throw` at its top level.
fn exits(block: Node, src: &str) -> bool {
    let Some(list) = named_child_of_kind(block, "statement_list") else {
        return false;
    };
    let mut c = list.walk();
    let found = list.named_children(&mut c).any(|s| {
        s.kind() == "flow_control_statement"
            && ["continue", "return", "break", "throw"]
                .iter()
                .any(|w| text(s, src).starts_with(w))
    });
    found
}

/// What must hold for `node` to run, from the outside in: `if C` for each enclosing then-block,
/// `not C` for each enclosing else-block (and for the conditions of the branches before it),
/// `not C` for each earlier `if C { ... continue/return/throw }` in an enclosing statement list,
/// and `foreach (...)`, `function NAME`, `Invoke-BackupStep -Name N` for the blocks around it.
pub fn guards(node: Node, src: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut child = node;
    while let Some(parent) = child.parent() {
        match parent.kind() {
            "statement_list" => {
                let mut c = parent.walk();
                let earlier: Vec<Node> = parent
                    .named_children(&mut c)
                    .take_while(|s| s.start_byte() < child.start_byte())
                    .collect();
                for s in earlier.iter().rev() {
                    if s.kind() == "if_statement" {
                        if let Some(then) = named_child_of_kind(*s, "statement_block") {
                            if exits(then, src) {
                                out.push(format!("not {}", condition(*s, src)));
                            }
                        }
                    }
                }
            }
            "if_statement" | "elseif_clause" => match child.kind() {
                "statement_block" => out.push(format!("if {}", condition(parent, src))),
                "elseif_clauses" => out.push(format!("not {}", condition(parent, src))),
                "else_clause" => {
                    out.push(format!("not {}", condition(parent, src)));
                    if let Some(elifs) = named_child_of_kind(parent, "elseif_clauses") {
                        let mut c = elifs.walk();
                        for e in elifs.named_children(&mut c) {
                            out.push(format!("not {}", condition(e, src)));
                        }
                    }
                }
                _ => {}
            },
            // In an elseif or else branch, the conditions of the elseif branches before it failed.
            "elseif_clauses" => {
                let mut sib = child.prev_named_sibling();
                while let Some(s) = sib {
                    if s.kind() == "elseif_clause" {
                        out.push(format!("not {}", condition(s, src)));
                    }
                    sib = s.prev_named_sibling();
                }
            }
            "foreach_statement" => {
                let head = text(parent, src);
                let head = &head[..head.find('{').unwrap_or(head.len())];
                out.push(norm(head));
            }
            "function_statement" => {
                let f = named_child_of_kind(parent, "function_name").expect("name");
                out.push(format!("function {}", text(f, src)));
            }
            "command" => {
                let t = norm(text(parent, src));
                if let Some(rest) = t.strip_prefix("Invoke-BackupStep -Name ") {
                    out.push(format!("step {}", rest.split(' ').next().unwrap_or("")));
                }
            }
            _ => {}
        }
        child = parent;
    }
    out.reverse();
    out
}

/// Byte offset order of two nodes.
pub fn before(a: Node, b: Node) -> bool {
    a.end_byte() <= b.start_byte()
}
