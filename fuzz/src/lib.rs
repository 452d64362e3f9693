//! The fuzz target's pieces, kept out of the libFuzzer entry point so that `cargo test` (stable)
//! checks them: one run of load → validate → plan → render over arbitrary bytes, and the output
//! oracle that decides whether the generated files let a topology value out of its literal.
//!
//! The oracle, for every topology value `v` worth checking ([`checked_values`]), and for every
//! place where `v` occurs verbatim in a generated file:
//! - `.ps1`: the occurrence lies inside one single-quoted literal (lexed with PowerShell's five
//!   quote characters, a quote followed by any quote being an escaped quote) or one comment; never
//!   in code, a double-quoted (expandable) string or across a boundary. The file must also lex to
//!   the end with no string, here-string or block comment left open.
//! - `.md`: the occurrence lies inside one run of CommonMark text or one code span (so it shows
//!   as written and makes no markup), or, in a fenced code block, inside one PowerShell literal or
//!   comment by the `.ps1` rule.
//!
//! Correct escaping never writes a value with a quote verbatim (quotes are doubled), and writes a
//! value with Markdown punctuation verbatim only in a code span; a value printed raw, or escaped
//! with the wrong function, shows up verbatim in the wrong place. That PowerShell reads each
//! literal back as exactly the value is `ps_literal`'s own property test (tests/escape.rs).

use std::ops::Range;

use abc_failover::load::{load_bytes, LoadError};
use abc_failover::render::{render_embedded, Renderer, TemplateSet};
use abc_failover::yaml::{self, Kind, Node, Plain};
use pulldown_cmark::{CodeBlockKind, Event, Options, Parser, Tag, TagEnd};

/// PowerShell's single-quote characters (string delimiters of verbatim literals).
const SQ: [char; 5] = ['\'', '\u{2018}', '\u{2019}', '\u{201A}', '\u{201B}'];
/// PowerShell's double-quote characters (expandable strings).
const DQ: [char; 4] = ['"', '\u{201C}', '\u{201D}', '\u{201E}'];

fn is_sq(c: char) -> bool {
    SQ.contains(&c)
}

fn is_dq(c: char) -> bool {
    DQ.contains(&c)
}

/// Byte ranges of a PowerShell text where a value may sit: single-quoted literals (delimiters
/// included), single-quoted here-strings and comments. Everything else is code or expandable text.
/// `Err` when a string, here-string or block comment is still open at the end.
pub fn ps_safe_ranges(src: &str) -> Result<Vec<Range<usize>>, String> {
    let cs: Vec<(usize, char)> = src.char_indices().collect();
    let at = |i: usize| cs.get(i).map(|&(_, c)| c);
    let off = |i: usize| cs.get(i).map_or(src.len(), |&(o, _)| o);
    let mut safe = Vec::new();
    let mut i = 0;
    let token_start = |i: usize| {
        i == 0
            || at(i - 1).is_some_and(|p| {
                p.is_whitespace() || matches!(p, ';' | '(' | '{' | '}' | '|' | '&' | ')')
            })
    };
    while i < cs.len() {
        let c = cs[i].1;
        match c {
            '`' => i += 2,
            '<' if at(i + 1) == Some('#') => {
                let start = off(i);
                let mut j = i + 2;
                loop {
                    match at(j) {
                        None => return Err(format!("block comment at byte {start} is not closed")),
                        Some('#') if at(j + 1) == Some('>') => break,
                        _ => j += 1,
                    }
                }
                safe.push(start..off(j + 2));
                i = j + 2;
            }
            '#' if token_start(i) => {
                let start = off(i);
                let mut j = i;
                while at(j).is_some_and(|c| c != '\n' && c != '\r') {
                    j += 1;
                }
                safe.push(start..off(j));
                i = j;
            }
            '@' if at(i + 1).is_some_and(|q| is_sq(q) || is_dq(q))
                && matches!(at(i + 2), Some('\n') | Some('\r')) =>
            {
                let single = at(i + 1).is_some_and(is_sq);
                let start = off(i);
                // Ends at a line that starts with a matching quote followed by `@`.
                let mut j = i + 2;
                loop {
                    match at(j) {
                        None => return Err(format!("here-string at byte {start} is not closed")),
                        Some('\n') | Some('\r')
                            if at(j + 1)
                                .is_some_and(|q| if single { is_sq(q) } else { is_dq(q) })
                                && at(j + 2) == Some('@') =>
                        {
                            break
                        }
                        _ => j += 1,
                    }
                }
                if single {
                    safe.push(start..off(j + 3));
                }
                i = j + 3;
            }
            q if is_sq(q) => {
                let start = off(i);
                let mut j = i + 1;
                loop {
                    match at(j) {
                        None => return Err(format!("string at byte {start} is not closed")),
                        Some(q) if is_sq(q) => {
                            if at(j + 1).is_some_and(is_sq) {
                                j += 2;
                            } else {
                                break;
                            }
                        }
                        _ => j += 1,
                    }
                }
                safe.push(start..off(j + 1));
                i = j + 1;
            }
            q if is_dq(q) => {
                let start = off(i);
                let mut j = i + 1;
                loop {
                    match at(j) {
                        None => {
                            return Err(format!("expandable string at byte {start} is not closed"))
                        }
                        Some('`') => j += 2,
                        Some('$') if at(j + 1) == Some('(') => {
                            // A subexpression: code up to its matching `)`, strings included.
                            let inner_start = j + 2;
                            let mut depth = 1usize;
                            let mut k = inner_start;
                            while depth > 0 {
                                match at(k) {
                                    None => {
                                        return Err(format!(
                                            "subexpression at byte {} is not closed",
                                            off(j)
                                        ))
                                    }
                                    Some('(') => depth += 1,
                                    Some(')') => depth -= 1,
                                    _ => {}
                                }
                                k += 1;
                            }
                            j = k;
                        }
                        Some(q) if is_dq(q) => {
                            if at(j + 1).is_some_and(is_dq) {
                                j += 2;
                            } else {
                                break;
                            }
                        }
                        _ => j += 1,
                    }
                }
                i = j + 1;
            }
            _ => i += 1,
        }
    }
    Ok(safe)
}

