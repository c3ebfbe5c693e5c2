//! One span -> one row of `SpanColumns`, with every field rendered as the Python normaliser
//! (`workers/telemetry/span_rows.py`) renders it. A span whose output is not certain to match is
//! declined: its entries are cut back and Python normalises it.

use blake2::digest::consts::U16;
use blake2::{Blake2b, Digest};

use crate::columns::{Map, SpanColumns, Strings};
use crate::numbers::py_float;
use crate::providers::normalise_provider;
use crate::pystr::py_lower;
use crate::request::{or_else, Resource, Scope, Scratch, Source};
use crate::semconv::{feature_name, spec, Slot, Spec, NO_RANK, SLOTS};
use crate::text::push_text;
use crate::value::{key_value, string_items, Any};
use crate::wire::{Fields, Malformed, Wire};

const HEX: &[u8; 16] = b"0123456789abcdef";
/// Events whose attributes carry prompt/completion messages, rendered in Python.
const GENAI_EVENTS: [&[u8]; 7] = [
    b"gen_ai.system.message",
    b"gen_ai.user.message",
    b"gen_ai.assistant.message",
    b"gen_ai.tool.message",
    b"gen_ai.choice",
    b"gen_ai.content.prompt",
    b"gen_ai.content.completion",
];

/// Text of a slot: a byte range in the span's attribute values.
type Range = Option<(usize, usize)>;

/// Finish reasons as the winning attribute gives them.
enum Finish<'a> {
    None,
    /// One item: the attribute's text.
    One(usize, usize),
    /// The items of an array of non-empty strings.
    Items(&'a [u8]),
    /// A JSON array of plain strings written as one string: the text between `["` and `"]`,
    /// split at `","`.
    Split(&'a [u8]),
}

/// What one span's fields and attributes say, before its row is written.
struct SpanFields<'a> {
    trace_id: &'a [u8],
    span_id: &'a [u8],
    parent_span_id: &'a [u8],
    trace_state: &'a [u8],
    name: &'a [u8],
    kind: i32,
    start: u64,
    end: u64,
    status_message: &'a [u8],
    status_code: i32,
    texts: [Range; SLOTS],
    ranks: [u8; SLOTS],
    tokens: [Option<u32>; SLOTS],
    score: Option<f64>,
    finish: Finish<'a>,
    /// Set when Python must normalise this span; the walk goes on to validate the rest.
    declined: bool,
}

pub struct SpanWalk<'w> {
    pub cols: &'w mut SpanColumns,
    pub resource: &'w Resource,
    pub scope: &'w Scope<'w>,
    pub source: &'w Source,
    pub preview_chars: usize,
    pub scratch: &'w mut Scratch,
    /// Storable span start times `(earliest, latest)`: `workers/telemetry/limits.py`.
    pub window: (u64, u64),
}

