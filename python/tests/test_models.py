"""Whole models from Python: ModelPlan.fill_ equals a fill_ of each tensor with its key, plans from
descriptions, checkpoints and tensors-with-rules equal `weightinit init-model`'s, init_model writes
the CLI's file byte for byte, and the bad-input table: every refusal raises with a message and
writes nothing."""
import json
import os
import re
import subprocess

import numpy as np
import pytest

import weightinit
from conftest import CLI, REPO, bits

README = REPO / "README.md"

# A small GPT-2-shaped model (2 layers, width 24) with a tensor of every dtype, an explicit stream,
# a tensor with its own init, and the gpt2 preset below its own rules.
SMALL = {
    "name": "tiny-gpt2",
    "dtype": "f32",
    "preset": {"name": "gpt2", "n_layer": 2, "std": 0.02},
    "rules": [{"pattern": "lm_head.weight", "init": "xavier_uniform", "layout": "out_in"}],
    "tensors": [
        {"name": "wte.weight", "shape": [50, 24]},
        {"name": "h.0.attn.c_attn.weight", "shape": [72, 24], "dtype": "bf16"},
        {"name": "h.0.attn.c_attn.bias", "shape": [72], "dtype": "bf16"},
        {"name": "h.0.attn.c_proj.weight", "shape": [24, 24], "dtype": "f16"},
        {"name": "h.0.ln_1.weight", "shape": [24]},
        {"name": "h.0.ln_1.bias", "shape": [24], "dtype": "f64"},
        {"name": "h.1.mlp.c_fc.weight", "shape": [96, 24], "stream": 12345},
        {"name": "h.1.mlp.c_proj.weight", "shape": [24, 96]},
        {"name": "extra.q", "shape": [8, 8], "init": "orthogonal(gain=2)"},
        {"name": "lm_head.weight", "shape": [50, 24]},
    ],
}


def _cli(*args):
    if not CLI.exists():
        pytest.fail("the reference tool %s is missing (set WEIGHTINIT_BUILD_DIR)" % CLI)
    return subprocess.run([str(CLI), *args], check=True, capture_output=True, text=True)


def _numpy_dtype(d):
    return {"f32": np.float32, "f64": np.float64, "f16": np.float16, "bf16": np.uint16}[d]


def _each_alone(plan):
    """Every tensor sampled on its own with weightinit.sample and its key (a box cut out of the
    whole tensor): the reference a plan must equal, as bits."""
    out = {}
    for name in plan.names:
        e = plan.entry(name)
        dt = {"f32": "float32", "f64": "float64", "f16": "float16", "bf16": "bfloat16"}[e["dtype"]]
        if e["init"].scheme == "bias_uniform":  # the fans of the weight named like it
            w = plan.entry(name.replace("bias", "weight"))
            whole = np.empty(e["shape"], _numpy_dtype(e["dtype"]))
            weightinit.fill_(whole, e["init"], seed=plan.seed, stream_id=e["stream"],
                             fans=weightinit.compute_fans(w["shape"])[:2])
        else:
            whole = weightinit.sample(e["init"], e["shape"], dt, seed=plan.seed,
                                      stream_id=e["stream"])
        if e["box"] is not None:
            offs, exts = e["box"]
            whole = whole[tuple(slice(o, o + x) for o, x in zip(offs, exts))]
        out[name] = bits(whole)
    return out


def _assert_equal(plan, arrays):
    ref = _each_alone(plan)
    assert set(arrays) == set(ref)
    for name, a in arrays.items():
        np.testing.assert_array_equal(bits(np.asarray(a)), ref[name], err_msg=name)


