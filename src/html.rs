//! The interactive runbook page (`ID/restore-checklist-ID.html`): the rendered Markdown runbook
//! converted with pulldown-cmark into one self-contained HTML file, with the stylesheet and
//! script of `src/html/` inline and the Mermaid pool diagram redrawn as inline SVG.
//!
//! The page is a pure function of the Markdown and the pool id, so it can never drift from the
//! `.md`, and `check`/`diff` can tell a page that changed only because its Markdown did.
//!
//! Escaping: every character of the Markdown reaches the page as text through pulldown-cmark's
//! own HTML escaping (or [`esc`] for the SVG). Raw HTML in the Markdown is never passed through:
//! it is shown as text. Only markup written here (fixed strings, numbers, and ids made of ASCII
//! letters and digits) goes out unescaped, and no value of the topology ever lands in an
//! attribute.

use std::fmt::Write as _;

use pulldown_cmark::{CodeBlockKind, CowStr, Event, HeadingLevel, Options, Parser, Tag, TagEnd};
use sha2::{Digest, Sha256};

use crate::load::sha256_hex;

const CSS: &str = include_str!("html/runbook.css");
const JS: &str = include_str!("html/runbook.js");

/// The Markdown options the runbook uses (the same ones the tests read it with).
fn options() -> Options {
    Options::ENABLE_TABLES | Options::ENABLE_TASKLISTS
}

