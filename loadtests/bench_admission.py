"""What checking a Kafka record's key costs `pyflare ingest`, next to decoding the record.

Per 512-span request (bench_normalise's GenAI spans): admission of a record whose resources already
name the key's project (bytes kept), of one without the attribute (stamped), both by the walk over the
protobuf's outer shell (workers.telemetry.project_wire) and by the parsing path it falls back to
(parse, stamp, re-encode); the baseline is the compiled decoder turning the same bytes into columns.
The key lookup itself is a cache hit here (a dictionary read; the control database is read once per
key per PYFLARE_INTAKE_KEY_CACHE_SECONDS).

    python loadtests/bench_admission.py [--requests 200] [--repeat 5]

Prints figures; asserts nothing.
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Callable

from bench_normalise import make_payloads
from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import ExportTraceServiceRequest

from workers.ingest.admission import KeyAdmission, Refused
from workers.ingest.ports import SourceMessage
from workers.ingest.settings import TOPIC_TRACES
from workers.telemetry.batches import NormaliseOptions, TraceBatch

SPANS_PER_REQUEST = 512
KEY_HEADER = (("x-api-key", b"pf_bench_key"),)


def without_project(payload: bytes) -> bytes:
    request = ExportTraceServiceRequest.FromString(payload)
    for rs in request.resource_spans:
        kept = [kv for kv in rs.resource.attributes if kv.key != "pyflare.project"]
        del rs.resource.attributes[:]
        rs.resource.attributes.extend(kept)
    return request.SerializeToString()


def per_request_ms(run: Callable[[], None], requests: int, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        run()
        times.append((time.perf_counter() - started) * 1000 / requests)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()

    named = make_payloads("genai", args.requests, SPANS_PER_REQUEST)  # resources name project "demo"
    bare = [without_project(p) for p in named]
    admission = KeyAdmission(lambda _key, _signal: "demo")

    def admit(payloads: list[bytes]) -> Callable[[], None]:
        def run() -> None:
            for offset, value in enumerate(payloads):
                admitted = admission.admit("traces", SourceMessage(TOPIC_TRACES, 0, offset, value, None, KEY_HEADER))
                assert not isinstance(admitted, Refused), admitted
        return run

    def decode() -> None:
        batch = TraceBatch(NormaliseOptions())
        for offset, value in enumerate(named):
            batch.add_otlp(value, partition=0, offset=offset)
        batch.to_arrow()

    size = statistics.median(len(p) for p in named)
    print(f"{args.requests} requests x {SPANS_PER_REQUEST} spans, median {size / 1024:.0f} KiB each; "
          f"median of {args.repeat} runs, per request:")
    baseline = per_request_ms(decode, args.requests, args.repeat)
    print(f"  decode into span columns (baseline): {baseline:.2f} ms")
    for name, payloads in (("resources name the key's project", named), ("resources without the attribute", bare)):
        walked = per_request_ms(admit(payloads), args.requests, args.repeat)
        parsed = per_request_ms(lambda p=payloads: [KeyAdmission._claim_parsed("traces", v, "demo") for v in p],
                                args.requests, args.repeat)
        print(f"  {name}: shell walk {walked:.2f} ms ({walked / baseline:.1%} of decoding), "
              f"parsing path {parsed:.2f} ms ({parsed / baseline:.0%})")


if __name__ == "__main__":
    main()
