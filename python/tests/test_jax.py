"""weightinit.jax: jax.Arrays with exactly the library's values (sample, a jax.nn.initializers-style
initializer eager and under jit, init_params over a pytree by path names). Skips without JAX; CI
runs it in a separate venv with PyPI's jax (NumPy 2) and sets WEIGHTINIT_REQUIRE_JAX=1."""
import os
import pathlib
import re

import numpy as np
import pytest

import weightinit
from conftest import bits

if os.environ.get("WEIGHTINIT_REQUIRE_JAX") == "1":
    import jax  # noqa: F401
jax = pytest.importorskip("jax")
jnp = pytest.importorskip("jax.numpy")
wj = pytest.importorskip("weightinit.jax")


def _bits(a):
    a = np.asarray(a)
    return bits(a.view(np.uint16) if a.dtype == jnp.bfloat16 else a)


@pytest.mark.parametrize("dtype", ["float32", "float64", "float16", "bfloat16"])
@pytest.mark.parametrize("spec,shape", [("xavier_uniform", (33, 17)), ("he_normal", (3, 3, 4, 8)),
                                        ("truncated_normal(std=0.02)", (100,)),
                                        ("orthogonal", (12, 20)), ("zeros", (5,))])
def test_sample_equals_the_library(spec, shape, dtype):
    if dtype == "float64" and not jax.config.jax_enable_x64:
        jax.config.update("jax_enable_x64", True)
    a = wj.sample(spec, shape, getattr(jnp, dtype), seed=3, stream_id="Dense_0/kernel")
    assert a.shape == shape and a.dtype == jnp.dtype(dtype)
    ref = weightinit.sample(spec, shape, dtype, seed=3, stream_id="Dense_0/kernel",
                            layout="in_out")
    np.testing.assert_array_equal(_bits(a), _bits(ref))


def test_in_out_is_the_default_layout():
    # A Dense kernel (in=64, out=8): he_normal's fan_in is 64, so std = sqrt(2/64).
    a = np.asarray(wj.sample("he_normal", (64, 8), seed=0, stream_id=1))
    b = weightinit.sample("he_normal", (64, 8), seed=0, stream_id=1, layout="in_out")
    c = weightinit.sample("he_normal", (64, 8), seed=0, stream_id=1, layout="out_in")
    np.testing.assert_array_equal(a, b)
    assert not np.array_equal(a, c)


def test_initializer_eager_and_jit_agree_and_streams_follow_the_key():
    f = wj.initializer("lecun_normal", seed=9)
    key = jax.random.PRNGKey(4)
    k1, k2 = jax.random.split(key)
    eager = f(k1, (16, 8))
    jitted = jax.jit(lambda k: f(k, (16, 8)))(k1)
    np.testing.assert_array_equal(np.asarray(eager), np.asarray(jitted))
    stream = wj._key_stream(np.asarray(k1))
    ref = weightinit.sample("lecun_normal", (16, 8), seed=9, stream_id=stream, layout="in_out")
    np.testing.assert_array_equal(np.asarray(eager), ref)
    assert not np.array_equal(np.asarray(f(k2, (16, 8))), np.asarray(eager))
    # New-style typed keys give the stream of their key data.
    typed = jax.random.wrap_key_data(k1)
    np.testing.assert_array_equal(np.asarray(f(typed, (16, 8))), np.asarray(eager))
    bf = f(k1, (16, 8), jnp.bfloat16)
    assert bf.dtype == jnp.bfloat16
    fixed = wj.initializer("ones", seed=0, stream_id="b")
    np.testing.assert_array_equal(np.asarray(fixed(k2, (3,))), np.ones(3, np.float32))


def test_init_params_names_leaves_by_path():
    params = {"params": {"Dense_0": {"kernel": jnp.zeros((8, 4)), "bias": jnp.zeros((4,))},
                         "Dense_1": {"kernel": jnp.zeros((4, 2), jnp.bfloat16),
                                     "bias": jnp.zeros((2,))}}}
    rules = [("*bias", "zeros"), ("*", "xavier_uniform")]
    out = wj.init_params(params, rules, seed=5)
    assert jax.tree_util.tree_structure(out) == jax.tree_util.tree_structure(params)
    k = out["params"]["Dense_1"]["kernel"]
    assert k.dtype == jnp.bfloat16 and k.shape == (4, 2)
    ref = weightinit.sample("xavier_uniform", (4, 2), "bfloat16", seed=5,
                            stream_id="params/Dense_1/kernel", layout="in_out")
    np.testing.assert_array_equal(_bits(k), _bits(ref))
    assert not np.asarray(out["params"]["Dense_0"]["bias"]).any()
    # Integer leaves pass through; dropping a layer changes nothing else.
    with_step = wj.init_params({**params, "step": jnp.int32(7)}, rules, seed=5)
    assert int(with_step["step"]) == 7
    np.testing.assert_array_equal(_bits(with_step["params"]["Dense_1"]["kernel"]), _bits(k))
    del params["params"]["Dense_0"]
    again = wj.init_params(params, rules, seed=5)
    np.testing.assert_array_equal(_bits(again["params"]["Dense_1"]["kernel"]), _bits(k))


def _cases():
    f = wj.initializer("normal", seed=0)
    key = jax.random.PRNGKey(0)
    w = {"w": jnp.zeros((2, 2))}
    return [
        ("sample int dtype", lambda: wj.sample("normal", (2,), jnp.int32, seed=0, stream_id=0),
         TypeError, "dtype"),
        ("sample unknown scheme", lambda: wj.sample("frob", (2,), seed=0, stream_id=0),
         ValueError, "frob"),
        ("sample negative seed", lambda: wj.sample("normal", (2,), seed=-1, stream_id=0),
         ValueError, "seed"),
        ("sample stream 2**64", lambda: wj.sample("normal", (2,), seed=0, stream_id=2**64),
         ValueError, "stream_id"),
        ("sample rank too small", lambda: wj.sample("xavier_uniform", (4,), seed=0, stream_id=0),
         ValueError, "rank"),
        ("sample negative extent", lambda: wj.sample("normal", (2, -1), seed=0, stream_id=0),
         ValueError, "negative"),
        ("initializer negative seed", lambda: wj.initializer("normal", seed=-1), ValueError,
         "seed"),
        ("initializer init not a SPEC", lambda: wj.initializer(3.0, seed=0), TypeError,
         "init must be"),
        ("initializer int dtype", lambda: f(key, (2,), jnp.int8), TypeError, "dtype"),
        ("init_params no rule matches", lambda: wj.init_params(w, [("*bias", "zeros")], seed=0),
         ValueError, "matches tensor 'w'"),
        ("init_params rules wrong type", lambda: wj.init_params(w, 3, seed=0), TypeError, "rules"),
        ("init_params bad glob", lambda: wj.init_params(w, [("[w", "ones")], seed=0), ValueError,
         "[w"),
    ]


def test_every_bad_input_raises_with_a_message():
    cases = _cases()
    for what, call, exc, message in cases:
        with pytest.raises(exc) as info:
            call()
        assert message in str(info.value), "%s: %r lacks %r" % (what, str(info.value), message)
    readme = (pathlib.Path(__file__).resolve().parents[2] / "README.md").read_text()
    stated = re.search(r"(\d+) JAX cases", readme)
    assert stated and int(stated.group(1)) == len(cases), "README.md must state %d" % len(cases)