impl SpanWalk<'_> {
    /// Reads one span; true when its row was written, false when declined.
    pub fn span(mut self, buf: &[u8]) -> Wire<bool> {
        let mut f = SpanFields {
            trace_id: b"",
            span_id: b"",
            parent_span_id: b"",
            trace_state: b"",
            name: b"",
            kind: 0,
            start: 0,
            end: 0,
            status_message: b"",
            status_code: 0,
            texts: [None; SLOTS],
            ranks: [NO_RANK; SLOTS],
            tokens: [None; SLOTS],
            score: None,
            finish: Finish::None,
            declined: false,
        };
        let mut status_seen = false;
        let mut fields = Fields::new(buf);
        while let Some((number, value)) = fields.next()? {
            match number {
                1 => f.trace_id = value.bytes()?,
                2 => f.span_id = value.bytes()?,
                3 => f.trace_state = value.string()?,
                4 => f.parent_span_id = value.bytes()?,
                5 => f.name = value.string()?,
                6 => f.kind = value.int32()?,
                7 => f.start = value.fixed64()?,
                8 => f.end = value.fixed64()?,
                9 => self.attribute(value.bytes()?, &mut f)?,
                10 | 12 | 14 => {
                    value.varint()?;
                }
                11 => f.declined |= !self.event(value.bytes()?)?,
                13 => f.declined |= !self.link(value.bytes()?)?,
                15 => {
                    if status_seen {
                        return Err(Malformed); // merged by protobuf
                    }
                    status_seen = true;
                    (f.status_message, f.status_code) = read_status(value.bytes()?)?;
                }
                16 => {
                    value.fixed32()?;
                }
                _ => {}
            }
        }
        let parent_ok = f.parent_span_id.is_empty() || f.parent_span_id.len() == 8;
        if f.trace_id.len() != 16 || f.span_id.len() != 8 || !parent_ok {
            return Err(Malformed); // Python raises DecodeError for the request
        }
        // Refused by Python too (all-zero ids, times storage cannot keep): it says why.
        let zero = |id: &[u8]| id.iter().all(|&b| b == 0);
        let (earliest, latest) = self.window;
        if zero(f.trace_id)
            || zero(f.span_id)
            || f.start < earliest
            || f.start > latest
            || f.end > i64::MAX as u64
        {
            return Err(Malformed);
        }
        if f.declined {
            return Ok(false);
        }
        Ok(self.row(&f))
    }

    /// One span attribute: into the attributes map, and into its field if its spec wins.
    fn attribute<'a>(&mut self, buf: &'a [u8], f: &mut SpanFields<'a>) -> Wire<()> {
        let (key, value) = key_value(buf)?;
        let attrs = &mut self.cols.attributes;
        attrs.keys.push(key);
        let start = attrs.values.data.len();
        f.declined |= !push_text(&mut attrs.values.data, &value);
        attrs.values.end();
        let end = attrs.values.data.len();
        let spec = spec(key);
        let (slot, rank) = match spec {
            Spec::Plain => return Ok(()),
            Spec::Python => {
                f.declined = true;
                return Ok(());
            }
            Spec::Feature => {
                let features = &mut self.cols.features;
                features.entry(feature_name(key), &attrs.values.data[start..end]);
                return Ok(());
            }
            Spec::Text(slot, rank) | Spec::Tokens(slot, rank) => (slot, rank),
            Spec::Score(rank) => (Slot::PredictionScore, rank),
            Spec::Strings(rank) => (Slot::FinishReasons, rank),
        };
        // The lowest rank wins; ties keep the first seen. A winner's value may be null or "".
        let s = slot as usize;
        if rank >= f.ranks[s] {
            return Ok(());
        }
        f.ranks[s] = rank;
        match spec {
            Spec::Text(..) => f.texts[s] = Some((start, end)),
            Spec::Tokens(..) => match token_count(&value) {
                Some(n) => f.tokens[s] = n,
                None => f.declined = true,
            },
            Spec::Score(_) => {
                f.score = match value {
                    Any::Double(x) => Some(x),
                    Any::Int(n) => Some(n as f64),
                    Any::Str(s) => match py_float(s) {
                        Some(x) => x.ok(),
                        None => {
                            f.declined = true;
                            None
                        }
                    },
                    _ => None,
                }
            }
            Spec::Strings(_) => {
                f.finish = match value {
                    Any::Strings(body) => Finish::Items(body),
                    Any::Str(s) if s.starts_with(b"[") => match plain_json_strings(s) {
                        Some(inner) => Finish::Split(inner),
                        None => {
                            f.declined = true; // other JSON (or not JSON): parsed in Python
                            Finish::None
                        }
                    },
                    Any::Empty | Any::Str(b"") => Finish::None,
                    _ => Finish::One(start, end),
                }
            }
            _ => {}
        }
        Ok(())
    }

    /// One event; false when the span must be declined.
    fn event(&mut self, buf: &[u8]) -> Wire<bool> {
        let events = &mut self.cols.events;
        let (mut time, mut name, mut ok) = (0u64, &b""[..], true);
        let mut fields = Fields::new(buf);
        while let Some((number, value)) = fields.next()? {
            match number {
                1 => time = value.fixed64()?,
                2 => name = value.string()?,
                3 => ok &= map_entry(&mut events.attributes, value.bytes()?)?,
                4 => {
                    value.varint()?;
                }
                _ => {}
            }
        }
        if time > i64::MAX as u64 {
            return Err(Malformed); // beyond Arrow's int64 nanoseconds: Python refuses the request
        }
        events.attributes.end();
        events.times.push(time as i64);
        events.names.push(name);
        Ok(ok && !GENAI_EVENTS.contains(&name))
    }

    /// One link; false when the span must be declined.
    fn link(&mut self, buf: &[u8]) -> Wire<bool> {
        let links = &mut self.cols.links;
        let (mut trace_id, mut span_id, mut state, mut ok) = (&b""[..], &b""[..], &b""[..], true);
        let mut fields = Fields::new(buf);
        while let Some((number, value)) = fields.next()? {
            match number {
                1 => trace_id = value.bytes()?,
                2 => span_id = value.bytes()?,
                3 => state = value.string()?,
                4 => ok &= map_entry(&mut links.attributes, value.bytes()?)?,
                5 => {
                    value.varint()?;
                }
                6 => {
                    value.fixed32()?;
                }
                _ => {}
            }
        }
        if trace_id.len() != 16 || span_id.len() != 8 {
            return Err(Malformed); // Python raises DecodeError for the request
        }
        links.attributes.end();
        push_hex(&mut links.trace_ids, trace_id);
        push_hex(&mut links.span_ids, span_id);
        links.trace_states.push(state);
        Ok(ok)
    }

    /// Writes the row of an accepted span; false when a derived field needs Python after all.
    fn row(self, f: &SpanFields) -> bool {
        let c = self.cols;
        let attr = &c.attributes.values.data;
        let text = |slot: Slot| f.texts[slot as usize].map_or(&b""[..], |(s, e)| &attr[s..e]);

        // Python lowercases with Unicode 14's rules: a few characters are left to it.
        let s = self.scratch;
        if !normalise_provider(text(Slot::Provider), &mut s.provider)
            || !py_lower(text(Slot::Operation), &mut s.operation)
        {
            return false;
        }

        let tokens = |slot: Slot| f.tokens[slot as usize];
        let (in_tok, out_tok) = (tokens(Slot::InputTokens), tokens(Slot::OutputTokens));
        let has_tokens = in_tok.is_some() || out_tok.is_some();
        let mut total = tokens(Slot::TotalTokens);
        if total.is_none() && has_tokens {
            let sum = u64::from(in_tok.unwrap_or(0)) + u64::from(out_tok.unwrap_or(0));
            total = u32::try_from(sum).ok();
        }
        let itype: &[u8] = match f.texts[Slot::InferenceType as usize] {
            Some(_) => text(Slot::InferenceType),
            None => inference_type(&s.operation, &f.ranks, has_tokens),
        };

        let r = self.resource;
        c.project.push(&r.project);
        push_hex(&mut c.trace_id, f.trace_id);
        push_hex(&mut c.span_id, f.span_id);
        push_hex(&mut c.parent_span_id, f.parent_span_id);
        c.trace_state.push(f.trace_state);
        c.name.push(f.name);
        c.kind.push(kind_name(f.kind));
        c.start_time.push(f.start as i64);
        c.end_time.push(f.end as i64);
        c.duration_ns.push(f.end.saturating_sub(f.start));
        c.service_name.push(&r.service);
        c.scope_name.push(self.scope.name);
        c.scope_version.push(self.scope.version);
        c.status_code.push(status_name(f.status_code));
        c.status_message.push(f.status_message);
        c.model_id.push(text(Slot::Model));
        c.model_version.push(text(Slot::ModelVersion));
        c.provider.push(&s.provider);
        c.inference_type.push(itype);
        c.operation.push(&s.operation);
        let input = text(Slot::Input);
        c.input_preview.push(preview(input, self.preview_chars));
        c.output_preview
            .push(preview(text(Slot::Output), self.preview_chars));
        if input.is_empty() {
            c.input_hash.end();
        } else {
            push_hex(&mut c.input_hash, &Blake2b::<U16>::digest(input));
        }
        c.input_tokens.push(in_tok);
        c.output_tokens.push(out_tok);
        c.total_tokens.push(total);
        c.cache_read_tokens.push(tokens(Slot::CacheRead));
        c.cache_creation_tokens.push(tokens(Slot::CacheCreation));
        c.reasoning_tokens.push(tokens(Slot::Reasoning));
        match f.finish {
            Finish::None => {}
            Finish::One(s, e) => c.finish_reasons.items.push(&attr[s..e]),
            Finish::Items(body) => {
                for item in string_items(body) {
                    c.finish_reasons.items.push(item);
                }
            }
            Finish::Split(inner) => {
                for item in split(inner, b"\",\"") {
                    c.finish_reasons.items.push(item);
                }
            }
        }
        c.finish_reasons.end();
        c.user_id.push(text(Slot::User));
        c.session_id.push(text(Slot::Session));
        c.feature_id.push(text(Slot::FeatureId));
        c.team.push(text(Slot::Team));
        c.environment
            .push(or_else(text(Slot::Environment), &r.environment));
        c.prediction.push(text(Slot::Prediction));
        c.prediction_score.push(f.score);
        c.features.end();
        c.embedding_dim.push(0); // spans with an embedding vector are declined
        c.attributes.end();
        append_map(&mut c.resource, &r.keys, &r.values);
        c.events.end();
        c.links.end();
        c.source_partition.push(self.source.partition);
        c.source_offset.push(self.source.offset); // last: it marks the row complete
        true
    }
}

