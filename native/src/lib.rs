//! `pyflare_native`: OTLP trace requests (protobuf bytes) -> PyFlare span columns.
//!
//! `SpanColumns.add` decodes a request and appends its spans; `finish` hands the buffers to
//! Python, which wraps them as Arrow arrays without copying them again.

mod columns;
mod numbers;
mod providers;
mod pystr;
mod request;
mod semconv;
mod spans;
mod text;
mod value;
mod wire;

use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyDict};

use crate::columns::{Events, Links, Map, Nullable, StringLists, Strings};
use crate::request::Decoder;

#[pyfunction]
fn version() -> &'static str {
    env!("CARGO_PKG_VERSION")
}

/// Span columns built from OTLP `ExportTraceServiceRequest` payloads.
#[pyclass(module = "pyflare_native")]
struct SpanColumns {
    decoder: Decoder,
}

#[pymethods]
impl SpanColumns {
    #[new]
    fn new(preview_chars: usize, default_project: String) -> Self {
        SpanColumns {
            decoder: Decoder::new(preview_chars, &default_project),
        }
    }

    /// Decodes one request and appends its spans: `(added, declined ordinals)`, or None when
    /// nothing was added and Python must normalise the whole request.
    fn add(
        &mut self,
        py: Python<'_>,
        payload: &[u8],
        partition: i32,
        offset: i64,
    ) -> Option<(usize, Vec<usize>)> {
        let decoder = &mut self.decoder;
        // Decoding touches no Python object: other threads may run meanwhile.
        py.detach(|| decoder.add(payload, partition, offset))
    }

    /// Span start times outside `[earliest, latest]` make the request malformed (Python says why).
    fn set_time_bounds(&mut self, earliest: u64, latest: u64) {
        self.decoder.window = (earliest, latest);
    }

    fn __len__(&self) -> usize {
        self.decoder.columns.len()
    }

    /// Cuts every buffer back to the first `rows` rows.
    fn rollback(&mut self, rows: usize) {
        self.decoder.columns.truncate(rows);
    }

    /// The buffers as `{column: buffers}`; the builder is then empty.
    fn finish<'py>(&mut self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let out = self.buffers(py)?;
        // Emptied, not dropped: the next batch reuses the memory, already paged in.
        self.decoder.columns.truncate(0);
        Ok(out)
    }

    fn clear(&mut self) {
        self.decoder.columns.truncate(0); // keeps the memory for the next batch
    }
}

impl SpanColumns {
    fn buffers<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let c = &self.decoder.columns;
        let out = PyDict::new(py);
        let strings = [
            ("project", &c.project),
            ("trace_id", &c.trace_id),
            ("span_id", &c.span_id),
            ("parent_span_id", &c.parent_span_id),
            ("trace_state", &c.trace_state),
            ("name", &c.name),
            ("kind", &c.kind),
        ];
        for (name, col) in strings {
            out.set_item(name, string_buffers(py, col)?)?;
        }
        out.set_item("start_time", le_bytes(py, &c.start_time, i64::to_le_bytes)?)?;
        out.set_item("end_time", le_bytes(py, &c.end_time, i64::to_le_bytes)?)?;
        out.set_item(
            "duration_ns",
            le_bytes(py, &c.duration_ns, u64::to_le_bytes)?,
        )?;
        let strings = [
            ("service_name", &c.service_name),
            ("scope_name", &c.scope_name),
            ("scope_version", &c.scope_version),
            ("status_code", &c.status_code),
            ("status_message", &c.status_message),
            ("model_id", &c.model_id),
            ("model_version", &c.model_version),
            ("provider", &c.provider),
            ("inference_type", &c.inference_type),
            ("operation", &c.operation),
            ("input_preview", &c.input_preview),
            ("output_preview", &c.output_preview),
            ("input_hash", &c.input_hash),
        ];
        for (name, col) in strings {
            out.set_item(name, string_buffers(py, col)?)?;
        }
        let tokens = [
            ("input_tokens", &c.input_tokens),
            ("output_tokens", &c.output_tokens),
            ("total_tokens", &c.total_tokens),
            ("cache_read_tokens", &c.cache_read_tokens),
            ("cache_creation_tokens", &c.cache_creation_tokens),
            ("reasoning_tokens", &c.reasoning_tokens),
        ];
        for (name, col) in tokens {
            out.set_item(name, nullable_buffers(py, col, u32::to_le_bytes)?)?;
        }
        out.set_item("finish_reasons", list_buffers(py, &c.finish_reasons)?)?;
        let strings = [
            ("user_id", &c.user_id),
            ("session_id", &c.session_id),
            ("feature_id", &c.feature_id),
            ("team", &c.team),
            ("environment", &c.environment),
            ("prediction", &c.prediction),
        ];
        for (name, col) in strings {
            out.set_item(name, string_buffers(py, col)?)?;
        }
        out.set_item(
            "prediction_score",
            nullable_buffers(py, &c.prediction_score, f64::to_le_bytes)?,
        )?;
        out.set_item("features", map_buffers(py, &c.features)?)?;
        out.set_item(
            "embedding_dim",
            le_bytes(py, &c.embedding_dim, u16::to_le_bytes)?,
        )?;
        out.set_item("attributes", map_buffers(py, &c.attributes)?)?;
        out.set_item("resource", map_buffers(py, &c.resource)?)?;
        out.set_item("events", events_buffers(py, &c.events)?)?;
        out.set_item("links", links_buffers(py, &c.links)?)?;
        out.set_item(
            "source_partition",
            le_bytes(py, &c.source_partition, i32::to_le_bytes)?,
        )?;
        out.set_item(
            "source_offset",
            le_bytes(py, &c.source_offset, i64::to_le_bytes)?,
        )?;
        Ok(out)
    }
}

