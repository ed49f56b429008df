"""weightinit: neural-network weights filled in place, with the C++ library's exact bits.

Any array that speaks DLPack (NumPy, PyTorch CPU and CUDA tensors, CuPy, ...) is filled where it
lives, zero-copy: CPU memory by the library's threaded SIMD fill, CUDA memory by its kernels on the
array's device and the framework's current stream. Every value is a pure function of (seed, stream
id, global element index, distribution, dtype) (DESIGN.md §1): the same on CPU and GPU, for any
thread count, chunking or sharding, and equal to ``weightinit sample`` and the C++ ``fill_host``.

    import weightinit
    w = numpy.empty((256, 128), numpy.float32)
    weightinit.fill_(w, "xavier_uniform", seed=0, stream_id="layer0.weight")
    x = weightinit.sample("normal(std=0.02)", (4, 8), "float32", seed=1, stream_id=7)

PyTorch users: ``weightinit.torch`` has torch.nn.init's names (``xavier_uniform_`` ...),
``init_module`` and ``fill_shard_``. Whole models: ``ModelPlan``, ``model_plan``,
``plan_from_tensors`` and ``init_model`` (weightinit/models.py).
"""

import functools as _functools
import math as _math
import pkgutil as _pkgutil

# The compiled module may live in another folder of sys.path (a CMake build tree:
# PYTHONPATH=<build>/python:python), so the package spans every weightinit/ folder on the path.
__path__ = _pkgutil.extend_path(__path__, __name__)

from . import _core  # noqa: E402
from ._core import (  # noqa: E402,F401  (the factories and helpers, re-exported)
    Initializer,
    bias_uniform,
    compute_fans,
    constant,
    contract_version,
    cpu_simd_path,
    dirac,
    eye,
    fnv1a64,
    gain,
    he_normal,
    he_uniform,
    initializer_names,
    lecun_normal,
    lecun_uniform,
    normal,
    ones,
    orthogonal,
    sparse,
    truncated_normal,
    truncated_normal_sigma,
    uniform,
    variance_scaling,
    xavier_normal,
    xavier_uniform,
    zeros,
)

from .models import ModelPlan, init_model, model_plan, plan_from_tensors  # noqa: E402,F401

__version__ = _core.__version__
kaiming_uniform = he_uniform
kaiming_normal = he_normal
glorot_uniform = xavier_uniform
glorot_normal = xavier_normal

__all__ = [
    "Initializer", "fill_", "fill_shard_", "sample", "stream_of", "fnv1a64", "compute_fans", "gain",
    "contract_version", "cpu_simd_path", "initializer_names",
    "zeros", "ones", "constant", "uniform", "normal", "truncated_normal", "truncated_normal_sigma",
    "xavier_uniform", "xavier_normal", "he_uniform", "he_normal", "kaiming_uniform",
    "kaiming_normal", "glorot_uniform", "glorot_normal", "lecun_uniform", "lecun_normal",
    "variance_scaling", "bias_uniform", "orthogonal", "eye", "dirac", "sparse",
    "ModelPlan", "model_plan", "plan_from_tensors", "init_model",
]

_U64 = 1 << 64
# The CPU fill's thread count for threads=0: the cores this process may run on, looked up once.
# (The library's own default, std::thread::hardware_concurrency(), reads /sys on every call: about
# 20 us, more than a whole 768-element fill.)
try:
    _THREADS = len(__import__("os").sched_getaffinity(0)) or 1
except (AttributeError, OSError):
    _THREADS = __import__("os").cpu_count() or 1
_CPU, _CUDA = 1, 2  # DLPack device types

# PyTorch and NumPy dtype names → ours (looked up by str(dtype) so neither is imported here).
_DTYPE_NAMES = {
    "float32": "f32", "float64": "f64", "float16": "f16", "bfloat16": "bf16",
    "torch.float32": "f32", "torch.float64": "f64", "torch.float16": "f16",
    "torch.bfloat16": "bf16", "f32": "f32", "f64": "f64", "f16": "f16", "bf16": "bf16",
    "float": "f32", "double": "f64", "half": "f16",
}


@_functools.lru_cache(maxsize=512)
def _parse(spec):
    return _core.parse_initializer(spec)


def _as_init(init, function="fill_"):
    if isinstance(init, Initializer):
        return init
    if isinstance(init, str):
        return _parse(init)
    raise TypeError("weightinit.%s: init must be a SPEC string such as 'normal(std=0.02)' or a "
                    "weightinit.Initializer, got %s" % (function, type(init).__name__))