/// An event or link attribute into `map`; false when its text is left to Python.
fn map_entry(map: &mut Map, buf: &[u8]) -> Wire<bool> {
    let (key, value) = key_value(buf)?;
    map.keys.push(key);
    let ok = push_text(&mut map.values.data, &value);
    map.values.end();
    Ok(ok)
}

fn read_status(buf: &[u8]) -> Wire<(&[u8], i32)> {
    let (mut message, mut code) = (&b""[..], 0);
    let mut fields = Fields::new(buf);
    while let Some((number, value)) = fields.next()? {
        match number {
            2 => message = value.string()?,
            3 => code = value.int32()?,
            _ => {}
        }
    }
    Ok((message, code))
}

/// A token count as `semconv.token_count` reads it (`int`, `int(double)`, `int(float(text))`,
/// null when that fails or is outside UInt32): Some(count or null), or None when Python must read
/// the text.
fn token_count(value: &Any) -> Option<Option<u32>> {
    Some(match *value {
        Any::Int(n) => u32::try_from(n).ok(),
        Any::Double(x) => whole_u32(x),
        Any::Str(s) => py_float(s)?.ok().and_then(whole_u32),
        _ => None,
    })
}

/// `anyvalue.any_strings`' shortcut for `["a","b"]`: a text that starts with `["`, ends with `"]`
/// and has no backslash is split at `","`, unless a quote is left in an item. Returns the text
/// to split (Python's `text[2:-2]`), or None when the shortcut does not apply.
fn plain_json_strings(text: &[u8]) -> Option<&[u8]> {
    if !text.starts_with(b"[\"") || !text.ends_with(b"\"]") || text.contains(&b'\\') {
        return None;
    }
    let inner = text.get(2..text.len() - 2).unwrap_or_default(); // `["]` leaves ""
                                                                 // The only quotes left must be those of the separators (two each).
    let quotes = inner.iter().filter(|&&b| b == b'"').count();
    let separators = split(inner, b"\",\"").count() - 1;
    (quotes == 2 * separators).then_some(inner)
}

