#!/usr/bin/env python3
"""Verify and summarize a PaletteCluster checkpoint folder (stdlib only: json, struct, hashlib).

Usage: read_checkpoint.py [--json] [--no-hash] CHECKPOINT_DIR

Checks manifest.json (format name and version), that every listed file exists with the recorded byte size
and SHA-256, and that every *.safetensors header is well formed (offsets in range, no overlap, byte counts
matching dtype x shape). Prints the step and every tensor's name, dtype and shape, and parameter totals.

Exit codes: 0 ok, 1 checkpoint invalid (message on stderr), 2 usage error.
See docs/checkpoint-format.md.
"""

import hashlib
import json
import os
import struct
import sys

FORMAT_NAME = "palette-checkpoint"
SUPPORTED_VERSIONS = (1,)
REQUIRED_FILES = ("model.safetensors", "ema.safetensors", "optimizer.safetensors")
DTYPE_SIZES = {"F64": 8, "F32": 4, "F16": 2, "BF16": 2, "I64": 8, "I32": 4, "I16": 2, "I8": 1, "U8": 1, "BOOL": 1}
MAX_HEADER = 100_000_000


class CheckpointError(Exception):
    pass


def sha256_file(path, chunk=1 << 20):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        while True:
            block = f.read(chunk)
            if not block:
                break
            h.update(block)
    return h.hexdigest()


def read_safetensors_header(path, where):
    """Parse and validate a safetensors header. Returns (tensors: list of dicts, metadata: dict)."""
    size = os.path.getsize(path)
    with open(path, "rb") as f:
        raw = f.read(8)
        if len(raw) < 8:
            raise CheckpointError(f"{where}: truncated header: the file has {size} bytes")
        (n,) = struct.unpack("<Q", raw)
        if n > MAX_HEADER:
            raise CheckpointError(f"{where}: invalid header: header length {n} is too large")
        if n > size - 8:
            raise CheckpointError(f"{where}: truncated header: header length is {n} bytes but only {size - 8} follow")
        try:
            header = json.loads(f.read(n).decode("utf-8"))
        except (UnicodeDecodeError, ValueError) as e:
            raise CheckpointError(f"{where}: invalid header: JSON cannot be parsed ({e})")
    if not isinstance(header, dict):
        raise CheckpointError(f"{where}: invalid header: not a JSON object")
    metadata = header.pop("__metadata__", {}) or {}
    data_len = size - 8 - n
    tensors = []
    for name, info in header.items():
        if not isinstance(info, dict):
            raise CheckpointError(f"{where}: invalid header: entry '{name}' is not an object")
        dtype = info.get("dtype")
        if dtype not in DTYPE_SIZES:
            raise CheckpointError(f"{where}: tensor '{name}' has unknown dtype {dtype!r}")
        shape = info.get("shape")
        offsets = info.get("data_offsets")
        if not isinstance(shape, list) or not all(isinstance(d, int) and d >= 0 for d in shape):
            raise CheckpointError(f"{where}: tensor '{name}' has an invalid shape {shape!r}")
        if (not isinstance(offsets, list) or len(offsets) != 2
                or not all(isinstance(o, int) and o >= 0 for o in offsets) or offsets[1] < offsets[0]):
            raise CheckpointError(f"{where}: tensor '{name}' has invalid data_offsets {offsets!r}")
        numel = 1
        for d in shape:
            numel *= d
        if numel * DTYPE_SIZES[dtype] != offsets[1] - offsets[0]:
            raise CheckpointError(
                f"{where}: tensor '{name}' is {dtype} {shape} ({numel * DTYPE_SIZES[dtype]} bytes) "
                f"but its data_offsets span {offsets[1] - offsets[0]} bytes")
        tensors.append({"name": name, "dtype": dtype, "shape": shape, "numel": numel,
                        "begin": offsets[0], "end": offsets[1]})
    cursor = 0
    for t in sorted(tensors, key=lambda t: (t["begin"], t["end"])):
        if t["begin"] != cursor:
            what = "overlaps the previous tensor" if t["begin"] < cursor else "leaves a gap"
            raise CheckpointError(f"{where}: invalid offsets: tensor '{t['name']}' {what}")
        if t["end"] > data_len:
            raise CheckpointError(
                f"{where}: offsets out of range: tensor '{t['name']}' ends at data byte {t['end']} "
                f"but the file has only {data_len} data bytes (truncated?)")
        cursor = t["end"]
    if cursor != data_len:
        raise CheckpointError(f"{where}: {data_len - cursor} unexpected trailing bytes")
    tensors.sort(key=lambda t: t["name"])
    return tensors, metadata


