"""python/bench/cpu_speed.py: the issue's CPU targets in one run, weightinit.torch beside
torch.nn.init on the same tensors: normal_ of a 2**24-element float32 tensor (throughput; target
>= 5x torch) and the per-call time of a 768-element fill (overhead; target <= 10 us).

    PYTHONPATH=build/python:python python python/bench/cpu_speed.py [--repeat N]
"""
import argparse
import os
import platform
import time

import torch

import weightinit
import weightinit.torch as wt


def best_of(fn, repeat, inner=1):
    best = float("inf")
    for _ in range(repeat):
        t0 = time.perf_counter()
        for _ in range(inner):
            fn()
        best = min(best, (time.perf_counter() - t0) / inner)
    return best


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--repeat", type=int, default=7)
    args = ap.parse_args()
    big = torch.empty(1 << 24)
    small = torch.empty(768)
    matrix = torch.empty(24, 32)
    print("machine: %s, %d cores, load %s; torch %s (%d threads); weightinit %s (%s)"
          % (platform.processor() or platform.machine(), os.cpu_count(),
             " ".join("%.1f" % x for x in os.getloadavg()), torch.__version__,
             torch.get_num_threads(), weightinit.__version__, weightinit.cpu_simd_path()))
    rows = []
    for label, ours, theirs, n, inner in [
        ("normal_ 2^24 f32", lambda: wt.normal_(big, seed=0, stream_id=1),
         lambda: torch.nn.init.normal_(big), 1 << 24, 1),
        ("normal_ 2^24 f32, one thread", lambda: weightinit.fill_(big, "normal", seed=0,
                                                                 stream_id=1, threads=1),
         lambda: torch.nn.init.normal_(big), 1 << 24, 1),
        ("normal_ 768 f32", lambda: wt.normal_(small, seed=0, stream_id=1),
         lambda: torch.nn.init.normal_(small), 768, 2000),
        ("xavier_uniform_ 768 f32 (24x32)", lambda: wt.xavier_uniform_(matrix, seed=0, stream_id=1),
         lambda: torch.nn.init.xavier_uniform_(matrix), 768, 2000),
    ]:
        ours(), theirs()  # warm up (thread pool, caches)
        t_ours = best_of(ours, args.repeat, inner)
        t_theirs = best_of(theirs, args.repeat, inner)
        rows.append((label, t_ours, t_theirs, n))
    print("%-34s %14s %14s %8s" % ("case", "weightinit", "torch.nn.init", "speedup"))
    for label, a, b, n in rows:
        fmt = (lambda t: "%9.3f ms" % (t * 1e3)) if n > 10000 else (lambda t: "%9.2f us" % (t * 1e6))
        print("%-34s %14s %14s %7.1fx   (%.2f Gelem/s ours)" % (label, fmt(a), fmt(b), b / a,
                                                               n / a / 1e9))


if __name__ == "__main__":
    main()
