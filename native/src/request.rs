//! The walk over one `ExportTraceServiceRequest`: resource spans -> scope spans -> spans, with
//! the resource and scope each span's row repeats.
//!
//! The Python normaliser (`workers/telemetry/span_rows.py`) is the reference. A request the Python
//! decoder would reject is refused whole (`Malformed`), after cutting the columns back; spans are
//! read (or declined) in `spans.rs`.

use crate::columns::{SpanColumns, Strings};
use crate::spans::SpanWalk;
use crate::text::push_text;
use crate::value::{check_key_value, key_value};
use crate::wire::{Fields, Malformed, Wire};

/// Builds span columns from OTLP trace requests.
pub struct Decoder {
    pub columns: SpanColumns,
    preview_chars: usize,
    default_project: Vec<u8>,
    resource: Resource,
    scratch: Scratch,
    /// Storable span start times, inclusive (`set_time_bounds`); all of int64 until set.
    pub window: (u64, u64),
}

/// The current resource's attributes and the fields taken from them.
#[derive(Default)]
pub struct Resource {
    pub keys: Strings,
    pub values: Strings,
    pub project: Vec<u8>,
    pub service: Vec<u8>,
    pub environment: Vec<u8>,
}

/// Buffers reused from span to span.
#[derive(Default)]
pub struct Scratch {
    pub provider: Vec<u8>,
    pub operation: Vec<u8>,
}

/// The instrumentation scope of the spans being read ("" for absent fields).
pub struct Scope<'a> {
    pub name: &'a [u8],
    pub version: &'a [u8],
}

/// Where the current request's rows come from.
pub struct Source {
    pub partition: i32,
    pub offset: i64,
}

impl Decoder {
    pub fn new(preview_chars: usize, default_project: &str) -> Self {
        Decoder {
            columns: SpanColumns::reuse(),
            preview_chars,
            default_project: default_project.as_bytes().to_vec(),
            resource: Resource::default(),
            scratch: Scratch::default(),
            window: (0, i64::MAX as u64),
        }
    }

    /// Appends the request's spans: `(added, declined ordinals)`, or `None` with nothing added.
    pub fn add(
        &mut self,
        payload: &[u8],
        partition: i32,
        offset: i64,
    ) -> Option<(usize, Vec<usize>)> {
        let rows = self.columns.len();
        let mut declined = Vec::new();
        let source = Source { partition, offset };
        match self.request(payload, &source, &mut declined) {
            Ok(()) if self.columns.fits() => Some((self.columns.len() - rows, declined)),
            _ => {
                self.columns.truncate(rows);
                None
            }
        }
    }

    fn request(&mut self, payload: &[u8], source: &Source, declined: &mut Vec<usize>) -> Wire<()> {
        let mut ordinal = 0;
        let mut fields = Fields::new(payload);
        while let Some((number, value)) = fields.next()? {
            if number == 1 {
                self.resource_spans(value.bytes()?, source, &mut ordinal, declined)?;
            }
        }
        Ok(())
    }

    fn resource_spans(
        &mut self,
        buf: &[u8],
        source: &Source,
        ordinal: &mut usize,
        declined: &mut Vec<usize>,
    ) -> Wire<()> {
        // The resource may follow its scope spans on the wire: find it first.
        let mut resource = None;
        let mut fields = Fields::new(buf);
        while let Some((number, value)) = fields.next()? {
            match number {
                1 if resource.is_some() => return Err(Malformed), // merged by protobuf
                1 => resource = Some(value.bytes()?),
                2 => {
                    value.bytes()?;
                }
                3 => {
                    value.string()?;
                }
                _ => {}
            }
        }
        self.read_resource(resource.unwrap_or_default())?;
        let mut fields = Fields::new(buf);
        while let Some((number, value)) = fields.next()? {
            if number == 2 {
                self.scope_spans(value.bytes()?, source, ordinal, declined)?;
            }
        }
        Ok(())
    }

