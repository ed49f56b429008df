"""weightinit.torch on PyTorch CPU tensors: torch.nn.init's names and defaults with the CLI's bits,
in place; init_module on a small Transformer equals per-parameter fills and ignores module order."""
import math

import numpy as np
import pytest

import weightinit
from conftest import bits, cli_sample

TORCH_DTYPES = ["float32", "float64", "float16", "bfloat16"]


def tbits(t):
    """A tensor's raw bits as a NumPy array (bfloat16 through int16: NumPy has no bfloat16)."""
    import torch
    t = t.detach().cpu().contiguous()
    view = {2: torch.int16, 4: torch.int32, 8: torch.int64}[t.element_size()]
    return bits(t.view(view).numpy())


# (function name, positional args, kwargs, the SPEC it must equal, shape)
CASES = [
    ("uniform_", (), {}, "uniform(a=0,b=1)", (33, 17)),
    ("uniform_", (-2.0, 3.0), {}, "uniform(a=-2,b=3)", (33, 17)),
    ("normal_", (), {}, "normal(mean=0,std=1)", (33, 17)),
    ("normal_", (1.0, 0.02), {}, "normal(mean=1,std=0.02)", (33, 17)),
    ("trunc_normal_", (), {}, "truncated_normal(mean=0,std=1,a=-2,b=2)", (33, 17)),
    ("trunc_normal_", (0.0, 0.02, -0.04, 0.04), {}, "truncated_normal(std=0.02,a=-0.04,b=0.04)",
     (33, 17)),
    ("constant_", (0.3,), {}, "constant(value=0.3)", (5, 4)),
    ("ones_", (), {}, "ones", (5, 4)),
    ("zeros_", (), {}, "zeros", (5, 4)),
    ("eye_", (), {}, "eye", (5, 7)),
    ("dirac_", (), {}, "dirac", (4, 4, 3)),
    ("dirac_", (2,), {}, "dirac(groups=2)", (8, 3, 3, 3)),
    ("xavier_uniform_", (), {}, "xavier_uniform(gain=1)", (33, 17)),
    ("xavier_uniform_", (0.5,), {}, "xavier_uniform(gain=0.5)", (16, 3, 5)),
    ("xavier_normal_", (), {}, "xavier_normal", (33, 17)),
    # PyTorch's defaults: a=0, mode=fan_in, nonlinearity=leaky_relu (gain sqrt(2/(1+0²)) = sqrt2)
    ("kaiming_uniform_", (), {}, "he_uniform(mode=fan_in,nonlinearity=leaky_relu,a=0)", (16, 3, 3, 3)),
    ("kaiming_uniform_", (), {"a": math.sqrt(5)},
     "he_uniform(mode=fan_in,nonlinearity=leaky_relu,a=%r)" % math.sqrt(5), (33, 17)),
    ("kaiming_normal_", (), {"mode": "fan_out", "nonlinearity": "relu"},
     "he_normal(mode=fan_out,nonlinearity=relu)", (16, 3, 3, 3)),
    ("kaiming_normal_", (), {}, "he_normal(nonlinearity=leaky_relu)", (33, 17)),
    ("orthogonal_", (), {}, "orthogonal(gain=1)", (12, 20)),
    ("orthogonal_", (2,), {}, "orthogonal(gain=2)", (20, 3, 2)),
    ("sparse_", (0.3,), {}, "sparse(sparsity=0.3,std=0.01)", (20, 9)),
]


@pytest.mark.parametrize("dtype", TORCH_DTYPES)
@pytest.mark.parametrize("name,args,kwargs,spec,shape", CASES)
def test_torch_functions_equal_cli_bit_for_bit(torch, tmp_path, name, args, kwargs, spec, shape,
                                               dtype):
    import weightinit.torch as wt
    t = torch.full(shape, float("nan"), dtype=getattr(torch, dtype), requires_grad=True)
    pointer = t.data_ptr()
    out = getattr(wt, name)(t, *args, **kwargs, seed=42, stream_id=9)
    assert out is t and t.data_ptr() == pointer
    np.testing.assert_array_equal(tbits(t), cli_sample(tmp_path, spec, shape, dtype, 42, 9))


