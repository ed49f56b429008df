"""Whole models from Python: a ModelPlan (the C++ model_plan) filled into arrays in one call, built
from a JSON model description, an existing checkpoint's names and shapes, or a dict of tensors with
rules; and ``init_model``, the ``weightinit init-model`` writer of an initialized safetensors file.

    plan = weightinit.plan_from_tensors(model.state_dict(), {"preset": {"name": "gpt2",
                                        "n_layer": 12}}, seed=0)
    plan.fill_(model.state_dict())          # every tensor, in place, bit-identical to init-model
    weightinit.init_model("gpt2.safetensors", model="gpt2-small.json", seed=0)

Each tensor's stream is FNV-1a 64 of its name unless the plan gives one, so the values of a tensor
never depend on which other tensors the model has or their order.
"""

import json as _json
import os as _os
from collections.abc import Mapping as _Mapping

from . import _core

__all__ = ["ModelPlan", "model_plan", "plan_from_tensors", "init_model"]

_NUMPY_OF = {"f32": "float32", "f64": "float64", "f16": "float16"}


def _wi():
    import weightinit
    return weightinit


def _dtype(dtype, function):
    dt = _wi()._DTYPE_NAMES.get(str(getattr(dtype, "name", dtype)))
    if dt is None:
        raise TypeError("weightinit.%s: dtype must be float32, float64, float16 or bfloat16, got %r"
                        % (function, dtype))
    return dt


def _shape(shape, function, what="shape", scalar=True):
    if scalar and isinstance(shape, int) and not isinstance(shape, bool):
        return [shape]
    try:
        dims = list(shape)
    except TypeError:
        raise TypeError("weightinit.%s: %s must be a sequence of ints, got %s"
                        % (function, what, type(shape).__name__)) from None
    import operator
    out = []
    for d in dims:
        if isinstance(d, bool):
            raise TypeError("weightinit.%s: %s must hold ints, got %r" % (function, what, d))
        try:
            out.append(operator.index(d))
        except TypeError:
            raise TypeError("weightinit.%s: %s must hold ints, got %r" % (function, what, d)) from None
    return out


def _text(source, function, what):
    """JSON text from a dict (serialized), a path (read) or None."""
    if source is None:
        return None
    if isinstance(source, _Mapping):
        try:
            return _json.dumps(source)
        except (TypeError, ValueError) as e:
            raise TypeError("weightinit.%s: %s is not JSON-serializable: %s"
                            % (function, what, e)) from None
    if isinstance(source, (str, bytes, _os.PathLike)):
        path = _os.fsdecode(source)
        try:
            if _os.path.getsize(path) > 64 << 20:
                raise ValueError("weightinit.%s: %s '%s' is larger than 64 MiB"
                                 % (function, what, path))
            with open(path, "r", encoding="utf-8") as f:
                return f.read()
        except OSError as e:
            raise ValueError("weightinit.%s: cannot read %s '%s': %s"
                             % (function, what, path, e.strerror or e)) from None
        except UnicodeDecodeError:
            raise ValueError("weightinit.%s: %s '%s' is not UTF-8 text"
                             % (function, what, path)) from None
    raise TypeError("weightinit.%s: %s must be a dict or a path to a JSON file, got %s"
                    % (function, what, type(source).__name__))


def _rules_json(rules, function):
    """Rules as the rules-file JSON: a preset name, a dict in the file's form, a path to the file,
    or a list of (glob, init) / (glob, init, layout) rules (first match wins)."""
    if isinstance(rules, str) and _os.path.sep not in rules and not rules.endswith(".json"):
        return _json.dumps({"preset": {"name": rules}})
    if isinstance(rules, (_Mapping, str, bytes, _os.PathLike)):
        return _text(rules, function, "rules")
    try:
        items = list(rules)
    except TypeError:
        raise TypeError("weightinit.%s: rules must be a preset name, a dict {'preset': ..., "
                        "'rules': [...]}, a path to a rules file or a list of (glob, init) "
                        "pairs, got %s" % (function, type(rules).__name__)) from None
    out = []
    for r in items:
        if not isinstance(r, (tuple, list)) or len(r) not in (2, 3):
            raise TypeError("weightinit.%s: each rule must be (glob, init) or (glob, init, "
                            "layout), got %r" % (function, r))
        pattern, init = r[0], _wi()._as_init(r[1], function)
        if not isinstance(pattern, str):
            raise TypeError("weightinit.%s: a rule's glob must be a str, got %r" % (function, pattern))
        rule = {"pattern": pattern, "init": str(init)}
        if len(r) == 3 and r[2] is not None:
            rule["layout"] = str(r[2])
        out.append(rule)
    return _json.dumps({"rules": out})


