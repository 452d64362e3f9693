//! `ps_literal` against a lexer of PowerShell single-quoted strings that follows the tokenizer
//! (powershell-generation-facts §1.1): a literal starts on any of the five single-quote
//! characters; inside it, a quote character followed by any quote character appends the second;
//! a lone quote character ends it. Everything else, CR and LF included, is content.
use abc_failover::escape::{ps_literal, PS_SINGLE_QUOTES};
use proptest::prelude::*;

/// The five single-quote code points of PowerShell's tokenizer, written out here rather than
/// taken from the product: APOSTROPHE, LEFT and RIGHT SINGLE QUOTATION MARK, SINGLE LOW-9 and
/// SINGLE HIGH-REVERSED-9 QUOTATION MARK.
const QUOTES: [u32; 5] = [0x27, 0x2018, 0x2019, 0x201A, 0x201B];

fn is_quote(c: char) -> bool {
    QUOTES.contains(&(c as u32))
}

#[test]
fn each_of_the_five_quote_characters_is_doubled() {
    for q in QUOTES.map(|q| char::from_u32(q).expect("code point")) {
        assert_eq!(
            ps_literal(&q.to_string()),
            format!("'{q}{q}'"),
            "U+{:04X}",
            q as u32
        );
        assert_eq!(
            ps_literal(&format!("a{q}b")),
            format!("'a{q}{q}b'"),
            "U+{:04X}",
            q as u32
        );
    }
    // Their neighbours are not quotes: the double quotes and U+201C-U+201F, the prime.
    for c in [
        '"', '\u{201C}', '\u{201D}', '\u{201E}', '\u{201F}', '\u{2032}', '`',
    ] {
        assert_eq!(ps_literal(&c.to_string()), format!("'{c}'"));
    }
    let mut product: Vec<u32> = PS_SINGLE_QUOTES.iter().map(|c| *c as u32).collect();
    product.sort();
    assert_eq!(product, QUOTES, "the product's list is the tokenizer's");
}

/// Lex the single-quoted literal at the start of `src`: its value and the number of characters
/// it spans, or `None` when `src` does not start with one or it is not terminated.
fn lex_single_quoted(src: &str) -> Option<(String, usize)> {
    let chars: Vec<char> = src.chars().collect();
    if !chars.first().copied().is_some_and(is_quote) {
        return None;
    }
    let mut value = String::new();
    let mut i = 1;
    while i < chars.len() {
        let c = chars[i];
        if is_quote(c) {
            match chars.get(i + 1) {
                Some(&next) if is_quote(next) => {
                    value.push(next);
                    i += 2;
                }
                _ => return Some((value, i + 1)),
            }
        } else {
            value.push(c);
            i += 1;
        }
    }
    None
}

#[test]
fn the_lexer_follows_powershell() {
    assert_eq!(lex_single_quoted("'it''s' x"), Some(("it's".into(), 7)));
    assert_eq!(
        lex_single_quoted("'a\u{2019}\u{2019}b'"),
        Some(("a\u{2019}b".into(), 6))
    );
    // Any quote character escapes any other.
    assert_eq!(
        lex_single_quoted("'a'\u{2019}b'"),
        Some(("a\u{2019}b".into(), 6))
    );
    // A curly quote alone ends the string: escaping only the ASCII quote is not enough.
    assert_eq!(lex_single_quoted("'don\u{2019}t'"), Some(("don".into(), 5)));
    assert_eq!(
        lex_single_quoted("\u{2018}x\u{201B}"),
        Some(("x".into(), 3))
    );
    assert_eq!(lex_single_quoted("'a\r\nb'"), Some(("a\r\nb".into(), 6)));
    assert_eq!(lex_single_quoted("'open"), None);
    assert_eq!(lex_single_quoted("\"x\""), None);
    assert_eq!(
        lex_single_quoted("'$(x) `n #'"),
        Some(("$(x) `n #".into(), 11))
    );
}