/// Python's `text.split(sep)`.
fn split<'a>(text: &'a [u8], sep: &'a [u8]) -> impl Iterator<Item = &'a [u8]> {
    let mut rest = Some(text);
    std::iter::from_fn(move || {
        let t = rest?;
        match t.windows(sep.len()).position(|w| w == sep) {
            Some(i) => {
                rest = Some(&t[i + sep.len()..]);
                Some(&t[..i])
            }
            None => {
                rest = None;
                Some(t)
            }
        }
    })
}

/// `int(x)` when it is finite and within UInt32.
fn whole_u32(x: f64) -> Option<u32> {
    let t = x.trunc();
    (x.is_finite() && (0.0..4_294_967_296.0).contains(&t)).then_some(t as u32)
}

/// `span_extras.inference_type`, for spans without `pyflare.inference.type`.
fn inference_type(operation: &[u8], ranks: &[u8; SLOTS], has_tokens: bool) -> &'static [u8] {
    if matches!(operation, b"embeddings" | b"embedding") {
        return b"embedding";
    }
    let llm_operation = matches!(
        operation,
        b"chat" | b"text_completion" | b"generate_content" | b"completion" | b"llm"
    );
    // A model or provider from a GenAI or OpenInference attribute (rank 10-49) is an LLM signal.
    let signal = [Slot::Model, Slot::Provider]
        .iter()
        .any(|&s| (10..50).contains(&ranks[s as usize]));
    if has_tokens || llm_operation || signal {
        b"llm"
    } else {
        b""
    }
}