/// Where each verbatim occurrence of `needle` in `hay` starts (overlapping ones included).
fn occurrences<'a>(hay: &'a str, needle: &'a str) -> impl Iterator<Item = usize> + 'a {
    let mut from = 0;
    std::iter::from_fn(move || {
        let found = hay.get(from..)?.find(needle)? + from;
        from = found + hay[found..].chars().next().map_or(1, char::len_utf8);
        Some(found)
    })
}

fn inside(ranges: &[Range<usize>], r: &Range<usize>) -> bool {
    ranges.iter().any(|s| s.start <= r.start && r.end <= s.end)
}

/// The first value found verbatim outside a safe place of the PowerShell text `src`.
pub fn check_ps(src: &str, values: &[String]) -> Result<(), String> {
    let safe = ps_safe_ranges(src)?;
    for v in values {
        for at in occurrences(src, v) {
            let r = at..at + v.len();
            if !inside(&safe, &r) {
                let line = src[..at].matches('\n').count() + 1;
                return Err(format!(
                    "value {v:?} stands outside a literal at line {line}: {:?}",
                    line_at(src, at)
                ));
            }
        }
    }
    Ok(())
}

fn line_at(src: &str, at: usize) -> &str {
    let start = src[..at].rfind('\n').map_or(0, |i| i + 1);
    let end = src[at..].find('\n').map_or(src.len(), |i| at + i);
    &src[start..end]
}

