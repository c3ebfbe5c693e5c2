//! Column buffers in Arrow's layout: int32 offsets plus flat data, cut back by row count.
//!
//! Nested columns (maps, lists, events, links) keep the entries of rows in flight past their
//! last offset: a row's offset is pushed when the row is complete, so cutting back to `rows`
//! rows also drops the entries of a span that was being written.

use std::sync::Mutex;

/// A string column: `offsets` has one more value than there are strings.
#[derive(Debug)]
pub struct Strings {
    pub offsets: Vec<i32>,
    pub data: Vec<u8>,
}

impl Default for Strings {
    fn default() -> Self {
        Strings {
            offsets: vec![0],
            data: Vec::new(),
        }
    }
}

impl Strings {
    pub fn len(&self) -> usize {
        self.offsets.len() - 1
    }

    pub fn push(&mut self, s: &[u8]) {
        self.data.extend_from_slice(s);
        self.end();
    }

    /// Closes the string written straight into `data`.
    pub fn end(&mut self) {
        self.offsets.push(self.data.len() as i32); // overflow is caught by `fits`
    }

    /// Where the string being written starts: the end of the last complete one.
    fn open_start(&self) -> usize {
        *self.offsets.last().unwrap_or(&0) as usize
    }

    pub fn truncate(&mut self, n: usize) {
        if n < self.len() {
            self.offsets.truncate(n + 1);
            self.data.truncate(self.offsets[n] as usize);
        }
        // drop a string that was begun but not ended
        let end = self.open_start();
        self.data.truncate(end);
    }

    pub fn fits(&self) -> bool {
        self.data.len() <= i32::MAX as usize
    }
}

/// A column of maps from string to string.
#[derive(Debug)]
pub struct Map {
    pub offsets: Vec<i32>,
    pub keys: Strings,
    pub values: Strings,
}

impl Default for Map {
    fn default() -> Self {
        Map {
            offsets: vec![0],
            keys: Strings::default(),
            values: Strings::default(),
        }
    }
}

impl Map {
    pub fn entry(&mut self, key: &[u8], value: &[u8]) {
        self.keys.push(key);
        self.values.push(value);
    }

    /// Closes the current row's map.
    pub fn end(&mut self) {
        self.offsets.push(self.keys.len() as i32);
    }

    pub fn truncate(&mut self, n: usize) {
        self.offsets.truncate(n + 1);
        let entries = self.offsets[self.offsets.len() - 1] as usize;
        self.keys.truncate(entries);
        self.values.truncate(entries);
    }

    pub fn fits(&self) -> bool {
        self.keys.fits() && self.values.fits() && self.keys.len() <= i32::MAX as usize
    }
}

/// A column of lists of strings.
#[derive(Debug)]
pub struct StringLists {
    pub offsets: Vec<i32>,
    pub items: Strings,
}

impl Default for StringLists {
    fn default() -> Self {
        StringLists {
            offsets: vec![0],
            items: Strings::default(),
        }
    }
}

impl StringLists {
    pub fn end(&mut self) {
        self.offsets.push(self.items.len() as i32);
    }

    pub fn truncate(&mut self, n: usize) {
        self.offsets.truncate(n + 1);
        self.items
            .truncate(self.offsets[self.offsets.len() - 1] as usize);
    }

    pub fn fits(&self) -> bool {
        self.items.fits() && self.items.len() <= i32::MAX as usize
    }
}

/// A nullable column of fixed-width values; nulls hold the type's zero.
#[derive(Debug, Default)]
pub struct Nullable<T> {
    pub valid: Vec<bool>,
    pub values: Vec<T>,
}

impl<T: Copy + Default> Nullable<T> {
    pub fn push(&mut self, value: Option<T>) {
        self.valid.push(value.is_some());
        self.values.push(value.unwrap_or_default());
    }

    pub fn truncate(&mut self, n: usize) {
        self.valid.truncate(n);
        self.values.truncate(n);
    }

    /// Arrow validity bitmap: bit i of byte i/8, least significant bit first.
    pub fn bitmap(&self) -> Vec<u8> {
        let mut bits = vec![0u8; self.valid.len().div_ceil(8)];
        for (i, _) in self.valid.iter().enumerate().filter(|(_, v)| **v) {
            bits[i / 8] |= 1 << (i % 8);
        }
        bits
    }
}

/// Span events: a list per row of (time, name, attributes).
#[derive(Debug)]
pub struct Events {
    pub offsets: Vec<i32>,
    pub times: Vec<i64>,
    pub names: Strings,
    pub attributes: Map,
}

