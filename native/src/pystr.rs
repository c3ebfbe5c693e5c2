//! Python's `str.strip()` and `str.lower()` on UTF-8 text, where their result is certain.

/// ASCII characters Python's `str.isspace()` accepts (Rust's `is_ascii_whitespace` lacks some).
pub fn is_py_space(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\n' | b'\r' | 0x0b | 0x0c | 0x1c..=0x1f)
}

/// `text.strip()` for ASCII text.
pub fn py_strip(text: &[u8]) -> &[u8] {
    let start = text
        .iter()
        .position(|&b| !is_py_space(b))
        .unwrap_or(text.len());
    let end = text
        .iter()
        .rposition(|&b| !is_py_space(b))
        .map_or(start, |i| i + 1);
    &text[start..end]
}

/// `text.strip()` for any text. Beyond ASCII, Python's spaces are Unicode's White_Space
/// characters, as Rust's `char::is_whitespace` has them.
pub fn py_strip_str(text: &str) -> &str {
    text.trim_matches(|c: char| c.is_whitespace() || (c.is_ascii() && is_py_space(c as u8)))
}

/// `text.lower()` into `out`; false when it is not certain to match Python's.
///
/// Case mappings never change once a character has one, so Rust's newer Unicode tables agree
/// with Python's except for letters added since (Python 3.11 has Unicode 14): a character Rust
/// maps is only taken from the long-settled blocks below U+0530 (Latin, Greek, Cyrillic). A
/// capital sigma, whose lowercase depends on its place in a word, is left to Python too.
pub fn py_lower(text: &[u8], out: &mut Vec<u8>) -> bool {
    out.clear();
    if text.is_ascii() {
        out.extend(text.iter().map(u8::to_ascii_lowercase));
        return true;
    }
    let Ok(s) = std::str::from_utf8(text) else {
        return false;
    };
    let settled = s.chars().all(|c| {
        let mut lower = c.to_lowercase();
        let unchanged = lower.len() == 1 && lower.next() == Some(c);
        unchanged || ((c as u32) < 0x530 && c != 'Σ')
    });
    if settled {
        out.extend_from_slice(s.to_lowercase().as_bytes());
    }
    settled
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lower(s: &str) -> Option<String> {
        let mut out = Vec::new();
        py_lower(s.as_bytes(), &mut out).then(|| String::from_utf8(out).unwrap())
    }

    #[test]
    fn lowers_like_python() {
        assert_eq!(lower("CHAT").as_deref(), Some("chat"));
        assert_eq!(lower("Ünïcode ✓ 控制").as_deref(), Some("ünïcode ✓ 控制"));
        assert_eq!(lower("İstanbul").as_deref(), Some("i\u{307}stanbul"));
        assert_eq!(lower("ǅ").as_deref(), Some("ǆ"));
        assert_eq!(lower("ΟΔΟΣ"), None); // final sigma
        assert_eq!(lower("\u{212a}"), None); // Kelvin sign: mapped, outside the settled blocks
    }

    #[test]
    fn strips_like_python() {
        assert_eq!(py_strip(b"\x1c a \x0b"), b"a");
        assert_eq!(py_strip_str("\u{a0}\u{3000}a b\u{85}\x1f"), "a b");
        assert_eq!(py_strip_str("\u{200b}a"), "\u{200b}a"); // not a space in Python either
    }
}
