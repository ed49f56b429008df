"""weightinit.jax: weightinit's values as jax.Arrays, for JAX and Flax.

JAX arrays are immutable, so nothing is filled in place here: the values are computed by the
library's CPU fill (its exact bits) and handed to JAX, which places them on the array's device.
Keras/JAX kernels are (in, out), so the layout defaults to "in_out" (fans of a Dense kernel
(in, out) are (in, out); of a Conv kernel (*k, in, out) likewise).

    import weightinit.jax as wj
    w = wj.sample("xavier_uniform", (784, 256), seed=0, stream_id="Dense_0/kernel")
    dense = flax.linen.Dense(256, kernel_init=wj.initializer("he_normal", seed=0))
    params = wj.init_params(params, [("*bias", "zeros"), ("*", "lecun_normal")], seed=0)

``initializer`` follows jax.nn.initializers' calling convention ``init(key, shape, dtype)`` and
works under ``jax.jit`` (through ``jax.pure_callback``); ``init_params`` names each leaf of a
parameter pytree by its path, so the values do not depend on the tree's order.
"""

import numpy as _np

import jax as _jax
import jax.numpy as _jnp

import weightinit as _wi

__all__ = ["sample", "initializer", "init_params", "path_name"]

_LAYOUT = "in_out"


def _dtype_name(dtype, function):
    name = _jnp.dtype(dtype).name if dtype is not None else "float32"
    if name not in ("float32", "float64", "float16", "bfloat16"):
        raise TypeError("weightinit.jax.%s: dtype must be float32, float64, float16 or bfloat16, "
                        "got %s" % (function, name))
    return name


def _host(init, shape, dtype_name, seed, stream, layout, function):
    """The values as a NumPy array of the JAX dtype (bfloat16: ml_dtypes, which JAX depends on)."""
    out = _wi.sample(init, shape, dtype_name, seed=seed, stream_id=stream, layout=layout)
    if dtype_name == "bfloat16" and out.dtype != _jnp.bfloat16:
        out = out.view(_jnp.bfloat16)
    return out


def sample(init, shape, dtype=_jnp.float32, *, seed, stream_id, layout=_LAYOUT, device=None):
    """A new jax.Array of ``shape`` holding exactly ``weightinit.sample``'s values for this key
    (on ``device``, default JAX's default device)."""
    fn = "sample"
    init = _wi._as_init(init, "jax." + fn)
    name = _dtype_name(dtype, fn)
    host = _host(init, shape, name, _wi._u64(seed, "seed", "jax." + fn),
                 _wi._stream(stream_id, "jax." + fn), layout, fn)
    return _jax.device_put(host, device)


def _key_stream(key_data):
    """The stream of a JAX PRNG key: FNV-1a 64 of its key data's little-endian bytes."""
    raw = _np.ascontiguousarray(_np.asarray(key_data), dtype="<u4").tobytes()
    h = 0xcbf29ce484222325
    for b in raw:
        h = ((h ^ b) * 0x100000001b3) & 0xFFFFFFFFFFFFFFFF
    return h


def initializer(init, *, seed, stream_id=None, layout=_LAYOUT):
    """A jax.nn.initializers-style function ``f(key, shape, dtype=jnp.float32)`` for ``init``.

    stream_id  None (default): each call's stream is FNV-1a 64 of the little-endian bytes of
               ``jax.random.key_data(key)``, so the parameters Flax initializes from split keys get
               distinct, reproducible streams; an int or a name fixes the stream instead (every
               call then gives the same values for the same shape).
    The values are the library's for (seed, stream); they are computed on the host through
    ``jax.pure_callback``, so ``f`` also works inside ``jax.jit`` (e.g. a jitted ``model.init``).
    """
    fn = "jax.initializer"
    init = _wi._as_init(init, fn)
    seed = _wi._u64(seed, "seed", fn)
    fixed = None if stream_id is None else _wi._stream(stream_id, fn)

    def f(key, shape, dtype=_jnp.float32):
        name = _dtype_name(dtype, "initializer")
        shape = tuple(int(d) for d in shape)
        result = _jax.ShapeDtypeStruct(shape, _jnp.dtype(name))
        if fixed is not None:
            return _jnp.asarray(_host(init, shape, name, seed, fixed, layout, "initializer"))
        data = _jax.random.key_data(key) if _jnp.issubdtype(key.dtype, _jax.dtypes.prng_key) \
            else key

        def on_host(d):
            return _host(init, shape, name, seed, _key_stream(d), layout, "initializer")

        return _jax.pure_callback(on_host, result, data)

    f.__name__ = "weightinit_%s" % init.scheme
    f.__doc__ = "weightinit %s (seed %d): f(key, shape, dtype)" % (init, seed)
    return f


def path_name(path, sep="/"):
    """A pytree key path as a name: dict keys, attribute names and indices joined by ``sep``
    ("params/Dense_0/kernel")."""
    parts = []
    for k in path:
        for attr in ("key", "name", "idx"):
            if hasattr(k, attr):
                parts.append(str(getattr(k, attr)))
                break
        else:
            parts.append(str(k))
    return sep.join(parts)


def _with_layout(rules, layout):
    """Rules with ``layout`` where a rule gives none (JAX kernels are (in, out))."""
    if isinstance(rules, dict) and "rules" in rules:
        rules = dict(rules)
        rules["rules"] = [r if "layout" in r else {**r, "layout": layout} for r in rules["rules"]]
        return rules
    if isinstance(rules, (list, tuple)):
        return [tuple(r) if len(r) == 3 else (r[0], r[1], layout) for r in rules]
    return rules


def init_params(params, rules, *, seed, layout=_LAYOUT, sep="/"):
    """A new pytree like ``params`` (e.g. Flax's ``variables``) with every floating leaf filled by
    the first rule matching its path name (``path_name``: "params/Dense_0/kernel"); integer and
    boolean leaves are kept as they are.

    rules  (glob, init[, layout]) pairs, a rules dict ({"preset": ..., "rules": [...]}) or a preset
           name, as ``weightinit.plan_from_tensors`` takes them; rules without a layout get
           ``layout``. Each leaf's stream is FNV-1a 64 of its path name, so the values do not
           depend on which other parameters the tree holds. Leaves keep their shape, dtype and
           sharding (each is placed like the leaf it replaces).
    """
    leaves, treedef = _jax.tree_util.tree_flatten_with_path(params)
    floating = ("float32", "float64", "float16", "bfloat16")
    tensors, names = [], []
    for path, leaf in leaves:
        dt = _jnp.dtype(getattr(leaf, "dtype", _np.asarray(leaf).dtype)).name
        names.append(path_name(path, sep) if dt in floating else None)
        if dt in floating:
            tensors.append((names[-1], tuple(_np.shape(leaf)), dt))
    plan = _wi.plan_from_tensors(tensors, _with_layout(rules, layout), seed=seed)
    host = plan.sample()
    out = []
    for (path, leaf), name in zip(leaves, names):
        if name is None:  # integer and boolean leaves (step counters, masks) stay as they are
            out.append(leaf)
            continue
        dtype_name = plan.entry(name)["dtype"]
        value = host[name]
        if dtype_name == "bf16" and value.dtype != _jnp.bfloat16:
            value = value.view(_jnp.bfloat16)
        sharding = getattr(leaf, "sharding", None)
        out.append(_jax.device_put(value, sharding) if sharding is not None else _jnp.asarray(value))
    return _jax.tree_util.tree_unflatten(treedef, out)
