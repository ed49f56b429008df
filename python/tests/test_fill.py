"""weightinit.fill_, fill_shard_ and sample on NumPy arrays: the CLI's bits for every scheme and
dtype, in place, invariant under threads and sharding; bad input raises with a message."""
import numpy as np
import pytest

import weightinit
from conftest import DTYPES, SCHEMES, bits, cli_sample

NP_DTYPES = {"float32": np.float32, "float64": np.float64, "float16": np.float16}


@pytest.mark.parametrize("dtype", list(NP_DTYPES))
@pytest.mark.parametrize("spec,shape", SCHEMES)
def test_numpy_fill_equals_cli_bit_for_bit(tmp_path, spec, shape, dtype):
    a = np.full(shape, np.nan, dtype=NP_DTYPES[dtype])
    pointer = a.ctypes.data
    out = weightinit.fill_(a, spec, seed=1234, stream_id=77)
    assert out is a and a.ctypes.data == pointer
    np.testing.assert_array_equal(bits(a), cli_sample(tmp_path, spec, shape, dtype, 1234, 77))


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("spec,shape", SCHEMES)
def test_sample_equals_cli_bit_for_bit(tmp_path, spec, shape, dtype):
    s = weightinit.sample(spec, shape, dtype, seed=2**64 - 1, stream_id=2**63 + 5)
    assert s.shape == shape
    ref = cli_sample(tmp_path, spec, shape, dtype, 2**64 - 1, 2**63 + 5)
    np.testing.assert_array_equal(bits(s), ref)


def test_in_out_layout_equals_cli(tmp_path):
    shape = (3, 3, 8, 16)
    a = np.empty(shape, np.float32)
    weightinit.fill_(a, "he_uniform(mode=fan_in)", seed=3, stream_id=4, layout="in_out")
    np.testing.assert_array_equal(
        bits(a), cli_sample(tmp_path, "he_uniform(mode=fan_in)", shape, "float32", 3, 4, "in_out"))
    b = np.empty(shape, np.float32)
    weightinit.fill_(b, "he_uniform(mode=fan_in)", seed=3, stream_id=4)
    assert not np.array_equal(a, b)  # the layout is really read


def test_initializer_objects_equal_their_spec():
    a, b = np.empty((40, 30), np.float64), np.empty((40, 30), np.float64)
    weightinit.fill_(a, weightinit.he_normal(mode="fan_out"), seed=9, stream_id=1)
    weightinit.fill_(b, "he_normal(mode=fan_out)", seed=9, stream_id=1)
    np.testing.assert_array_equal(bits(a), bits(b))
    init = weightinit.Initializer("truncated_normal(std=0.02)")
    assert init == weightinit.truncated_normal(std=0.02)
    assert weightinit.Initializer(str(init)) == init
    assert init.scheme == "truncated_normal"


def test_values_do_not_depend_on_threads_or_windows():
    n = 7 * 9363  # 2**16 + 5: odd windows hit every SIMD tail
    whole = np.empty(n, np.float32)
    weightinit.fill_(whole, "normal", seed=5, stream_id=6, threads=2)
    one = np.empty(n, np.float32)
    weightinit.fill_(one, "normal", seed=5, stream_id=6, threads=1)
    np.testing.assert_array_equal(bits(whole), bits(one))
    parts = np.empty(n, np.float32)
    for rank, window in enumerate(np.split(parts, 7)):  # views into `parts`: filled in place
        weightinit.fill_shard_(window, "normal", (n,), rank=rank, world=7, seed=5, stream_id=6)
    np.testing.assert_array_equal(bits(parts), bits(whole))


@pytest.mark.parametrize("spec", ["xavier_uniform", "normal(std=0.5)", "truncated_normal",
                                  "orthogonal", "sparse(sparsity=0.25)", "eye"])
@pytest.mark.parametrize("dim", [0, 1, -1])
def test_shards_assemble_to_the_global_tensor(spec, dim):
    gshape, world = (24, 36), 4
    whole = np.empty(gshape, np.float32)
    weightinit.fill_(whole, spec, seed=11, stream_id="layers.3.mlp.up.weight")
    pieces = []
    for rank in range(world):
        shape = list(gshape)
        shape[dim] //= world
        local = np.full(shape, np.nan, np.float32)
        weightinit.fill_shard_(local, spec, gshape, dim=dim, rank=rank, world=world, seed=11,
                               stream_id="layers.3.mlp.up.weight")
        pieces.append(local)
    np.testing.assert_array_equal(bits(np.concatenate(pieces, axis=dim)), bits(whole))


def test_dirac_shards_along_an_inner_dim():
    gshape = (8, 6, 3, 3)
    whole = np.empty(gshape, np.float64)
    weightinit.fill_(whole, "dirac", seed=0, stream_id=0)
    pieces = [np.empty((8, 2, 3, 3)) for _ in range(3)]
    for r, p in enumerate(pieces):
        weightinit.fill_shard_(p, "dirac", gshape, dim=1, rank=r, world=3, seed=0, stream_id=0)
    np.testing.assert_array_equal(np.concatenate(pieces, axis=1), whole)


