//! Markdown escaping: what the checklist prints in prose and tables must render as exactly the
//! value (checked with a CommonMark parser, GFM tables on), whatever the value.

use abc_failover::escape::{md_code, md_text};
use proptest::prelude::*;
use pulldown_cmark::{Event, Options, Parser, Tag, TagEnd};

/// The text a CommonMark renderer shows for `md` (text and inline code, concatenated).
fn shown(md: &str) -> String {
    let mut out = String::new();
    for ev in Parser::new_ext(md, Options::ENABLE_TABLES | Options::ENABLE_STRIKETHROUGH) {
        match ev {
            Event::Text(t) | Event::Code(t) => out.push_str(&t),
            Event::SoftBreak | Event::HardBreak => out.push('\n'),
            _ => {}
        }
    }
    out
}

/// The cells of the first body row of a GFM table in `md`.
fn cells(md: &str) -> Vec<String> {
    let mut cells = Vec::new();
    let mut in_body = false;
    let mut current: Option<String> = None;
    for ev in Parser::new_ext(md, Options::ENABLE_TABLES) {
        match ev {
            Event::End(TagEnd::TableHead) => in_body = true,
            Event::Start(Tag::TableCell) if in_body => current = Some(String::new()),
            Event::End(TagEnd::TableCell) if in_body => {
                cells.push(current.take().unwrap_or_default())
            }
            Event::Text(t) | Event::Code(t) => {
                if let Some(c) = current.as_mut() {
                    c.push_str(&t);
                }
            }
            _ => {}
        }
    }
    cells
}

/// Values as validation lets them through: one line, no control characters.
fn value() -> impl Strategy<Value = String> {
    let special = prop::sample::select(vec![
        "\\",
        "`",
        "``",
        "*",
        "_",
        "[",
        "]",
        "(",
        ")",
        "<",
        ">",
        "|",
        "&",
        "&amp;",
        "#",
        "!",
        "~",
        "~~",
        "{",
        "}",
        "-",
        "+",
        "=",
        ".",
        ":",
        "'",
        "\"",
        "\u{2019}",
        "$",
        "@",
        "http://x.y",
        "<b>",
        "**",
        "1.",
        "\\\\",
        "\\`",
        " ",
    ]);
    let piece = prop_oneof![
        3 => special.prop_map(str::to_string),
        2 => "[a-zA-Z0-9]{1,4}",
        1 => any::<char>().prop_filter("printable", |c| !c.is_control()).prop_map(|c| c.to_string()),
    ];
    prop::collection::vec(piece, 1..12)
        .prop_map(|v| v.concat())
        .prop_filter("non-blank ends", |s| {
            // CommonMark strips leading and trailing spaces of a paragraph line; the templates never
            // put a value at the very start or end of a line.
            !s.is_empty()
        })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    #[test]
    fn md_text_in_prose_shows_the_value(v in value()) {
        let md = format!("Value: {} (end)\n", md_text(&v));
        prop_assert_eq!(shown(&md), format!("Value: {v} (end)"), "markdown: {}", md);
    }

    #[test]
    fn md_text_in_a_table_cell_shows_the_value(v in value()) {
        let md = format!("| a | b |\n|---|---|\n| x {} y | z |\n", md_text(&v));
        prop_assert_eq!(cells(&md), vec![format!("x {v} y"), "z".to_string()], "markdown: {}", md);
    }

    #[test]
    fn md_code_shows_the_value(v in value().prop_filter("code spans are for values without |", |v| !v.contains('|'))) {
        let md = format!("Value: {} (end)\n", md_code(&v));
        prop_assert_eq!(shown(&md), format!("Value: {v} (end)"), "markdown: {}", md);
        let table = format!("| a | b |\n|---|---|\n| {} | z |\n", md_code(&v));
        prop_assert_eq!(cells(&table), vec![v.clone(), "z".to_string()], "markdown: {}", table);
    }
}

#[test]
fn unc_paths_stay_readable() {
    assert_eq!(
        md_text(r"\\fs01.contoso.com\LyncShare"),
        r"\\\fs01.contoso.com\LyncShare"
    );
    assert_eq!(md_text("pool-a.contoso.com"), "pool-a.contoso.com");
    assert_eq!(
        md_code(r"\\fs01.contoso.com\LyncShare"),
        r"`\\fs01.contoso.com\LyncShare`"
    );
    assert_eq!(md_code("a`b"), "``a`b``");
    assert_eq!(md_code("`x"), "`` `x ``");
}
