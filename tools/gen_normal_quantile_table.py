#!/usr/bin/env python3
"""tools/gen_normal_quantile_table.py: writes kernels/normal_quantile_table.hpp, the coefficient table
of the f32 inverse normal CDF of value contract v2 (kernels/normal_quantile.hpp). Not run by the
build: the table is checked in and is part of the contract; rerunning this script must reproduce it
byte for byte (mpmath's arithmetic is deterministic). Needs mpmath (pip install mpmath).

Rows. A probability p in one of two regimes is split by binade and the next 4 mantissa bits:
  centre rows (0 .. 31*16-1):   p = d, the distance 1/2 - u, in [2^-b, 2^-b+1), b = 3 .. 33;
                                the row gives Phi^-1(1/2 - d)
  tail rows (31*16 .. +125*16): p = u in [2^-b, 2^-b+1), b = 3 .. 127; the row gives Phi^-1(u)
row = regime_base + (b - 3) * 16 + s, sub-interval s covers p = 2^-b (1 + (s + (t + 1) / 2) / 16),
t in [-1, 1]. Each row holds c0..c3 of z(t) = c0 + t (c1 + t (c2 + t c3)), the cubic interpolating
z at the four Chebyshev nodes of [-1, 1], computed with 50 significant digits and rounded to the
nearest float; then, so that z never decreases from one word to the next, where a row's first
word would round below the previous row's last word one of the two rows is tilted (make_monotone).
The C++ exhaustive test (tests/cpu/test_quantile.cpp) measures the resulting error.
Usage: tools/gen_normal_quantile_table.py > kernels/normal_quantile_table.hpp
"""
import sys
import mpmath as mp

SUBS = 16
CENTRE_BINADES = range(3, 34)
TAIL_BINADES = range(3, 128)
DEG = 3

mp.mp.dps = 50


def quantile(p):
    """Phi^-1(p) for 0 < p <= 1/2, to ~50 digits (erfinv at a precision that keeps 1 - 2p)."""
    p = mp.mpf(p)
    extra = int(-mp.log10(p)) + 10
    with mp.workdps(50 + extra):
        return -mp.sqrt(2) * mp.erfinv(1 - 2 * p)


def f32(x):
    """Nearest float32 of an mpf (24-bit significand, ties to even), as a Python float (exact)."""
    with mp.workprec(24):
        return float(+x)


def hexf(x):
    """A float32 value as a C++ hex float literal without trailing zeros: -0x1.50da58p-2f."""
    mant, exp = float.hex(x).split('p')
    if '.' in mant:
        mant = mant.rstrip('0').rstrip('.')
    return '%sp%sf' % (mant, exp)


def row(regime, b, s):
    lo = mp.mpf(2) ** -b * (1 + mp.mpf(s) / SUBS)
    width = mp.mpf(2) ** -b / SUBS

    def z(t):
        p = lo + width * (t + 1) / 2
        return quantile(p) if regime == 'tail' else quantile(mp.mpf(1) / 2 - p)

    nodes = [mp.cos(mp.pi * (k + mp.mpf(1) / 2) / (DEG + 1)) for k in range(DEG + 1)]
    a = mp.matrix([[x ** j for j in range(DEG + 1)] for x in nodes])
    c = mp.lu_solve(a, mp.matrix([z(x) for x in nodes]))
    return [f32(c[j]) for j in range(DEG + 1)]


# ---------------------------------------------------------------------------------------------
# Monotonicity of the word path. Neighbouring rows each miss the true value by up to an ulp, so at
# a row boundary the first word of the next row can round one ulp below the last word of the
# previous one. The pass below evaluates both boundary words exactly as the C++ does (float t,
# Horner with fma, each step rounded to float32) and raises the next row's c0 by one ulp until the
# step is not backwards, walking the rows in word order (z increases with w).

from fractions import Fraction


def round_f32(fr):
    """Fraction -> nearest float32 (ties to even, subnormals kept), as a Python float."""
    if fr == 0:
        return 0.0
    sign = -1 if fr < 0 else 1
    fr = abs(fr)
    e = fr.numerator.bit_length() - fr.denominator.bit_length()
    if Fraction(2) ** e > fr:
        e -= 1
    e = max(e, -126)
    scaled = fr / Fraction(2) ** (e - 23)
    q, r = divmod(scaled.numerator, scaled.denominator)
    if 2 * r > scaled.denominator or (2 * r == scaled.denominator and q % 2 == 1):
        q += 1
    return sign * float(Fraction(q) * Fraction(2) ** (e - 23))


def fma32(a, b, c):
    return round_f32(Fraction(a) * Fraction(b) + Fraction(c))


def eval32(c, t):
    return fma32(t, fma32(t, fma32(t, c[3], c[2]), c[1]), c[0])


def word_t(x, clz):
    """t of the word path for the odd integer x (v or 2^32 - v) with clz(x) = clz."""
    r = ((x << clz) << 1) & 0xffffffff
    f = ((r << 4) & 0xffffffff) ^ 0x80000000
    if f >= 0x80000000:
        f -= 1 << 32
    return round_f32(Fraction(f)) * 2.0 ** -31


def next_up32(x):
    import struct
    b = struct.unpack('<I', struct.pack('<f', x))[0]
    if x >= 0:
        b += 1
    else:
        b -= 1
    return struct.unpack('<f', struct.pack('<I', b))[0]


