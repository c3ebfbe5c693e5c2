//! Python's `float(text.strip())` for attribute strings (token counts and scores written as text).

use crate::pystr::py_strip;

/// `float(text.strip())`: `Some(Ok(x))`, or `Some(Err(()))` where Python raises ValueError.
/// `None` for text with non-ASCII digits or spaces, which Python reads as ASCII ones.
pub fn py_float(text: &[u8]) -> Option<Result<f64, ()>> {
    if !text.is_ascii() {
        // Python maps Unicode decimal digits and spaces to ASCII and any other character to one
        // that fails. (Rust's numeric and whitespace classes include Python's.)
        let s = std::str::from_utf8(text).ok()?;
        let unsure = s
            .chars()
            .any(|c| !c.is_ascii() && (c.is_numeric() || c.is_whitespace()));
        return if unsure { None } else { Some(Err(())) };
    }
    let s = py_strip(text);
    let Some(clean) = float_literal(s) else {
        return Some(Err(()));
    };
    // Rust's parser takes the same literals (underscores removed) and rounds correctly, as
    // Python's does; should it refuse one, Python decides.
    let clean = std::str::from_utf8(&clean).ok()?;
    clean.parse::<f64>().ok().map(Ok)
}

/// The literal without its underscores when `s` follows Python's float grammar:
/// `[sign] (digits ["." [digits]] | "." digits) [("e"|"E") [sign] digits]`, or
/// `[sign] ("inf" | "infinity" | "nan")` in any case; digits may have single `_` between them.
fn float_literal(s: &[u8]) -> Option<Vec<u8>> {
    let mut out = Vec::with_capacity(s.len());
    let mut i = 0;
    if let Some(&sign @ (b'+' | b'-')) = s.first() {
        out.push(sign);
        i = 1;
    }
    let word = s[i..].to_ascii_lowercase();
    if matches!(word.as_slice(), b"inf" | b"infinity" | b"nan") {
        out.extend_from_slice(&word);
        return Some(out);
    }
    let whole = digits(s, &mut i, &mut out);
    let mut fraction = false;
    if s.get(i) == Some(&b'.') {
        out.push(b'.');
        i += 1;
        fraction = digits(s, &mut i, &mut out);
    }
    if !whole && !fraction {
        return None;
    }
    if matches!(s.get(i), Some(b'e' | b'E')) {
        out.push(b'e');
        i += 1;
        if let Some(&sign @ (b'+' | b'-')) = s.get(i) {
            out.push(sign);
            i += 1;
        }
        if !digits(s, &mut i, &mut out) {
            return None;
        }
    }
    (i == s.len()).then_some(out)
}

/// Reads `digit (["_"] digit)*` at `i` into `out`; false when there is no digit.
fn digits(s: &[u8], i: &mut usize, out: &mut Vec<u8>) -> bool {
    let start = *i;
    while let Some(&b) = s.get(*i) {
        if b.is_ascii_digit() {
            out.push(b);
            *i += 1;
        } else if b == b'_'
            && *i > start
            && s[*i - 1].is_ascii_digit()
            && s.get(*i + 1).is_some_and(u8::is_ascii_digit)
        {
            *i += 1;
        } else {
            break;
        }
    }
    *i > start
}

#[cfg(test)]
mod tests {
    use super::*;

    fn f(s: &str) -> Option<Result<f64, ()>> {
        py_float(s.as_bytes())
    }

    #[test]
    fn accepts_what_python_accepts() {
        assert_eq!(f(" 77 "), Some(Ok(77.0)));
        assert_eq!(f("1e3"), Some(Ok(1000.0)));
        assert_eq!(f("1_000"), Some(Ok(1000.0)));
        assert_eq!(f("-3"), Some(Ok(-3.0)));
        assert_eq!(f("+.5"), Some(Ok(0.5)));
        assert_eq!(f("5."), Some(Ok(5.0)));
        assert_eq!(f("1E+1_0"), Some(Ok(1e10)));
        assert_eq!(f("\x1c-Infinity\x0b"), Some(Ok(f64::NEG_INFINITY)));
        assert_eq!(f("1e400"), Some(Ok(f64::INFINITY)));
        assert!(f("NaN").unwrap().unwrap().is_nan());
    }

    #[test]
    fn rejects_what_python_rejects() {
        for s in [
            "", " ", ".", "1__0", "_1", "1_", "1e", "e3", "1.2.3", "0x10", "infinit", "--1", "1 2",
            "[1]",
        ] {
            assert_eq!(f(s), Some(Err(())), "{s:?}");
        }
        assert_eq!(f("１"), None);
        assert_eq!(f("\u{a0}1"), None);
        assert_eq!(f("12é"), Some(Err(())));
    }
}
