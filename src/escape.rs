//! The security boundary: every topology value that reaches a generated file passes through one
//! of these functions. Tera calls them as autoescape functions (`.ps1`: [`ps_literal`], `.md`:
//! [`md_text`]) and as filters, so a template cannot print a raw value by accident.

/// The five characters PowerShell's tokenizer treats as a single quote (CharTraits.cs,
/// language spec 3.0 §2.3.5.2).
pub const PS_SINGLE_QUOTES: [char; 5] = ['\'', '\u{2018}', '\u{2019}', '\u{201A}', '\u{201B}'];

/// `s` as a PowerShell single-quoted literal that PowerShell reads back as exactly `s`: each of the
/// five single-quote characters is doubled with itself, nothing else is touched.
pub fn ps_literal(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('\'');
    for c in s.chars() {
        if PS_SINGLE_QUOTES.contains(&c) {
            out.push(c);
        }
        out.push(c);
    }
    out.push('\'');
    out
}

/// `s` escaped for CommonMark/GFM prose and table cells, so the rendered text shows exactly `s`.
///
/// Backslash-escapes the ASCII punctuation that can start inline markup (code spans, emphasis,
/// links, images, autolinks, raw HTML, entities, strikethrough, table cells, headings). A
/// backslash is escaped only where it would otherwise escape what follows it, so UNC paths stay
/// readable. Line breaks never reach here (validation refuses them); any that did would be
/// replaced by a space.
pub fn md_text(s: &str) -> String {
    let chars: Vec<char> = s.chars().collect();
    let mut out = String::with_capacity(s.len() + 8);
    for (i, &c) in chars.iter().enumerate() {
        match c {
            '\\' => {
                let next = chars.get(i + 1);
                if next.is_none_or(|n| n.is_ascii_punctuation()) {
                    out.push('\\');
                }
                out.push('\\');
            }
            '`' | '*' | '_' | '[' | ']' | '<' | '>' | '|' | '&' | '~' | '#' | '!' | '{' | '}' => {
                out.push('\\');
                out.push(c);
            }
            '\r' | '\n' => out.push(' '),
            _ => out.push(c),
        }
    }
    out
}

/// `s` as a CommonMark code span (for FQDNs, paths and ids in prose): a backtick fence longer than
/// any run of backticks inside, padded where the value starts or ends with a backtick or space.
/// Values containing `|` fall back to [`md_text`], because a GFM table cell splits on `|` even
/// inside a code span.
pub fn md_code(s: &str) -> String {
    if s.contains('|') || s.is_empty() || s.contains(['\r', '\n']) {
        return md_text(s);
    }
    let mut longest = 0;
    let mut run = 0;
    for c in s.chars() {
        run = if c == '`' { run + 1 } else { 0 };
        longest = longest.max(run);
    }
    let fence = "`".repeat(longest + 1);
    // CommonMark strips one space at each end of a code span that has any non-space content.
    let pad =
        (s.starts_with(['`', ' ']) || s.ends_with(['`', ' '])) && !s.chars().all(|c| c == ' ');
    let sp = if pad { " " } else { "" };
    format!("{fence}{sp}{s}{sp}{fence}")
}

/// `s` reduced to characters that are safe in a PowerShell line comment or an HTML comment:
/// letters, digits, space, `.`, `_` and `-`; anything else becomes `_`. Used only for the
/// topology file name in the generated headers.
pub fn comment_text(s: &str) -> String {
    s.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, ' ' | '.' | '_' | '-') {
                c
            } else {
                '_'
            }
        })
        .collect()
}