def word_order_rows():
    """(row, first x, last x) for every row the word path reaches, in increasing word order."""
    out = []
    # tail: x = v increasing, binade b = clz + 2 from 33 down to 3, s = 0 .. 15
    for clz in range(31, 0, -1):
        for s in range(SUBS):
            xs = [x for x in range(1 << (31 - clz), 1 << (32 - clz), 2)] if clz > 26 else None
            if xs is not None:  # small binades: list the odd members of this sub-interval
                xs = [x for x in xs if ((((x << clz) << 1) & 0xffffffff) >> 28) == s]
                if xs:
                    out.append((len(CENTRE_BINADES) * SUBS + (clz - 1) * SUBS + s, xs[0], xs[-1], clz))
                continue
            step = 1 << (31 - clz - 4)
            first = (1 << (31 - clz)) + s * step
            first |= 1
            last = ((1 << (31 - clz)) + (s + 1) * step - 1) | 1
            out.append((len(CENTRE_BINADES) * SUBS + (clz - 1) * SUBS + s, first, last, clz))
    # centre: x = e = 2^32 - v decreasing, so binade b from 3 to 33, s from 15 down to 0, and
    # within a row the first word has the largest e
    for clz in range(1, 32):
        for s in range(SUBS - 1, -1, -1):
            if clz > 26:
                xs = [x for x in range(1 << (31 - clz), 1 << (32 - clz), 2)
                      if ((((x << clz) << 1) & 0xffffffff) >> 28) == s]
                if xs:
                    out.append(((clz - 1) * SUBS + s, xs[-1], xs[0], clz))
                continue
            step = 1 << (31 - clz - 4)
            lo_x = ((1 << (31 - clz)) + s * step) | 1
            hi_x = ((1 << (31 - clz)) + (s + 1) * step - 1) | 1
            out.append(((clz - 1) * SUBS + s, hi_x, lo_x, clz))
    return out


def word_truth(row_index, x):
    """The exact z of the word whose integer (v or 2^32 - v) is x, for a row of that regime."""
    p = mp.mpf(x) * mp.mpf(2) ** -33
    return quantile(p) if row_index >= len(CENTRE_BINADES) * SUBS else quantile(mp.mpf(1) / 2 - p)


def make_monotone(coeffs):
    """Walks the rows in word order; where the first word of row b would round below the last
    word of row a, tilts whichever of the two is further from the true value at the boundary:
    c1 changes so that the row's first word (in word order) rises and its last word falls, which
    can only help its other boundary. Returns the number of rows tilted."""
    tilts = 0
    order = word_order_rows()
    for (ra, _, last_a, clz_a), (rb, first_b, _, clz_b) in zip(order, order[1:]):
        ta, tb = word_t(last_a, clz_a), word_t(first_b, clz_b)
        if eval32(coeffs[rb], tb) >= eval32(coeffs[ra], ta):
            continue
        too_high_a = float(mp.mpf(eval32(coeffs[ra], ta)) - word_truth(ra, last_a))
        too_low_b = float(word_truth(rb, first_b) - mp.mpf(eval32(coeffs[rb], tb)))
        r = rb if too_low_b >= too_high_a else ra
        sign = -1.0 if r >= len(CENTRE_BINADES) * SUBS else 1.0  # tail rows: first word at t = -1
        delta = (eval32(coeffs[ra], ta) - eval32(coeffs[rb], tb)) / 16  # the smallest tilt that works
        base = coeffs[r][1]
        while eval32(coeffs[rb], tb) < eval32(coeffs[ra], ta):
            coeffs[r][1] = round_f32(Fraction(base) + Fraction(sign * delta))
            delta *= 2
        tilts += 1
    return tilts


def main():
    rows = []
    for b in CENTRE_BINADES:
        for s in range(SUBS):
            rows.append(('centre', b, s, row('centre', b, s)))
    for b in TAIL_BINADES:
        for s in range(SUBS):
            rows.append(('tail', b, s, row('tail', b, s)))
    coeffs = [list(r[3]) for r in rows]
    tilts = make_monotone(coeffs)
    rows = [(r[0], r[1], r[2], c) for r, c in zip(rows, coeffs)]
    out = sys.stdout
    out.write('// kernels/normal_quantile_table.hpp: GENERATED by tools/gen_normal_quantile_table.py (mpmath,\n')
    out.write('// 50 digits; see that script for the row layout). Part of value contract v2: do not edit by hand.\n')
    out.write('// %d rows of {c0, c1, c2, c3}: %d centre rows (binades 3..33 of d = 1/2 - u), then %d tail rows\n'
              % (len(rows), len(CENTRE_BINADES) * SUBS, len(TAIL_BINADES) * SUBS))
    out.write('// (binades 3..127 of u), %d sub-intervals per binade; %d rows tilted for monotonicity.\n'
              % (SUBS, tilts))
    out.write('#pragma once\n\n')
    out.write('#define WEIGHTINIT_NQ_CENTRE_ROWS %d\n' % (len(CENTRE_BINADES) * SUBS))
    out.write('#define WEIGHTINIT_NQ_ROWS %d\n' % len(rows))
    out.write('// clang-format off\n#define WEIGHTINIT_NQ_TABLE_DATA \\\n')
    for i, (regime, b, s, c) in enumerate(rows):
        sep = ',' if i + 1 < len(rows) else ''
        out.write('  {%s}%s /* %s b=%d s=%d */ \\\n' % (', '.join(hexf(x) for x in c), sep,
                                                      regime, b, s))
    out.write('\n// clang-format on\n')


if __name__ == '__main__':
    main()
