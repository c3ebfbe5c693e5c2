"""Wrappers around a provider's stream that hand every item to the caller unchanged (except the
usage-only chunk PyFlare asked for itself) and end the call's span when the stream ends or fails.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from pyflare.integrations._genai import Call

# (call, item) -> True when the item must be hidden from the caller
Observe = Callable[[Call, Any], bool]
Finish = Callable[[Call], None]


class _Base:
    __slots__ = ("_call", "_done", "_finish", "_observe", "_stream")

    def __init__(self, call: Call, stream: Any, observe: Observe, finish: Finish) -> None:
        self._call = call
        self._stream = stream
        self._observe = observe
        self._finish = finish
        self._done = False

    def _end(self, exc: BaseException | None) -> None:
        if self._done:
            return
        self._done = True
        if exc is not None:
            self._call.fail(exc)
            return
        try:
            self._finish(self._call)
        finally:
            self._call.end()

    def _hidden(self, item: Any) -> bool:
        try:
            return self._observe(self._call, item)
        except Exception:  # recording must never break the caller's stream
            return False

    def __getattr__(self, name: str) -> Any:  # response, _iterator, ... of the provider's stream
        return getattr(self._stream, name)


class TracedStream(_Base):
    __slots__ = ()

    def __iter__(self) -> TracedStream:
        return self

    def __next__(self) -> Any:
        while True:
            try:
                item = self._stream.__next__()
            except StopIteration:
                self._end(None)
                raise
            except BaseException as exc:
                self._end(exc)
                raise
            if not self._hidden(item):
                return item

    def __enter__(self) -> TracedStream:
        return self

    def __exit__(self, *exc_info: Any) -> None:
        self.close()

    def close(self) -> None:
        try:
            self._stream.close()
        finally:
            self._end(None)


class AsyncTracedStream(_Base):
    __slots__ = ()

    def __aiter__(self) -> AsyncTracedStream:
        return self

    async def __anext__(self) -> Any:
        while True:
            try:
                item = await self._stream.__anext__()
            except StopAsyncIteration:
                self._end(None)
                raise
            except BaseException as exc:
                self._end(exc)
                raise
            if not self._hidden(item):
                return item

    async def __aenter__(self) -> AsyncTracedStream:
        return self

    async def __aexit__(self, *exc_info: Any) -> None:
        await self.close()

    async def close(self) -> None:
        try:
            await self._stream.close()
        finally:
            self._end(None)
