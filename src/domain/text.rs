//! Cleaning free text once, at the edge: invisible and direction-changing characters are
//! removed, control characters refused, length counted in characters (not bytes).

/// Why a piece of text was refused. `code` is stable for JSON clients.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TextError {
    #[error("不能为空")]
    Empty,
    #[error("不能超过 {0} 个字")]
    TooLong(usize),
}

impl TextError {
    pub fn code(&self) -> &'static str {
        match self {
            Self::Empty => "required",
            Self::TooLong(_) => "too_long",
        }
    }
}

/// Zero-width characters and bidirectional overrides: invisible, and used to disguise text.
fn is_invisible(ch: char) -> bool {
    matches!(ch,
        '\u{200B}'..='\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2060}'..='\u{2064}'
        | '\u{2066}'..='\u{2069}' | '\u{FEFF}' | '\u{00AD}')
}

fn clean(input: &str, keep_newlines: bool) -> String {
    let mut out = String::with_capacity(input.len());
    for ch in input.chars() {
        if is_invisible(ch) {
            continue;
        }
        match ch {
            '\r' => {}
            '\n' if keep_newlines => out.push('\n'),
            '\t' => out.push(' '),
            c if c.is_control() => out.push(' '),
            c => out.push(c),
        }
    }
    out.trim().to_string()
}

/// One line (a title, a name): newlines become spaces.
pub fn line(input: &str, max_chars: usize) -> Result<String, TextError> {
    checked(clean(input, false), max_chars)
}

/// A block of text (a description, a reply): newlines kept.
pub fn block(input: &str, max_chars: usize) -> Result<String, TextError> {
    checked(clean(input, true), max_chars)
}

/// An optional line: blank means none.
pub fn optional_line(input: Option<&str>, max_chars: usize) -> Result<Option<String>, TextError> {
    match input.map(|s| line(s, max_chars)) {
        None | Some(Err(TextError::Empty)) => Ok(None),
        Some(other) => other.map(Some),
    }
}

fn checked(text: String, max_chars: usize) -> Result<String, TextError> {
    let count = text.chars().count();
    if count == 0 {
        Err(TextError::Empty)
    } else if count > max_chars {
        Err(TextError::TooLong(max_chars))
    } else {
        Ok(text)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn invisible_and_direction_characters_are_removed() {
        assert_eq!(line("a\u{200B}b\u{202E}c\u{FEFF}", 10).unwrap(), "abc");
    }

    #[test]
    fn emoji_and_chinese_are_kept_and_counted_as_characters() {
        assert_eq!(line(" 路灯坏了😀 ", 6).unwrap(), "路灯坏了😀");
        assert_eq!(line("路灯坏了很久了", 6), Err(TextError::TooLong(6)));
    }

    #[test]
    fn blank_text_is_empty() {
        assert_eq!(line(" \u{200B}\t ", 5), Err(TextError::Empty));
        assert_eq!(optional_line(Some("  "), 5), Ok(None));
    }

    #[test]
    fn blocks_keep_newlines_and_lines_do_not() {
        assert_eq!(block("一\r\n二\u{0007}", 10).unwrap(), "一\n二");
        assert_eq!(line("一\n二", 10).unwrap(), "一 二");
    }
}