def _u64(value, what, function):
    if isinstance(value, bool) or not isinstance(value, int):
        try:
            import operator
            value = operator.index(value)  # NumPy integers
        except TypeError:
            raise TypeError("weightinit.%s: %s must be an int in [0, 2**64), got %s"
                            % (function, what, type(value).__name__)) from None
    if not 0 <= value < _U64:
        raise ValueError("weightinit.%s: %s must be in [0, 2**64), got %d" % (function, what, value))
    return value


def stream_of(name):
    """The stream id of a named tensor: FNV-1a 64 of its UTF-8 bytes, as in model plans."""
    if not isinstance(name, str):
        raise TypeError("weightinit.stream_of: name must be a str, got %s" % type(name).__name__)
    return fnv1a64(name)


def _stream(stream_id, function):
    if isinstance(stream_id, str):
        return fnv1a64(stream_id)
    return _u64(stream_id, "stream_id", function)


def _fans(fans, function):
    if fans is None:
        return None
    try:
        fan_in, fan_out = (float(f) for f in fans)
    except (TypeError, ValueError):
        raise TypeError("weightinit.%s: fans must be a pair (fan_in, fan_out), got %r"
                        % (function, fans)) from None
    return (fan_in, fan_out)


def _is_torch(array):
    return type(array).__module__.startswith("torch") and hasattr(array, "data_ptr")


_TORCH = {}  # filled on the first PyTorch fill: {torch dtype: our name}, "strided": torch.strided


def _torch_types():
    import torch
    _TORCH.update({torch.float32: "f32", torch.float64: "f64", torch.float16: "f16",
                   torch.bfloat16: "bf16", "strided": torch.strided})
    return _TORCH


def _torch_fill(t, init, seed, stream, layout, fans, threads, cuda_stream,
                global_shape, first, outer, step, function):
    """A PyTorch tensor, by its data pointer: the same memory DLPack would hand over, without the
    cost of exporting a capsule (this path keeps a 768-element fill within a few microseconds)."""
    types = _TORCH or _torch_types()
    dt = types.get(t.dtype)
    if dt is None:
        raise TypeError("weightinit.%s: dtype must be float32, float64, float16 or bfloat16, got %s"
                        % (function, t.dtype))
    if t.layout is not types["strided"]:
        raise ValueError("weightinit.%s: only dense (strided) tensors can be filled, got %s"
                         % (function, t.layout))
    if not t.is_contiguous():
        raise ValueError("weightinit.%s: the tensor must be contiguous to be filled in place; got "
                         "shape %s with strides %s (weightinit never fills a copy silently: use "
                         ".contiguous() and fill that, or fill a contiguous tensor and copy it)"
                         % (function, list(t.shape), list(t.stride())))
    if t.is_cuda:
        import torch
        dev = t.device
        device, device_id = _CUDA, dev.index if dev.index is not None else torch.cuda.current_device()
        cs = cuda_stream if cuda_stream is not None else torch.cuda.current_stream(dev).cuda_stream
    elif t.device.type == "cpu":
        device, device_id, cs = _CPU, 0, 0
    else:
        raise ValueError("weightinit.%s: tensors on device '%s' are not supported (CPU and CUDA "
                         "only)" % (function, t.device))
    n = t.numel()
    shape = t.shape if global_shape is None else global_shape
    _core.fill_pointer(t.data_ptr(), dt, device, device_id, list(shape), first, n // outer, outer,
                       step, init, seed, stream, layout, fans, threads or _THREADS,
                       cs if cs.__class__ is int else _stream_int(cs))
    return t


def _stream_int(s):
    """A CUDA stream given as an int, a torch/cupy stream object (cuda_stream / ptr) or None."""
    if s is None:
        return 0
    for attr in ("cuda_stream", "ptr"):
        if hasattr(s, attr):
            return int(getattr(s, attr))
    return int(s)


def _dlpack_device(array):
    try:
        return tuple(array.__dlpack_device__())
    except Exception:  # noqa: BLE001 - NumPy before 1.22, buffer-protocol objects
        return (_CPU, 0)