def test_signatures_mirror_torch_nn_init(torch):
    import inspect
    import weightinit.torch as wt
    for name in ["uniform_", "normal_", "trunc_normal_", "constant_", "ones_", "zeros_", "eye_",
                 "dirac_", "xavier_uniform_", "xavier_normal_", "kaiming_uniform_",
                 "kaiming_normal_", "orthogonal_", "sparse_"]:
        ours = inspect.signature(getattr(wt, name)).parameters
        theirs = inspect.signature(getattr(torch.nn.init, name)).parameters
        for p in theirs.values():
            if p.name == "generator":
                continue
            assert p.name in ours, (name, p.name)
            assert ours[p.name].default == p.default, (name, p.name, ours[p.name].default)
    assert wt.calculate_gain("leaky_relu", 0.2) == torch.nn.init.calculate_gain("leaky_relu", 0.2)
    assert wt.calculate_gain("tanh") == torch.nn.init.calculate_gain("tanh")


def test_torch_and_numpy_paths_agree(torch):
    import weightinit.torch as wt
    t = torch.empty(300, 7)
    wt.trunc_normal_(t, std=0.02, seed=1, stream_id="x")
    a = np.empty((300, 7), np.float32)
    weightinit.fill_(a, "truncated_normal(std=0.02)", seed=1, stream_id="x")
    np.testing.assert_array_equal(tbits(t), bits(a))
    # the generic DLPack path on a torch tensor (fill_ of the package) too
    u = torch.empty(300, 7)
    weightinit.fill_(u.detach(), "truncated_normal(std=0.02)", seed=1, stream_id="x")
    assert torch.equal(t, u)


def test_torch_refusals(torch):
    import weightinit.torch as wt
    t = torch.zeros(8, 6)
    with pytest.raises(ValueError, match="contiguous"):
        wt.normal_(t.t(), seed=0, stream_id=0)
    with pytest.raises(ValueError, match="contiguous"):
        wt.normal_(t[:, ::2], seed=0, stream_id=0)
    with pytest.raises(TypeError, match="dtype"):
        wt.normal_(torch.zeros(4, dtype=torch.int32), seed=0, stream_id=0)
    with pytest.raises(TypeError):
        wt.normal_(t, 0.0, 1.0)  # the key is required
    with pytest.raises(TypeError, match="torch.Tensor"):
        wt.normal_(np.zeros(3, np.float32), seed=0, stream_id=0)
    with pytest.raises(ValueError, match="xavier_uniform"):
        wt.xavier_uniform_(torch.zeros(5), seed=0, stream_id=0)
    with pytest.raises(ValueError):
        wt.kaiming_uniform_(t, mode="fan_sideways", seed=0, stream_id=0)
    assert not t.any()


def small_transformer(torch, order=0):
    """An embedding, two encoder layers and a head; `order` builds the same names in another
    module-registration order."""
    nn = torch.nn

    class Model(nn.Module):
        def __init__(self):
            super().__init__()
            parts = [
                ("embed", lambda: nn.Embedding(50, 16)),
                ("encoder", lambda: nn.TransformerEncoder(
                    nn.TransformerEncoderLayer(16, 2, dim_feedforward=32, batch_first=True), 2)),
                ("head", lambda: nn.Linear(16, 50)),
                ("conv", lambda: nn.Conv1d(16, 8, 3)),
            ]
            for key, make in (parts if order == 0 else parts[::-1]):
                setattr(self, key, make())

    return Model()


def test_init_module_equals_per_parameter_fills(torch):
    import weightinit.torch as wt
    m = small_transformer(torch)
    plan = wt.init_module(m, "pytorch", seed=2024)
    names = [n for n, _ in m.named_parameters()]
    assert sorted(plan) == sorted(names)
    params = dict(m.named_parameters())
    for name, p in params.items():
        init, stream = plan[name]
        assert stream == weightinit.fnv1a64(name)
        expect = torch.empty_like(p)
        fans = None
        if init.scheme == "bias_uniform":
            fans = weightinit.compute_fans(list(params[name[:-4] + "weight"].shape))[:2]
        wt.fill_(expect, init, seed=2024, stream_id=name, fans=fans)
        assert torch.equal(p, expect), name
    # the schemes PyTorch's reset_parameters uses
    sqrt5 = math.sqrt(5)
    assert plan["head.weight"][0] == weightinit.he_uniform("fan_in", "leaky_relu", sqrt5)
    assert plan["head.bias"][0] == weightinit.bias_uniform()
    assert plan["embed.weight"][0] == weightinit.normal(0, 1)
    assert plan["encoder.layers.0.self_attn.in_proj_weight"][0] == weightinit.xavier_uniform()
    assert plan["encoder.layers.0.self_attn.out_proj.bias"][0] == weightinit.zeros()
    assert plan["encoder.layers.1.norm1.weight"][0] == weightinit.ones()
    bound = 1 / math.sqrt(16 * 3)
    assert 0.5 * bound < m.conv.bias.abs().max().item() <= bound


