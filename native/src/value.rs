//! OTLP `AnyValue` and `KeyValue` messages, decoded just far enough to render their text.
//!
//! Nested arrays and key-value lists are walked in full even when their text is left to Python:
//! the Python decoder validates every string inside them, so a request we accept must be one it
//! accepts too.

use crate::wire::{Fields, Malformed, Value, Wire};

/// Deeper nesting is left to the Python decoder, whose own recursion limit decides.
const MAX_DEPTH: u32 = 32;

/// The kind an `AnyValue` holds after its last oneof field.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Any<'a> {
    /// No field set (or a `KeyValue` without a value): its text is "".
    Empty,
    /// A string's UTF-8 bytes (validated).
    Str(&'a [u8]),
    Bool(bool),
    Int(i64),
    Double(f64),
    /// An array whose items are all non-empty strings: the `ArrayValue` body, walked again for
    /// the items when they are needed.
    Strings(&'a [u8]),
    /// Bytes, a key-value list or any other array (base64 or JSON text, rendered in Python), or
    /// a string-table index (a kind the Python rules treat apart): the span goes to Python.
    Other,
}

impl Any<'_> {
    /// True for the kinds whose Python `any_text` is a plain scalar rendering.
    pub fn is_scalar(&self) -> bool {
        matches!(
            self,
            Any::Empty | Any::Str(_) | Any::Bool(_) | Any::Int(_) | Any::Double(_)
        )
    }
}

/// Decodes one `AnyValue` message.
pub fn any_value(buf: &[u8]) -> Wire<Any<'_>> {
    any_at(buf, 0)
}

fn any_at(buf: &[u8], depth: u32) -> Wire<Any<'_>> {
    if depth > MAX_DEPTH {
        return Err(Malformed);
    }
    let mut kind = Any::Empty;
    let mut last = 0u32; // field number that set `kind`
    let mut fields = Fields::new(buf);
    while let Some((number, value)) = fields.next()? {
        kind = match number {
            1 => Any::Str(value.string()?),
            2 => Any::Bool(value.varint()? != 0),
            3 => Any::Int(value.varint()? as i64),
            4 => Any::Double(f64::from_bits(value.fixed64()?)),
            5 | 6 => {
                // The same message member twice is merged by protobuf: rare enough to leave to Python.
                if last == number {
                    return Err(Malformed);
                }
                let body = value.bytes()?;
                if number == 5 && array_of_strings(body, depth)? {
                    Any::Strings(body)
                } else {
                    if number == 6 {
                        key_value_list(body, depth)?;
                    }
                    Any::Other
                }
            }
            7 => {
                value.bytes()?;
                Any::Other
            }
            8 => {
                value.int32()?;
                Any::Other
            }
            _ => continue, // unknown field: skipped, as protobuf does
        };
        last = number;
    }
    Ok(kind)
}

/// Validates an `ArrayValue` body; true when every item is a non-empty string.
fn array_of_strings(body: &[u8], depth: u32) -> Wire<bool> {
    let mut all = true;
    let mut fields = Fields::new(body);
    while let Some((number, value)) = fields.next()? {
        if number == 1 {
            let item = any_at(value.bytes()?, depth + 1)?;
            all &= matches!(item, Any::Str(s) if !s.is_empty());
        }
    }
    Ok(all)
}

fn key_value_list(body: &[u8], depth: u32) -> Wire<()> {
    let mut fields = Fields::new(body);
    while let Some((number, value)) = fields.next()? {
        if number == 1 {
            key_value_at(value.bytes()?, depth + 1)?;
        }
    }
    Ok(())
}

/// The items of an `Any::Strings` body, in order.
pub fn string_items(body: &[u8]) -> impl Iterator<Item = &[u8]> {
    let mut fields = Fields::new(body);
    std::iter::from_fn(move || loop {
        match fields.next() {
            Ok(Some((1, Value::Bytes(item)))) => {
                if let Ok(Any::Str(s)) = any_value(item) {
                    return Some(s);
                }
                return None; // cannot happen: the body was validated as all strings
            }
            Ok(Some(_)) => continue,
            _ => return None,
        }
    })
}

/// Decodes one `KeyValue` message: its key and value.
pub fn key_value(buf: &[u8]) -> Wire<(&[u8], Any<'_>)> {
    key_value_at(buf, 0)
}

fn key_value_at(buf: &[u8], depth: u32) -> Wire<(&[u8], Any<'_>)> {
    let mut key: &[u8] = b"";
    let mut value = None;
    let mut fields = Fields::new(buf);
    while let Some((number, field)) = fields.next()? {
        match number {
            1 => key = field.string()?,
            2 => {
                if value.is_some() {
                    return Err(Malformed); // merged by protobuf: left to Python
                }
                value = Some(any_at(field.bytes()?, depth + 1)?);
            }
            3 => {
                field.int32()?;
            }
            _ => {}
        }
    }
    Ok((key, value.unwrap_or(Any::Empty)))
}

/// Validates a repeated `KeyValue` field's item without keeping it (scope attributes).
pub fn check_key_value(buf: &[u8]) -> Wire<()> {
    key_value(buf).map(|_| ())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn string_value(s: &str) -> Vec<u8> {
        let mut out = vec![0x0a, s.len() as u8];
        out.extend_from_slice(s.as_bytes());
        out
    }

    #[test]
    fn last_oneof_member_wins() {
        let mut buf = string_value("a");
        buf.extend_from_slice(&[0x18, 0x05]);
        assert_eq!(any_value(&buf), Ok(Any::Int(5)));
    }

    #[test]
    fn negative_int_is_twos_complement() {
        let mut buf = vec![0x18];
        buf.extend_from_slice(&[0xff; 9]);
        buf.push(0x01);
        assert_eq!(any_value(&buf), Ok(Any::Int(-1)));
    }

    #[test]
    fn arrays_of_strings_are_recognised() {
        let mut body = Vec::new();
        for s in ["stop", "length"] {
            let item = string_value(s);
            body.push(0x0a);
            body.push(item.len() as u8);
            body.extend_from_slice(&item);
        }
        let mut buf = vec![0x2a, body.len() as u8];
        buf.extend_from_slice(&body);
        let Ok(Any::Strings(b)) = any_value(&buf) else {
            panic!("not strings")
        };
        assert_eq!(
            string_items(b).collect::<Vec<_>>(),
            [b"stop".as_slice(), b"length"]
        );
    }

    #[test]
    fn invalid_utf8_is_malformed() {
        assert_eq!(any_value(&[0x0a, 1, 0xff]), Err(Malformed));
    }
}
