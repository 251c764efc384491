"""Where Singer messages go: stdout's bytes, buffered even when Python is told not to buffer."""

from __future__ import annotations

import io
import sys
from typing import IO

_BUFFERS: dict[int, io.BufferedWriter] = {}  # by id of the raw stdout they wrap


def singer_stdout() -> IO[bytes]:
    """`sys.stdout.buffer`, or a buffer over it when it is raw.

    Under `PYTHONUNBUFFERED=1` (common in containers) or `python -u` the bytes layer of stdout is
    the raw file, and every record would be a system call of its own: a third of the tap's CPU
    per record. Records are flushed with the STATE that covers them (`StateFlushedWriter`).
    """
    out = sys.stdout.buffer
    if not isinstance(out, io.RawIOBase):
        return out
    buffered = _BUFFERS.get(id(out))
    if buffered is None or buffered.raw is not out:
        buffered = _BUFFERS[id(out)] = io.BufferedWriter(out, buffer_size=1 << 16)
    return buffered
