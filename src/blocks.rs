//! What every command block of a rendered runbook gets, after the templates: a first line that
//! throws when the block holds a placeholder, and the `. { trap { break } … }` wrapper that
//! makes PowerShell read the block whole before it runs any of it and stop it at any error.

use crate::escape::ps_literal;
use crate::plan::MissingValue;

/// The fence lines of a command block, as the templates write them (indented or not).
const OPEN: &str = "```powershell";
const CLOSE: &str = "```";

/// Each ```` ```powershell ```` block as (index of its opening fence line, index of its closing
/// fence line, or the number of lines when it is not closed).
fn blocks(lines: &[&str]) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    let mut i = 0;
    while i < lines.len() {
        if lines[i].trim_start() == OPEN {
            let end = (i + 1..lines.len())
                .find(|&j| lines[j].trim_start() == CLOSE)
                .unwrap_or(lines.len());
            out.push((i, end));
            i = end;
        }
        i += 1;
    }
    out
}

fn indent(line: &str) -> &str {
    &line[..line.len() - line.trim_start().len()]
}

/// Every ```` ```powershell ```` block of a rendered checklist that holds a placeholder (as the
/// single-quoted literal the templates print) gets a first line that throws, naming the
/// placeholders and the `--set` options that fill them: a block never runs with a placeholder.
pub fn stop_on_missing(md: &str, missing: &[MissingValue]) -> String {
    if missing.is_empty() {
        return md.to_string();
    }
    let lines: Vec<&str> = md.split('\n').collect();
    let mut inserts: Vec<(usize, String)> = Vec::new();
    for (open, end) in blocks(&lines) {
        let body = lines[open + 1..end].join("\n");
        let needed: Vec<&MissingValue> = missing
            .iter()
            .filter(|m| body.contains(&ps_literal(&m.placeholder)))
            .collect();
        if needed.is_empty() {
            continue;
        }
        let sets: Vec<String> = needed
            .iter()
            .map(|m| format!("--set {}=<value>", m.set_path))
            .collect();
        let message = format!(
            "This block needs values the topology lacks. Render the runbook again with {} (see Values still missing).",
            sets.join(" ")
        );
        let line = format!("{}throw {}", indent(lines[open]), ps_literal(&message));
        inserts.push((open + 1, line));
    }
    splice(&lines, inserts)
}

/// The lines a command block is wrapped in: before its body and after it.
pub const WRAP_OPEN: [&str; 2] = [". {", "trap { break }"];
pub const WRAP_CLOSE: &str = "}";

/// Every command block, wrapped in [`WRAP_OPEN`] and [`WRAP_CLOSE`] (lines of their own, the
/// block's indent, the body unchanged so here-strings keep their column). PowerShell parses a
/// script block whole before it runs it, so a `throw` stops the rest of the block even when
/// the block is pasted into a console without PSReadLine (Windows PowerShell 3.0 and 4.0),
/// which runs every complete line as soon as it arrives. `trap { break }` makes every error
/// that ends a command (a cmdlet's own terminating error, a .NET exception, a `-ErrorAction
/// Stop`) end the whole block too; without it such an error ends only its own statement and
/// the next one runs. The dot runs the block in the shell's own scope, so `$Set` and the other
/// values a block sets stay for the next blocks.
pub fn run_whole(md: &str) -> String {
    let lines: Vec<&str> = md.split('\n').collect();
    let mut inserts: Vec<(usize, String)> = Vec::new();
    for (open, end) in blocks(&lines) {
        let at = indent(lines[open]);
        for line in WRAP_OPEN {
            inserts.push((open + 1, format!("{at}{line}")));
        }
        inserts.push((end, format!("{at}{WRAP_CLOSE}")));
    }
    splice(&lines, inserts)
}

/// `lines` joined with `\n`, with each insert placed before the line of its index (in order).
fn splice(lines: &[&str], inserts: Vec<(usize, String)>) -> String {
    let mut out = String::new();
    let mut pending = inserts.into_iter().peekable();
    for (i, line) in lines.iter().enumerate() {
        while let Some((_, text)) = pending.next_if(|(at, _)| *at == i) {
            out.push_str(&text);
            out.push('\n');
        }
        out.push_str(line);
        out.push('\n');
    }
    for (_, text) in pending {
        out.push_str(&text);
        out.push('\n');
    }
    out.pop();
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// One missing value, `MISSING-x`, filled by `--set pools.p.x=...`.
    fn missing_x() -> Vec<MissingValue> {
        vec![MissingValue {
            placeholder: "MISSING-x".into(),
            what: "x",
            set_path: "pools.p.x".into(),
            key: "x",
            example: "v",
        }]
    }

    #[test]
    fn blocks_with_a_placeholder_throw_first_and_others_are_untouched() {
        let missing = missing_x();
        let md = "a\n  ```powershell\n  $X = 'MISSING-x'\n  ```\n```powershell\n$Y = 'MISSING-xy'\n```\n";
        let out = stop_on_missing(md, &missing);
        assert_eq!(
            out,
            "a\n  ```powershell\n  throw 'This block needs values the topology lacks. Render the runbook again with --set pools.p.x=<value> (see Values still missing).'\n  $X = 'MISSING-x'\n  ```\n```powershell\n$Y = 'MISSING-xy'\n```\n"
        );
        assert_eq!(stop_on_missing(md, &[]), md);
    }

    #[test]
    fn only_the_body_of_a_block_is_searched_for_placeholders() {
        // The line before a block may quote a placeholder; the block after it holds none.
        let md = "Fill `'MISSING-x'`:\n'MISSING-x'\n```powershell\n$Y = 1\n```\n";
        assert_eq!(stop_on_missing(md, &missing_x()), md);
        // A block on the first line of the text.
        let md = "```powershell\n$X = 'MISSING-x'\n```";
        assert!(stop_on_missing(md, &missing_x()).starts_with("```powershell\nthrow '"));
    }

    #[test]
    fn every_block_is_wrapped_and_a_missing_value_throw_lands_inside() {
        let missing = missing_x();
        let md =
            "a\n  ```powershell\n  $X = 'MISSING-x'\n  ```\n```powershell\n$Y = @'\nz\n'@\n```\nb";
        let out = run_whole(&stop_on_missing(md, &missing));
        assert_eq!(
            out,
            "a\n  ```powershell\n  . {\n  trap { break }\n  throw 'This block needs values the topology lacks. Render the runbook again with --set pools.p.x=<value> (see Values still missing).'\n  $X = 'MISSING-x'\n  }\n  ```\n```powershell\n. {\ntrap { break }\n$Y = @'\nz\n'@\n}\n```\nb"
        );
        assert_eq!(run_whole("no block\n"), "no block\n");
    }
}