    /// `resource.py`: a dict of the attribute texts, so the last duplicate key wins.
    fn read_resource(&mut self, buf: &[u8]) -> Wire<()> {
        let r = &mut self.resource;
        r.keys.truncate(0);
        r.values.truncate(0);
        let (mut project, mut service, mut env_name, mut env) = (None, None, None, None);
        let mut fields = Fields::new(buf);
        while let Some((number, value)) = fields.next()? {
            match number {
                1 => {
                    let (key, value) = key_value(value.bytes()?)?;
                    if !value.is_scalar() {
                        return Err(Malformed); // JSON or base64 text: rendered in Python
                    }
                    let index = r.keys.len();
                    r.keys.push(key);
                    push_text(&mut r.values.data, &value);
                    r.values.end();
                    match key {
                        b"pyflare.project" => project = Some(index),
                        b"service.name" => service = Some(index),
                        b"deployment.environment.name" => env_name = Some(index),
                        b"deployment.environment" => env = Some(index),
                        _ => {}
                    }
                }
                2 => {
                    value.varint()?;
                }
                3 => entity_ref(value.bytes()?)?,
                _ => {}
            }
        }
        let text = |i: Option<usize>| -> &[u8] {
            i.map_or(b"", |i| {
                &r.values.data[r.values.offsets[i] as usize..r.values.offsets[i + 1] as usize]
            })
        };
        let project = or_else(text(project), &self.default_project).to_vec();
        let service = or_else(text(service), b"unknown_service").to_vec();
        let environment = or_else(text(env_name), text(env)).to_vec();
        (r.project, r.service, r.environment) = (project, service, environment);
        Ok(())
    }

    fn scope_spans(
        &mut self,
        buf: &[u8],
        source: &Source,
        ordinal: &mut usize,
        declined: &mut Vec<usize>,
    ) -> Wire<()> {
        let mut scope_buf = None;
        let mut fields = Fields::new(buf);
        while let Some((number, value)) = fields.next()? {
            match number {
                1 if scope_buf.is_some() => return Err(Malformed), // merged by protobuf
                1 => scope_buf = Some(value.bytes()?),
                2 => {
                    value.bytes()?;
                }
                3 => {
                    value.string()?;
                }
                _ => {}
            }
        }
        let scope = read_scope(scope_buf.unwrap_or_default())?;
        let mut fields = Fields::new(buf);
        while let Some((number, value)) = fields.next()? {
            if number == 2 {
                let rows = self.columns.len();
                let accepted = SpanWalk {
                    cols: &mut self.columns,
                    resource: &self.resource,
                    scope: &scope,
                    source,
                    preview_chars: self.preview_chars,
                    scratch: &mut self.scratch,
                    window: self.window,
                }
                .span(value.bytes()?)?;
                if !accepted {
                    self.columns.truncate(rows);
                    declined.push(*ordinal);
                }
                *ordinal += 1;
            }
        }
        Ok(())
    }
}

/// Python's `value or default` for texts.
pub fn or_else<'a>(value: &'a [u8], default: &'a [u8]) -> &'a [u8] {
    if value.is_empty() {
        default
    } else {
        value
    }
}

/// Validates an `EntityRef` (all its fields are strings).
fn entity_ref(buf: &[u8]) -> Wire<()> {
    let mut fields = Fields::new(buf);
    while let Some((number, value)) = fields.next()? {
        if (1..=4).contains(&number) {
            value.string()?;
        }
    }
    Ok(())
}

fn read_scope(buf: &[u8]) -> Wire<Scope<'_>> {
    let mut scope = Scope {
        name: b"",
        version: b"",
    };
    let mut fields = Fields::new(buf);
    while let Some((number, value)) = fields.next()? {
        match number {
            1 => scope.name = value.string()?,
            2 => scope.version = value.string()?,
            3 => check_key_value(value.bytes()?)?,
            4 => {
                value.varint()?;
            }
            _ => {}
        }
    }
    Ok(scope)
}