def _is_torch(x):
    return type(x).__module__.startswith("torch") and hasattr(x, "data_ptr")


def _info(name, array, function):
    """(pointer, dtype, shape, device, device id, cuda stream or None) of one array to fill."""
    wi = _wi()
    if _is_torch(array):
        types = wi._TORCH or wi._torch_types()
        dt = types.get(array.dtype)
        if dt is None:
            raise TypeError("weightinit.%s: tensor '%s' has dtype %s (float32, float64, float16 "
                            "or bfloat16 only)" % (function, name, array.dtype))
        if array.layout is not types["strided"] or not array.is_contiguous():
            raise ValueError("weightinit.%s: tensor '%s' must be a dense contiguous tensor to be "
                             "filled in place (got strides %s); weightinit never fills a copy "
                             "silently" % (function, name, list(array.stride())))
        if array.is_cuda:
            import torch
            dev = array.device
            index = dev.index if dev.index is not None else torch.cuda.current_device()
            return (array.data_ptr(), dt, list(array.shape), wi._CUDA, index,
                    torch.cuda.current_stream(dev).cuda_stream)
        if array.device.type != "cpu":
            raise ValueError("weightinit.%s: tensor '%s' is on device '%s' (CPU and CUDA only)"
                             % (function, name, array.device))
        return (array.data_ptr(), dt, list(array.shape), wi._CPU, 0, None)
    flags = getattr(array, "flags", None)
    if flags is not None and getattr(flags, "writeable", True) is False:
        raise ValueError("weightinit.%s: array '%s' is read-only; weightinit fills in place"
                         % (function, name))
    try:
        ptr, dt, shape, device, device_id = _core.array_info(array)
    except TypeError as e:
        if str(e).startswith("weightinit"):
            raise TypeError("%s (tensor '%s')" % (e, name)) from None
        raise TypeError("weightinit.%s: tensor '%s' is a %s, not an array that supports DLPack or "
                        "the buffer protocol" % (function, name, type(array).__name__)) from None
    except ValueError as e:
        raise ValueError("%s (tensor '%s')" % (e, name)) from None
    stream = None
    if device == wi._CUDA and type(array).__module__.startswith("cupy"):
        import cupy
        stream = cupy.cuda.get_current_stream().ptr
    return (ptr, dt, shape, device, device_id, stream)