fn kind_name(kind: i32) -> &'static [u8] {
    match kind {
        1 => b"internal",
        2 => b"server",
        3 => b"client",
        4 => b"producer",
        5 => b"consumer",
        _ => b"unspecified",
    }
}

fn status_name(code: i32) -> &'static [u8] {
    match code {
        1 => b"ok",
        2 => b"error",
        _ => b"unset",
    }
}

fn push_hex(col: &mut Strings, bytes: &[u8]) {
    let mut hex = [0u8; 32]; // ids are 16 bytes at most; a 16-byte digest too
    for (pair, &b) in hex.chunks_exact_mut(2).zip(bytes) {
        pair[0] = HEX[(b >> 4) as usize];
        pair[1] = HEX[(b & 15) as usize];
    }
    col.push(&hex[..2 * bytes.len().min(16)]);
}

/// The first `chars` code points of UTF-8 text.
fn preview(text: &[u8], chars: usize) -> &[u8] {
    if text.len() <= chars {
        return text; // never more code points than bytes
    }
    let mut seen = 0;
    for (i, &b) in text.iter().enumerate() {
        if b & 0xc0 != 0x80 {
            if seen == chars {
                return &text[..i];
            }
            seen += 1;
        }
    }
    text
}

/// Appends one row's map holding the given entries (a resource's, the same for each of its rows).
fn append_map(map: &mut Map, keys: &Strings, values: &Strings) {
    append_strings(&mut map.keys, keys);
    append_strings(&mut map.values, values);
    map.end();
}

fn append_strings(col: &mut Strings, add: &Strings) {
    let base = col.data.len() as i32;
    col.data.extend_from_slice(&add.data);
    col.offsets
        .extend(add.offsets[1..].iter().map(|o| base.wrapping_add(*o)));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn previews_count_code_points() {
        assert_eq!(preview("héllo".as_bytes(), 2), "hé".as_bytes());
        assert_eq!(preview(b"abc", 0), b"");
        assert_eq!(preview(b"abc", 5), b"abc");
    }

    #[test]
    fn token_counts() {
        assert_eq!(token_count(&Any::Int(-1)), Some(None));
        assert_eq!(token_count(&Any::Int(0)), Some(Some(0)));
        assert_eq!(token_count(&Any::Double(-0.5)), Some(Some(0)));
        assert_eq!(token_count(&Any::Double(f64::NAN)), Some(None));
        assert_eq!(token_count(&Any::Str(b"0042")), Some(Some(42)));
        assert_eq!(token_count(&Any::Str(b"4294967296")), Some(None));
        assert_eq!(token_count(&Any::Str(b" 1e3 ")), Some(Some(1000)));
        assert_eq!(token_count(&Any::Str(b"nan")), Some(None));
        assert_eq!(token_count(&Any::Str(b"-3")), Some(None));
        assert_eq!(token_count(&Any::Str(b"")), Some(None));
        assert_eq!(token_count(&Any::Str("١".as_bytes())), None);
        assert_eq!(token_count(&Any::Bool(true)), Some(None));
    }

    #[test]
    fn finish_reasons_in_a_string() {
        let items = |t: &'static [u8]| {
            plain_json_strings(t).map(|i| split(i, b"\",\"").collect::<Vec<_>>())
        };
        assert_eq!(
            items(b"[\"stop\",\"length\"]"),
            Some(vec![&b"stop"[..], b"length"])
        );
        assert_eq!(items(b"[\"]"), Some(vec![&b""[..]]));
        assert_eq!(items(b"[\"\"]"), Some(vec![&b""[..]]));
        assert_eq!(items(b"[\"a\"b\"]"), None);
        assert_eq!(items(b"[\"a\\n\"]"), None);
        assert_eq!(items(b"[1, 2]"), None);
    }
}
