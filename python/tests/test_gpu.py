"""CUDA arrays filled in place on the framework's current stream: PyTorch CUDA tensors and CuPy
arrays equal the CPU fill bit for bit (orthogonal: to rounding, as the C++ contract says). Skips
without a CUDA device; the device check (tools/device-check.sh) runs it on the lent GPU."""
import numpy as np
import pytest

import weightinit
from conftest import SCHEMES, bits


def _torch_cuda():
    torch = pytest.importorskip("torch")
    if not torch.cuda.is_available():
        pytest.skip("no CUDA device (torch.cuda.is_available() is False)")
    return torch


def _tbits(t):
    import torch
    t = t.detach().cpu().contiguous()
    return bits(t.view({2: torch.int16, 4: torch.int32, 8: torch.int64}[t.element_size()]).numpy())


@pytest.mark.parametrize("dtype", ["float32", "float64", "float16", "bfloat16"])
@pytest.mark.parametrize("spec,shape", SCHEMES)
def test_torch_cuda_fill_equals_cpu_fill(spec, shape, dtype):
    torch = _torch_cuda()
    import weightinit.torch as wt
    stream = torch.cuda.Stream()
    g = torch.full(shape, float("nan"), dtype=getattr(torch, dtype), device="cuda")
    pointer = g.data_ptr()
    stream.wait_stream(torch.cuda.current_stream())  # after torch.full on the default stream
    with torch.cuda.stream(stream):  # the fill must run on this current stream
        g.record_stream(stream)
        wt.fill_(g, spec, seed=99, stream_id="blocks.0.w")
        after = g.clone()  # on the same stream: ordered after the fill
    stream.synchronize()
    assert g.data_ptr() == pointer
    c = torch.empty(shape, dtype=getattr(torch, dtype))
    wt.fill_(c, spec, seed=99, stream_id="blocks.0.w")
    if spec.startswith("orthogonal"):
        tol = {"float64": 1e-12, "float32": 1e-5}.get(dtype, 1e-2)
        assert torch.allclose(after.cpu().double(), c.double(), atol=tol, rtol=0)
    else:
        np.testing.assert_array_equal(_tbits(after), _tbits(c))


def test_torch_cuda_fill_runs_on_the_current_stream():
    torch = _torch_cuda()
    import weightinit.torch as wt
    n = 1 << 20
    s = torch.cuda.Stream()  # PyTorch's streams do not synchronize with the legacy default stream
    x = torch.zeros(n, device="cuda")
    s.wait_stream(torch.cuda.current_stream())
    with torch.cuda.stream(s):
        torch.cuda._sleep(100_000_000)  # ~0.1 s of a busy stream
        x.fill_(7.0)
        wt.normal_(x, seed=1, stream_id=2)
        y = x.clone()
    # On `s`, the fill comes after fill_(7) and y holds the normal values. Enqueued on any other
    # stream, it would run at once, before the sleep ends and fill_(7) overwrites it: y all 7.
    s.synchronize()
    ref = wt.normal_(torch.empty(n), seed=1, stream_id=2)
    assert torch.equal(y.cpu(), ref)


def test_torch_cuda_shards_and_refusals():
    torch = _torch_cuda()
    import weightinit.torch as wt
    whole = wt.xavier_normal_(torch.empty(64, 48, device="cuda"), seed=4, stream_id="w")
    pieces = []
    for r in range(4):
        local = torch.empty(64, 12, device="cuda")
        wt.fill_shard_(local, "xavier_normal", (64, 48), dim=1, rank=r, world=4, seed=4,
                       stream_id="w")
        pieces.append(local)
    assert torch.equal(torch.cat(pieces, dim=1), whole)
    with pytest.raises(ValueError, match="contiguous"):
        wt.normal_(torch.empty(8, 8, device="cuda").t(), seed=0, stream_id=0)


def test_cupy_fill_equals_cpu_fill():
    cupy = pytest.importorskip("cupy")
    try:
        if cupy.cuda.runtime.getDeviceCount() < 1:
            pytest.skip("no CUDA device for CuPy")
    except cupy.cuda.runtime.CUDARuntimeError:
        pytest.skip("no CUDA device for CuPy")
    for spec, shape in SCHEMES:
        if spec.startswith("orthogonal"):
            continue
        for dt in (np.float32, np.float64, np.float16):
            stream = cupy.cuda.Stream(non_blocking=True)
            with stream:
                g = cupy.full(shape, cupy.nan, dtype=dt)
                pointer = g.data.ptr
                weightinit.fill_(g, spec, seed=5, stream_id=6)
                host = cupy.asnumpy(g, stream=stream)
            stream.synchronize()
            assert g.data.ptr == pointer
            c = np.empty(shape, dt)
            weightinit.fill_(c, spec, seed=5, stream_id=6)
            np.testing.assert_array_equal(bits(host), bits(c), err_msg="%s %s" % (spec, dt))


def test_model_plan_on_cuda_tensors_equals_the_cpu_plan():
    """One ModelPlan.fill_ of CUDA tensors (one launch for the elementwise tensors, beside it the
    eye, dirac, sparse and orthogonal ones) equals the plan's CPU fill; orthogonal to rounding."""
    torch = _torch_cuda()
    plan = weightinit.ModelPlan(seed=21)
    plan.add("a.weight", (96, 33), "xavier_uniform", "bfloat16")
    plan.add("a.bias", (96,), "bias_uniform", "bfloat16")
    plan.add("n", (1000, 7), "truncated_normal(std=0.02)")
    plan.add("e", (9, 9), "eye", "float16")
    plan.add("d", (4, 4, 3, 3), "dirac")
    plan.add("s", (20, 9), "sparse(sparsity=0.3)", "float64")
    plan.add("q", (12, 20), "orthogonal")
    plan.add("box", (64, 64), "normal", box=((8, 16), (32, 16)))
    types = {"f32": torch.float32, "f64": torch.float64, "f16": torch.float16,
             "bf16": torch.bfloat16}
    gpu = {n: torch.full(plan.entry(n)["stored_shape"], float("nan"),
                         dtype=types[plan.entry(n)["dtype"]], device="cuda") for n in plan.names}
    cpu = {n: torch.empty(t.shape, dtype=t.dtype) for n, t in gpu.items()}
    plan.fill_(gpu)
    plan.fill_(cpu)
    for n in plan.names:
        if n == "q":
            torch.testing.assert_close(gpu[n].cpu(), cpu[n], rtol=0, atol=1e-5)
        else:
            assert torch.equal(gpu[n].cpu(), cpu[n]), n