def verify_checkpoint(ckpt_dir, check_hashes=True, required=REQUIRED_FILES):
    """Validate a checkpoint folder; returns (manifest, {file_name: (tensors, metadata)})."""
    where = f"checkpoint {ckpt_dir}"
    if not os.path.isdir(ckpt_dir):
        raise CheckpointError(f"{where}: folder does not exist")
    manifest_path = os.path.join(ckpt_dir, "manifest.json")
    if not os.path.isfile(manifest_path):
        raise CheckpointError(f"{where}: manifest.json is missing (incomplete or not a checkpoint)")
    try:
        with open(manifest_path, "r", encoding="utf-8") as f:
            manifest = json.load(f)
    except (UnicodeDecodeError, ValueError) as e:
        raise CheckpointError(f"{where}: manifest.json is not valid JSON ({e})")
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT_NAME:
        raise CheckpointError(f"{where}: manifest.json is not a {FORMAT_NAME} manifest")
    if manifest.get("formatVersion") not in SUPPORTED_VERSIONS:
        raise CheckpointError(
            f"{where}: unsupported checkpoint format version {manifest.get('formatVersion')!r} "
            f"(this script reads {', '.join(map(str, SUPPORTED_VERSIONS))})")
    files = manifest.get("files")
    if not isinstance(files, dict):
        raise CheckpointError(f"{where}: manifest.json has no 'files' object")
    for name in required:
        if name not in files:
            raise CheckpointError(f"{where}: required file {name} is not listed in manifest.json")
    result = {}
    for name in sorted(files):
        entry = files[name]
        if os.path.basename(name) != name or name.startswith(".") or name == "manifest.json":
            raise CheckpointError(f"{where}: manifest.json lists an invalid file name {name!r}")
        path = os.path.join(ckpt_dir, name)
        if not os.path.isfile(path):
            raise CheckpointError(f"{where}: file {name} is missing (it is listed in manifest.json)")
        size = os.path.getsize(path)
        if size != entry.get("bytes"):
            raise CheckpointError(
                f"{where}: file {name} has the wrong size: it has {size} bytes but the manifest says {entry.get('bytes')}")
        if check_hashes:
            actual = sha256_file(path)
            if actual != entry.get("sha256"):
                raise CheckpointError(
                    f"{where}: file {name} is corrupt: SHA-256 is {actual} but the manifest says {entry.get('sha256')}")
        if name.endswith(".safetensors"):
            result[name] = read_safetensors_header(path, f"{where}: file {name}")
    return manifest, result


def main(argv):
    args = [a for a in argv[1:] if not a.startswith("--")]
    flags = {a for a in argv[1:] if a.startswith("--")}
    unknown = flags - {"--json", "--no-hash", "--help"}
    if "--help" in flags or len(args) != 1 or unknown:
        print(__doc__.strip(), file=sys.stderr)
        return 2
    try:
        manifest, files = verify_checkpoint(args[0], check_hashes="--no-hash" not in flags)
    except CheckpointError as e:
        print(f"error: {e}", file=sys.stderr)
        return 1
    except OSError as e:
        print(f"error: checkpoint {args[0]}: {e}", file=sys.stderr)
        return 1

    if "--json" in flags:
        out = {
            "step": manifest.get("step"),
            "createdUtc": manifest.get("createdUtc"),
            "files": {name: {"tensors": {t["name"]: {"dtype": t["dtype"], "shape": t["shape"]} for t in tensors},
                             "parameters": sum(t["numel"] for t in tensors),
                             "metadata": metadata}
                      for name, (tensors, metadata) in files.items()},
        }
        print(json.dumps(out, indent=2))
        return 0

    print(f"checkpoint {args[0]}: OK ({'hashes verified' if '--no-hash' not in flags else 'sizes only'})")
    print(f"step: {manifest.get('step')}")
    print(f"created: {manifest.get('createdUtc')}")
    print(f"rng states: {', '.join(sorted(manifest.get('rng') or {})) or '(none)'}")
    for name, (tensors, _metadata) in files.items():
        total = sum(t["numel"] for t in tensors)
        print(f"{name}: {len(tensors)} tensors, {total} parameters")
        for t in tensors:
            print(f"  {t['name']}\t{t['dtype']}\t[{', '.join(map(str, t['shape']))}]")
    model = files.get("model.safetensors")
    if model is not None:
        print(f"total parameters (model): {sum(t['numel'] for t in model[0])}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
