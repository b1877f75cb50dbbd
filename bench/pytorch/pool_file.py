"""Reader of the batch pools that `negentropy bench --save-pool FILE` writes (bench/Harness/BenchPoolFile.cs).

Layout, every number little-endian:
  8 bytes   the ASCII magic NGBPOOL1
  uint32    H, the byte length of the header
  H bytes   UTF-8 JSON: model, data, batches, input_shape (one batch), input_dtype (int64 or float32),
            classes, vocabulary_size and sequence_length (0 for images), tokenizer (null unless SpamAssassin)
  inputs    every batch in turn, row-major
  targets   int64 class indices, every batch in turn
"""
import json
import math
import struct

import numpy as np
import torch

MAGIC = b"NGBPOOL1"
DTYPES = {"int64": "<i8", "float32": "<f4"}


class PoolFileError(ValueError):
    """A pool file that is not in the layout above; the message names the file and the problem."""


def read_pool(path):
    """Return (header, inputs, targets): the JSON header and one tensor per batch for each."""
    try:
        with open(path, "rb") as stream:
            data = stream.read()
    except FileNotFoundError as error:
        raise PoolFileError(f"{path}: file not found; write it with negentropy bench --save-pool FILE") from error
    if data[:len(MAGIC)] != MAGIC or len(data) < len(MAGIC) + 4:
        raise PoolFileError(f"{path}: not a pool file (no {MAGIC.decode()} magic); write one with negentropy bench --save-pool FILE")
    (header_length,) = struct.unpack_from("<I", data, len(MAGIC))
    offset = len(MAGIC) + 4
    try:
        header = json.loads(data[offset:offset + header_length].decode("utf-8"))
        shape = [int(size) for size in header["input_shape"]]
        batches = int(header["batches"])
        dtype = DTYPES[header["input_dtype"]]
    except (UnicodeDecodeError, ValueError, KeyError, TypeError) as error:
        raise PoolFileError(f"{path}: invalid pool header ({error!r}); write the file again with negentropy bench --save-pool") from error
    offset += header_length
    per_batch = math.prod(shape)
    expected = offset + batches * per_batch * np.dtype(dtype).itemsize + batches * shape[0] * 8
    if len(data) != expected:
        raise PoolFileError(f"{path}: {len(data)} bytes, but the header describes {expected}; write the file again with negentropy bench --save-pool")
    values = np.frombuffer(data, dtype=dtype, count=batches * per_batch, offset=offset)
    labels = np.frombuffer(data, dtype="<i8", count=batches * shape[0], offset=offset + values.nbytes)
    inputs = [torch.from_numpy(values[i * per_batch:(i + 1) * per_batch].reshape(shape).astype(dtype[1:]))
              for i in range(batches)]
    targets = [torch.from_numpy(labels[i * shape[0]:(i + 1) * shape[0]].astype("i8")) for i in range(batches)]
    return header, inputs, targets