class ModelPlan:
    """A validated, resolved list of tensors with one seed: ``weightinit::model_plan``.

    Entries are checked when added (name, shape, box, scheme against the global shape; a
    ``bias_uniform`` bias takes the fans of the weight named like it, added before it). ``fill_``
    fills every tensor with one call: the CPU through one thread pool, CUDA memory in one kernel
    launch (plus one per eye/dirac/sparse/orthogonal tensor). Each tensor's values are exactly what
    ``weightinit.fill_`` gives it with ``seed`` and its stream, whatever else the plan holds.
    """

    def __init__(self, seed, *, _plan=None):
        self._plan = _plan if _plan is not None else _core.ModelPlan(
            _wi()._u64(seed, "seed", "ModelPlan"))

    def add(self, name, shape, init, dtype="float32", *, stream_id=None, box=None, layout=None,
            fans=None):
        """Adds a tensor and returns its index.

        name       its name (unique); its stream is FNV-1a 64 of it unless stream_id is given.
        shape      the global shape; init a SPEC or an Initializer; dtype float32/64/16, bfloat16.
        box        (offsets, extents): the part of the global tensor this process stores (a
                   tensor-parallel shard); fans come from the global shape.
        layout     how fans are read: "out_in" (PyTorch, default) or "in_out"; fans (fan_in,
                   fan_out) instead of the shape's.
        """
        fn = "ModelPlan.add"
        wi = _wi()
        if not isinstance(name, str):
            raise TypeError("weightinit.%s: name must be a str, got %s" % (fn, type(name).__name__))
        stream = None if stream_id is None else wi._stream(stream_id, fn)
        if box is not None:
            try:
                offsets, extents = box
            except (TypeError, ValueError):
                raise TypeError("weightinit.%s: box must be a pair (offsets, extents), got %r"
                                % (fn, box)) from None
            box = (_shape(offsets, fn, "box offsets", False), _shape(extents, fn, "box extents", False))
        return self._plan.add(name, _shape(shape, fn), wi._as_init(init, fn), _dtype(dtype, fn),
                              stream, box, layout, wi._fans(fans, fn))

    def __len__(self):
        return len(self._plan)

    def __contains__(self, name):
        if not isinstance(name, str):
            return False
        try:
            self._plan.index(name)
        except KeyError:
            return False
        return True

    def __iter__(self):
        return iter(self.names)

    def __repr__(self):
        return "weightinit.ModelPlan(seed=%d, %d tensors, %d elements)" % (
            self.seed, len(self), self.total_elements)

    @property
    def seed(self):
        return self._plan.seed

    @property
    def names(self):
        """The tensors' names, in the order they were added."""
        return [self._plan.entry(i)["name"] for i in range(len(self._plan))]

    @property
    def total_elements(self):
        return self._plan.total_elements

    @property
    def rules(self):
        """The rules the plan was made with, one "pattern -> SPEC" line each ("" if none)."""
        return self._plan.rules

    def entry(self, name):
        """A dict describing one tensor (by name or index): name, shape, dtype, init, stream,
        explicit_stream, box, stored_shape, stored_bytes, elementwise."""
        if isinstance(name, str):
            return self._plan.entry(self._plan.index(name))
        if isinstance(name, bool) or not isinstance(name, int):
            raise TypeError("weightinit.ModelPlan.entry: a name or an index, got %r" % (name,))
        if name < 0:
            name += len(self)
        if name < 0:
            raise IndexError("weightinit.ModelPlan: index out of range")
        return self._plan.entry(name)

    def fill_(self, arrays, *, strict=True, threads=0, cuda_stream=None):
        """Fills every tensor of the plan in place and returns ``arrays``.

        arrays   a mapping {name: array} (a state_dict, dict(module.named_parameters())) or a
                 sequence in plan order; each array C-contiguous, writable, of the entry's dtype
                 and stored shape (its box's extents for a shard), all on one device (CPU, or one
                 CUDA device). With strict (default), a mapping may hold no names the plan lacks.
                 Everything is checked before anything is written.
        threads  CPU: worker threads (0: all cores); the values never depend on it.
        cuda_stream  CUDA: the stream (default: the framework's current stream). This one-shot
                 call returns when its launch has finished (it frees the launch's descriptor
                 table); the values are the CPU fill's.
        """
        fn = "ModelPlan.fill_"
        names = self.names
        if isinstance(arrays, _Mapping):
            missing = [n for n in names if n not in arrays]
            if missing:
                raise ValueError("weightinit.%s: no array for %s" % (fn, ", ".join(missing[:8]) + (
                    " and %d more" % (len(missing) - 8) if len(missing) > 8 else "")))
            if strict:
                known = set(names)
                extra = [str(k) for k in arrays if k not in known]
                if extra:
                    raise ValueError("weightinit.%s: %s not in the plan (strict=False ignores "
                                     "them)" % (fn, ", ".join(extra[:8])))
            ordered = [arrays[n] for n in names]
        else:
            ordered = list(arrays)
            if len(ordered) != len(names):
                raise ValueError("weightinit.%s: %d arrays for a plan of %d tensors"
                                 % (fn, len(ordered), len(names)))
        infos = [_info(n, a, fn) for n, a in zip(names, ordered)]
        stream = 0
        if infos and infos[0][3] == _wi()._CUDA:
            chosen = cuda_stream if cuda_stream is not None else infos[0][5]
            stream = _wi()._stream_int(chosen)
        self._plan.fill_arrays([i[:5] for i in infos], threads or _wi()._THREADS, stream)
        return arrays

    def sample(self, *, threads=0):
        """A new dict {name: NumPy array} of every tensor (its stored shape), filled: what
        ``init_model`` writes. bfloat16 tensors are ml_dtypes.bfloat16 when that package is
        installed, else uint16 bits."""
        import numpy
        out = {}
        for i in range(len(self)):
            e = self._plan.entry(i)
            if e["dtype"] == "bf16":
                try:
                    import ml_dtypes
                    t = ml_dtypes.bfloat16
                except ImportError:
                    t = numpy.uint16
            else:
                t = _NUMPY_OF[e["dtype"]]
            out[e["name"]] = numpy.empty(e["stored_shape"], dtype=t)
        infos = [(a.ctypes.data, self._plan.entry(i)["dtype"], list(a.shape), _wi()._CPU, 0)
                 for i, a in enumerate(out.values())]
        self._plan.fill_arrays(infos, threads or _wi()._THREADS, 0)
        return out

    def save_safetensors(self, path, *, metadata=None, threads=0, device="cpu"):
        """Writes every tensor to a .safetensors file and returns its size in bytes.

        One tensor at a time (memory: the largest tensor), to a temporary file beside ``path``
        renamed over it on success: ``path`` is written whole or left untouched. The header's
        __metadata__ records the seed, contract and library versions, the stream rule and the
        rules; ``metadata`` adds {str: str} entries (keys starting "weightinit_" are reserved).
        device "gpu" fills on the current CUDA device and copies back.
        """
        fn = "ModelPlan.save_safetensors"
        if device not in ("cpu", "gpu", "cuda"):
            raise ValueError("weightinit.%s: device must be 'cpu' or 'gpu', got %r" % (fn, device))
        meta = {}
        for k, v in (metadata or {}).items():
            if not isinstance(k, str) or not isinstance(v, str):
                raise TypeError("weightinit.%s: metadata must map str to str, got %r: %r"
                                % (fn, k, v))
            meta[k] = v
        if not isinstance(path, (str, bytes, _os.PathLike)):
            raise TypeError("weightinit.%s: path must be a str or os.PathLike, got %s"
                            % (fn, type(path).__name__))
        return self._plan.write_safetensors(_os.fsdecode(path), meta, threads,
                                            device in ("gpu", "cuda"))


