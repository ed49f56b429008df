#!/usr/bin/env python3
"""bench/peers.py: how fast the initializers people use today fill GPU memory, for the same sizes
as weightinit_bench's GPU cases: PyTorch (torch.nn.init.normal_, kaiming_normal_, trunc_normal_,
uniform_, torch.randn; and our weightinit.torch's functions of the same names where the Python
module is importable), CuPy (cupy.random.standard_normal, cupy.random.random) and JAX
(jax.random.normal, jax.random.uniform), in f32 and bf16 (CuPy: f32 only, it has no bf16).

Each package is optional: one that is not installed, or that sees no CUDA device, is skipped with a
message, and the script still exits 0 ("peers: skipped: ..." as its last line when nothing ran).
Timing: one warm-up call, then --reps calls each between two CUDA events (PyTorch, CuPy; JAX has
no events: wall clock around a jitted call and block_until_ready), median reported; sizes whose
buffers do not fit in free device memory are skipped. Tensors are 2-D (n/1024, 1024), so
kaiming_normal_ sees fan_in 1024; trunc_normal_ is N(0, 1) on [-2, 2] like ours.

Usage: bench/peers.py [--sizes 20,24,27,30] [--reps 10] [--only torch,cupy,jax] [--json FILE]
                     [--time-limit S]
Prints a markdown table (ns/element, GB/s). bench/report --peers FILE puts it beside our fill.
--time-limit S starts no case after S seconds (the rest are listed as skipped), so a bounded run
still writes its JSON.
"""
import argparse
import datetime
import json
import os
import platform
import statistics
import sys
import time

BYTES = {"f32": 4, "bf16": 2}


def log(msg):
    print(msg, flush=True)


class OutOfTime(Exception):
    pass


class Runner:
    def __init__(self, reps, sizes, time_limit=None):
        self.reps, self.sizes = reps, sizes
        self.results, self.notes = [], []
        self.deadline = time.monotonic() + time_limit if time_limit else None

    def check_time(self):
        """Raises OutOfTime once the time limit has passed: called before each case."""
        if self.deadline is not None and time.monotonic() > self.deadline:
            raise OutOfTime()

    def add(self, peer, dist, dtype, n, ms, timing):
        ns = ms * 1e6 / n
        self.results.append({"peer": peer, "dist": dist, "dtype": dtype, "n": n, "ms_median": ms,
                             "ns_per_element": ns, "gb_s": BYTES[dtype] / ns, "reps": self.reps,
                             "timing": timing})
        log("  %-34s %-4s n=2^%-2d %9.3f ms  %7.3f ns/element  %7.1f GB/s"
            % (peer, dtype, n.bit_length() - 1, ms, ns, BYTES[dtype] / ns))

    def error(self, peer, dist, dtype, n, err):
        msg = "%s: %s" % (type(err).__name__, str(err).splitlines()[0][:200] if str(err) else "")
        self.results.append({"peer": peer, "dist": dist, "dtype": dtype, "n": n, "error": msg})
        log("  %-34s %-4s n=2^%-2d error: %s" % (peer, dtype, n.bit_length() - 1, msg))

    def skip(self, why, cases):
        self.notes.append(why)
        log("peers: %s, skipping the %s cases" % (why, cases))