/// The first value found verbatim outside one run of text or one code span of the Markdown `md`
/// (or, in a code block, outside a PowerShell literal or comment).
pub fn check_md(md: &str, values: &[String]) -> Result<(), String> {
    let mut text: Vec<Range<usize>> = Vec::new();
    // Code blocks: source range, content, whether it is PowerShell. Other blocks (the Mermaid
    // diagram) are opaque: a value may sit anywhere inside, as long as it cannot end the block.
    let mut blocks: Vec<(Range<usize>, String, bool)> = Vec::new();
    let mut in_block: Option<(Range<usize>, String, bool)> = None;
    let opts = Options::ENABLE_TABLES | Options::ENABLE_STRIKETHROUGH;
    for (ev, r) in Parser::new_ext(md, opts).into_offset_iter() {
        match ev {
            Event::Start(Tag::CodeBlock(kind)) => {
                let powershell = match &kind {
                    CodeBlockKind::Fenced(info) => {
                        matches!(
                            info.split_whitespace().next(),
                            Some("powershell" | "ps1" | "ps" | "pwsh")
                        )
                    }
                    CodeBlockKind::Indented => false,
                };
                in_block = Some((r, String::new(), powershell));
            }
            Event::End(TagEnd::CodeBlock) => blocks.extend(in_block.take()),
            Event::Text(t) if in_block.is_some() => {
                if let Some((_, code, _)) = in_block.as_mut() {
                    code.push_str(&t);
                }
            }
            Event::Text(_) => match text.last_mut() {
                Some(last) if last.end == r.start => last.end = r.end,
                _ => text.push(r),
            },
            Event::Code(_) => {
                text.push(r);
                // A code span is never merged with the text next to it.
                text.push(usize::MAX..usize::MAX);
            }
            _ => text.push(usize::MAX..usize::MAX),
        }
    }
    for (_, code, _) in blocks.iter().filter(|b| b.2) {
        check_ps(code, values).map_err(|e| format!("in a code block: {e}"))?;
    }
    let block_ranges: Vec<Range<usize>> = blocks.iter().map(|(r, _, _)| r.clone()).collect();
    for v in values {
        for at in occurrences(md, v) {
            let r = at..at + v.len();
            let in_block = block_ranges
                .iter()
                .any(|b| b.start <= r.start && r.end <= b.end);
            if !in_block && !inside(&text, &r) {
                let line = md[..at].matches('\n').count() + 1;
                return Err(format!(
                    "value {v:?} is Markdown markup at line {line}: {:?}",
                    line_at(md, at)
                ));
            }
        }
    }
    Ok(())
}

/// The values of the topology worth looking for in the output: every scalar (keys included)
/// of at least three characters that is not a number, boolean or null (those are printed as
/// PowerShell numbers and `$true`) and that the templates do not themselves contain (those
/// would be found in the template's own code).
pub fn checked_values(root: &Node, templates: &[String]) -> Vec<String> {
    fn walk(n: &Node, out: &mut Vec<String>) {
        match &n.kind {
            Kind::Scalar { text, .. } => out.push(text.clone()),
            Kind::Seq(items) => items.iter().for_each(|i| walk(i, out)),
            Kind::Map(entries) => entries.iter().for_each(|e| {
                out.push(e.key.clone());
                walk(&e.value, out);
            }),
        }
    }
    let mut all = Vec::new();
    walk(root, &mut all);
    all.sort();
    all.dedup();
    all.retain(|v| {
        v.chars().count() >= 3
            && matches!(yaml::resolve_plain(v), Plain::Str)
            && v.trim().parse::<f64>().is_err()
            && !templates.iter().any(|t| t.contains(v.as_str()))
    });
    all
}

/// The embedded templates' text (read from the source tree at build time).
pub fn template_texts() -> Vec<String> {
    vec![
        include_str!("../../templates/backup.ps1.tera").to_string(),
        include_str!("../../templates/restore-checklist.md.tera").to_string(),
        include_str!("../../templates/restore-announcements.md.tera").to_string(),
    ]
}

/// What a fuzz case needs once per process: the renderer (built from the embedded templates, as
/// one CLI run does) and the templates' text for [`checked_values`].
pub struct Setup {
    pub renderer: Renderer,
    pub templates: Vec<String>,
}

impl Setup {
    pub fn new() -> Self {
        Setup {
            renderer: Renderer::new(&TemplateSet::embedded()).expect("embedded templates parse"),
            templates: template_texts(),
        }
    }
}

impl Default for Setup {
    fn default() -> Self {
        Self::new()
    }
}

/// CPU seconds this process has used (user and system), so that a case's cost does not depend
/// on how busy the machine is.
pub fn cpu_seconds() -> f64 {
    let mut ts = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: `ts` is a valid, writable timespec; the clock id is a constant libc defines.
    unsafe { libc::clock_gettime(libc::CLOCK_PROCESS_CPUTIME_ID, &mut ts) };
    ts.tv_sec as f64 + ts.tv_nsec as f64 / 1e9
}

/// Most CPU time one case may take.
pub const MAX_CASE_CPU_SECONDS: f64 = 1.0;

