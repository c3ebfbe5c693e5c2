//! Protobuf wire format reader over a borrowed buffer.
//!
//! Every error is `Malformed`: the caller then hands the whole request to the Python decoder,
//! which produces the proper error message, so no detail is kept here.

/// The payload is not a protobuf message we accept.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Malformed;

pub type Wire<T> = Result<T, Malformed>;

/// One field's value as it appears on the wire.
#[derive(Debug, Clone, Copy)]
pub enum Value<'a> {
    Varint(u64),
    Fixed64(u64),
    Bytes(&'a [u8]),
    Fixed32(u32),
}

impl<'a> Value<'a> {
    #[inline]
    pub fn varint(self) -> Wire<u64> {
        match self {
            Value::Varint(v) => Ok(v),
            _ => Err(Malformed),
        }
    }

    #[inline]
    pub fn fixed64(self) -> Wire<u64> {
        match self {
            Value::Fixed64(v) => Ok(v),
            _ => Err(Malformed),
        }
    }

    #[inline]
    pub fn fixed32(self) -> Wire<u32> {
        match self {
            Value::Fixed32(v) => Ok(v),
            _ => Err(Malformed),
        }
    }

    #[inline]
    pub fn bytes(self) -> Wire<&'a [u8]> {
        match self {
            Value::Bytes(b) => Ok(b),
            _ => Err(Malformed),
        }
    }

    /// A proto3 `string` field, as its validated UTF-8 bytes: the Python decoder rejects invalid
    /// UTF-8, so do we. (Most strings are ASCII, whose check is much cheaper.)
    #[inline]
    pub fn string(self) -> Wire<&'a [u8]> {
        let b = self.bytes()?;
        if b.is_ascii() || std::str::from_utf8(b).is_ok() {
            Ok(b)
        } else {
            Err(Malformed)
        }
    }

    /// An `int32`/enum field: the varint's low 32 bits, as every protobuf decoder reads it.
    #[inline]
    pub fn int32(self) -> Wire<i32> {
        Ok(self.varint()? as u32 as i32)
    }
}

/// Iterates the fields of one message: `(field number, value)`.
pub struct Fields<'a> {
    buf: &'a [u8],
    pos: usize,
}

impl<'a> Fields<'a> {
    #[inline]
    pub fn new(buf: &'a [u8]) -> Self {
        Fields { buf, pos: 0 }
    }

    #[inline]
    fn varint(&mut self) -> Wire<u64> {
        // Tags and most lengths and counts are one byte.
        if let Some(&byte) = self.buf.get(self.pos) {
            if byte < 0x80 {
                self.pos += 1;
                return Ok(u64::from(byte));
            }
        }
        self.varint_slow()
    }

    #[inline(never)]
    fn varint_slow(&mut self) -> Wire<u64> {
        let mut value = 0u64;
        for i in 0..10 {
            let byte = *self.buf.get(self.pos).ok_or(Malformed)?;
            self.pos += 1;
            if i == 9 && byte > 1 {
                return Err(Malformed); // more than 64 bits
            }
            value |= u64::from(byte & 0x7f) << (7 * i);
            if byte < 0x80 {
                return Ok(value);
            }
        }
        Err(Malformed)
    }

    #[inline]
    fn take(&mut self, n: usize) -> Wire<&'a [u8]> {
        let end = self.pos.checked_add(n).ok_or(Malformed)?;
        let slice = self.buf.get(self.pos..end).ok_or(Malformed)?;
        self.pos = end;
        Ok(slice)
    }

    /// The next field, `None` at the end of the message.
    #[inline]
    #[allow(clippy::should_implement_trait)] // fallible: an Iterator of Results reads worse here
    pub fn next(&mut self) -> Wire<Option<(u32, Value<'a>)>> {
        if self.pos >= self.buf.len() {
            return Ok(None);
        }
        let tag = self.varint()?;
        let number = tag >> 3;
        if number == 0 || number > (1 << 29) - 1 {
            return Err(Malformed);
        }
        let value = match tag & 7 {
            0 => Value::Varint(self.varint()?),
            1 => Value::Fixed64(u64::from_le_bytes(
                self.take(8)?.try_into().map_err(|_| Malformed)?,
            )),
            2 => {
                let len = usize::try_from(self.varint()?).map_err(|_| Malformed)?;
                Value::Bytes(self.take(len)?)
            }
            5 => Value::Fixed32(u32::from_le_bytes(
                self.take(4)?.try_into().map_err(|_| Malformed)?,
            )),
            _ => return Err(Malformed), // groups (3, 4) are not used by OTLP; 6 and 7 do not exist
        };
        Ok(Some((number as u32, value)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_each_wire_type() {
        let buf = [
            0x08, 0x96, 0x01, 0x11, 1, 0, 0, 0, 0, 0, 0, 0, 0x1a, 2, b'h', b'i', 0x25, 7, 0, 0, 0,
        ];
        let mut f = Fields::new(&buf);
        assert_eq!(f.next().unwrap().unwrap().1.varint(), Ok(150));
        assert_eq!(f.next().unwrap().unwrap().1.fixed64(), Ok(1));
        assert_eq!(f.next().unwrap().unwrap().1.string(), Ok(&b"hi"[..]));
        assert_eq!(f.next().unwrap().unwrap().1.fixed32(), Ok(7));
        assert!(f.next().unwrap().is_none());
    }

    #[test]
    fn rejects_truncation_groups_and_field_zero() {
        assert!(Fields::new(&[0x0a, 5, b'a']).next().is_err());
        assert!(Fields::new(&[0x0b]).next().is_err());
        assert!(Fields::new(&[0x00, 0x01]).next().is_err());
        assert!(
            Fields::new(&[0x08, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x02])
                .next()
                .is_err()
        );
    }

    #[test]
    fn int32_keeps_the_low_bits() {
        assert_eq!(Value::Varint((1 << 32) + 1).int32(), Ok(1));
        assert_eq!(Value::Varint(u64::MAX).int32(), Ok(-1));
    }
}