type Bytes<'py> = Bound<'py, PyBytes>;

/// Little-endian bytes of fixed-width values, written straight into a Python bytes object.
fn le_bytes<'py, T: Copy, const N: usize>(
    py: Python<'py>,
    values: &[T],
    to_le: fn(T) -> [u8; N],
) -> PyResult<Bytes<'py>> {
    PyBytes::new_with(py, values.len() * N, |buf| {
        for (chunk, v) in buf.chunks_exact_mut(N).zip(values) {
            chunk.copy_from_slice(&to_le(*v));
        }
        Ok(())
    })
}

type StringBuffers<'py> = (Bytes<'py>, Bytes<'py>);
type MapBuffers<'py> = (Bytes<'py>, StringBuffers<'py>, StringBuffers<'py>);
type EventsBuffers<'py> = (Bytes<'py>, Bytes<'py>, StringBuffers<'py>, MapBuffers<'py>);
type LinksBuffers<'py> = (
    Bytes<'py>,
    StringBuffers<'py>,
    StringBuffers<'py>,
    StringBuffers<'py>,
    MapBuffers<'py>,
);

fn string_buffers<'py>(py: Python<'py>, col: &Strings) -> PyResult<StringBuffers<'py>> {
    Ok((
        le_bytes(py, &col.offsets, i32::to_le_bytes)?,
        PyBytes::new(py, &col.data),
    ))
}

fn nullable_buffers<'py, T: Copy + Default, const N: usize>(
    py: Python<'py>,
    col: &Nullable<T>,
    to_le: fn(T) -> [u8; N],
) -> PyResult<(Bytes<'py>, Bytes<'py>)> {
    Ok((
        PyBytes::new(py, &col.bitmap()),
        le_bytes(py, &col.values, to_le)?,
    ))
}

fn map_buffers<'py>(py: Python<'py>, col: &Map) -> PyResult<MapBuffers<'py>> {
    Ok((
        le_bytes(py, &col.offsets, i32::to_le_bytes)?,
        string_buffers(py, &col.keys)?,
        string_buffers(py, &col.values)?,
    ))
}

fn list_buffers<'py>(
    py: Python<'py>,
    col: &StringLists,
) -> PyResult<(Bytes<'py>, StringBuffers<'py>)> {
    Ok((
        le_bytes(py, &col.offsets, i32::to_le_bytes)?,
        string_buffers(py, &col.items)?,
    ))
}

fn events_buffers<'py>(py: Python<'py>, col: &Events) -> PyResult<EventsBuffers<'py>> {
    Ok((
        le_bytes(py, &col.offsets, i32::to_le_bytes)?,
        le_bytes(py, &col.times, i64::to_le_bytes)?,
        string_buffers(py, &col.names)?,
        map_buffers(py, &col.attributes)?,
    ))
}

fn links_buffers<'py>(py: Python<'py>, col: &Links) -> PyResult<LinksBuffers<'py>> {
    Ok((
        le_bytes(py, &col.offsets, i32::to_le_bytes)?,
        string_buffers(py, &col.trace_ids)?,
        string_buffers(py, &col.span_ids)?,
        string_buffers(py, &col.trace_states)?,
        map_buffers(py, &col.attributes)?,
    ))
}

#[pymodule]
fn pyflare_native(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(version, m)?)?;
    m.add_class::<SpanColumns>()?;
    Ok(())
}