impl Default for Events {
    fn default() -> Self {
        Events {
            offsets: vec![0],
            times: Vec::new(),
            names: Strings::default(),
            attributes: Map::default(),
        }
    }
}

impl Events {
    pub fn end(&mut self) {
        self.offsets.push(self.times.len() as i32);
    }

    pub fn truncate(&mut self, n: usize) {
        self.offsets.truncate(n + 1);
        let events = self.offsets[self.offsets.len() - 1] as usize;
        self.times.truncate(events);
        self.names.truncate(events);
        self.attributes.truncate(events);
    }

    pub fn fits(&self) -> bool {
        self.names.fits() && self.attributes.fits() && self.times.len() <= i32::MAX as usize
    }
}

/// Span links: a list per row of (trace id, span id, trace state, attributes).
#[derive(Debug)]
pub struct Links {
    pub offsets: Vec<i32>,
    pub trace_ids: Strings,
    pub span_ids: Strings,
    pub trace_states: Strings,
    pub attributes: Map,
}

impl Default for Links {
    fn default() -> Self {
        Links {
            offsets: vec![0],
            trace_ids: Strings::default(),
            span_ids: Strings::default(),
            trace_states: Strings::default(),
            attributes: Map::default(),
        }
    }
}

impl Links {
    pub fn end(&mut self) {
        self.offsets.push(self.trace_ids.len() as i32);
    }

    pub fn truncate(&mut self, n: usize) {
        self.offsets.truncate(n + 1);
        let links = self.offsets[self.offsets.len() - 1] as usize;
        self.trace_ids.truncate(links);
        self.span_ids.truncate(links);
        self.trace_states.truncate(links);
        self.attributes.truncate(links);
    }

    pub fn fits(&self) -> bool {
        self.trace_ids.fits()
            && self.span_ids.fits()
            && self.trace_states.fits()
            && self.attributes.fits()
            && self.trace_ids.len() <= i32::MAX as usize
    }
}

/// Every span column except `cost_usd` (filled by the pricing stage after decoding).
#[derive(Debug, Default)]
pub struct SpanColumns {
    pub project: Strings,
    pub trace_id: Strings,
    pub span_id: Strings,
    pub parent_span_id: Strings,
    pub trace_state: Strings,
    pub name: Strings,
    pub kind: Strings,
    pub start_time: Vec<i64>,
    pub end_time: Vec<i64>,
    pub duration_ns: Vec<u64>,
    pub service_name: Strings,
    pub scope_name: Strings,
    pub scope_version: Strings,
    pub status_code: Strings,
    pub status_message: Strings,
    pub model_id: Strings,
    pub model_version: Strings,
    pub provider: Strings,
    pub inference_type: Strings,
    pub operation: Strings,
    pub input_preview: Strings,
    pub output_preview: Strings,
    pub input_hash: Strings,
    pub input_tokens: Nullable<u32>,
    pub output_tokens: Nullable<u32>,
    pub total_tokens: Nullable<u32>,
    pub cache_read_tokens: Nullable<u32>,
    pub cache_creation_tokens: Nullable<u32>,
    pub reasoning_tokens: Nullable<u32>,
    pub finish_reasons: StringLists,
    pub user_id: Strings,
    pub session_id: Strings,
    pub feature_id: Strings,
    pub team: Strings,
    pub environment: Strings,
    pub prediction: Strings,
    pub prediction_score: Nullable<f64>,
    pub features: Map,
    pub embedding_dim: Vec<u16>,
    pub attributes: Map,
    pub resource: Map,
    pub events: Events,
    pub links: Links,
    pub source_partition: Vec<i32>,
    pub source_offset: Vec<i64>,
}

/// The buffers of the last builder dropped, emptied but with their memory. A batch writes about a
/// kilobyte per span; taking memory that is already paged in, rather than growing fresh vectors,
/// saves about a third of the decoding time of a builder's first batch.
static SPARE: Mutex<Option<SpanColumns>> = Mutex::new(None);
/// Larger buffers (a batch of unusual size) are freed rather than kept.
const SPARE_LIMIT: usize = 256 << 20;

impl Drop for SpanColumns {
    fn drop(&mut self) {
        if self.source_offset.capacity() == 0 || self.big_capacity() > SPARE_LIMIT {
            return;
        }
        if let Ok(mut spare) = SPARE.try_lock() {
            if spare.is_none() {
                let mut columns = std::mem::take(self);
                columns.truncate(0);
                *spare = Some(columns);
            }
        }
    }
}