def model_plan(*, seed, model=None, like=None, rules=None):
    """The plan ``weightinit init-model`` would write: from ``model`` (a JSON model description:
    a dict or a path) or ``like`` (an existing .safetensors file: its names, shapes and dtypes),
    with ``rules`` (a preset name, a rules dict/file or (glob, init) pairs) tried before the
    description's own rules and preset."""
    fn = "model_plan"
    seed = _wi()._u64(seed, "seed", fn)
    if (model is None) == (like is None):
        raise ValueError("weightinit.%s: give exactly one of model= and like=" % fn)
    like_path = None
    if like is not None:
        if not isinstance(like, (str, bytes, _os.PathLike)):
            raise TypeError("weightinit.%s: like must be a path to a .safetensors file, got %s"
                            % (fn, type(like).__name__))
        like_path = _os.fsdecode(like)
    text = _text(model, fn, "model description")
    rules_json = None if rules is None else _rules_json(rules, fn)
    return ModelPlan(seed, _plan=_core.plan_from_description(text, like_path, rules_json, seed))


def plan_from_tensors(tensors, rules, *, seed, dtype=None, name=""):
    """A plan of ``tensors`` by ``rules`` (a preset name such as "pytorch", a rules dict such as
    {"preset": {"name": "gpt2", "n_layer": 12}}, a path to a rules file, or (glob, init[, layout])
    pairs; the first matching rule decides).

    tensors  a mapping {name: array or shape}: arrays (a state_dict) give their shape and dtype,
             shapes take ``dtype`` (default float32); or a sequence of (name, shape[, dtype]).
    """
    fn = "plan_from_tensors"
    seed = _wi()._u64(seed, "seed", fn)
    default = _dtype(dtype if dtype is not None else "float32", fn)
    items = list(tensors.items()) if isinstance(tensors, _Mapping) else list(tensors)
    out = []
    for t in items:
        if not isinstance(t, (tuple, list)) or len(t) not in (2, 3):
            raise TypeError("weightinit.%s: tensors must be {name: array or shape} or (name, "
                            "shape[, dtype]) items, got %r" % (fn, t))
        tname, what = t[0], t[1]
        if not isinstance(tname, str):
            raise TypeError("weightinit.%s: tensor names must be str, got %r" % (fn, tname))
        if hasattr(what, "shape") and hasattr(what, "dtype"):
            tdtype = _dtype(what.dtype, fn) if dtype is None else default
            shape = _shape(what.shape, fn)
        else:
            tdtype = _dtype(t[2], fn) if len(t) == 3 else default
            shape = _shape(what, fn)
        out.append((tname, shape, tdtype))
    if not isinstance(name, str):
        raise TypeError("weightinit.%s: name must be a str" % fn)
    return ModelPlan(seed, _plan=_core.plan_from_tensors(out, _rules_json(rules, fn), seed, name))


def init_model(out, *, seed, model=None, like=None, rules=None, device="cpu", threads=0,
               metadata=None):
    """Writes an initialized .safetensors checkpoint, as ``weightinit init-model`` does (the same
    file, byte for byte, for the same description, rules and seed), and returns
    {"path", "tensors", "parameters", "bytes"}."""
    plan = model_plan(seed=seed, model=model, like=like, rules=rules)
    size = plan.save_safetensors(out, metadata=metadata, threads=threads, device=device)
    return {"path": _os.fsdecode(out), "tensors": len(plan), "parameters": plan.total_elements,
            "bytes": size}