def test_a_plan_fills_every_tensor_with_its_own_key():
    plan = weightinit.ModelPlan(seed=11)
    plan.add("l.weight", (16, 8), "xavier_uniform")
    plan.add("l.bias", (16,), "bias_uniform")  # fans of l.weight, as PyTorch's Linear
    plan.add("q", (6, 9), weightinit.orthogonal(1.5), "float64", stream_id=7)
    plan.add("e", (5, 5), "eye(gain=2)", "float16", stream_id="renamed")
    plan.add("s", (10, 12), "normal(std=0.02)", "bfloat16", box=((2, 4), (6, 8)))
    assert len(plan) == 5 and "q" in plan and "nope" not in plan and list(plan) == plan.names
    assert plan.entry("e")["stream"] == weightinit.stream_of("renamed")
    assert plan.entry("l.weight")["stream"] == weightinit.stream_of("l.weight")
    assert plan.entry(-1)["stored_shape"] == [6, 8]
    got = plan.sample()
    _assert_equal(plan, got)
    assert np.abs(got["l.bias"]).max() <= 1 / np.sqrt(8)  # U(±1/√fan_in), fan_in of l.weight
    assert np.abs(got["l.bias"]).max() > 0.5 / np.sqrt(8)


@pytest.mark.parametrize("threads", [1, 2, 3])
def test_fill_is_in_place_and_independent_of_threads(threads):
    plan = weightinit.plan_from_tensors(
        [("a.weight", (33, 17)), ("a.bias", (33,)), ("b.weight", (4, 3, 3, 3), "float64")],
        [("*.bias", "zeros"), ("*", "he_normal")], seed=5)
    arrays = [np.full(s, np.nan, np.float32 if i < 2 else np.float64)
              for i, s in enumerate([(33, 17), (33,), (4, 3, 3, 3)])]
    pointers = [a.ctypes.data for a in arrays]
    assert plan.fill_(arrays, threads=threads) is arrays
    assert [a.ctypes.data for a in arrays] == pointers
    _assert_equal(plan, dict(zip(plan.names, arrays)))
    assert not arrays[1].any()


