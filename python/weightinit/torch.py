"""weightinit.torch: torch.nn.init's functions with weightinit's reproducible values.

The names, signatures and defaults are torch.nn.init's (PyTorch's (out, in, *k) layout), plus the
key as keyword-only ``seed`` and ``stream_id``; each fills the tensor in place (CPU or CUDA, on the
current stream) and returns it. Unlike torch.nn.init the values do not depend on the global RNG,
on the order of calls, on the device or on the number of threads: only on (seed, stream_id, element
index, scheme, dtype). Schemes that draw nothing (zeros_, ones_, constant_, eye_, dirac_) take the
key only for uniformity and ignore it.

``init_module(module, rules_or_preset, seed)`` fills every parameter of a module with the stream
named after its qualified name (FNV-1a 64), so the result does not depend on module order.
``fill_shard_`` fills a tensor-parallel shard with the global tensor's values.
"""

import fnmatch as _fnmatch
import math as _math

import torch as _torch

import weightinit as _wi
from weightinit import _core

__all__ = [
    "calculate_gain", "uniform_", "normal_", "trunc_normal_", "constant_", "ones_", "zeros_",
    "eye_", "dirac_", "xavier_uniform_", "xavier_normal_", "kaiming_uniform_", "kaiming_normal_",
    "orthogonal_", "sparse_", "fill_", "fill_shard_", "init_module", "PRESETS",
]

_LAYOUT = "out_in"  # named for the shard helper and fans; None (the C++ default) is the same


def _fill(tensor, init, seed, stream_id, function, fans=None):
    if not isinstance(tensor, _torch.Tensor):
        raise TypeError("weightinit.torch.%s: expected a torch.Tensor, got %s"
                        % (function, type(tensor).__name__))
    return _wi._torch_fill(tensor, init, _wi._u64(seed, "seed", function),
                           _wi._stream(stream_id, function), None, fans, 0, None, None, 0, 1, 0,
                           function)


def calculate_gain(nonlinearity, param=None):
    """torch.nn.init.calculate_gain (the same table)."""
    return _core.gain(nonlinearity, param)


def uniform_(tensor, a=0.0, b=1.0, *, seed, stream_id):
    return _fill(tensor, _core.uniform(a, b), seed, stream_id, "uniform_")


def normal_(tensor, mean=0.0, std=1.0, *, seed, stream_id):
    return _fill(tensor, _core.normal(mean, std), seed, stream_id, "normal_")


def trunc_normal_(tensor, mean=0.0, std=1.0, a=-2.0, b=2.0, *, seed, stream_id):
    return _fill(tensor, _core.truncated_normal(mean, std, a, b), seed, stream_id, "trunc_normal_")


def constant_(tensor, val, *, seed=0, stream_id=0):
    return _fill(tensor, _core.constant(val), seed, stream_id, "constant_")


def ones_(tensor, *, seed=0, stream_id=0):
    return _fill(tensor, _core.ones(), seed, stream_id, "ones_")


def zeros_(tensor, *, seed=0, stream_id=0):
    return _fill(tensor, _core.zeros(), seed, stream_id, "zeros_")


def eye_(tensor, *, seed=0, stream_id=0):
    return _fill(tensor, _core.eye(1.0), seed, stream_id, "eye_")


def dirac_(tensor, groups=1, *, seed=0, stream_id=0):
    return _fill(tensor, _core.dirac(groups), seed, stream_id, "dirac_")


def xavier_uniform_(tensor, gain=1.0, *, seed, stream_id):
    return _fill(tensor, _core.xavier_uniform(gain), seed, stream_id, "xavier_uniform_")


def xavier_normal_(tensor, gain=1.0, *, seed, stream_id):
    return _fill(tensor, _core.xavier_normal(gain), seed, stream_id, "xavier_normal_")


def kaiming_uniform_(tensor, a=0, mode="fan_in", nonlinearity="leaky_relu", *, seed, stream_id):
    return _fill(tensor, _core.he_uniform(mode, nonlinearity, a), seed, stream_id,
                 "kaiming_uniform_")


def kaiming_normal_(tensor, a=0, mode="fan_in", nonlinearity="leaky_relu", *, seed, stream_id):
    return _fill(tensor, _core.he_normal(mode, nonlinearity, a), seed, stream_id, "kaiming_normal_")


def orthogonal_(tensor, gain=1, *, seed, stream_id):
    return _fill(tensor, _core.orthogonal(gain), seed, stream_id, "orthogonal_")


def sparse_(tensor, sparsity, std=0.01, *, seed, stream_id):
    return _fill(tensor, _core.sparse(sparsity, std), seed, stream_id, "sparse_")


def fill_(tensor, init, *, seed, stream_id, fans=None):
    """Any scheme (SPEC or Initializer) in PyTorch's layout; ``fans`` as weightinit.fill_."""
    init = _wi._as_init(init, "torch.fill_")
    return _fill(tensor, init, seed, stream_id, "fill_", _wi._fans(fans, "torch.fill_"))


def fill_shard_(local, init, global_shape, *, dim=0, rank, world, seed, stream_id):
    """weightinit.fill_shard_ in PyTorch's layout: ``local`` is rank ``rank``'s part of a
    ``global_shape`` tensor split in ``world`` equal parts along ``dim``; its values (and fans) are
    the global tensor's. Column-parallel Linear: dim=0 of the (out, in) weight; row-parallel: dim=1.
    """
    return _wi.fill_shard_(local, init, global_shape, dim=dim, rank=rank, world=world, seed=seed,
                           stream_id=stream_id, layout=_LAYOUT)


# ---- whole modules -------------------------------------------------------------------------------

_SQRT5 = _math.sqrt(5.0)