/// `s` escaped for HTML text and attribute values.
pub fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// Standard base64 (RFC 4648, with padding), for the CSP hashes.
fn base64(bytes: &[u8]) -> String {
    const ABC: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::new();
    for chunk in bytes.chunks(3) {
        let b = [
            chunk[0],
            chunk.get(1).copied().unwrap_or(0),
            chunk.get(2).copied().unwrap_or(0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(ABC[((n >> (18 - 6 * i)) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

/// A CSP source expression for inline content: `'sha256-...'`.
fn csp_hash(content: &str) -> String {
    format!("'sha256-{}'", base64(&Sha256::digest(content.as_bytes())))
}

/// What kind of checklist item: counted separately in the progress line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    /// `P1.` ... in "Before you begin".
    Prep,
    /// `Step N.`: Microsoft's numbered steps.
    Step,
    /// Any other top-level item (`Before step 7.`, `Final checks`, ...).
    Other,
    /// A nested checkbox (the lists under "Final checks" and the like).
    Check,
}

impl Kind {
    fn word(self) -> &'static str {
        match self {
            Kind::Prep => "prep",
            Kind::Step => "step",
            Kind::Other => "other",
            Kind::Check => "check",
        }
    }
}

/// A checklist item found in the first pass.
#[derive(Debug)]
struct Item {
    kind: Kind,
    /// Anchor id: ASCII letters, digits and `-` only.
    anchor: String,
    /// The title as plain text (escaped when written).
    title: String,
    /// The short name used in button labels (`Step 4`, `P2`): ASCII only, or empty.
    short: String,
    /// Index of the H2 section it is in.
    section: Option<usize>,
}

#[derive(Debug)]
struct Section {
    title: String,
}

/// `Step 12` from `Step 12. Do this`, `P3` from `P3. Verify`; `None` for anything else.
fn short_name(title: &str) -> Option<(Kind, String, String)> {
    let head = title.split_once(". ")?.0;
    if let Some(n) = head.strip_prefix("Step ") {
        if !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()) {
            return Some((Kind::Step, format!("Step {n}"), format!("step-{n}")));
        }
    }
    if let Some(n) = head.strip_prefix('P') {
        if !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()) {
            return Some((Kind::Prep, format!("P{n}"), format!("p{n}")));
        }
    }
    None
}

fn plain_text(events: &[Event]) -> String {
    let mut s = String::new();
    for e in events {
        match e {
            Event::Text(t) | Event::Code(t) | Event::Html(t) | Event::InlineHtml(t) => {
                s.push_str(t)
            }
            Event::SoftBreak | Event::HardBreak => s.push(' '),
            _ => {}
        }
    }
    s
}

/// Raw HTML is never passed through: blocks that are only an HTML comment (the "generated"
/// header) are dropped, any other HTML becomes text.
fn neutralise(events: Vec<Event<'_>>) -> Vec<Event<'_>> {
    let mut out = Vec::with_capacity(events.len());
    let mut i = 0;
    while i < events.len() {
        match &events[i] {
            Event::Start(Tag::HtmlBlock) => {
                let end = events[i..]
                    .iter()
                    .position(|e| matches!(e, Event::End(TagEnd::HtmlBlock)))
                    .map_or(events.len(), |p| i + p);
                let text = plain_text(&events[i + 1..end]);
                let t = text.trim();
                // Every line a whole comment (so the block starts and ends as one), and as many
                // ends as starts (`<!-- a --> -->` shows its second `-->`).
                let only_comment = t.matches("-->").count() == t.matches("<!--").count()
                    && t.lines().all(|l| {
                        let l = l.trim();
                        l.is_empty() || (l.starts_with("<!--") && l.ends_with("-->"))
                    });
                if !only_comment {
                    out.push(Event::Start(Tag::Paragraph));
                    out.push(Event::Text(CowStr::from(t.to_string())));
                    out.push(Event::End(TagEnd::Paragraph));
                }
                i = end + 1;
                continue;
            }
            Event::Html(t) | Event::InlineHtml(t) => out.push(Event::Text(t.clone())),
            // No external resources: an image is its alternative text.
            Event::Start(Tag::Image { .. }) | Event::End(TagEnd::Image) => {}
            Event::Start(Tag::Link { dest_url, .. }) if !safe_link(dest_url) => {
                out.push(Event::Start(Tag::Emphasis))
            }
            e => out.push(e.clone()),
        }
        i += 1;
    }
    // Unsafe links were opened as emphasis: close them the same way.
    let mut stack = Vec::new();
    for e in out.iter_mut() {
        match e {
            Event::Start(Tag::Link { .. }) => stack.push(true),
            Event::Start(Tag::Emphasis) => stack.push(false),
            Event::End(TagEnd::Link) | Event::End(TagEnd::Emphasis)
                if stack.pop() == Some(false) =>
            {
                *e = Event::End(TagEnd::Emphasis);
            }
            _ => {}
        }
    }
    out
}

fn safe_link(url: &str) -> bool {
    let u = url.to_ascii_lowercase();
    u.starts_with("https://") || u.starts_with("http://") || u.starts_with('#')
}

/// First pass: sections and checklist items, in document order.
fn survey(events: &[Event]) -> (Vec<Section>, Vec<Item>, Option<String>) {
    let mut sections = Vec::new();
    let mut items: Vec<Item> = Vec::new();
    let mut h1 = None;
    let mut depth = 0usize;
    for (i, e) in events.iter().enumerate() {
        match e {
            Event::Start(Tag::Heading { level, .. }) => {
                let end = find_end(events, i);
                let title = plain_text(&events[i + 1..end]);
                match level {
                    HeadingLevel::H1 if h1.is_none() => h1 = Some(title),
                    HeadingLevel::H2 => sections.push(Section { title }),
                    _ => {}
                }
            }
            Event::Start(Tag::List(_)) => depth += 1,
            Event::End(TagEnd::List(_)) => depth = depth.saturating_sub(1),
            Event::Start(Tag::Item) => {
                if let Some((from, to)) = task_title(events, i) {
                    let title = plain_text(&events[from..to]).trim().to_string();
                    let n = items.len() + 1;
                    let (kind, short, anchor) = if depth > 1 {
                        (Kind::Check, String::new(), format!("item-{n}"))
                    } else {
                        short_name(&title).unwrap_or((
                            Kind::Other,
                            String::new(),
                            format!("item-{n}"),
                        ))
                    };
                    items.push(Item {
                        kind,
                        anchor,
                        title,
                        short,
                        section: sections.len().checked_sub(1),
                    });
                }
            }
            _ => {}
        }
    }
    // Anchors stay unique even if a template repeats a step number.
    let mut seen = std::collections::BTreeSet::new();
    for (n, item) in items.iter_mut().enumerate() {
        if !seen.insert(item.anchor.clone()) {
            item.anchor = format!("item-{}", n + 1);
            seen.insert(item.anchor.clone());
        }
    }
    (sections, items, h1)
}

/// Index of the `End` matching the `Start` at `i`.
fn find_end(events: &[Event], i: usize) -> usize {
    let mut level = 0i32;
    for (j, e) in events.iter().enumerate().skip(i) {
        match e {
            Event::Start(_) => level += 1,
            Event::End(_) => {
                level -= 1;
                if level == 0 {
                    return j;
                }
            }
            _ => {}
        }
    }
    events.len()
}

/// For an item starting at `i` that is a task (`- [ ] ...`): the range of its title events
/// (after the marker, up to the end of its first paragraph or line).
fn task_title(events: &[Event], i: usize) -> Option<(usize, usize)> {
    let mut j = i + 1;
    if matches!(events.get(j), Some(Event::Start(Tag::Paragraph))) {
        j += 1;
    }
    if !matches!(events.get(j), Some(Event::TaskListMarker(_))) {
        return None;
    }
    let from = j + 1;
    let to = events[from..]
        .iter()
        .position(|e| {
            matches!(
                e,
                Event::End(TagEnd::Paragraph)
                    | Event::End(TagEnd::Item)
                    | Event::Start(Tag::List(_))
                    | Event::Start(Tag::CodeBlock(_))
            )
        })
        .map_or(events.len(), |p| from + p);
    Some((from, to))
}

/// The paragraph lead words that get their own look.
const CALLOUTS: [(&str, &str); 3] = [
    ("Warning:", "warn"),
    ("Correction:", "fix"),
    ("Check:", "check"),
];

/// Second pass: the events with the page's own markup put in.
fn transform<'a>(events: &[Event<'a>], items: &[Item]) -> Vec<Event<'a>> {
    let html = |s: String| Event::Html(CowStr::from(s));
    let mut out: Vec<Event<'a>> = Vec::with_capacity(events.len() + items.len() * 8);
    let mut item_n = 0usize;
    let mut section_n = 0usize;
    let mut code_n = 0usize;
    // Per open list item: whether it is a task item (its End writes `</li>`).
    let mut open_items: Vec<bool> = Vec::new();
    let mut current_short = String::new();
    // End of a task title still to close: `</span></h3>` or `</span>`.
    let mut close_title: Option<(usize, &'static str)> = None;
    let mut i = 0;
    while i < events.len() {
        if let Some((at, close)) = close_title {
            if i == at {
                out.push(html(close.to_string()));
                let n = item_n;
                out.push(html(format!(
                    "<p class=\"stamp\" id=\"s-{n}\" hidden></p>\n"
                )));
                close_title = None;
                if matches!(events[i], Event::End(TagEnd::Paragraph)) {
                    i += 1;
                    continue;
                }
            }
        }
        let e = &events[i];
        match e {
            Event::Start(Tag::Heading {
                level: HeadingLevel::H2,
                ..
            }) => {
                section_n += 1;
                current_short.clear();
                out.push(html(format!("<h2 id=\"sec-{section_n}\">")));
            }
            Event::Start(Tag::Item) => match task_title(events, i) {
                Some((from, to)) => {
                    let item = &items[item_n];
                    item_n += 1;
                    let n = item_n;
                    let top = item.kind != Kind::Check;
                    if top {
                        current_short = item.short.clone();
                    }
                    let checked = matches!(events[from - 1], Event::TaskListMarker(true));
                    let mut s = format!(
                        "<li class=\"task {kind}\" id=\"{anchor}\" data-kind=\"{kind}\">",
                        kind = item.kind.word(),
                        anchor = item.anchor
                    );
                    s.push_str(if top {
                        "<h3 class=\"task-head\">"
                    } else {
                        "<span class=\"task-line\">"
                    });
                    let _ = write!(
                        s,
                        "<input type=\"checkbox\" class=\"tick\" id=\"cb-{n}\" aria-labelledby=\"t-{n}\"{}><span class=\"task-title\" id=\"t-{n}\">",
                        if checked { " checked" } else { "" }
                    );
                    out.push(html(s));
                    open_items.push(true);
                    close_title = Some((
                        to,
                        if top {
                            "</span></h3>\n"
                        } else {
                            "</span></span>\n"
                        },
                    ));
                    // The item's own Start, paragraph start and marker are replaced; a
                    // `**title**` right after the marker loses its bold (the heading is bold).
                    let mut next = from;
                    if top
                        && matches!(events.get(next), Some(Event::Start(Tag::Strong)))
                        && find_end(events, next) + 1 == to
                    {
                        out.extend(events[next + 1..to - 1].iter().cloned());
                        next = to;
                    }
                    i = next;
                    continue;
                }
                None => {
                    open_items.push(false);
                    out.push(e.clone());
                }
            },
            Event::End(TagEnd::Item) => {
                if open_items.pop() == Some(true) {
                    out.push(html("</li>\n".into()));
                } else {
                    out.push(e.clone());
                }
            }
            Event::Start(Tag::Paragraph) => {
                let callout = match events.get(i + 1) {
                    Some(Event::Text(t)) => CALLOUTS
                        .iter()
                        .find(|(lead, _)| t.starts_with(lead))
                        .map(|(lead, class)| (*lead, *class, t)),
                    _ => None,
                };
                match callout {
                    Some((lead, class, t)) => {
                        out.push(html(format!(
                            "<p class=\"callout {class}\"><strong class=\"lead\">{lead}</strong>"
                        )));
                        out.push(Event::Text(CowStr::from(t[lead.len()..].to_string())));
                        i += 2;
                        continue;
                    }
                    None => out.push(e.clone()),
                }
            }
            Event::Start(Tag::CodeBlock(kind)) => {
                let end = find_end(events, i);
                let lang = match kind {
                    CodeBlockKind::Fenced(l) => l.split_whitespace().next().unwrap_or(""),
                    CodeBlockKind::Indented => "",
                };
                let body = plain_text(&events[i + 1..end]);
                if lang == "mermaid" {
                    if let Some(svg) = diagram(&body) {
                        out.push(html(svg));
                        i = end + 1;
                        continue;
                    }
                }
                code_n += 1;
                let k = code_n;
                let label = match lang {
                    "powershell" => "PowerShell",
                    "mermaid" => "Mermaid diagram source",
                    _ => "Text",
                };
                let whose = if current_short.is_empty() {
                    String::new()
                } else {
                    format!(", {current_short}")
                };
                out.push(html(format!(
                    "<div class=\"code\"><div class=\"code-bar\"><span class=\"lang\">{label}</span><button type=\"button\" class=\"copy\" data-code=\"code-{k}\" aria-label=\"Copy command block {k}{whose}\">Copy</button></div><pre><code id=\"code-{k}\">"
                )));
                // One span per line: a wrapped line continues indented under its start.
                for line in body.split_inclusive('\n') {
                    out.push(html("<span class=\"ln\">".into()));
                    out.push(Event::Text(CowStr::from(line.to_string())));
                    out.push(html("</span>".into()));
                }
                out.push(html("</code></pre></div>\n".into()));
                i = end + 1;
                continue;
            }
            e => out.push(e.clone()),
        }
        i += 1;
    }
    out
}

/// The table of contents: every H2 section with its checklist items.
fn toc(sections: &[Section], items: &[Item]) -> String {
    let mut s = String::from(
        "<nav class=\"toc\" aria-label=\"Contents\"><h2 class=\"toc-head\">Contents</h2>\n<ol>\n",
    );
    for (k, sec) in sections.iter().enumerate() {
        let _ = write!(s, "<li><a href=\"#sec-{}\">{}</a>", k + 1, esc(&sec.title));
        let mine: Vec<(usize, &Item)> = items
            .iter()
            .enumerate()
            .filter(|(_, it)| it.section == Some(k) && it.kind != Kind::Check)
            .collect();
        if !mine.is_empty() {
            s.push_str("\n<ol>\n");
            for (n, it) in mine {
                let _ = writeln!(
                    s,
                    "<li><a href=\"#{}\" data-cb=\"cb-{}\">{}</a></li>",
                    it.anchor,
                    n + 1,
                    esc(&it.title)
                );
            }
            s.push_str("</ol>\n");
        }
        s.push_str("</li>\n");
    }
    s.push_str("</ol>\n</nav>\n");
    s
}

/// "0 of 29 steps, 0 of 4 preparation blocks, ..." as the script also writes it.
fn progress_text(items: &[Item]) -> String {
    let names = [
        (Kind::Step, "steps"),
        (Kind::Prep, "preparation blocks"),
        (Kind::Other, "other items"),
        (Kind::Check, "checks"),
    ];
    names
        .iter()
        .filter_map(|(kind, word)| {
            let n = items.iter().filter(|i| i.kind == *kind).count();
            (n > 0).then(|| format!("0 of {n} {word}"))
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// The page for pool `pool_id` from its rendered Markdown runbook. Deterministic bytes: UTF-8,
/// LF, final newline.
pub fn page(pool_id: &str, markdown: &[u8]) -> Vec<u8> {
    let md = String::from_utf8_lossy(markdown);
    let events = neutralise(Parser::new_ext(&md, options()).collect());
    let (sections, items, h1) = survey(&events);
    let body_events = transform(&events, &items);
    let mut body = String::new();
    pulldown_cmark::html::push_html(&mut body, body_events.into_iter());

    let title = h1.unwrap_or_else(|| format!("ABC failover runbook: pool id {pool_id}"));
    let csp = format!(
        "default-src 'none'; script-src {}; style-src {}; img-src 'none'; base-uri 'none'; form-action 'none'",
        csp_hash(JS),
        csp_hash(CSS)
    );
    let md_name = format!("restore-checklist-{pool_id}.md");
    let hash = sha256_hex(markdown);
    let total = items.len();
    let mut s = String::new();
    let _ = write!(
        s,
        r##"<!DOCTYPE html>
<!-- Code generated by abc-failover from {md_name}. DO NOT EDIT. -->
<html lang="en" class="nojs" data-pool="{pool}" data-runbook="{hash}">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="{csp}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="color-scheme" content="light dark">
<title>{title}</title>
<style>{CSS}</style>
</head>
<body>
<a class="skip" href="#runbook">Skip to the runbook</a>
<header class="bar" aria-label="Progress and controls">
<div class="bar-in">
<div class="progress-box">
<p class="progress-text" id="progress-text">{progress}</p>
<progress id="progress" max="{total}" value="0" aria-labelledby="progress-text"></progress>
</div>
<div class="actions">
<button type="button" id="next" aria-describedby="next-title">Next unticked</button>
<span class="next-title" id="next-title"></span>
<label class="initials">Initials <input type="text" id="initials" size="5" maxlength="12" autocomplete="off" spellcheck="false"></label>
<button type="button" id="download">Download tick log</button>
<button type="button" id="reset">Reset ticks</button>
</div>
</div>
<p class="status" id="status" role="status" aria-live="polite"></p>
</header>
<div class="layout">
{toc}<main id="runbook" tabindex="-1">
{body}</main>
</div>
<footer class="foot">
<p>Made by abc-failover from <code>{md_name}</code> (SHA-256 <code>{hash}</code>). Ticks are kept in this browser only, for this version of the runbook.</p>
</footer>
<script>{JS}</script>
</body>
</html>
"##,
        pool = esc(pool_id),
        title = esc(&title),
        progress = esc(&progress_text(&items)),
        toc = toc(&sections, &items),
    );
    s.into_bytes()
}

/// A node or edge of the runbook's Mermaid flowchart.
struct Edge {
    from: usize,
    to: usize,
    dashed: bool,
    arrow: bool,
    label: String,
}

const NODE_IDS: [&str; 3] = ["A", "B", "C"];
const NODE_W: f64 = 260.0;
const NODE_H: f64 = 64.0;
/// Top-left corners: A and B on top, C below between them.
const NODE_POS: [(f64, f64); 3] = [(16.0, 40.0), (484.0, 40.0), (250.0, 226.0)];
const NODE_CLASS: [&str; 3] = ["lost", "takeover", "new"];

/// `"text"` to `text`, with Mermaid's `#quot;` entity undone.
fn quoted(s: &str) -> Option<String> {
    let inner = s.strip_prefix('"')?.strip_suffix('"')?;
    Some(inner.replace("#quot;", "\""))
}

fn parse_flowchart(src: &str) -> Option<([String; 3], Vec<Edge>)> {
    let mut lines = src.lines().map(str::trim).filter(|l| !l.is_empty());
    let head = lines.next()?;
    if head != "flowchart LR" && head != "graph LR" {
        return None;
    }
    let mut labels: [Option<String>; 3] = Default::default();
    let mut edges = Vec::new();
    let index = |id: &str| NODE_IDS.iter().position(|n| *n == id);
    for line in lines {
        if let Some((id, rest)) = line.split_once('[') {
            if let Some(k) = index(id) {
                let label = quoted(rest.strip_suffix(']')?)?;
                labels[k] = Some(label);
                continue;
            }
        }
        let mut parts = line.splitn(2, ' ');
        let from = index(parts.next()?)?;
        let rest = parts.next()?;
        let (op, rest) = rest.split_once('|')?;
        let (label, to) = rest.rsplit_once("| ")?;
        let to = index(to.trim())?;
        let (dashed, arrow) = match op {
            "---" => (false, false),
            "-->" => (false, true),
            "-.-" => (true, false),
            "-.->" => (true, true),
            _ => return None,
        };
        edges.push(Edge {
            from,
            to,
            dashed,
            arrow,
            label: quoted(label)?,
        });
    }
    let [a, b, c] = labels;
    Some(([a?, b?, c?], edges))
}

/// `s` cut to `max` characters, with an ellipsis when cut.
fn cut(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        s.to_string()
    } else {
        let mut t: String = s.chars().take(max - 1).collect();
        t.push('…');
        t
    }
}

/// Where the segment from the centre of box `k` towards `(tx, ty)`, shifted by `off`, leaves it.
fn border_point(k: usize, dir: (f64, f64), off: (f64, f64)) -> (f64, f64) {
    let (x, y) = NODE_POS[k];
    let (cx, cy) = (x + NODE_W / 2.0 + off.0, y + NODE_H / 2.0 + off.1);
    let tx = if dir.0.abs() > 1e-9 {
        ((NODE_W / 2.0) - off.0 * dir.0.signum()) / dir.0.abs()
    } else {
        f64::INFINITY
    };
    let ty = if dir.1.abs() > 1e-9 {
        ((NODE_H / 2.0) - off.1 * dir.1.signum()) / dir.1.abs()
    } else {
        f64::INFINITY
    };
    let t = tx.min(ty) + 4.0;
    (cx + dir.0 * t, cy + dir.1 * t)
}

/// The pool diagram as inline SVG, drawn from the runbook's Mermaid flowchart (nodes A, B, C
/// and labelled edges between them); `None` when the block is not of that shape.
fn diagram(src: &str) -> Option<String> {
    let (labels, edges) = parse_flowchart(src)?;
    let mut s = String::new();
    let _ = write!(
        s,
        "<figure class=\"diagram\">\n<svg viewBox=\"0 0 760 310\" role=\"img\" aria-labelledby=\"dia-title dia-desc\" xmlns=\"http://www.w3.org/2000/svg\">\n<title id=\"dia-title\">Pools A, B and C</title>\n<desc id=\"dia-desc\">"
    );
    for (k, l) in labels.iter().enumerate() {
        let _ = write!(s, "{} is {}. ", NODE_IDS[k], esc(l));
    }
    for e in &edges {
        let _ = write!(
            s,
            "{} {} {}. ",
            NODE_IDS[e.from],
            esc(&e.label),
            NODE_IDS[e.to]
        );
    }
    s.push_str("</desc>\n<defs><marker id=\"arrow\" viewBox=\"0 0 10 10\" refX=\"9\" refY=\"5\" markerWidth=\"8\" markerHeight=\"8\" orient=\"auto-start-reverse\"><path class=\"arrow-head\" d=\"M0,0 L10,5 L0,10 z\"/></marker></defs>\n");
    // Edges first, boxes on top. Edges between the same two pools run side by side.
    let pair = |e: &Edge| (e.from.min(e.to), e.from.max(e.to));
    let mut labels_svg = String::new();
    for (n, e) in edges.iter().enumerate() {
        let same: Vec<usize> = (0..edges.len())
            .filter(|&m| pair(&edges[m]) == pair(e))
            .collect();
        let rank = same.iter().position(|&m| m == n).unwrap_or(0) as f64;
        let spread = rank - (same.len() as f64 - 1.0) / 2.0;
        let (a, b) = pair(e);
        let (ax, ay) = (NODE_POS[a].0 + NODE_W / 2.0, NODE_POS[a].1 + NODE_H / 2.0);
        let (bx, by) = (NODE_POS[b].0 + NODE_W / 2.0, NODE_POS[b].1 + NODE_H / 2.0);
        let len = ((bx - ax).powi(2) + (by - ay).powi(2)).sqrt();
        let dir = ((bx - ax) / len, (by - ay) / len);
        let normal = (-dir.1, dir.0);
        let off = (normal.0 * spread * 24.0, normal.1 * spread * 24.0);
        let p = border_point(a, dir, off);
        let q = border_point(b, (-dir.0, -dir.1), off);
        let (start, end) = if e.from == a { (p, q) } else { (q, p) };
        let class = if e.dashed { "edge dashed" } else { "edge" };
        let marker = if e.arrow {
            " marker-end=\"url(#arrow)\""
        } else {
            ""
        };
        let _ = writeln!(
            s,
            "<line class=\"{class}\" x1=\"{:.0}\" y1=\"{:.0}\" x2=\"{:.0}\" y2=\"{:.0}\"{marker}/>",
            start.0, start.1, end.0, end.1
        );
        // The label sits beside its line, away from the other lines of the pair.
        let side = if spread > 0.0 { 1.0 } else { -1.0 };
        let (mx, my) = ((p.0 + q.0) / 2.0, (p.1 + q.1) / 2.0);
        let (lx, ly) = (
            mx + normal.0 * side * 12.0,
            my + normal.1 * side * 12.0 + 5.0,
        );
        let anchor = if normal.0 * side > 0.3 {
            "start"
        } else if normal.0 * side < -0.3 {
            "end"
        } else {
            "middle"
        };
        let _ = writeln!(
            labels_svg,
            "<text class=\"edge-label\" x=\"{lx:.0}\" y=\"{ly:.0}\" text-anchor=\"{anchor}\">{}</text>",
            esc(&cut(&e.label, 40))
        );
    }
    s.push_str(&labels_svg);
    for (k, label) in labels.iter().enumerate() {
        let (x, y) = NODE_POS[k];
        let (head, rest) = label.split_once(": ").unwrap_or((label, ""));
        let _ = write!(
            s,
            "<g class=\"node {}\"><title>{}</title><rect x=\"{x:.0}\" y=\"{y:.0}\" width=\"{NODE_W:.0}\" height=\"{NODE_H:.0}\" rx=\"10\"/>",
            NODE_CLASS[k],
            esc(label)
        );
        let _ = write!(
            s,
            "<text class=\"node-head\" x=\"{:.0}\" y=\"{:.0}\" text-anchor=\"middle\">{}</text>",
            x + NODE_W / 2.0,
            y + 26.0,
            esc(&cut(head, 30))
        );
        let _ = writeln!(
            s,
            "<text class=\"node-text\" x=\"{:.0}\" y=\"{:.0}\" text-anchor=\"middle\">{}</text></g>",
            x + NODE_W / 2.0,
            y + 48.0,
            esc(&cut(rest, 36))
        );
    }
    s.push_str("</svg>\n</figure>\n");
    Some(s)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The `<main>` element of the page made from `md`.
    fn main_of(md: &str) -> String {
        let page = String::from_utf8(page("p1", md.as_bytes())).unwrap();
        let main = page.split("<main").nth(1).unwrap();
        main.split("</main>").next().unwrap().to_string()
    }

    #[test]
    fn base64_matches_rfc_4648_vectors() {
        for (plain, enc) in [
            ("", ""),
            ("f", "Zg=="),
            ("fo", "Zm8="),
            ("foo", "Zm9v"),
            ("foob", "Zm9vYg=="),
            ("fooba", "Zm9vYmE="),
            ("foobar", "Zm9vYmFy"),
        ] {
            assert_eq!(base64(plain.as_bytes()), enc);
        }
    }

    #[test]
    fn only_step_and_p_headings_with_a_number_get_a_short_name() {
        let short = |t: &str| short_name(t).map(|(_, name, id)| (name, id));
        assert_eq!(
            short("Step 12. Do this"),
            Some(("Step 12".into(), "step-12".into()))
        );
        assert_eq!(short("P3. Verify"), Some(("P3".into(), "p3".into())));
        for other in [
            "Step . x",
            "Step 1a. x",
            "Step a1. x",
            "P. x",
            "P3a. x",
            "Px. x",
            "Step 12",
        ] {
            assert_eq!(short(other), None, "{other}");
        }
    }

    #[test]
    fn only_a_block_of_whole_comments_is_dropped() {
        let shown = main_of;
        for dropped in ["<!-- generated -->\n", "<!-- a -->\n<!-- b -->\n"] {
            assert!(!shown(dropped).contains("--&gt;"), "{dropped:?}");
        }
        for (kept, text) in [
            ("<!-- a --> -->\n", "&lt;!-- a --&gt; --&gt;"),
            ("<!-- a --> <b>x</b>\n", "&lt;b&gt;x&lt;/b&gt;"),
            ("<!-- a -->\n<b>x</b>\n", "&lt;b&gt;x&lt;/b&gt;"),
            // Only one-line comments (the generated header is one) count; a longer one is text.
            ("<!-- a\nb -->\n", "&lt;!-- a"),
        ] {
            assert!(shown(kept).contains(text), "{kept:?}: {}", shown(kept));
        }
    }

    #[test]
    fn a_task_loses_only_a_bold_that_is_its_whole_title() {
        let html = String::from_utf8(page(
            "p1",
            b"# t\n\n## S\n\n- [ ] plain words\n- [ ] **Bold** and more\n- [ ] **Title**\n",
        ))
        .unwrap();
        let main = html.split("<main").nth(1).unwrap();
        assert!(main.contains("plain words"), "{main}");
        assert!(main.contains("<strong>Bold</strong> and more"), "{main}");
        assert!(
            main.contains("Title") && !main.contains("<strong>Title"),
            "{main}"
        );
    }

    #[test]
    fn a_diagram_that_cannot_be_drawn_is_labelled_as_its_source() {
        let main = main_of("```mermaid\nnot a diagram\n```\n\n```\nplain\n```\n");
        assert!(main.contains("Mermaid diagram source"), "{main}");
        assert!(
            main.contains("not a diagram") && main.contains("Text"),
            "{main}"
        );
    }

    #[test]
    fn the_page_title_is_the_first_h1() {
        let html = String::from_utf8(page("p1", b"# First\n\n# Second\n")).unwrap();
        assert!(html.contains("<title>First</title>"), "{html}");
        let html = String::from_utf8(page("p1", b"## Only H2\n")).unwrap();
        assert!(
            html.contains("<title>ABC failover runbook: pool id p1</title>"),
            "{html}"
        );
    }

    #[test]
    fn a_line_break_in_a_title_is_a_space() {
        let events: Vec<Event> = Parser::new_ext("a\nb  \nc", options()).collect();
        assert_eq!(plain_text(&events), "a b c");
    }

    #[test]
    fn web_and_in_page_links_stay_links() {
        let md =
            "[a](https://example.com/x) [b](http://example.com) [c](#step-1) [d](file:///c:/x)\n";
        let main = main_of(md);
        for href in ["https://example.com/x", "http://example.com", "#step-1"] {
            assert!(
                main.contains(&format!("<a href=\"{href}\">")),
                "{href}: {main}"
            );
        }
        assert!(!main.contains("file:"), "{main}");
    }

    #[test]
    fn an_unsafe_link_is_emphasis_closed_as_emphasis_also_when_nested() {
        let main = main_of;
        let m = main("[x](javascript:alert(1)) [HTTPS](HTTPS://E.COM)\n");
        assert!(m.contains("<em>x</em>") && !m.contains("</a> <a"), "{m}");
        assert!(m.contains("<a href=\"HTTPS://E.COM\">HTTPS</a>"), "{m}");
        let m = main("*[a](https://e.com) b*\n");
        assert!(
            m.contains("<em><a href=\"https://e.com\">a</a> b</em>"),
            "{m}"
        );
        let m = main("*[a](file:x) b*\n");
        assert!(m.contains("<em><em>a</em> b</em>"), "{m}");
        let m = main("[*a*](file:x)\n");
        assert!(m.contains("<em><em>a</em></em>"), "{m}");
    }

    #[test]
    fn raw_html_in_the_markdown_is_text() {
        let md = "<!-- generated -->\n\n<script>alert(1)</script>\n\nHi <b onclick=x>there</b> [x](javascript:alert(2)) ![i](http://e/x.png)\n";
        let page = String::from_utf8(page("p1", md.as_bytes())).unwrap();
        let main = page.split("<main").nth(1).unwrap();
        let main = main.split("</main>").next().unwrap();
        assert!(!main.contains("<script>"), "{main}");
        assert!(
            main.contains("&lt;script&gt;alert(1)&lt;/script&gt;"),
            "{main}"
        );
        assert!(main.contains("&lt;b onclick=x&gt;"), "{main}");
        assert!(!main.contains("javascript:"), "{main}");
        assert!(!main.contains("<img"), "{main}");
        assert!(!main.contains("generated"), "{main}");
        assert_eq!(page.matches("<script").count(), 1);
    }

    #[test]
    fn the_policy_hashes_the_inline_script_and_style() {
        let page = String::from_utf8(page("p1", b"# t\n")).unwrap();
        assert!(page.contains(&format!("script-src {};", csp_hash(JS))));
        assert!(page.contains(&format!("style-src {};", csp_hash(CSS))));
        assert!(page.contains(&format!("<script>{JS}</script>")));
        assert!(page.contains(&format!("<style>{CSS}</style>")));
    }

    #[test]
    fn task_items_become_labelled_checkboxes() {
        let md = "## Before you begin\n\n- [ ] **P1. Open it**\n\n  Text.\n\n  ```powershell\n  Get-Date\n  ```\n\n## Steps\n\n- [ ] **Step 1. Do it**\n\n  Warning: careful.\n\n- [ ] **Final checks**\n\n  - [ ] One\n  - [ ] Two\n";
        let page = String::from_utf8(page("p1", md.as_bytes())).unwrap();
        assert!(page.contains("<li class=\"task prep\" id=\"p1\" data-kind=\"prep\"><h3 class=\"task-head\"><input type=\"checkbox\" class=\"tick\" id=\"cb-1\" aria-labelledby=\"t-1\"><span class=\"task-title\" id=\"t-1\">P1. Open it</span></h3>"), "{page}");
        assert!(page.contains("id=\"step-1\""), "{page}");
        assert!(
            page.contains(
                "<p class=\"callout warn\"><strong class=\"lead\">Warning:</strong> careful.</p>"
            ),
            "{page}"
        );
        assert!(
            page.contains("<code id=\"code-1\"><span class=\"ln\">Get-Date\n</span></code>"),
            "{page}"
        );
        assert!(
            page.contains("aria-label=\"Copy command block 1, P1\""),
            "{page}"
        );
        assert_eq!(page.matches("class=\"tick\"").count(), 5);
        assert!(
            page.contains(
                "0 of 1 steps, 0 of 1 preparation blocks, 0 of 1 other items, 0 of 2 checks"
            ),
            "{page}"
        );
    }

    #[test]
    fn the_mermaid_flowchart_becomes_svg_and_anything_else_stays_code() {
        let md = "```mermaid\nflowchart LR\n  A[\"Pool A: a.x (lost)\"]\n  B[\"Pool B: b.x\"]\n  C[\"Pool C: <c>&x (new)\"]\n  A ---|\"paired\"| B\n  C -.->|\"replaces\"| A\n```\n\n```mermaid\nsequenceDiagram\n```\n";
        let page = String::from_utf8(page("p1", md.as_bytes())).unwrap();
        assert_eq!(page.matches("<svg").count(), 1, "{page}");
        assert!(page.contains("&lt;c&gt;&amp;x (new)"), "{page}");
        assert!(page.contains("marker-end"), "{page}");
        assert!(page.contains("sequenceDiagram"), "{page}");
    }

    #[test]
    fn the_progress_line_names_only_the_kinds_the_page_has() {
        let item = |kind| Item {
            kind,
            anchor: "a".into(),
            title: "t".into(),
            short: String::new(),
            section: None,
        };
        assert_eq!(
            progress_text(&[item(Kind::Step), item(Kind::Check), item(Kind::Step)]),
            "0 of 2 steps, 0 of 1 checks"
        );
        assert_eq!(progress_text(&[]), "");
    }

    #[test]
    fn only_a_left_to_right_flowchart_or_graph_is_drawn() {
        let body = "\n  A[\"a\"]\n  B[\"b\"]\n  C[\"c\"]\n  A -->|\"x\"| B\n";
        for head in ["flowchart LR", "graph LR"] {
            let (labels, edges) = parse_flowchart(&format!("{head}{body}")).expect(head);
            assert_eq!(labels, ["a", "b", "c"]);
            assert_eq!((edges[0].from, edges[0].to, edges[0].arrow), (0, 1, true));
        }
        for head in ["flowchart TD", "graph TD", "sequenceDiagram", "flowchart"] {
            assert!(
                parse_flowchart(&format!("{head}{body}")).is_none(),
                "{head}"
            );
        }
    }

    #[test]
    fn a_cut_label_keeps_max_characters_with_the_ellipsis() {
        assert_eq!(cut("abcdef", 4), "abc\u{2026}");
        assert_eq!(cut("ab\u{e9}d", 4), "ab\u{e9}d");
        assert_eq!(
            cut("\u{e9}\u{e9}\u{e9}\u{e9}\u{e9}", 3),
            "\u{e9}\u{e9}\u{2026}"
        );
    }

    /// A line leaves its box where the ray from the box's centre (moved by the line's offset)
    /// along the line's direction crosses the box's border, and starts 4 px beyond it.
    #[test]
    fn an_edge_starts_just_outside_the_border_of_its_box() {
        let unit = |x: f64, y: f64| {
            let l = (x * x + y * y).sqrt();
            (x / l, y / l)
        };
        let dirs = [
            (1.0, 0.0),
            (-1.0, 0.0),
            (0.0, 1.0),
            (0.0, -1.0),
            unit(3.0, 4.0),
            unit(-8.0, 6.0),
            unit(10.0, -1.0),
            unit(-1.0, -10.0),
        ];
        let offs = [
            (0.0, 0.0),
            (0.0, 12.0),
            (-9.6, 7.2),
            (5.0, -3.0),
            (-14.0, 0.0),
        ];
        for (k, &(x, y)) in NODE_POS.iter().enumerate() {
            let (cx, cy) = (x + NODE_W / 2.0, y + NODE_H / 2.0);
            for dir in dirs {
                for off in offs {
                    let p = border_point(k, dir, off);
                    let q = (p.0 - 4.0 * dir.0, p.1 - 4.0 * dir.1);
                    let at = format!("box {k}, dir {dir:?}, off {off:?}: {p:?}");
                    let (dx, dy) = ((q.0 - cx).abs(), (q.1 - cy).abs());
                    let on_side = (dx - NODE_W / 2.0).abs() < 1e-6 && dy <= NODE_H / 2.0 + 1e-6;
                    let on_top = (dy - NODE_H / 2.0).abs() < 1e-6 && dx <= NODE_W / 2.0 + 1e-6;
                    assert!(on_side || on_top, "not on the border: {at}");
                    let r = (q.0 - cx - off.0, q.1 - cy - off.1);
                    assert!(
                        (r.0 * dir.1 - r.1 * dir.0).abs() < 1e-6,
                        "off the ray: {at}"
                    );
                    assert!(r.0 * dir.0 + r.1 * dir.1 > 0.0, "behind the centre: {at}");
                }
            }
        }
    }

    /// Two edges between the same pools run 24 px apart; every label sits 12 px beside the
    /// middle of its line, on the side away from the other line of its pair, and is anchored
    /// so that its text runs away from the line.
    #[test]
    fn edges_of_a_pair_run_side_by_side_and_labels_sit_beside_their_line() {
        let svg = diagram(
            "flowchart LR\nA[\"a\"]\nB[\"b\"]\nC[\"c\"]\nA ---|\"ab1\"| B\nB -->|\"ab2\"| A\nC -.->|\"ca\"| A\nA -->|\"ac\"| C\nB -->|\"bc\"| C\n",
        )
        .expect("drawn");
        let num = |tag: &str, name: &str| -> f64 {
            let v = tag.split(&format!(" {name}=\"")).nth(1).unwrap();
            v[..v.find('"').unwrap()].parse().unwrap()
        };
        let lines: Vec<[f64; 4]> = svg
            .split("<line ")
            .skip(1)
            .map(|t| [num(t, "x1"), num(t, "y1"), num(t, "x2"), num(t, "y2")])
            .collect();
        let labels: Vec<(f64, f64, String)> = svg
            .split("<text class=\"edge-label\"")
            .skip(1)
            .map(|t| {
                let anchor = t.split("text-anchor=\"").nth(1).unwrap();
                let anchor = anchor[..anchor.find('"').unwrap()].to_string();
                (num(t, "x"), num(t, "y"), anchor)
            })
            .collect();
        assert_eq!((lines.len(), labels.len()), (5, 5), "{svg}");
        let mid = |l: &[f64; 4]| ((l[0] + l[2]) / 2.0, (l[1] + l[3]) / 2.0);
        let unit = |l: &[f64; 4]| {
            let (dx, dy) = (l[2] - l[0], l[3] - l[1]);
            let n = (dx * dx + dy * dy).sqrt();
            (dx / n, dy / n)
        };
        for (i, (l, (lx, ly, anchor))) in lines.iter().zip(&labels).enumerate() {
            let (mx, my) = mid(l);
            let v = (lx - mx, ly - 5.0 - my);
            let len = (v.0 * v.0 + v.1 * v.1).sqrt();
            assert!(
                (len - 12.0).abs() < 1.5,
                "label {i} is {len} px from its line"
            );
            let d = unit(l);
            assert!(
                ((v.0 * d.0 + v.1 * d.1) / len).abs() < 0.15,
                "label {i} is not beside its line"
            );
            let want = if v.0 / len > 0.3 {
                "start"
            } else if v.0 / len < -0.3 {
                "end"
            } else {
                "middle"
            };
            assert_eq!(anchor, want, "label {i}");
        }
        // The pairs A-B (lines 0, 1) and C-A, A-C (lines 2, 3).
        for (a, b) in [(0, 1), (2, 3)] {
            let (ma, mb) = (mid(&lines[a]), mid(&lines[b]));
            let d = unit(&lines[a]);
            let gap = ((mb.0 - ma.0) * d.1 - (mb.1 - ma.1) * d.0).abs();
            assert!(
                (gap - 24.0).abs() < 1.5,
                "lines {a} and {b} are {gap} px apart"
            );
            for (x, y) in [(a, b), (b, a)] {
                let (mx, my) = mid(&lines[x]);
                let (ox, oy) = mid(&lines[y]);
                let v = (labels[x].0 - mx, labels[x].1 - 5.0 - my);
                assert!(
                    v.0 * (ox - mx) + v.1 * (oy - my) < 0.0,
                    "label {x} is between the lines"
                );
            }
        }
        let anchors: Vec<&str> = labels.iter().map(|l| l.2.as_str()).collect();
        assert!(
            anchors.contains(&"start") && anchors.contains(&"end") && anchors.contains(&"middle"),
            "{anchors:?}"
        );
    }

    #[test]
    fn the_page_is_deterministic_and_tracks_its_markdown() {
        let a = page("p1", b"# t\n\n- [ ] x\n");
        assert_eq!(a, page("p1", b"# t\n\n- [ ] x\n"));
        let s = String::from_utf8(a).unwrap();
        assert!(s.contains(&format!(
            "data-runbook=\"{}\"",
            sha256_hex(b"# t\n\n- [ ] x\n")
        )));
    }
}