impl SpanColumns {
    /// Empty columns, on the spare buffers when there are some.
    pub fn reuse() -> Self {
        SPARE
            .lock()
            .ok()
            .and_then(|mut spare| spare.take())
            .unwrap_or_default()
    }

    /// Capacity of the buffers that grow most (attribute and resource maps), in bytes.
    fn big_capacity(&self) -> usize {
        [&self.attributes, &self.resource]
            .iter()
            .map(|m| {
                m.keys.data.capacity()
                    + m.values.data.capacity()
                    + 4 * (m.keys.offsets.capacity() + m.values.offsets.capacity())
            })
            .sum()
    }

    /// Complete rows held (the last column written per row is `source_offset`).
    pub fn len(&self) -> usize {
        self.source_offset.len()
    }

    /// Cuts every column back to its first `rows` rows, dropping any row being written.
    pub fn truncate(&mut self, rows: usize) {
        for s in self.strings_mut() {
            s.truncate(rows);
        }
        self.start_time.truncate(rows);
        self.end_time.truncate(rows);
        self.duration_ns.truncate(rows);
        for n in self.tokens_mut() {
            n.truncate(rows);
        }
        self.finish_reasons.truncate(rows);
        self.prediction_score.truncate(rows);
        self.features.truncate(rows);
        self.embedding_dim.truncate(rows);
        self.attributes.truncate(rows);
        self.resource.truncate(rows);
        self.events.truncate(rows);
        self.links.truncate(rows);
        self.source_partition.truncate(rows);
        self.source_offset.truncate(rows);
    }

    /// False when a column outgrew Arrow's int32 offsets.
    pub fn fits(&self) -> bool {
        let mut ok = self.finish_reasons.fits()
            && self.features.fits()
            && self.attributes.fits()
            && self.resource.fits()
            && self.events.fits()
            && self.links.fits();
        for s in [
            &self.project,
            &self.trace_id,
            &self.span_id,
            &self.parent_span_id,
            &self.trace_state,
            &self.name,
            &self.kind,
            &self.service_name,
            &self.scope_name,
            &self.scope_version,
            &self.status_code,
            &self.status_message,
            &self.model_id,
            &self.model_version,
            &self.provider,
            &self.inference_type,
            &self.operation,
            &self.input_preview,
            &self.output_preview,
            &self.input_hash,
            &self.user_id,
            &self.session_id,
            &self.feature_id,
            &self.team,
            &self.environment,
            &self.prediction,
        ] {
            ok &= s.fits();
        }
        ok
    }

    fn strings_mut(&mut self) -> [&mut Strings; 26] {
        [
            &mut self.project,
            &mut self.trace_id,
            &mut self.span_id,
            &mut self.parent_span_id,
            &mut self.trace_state,
            &mut self.name,
            &mut self.kind,
            &mut self.service_name,
            &mut self.scope_name,
            &mut self.scope_version,
            &mut self.status_code,
            &mut self.status_message,
            &mut self.model_id,
            &mut self.model_version,
            &mut self.provider,
            &mut self.inference_type,
            &mut self.operation,
            &mut self.input_preview,
            &mut self.output_preview,
            &mut self.input_hash,
            &mut self.user_id,
            &mut self.session_id,
            &mut self.feature_id,
            &mut self.team,
            &mut self.environment,
            &mut self.prediction,
        ]
    }

    fn tokens_mut(&mut self) -> [&mut Nullable<u32>; 6] {
        [
            &mut self.input_tokens,
            &mut self.output_tokens,
            &mut self.total_tokens,
            &mut self.cache_read_tokens,
            &mut self.cache_creation_tokens,
            &mut self.reasoning_tokens,
        ]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn truncate_drops_rows_and_entries_in_flight() {
        let mut m = Map::default();
        m.entry(b"a", b"1");
        m.end();
        m.entry(b"b", b"2");
        m.end();
        m.entry(b"c", b"3"); // a row being written
        m.truncate(1);
        assert_eq!(m.offsets, [0, 1]);
        assert_eq!(m.keys.data, b"a");
        assert_eq!(m.values.offsets, [0, 1]);
    }

    #[test]
    fn bitmap_is_lsb_first() {
        let mut n = Nullable::<u32>::default();
        for v in [
            Some(1),
            None,
            Some(3),
            None,
            None,
            None,
            None,
            None,
            Some(9),
        ] {
            n.push(v);
        }
        assert_eq!(n.bitmap(), [0b101, 1]);
        assert_eq!(n.values, [1, 0, 3, 0, 0, 0, 0, 0, 9]);
    }
}