/// One fuzz case, timed: `Err` describes a failure (a panic is a failure on its own).
pub fn run_timed(data: &[u8], setup: &Setup) -> Result<(), String> {
    let start = cpu_seconds();
    run_with(data, setup)?;
    let spent = cpu_seconds() - start;
    if spent > MAX_CASE_CPU_SECONDS {
        return Err(format!(
            "took {spent:.2} s of CPU (more than {MAX_CASE_CPU_SECONDS} s)"
        ));
    }
    Ok(())
}

/// One fuzz case with the embedded templates (builds the renderer each time; for tests).
pub fn run(data: &[u8], templates: &[String]) -> Result<(), String> {
    let loaded = match load(data)? {
        Some(l) => l,
        None => return Ok(()),
    };
    let artifacts = render_embedded(&loaded).map_err(|e| format!("render failed: {e}"))?;
    check_artifacts(data, &artifacts, templates)
}

fn run_with(data: &[u8], setup: &Setup) -> Result<(), String> {
    let loaded = match load(data)? {
        Some(l) => l,
        None => return Ok(()),
    };
    let artifacts = setup
        .renderer
        .render_all(&loaded)
        .map_err(|e| format!("render failed: {e}"))?;
    check_artifacts(data, &artifacts, &setup.templates)
}

fn load(data: &[u8]) -> Result<Option<abc_failover::load::Loaded>, String> {
    match load_bytes("fuzz.yaml", "fuzz.yaml", data, &[]) {
        Ok(l) => Ok(Some(l)),
        // Refused input must be refused with at least one error.
        Err(LoadError::Invalid(diags)) if diags.iter().any(|d| d.is_error()) => Ok(None),
        Err(LoadError::Invalid(_)) => Err("refused without an error".into()),
        Err(e @ LoadError::Unreadable { .. }) => Err(format!("unexpected: {e}")),
    }
}