fn piece() -> impl Strategy<Value = String> {
    let specials: Vec<&'static str> = vec![
        "'", "\u{2018}", "\u{2019}", "\u{201A}", "\u{201B}", "\"", "\u{201C}", "\u{201D}",
        "\u{201E}", "$", "`", "#", ";", "\r", "\n", "\r\n", "@'", "'@", "$(", ")", "''", "{", "}",
    ];
    prop_oneof![
        3 => any::<char>().prop_map(String::from),
        4 => prop::sample::select(specials).prop_map(String::from),
        1 => "[a-zA-Z0-9 ]{1,4}",
    ]
}

fn hostile() -> impl Strategy<Value = String> {
    prop::collection::vec(piece(), 0..40).prop_map(|v| v.concat())
}

/// What may follow a literal in generated code, plus arbitrary text that does not start with a
/// quote character (a quote right after a literal would be a doubled quote in PowerShell too).
fn follower() -> impl Strategy<Value = String> {
    prop_oneof![
        prop::sample::select(vec![
            "",
            "\r\n",
            " ",
            ")",
            ",",
            "; $x = 'y'",
            " + $a",
            "\r\n)"
        ])
        .prop_map(String::from),
        hostile().prop_filter("no leading quote", |s| !s.starts_with(is_quote)),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    #[test]
    fn ps_literal_lexes_back_to_the_input_and_ends_at_its_last_character(
        s in hostile(),
        rest in follower(),
    ) {
        let lit = ps_literal(&s);
        let len = lit.chars().count();
        prop_assert_eq!(lex_single_quoted(&lit), Some((s.clone(), len)));
        let src = format!("{lit}{rest}");
        prop_assert_eq!(lex_single_quoted(&src), Some((s, len)));
    }

    #[test]
    fn ps_literal_only_doubles_quote_characters(s in hostile()) {
        let lit = ps_literal(&s);
        let quotes = s.chars().filter(|c| is_quote(*c)).count();
        prop_assert_eq!(lit.chars().count(), s.chars().count() + quotes + 2);
    }
}

/// The header-comment filter keeps only letters, digits, space, `.`, `_`, `-`: a file name can
/// neither end the comment (`#>`, `-->`, a line break) nor carry a quote or a variable.
#[test]
fn comment_text_keeps_only_the_safe_characters() {
    use abc_failover::escape::comment_text;
    assert_eq!(
        comment_text("contoso-2.topology_v1.yaml"),
        "contoso-2.topology_v1.yaml"
    );
    assert_eq!(comment_text("My Topology.yaml"), "My Topology.yaml");
    assert_eq!(comment_text("a#>b"), "a__b");
    assert_eq!(comment_text("x-->y"), "x--_y");
    assert_eq!(comment_text("l1\nl2\r\u{2028}"), "l1_l2__");
    assert_eq!(comment_text("$(calc)'’\"`;&|"), "__calc________");
    assert_eq!(comment_text("Ünï"), "_n_");
    assert_eq!(
        comment_text("é"),
        "_",
        "one replacement per character, not per byte"
    );
}

/// Validation refuses line breaks in every value, but `md_text` still never lets one through:
/// each becomes a space (a line break would end a list item or a table row). Kills the
/// cargo-mutants mutant that deletes that match arm.
#[test]
fn md_text_turns_line_breaks_into_spaces() {
    use abc_failover::escape::{md_code, md_text};
    assert_eq!(md_text("a\r\nb\nc\rd"), "a  b c d");
    assert_eq!(md_code("x\ny"), "x y");
}

/// `md_code` falls back to escaped text where a code span cannot work: a `|` (a GFM table cell
/// splits on it even inside a code span), an empty value (an empty span is two backticks), a line
/// break. Kills two cargo-mutants mutants of that condition.
#[test]
fn md_code_falls_back_to_text_where_a_span_cannot_work() {
    use abc_failover::escape::md_code;
    assert_eq!(md_code("a|b"), "a\\|b");
    assert_eq!(md_code("|"), "\\|");
    assert_eq!(md_code(""), "");
    assert_eq!(md_code("D:\\x"), "`D:\\x`");
    assert_eq!(md_code("a`b"), "``a`b``");
    assert_eq!(md_code("`a"), "`` `a ``");
}
