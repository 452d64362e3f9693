//! A lexer that follows PowerShell's quote rules (powershell-generation-facts §1.1, language
//! spec 3.0 §2.3.5.2), as an oracle beside tree-sitter-powershell, which does not know
//! U+2018-U+201B as quotes: `'a’b'` parses clean there, while PowerShell ends the string at `’`.
//!
//! It finds the single-quoted strings and the comments of a piece of generated code. The
//! generator writes no double-quoted strings and no here-strings in code; the lexer reports any
//! it meets instead of guessing at their (nested) rules.

/// The five characters PowerShell reads as a single quote, written out here (not the product's
/// list).
pub fn is_single_quote(c: char) -> bool {
    matches!(
        c,
        '\u{27}' | '\u{2018}' | '\u{2019}' | '\u{201A}' | '\u{201B}'
    )
}

/// The four characters PowerShell reads as a double quote.
pub fn is_double_quote(c: char) -> bool {
    matches!(c, '"' | '\u{201C}' | '\u{201D}' | '\u{201E}')
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Kind {
    SingleQuoted,
    Comment,
}

/// Byte span `start..end` of a token.
pub type Token = (Kind, usize, usize);

fn line_of(src: &str, at: usize) -> usize {
    src[..at].matches('\n').count() + 1
}

/// `#` and `<#` start a comment only where a token starts.
fn at_token_start(prev: Option<char>) -> bool {
    prev.is_none_or(|p| {
        p.is_whitespace() || matches!(p, ';' | '(' | ')' | '{' | '}' | ',' | '|' | '&' | '=')
    })
}

/// The single-quoted strings and comments of `src`, by PowerShell's rules.
pub fn lex(src: &str) -> Result<Vec<Token>, String> {
    let chars: Vec<(usize, char)> = src.char_indices().collect();
    let end_of = |i: usize| chars.get(i).map_or(src.len(), |c| c.0);
    let mut out = Vec::new();
    let mut i = 0;
    let mut prev: Option<char> = None;
    while i < chars.len() {
        let (at, c) = chars[i];
        let next = chars.get(i + 1).map(|c| c.1);
        if c == '`' {
            // Escapes the next character (a quote after a backtick starts nothing).
            prev = next;
            i += 2;
            continue;
        }
        if is_single_quote(c) {
            let mut j = i + 1;
            loop {
                let Some(&(_, d)) = chars.get(j) else {
                    return Err(format!(
                        "line {}: unterminated single-quoted string",
                        line_of(src, at)
                    ));
                };
                if is_single_quote(d) {
                    if chars.get(j + 1).is_some_and(|e| is_single_quote(e.1)) {
                        j += 2;
                        continue;
                    }
                    break;
                }
                j += 1;
            }
            out.push((Kind::SingleQuoted, at, end_of(j + 1)));
            prev = Some(chars[j].1);
            i = j + 1;
            continue;
        }
        if is_double_quote(c) {
            return Err(format!(
                "line {}: a double-quoted string (U+{:04X}); generated code has none and this lexer does not follow them",
                line_of(src, at),
                c as u32
            ));
        }
        if c == '@' && next.is_some_and(|n| is_single_quote(n) || is_double_quote(n)) {
            return Err(format!(
                "line {}: a here-string; generated code has none",
                line_of(src, at)
            ));
        }
        if c == '<' && next == Some('#') && at_token_start(prev) {
            let Some(close) = src[at + 2..].find("#>") else {
                return Err(format!(
                    "line {}: unterminated block comment",
                    line_of(src, at)
                ));
            };
            let stop = at + 2 + close + 2;
            out.push((Kind::Comment, at, stop));
            while i < chars.len() && chars[i].0 < stop {
                i += 1;
            }
            prev = Some('>');
            continue;
        }
        if c == '#' && at_token_start(prev) {
            let stop = src[at..].find(['\r', '\n']).map_or(src.len(), |n| at + n);
            out.push((Kind::Comment, at, stop));
            while i < chars.len() && chars[i].0 < stop {
                i += 1;
            }
            prev = Some('#');
            continue;
        }
        prev = Some(c);
        i += 1;
    }
    Ok(out)
}

/// The single-quoted strings and comments tree-sitter-powershell finds in `src`.
pub fn tree_sitter_tokens(src: &str) -> Vec<Token> {
    let tree = super::parse_ps(src);
    let mut out = Vec::new();
    super::walk(tree.root_node(), &mut |n| match n.kind() {
        "verbatim_string_characters" => {
            out.push((Kind::SingleQuoted, n.start_byte(), n.end_byte()))
        }
        "comment" => out.push((Kind::Comment, n.start_byte(), n.end_byte())),
        _ => {}
    });
    out.sort_by_key(|t| (t.1, t.0));
    out
}

/// Where PowerShell's quote rules and tree-sitter disagree about `src` (so a clean tree-sitter
/// parse would prove nothing), or where the lexer meets something it does not follow; empty when
/// both read the same strings and comments.
pub fn quote_rule_problems(src: &str) -> Vec<String> {
    let mine = match lex(src) {
        Ok(t) => t,
        Err(e) => return vec![e],
    };
    let theirs = tree_sitter_tokens(src);
    let show = |t: &Token| {
        let text: String = src[t.1..t.2].chars().take(60).collect();
        format!("{:?} at line {} {:?}", t.0, line_of(src, t.1), text)
    };
    let mut problems = Vec::new();
    for t in &mine {
        if !theirs.contains(t) {
            problems.push(format!(
                "PowerShell reads {}, tree-sitter does not",
                show(t)
            ));
        }
    }
    for t in &theirs {
        if !mine.contains(t) {
            problems.push(format!(
                "tree-sitter reads {}, PowerShell does not",
                show(t)
            ));
        }
    }
    problems
}

/// The value of the single-quoted literal at the start of `src` and its length in bytes, by
/// PowerShell's rules (a doubled quote is one quote, the second character); `None` when `src`
/// does not start with a terminated one.
pub fn single_quoted_value(src: &str) -> Option<(String, usize)> {
    let chars: Vec<(usize, char)> = src.char_indices().collect();
    if !chars.first().is_some_and(|c| is_single_quote(c.1)) {
        return None;
    }
    let mut value = String::new();
    let mut j = 1;
    while let Some(&(at, c)) = chars.get(j) {
        if is_single_quote(c) {
            match chars.get(j + 1) {
                Some(&(_, d)) if is_single_quote(d) => {
                    value.push(d);
                    j += 2;
                    continue;
                }
                _ => return Some((value, at + c.len_utf8())),
            }
        }
        value.push(c);
        j += 1;
    }
    None
}