# ---------------------------------------------------------------------------------------------
def run_torch(r):
    try:
        import torch
    except ImportError:
        r.skip("torch not installed", "PyTorch")
        return None
    if not torch.cuda.is_available():
        r.skip("no CUDA device (torch %s: torch.cuda.is_available() is False)" % torch.__version__,
               "PyTorch")
        return None
    dtypes = {"f32": torch.float32, "bf16": torch.bfloat16}
    init = torch.nn.init
    cases = [("torch.nn.init.normal_", "normal", lambda t: init.normal_(t)),
             ("torch.nn.init.kaiming_normal_", "kaiming_normal", lambda t: init.kaiming_normal_(t)),
             ("torch.nn.init.trunc_normal_", "trunc_normal",
              lambda t: init.trunc_normal_(t, mean=0.0, std=1.0, a=-2.0, b=2.0)),
             ("torch.nn.init.uniform_", "uniform", lambda t: init.uniform_(t)),
             ("torch.randn", "randn", None)]
    # Our Python entry point on the same tensors (weightinit.torch: torch.nn.init's names, our
    # kernels, the current stream), where the module is importable (python/; the device check puts
    # <build>/python on PYTHONPATH).
    try:
        import weightinit.torch as wt
        cases += [("weightinit.torch.normal_", "normal", lambda t: wt.normal_(t, seed=0, stream_id=1)),
                  ("weightinit.torch.kaiming_normal_", "kaiming_normal",
                   lambda t: wt.kaiming_normal_(t, seed=0, stream_id=1)),
                  ("weightinit.torch.trunc_normal_", "trunc_normal",
                   lambda t: wt.trunc_normal_(t, mean=0.0, std=1.0, a=-2.0, b=2.0, seed=0, stream_id=1)),
                  ("weightinit.torch.uniform_", "uniform", lambda t: wt.uniform_(t, seed=0, stream_id=1))]
    except ImportError as err:
        r.notes.append("weightinit.torch not importable (%s): its cases not run" % err)
        log("peers: %s" % r.notes[-1])

    def timed(fn):
        fn()
        torch.cuda.synchronize()
        ms = []
        for _ in range(r.reps):
            s, e = torch.cuda.Event(enable_timing=True), torch.cuda.Event(enable_timing=True)
            s.record()
            fn()
            e.record()
            e.synchronize()
            ms.append(s.elapsed_time(e))
        return statistics.median(ms)

    with torch.no_grad():
        for name, dist, f in cases:
            for dt, tdt in dtypes.items():
                for n in r.sizes:
                    r.check_time()
                    free = torch.cuda.mem_get_info()[0]
                    if n * BYTES[dt] * 2.5 > free:
                        log("  %-34s %-4s n=2^%-2d skipped: %.1f GiB free" % (name, dt, n.bit_length() - 1, free / 2**30))
                        continue
                    shape = (n // 1024, 1024) if n >= 1024 else (1, n)
                    try:
                        if f is None:
                            ms = timed(lambda: torch.randn(shape, device="cuda", dtype=tdt))
                        else:
                            t = torch.empty(shape, device="cuda", dtype=tdt)
                            ms = timed(lambda: f(t))
                            del t
                        r.add(name, dist, dt, n, ms, "cuda events")
                    except Exception as err:  # noqa: BLE001 - record and go on
                        r.error(name, dist, dt, n, err)
                    torch.cuda.empty_cache()
    return "torch %s (%s)" % (torch.__version__, torch.cuda.get_device_name(0))


def run_cupy(r):
    try:
        import cupy
    except ImportError:
        r.skip("cupy not installed", "CuPy")
        return None
    try:
        count = cupy.cuda.runtime.getDeviceCount()
    except Exception:  # noqa: BLE001 - CUDA driver errors have several types
        count = 0
    if count == 0:
        r.skip("no CUDA device (cupy %s sees none)" % cupy.__version__, "CuPy")
        return None
    pool = cupy.get_default_memory_pool()
    cases = [("cupy.random.standard_normal", "normal",
              lambda n: cupy.random.standard_normal(n, dtype=cupy.float32)),
             ("cupy.random.random", "uniform", lambda n: cupy.random.random(n, dtype=cupy.float32))]
    for name, dist, f in cases:
        for n in r.sizes:
            r.check_time()
            free = cupy.cuda.runtime.memGetInfo()[0]
            if n * 4 * 2.5 > free:
                log("  %-34s f32  n=2^%-2d skipped: %.1f GiB free" % (name, n.bit_length() - 1, free / 2**30))
                continue
            try:
                f(n)
                cupy.cuda.Device().synchronize()
                ms = []
                for _ in range(r.reps):
                    s, e = cupy.cuda.Event(), cupy.cuda.Event()
                    s.record()
                    f(n)
                    e.record()
                    e.synchronize()
                    ms.append(cupy.cuda.get_elapsed_time(s, e))
                r.add(name, dist, "f32", n, statistics.median(ms), "cuda events")
            except Exception as err:  # noqa: BLE001
                r.error(name, dist, "f32", n, err)
            pool.free_all_blocks()
    return "cupy %s" % cupy.__version__


def run_jax(r):
    # Before the import: JAX would otherwise take 75 % of device memory up front.
    os.environ.setdefault("XLA_PYTHON_CLIENT_PREALLOCATE", "false")
    try:
        import jax
        import jax.numpy as jnp
    except ImportError:
        r.skip("jax not installed", "JAX")
        return None
    try:
        gpus = [d for d in jax.devices() if d.platform in ("gpu", "cuda")]
    except Exception:  # noqa: BLE001
        gpus = []
    if not gpus:
        r.skip("no CUDA device (jax %s has no GPU backend here)" % jax.__version__, "JAX")
        return None
    dev = gpus[0]
    dtypes = {"f32": jnp.float32, "bf16": jnp.bfloat16}
    key = jax.device_put(jax.random.PRNGKey(0), dev)
    stats = getattr(dev, "memory_stats", lambda: None)() or {}
    limit = stats.get("bytes_limit")
    for name, dist, fn in (("jax.random.normal", "normal", jax.random.normal),
                           ("jax.random.uniform", "uniform", jax.random.uniform)):
        for dt, jdt in dtypes.items():
            for n in r.sizes:
                r.check_time()
                if limit and n * (BYTES[dt] + 4) * 2 > limit:
                    log("  %-34s %-4s n=2^%-2d skipped: does not fit" % (name, dt, n.bit_length() - 1))
                    continue
                try:
                    f = jax.jit(lambda k, n=n, jdt=jdt, fn=fn: fn(k, (n,), dtype=jdt))
                    f(key).block_until_ready()  # compiles; the warm-up
                    ms = []
                    for _ in range(r.reps):
                        t0 = time.perf_counter()
                        f(key).block_until_ready()
                        ms.append((time.perf_counter() - t0) * 1e3)
                    r.add(name, dist, dt, n, statistics.median(ms), "wall clock, jit")
                except Exception as err:  # noqa: BLE001
                    r.error(name, dist, dt, n, err)
    return "jax %s (%s, PRNG %s)" % (jax.__version__, dev.device_kind,
                                     jax.config.jax_default_prng_impl if hasattr(jax.config, "jax_default_prng_impl") else "?")


def markdown(results):
    lines = ["| peer | dtype | n | ms (median) | ns/element | GB/s |", "|---|---|---:|---:|---:|---:|"]
    for x in results:
        n = "2^%d" % (x["n"].bit_length() - 1)
        if "error" in x:
            lines.append("| %s | %s | %s | error: %s | | |" % (x["peer"], x["dtype"], n, x["error"]))
        else:
            lines.append("| %s | %s | %s | %.3f | %.4f | %.1f |" % (
                x["peer"], x["dtype"], n, x["ms_median"], x["ns_per_element"], x["gb_s"]))
    return "\n".join(lines)


def main(argv):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sizes", default="20,24,27,30",
                    help="log2 of the element counts (default 20,24,27,30: weightinit_bench's GPU sizes from 2^20)")
    ap.add_argument("--reps", type=int, default=10, help="timed calls per case (default 10)")
    ap.add_argument("--only", default="torch,cupy,jax", help="comma-separated subset of torch,cupy,jax")
    ap.add_argument("--json", metavar="FILE", help="also write the results as JSON (bench/report --peers)")
    ap.add_argument("--time-limit", type=float, metavar="S", help="start no case after S seconds")
    args = ap.parse_args(argv)
    try:
        sizes = [1 << int(e) for e in args.sizes.split(",") if e.strip()]
    except ValueError:
        ap.error("--sizes takes comma-separated exponents, e.g. 20,24,27,30")
    only = {p.strip() for p in args.only.split(",") if p.strip()}
    if not only <= {"torch", "cupy", "jax"} or args.reps < 1:
        ap.error("--only takes torch, cupy, jax; --reps at least 1")

    r = Runner(args.reps, sizes, args.time_limit)
    ctx = {"date": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
           "host": platform.node(), "python": platform.python_version()}
    for name, fn in (("torch", run_torch), ("cupy", run_cupy), ("jax", run_jax)):
        if name not in only:
            continue
        log("peers: %s" % name)
        try:
            got = fn(r)
        except OutOfTime:
            r.notes.append("time limit of %g s reached during %s: later cases not run" % (args.time_limit, name))
            log("peers: %s" % r.notes[-1])
            break
        except Exception as err:  # noqa: BLE001 - a broken install must not stop the others
            r.skip("%s failed (%s: %s)" % (name, type(err).__name__, err), name)
            got = None
        if got:
            ctx[name] = got
    timed = [x for x in r.results if "error" not in x]
    if r.results:
        log("")
        log(markdown(r.results))
        log("")
    if args.json:
        with open(args.json, "w") as f:
            json.dump({"context": ctx, "results": r.results, "skipped": r.notes}, f, indent=1)
    errors = len(r.results) - len(timed)
    if not r.results:
        log("peers: skipped: " + "; ".join(r.notes))
    else:
        log("peers: %d cases timed (%s)%s" % (len(timed), ", ".join(v for k, v in ctx.items() if k in only),
                                              ", %d errors" % errors if errors else ""))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