def _generic_fill(array, init, seed, stream, layout, fans, threads, cuda_stream,
                  global_shape, first, outer, step, function):
    flags = getattr(array, "flags", None)
    if flags is not None and getattr(flags, "writeable", True) is False:
        raise ValueError("weightinit.%s: the array is read-only; weightinit fills in place and "
                         "never fills a copy silently" % function)
    device, _ = _dlpack_device(array)
    cs = 0
    if device == _CUDA:
        if cuda_stream is not None:
            cs = _stream_int(cuda_stream)
        elif type(array).__module__.startswith("cupy"):
            import cupy
            cs = cupy.cuda.get_current_stream().ptr
        # else: the legacy default stream (0), which orders after every blocking stream's work
    try:
        _core.fill_array(array, init, seed, stream, layout, fans, threads or _THREADS, cs,
                         None if global_shape is None else list(global_shape), first, outer, step)
    except TypeError as e:
        if str(e).startswith("weightinit"):
            raise
        raise TypeError("weightinit.%s: expected a writable array that supports DLPack or the "
                        "buffer protocol (NumPy, PyTorch, CuPy, ...), got %s"
                        % (function, type(array).__name__)) from None
    return array


def _dispatch(array, init, seed, stream, layout, fans, threads, cuda_stream,
              global_shape=None, first=0, outer=1, step=0, function="fill_"):
    fill = _torch_fill if _is_torch(array) else _generic_fill
    return fill(array, init, seed, stream, layout, fans, threads, cuda_stream,
                global_shape, first, outer, step, function)


def fill_(array, init, *, seed, stream_id, layout=None, cuda_stream=None, fans=None, threads=0):
    """Fills ``array`` in place with ``init`` and returns it.

    array        a C-contiguous, writable float32/float64/float16/bfloat16 array that speaks
                 DLPack (NumPy, PyTorch, CuPy, ...) on the CPU or a CUDA device. Non-contiguous
                 or read-only arrays raise ValueError (never filled through a copy); other dtypes
                 raise TypeError.
    init         a SPEC string ("he_normal(mode=fan_out)") or an Initializer (weightinit.normal(...)).
    seed         int in [0, 2**64). Required: reproducibility is the point.
    stream_id    int in [0, 2**64), or a str (the tensor's name, hashed with FNV-1a 64 as model
                 plans do). Required: two tensors with the same key and shape get the same values.
    layout       how fans are read off the shape: "out_in" (PyTorch, the default) or "in_out"
                 (Keras/TF/JAX; also "pytorch", "keras", "jax").
    cuda_stream  CUDA arrays only: the stream to fill on (an int handle or a torch/cupy stream).
                 Default: the framework's current stream (PyTorch, CuPy), else the legacy default
                 stream. The fill is asynchronous on it, like any kernel the framework launches.
    fans         (fan_in, fan_out) to use instead of the shape's (bias_uniform: its weight's).
    threads      CPU fills: worker threads (0: all cores). The values never depend on it.
    """
    init = _as_init(init)
    return _dispatch(array, init, _u64(seed, "seed", "fill_"), _stream(stream_id, "fill_"), layout,
                     _fans(fans, "fill_"), threads, cuda_stream)


def fill_shard_(local, init, global_shape, *, dim=0, rank, world, seed, stream_id, layout=None,
                cuda_stream=None, fans=None, threads=0):
    """Fills ``local`` with rank ``rank``'s shard of a ``global_shape`` tensor split into ``world``
    equal parts along ``dim`` (Megatron-style tensor parallelism): every element gets exactly the
    value the whole tensor has at the same global coordinates, and fans come from the global shape.

    dim 0 (row-parallel) is one contiguous window of the global tensor; another dim is filled one
    contiguous row run at a time (one fill call, on CUDA one launch, per run). Elementwise schemes,
    eye and dirac work for every dim on CPU and CUDA; orthogonal and sparse along dim > 0 are
    computed through a temporary global tensor on PyTorch tensors (CPU or CUDA) and NumPy arrays,
    and are refused for other CUDA arrays.
    """
    fn = "fill_shard_"
    init = _as_init(init, fn)
    seed = _u64(seed, "seed", fn)
    stream = _stream(stream_id, fn)
    gshape = [int(d) for d in global_shape]
    ndim = len(gshape)
    if not -ndim <= dim < ndim:
        raise ValueError("weightinit.%s: dim %d out of range for global shape %s" % (fn, dim, gshape))
    dim %= ndim
    if isinstance(world, bool) or not isinstance(world, int) or world < 1:
        raise ValueError("weightinit.%s: world must be an int >= 1, got %r" % (fn, world))
    if isinstance(rank, bool) or not isinstance(rank, int) or not 0 <= rank < world:
        raise ValueError("weightinit.%s: rank must be an int in [0, %d), got %r" % (fn, world, rank))
    if gshape[dim] % world:
        raise ValueError("weightinit.%s: global extent %d of dim %d is not divisible by world %d"
                         % (fn, gshape[dim], dim, world))
    part = gshape[dim] // world
    expect = gshape[:dim] + [part] + gshape[dim + 1:]
    if list(local.shape) != expect:
        raise ValueError("weightinit.%s: rank %d of %d along dim %d of %s needs a local shape %s, "
                         "got %s" % (fn, rank, world, dim, gshape, expect, list(local.shape)))
    outer = _math.prod(gshape[:dim])
    inner = _math.prod(gshape[dim + 1:])
    fans = _fans(fans, fn)
    # Orthogonal factors the whole matrix and sparse ranks whole columns: per row run that work
    # would repeat for every run, so along dim > 0 they fill the global tensor once and copy.
    if outer > 1 and init.scheme in ("orthogonal", "sparse"):
        return _shard_through_global(local, init, gshape, dim, rank, part, seed, stream, layout,
                                     cuda_stream, fans, threads)
    if outer == 1 or part * inner == 0:
        return _dispatch(local, init, seed, stream, layout, fans, threads, cuda_stream,
                         gshape, rank * part * inner, 1, 0, fn)
    return _dispatch(local, init, seed, stream, layout, fans, threads, cuda_stream,
                     gshape, rank * part * inner, outer, gshape[dim] * inner, fn)