fn check_artifacts(
    data: &[u8],
    artifacts: &abc_failover::render::Artifacts,
    templates: &[String],
) -> Result<(), String> {
    let text = std::str::from_utf8(data).map_err(|_| "loaded non-UTF-8 input".to_string())?;
    let root = yaml::parse(
        text.trim_start_matches('\u{FEFF}'),
        abc_failover::diagnostic::Origin::File,
    )
    .map_err(|_| "loaded but does not parse".to_string())?;
    let values = checked_values(&root, templates);
    for (path, bytes) in artifacts {
        let s = std::str::from_utf8(bytes).map_err(|_| format!("{path} is not UTF-8"))?;
        let checked = if path.ends_with(".ps1") {
            check_ps(s.trim_start_matches('\u{FEFF}'), &values)
        } else if path.ends_with(".md") {
            check_md(s, &values)
        } else {
            Ok(())
        };
        checked.map_err(|e| format!("{path}: {e}"))?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use abc_failover::escape::{md_code, md_text, ps_literal};

    fn vals(v: &[&str]) -> Vec<String> {
        v.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn values_in_literals_and_comments_pass() {
        let v = vals(&["it's", "don\u{2019}t", "pool-a.contoso.com"]);
        let src = format!(
            "# pool-a.contoso.com\r\n$a = {}\r\n$b = @({}, {})\r\n<# it's #>\r\n",
            ps_literal("pool-a.contoso.com"),
            ps_literal("it's"),
            ps_literal("don\u{2019}t")
        );
        check_ps(&src, &v).unwrap();
    }

    #[test]
    fn values_in_code_or_expandable_strings_fail() {
        let v = vals(&["pool-a.contoso.com"]);
        assert!(check_ps("$a = pool-a.contoso.com\r\n", &v).is_err());
        assert!(check_ps("$a = \"pool-a.contoso.com\"\r\n", &v).is_err());
        // Conservative: a subexpression inside an expandable string is not looked into.
        assert!(check_ps("$a = \"x $('pool-a.contoso.com')\"\r\n", &v).is_err());
        // A line comment ends at the line break: what follows is code.
        let v = vals(&["x\r\nRemove-Item C:\\"]);
        assert!(check_ps("# x\r\nRemove-Item C:\\\r\n", &v).is_err());
    }

    #[test]
    fn a_curly_quote_left_alone_ends_the_literal() {
        // Escaping only the ASCII quote lets U+2019 close the string.
        let v = vals(&["a\u{2019}; Stop-Computer; \u{2019}"]);
        let broken = format!("$x = '{}'\r\n", v[0]);
        assert!(check_ps(&broken, &v).is_err());
        check_ps(&format!("$x = {}\r\n", ps_literal(&v[0])), &v).unwrap();
    }

    #[test]
    fn unclosed_strings_and_comments_fail() {
        assert!(ps_safe_ranges("$a = 'x").is_err());
        assert!(ps_safe_ranges("$a = \"x").is_err());
        assert!(ps_safe_ranges("<# x").is_err());
        assert!(ps_safe_ranges("@'\r\nx\r\n").is_err());
        assert!(ps_safe_ranges("$a = `'x").is_ok());
    }

    #[test]
    fn markdown_text_and_code_spans_pass_and_markup_fails() {
        let v = vals(&["a*b*c", "<b>x</b>", "plain value", "evil.example"]);
        let md = format!(
            "# T\n\nSee {} and {} and {} and {}.\n\n| a | b |\n|---|---|\n| {} | z |\n",
            md_text("a*b*c"),
            md_code("a*b*c"),
            md_text("<b>x</b>"),
            md_text("plain value"),
            md_text("a*b*c"),
        );
        check_md(&md, &v).unwrap();
        assert!(check_md("See a*b*c here.\n", &v).is_err());
        assert!(check_md("See <b>x</b> here.\n", &v).is_err());
        assert!(check_md("[plain value](http://evil.example)\n", &v).is_err());
        assert!(check_md("```\nplain value\n```\n", &v).is_ok());
        assert!(check_md("```powershell\nplain value\n```\n", &v).is_err());
    }

    #[test]
    fn markdown_code_blocks_are_checked_as_powershell() {
        let v = vals(&["pool-a.contoso.com"]);
        let good = format!(
            "```powershell\nGet-CsPool {}\n```\n",
            ps_literal("pool-a.contoso.com")
        );
        check_md(&good, &v).unwrap();
        assert!(check_md("```powershell\nGet-CsPool pool-a.contoso.com\n```\n", &v).is_err());
    }

    fn sample(name: &str) -> Vec<u8> {
        std::fs::read(format!("{}/../samples/{name}", env!("CARGO_MANIFEST_DIR"))).unwrap()
    }

    #[test]
    fn the_samples_and_hostile_fixtures_pass_and_check_values() {
        let t = template_texts();
        for name in [
            "contoso.yaml",
            "fabrikam-sfb2019.yaml",
            "litware-standard.yaml",
        ] {
            run(&sample(name), &t).unwrap();
        }
        for name in ["hostile-backup.yaml", "hostile-checklist.yaml"] {
            let p = format!("{}/../tests/fixtures/{name}", env!("CARGO_MANIFEST_DIR"));
            let bytes = std::fs::read(p).unwrap();
            run(&bytes, &t).unwrap();
            let root = yaml::parse(
                std::str::from_utf8(&bytes).unwrap(),
                abc_failover::diagnostic::Origin::File,
            )
            .unwrap();
            assert!(checked_values(&root, &t).len() > 10, "{name}");
        }
    }

    #[test]
    fn the_oracle_sees_real_output() {
        // The oracle is not vacuous on real output: a sample's own FQDN, written raw into its
        // backup script's code, is caught.
        let t = template_texts();
        let bytes = sample("contoso.yaml");
        let loaded = load_bytes("c.yaml", "c.yaml", &bytes, &[]).unwrap();
        let arts = render_embedded(&loaded).unwrap();
        let script = &arts["red/backup-red.ps1"];
        let script = String::from_utf8(script.clone()).unwrap();
        let root = yaml::parse(
            std::str::from_utf8(&bytes).unwrap(),
            abc_failover::diagnostic::Origin::File,
        )
        .unwrap();
        let values = checked_values(&root, &t);
        assert!(values.iter().any(|v| v == "lyncpool01.contoso.com"));
        check_ps(&script, &values).unwrap();
        let tampered = script.replacen("'lyncpool01.contoso.com'", "lyncpool01.contoso.com", 1);
        assert_ne!(tampered, script);
        assert!(check_ps(&tampered, &values).is_err());
    }
}