def test_init_module_does_not_depend_on_module_order(torch):
    import weightinit.torch as wt
    a, b = small_transformer(torch, 0), small_transformer(torch, 1)
    assert [n for n, _ in a.named_parameters()] != [n for n, _ in b.named_parameters()]
    wt.init_module(a, "megatron", seed=7)
    wt.init_module(b, "megatron", seed=7)
    pb = dict(b.named_parameters())
    for name, p in a.named_parameters():
        assert torch.equal(p, pb[name]), name


def test_init_module_rules(torch):
    import weightinit.torch as wt
    m = small_transformer(torch)
    plan = wt.init_module(m, {"*.in_proj_weight": "normal(std=0.02)", "head.*": "zeros"}, seed=1,
                          preset="xavier")
    assert plan["encoder.layers.1.self_attn.in_proj_weight"][0] == weightinit.normal(0, 0.02)
    assert not m.head.weight.any() and not m.head.bias.any()
    assert plan["embed.weight"][0] == weightinit.xavier_uniform()
    with pytest.raises(ValueError, match="no rule matches.*embed.weight"):
        wt.init_module(small_transformer(torch), {"head.*": "zeros"}, seed=1)
    with pytest.raises(ValueError, match="unknown preset"):
        wt.init_module(m, "tensorflow", seed=1)


@pytest.mark.parametrize("dim", [0, 1])
def test_torch_shards_equal_the_global_tensor(torch, dim):
    import weightinit.torch as wt
    gshape, world = (32, 24), 4
    whole = wt.xavier_uniform_(torch.empty(gshape), seed=3, stream_id="w")
    pieces = []
    for rank in range(world):
        shape = list(gshape)
        shape[dim] //= world
        local = torch.empty(shape)
        wt.fill_shard_(local, "xavier_uniform", gshape, dim=dim, rank=rank, world=world, seed=3,
                       stream_id="w")
        pieces.append(local)
    assert torch.equal(torch.cat(pieces, dim=dim), whole)
    ortho = wt.orthogonal_(torch.empty(gshape, dtype=torch.float64), seed=3, stream_id="o")
    local = torch.empty(32, 6, dtype=torch.float64)
    wt.fill_shard_(local, "orthogonal", gshape, dim=1, rank=2, world=4, seed=3, stream_id="o")
    assert torch.equal(local, ortho[:, 12:18])
    sparse = wt.sparse_(torch.empty(gshape), 0.5, seed=3, stream_id="s")
    local = torch.empty(32, 6)
    wt.fill_shard_(local, "sparse(sparsity=0.5)", gshape, dim=1, rank=1, world=4, seed=3,
                   stream_id="s")
    assert torch.equal(local, sparse[:, 6:12])


@pytest.mark.parametrize("dtype", TORCH_DTYPES)
def test_dlpack_path_on_torch_tensors_equals_the_pointer_path(torch, dtype):
    """The generic DLPack import (what CuPy and other arrays take) on PyTorch tensors, bfloat16's
    DLPack type code included, writes what the PyTorch fast path writes, in the same memory."""
    import weightinit.torch as wt
    a = torch.full((37, 11), float("nan"), dtype=getattr(torch, dtype))
    pointer = a.data_ptr()
    weightinit._generic_fill(a, weightinit.Initializer("he_normal"), 3, 4, None, None, 0, None,
                             None, 0, 1, 0, "fill_")
    assert a.data_ptr() == pointer
    b = wt.fill_(torch.empty_like(a), "he_normal", seed=3, stream_id=4)
    np.testing.assert_array_equal(tbits(a), tbits(b))
    with pytest.raises(ValueError, match="C-contiguous"):
        weightinit._generic_fill(a.t(), weightinit.Initializer("normal"), 3, 4, None, None, 0,
                                 None, None, 0, 1, 0, "fill_")