def _shard_through_global(local, init, gshape, dim, rank, part, seed, stream, layout, cuda_stream,
                          fans, threads):
    if _is_torch(local):
        import torch
        whole = torch.empty(gshape, dtype=local.dtype, device=local.device)
        _torch_fill(whole, init, seed, stream, layout, fans, threads, cuda_stream, None, 0, 1, 0,
                    "fill_shard_")
        with torch.no_grad():
            local.copy_(whole.narrow(dim, rank * part, part))
        return local
    if _dlpack_device(local)[0] == _CPU and hasattr(local, "__array_interface__"):
        import numpy
        whole = numpy.empty(gshape, dtype=local.dtype)
        _generic_fill(whole, init, seed, stream, layout, fans, threads, None, None, 0, 1, 0,
                      "fill_shard_")
        index = [slice(None)] * len(gshape)
        index[dim] = slice(rank * part, (rank + 1) * part)
        local[...] = whole[tuple(index)]
        return local
    raise NotImplementedError("weightinit.fill_shard_: %s shards along dim > 0 are supported "
                              "for PyTorch tensors and NumPy arrays only" % init.scheme)


def sample(spec, shape, dtype="float32", *, seed, stream_id=0, layout=None, threads=0):
    """A new NumPy array of ``shape`` filled with ``spec``: the values ``weightinit sample`` writes.

    dtype is "float32", "float64", "float16" or "bfloat16"; NumPy has no bfloat16, so a bfloat16
    sample is returned as ml_dtypes.bfloat16 when that package is installed, else as uint16 bits.
    """
    import numpy
    fn = "sample"
    init = _as_init(spec, fn)
    dt = _DTYPE_NAMES.get(str(getattr(dtype, "name", dtype)))
    if dt is None:
        raise TypeError("weightinit.sample: dtype must be float32, float64, float16 or bfloat16, "
                        "got %r" % (dtype,))
    dims = [int(shape)] if isinstance(shape, int) else [int(d) for d in shape]
    if any(d < 0 for d in dims):
        raise ValueError("weightinit.sample: negative extent in shape %s" % dims)
    if dt == "bf16":
        try:
            import ml_dtypes
            np_type = ml_dtypes.bfloat16
        except ImportError:
            np_type = numpy.uint16
    else:
        np_type = {"f32": numpy.float32, "f64": numpy.float64, "f16": numpy.float16}[dt]
    out = numpy.empty(dims, dtype=np_type)
    _core.fill_pointer(out.ctypes.data, dt, _CPU, 0, dims, 0, out.size, 1, 0, init,
                       _u64(seed, "seed", fn), _stream(stream_id, fn), layout, None, threads or _THREADS, 0)
    return out


def __getattr__(name):  # `weightinit.torch`, `.jax` without importing them on `import weightinit`
    if name in ("torch", "jax"):
        import importlib
        return importlib.import_module("." + name, __name__)
    raise AttributeError("module 'weightinit' has no attribute %r" % name)
