//! Attribute values -> the text PyFlare stores in its string maps.
//!
//! The rules are Python's: `str(int)`, `repr(float)`, `true`/`false`, and for arrays of
//! non-empty strings the compact JSON that `json.encoder.encode_basestring` produces.

use std::fmt::Write;

use crate::value::{string_items, Any};

/// Appends the value's text; false when Python renders it (bytes, JSON of other composites).
pub fn push_text(out: &mut Vec<u8>, value: &Any) -> bool {
    match *value {
        Any::Empty => {}
        Any::Str(s) => out.extend_from_slice(s),
        Any::Bool(b) => out.extend_from_slice(if b { b"true" } else { b"false" }),
        Any::Int(n) => push_int(out, n),
        Any::Double(x) => push_float(out, x),
        Any::Strings(body) => push_json_array(out, string_items(body)),
        Any::Other => return false,
    }
    true
}

pub fn push_int(out: &mut Vec<u8>, n: i64) {
    if n < 0 {
        out.push(b'-');
    }
    let mut digits = [0u8; 20];
    let mut v = n.unsigned_abs();
    let mut i = digits.len();
    loop {
        i -= 1;
        digits[i] = b'0' + (v % 10) as u8;
        v /= 10;
        if v == 0 {
            break;
        }
    }
    out.extend_from_slice(&digits[i..]);
}

/// A fixed-size buffer for one formatted float, so formatting does not allocate.
struct Scratch {
    buf: [u8; 40],
    len: usize,
}

impl Write for Scratch {
    fn write_str(&mut self, s: &str) -> std::fmt::Result {
        let end = self.len + s.len();
        self.buf
            .get_mut(self.len..end)
            .ok_or(std::fmt::Error)?
            .copy_from_slice(s.as_bytes());
        self.len = end;
        Ok(())
    }
}

/// Python's `repr(float)`: the shortest digits that read back to the same double, in fixed
/// notation when the decimal exponent is in [-4, 16), else scientific with a signed exponent of at
/// least two digits.
pub fn push_float(out: &mut Vec<u8>, x: f64) {
    if x.is_nan() {
        out.extend_from_slice(b"nan");
        return;
    }
    if x.is_sign_negative() {
        out.push(b'-');
    }
    let x = x.abs();
    if x.is_infinite() {
        out.extend_from_slice(b"inf");
        return;
    }
    if x == 0.0 {
        out.extend_from_slice(b"0.0");
        return;
    }
    let mut scratch = Scratch {
        buf: [0; 40],
        len: 0,
    };
    write!(scratch, "{x:e}").expect("a float fits in 40 bytes");
    let (mut digits, mut n, mut exp) = split_exponent(&scratch.buf[..scratch.len]);
    // `{:e}` gives the shortest digits that read back to `x`, but when two candidates of that
    // length are equally close it may pick the odd one, where Python picks the even one. The
    // correctly rounded value at that length (ties to even) is Python's choice whenever it still
    // reads back to `x`.
    let mut exact = Scratch {
        buf: [0; 40],
        len: 0,
    };
    write!(exact, "{x:.prec$e}", prec = n.saturating_sub(1)).expect("a float fits in 40 bytes");
    let text = &exact.buf[..exact.len];
    if text != &scratch.buf[..scratch.len]
        && std::str::from_utf8(text)
            .ok()
            .and_then(|t| t.parse::<f64>().ok())
            == Some(x)
    {
        (digits, n, exp) = split_exponent(text);
    }
    let digits = &digits[..n];
    if (-4..16).contains(&exp) {
        let point = exp + 1; // digits before the decimal point
        if point <= 0 {
            out.extend_from_slice(b"0.");
            out.extend(std::iter::repeat_n(b'0', (-point) as usize));
            out.extend_from_slice(digits);
        } else if (point as usize) < digits.len() {
            out.extend_from_slice(&digits[..point as usize]);
            out.push(b'.');
            out.extend_from_slice(&digits[point as usize..]);
        } else {
            out.extend_from_slice(digits);
            out.extend(std::iter::repeat_n(b'0', point as usize - digits.len()));
            out.extend_from_slice(b".0");
        }
    } else {
        out.push(digits[0]);
        if digits.len() > 1 {
            out.push(b'.');
            out.extend_from_slice(&digits[1..]);
        }
        out.push(b'e');
        out.push(if exp < 0 { b'-' } else { b'+' });
        let abs = exp.unsigned_abs();
        if abs < 10 {
            out.push(b'0');
        }
        push_int(out, i64::from(abs));
    }
}