def test_stream_names_hash_with_fnv1a_64():
    assert weightinit.fnv1a64("") == 0xCBF29CE484222325
    assert weightinit.fnv1a64("a") == 0xAF63DC4C8601EC8C
    assert weightinit.fnv1a64("foobar") == 0x85944171F73967E8
    assert weightinit.stream_of("héllo") == weightinit.fnv1a64("héllo")
    a, b = np.empty(64, np.float32), np.empty(64, np.float32)
    weightinit.fill_(a, "uniform", seed=1, stream_id="w")
    weightinit.fill_(b, "uniform", seed=1, stream_id=weightinit.fnv1a64("w"))
    np.testing.assert_array_equal(a, b)


def test_helpers_match_the_library():
    assert weightinit.compute_fans([64, 3, 7, 7]) == (3 * 49, 64 * 49, 49)
    assert weightinit.compute_fans([7, 7, 3, 64], "in_out") == (3 * 49, 64 * 49, 49)
    assert weightinit.gain("relu") == pytest.approx(2 ** 0.5)
    assert weightinit.gain("leaky_relu", 0.2) == pytest.approx((2 / 1.04) ** 0.5)
    assert weightinit.contract_version == 2
    assert weightinit.cpu_simd_path() in ("avx512", "avx2", "scalar")
    assert "xavier_uniform" in weightinit.initializer_names()


# ---- refusals ---------------------------------------------------------------------------------

def test_non_contiguous_array_is_refused_not_copied():
    a = np.zeros((8, 8), np.float32)
    with pytest.raises(ValueError, match="C-contiguous"):
        weightinit.fill_(a[:, ::2], "normal", seed=0, stream_id=0)
    with pytest.raises(ValueError, match="C-contiguous"):
        weightinit.fill_(a.T, "normal", seed=0, stream_id=0)
    assert not a.any()


def test_read_only_array_is_refused():
    a = np.zeros(16, np.float32)
    a.setflags(write=False)
    with pytest.raises(ValueError, match="read-only"):
        weightinit.fill_(a, "normal", seed=0, stream_id=0)


@pytest.mark.parametrize("dtype", [np.int32, np.uint16, np.complex64, np.bool_])
def test_other_dtypes_raise_type_error(dtype):
    with pytest.raises(TypeError, match="float32, float64, float16 or bfloat16"):
        weightinit.fill_(np.zeros(4, dtype), "normal", seed=0, stream_id=0)


def test_bad_arguments_raise_with_a_message():
    a = np.zeros((4, 4), np.float32)
    with pytest.raises(ValueError, match="frobnicate"):
        weightinit.fill_(a, "frobnicate(std=1)", seed=0, stream_id=0)
    with pytest.raises(ValueError, match="xavier_uniform.*rank >= 2"):
        weightinit.fill_(np.zeros(4, np.float32), "xavier_uniform", seed=0, stream_id=0)
    with pytest.raises(ValueError, match="seed"):
        weightinit.fill_(a, "normal", seed=-1, stream_id=0)
    with pytest.raises(ValueError, match="stream_id"):
        weightinit.fill_(a, "normal", seed=0, stream_id=2**64)
    with pytest.raises(TypeError):
        weightinit.fill_(a, "normal", stream_id=0)  # seed is required
    with pytest.raises(TypeError, match="init must be"):
        weightinit.fill_(a, 3.0, seed=0, stream_id=0)
    with pytest.raises(TypeError, match="DLPack"):
        weightinit.fill_([1.0, 2.0], "normal", seed=0, stream_id=0)
    with pytest.raises(ValueError, match="layout"):
        weightinit.fill_(a, "normal", seed=0, stream_id=0, layout="sideways")
    with pytest.raises(ValueError, match="divisible"):
        weightinit.fill_shard_(np.zeros((2, 4), np.float32), "normal", (5, 4), rank=0, world=2,
                               seed=0, stream_id=0)
    with pytest.raises(ValueError, match="local shape"):
        weightinit.fill_shard_(np.zeros((3, 4), np.float32), "normal", (4, 4), rank=0, world=2,
                               seed=0, stream_id=0)
    with pytest.raises(TypeError, match="dtype"):
        weightinit.sample("normal", (3,), "int8", seed=0)
    assert not a.any()


def test_bias_uniform_takes_fans():
    b = np.empty(32, np.float32)
    with pytest.raises(ValueError, match="bias_uniform"):
        weightinit.fill_(b, "bias_uniform", seed=0, stream_id=0)
    weightinit.fill_(b, "bias_uniform", seed=0, stream_id=0, fans=(64, 32))
    assert np.abs(b).max() <= 1 / 8 and np.abs(b).max() > 0.05
