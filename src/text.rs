//! Rules about characters that hold for every text this tool reads or prints. Validation uses
//! them to refuse values, diagnostics to quote values back safely.

/// Control and invisible direction-changing characters refused in every free-text value.
pub fn is_forbidden_control(c: char) -> bool {
    c.is_control() // C0, DEL, C1 (includes U+0085)
        || matches!(c, '\u{2028}' | '\u{2029}' | '\u{200E}' | '\u{200F}' | '\u{061C}' | '\u{FEFF}')
        || ('\u{202A}'..='\u{202E}').contains(&c)
        || ('\u{2066}'..='\u{2069}').contains(&c)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn controls_and_direction_marks_are_forbidden_and_ordinary_text_is_not() {
        for c in [
            '\0', '\n', '\u{7F}', '\u{85}', '\u{2028}', '\u{202E}', '\u{2067}', '\u{FEFF}',
        ] {
            assert!(is_forbidden_control(c), "U+{:04X}", c as u32);
        }
        for c in ['a', ' ', '\\', '\'', '\u{2019}', 'é', '\u{200D}'] {
            assert!(!is_forbidden_control(c), "U+{:04X}", c as u32);
        }
    }
}