/// `d.ddde<exp>` -> (significant digits, how many, decimal exponent).
fn split_exponent(formatted: &[u8]) -> ([u8; 20], usize, i32) {
    let e_at = formatted
        .iter()
        .position(|&b| b == b'e')
        .unwrap_or(formatted.len());
    let mut digits = [0u8; 20];
    let mut n = 0;
    for &b in &formatted[..e_at] {
        if b != b'.' && n < digits.len() {
            digits[n] = b;
            n += 1;
        }
    }
    let exp = std::str::from_utf8(&formatted[e_at + 1..])
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    (digits, n, exp)
}

/// `"[" + ",".join(map(encode_basestring, items)) + "]"`.
pub fn push_json_array<'a>(out: &mut Vec<u8>, items: impl Iterator<Item = &'a [u8]>) {
    out.push(b'[');
    for (i, item) in items.enumerate() {
        if i > 0 {
            out.push(b',');
        }
        push_json_string(out, item);
    }
    out.push(b']');
}

/// `json.encoder.encode_basestring`: non-ASCII stays as it is; only `"`, `\` and control
/// characters are escaped.
pub fn push_json_string(out: &mut Vec<u8>, bytes: &[u8]) {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    out.push(b'"');
    let mut start = 0;
    for (i, &b) in bytes.iter().enumerate() {
        let escape: &[u8] = match b {
            b'"' => b"\\\"",
            b'\\' => b"\\\\",
            b'\n' => b"\\n",
            b'\r' => b"\\r",
            b'\t' => b"\\t",
            0x08 => b"\\b",
            0x0c => b"\\f",
            0..=0x1f => &[
                b'\\',
                b'u',
                b'0',
                b'0',
                HEX[(b >> 4) as usize],
                HEX[(b & 15) as usize],
            ],
            _ => continue,
        };
        out.extend_from_slice(&bytes[start..i]);
        out.extend_from_slice(escape);
        start = i + 1;
    }
    out.extend_from_slice(&bytes[start..]);
    out.push(b'"');
}

#[cfg(test)]
mod tests {
    use super::*;

    fn float(x: f64) -> String {
        let mut out = Vec::new();
        push_float(&mut out, x);
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn floats_read_as_python_repr() {
        let cases = [
            (0.1, "0.1"),
            (1.0, "1.0"),
            (-0.0, "-0.0"),
            (1e16, "1e+16"),
            (1e15, "1000000000000000.0"),
            (1.5e-5, "1.5e-05"),
            (0.0001, "0.0001"),
            (-2.5e20, "-2.5e+20"),
            (1e100, "1e+100"),
            (123.456, "123.456"),
            (f64::INFINITY, "inf"),
            (f64::NEG_INFINITY, "-inf"),
            (f64::NAN, "nan"),
            (5e-324, "5e-324"),
            (1636676292920161.0 + 0.25, "1636676292920161.2"), // a tie: Python keeps the even digit
            (1.7976931348623157e308, "1.7976931348623157e+308"),
        ];
        for (x, want) in cases {
            assert_eq!(float(x), want, "{x:e}");
        }
    }

    #[test]
    fn ints() {
        let mut out = Vec::new();
        push_int(&mut out, i64::MIN);
        out.push(b' ');
        push_int(&mut out, 0);
        assert_eq!(out, b"-9223372036854775808 0");
    }

    #[test]
    fn json_strings_escape_like_python() {
        let mut out = Vec::new();
        push_json_array(
            &mut out,
            ["a\"b\\", "\n\u{1}é"].into_iter().map(str::as_bytes),
        );
        assert_eq!(String::from_utf8(out).unwrap(), r#"["a\"b\\","\n\u0001é"]"#);
    }
}
