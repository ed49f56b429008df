"""Shared fixtures of the Python tests: the C++ command-line tool (the reference the bindings are
compared with) and the list of schemes. The tool is <build>/weightinit, with <build> from
WEIGHTINIT_BUILD_DIR (the device check and .ci/run set it), else <repo>/build."""
import os
import pathlib
import subprocess

import numpy as np
import pytest

import weightinit

REPO = pathlib.Path(__file__).resolve().parents[2]
BUILD = pathlib.Path(os.environ.get("WEIGHTINIT_BUILD_DIR", REPO / "build"))
CLI = BUILD / "weightinit"

DTYPES = ["float32", "float64", "float16", "bfloat16"]
CLI_DTYPE = {"float32": "f32", "float64": "f64", "float16": "f16", "bfloat16": "bf16"}

# (SPEC, shape): every scheme, each on a shape it accepts, with odd sizes so SIMD tails are hit.
SCHEMES = [
    ("zeros", (7, 5)),
    ("ones", (7, 5)),
    ("constant(value=0.25)", (7, 5)),
    ("uniform(a=-0.5,b=2)", (33, 17)),
    ("normal(mean=0.5,std=0.02)", (33, 17)),
    ("truncated_normal(std=1,a=-2,b=2)", (33, 17)),
    ("truncated_normal_sigma(std=0.1,a=-2,b=2,correct_variance=true)", (33, 17)),
    ("xavier_uniform(gain=2)", (33, 17)),
    ("xavier_normal", (33, 17)),
    ("he_uniform(mode=fan_out,nonlinearity=leaky_relu,a=0.2)", (16, 3, 3, 3)),
    ("he_normal", (16, 3, 3, 3)),
    ("lecun_uniform", (33, 17)),
    ("lecun_normal", (33, 17)),
    ("variance_scaling(scale=2,mode=fan_avg,distribution=uniform)", (33, 17)),
    ("orthogonal(gain=1.5)", (12, 20)),
    ("eye(gain=3)", (6, 9)),
    ("dirac(groups=2)", (8, 3, 3, 3)),
    ("sparse(sparsity=0.3,std=0.5)", (20, 9)),
]


def cli_sample(tmp_path, spec, shape, dtype, seed, stream, layout="out_in", extra=()):
    """The CLI's .npy for these arguments, as raw bits (uint16/32/64 by element size)."""
    if not CLI.exists():
        pytest.fail("the reference tool %s is missing: build it (cmake --build build --target "
                    "weightinit_cli) or set WEIGHTINIT_BUILD_DIR" % CLI)
    out = tmp_path / ("s%d.npy" % abs(hash((spec, shape, dtype, seed, stream, layout, extra))))
    cmd = [str(CLI), "sample", "--init", spec, "--shape", ",".join(map(str, shape)),
           "--dtype", CLI_DTYPE[dtype], "--seed", str(seed), "--stream", str(stream),
           "--layout", layout, "--out", str(out), *extra]
    subprocess.run(cmd, check=True, capture_output=True)
    return bits(load_npy(out))


def load_npy(path):
    """np.load (the CLI writes bfloat16 as '<u2', its bits)."""
    return np.load(path)


def bits(a):
    a = np.ascontiguousarray(a)
    return a.view({2: np.uint16, 4: np.uint32, 8: np.uint64}[a.dtype.itemsize])


@pytest.fixture(scope="session")
def torch():
    """PyTorch; CI sets WEIGHTINIT_REQUIRE_TORCH=1 so that its absence fails instead of skipping."""
    if os.environ.get("WEIGHTINIT_REQUIRE_TORCH") == "1":
        import torch as t
        return t
    return pytest.importorskip("torch")