def test_torch_state_dict_in_place_with_a_preset(torch):
    class Block(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.fc1 = torch.nn.Linear(12, 20).to(torch.bfloat16)
            self.norm = torch.nn.LayerNorm(20)
            self.fc2 = torch.nn.Linear(20, 6).to(torch.float64)

    model = Block()
    sd = model.state_dict()
    pointers = {n: t.data_ptr() for n, t in sd.items()}
    plan = weightinit.plan_from_tensors(sd, "pytorch", seed=2)
    assert plan.entry("fc2.weight")["dtype"] == "f64" and plan.entry("fc1.weight")["dtype"] == "bf16"
    assert plan.entry("fc1.weight")["init"] == weightinit.he_uniform("fan_in", "leaky_relu", 5 ** 0.5)
    assert plan.entry("fc1.bias")["init"] == weightinit.bias_uniform()
    plan.fill_(dict(model.named_parameters()))
    assert {n: t.data_ptr() for n, t in model.state_dict().items()} == pointers
    ref = plan.sample()
    for n, t in model.state_dict().items():
        got = t.detach().view(torch.int16 if t.dtype == torch.bfloat16 else t.dtype).numpy()
        np.testing.assert_array_equal(bits(got), bits(ref[n]), err_msg=n)
    np.testing.assert_array_equal(model.norm.weight.detach().numpy(), np.ones(20))
    np.testing.assert_array_equal(model.norm.bias.detach().numpy(), np.zeros(20))


def test_model_plan_equals_the_cli_and_init_model_writes_its_file(tmp_path):
    desc = tmp_path / "tiny.json"
    desc.write_text(json.dumps(SMALL))
    plan = weightinit.model_plan(seed=42, model=desc)
    assert plan.names == [t["name"] for t in SMALL["tensors"]]
    assert plan.entry("h.1.mlp.c_fc.weight")["stream"] == 12345
    assert plan.entry("h.0.attn.c_proj.weight")["init"] == weightinit.normal(0, 0.02 / 2)
    assert plan.entry("lm_head.weight")["init"] == weightinit.xavier_uniform()
    assert plan_of_dict_equals(plan, weightinit.model_plan(seed=42, model=SMALL))
    ours = tmp_path / "ours.safetensors"
    info = weightinit.init_model(ours, seed=42, model=desc)
    theirs = tmp_path / "cli.safetensors"
    _cli("init-model", "--model", str(desc), "--seed", "42", "--out", str(theirs), "--no-progress")
    assert ours.read_bytes() == theirs.read_bytes()
    assert info["bytes"] == os.path.getsize(ours) and info["tensors"] == len(SMALL["tensors"])
    assert info["parameters"] == plan.total_elements
    assert not [p for p in os.listdir(tmp_path) if ".safetensors." in p]  # no temporary left
    # A plan made like the file, by its names, shapes and dtypes, with the same rules: same bytes.
    again = tmp_path / "again.safetensors"
    rules = {"preset": SMALL["preset"], "rules": SMALL["rules"]}
    like = weightinit.model_plan(seed=42, like=ours, rules=rules)
    assert like.names == plan.names
    for n in plan.names:
        if n != "extra.q":  # its own init lives in the description, not in the file
            assert like.entry(n)["init"] == plan.entry(n)["init"], n


def plan_of_dict_equals(a, b):
    return a.names == b.names and all(a.entry(n) == b.entry(n) for n in a.names)


def test_the_checkpoint_loads_with_safetensors_and_equals_the_plan(tmp_path, torch):
    st = pytest.importorskip("safetensors.torch")
    path = tmp_path / "m.safetensors"
    plan = weightinit.model_plan(seed=7, model=SMALL)
    plan.save_safetensors(path, metadata={"note": "test"})
    loaded = st.load_file(str(path))  # PyTorch tensors: NumPy has no bfloat16
    ref = plan.sample()
    for n in plan.names:
        t = loaded[n]
        got = t.view(torch.int16).numpy() if t.dtype == torch.bfloat16 else t.numpy()
        np.testing.assert_array_equal(bits(got), bits(ref[n]), err_msg=n)
    from safetensors import safe_open
    with safe_open(str(path), "pt") as f:
        meta = f.metadata()
    assert meta["note"] == "test" and meta["weightinit_seed"] == "7"
    assert meta["weightinit_model"] == "tiny-gpt2" and "c_proj" in meta["weightinit_rules"]


def test_a_shard_plan_equals_the_global_tensor():
    g = weightinit.ModelPlan(seed=1)
    g.add("w", (12, 12), "xavier_normal")
    whole = g.sample()["w"]
    for rank in range(3):
        p = weightinit.ModelPlan(seed=1)
        p.add("w", (12, 12), "xavier_normal", box=((0, rank * 4), (12, 4)))
        local = np.empty((12, 4), np.float32)
        p.fill_({"w": local})
        np.testing.assert_array_equal(bits(local), bits(whole[:, rank * 4:rank * 4 + 4]))


def _poisoned(plan):
    return {n: np.full(plan.entry(n)["stored_shape"], np.nan, _numpy_dtype(plan.entry(n)["dtype"]))
            for n in plan.names}


def _small_plan():
    p = weightinit.ModelPlan(seed=0)
    p.add("a", (4, 3), "normal")
    p.add("b", (3,), "zeros")
    return p


def _plan_cases(tmp_path):
    """(what, call, exception, message): the bad-input table of the whole-model entry points."""
    p = _small_plan()
    good = _poisoned(p)
    bad_json = tmp_path / "bad.json"
    bad_json.write_text("{\"tensors\": [")
    not_st = tmp_path / "junk.safetensors"
    not_st.write_bytes(b"\xff" * 64)
    return p, good, [
        ("ModelPlan seed negative", lambda: weightinit.ModelPlan(seed=-1), ValueError, "seed"),
        ("ModelPlan seed 2**64", lambda: weightinit.ModelPlan(seed=2**64), ValueError, "seed"),
        ("ModelPlan seed str", lambda: weightinit.ModelPlan(seed="1"), TypeError, "seed"),
        ("add duplicate name", lambda: p.add("a", (2, 2), "ones"), ValueError, "a"),
        ("add empty name", lambda: p.add("", (2, 2), "ones"), ValueError, "name"),
        ("add name not str", lambda: p.add(3, (2, 2), "ones"), TypeError, "name"),
        ("add negative extent", lambda: p.add("c", (2, -1), "ones"), ValueError, "c"),
        ("add shape not ints", lambda: p.add("c", (2, 1.5), "ones"), TypeError, "shape"),
        ("add unknown scheme", lambda: p.add("c", (2, 2), "frob"), ValueError, "frob"),
        ("add bad parameter", lambda: p.add("c", (2, 2), "normal(std=-1)"), ValueError, "std"),
        ("add a >= b", lambda: p.add("c", (2, 2), "uniform(a=1,b=1)"), ValueError, "a"),
        ("add rank too small", lambda: p.add("c", (4,), "xavier_uniform"), ValueError, "rank"),
        ("add bias without weight", lambda: p.add("x.bias", (4,), "bias_uniform"), ValueError,
         "weight"),
        ("add unknown dtype", lambda: p.add("c", (2, 2), "ones", "int8"), TypeError, "dtype"),
        ("add box outside", lambda: p.add("c", (4, 4), "ones", box=((2, 0), (3, 4))), ValueError,
         "box"),
        ("add box wrong rank", lambda: p.add("c", (4, 4), "ones", box=((0,), (4,))), ValueError,
         "box"),
        ("add box not a pair", lambda: p.add("c", (4, 4), "ones", box=(0, 4)), TypeError, "box"),
        ("add unknown layout", lambda: p.add("c", (4, 4), "xavier_uniform", layout="up"),
         ValueError, "layout"),
        ("add stream 2**64", lambda: p.add("c", (2, 2), "ones", stream_id=2**64), ValueError,
         "stream_id"),
        ("add overflow", lambda: p.add("c", (2**62, 2**62), "ones"), ValueError, "c"),
        ("entry unknown name", lambda: p.entry("zz"), KeyError, "zz"),
        ("entry index past the end", lambda: p.entry(5), IndexError, "index"),
        ("fill_ missing tensor", lambda: p.fill_({"a": good["a"]}), ValueError, "no array for b"),
        ("fill_ extra tensor", lambda: p.fill_({**good, "c": np.zeros(1)}), ValueError, "c"),
        ("fill_ wrong count", lambda: p.fill_([good["a"]]), ValueError, "1 arrays"),
        ("fill_ wrong shape", lambda: p.fill_({"a": np.zeros((3, 4), np.float32),
                                               "b": good["b"]}), ValueError, "shape"),
        ("fill_ wrong dtype", lambda: p.fill_({"a": np.zeros((4, 3)), "b": good["b"]}),
         TypeError, "f64"),
        ("fill_ int dtype", lambda: p.fill_({"a": np.zeros((4, 3), np.int32), "b": good["b"]}),
         TypeError, "dtype"),
        ("fill_ non-contiguous", lambda: p.fill_({"a": np.zeros((3, 4), np.float32).T,
                                                  "b": good["b"]}), ValueError, "contiguous"),
        ("fill_ read-only", lambda: p.fill_({"a": _ro((4, 3)), "b": good["b"]}), ValueError,
         "read-only"),
        ("fill_ not an array", lambda: p.fill_({"a": [[0.0] * 3] * 4, "b": good["b"]}), TypeError,
         "DLPack"),
        ("save device", lambda: p.save_safetensors(tmp_path / "x.st", device="tpu"), ValueError,
         "device"),
        ("save metadata not str", lambda: p.save_safetensors(tmp_path / "x.st",
                                                             metadata={"k": 1}), TypeError,
         "metadata"),
        ("save reserved metadata", lambda: p.save_safetensors(
            tmp_path / "x.st", metadata={"weightinit_seed": "9"}), ValueError, "reserved"),
        ("save into a missing folder", lambda: p.save_safetensors(tmp_path / "no" / "x.st"),
         RuntimeError, "save_safetensors: cannot create"),
        ("save onto a directory", lambda: p.save_safetensors(tmp_path), RuntimeError,
         "save_safetensors"),
        ("save path not a path", lambda: p.save_safetensors(3), TypeError, "path"),
        ("model_plan neither", lambda: weightinit.model_plan(seed=0), ValueError, "exactly one"),
        ("model_plan both", lambda: weightinit.model_plan(seed=0, model=SMALL, like=not_st),
         ValueError, "exactly one"),
        ("model_plan missing file", lambda: weightinit.model_plan(seed=0, model=tmp_path / "no"),
         ValueError, "cannot read"),
        ("model_plan malformed JSON", lambda: weightinit.model_plan(seed=0, model=bad_json),
         ValueError, "model description"),
        ("model_plan unknown key", lambda: weightinit.model_plan(
            seed=0, model={"tensorz": []}), ValueError, "tensorz"),
        ("model_plan no rule matches", lambda: weightinit.model_plan(
            seed=0, model={"tensors": [{"name": "w", "shape": [2, 2]}]}), ValueError, "w"),
        ("model_plan unknown preset", lambda: weightinit.model_plan(
            seed=0, model=SMALL, rules="gpt3"), ValueError, "gpt3"),
        ("model_plan not JSON-serializable", lambda: weightinit.model_plan(
            seed=0, model={"tensors": {1, 2}}), TypeError, "JSON"),
        ("model_plan model wrong type", lambda: weightinit.model_plan(seed=0, model=3), TypeError,
         "model"),
        ("model_plan like not safetensors", lambda: weightinit.model_plan(seed=0, like=not_st),
         (ValueError, RuntimeError), "junk"),
        ("model_plan like missing", lambda: weightinit.model_plan(
            seed=0, like=tmp_path / "none.safetensors"), (ValueError, RuntimeError), "none"),
        ("model_plan seed negative", lambda: weightinit.model_plan(seed=-1, model=SMALL),
         ValueError, "seed"),
        ("plan_from_tensors bad item", lambda: weightinit.plan_from_tensors([("a",)], "pytorch",
                                                                           seed=0), TypeError,
         "tensors"),
        ("plan_from_tensors bad rule", lambda: weightinit.plan_from_tensors(
            {"a": (2, 2)}, [("*",)], seed=0), TypeError, "rule"),
        ("plan_from_tensors bad glob", lambda: weightinit.plan_from_tensors(
            {"a": (2, 2)}, [("[a", "ones")], seed=0), ValueError, "[a"),
        ("plan_from_tensors rules wrong type", lambda: weightinit.plan_from_tensors(
            {"a": (2, 2)}, 3, seed=0), TypeError, "rules"),
        ("plan_from_tensors tensors in rules file", lambda: weightinit.plan_from_tensors(
            {"a": (2, 2)}, {"tensors": []}, seed=0), ValueError, "tensors"),
        ("plan_from_tensors bad dtype", lambda: weightinit.plan_from_tensors(
            {"a": (2, 2)}, "pytorch", seed=0, dtype="int4"), TypeError, "dtype"),
        ("init_model bad seed", lambda: weightinit.init_model(tmp_path / "o.st", seed=2**64,
                                                              model=SMALL), ValueError, "seed"),
    ]


def _ro(shape):
    a = np.zeros(shape, np.float32)
    a.setflags(write=False)
    return a


def test_every_bad_input_raises_with_a_message_and_writes_nothing(tmp_path):
    p, arrays, cases = _plan_cases(tmp_path)
    before = sorted(os.listdir(tmp_path))
    for what, call, exc, message in cases:
        with pytest.raises(exc) as info:
            call()
        assert message in str(info.value), "%s: %r lacks %r" % (what, str(info.value), message)
        assert str(info.value).strip(), what
    assert sorted(os.listdir(tmp_path)) == before  # no file, no temporary left behind
    # The plan the add cases were tried on is unchanged, and the fill_ cases wrote nothing into
    # the good arrays beside the bad one.
    assert p.names == ["a", "b"] and p.total_elements == 15
    assert all(np.isnan(a).all() for a in arrays.values())
    stated = re.search(r"(\d+) whole-model Python cases", README.read_text())
    assert stated and int(stated.group(1)) == len(cases), "README.md must state %d" % len(cases)


def test_an_unwritable_target_keeps_the_old_file(tmp_path):
    path = tmp_path / "m.safetensors"
    path.write_bytes(b"old")
    p = _small_plan()
    os.chmod(tmp_path, 0o500)
    try:
        if os.access(tmp_path, os.W_OK):
            pytest.skip("running as root: a read-only folder is writable")
        with pytest.raises(RuntimeError):
            p.save_safetensors(path)
    finally:
        os.chmod(tmp_path, 0o700)
    assert path.read_bytes() == b"old"
