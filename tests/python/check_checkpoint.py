#!/usr/bin/env python3
"""tests/python/check_checkpoint.py: loads a .safetensors file written by `weightinit init-model`
with the Python safetensors and numpy packages and compares every tensor with the reference the C++
test wrote (fill_host of each tensor, raw little-endian bytes, concatenated in the order of the
reference list). Exit status 0 when every tensor matches bit for bit, 1 otherwise, 3 when the
packages are missing.

usage: check_checkpoint.py FILE.safetensors REFERENCE.bin LIST.txt [CONTRACT_VERSION]
LIST.txt: one line per tensor: name dtype(F32|F64|F16|BF16) extents(comma-separated or -)"""
import sys

try:
    import numpy as np
    import safetensors
    from safetensors.numpy import load_file
except ImportError as e:  # pragma: no cover
    print("missing Python package:", e)
    sys.exit(3)

NP = {"F32": np.float32, "F64": np.float64, "F16": np.float16}


def main():
    path, ref_path, list_path = sys.argv[1:4]
    ref = open(ref_path, "rb").read()
    wanted = []
    for line in open(list_path):
        name, dtype, dims = line.split()
        shape = [] if dims == "-" else [int(x) for x in dims.split(",")]
        wanted.append((name, dtype, shape))
    # The package's own parser: every tensor's dtype, shape and raw bytes.
    raw = {name: spec for name, spec in safetensors.deserialize(open(path, "rb").read())}
    # numpy arrays for the types numpy has (it has no bfloat16).
    with safetensors.safe_open(path, framework="np") as f:
        meta = f.metadata()
        keys = set(f.keys())
        arrays = {k: f.get_tensor(k) for k in keys if raw[k]["dtype"] in NP}
    failures = 0
    if set(raw) != {w[0] for w in wanted}:
        print("names differ:", sorted(set(raw) ^ {w[0] for w in wanted}))
        failures += 1
    at = 0
    for name, dtype, shape in wanted:
        size = {"F32": 4, "F64": 8, "F16": 2, "BF16": 2}[dtype]
        n = int(np.prod(shape)) if shape else 1
        want = ref[at:at + n * size]
        at += n * size
        spec = raw.get(name)
        if spec is None:
            continue
        if spec["dtype"] != dtype or list(spec["shape"]) != shape:
            print(f"{name}: {spec['dtype']} {spec['shape']}, expected {dtype} {shape}")
            failures += 1
            continue
        if bytes(spec["data"]) != want:
            print(f"{name}: bytes differ from fill_host")
            failures += 1
        if dtype in NP:
            a = arrays[name]
            expect = np.frombuffer(want, dtype=NP[dtype]).reshape(shape)
            if a.dtype != NP[dtype] or a.shape != tuple(shape) or a.tobytes() != expect.tobytes():
                print(f"{name}: numpy array differs from fill_host")
                failures += 1
    if len(sys.argv) > 4 and meta.get("weightinit_contract_version") != sys.argv[4]:
        print("contract version in metadata:", meta.get("weightinit_contract_version"))
        failures += 1
    for key in ("weightinit_seed", "weightinit_rules", "weightinit_contract_version", "format"):
        if key not in meta:
            print("metadata lacks", key)
            failures += 1
    print(f"checked {len(wanted)} tensors, {failures} failures")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
