// host/fill_host_simd.inl: the vectorized CPU fill for one instruction set. host/fill_host.cpp
// includes it once per target inside `#pragma GCC target(...)` with WEIGHTINIT_SIMD_NS (namespace)
// and WEIGHTINIT_SIMD_WIDTH (32-bit lanes: 8 = AVX2, 16 = AVX-512) defined; no include guard.
// Every function below is the lane-wise transcription of kernels/transforms.hpp / element.hpp: the
// same IEEE operations in the same order, branches turned into selects. Change them together.

#ifndef WEIGHTINIT_SIMD_INLINE
// The math must inline into the batch loops: out of line, every vector would pass through memory.
#define WEIGHTINIT_SIMD_INLINE inline __attribute__((always_inline))
#endif

namespace WEIGHTINIT_SIMD_NS {

constexpr int W = WEIGHTINIT_SIMD_WIDTH;  // 32-bit lanes = Philox blocks per batch
constexpr int D = W / 2;                  // 64-bit lanes

typedef float vf __attribute__((vector_size(4 * W)));
typedef std::int32_t vi __attribute__((vector_size(4 * W)));
typedef std::uint32_t vu __attribute__((vector_size(4 * W)));
typedef double vd __attribute__((vector_size(4 * W)));
typedef std::int64_t vl __attribute__((vector_size(4 * W)));
typedef std::uint64_t vq __attribute__((vector_size(4 * W)));
typedef std::uint16_t vh __attribute__((vector_size(2 * W)));

// ---------------------------------------------------------------------------------------------
// The only instruction-set-specific operations: fused multiply-add and square root (both correctly
// rounded, like fmaf/sqrtf) and the 32x32->64 multiply of the even 32-bit lanes. GCC lowers all
// other vector-extension operators (+ - * /, compares, ?:, shifts, shuffles) for the target.

#if WEIGHTINIT_SIMD_WIDTH == 8
WEIGHTINIT_SIMD_INLINE vf fma_v(vf a, vf b, vf c) {
  return (vf)_mm256_fmadd_ps((__m256)a, (__m256)b, (__m256)c);
}
WEIGHTINIT_SIMD_INLINE vd fma_v(vd a, vd b, vd c) {
  return (vd)_mm256_fmadd_pd((__m256d)a, (__m256d)b, (__m256d)c);
}
WEIGHTINIT_SIMD_INLINE vf sqrt_v(vf a) { return (vf)_mm256_sqrt_ps((__m256)a); }
WEIGHTINIT_SIMD_INLINE vd sqrt_v(vd a) { return (vd)_mm256_sqrt_pd((__m256d)a); }
WEIGHTINIT_SIMD_INLINE vq mul_even(vu a, vu b) {
  return (vq)_mm256_mul_epu32((__m256i)a, (__m256i)b);
}
#elif WEIGHTINIT_SIMD_WIDTH == 16
WEIGHTINIT_SIMD_INLINE vf fma_v(vf a, vf b, vf c) {
  return (vf)_mm512_fmadd_ps((__m512)a, (__m512)b, (__m512)c);
}
WEIGHTINIT_SIMD_INLINE vd fma_v(vd a, vd b, vd c) {
  return (vd)_mm512_fmadd_pd((__m512d)a, (__m512d)b, (__m512d)c);
}
// The mask forms with every lane selected: the plain ones start from _mm512_undefined_*, which
// GCC 12 reports as uninitialized (-Wuninitialized, GCC PR 105593).
WEIGHTINIT_SIMD_INLINE vf sqrt_v(vf a) {
  return (vf)_mm512_mask_sqrt_ps((__m512)a, 0xffff, (__m512)a);
}
WEIGHTINIT_SIMD_INLINE vd sqrt_v(vd a) {
  return (vd)_mm512_mask_sqrt_pd((__m512d)a, 0xff, (__m512d)a);
}
WEIGHTINIT_SIMD_INLINE vq mul_even(vu a, vu b) {
  return (vq)_mm512_mask_mul_epu32((__m512i)a, 0xff, (__m512i)a, (__m512i)b);
}
#else
#error "WEIGHTINIT_SIMD_WIDTH must be 8 or 16"
#endif

// Every lane = c, bit for bit (also -0.0 and NaN).
template <class V, class S>
WEIGHTINIT_SIMD_INLINE V splat(S c) {
  V v;
  for (int i = 0; i < static_cast<int>(sizeof(V) / sizeof(S)); ++i) v[i] = c;
  return v;
}

// Interleaves: zip_lo(a, b) = a0 b0 a1 b1 ... (first halves), zip_hi the second halves.
template <int Half, std::size_t... I>
WEIGHTINIT_SIMD_INLINE vf zip_f(vf a, vf b, std::index_sequence<I...>) {
  return __builtin_shuffle(a, b,
                           vi{static_cast<std::int32_t>((I % 2 ? W : 0) + Half * D + I / 2)...});
}
template <int Half, std::size_t... I>
WEIGHTINIT_SIMD_INLINE vd zip_d(vd a, vd b, std::index_sequence<I...>) {
  return __builtin_shuffle(
      a, b, vl{static_cast<std::int64_t>((I % 2 ? D : 0) + Half * (D / 2) + I / 2)...});
}
WEIGHTINIT_SIMD_INLINE vf zip_lo(vf a, vf b) {
  return zip_f<0>(a, b, std::make_index_sequence<W>());
}
WEIGHTINIT_SIMD_INLINE vf zip_hi(vf a, vf b) {
  return zip_f<1>(a, b, std::make_index_sequence<W>());
}
WEIGHTINIT_SIMD_INLINE vd zip_lo(vd a, vd b) {
  return zip_d<0>(a, b, std::make_index_sequence<D>());
}
WEIGHTINIT_SIMD_INLINE vd zip_hi(vd a, vd b) {
  return zip_d<1>(a, b, std::make_index_sequence<D>());
}

// o[j] holds word/element j of W consecutive blocks (lane = block); m gets them in memory order.
WEIGHTINIT_SIMD_INLINE void interleave4(const vf o[4], vf m[4]) {
  const vf a_lo = zip_lo(o[0], o[2]), a_hi = zip_hi(o[0], o[2]);
  const vf b_lo = zip_lo(o[1], o[3]), b_hi = zip_hi(o[1], o[3]);
  m[0] = zip_lo(a_lo, b_lo);
  m[1] = zip_hi(a_lo, b_lo);
  m[2] = zip_lo(a_hi, b_hi);
  m[3] = zip_hi(a_hi, b_hi);
}

// ---------------------------------------------------------------------------------------------
// Conversions with the rounding of static_cast (round to nearest even), from exact pieces.

WEIGHTINIT_SIMD_INLINE vf to_f32(vi v) { return __builtin_convertvector(v, vf); }
// float(w) for uint32 w: both halves convert exactly and hi * 2^16 is exact, so the fma rounds
// once, to static_cast<float>(w).
WEIGHTINIT_SIMD_INLINE vf u32_to_f32(vu w) {
  return fma_v(to_f32((vi)(w >> 16)), splat<vf>(65536.0f), to_f32((vi)(w & 0xffffu)));
}
// The low 32 bits of each lane as a double, exactly (2^52 + lo, minus 2^52).
WEIGHTINIT_SIMD_INLINE vd low32_to_f64(vq v) {
  return (vd)((v & 0xffffffffu) | 0x4330000000000000u) - 0x1p52;
}
// double(v): high part times 2^32 (exact) plus the low part (exact); the sum rounds once.
WEIGHTINIT_SIMD_INLINE vd u64_to_f64(vq v) {
  return low32_to_f64(v >> 32) * 0x1p32 + low32_to_f64(v);
}
WEIGHTINIT_SIMD_INLINE vd i64_to_f64(vl v) {
  const vd hi = (vd)((v >> 32) + 0x4338000000000000) - 0x1.8p52;  // signed, |hi| < 2^31: exact
  return hi * 0x1p32 + low32_to_f64((vq)v);
}

// ---------------------------------------------------------------------------------------------
// Philox4x32-10 for W consecutive blocks (weightinit/philox.hpp). Inside the rounds each 32-bit
// word lives in the low half of a 64-bit lane, even blocks in one vector and odd blocks in another:
// the 32x32->64 multiply then leaves lo in the low half and hi one shift away, and the counter's
// carry into its high word is a 64-bit add. The high halves carry junk that no multiply reads and
// the final packing drops.

struct round_keys {
  vq k0[10], k1[10];  // the round keys, one per lane
  vq stream_lo, stream_hi;
};
inline round_keys make_round_keys(key k) {
  round_keys r;
  std::uint32_t k0 = static_cast<std::uint32_t>(k.seed),
                k1 = static_cast<std::uint32_t>(k.seed >> 32);
  for (int i = 0; i < 10; ++i) {
    r.k0[i] = splat<vq>(std::uint64_t{k0});
    r.k1[i] = splat<vq>(std::uint64_t{k1});
    k0 += 0x9E3779B9u;
    k1 += 0xBB67AE85u;
  }
  r.stream_lo = splat<vq>(static_cast<std::uint64_t>(static_cast<std::uint32_t>(k.stream)));
  r.stream_hi = splat<vq>(k.stream >> 32);
  return r;
}

struct words_v {
  vu x, y, z, w;
};

// 32-bit lane 2i of `even` and of `odd` -> lanes 2i and 2i+1 of the result.
template <std::size_t... I>
WEIGHTINIT_SIMD_INLINE vu pack_low_halves(vq even, vq odd, std::index_sequence<I...>) {
  return __builtin_shuffle((vu)even, (vu)odd,
                           vu{static_cast<std::uint32_t>(I % 2 ? W + I - 1 : I)...});
}

// Blocks first, first+2, ... (parity 0) or first+1, first+3, ... (parity 1).
WEIGHTINIT_SIMD_INLINE void philox_half(const round_keys& k, vq block, vq& x, vq& y, vq& z, vq& w) {
  x = block;
  y = block >> 32;
  z = k.stream_lo;
  w = k.stream_hi;
  for (int r = 0; r < 10; ++r) {
    const vq p0 = mul_even((vu)x, splat<vu>(0xD2511F53u));
    const vq p1 = mul_even((vu)z, splat<vu>(0xCD9E8D57u));
    x = (p1 >> 32) ^ y ^ k.k0[r];
    y = p1;
    z = (p0 >> 32) ^ w ^ k.k1[r];
    w = p0;
  }
}

WEIGHTINIT_SIMD_INLINE vq iota2_q() {  // 0, 2, 4, ...
  vq v;
  for (int i = 0; i < D; ++i) v[i] = static_cast<std::uint64_t>(2 * i);
  return v;
}

WEIGHTINIT_SIMD_INLINE words_v philox_v(const round_keys& k, std::uint64_t b) {
  const vq even = splat<vq>(b) + iota2_q();
  vq xe, ye, ze, we, xo, yo, zo, wo;
  philox_half(k, even, xe, ye, ze, we);
  philox_half(k, even + 1u, xo, yo, zo, wo);
  const auto seq = std::make_index_sequence<W>();
  return {pack_low_halves(xe, xo, seq), pack_low_halves(ye, yo, seq), pack_low_halves(ze, zo, seq),
          pack_low_halves(we, wo, seq)};
}

// ---------------------------------------------------------------------------------------------
// Uniforms (kernels/transforms.hpp, same names without the suffix).

WEIGHTINIT_SIMD_INLINE vf symmetric_v(vu w) {
  const vi k = (vi)(w >> 9);
  return to_f32(2 * k + 1 - (1 << 23)) * 0x1p-23f;
}
WEIGHTINIT_SIMD_INLINE vd symmetric_v(vq x) {
  const vl k = (vl)(x >> 12);
  return i64_to_f64(2 * k + 1 - (std::int64_t{1} << 52)) * 0x1p-52;
}

// ---------------------------------------------------------------------------------------------
// The f32 quantile table (kernels/normal_quantile.hpp): rows gathered lane by lane (one 16-byte
// load per lane, then a 4x4 transpose inside each 128-bit lane), Horner with fma.

#if WEIGHTINIT_SIMD_WIDTH == 8
// Lane l's row goes to 128-bit half l / 4 of register l % 4.
WEIGHTINIT_SIMD_INLINE void gather_rows(vu idx, vf& c0, vf& c1, vf& c2, vf& c3) {
  alignas(32) std::uint32_t i[8];
  std::memcpy(i, &idx, sizeof i);
  const float* t = &xf::nq::host_rows[0][0];
  __m256 r[4];
  for (int k = 0; k < 4; ++k)
    r[k] = _mm256_insertf128_ps(_mm256_castps128_ps256(_mm_load_ps(t + 4 * i[k])),
                                _mm_load_ps(t + 4 * i[k + 4]), 1);
  const __m256 t0 = _mm256_unpacklo_ps(r[0], r[1]), t1 = _mm256_unpacklo_ps(r[2], r[3]);
  const __m256 t2 = _mm256_unpackhi_ps(r[0], r[1]), t3 = _mm256_unpackhi_ps(r[2], r[3]);
  c0 = (vf)_mm256_castpd_ps(_mm256_unpacklo_pd(_mm256_castps_pd(t0), _mm256_castps_pd(t1)));
  c1 = (vf)_mm256_castpd_ps(_mm256_unpackhi_pd(_mm256_castps_pd(t0), _mm256_castps_pd(t1)));
  c2 = (vf)_mm256_castpd_ps(_mm256_unpacklo_pd(_mm256_castps_pd(t2), _mm256_castps_pd(t3)));
  c3 = (vf)_mm256_castpd_ps(_mm256_unpackhi_pd(_mm256_castps_pd(t2), _mm256_castps_pd(t3)));
}
// Leading zeros of x in [1, 2^31): the exponent of float(x), exact after dropping 8 low bits of
// values >= 2^24 (AVX2 has no vector lzcnt).
WEIGHTINIT_SIMD_INLINE vu clz_v(vu x) {
  const vi big = (vi)x >= (1 << 24);
  const vu y = big ? x >> 8 : x;
  const vi e = (vi)((vu)to_f32((vi)y) >> 23) - 127 + (big & 8);
  return (vu)(31 - e);
}
#else
// Lane l's row goes to 128-bit quarter l / 4 of register l % 4. (Mask forms with every lane
// selected and a zero-extending cast: the plain forms start from _mm512_undefined_*, GCC PR
// 105593.)
WEIGHTINIT_SIMD_INLINE void gather_rows(vu idx, vf& c0, vf& c1, vf& c2, vf& c3) {
  alignas(64) std::uint32_t i[16];
  std::memcpy(i, &idx, sizeof i);
  const float* t = &xf::nq::host_rows[0][0];
  __m512 r[4];
  for (int k = 0; k < 4; ++k) {
    __m512 v = _mm512_zextps128_ps512(_mm_load_ps(t + 4 * i[k]));
    v = _mm512_mask_insertf32x4(v, 0xffff, v, _mm_load_ps(t + 4 * i[k + 4]), 1);
    v = _mm512_mask_insertf32x4(v, 0xffff, v, _mm_load_ps(t + 4 * i[k + 8]), 2);
    r[k] = _mm512_mask_insertf32x4(v, 0xffff, v, _mm_load_ps(t + 4 * i[k + 12]), 3);
  }
  const __m512 t0 = _mm512_mask_unpacklo_ps(r[0], 0xffff, r[0], r[1]);
  const __m512 t1 = _mm512_mask_unpacklo_ps(r[2], 0xffff, r[2], r[3]);
  const __m512 t2 = _mm512_mask_unpackhi_ps(r[0], 0xffff, r[0], r[1]);
  const __m512 t3 = _mm512_mask_unpackhi_ps(r[2], 0xffff, r[2], r[3]);
  const __m512d d0 = _mm512_castps_pd(t0), d1 = _mm512_castps_pd(t1);
  const __m512d d2 = _mm512_castps_pd(t2), d3 = _mm512_castps_pd(t3);
  c0 = (vf)_mm512_castpd_ps(_mm512_mask_unpacklo_pd(d0, 0xff, d0, d1));
  c1 = (vf)_mm512_castpd_ps(_mm512_mask_unpackhi_pd(d0, 0xff, d0, d1));
  c2 = (vf)_mm512_castpd_ps(_mm512_mask_unpacklo_pd(d2, 0xff, d2, d3));
  c3 = (vf)_mm512_castpd_ps(_mm512_mask_unpackhi_pd(d2, 0xff, d2, d3));
}
WEIGHTINIT_SIMD_INLINE vu clz_v(vu x) {
  return (vu)_mm512_mask_lzcnt_epi32((__m512i)x, 0xffff, (__m512i)x);
}
#endif

WEIGHTINIT_SIMD_INLINE vf nq_eval_v(vu idx, vf t) {
  vf c0, c1, c2, c3;
  gather_rows(idx, c0, c1, c2, c3);
  return fma_v(t, fma_v(t, fma_v(t, c3, c2), c1), c0);
}

// xf::normal_f32: the nearer tail by the sign bit, then normal_quantile_lower_word.
WEIGHTINIT_SIMD_INLINE vf normal_v(vu w) {
  const vu upper = (vu)((vi)w < 0);  // all ones where the top bit is set
  const vu wl = w ^ upper;
  const vu v = 2u * wl + 1u;
  const vu centre = (vu)((vi)v < 0);   // v >= 2^31
  const vu x = (v ^ centre) - centre;  // centre ? 2^32 - v : v
  const vu c = clz_v(x);
  const vu r = (x << c) << 1u;
  const vu idx = (~centre & xf::nq::centre_rows) + ((c - 1u) << xf::nq::subs_log2) + (r >> 28);
  const vf t = to_f32((vi)((r << 4) ^ 0x80000000u)) * 0x1p-31f;
  const vf z = nq_eval_v(idx, t);
  return (vf)((vu)z ^ (upper & 0x80000000u));
}

// ---------------------------------------------------------------------------------------------
// Half-width pieces for the truncated normal's double arithmetic on f32 lanes.

typedef std::uint32_t vu_h __attribute__((vector_size(2 * W)));
typedef float vf_h __attribute__((vector_size(2 * W)));

WEIGHTINIT_SIMD_INLINE void split_u(vu w, vq& lo, vq& hi) {
  vu_h a, b;
  std::memcpy(&a, &w, sizeof a);
  std::memcpy(&b, reinterpret_cast<const char*>(&w) + sizeof a, sizeof b);
  lo = __builtin_convertvector(a, vq);
  hi = __builtin_convertvector(b, vq);
}
WEIGHTINIT_SIMD_INLINE vu join_u(vq lo, vq hi) {
  const vu_h a = __builtin_convertvector(lo, vu_h), b = __builtin_convertvector(hi, vu_h);
  vu r;
  std::memcpy(&r, &a, sizeof a);
  std::memcpy(reinterpret_cast<char*>(&r) + sizeof a, &b, sizeof b);
  return r;
}
WEIGHTINIT_SIMD_INLINE vf join_f(vd lo, vd hi) {
  const vf_h a = __builtin_convertvector(lo, vf_h), b = __builtin_convertvector(hi, vf_h);
  vf r;
  std::memcpy(&r, &a, sizeof a);
  std::memcpy(reinterpret_cast<char*>(&r) + sizeof a, &b, sizeof b);
  return r;
}

// ---------------------------------------------------------------------------------------------
// normal_quantile_f64 (Wichura AS 241) on exact p and d = 1/2 - p: the three branches share one
// pair of degree-7 polynomials whose coefficients each lane selects (central, r <= 5, r > 5).

template <class S>
struct as241 {
  static constexpr S num[3][8] = {
      {S(3.3871328727963666080e0), S(1.3314166789178437745e+2), S(1.9715909503065514427e+3),
       S(1.3731693765509461125e+4), S(4.5921953931549871457e+4), S(6.7265770927008700853e+4),
       S(3.3430575583588128105e+4), S(2.5090809287301226727e+3)},
      {S(1.42343711074968357734e0), S(4.63033784615654529590e0), S(5.76949722146069140550e0),
       S(3.64784832476320460504e0), S(1.27045825245236838258e0), S(2.41780725177450611770e-1),
       S(2.27238449892691845833e-2), S(7.74545014278341407640e-4)},
      {S(6.65790464350110377720e0), S(5.46378491116411436990e0), S(1.78482653991729133580e0),
       S(2.96560571828504891230e-1), S(2.65321895265761230930e-2), S(1.24266094738807843860e-3),
       S(2.71155556874348757815e-5), S(2.01033439929228813265e-7)}};
  static constexpr S den[3][8] = {
      {S(1), S(4.2313330701600911252e+1), S(6.8718700749205790830e+2), S(5.3941960214247511077e+3),
       S(2.1213794301586595867e+4), S(3.9307895800092710610e+4), S(2.8729085735721942674e+4),
       S(5.2264952788528545610e+3)},
      {S(1), S(2.05319162663775882187e0), S(1.67638483018380384940e0), S(6.89767334985100004550e-1),
       S(1.48103976427480074590e-1), S(1.51986665636164571966e-2), S(5.47593808499534494600e-4),
       S(1.05075007164441684324e-9)},
      {S(1), S(5.99832206555887937690e-1), S(1.36929880922735805310e-1),
       S(1.48753612908506148525e-2), S(7.86869131145613259100e-4), S(1.84631831751005468180e-5),
       S(1.42151175831644588870e-7), S(2.04426310338993978564e-15)}};
};

// horner8 with per-lane coefficients c[region][i] chosen by two masks.
template <class V, class M>
WEIGHTINIT_SIMD_INLINE V select3(M central, M near, const double (&c)[3][8], int i) {
  return central ? splat<V>(c[0][i]) : (near ? splat<V>(c[1][i]) : splat<V>(c[2][i]));
}
template <class V, class M>
WEIGHTINIT_SIMD_INLINE V horner8_v(V x, M central, M near, const double (&c)[3][8]) {
  V p = fma_v(x, select3<V>(central, near, c, 7), select3<V>(central, near, c, 6));
  for (int i = 5; i >= 1; --i) p = fma_v(x, p, select3<V>(central, near, c, i));
  return fma_v(x, p, select3<V>(central, near, c, 0));
}

WEIGHTINIT_SIMD_INLINE vd log_v(vd x) {
  vq b = (vq)x;
  const vl sub = b < 0x0010000000000000ull;
  b = sub ? (vq)(x * 0x1p54) : b;
  vl e = sub ? splat<vl>(std::int64_t{-54}) : splat<vl>(std::int64_t{0});
  e += (vl)(b >> 52) - 1023;
  vq mb = (b & 0x000fffffffffffffull) | 0x3ff0000000000000ull;
  const vl big = mb > 0x3ff6a09e667f3bccull;
  mb = big ? mb - 0x0010000000000000ull : mb;
  e = big ? e + 1 : e;
  const vd f = (vd)mb - 1.0;
  const vd s = f / (2.0 + f);
  const vd z = s * s;
  vd r = fma_v(z, splat<vd>(2.0 / 23), splat<vd>(2.0 / 21));
  r = fma_v(z, r, splat<vd>(2.0 / 19));
  r = fma_v(z, r, splat<vd>(2.0 / 17));
  r = fma_v(z, r, splat<vd>(2.0 / 15));
  r = fma_v(z, r, splat<vd>(2.0 / 13));
  r = fma_v(z, r, splat<vd>(2.0 / 11));
  r = fma_v(z, r, splat<vd>(2.0 / 9));
  r = fma_v(z, r, splat<vd>(2.0 / 7));
  r = fma_v(z, r, splat<vd>(2.0 / 5));
  r = fma_v(z, r, splat<vd>(2.0 / 3));
  r = r * z;
  const vd corr = s * (f - r);
  const vd ed = i64_to_f64(e);
  const vd hi = fma_v(ed, splat<vd>(0x1.62e42feep-1), f);
  const vd lo = fma_v(ed, splat<vd>(0x1.a39ef35793c76p-33), -corr);
  return hi + lo;
}

WEIGHTINIT_SIMD_INLINE vd normal_quantile_f64_v(vd p, vd d) {
  const vl central = d <= 0.425;
  const vd q = -d;
  const vd r_central = fma_v(-q, q, splat<vd>(0.180625));
  vd r_tail = sqrt_v(-log_v(p));
  const vl near = r_tail <= 5.0;
  r_tail = near ? r_tail - 1.6 : r_tail - 5.0;
  const vd r = central ? r_central : r_tail;
  const vd num = horner8_v(r, central, near, as241<double>::num);
  const vd den = horner8_v(r, central, near, as241<double>::den);
  return central ? q * num / den : -(num / den);
}

// xf::normal_f64.
WEIGHTINIT_SIMD_INLINE vd normal_v(vq x) {
  const vq upper = (vq)((vl)x < 0);
  const vq k = ((x ^ upper) >> 11) & 0x000fffffffffffffull;
  const vd p = i64_to_f64((vl)(2u * k + 1u)) * 0x1p-54;
  const vd d = i64_to_f64((vl)(2u * (0x000fffffffffffffull - k) + 1u)) * 0x1p-54;
  const vd z = normal_quantile_f64_v(p, d);
  return (vd)((vq)z ^ (upper & 0x8000000000000000ull));
}

// ---------------------------------------------------------------------------------------------
// Distributions (kernels/element.hpp): prepared<S> as vectors.

template <class V>
struct consts {
  V value, mid, half, mean, stddev, alpha, beta, lo, hi;
  vd p_alpha, q_beta, d_alpha, width;  // double for both precisions (kernels/element.hpp)
};
template <class V, class S>
WEIGHTINIT_SIMD_INLINE consts<V> make_consts(const prepared<S>& p) {
  return {splat<V>(p.value),  splat<V>(p.mid),      splat<V>(p.half),    splat<V>(p.mean),
          splat<V>(p.stddev), splat<V>(p.alpha),    splat<V>(p.beta),    splat<V>(p.lo),
          splat<V>(p.hi),     splat<vd>(p.p_alpha), splat<vd>(p.q_beta), splat<vd>(p.d_alpha),
          splat<vd>(p.width)};
}

// xf::clamp_ lane by lane: x < lo ? lo : x, then > hi ? hi.
template <class V>
WEIGHTINIT_SIMD_INLINE V clamp_v(V x, V lo, V hi) {
  const V y = x < lo ? lo : x;
  return y > hi ? hi : y;
}

// truncated_normal_f32 for D lanes of words (as 64-bit lanes): the side, its double argument and
// the lanes' table index and t; the float polynomial runs on all W lanes at once afterwards.
struct tn_half {
  vq idx;     // table row (low 32 bits)
  vd t;       // t before its rounding to float
  vd series;  // the tiny-d series, as double before its rounding to float
  vl use_series, negate;
};
WEIGHTINIT_SIMD_INLINE tn_half truncated_half(const consts<vf>& c, vq w) {
  const vd u = low32_to_f64(w) * 0x1p-32 + 0x1p-33;    // (2w+1) 2^-33, exact
  const vd u1 = low32_to_f64(~w) * 0x1p-32 + 0x1p-33;  // (2(~w)+1) 2^-33 = 1 - u, exact
  const vd lower = fma_v(u, c.width, c.p_alpha);
  const vd upper = fma_v(u1, c.width, c.q_beta);
  const vd d = fma_v(-u, c.width, c.d_alpha);
  const vl tail_lo = lower < 0.25;
  const vl tail_hi = ~tail_lo & (lower > 0.75);
  const vl centre = ~(tail_lo | tail_hi);
  const vl d_neg = d < 0.0;
  const vd ad = d_neg ? -d : d;
  vd a = tail_lo ? lower : (tail_hi ? upper : ad);
  tn_half h;
  h.use_series = centre & (a < 0x1p-33);
  h.negate = tail_hi | (centre & d_neg);
  h.series = -(a * fma_v(a * a, splat<vd>(2.6250660372309563), splat<vd>(2.5066282746310002)));
  // normal_quantile_tail_from / _centre_from: clamp into the table's range, then nq_eval_double.
  // (Centre lanes below 2^-33 take the series; they are moved into the table only to keep their
  // unused row index in range.)
  a = centre ? (h.use_series ? splat<vd>(0x1p-33) : a) : (a < 0x1p-127 ? splat<vd>(0x1p-127) : a);
  a = a > 0x1.fffffffffffffp-3 ? splat<vd>(0x1.fffffffffffffp-3) : a;
  const vq b = (vq)a;
  const vq e = b >> 52;
  const vq sub = (b >> 48) & 15u;
  const vd m = (vd)((b & 0x000fffffffffffffull) | 0x3ff0000000000000ull);
  h.t = (m - 1.0) * 32.0 - low32_to_f64(2u * sub + 1u);
  h.idx = ((vq)~centre & xf::nq::centre_rows) + ((1023u - e - 3u) << xf::nq::subs_log2) + sub;
  return h;
}

WEIGHTINIT_SIMD_INLINE vf truncated_normal_v(const consts<vf>& c, vu w) {
  vq wl, wh;
  split_u(w, wl, wh);
  const tn_half a = truncated_half(c, wl), b = truncated_half(c, wh);
  const vf t = join_f(a.t, b.t);
  const vf zt = nq_eval_v(join_u(a.idx, b.idx), t);
  const vf zs = join_f(a.series, b.series);
  const vu use_series = join_u((vq)a.use_series, (vq)b.use_series);
  const vu negate = join_u((vq)a.negate, (vq)b.negate);
  vf z = use_series != 0u ? zs : zt;
  z = (vf)((vu)z ^ (negate & 0x80000000u));
  const vf x = clamp_v(z, c.alpha, c.beta);
  return clamp_v(fma_v(c.stddev, x, c.mean), c.lo, c.hi);
}

// truncated_normal_f64.
WEIGHTINIT_SIMD_INLINE vd truncated_normal_v(const consts<vd>& c, vq x) {
  const vq k = x >> 11;
  const vd u = i64_to_f64((vl)(2u * k + 1u)) * 0x1p-54;
  const vd u1 = i64_to_f64((vl)(2u * (0x001fffffffffffffull - k) + 1u)) * 0x1p-54;
  const vd lower = fma_v(u, c.width, c.p_alpha);
  const vd q = fma_v(u1, c.width, c.q_beta);
  const vd d = fma_v(-u, c.width, c.d_alpha);
  const vl tail_lo = lower < 0.25;
  const vl tail_hi = ~tail_lo & (lower > 0.75);
  const vl centre = ~(tail_lo | tail_hi);
  const vl d_neg = d < 0.0;
  const vd ad = d_neg ? -d : d;
  const vd p = tail_lo ? lower : (tail_hi ? q : 0.5 - ad);
  const vd dd = tail_lo ? 0.5 - lower : (tail_hi ? 0.5 - q : ad);
  vd z = normal_quantile_f64_v(p, dd);
  z = (tail_hi | (centre & d_neg)) ? -z : z;
  const vd y = clamp_v(z, c.alpha, c.beta);
  return clamp_v(fma_v(c.stddev, y, c.mean), c.lo, c.hi);
}

// block_values (f32) for W blocks: o[j] = element j of each block (lane = block).
template <distribution_kind K>
WEIGHTINIT_SIMD_INLINE void values_f32(const consts<vf>& c, const words_v& w, vf o[4]) {
  const vu ws[4] = {w.x, w.y, w.z, w.w};
  for (int j = 0; j < 4; ++j) {
    if constexpr (K == distribution_kind::constant) {
      o[j] = c.value;
    } else if constexpr (K == distribution_kind::uniform) {
      o[j] = clamp_v(fma_v(c.half, symmetric_v(ws[j]), c.mid), c.lo, c.hi);
    } else if constexpr (K == distribution_kind::normal) {
      o[j] = fma_v(c.stddev, normal_v(ws[j]), c.mean);
    } else {
      o[j] = truncated_normal_v(c, ws[j]);
    }
  }
}

// block_values (f64) for D blocks whose 64-bit halves are x0 (words x, y) and x1 (words z, w):
// e0 / e1 = elements 2b / 2b+1.
template <distribution_kind K>
WEIGHTINIT_SIMD_INLINE void values_f64(const consts<vd>& c, vq x0, vq x1, vd& e0, vd& e1) {
  if constexpr (K == distribution_kind::constant) {
    e0 = e1 = c.value;
  } else if constexpr (K == distribution_kind::uniform) {
    e0 = clamp_v(fma_v(c.half, symmetric_v(x0), c.mid), c.lo, c.hi);
    e1 = clamp_v(fma_v(c.half, symmetric_v(x1), c.mid), c.lo, c.hi);
  } else if constexpr (K == distribution_kind::normal) {
    e0 = fma_v(c.stddev, normal_v(x0), c.mean);
    e1 = fma_v(c.stddev, normal_v(x1), c.mean);
  } else {
    e0 = truncated_normal_v(c, x0);
    e1 = truncated_normal_v(c, x1);
  }
}

// All 2W f64 values of W blocks, in memory order.
template <distribution_kind K>
WEIGHTINIT_SIMD_INLINE void values_f64_all(const consts<vd>& c, const words_v& w, vd m[4]) {
  const vq x0_lo = (vq)zip_lo((vf)w.x, (vf)w.y), x0_hi = (vq)zip_hi((vf)w.x, (vf)w.y);
  const vq x1_lo = (vq)zip_lo((vf)w.z, (vf)w.w), x1_hi = (vq)zip_hi((vf)w.z, (vf)w.w);
  vd e0, e1;
  values_f64<K>(c, x0_lo, x1_lo, e0, e1);
  m[0] = zip_lo(e0, e1);
  m[1] = zip_hi(e0, e1);
  values_f64<K>(c, x0_hi, x1_hi, e0, e1);
  m[2] = zip_lo(e0, e1);
  m[3] = zip_hi(e0, e1);
}

// ---------------------------------------------------------------------------------------------
// Storage: f32 as is; f16 / bf16 rounded to nearest even (to_f16_bits / to_bf16_bits).

WEIGHTINIT_SIMD_INLINE vh round_bf16_v(vf x) {
  const vu b = (vu)x;
  const vi nan = (vi)(b & 0x7fffffffu) > 0x7f800000;
  const vu r = nan ? ((b >> 16) | 0x0040u) : ((b + 0x7fffu + ((b >> 16) & 1u)) >> 16);
  return __builtin_convertvector(r, vh);
}

WEIGHTINIT_SIMD_INLINE vh round_f16_v(vf x) {
  const vu b = (vu)x;
  const vu sign = (b >> 16) & 0x8000u;
  const vu a = b & 0x7fffffffu;
  const vi ai = (vi)a;
  // normal f16
  vu hn = (((a >> 23) - 112u) << 10) | ((a & 0x7fffffu) >> 13);
  const vu rem_n = a & 0x1fffu;
  hn -= (vu)((rem_n > 0x1000u) | ((rem_n == 0x1000u) & ((hn & 1u) != 0u)));
  // subnormal f16; the shift is clamped to its range in the lanes that do not use it
  const vu mant = (a & 0x7fffffu) | 0x800000u;
  vi shift_i = 126 - (vi)(a >> 23);
  shift_i = shift_i < 14 ? splat<vi>(14) : shift_i;
  shift_i = shift_i > 24 ? splat<vi>(24) : shift_i;
  const vu shift = (vu)shift_i;
  vu hs = mant >> shift;
  const vu rem_s = mant & ((splat<vu>(1u) << shift) - 1u);
  const vu half = splat<vu>(1u) << (shift - 1u);
  hs -= (vu)((rem_s > half) | ((rem_s == half) & ((hs & 1u) != 0u)));
  // the scalar if-chain, last case first
  vu h = hs;
  h = ai <= 0x33000000 ? splat<vu>(0u) : h;
  h = ai >= 0x38800000 ? hn : h;
  h = ai >= 0x477ff000 ? splat<vu>(0x7c00u) : h;
  h = ai >= 0x7f800000 ? (ai > 0x7f800000 ? splat<vu>(0x7e00u) : splat<vu>(0x7c00u)) : h;
  return __builtin_convertvector(sign | h, vh);
}

WEIGHTINIT_SIMD_INLINE void store_v(float* dst, vf v) { std::memcpy(dst, &v, sizeof v); }
WEIGHTINIT_SIMD_INLINE void store_v(double* dst, vd v) { std::memcpy(dst, &v, sizeof v); }
WEIGHTINIT_SIMD_INLINE void store_v(f16_bits* dst, vf v) {
  const vh h = round_f16_v(v);
  std::memcpy(static_cast<void*>(dst), &h, sizeof h);
}
WEIGHTINIT_SIMD_INLINE void store_v(bf16_bits* dst, vf v) {
  const vh h = round_bf16_v(v);
  std::memcpy(static_cast<void*>(dst), &h, sizeof h);
}

// ---------------------------------------------------------------------------------------------
// Fills: batches of W blocks (4W f32 or 2W f64 elements) straight into the output; the batches at
// the two ends of a range go through a local buffer and are copied in part. The loop is software-
// pipelined: the Philox words of the next batch are computed before the values of this one, so the
// two dependency chains overlap in the out-of-order window (one batch alone is latency-bound).

template <distribution_kind K, class Storage>
struct batch_f32 {
  static constexpr int per_block = 4;
  static constexpr int elements = 4 * W;
  consts<vf> c;
  round_keys k;
  WEIGHTINIT_SIMD_INLINE words_v words(std::uint64_t block) const {
    if constexpr (K == distribution_kind::constant) {
      const vu zero = splat<vu>(0u);  // constants draw no words
      return {zero, zero, zero, zero};
    } else {
      return philox_v(k, block);
    }
  }
  WEIGHTINIT_SIMD_INLINE void store(const words_v& w, Storage* dst) const {
    vf o[4], m[4];
    values_f32<K>(c, w, o);
    interleave4(o, m);
    for (int i = 0; i < 4; ++i) store_v(dst + i * W, m[i]);
  }
};

template <distribution_kind K>
struct batch_f64 {
  static constexpr int per_block = 2;
  static constexpr int elements = 2 * W;
  consts<vd> c;
  round_keys k;
  WEIGHTINIT_SIMD_INLINE words_v words(std::uint64_t block) const {
    if constexpr (K == distribution_kind::constant) {
      const vu zero = splat<vu>(0u);  // constants draw no words
      return {zero, zero, zero, zero};
    } else {
      return philox_v(k, block);
    }
  }
  WEIGHTINIT_SIMD_INLINE void store(const words_v& w, double* dst) const {
    vd m[4];
    values_f64_all<K>(c, w, m);
    for (int i = 0; i < 4; ++i) store_v(dst + i * D, m[i]);
  }
};

// Writes the window-relative elements [lo, hi) of a window that starts at global index `first`.
template <class Batch, class Storage>
void run_batches(const Batch& batch, Storage* out, std::int64_t first, std::int64_t lo,
                 std::int64_t hi) {
  constexpr std::int64_t per_block = Batch::per_block, elements = Batch::elements;
  const std::int64_t g0 = first + lo, g1 = first + hi;
  std::uint64_t block = static_cast<std::uint64_t>(g0 / per_block);
  std::int64_t e0 = g0 / per_block * per_block;  // first element of the batch
  words_v words = batch.words(block);
  for (;;) {
    const words_v next = batch.words(block + W);  // one batch past the end at the last iteration
    if (e0 >= g0 && g1 - e0 >= elements) {
      batch.store(words, out + (e0 - first));
    } else {
      Storage tmp[elements];
      batch.store(words, tmp);
      const std::int64_t a = std::max(g0, e0);
      const std::int64_t z = g1 - e0 >= elements ? e0 + elements : g1;
      std::memcpy(static_cast<void*>(out + (a - first)), tmp + (a - e0),
                  static_cast<std::size_t>(z - a) * sizeof(Storage));
    }
    if (g1 - e0 <= elements) return;
    e0 += elements;
    block += W;
    words = next;
  }
}

template <distribution_kind K, class Storage>
void range_f32(const prepared<float>& p, key k, void* out, std::int64_t first, std::int64_t lo,
               std::int64_t hi) {
  const batch_f32<K, Storage> batch{make_consts<vf>(p), make_round_keys(k)};
  run_batches(batch, static_cast<Storage*>(out), first, lo, hi);
}

template <distribution_kind K>
void range_f64(const prepared<double>& p, key k, void* out, std::int64_t first, std::int64_t lo,
               std::int64_t hi) {
  const batch_f64<K> batch{make_consts<vd>(p), make_round_keys(k)};
  run_batches(batch, static_cast<double*>(out), first, lo, hi);
}

template <class Storage>
range_fn<float> pick_f32(distribution_kind kind) {
  switch (kind) {
    case distribution_kind::constant: return &range_f32<distribution_kind::constant, Storage>;
    case distribution_kind::uniform: return &range_f32<distribution_kind::uniform, Storage>;
    case distribution_kind::normal: return &range_f32<distribution_kind::normal, Storage>;
    case distribution_kind::truncated_normal:
      return &range_f32<distribution_kind::truncated_normal, Storage>;
  }
  return nullptr;
}

inline range_fn<float> pick(dtype type, distribution_kind kind, float*) {
  switch (type) {
    case dtype::f16: return pick_f32<f16_bits>(kind);
    case dtype::bf16: return pick_f32<bf16_bits>(kind);
    default: return pick_f32<float>(kind);
  }
}

inline range_fn<double> pick(dtype, distribution_kind kind, double*) {
  switch (kind) {
    case distribution_kind::constant: return &range_f64<distribution_kind::constant>;
    case distribution_kind::uniform: return &range_f64<distribution_kind::uniform>;
    case distribution_kind::normal: return &range_f64<distribution_kind::normal>;
    case distribution_kind::truncated_normal:
      return &range_f64<distribution_kind::truncated_normal>;
  }
  return nullptr;
}

// ---------------------------------------------------------------------------------------------
// Test entry points (host/fill_host.hpp).

void philox_blocks(key k, std::uint64_t first_block, std::size_t n, words4* out) {
  const round_keys rk = make_round_keys(k);
  for (std::size_t i = 0; i < n; i += W) {
    const words_v w = philox_v(rk, first_block + i);
    for (std::size_t l = 0; l < W && i + l < n; ++l) out[i + l] = {w.x[l], w.y[l], w.z[l], w.w[l]};
  }
}

WEIGHTINIT_SIMD_INLINE words_v load_words(const words4* in,
                                          std::size_t n) {  // n <= W blocks, zero-padded
  words_v w = {splat<vu>(0u), splat<vu>(0u), splat<vu>(0u), splat<vu>(0u)};
  for (std::size_t l = 0; l < n; ++l) {
    w.x[l] = in[l].x;
    w.y[l] = in[l].y;
    w.z[l] = in[l].z;
    w.w[l] = in[l].w;
  }
  return w;
}

template <distribution_kind K>
void words_to_values(const prepared<float>& p, const words4* in, std::size_t n, float* out) {
  const consts<vf> c = make_consts<vf>(p);
  for (std::size_t i = 0; i < n; i += W) {
    const std::size_t m = std::min<std::size_t>(W, n - i);
    vf o[4], v[4];
    values_f32<K>(c, load_words(in + i, m), o);
    interleave4(o, v);
    float tmp[4 * W];
    for (int j = 0; j < 4; ++j) store_v(tmp + j * W, v[j]);
    std::memcpy(out + 4 * i, tmp, 4 * m * sizeof(float));
  }
}

template <distribution_kind K>
void words_to_values(const prepared<double>& p, const words4* in, std::size_t n, double* out) {
  const consts<vd> c = make_consts<vd>(p);
  for (std::size_t i = 0; i < n; i += W) {
    const std::size_t m = std::min<std::size_t>(W, n - i);
    vd v[4];
    values_f64_all<K>(c, load_words(in + i, m), v);
    double tmp[2 * W];
    for (int j = 0; j < 4; ++j) store_v(tmp + j * D, v[j]);
    std::memcpy(out + 2 * i, tmp, 2 * m * sizeof(double));
  }
}

template <class S>
void block_values(const prepared<S>& p, const words4* in, std::size_t n, S* out) {
  switch (p.kind) {
    case distribution_kind::constant:
      return words_to_values<distribution_kind::constant>(p, in, n, out);
    case distribution_kind::uniform:
      return words_to_values<distribution_kind::uniform>(p, in, n, out);
    case distribution_kind::normal:
      return words_to_values<distribution_kind::normal>(p, in, n, out);
    case distribution_kind::truncated_normal:
      return words_to_values<distribution_kind::truncated_normal>(p, in, n, out);
  }
}

template <bool F16>
void round_16(const float* in, std::size_t n, std::uint16_t* out) {
  for (std::size_t i = 0; i < n; i += W) {
    const std::size_t m = std::min<std::size_t>(W, n - i);
    vf x = splat<vf>(0.0f);
    std::memcpy(&x, in + i, m * sizeof(float));
    const vh h = F16 ? round_f16_v(x) : round_bf16_v(x);
    std::memcpy(out + i, &h, m * sizeof(std::uint16_t));
  }
}

}  // namespace WEIGHTINIT_SIMD_NS