#: Presets for init_module: name → function(module, param_name, param) → Initializer or None.
#: "pytorch": what PyTorch's reset_parameters does for Linear/Conv (kaiming_uniform(a=√5) weights,
#: U(±1/√fan_in) biases from the weight's fans), Embedding (N(0, 1)), MultiheadAttention's packed
#: in_proj (xavier_uniform, zero bias); norm layers' weights ones and biases zeros.
#: "megatron": every weight of rank >= 2 N(0, 0.02²), other weights ones, biases zeros.
#: "xavier": every weight of rank >= 2 xavier_uniform, other weights ones, biases zeros.


def _preset_pytorch(module, name, p):
    if isinstance(module, _torch.nn.Embedding) and name == "weight":
        return _core.normal(0.0, 1.0)
    if isinstance(module, _torch.nn.MultiheadAttention):
        if name == "in_proj_weight" or name.endswith("_proj_weight"):
            return _core.xavier_uniform(1.0)
        if name == "in_proj_bias":
            return _core.zeros()
    if isinstance(module, _torch.nn.modules.linear.NonDynamicallyQuantizableLinear) and \
            name == "bias":
        return _core.zeros()  # MultiheadAttention.out_proj: PyTorch sets its bias to 0
    return _generic(module, p, name, _core.he_uniform("fan_in", "leaky_relu", _SQRT5),
                    _core.bias_uniform())


def _generic(module, p, name, weight, bias):
    """weight for parameters of rank >= 2; bias for a bias beside such a weight, else zeros;
    ones for the other 1-D weights (norms); None (no rule) for anything else."""
    if p.dim() >= 2:
        return weight
    if name == "bias" or name.endswith("_bias"):
        w = getattr(module, "weight", None)
        return bias if isinstance(w, _torch.Tensor) and w.dim() >= 2 else _core.zeros()
    if name == "weight":
        return _core.ones()
    return None


PRESETS = {
    "pytorch": _preset_pytorch,
    "megatron": lambda m, n, p: _generic(m, p, n, _core.normal(0.0, 0.02), _core.zeros()),
    "xavier": lambda m, n, p: _generic(m, p, n, _core.xavier_uniform(1.0), _core.zeros()),
}


def _rules_of(rules):
    if isinstance(rules, dict):
        rules = list(rules.items())
    try:
        pairs = [(str(pattern), init) for pattern, init in rules]
    except (TypeError, ValueError):
        raise TypeError("weightinit.torch.init_module: rules must be a preset name (%s), a dict "
                        "{glob: init} or a list of (glob, init) pairs" % ", ".join(PRESETS)) from None
    return [(pattern, _wi._as_init(init, "torch.init_module")) for pattern, init in pairs]


def init_module(module, rules_or_preset, seed, *, stream_prefix="", preset=None):
    """Fills every parameter of ``module`` in place and returns the plan {name: (init, stream)}.

    rules_or_preset  a preset name ("pytorch", "megatron", "xavier": see PRESETS), or rules: a dict
                     {glob: init} or list of (glob, init) pairs matched against each parameter's
                     qualified name (fnmatch; first match wins); init is a SPEC or an Initializer.
                     A parameter no rule matches falls back to ``preset`` when given, else raises.
    seed             the model's seed (int in [0, 2**64)).
    stream_prefix    prepended to each name before hashing (e.g. a sub-model's path in a larger one).

    Each parameter's stream id is FNV-1a 64 of stream_prefix + its qualified name, so adding,
    removing or reordering modules never changes another parameter's values. A ``bias_uniform``
    bias takes its fans from the sibling ``weight`` of the same module, as PyTorch does. Shared
    parameters are filled once, under their first name.
    """
    fn = "torch.init_module"
    seed = _wi._u64(seed, "seed", fn)
    if isinstance(rules_or_preset, str):
        if rules_or_preset not in PRESETS:
            raise ValueError("weightinit.init_module: unknown preset '%s' (presets: %s)"
                             % (rules_or_preset, ", ".join(PRESETS)))
        rules, preset = [], rules_or_preset
    else:
        rules = _rules_of(rules_or_preset)
        if preset is not None and preset not in PRESETS:
            raise ValueError("weightinit.init_module: unknown preset '%s' (presets: %s)"
                             % (preset, ", ".join(PRESETS)))
    plan, unmatched, seen = {}, [], set()
    for mod_name, mod in module.named_modules():
        for pname, p in mod.named_parameters(recurse=False):
            if id(p) in seen:
                continue
            seen.add(id(p))
            qual = mod_name + "." + pname if mod_name else pname
            init = next((i for pattern, i in rules if _fnmatch.fnmatchcase(qual, pattern)), None)
            if init is None and preset is not None:
                init = PRESETS[preset](mod, pname, p)
            if init is None:
                unmatched.append(qual)
                continue
            fans = None
            if init.scheme == "bias_uniform":
                w = getattr(mod, "weight", None) if pname == "bias" else None
                if not isinstance(w, _torch.Tensor) or w.dim() < 2:
                    raise ValueError("weightinit.init_module: %s is bias_uniform but its module "
                                     "has no weight of rank >= 2 to take fans from" % qual)
                fans = _core.compute_fans(list(w.shape), _LAYOUT)[:2]
            plan[qual] = (init, _wi.fnv1a64(stream_prefix + qual), fans)
    if unmatched:
        raise ValueError("weightinit.init_module: no rule matches %s (add a rule such as "
                         "('*', 'zeros') or pass preset=)" % ", ".join(unmatched))
    params = dict((n, p) for n, p in module.named_parameters())
    for qual, (init, stream, fans) in plan.items():
        _fill(params[qual], init, seed, stream, "init_module", fans)
    return {qual: (init, stream) for qual, (init, stream, _) in plan.items()}
