// examples/demo/network_cpu.cpp: the study's CPU engine: weights, input and loss readout filled by
// weightinit::fill_host, matrix products by BLIS or a CBLAS (blas.hpp), one single-threaded call
// per block of rows on the engine's own threads, each block's activations and statistics right
// after its product in the same thread. float32 throughout, like a real network.
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "blas.hpp"
#include "network.hpp"
#include "weightinit/fill.hpp"
#include "weightinit/weightinit.hpp"

namespace weightinit_demo {
namespace detail {
namespace {

using std::int64_t;

// φ and φ' over `rows` rows of `width` values, in place (a becomes h), with each row's statistics.
template <activation A>
void forward_rows(float* h, float* d, int64_t rows, int64_t width, float slope, row_partial* out) {
  for (int64_t b = 0; b < rows; ++b) {
    float* hr = h + b * width;
    float* dr = d ? d + b * width : nullptr;
    double sum_a2 = 0, sum_h = 0;
    float lo = 0, hi = 0;
    for (int64_t j = 0; j < width; ++j) {
      const float a = hr[j];
      float v, dv;
      evaluate<A, float>(a, slope, v, dv);
      hr[j] = v;
      if (dr) dr[j] = dv;
      sum_a2 += static_cast<double>(a) * a;
      sum_h += v;
      if (j == 0 || v < lo) lo = v;
      if (j == 0 || v > hi) hi = v;
    }
    const double mean = sum_h / static_cast<double>(width);
    double m2 = 0;
    for (int64_t j = 0; j < width; ++j) {
      const double e = hr[j] - mean;
      m2 += e * e;
    }
    out[b] = row_partial{sum_a2, sum_h, m2, lo, hi};
  }
}

void forward_dispatch(activation act, float* h, float* d, int64_t rows, int64_t width, float slope,
                      row_partial* out) {
  switch (act) {
    case activation::tanh: return forward_rows<activation::tanh>(h, d, rows, width, slope, out);
    case activation::sigmoid:
      return forward_rows<activation::sigmoid>(h, d, rows, width, slope, out);
    case activation::relu: return forward_rows<activation::relu>(h, d, rows, width, slope, out);
    case activation::leaky_relu:
      return forward_rows<activation::leaky_relu>(h, d, rows, width, slope, out);
    case activation::selu: return forward_rows<activation::selu>(h, d, rows, width, slope, out);
    case activation::swish: return forward_rows<activation::swish>(h, d, rows, width, slope, out);
  }
}

double sum_squares(const float* x, int64_t count) {
  double s = 0;
  for (int64_t i = 0; i < count; ++i) s += static_cast<double>(x[i]) * x[i];
  return s;
}

// Runs f(lo, hi) over [0, count) split into `parts` contiguous blocks, one thread each (the
// caller takes the first).
template <class F>
void parallel_blocks(int64_t count, int64_t parts, F&& f) {
  if (parts <= 1) return f(int64_t{0}, count);
  std::vector<std::thread> pool;
  for (int64_t p = 1; p < parts; ++p)
    pool.emplace_back([&, p] { f(count * p / parts, count * (p + 1) / parts); });
  f(int64_t{0}, count / parts);
  for (auto& t : pool) t.join();
}

// Splits rows [0, batch) over up to `threads` workers (the activations are as costly as a product).
template <class F>
void parallel_rows(int64_t batch, unsigned threads, F&& f) {
  parallel_blocks(batch, std::max<int64_t>(1, std::min<int64_t>(threads, batch / 16)),
                  std::forward<F>(f));
}

// A row-major product C (m x n) = op(A) · op(B), op(A) m x k, op(B) k x n.
struct product {
  bool trans_a, trans_b;
  int64_t m, n, k;
  const float* a;
  int64_t lda;
  const float* b;
  int64_t ldb;
  float* c;
  int64_t ldc;
};

// Computes `p` on up to `threads` threads and then applies rows_after(lo, hi) to C's rows. Each
// thread takes a block of C's rows and runs rows_after on it at once (its rows are still in its
// cache); when C has too few rows to share (small batches in the tests), the threads take blocks
// of C's columns and rows_after runs as a second pass. A block is at least 32 rows or columns:
// each thread packs the other operand whole, which a thinner block would not repay.
template <class F>
void multiply(const product& p, unsigned threads, F&& rows_after) {
  constexpr int64_t min_block = 32;
  const int64_t by_rows = std::min<int64_t>(threads, p.m / min_block);
  const int64_t by_cols = std::min<int64_t>(threads, p.n / min_block);
  if (by_rows >= by_cols) {
    parallel_blocks(p.m, std::max<int64_t>(1, by_rows), [&](int64_t lo, int64_t hi) {
      const float* a = p.trans_a ? p.a + lo : p.a + lo * p.lda;
      sgemm_serial(p.trans_a, p.trans_b, hi - lo, p.n, p.k, a, p.lda, p.b, p.ldb, p.c + lo * p.ldc,
                   p.ldc);
      rows_after(lo, hi);
    });
    return;
  }
  parallel_blocks(p.n, by_cols, [&](int64_t lo, int64_t hi) {
    const float* b = p.trans_b ? p.b + lo * p.ldb : p.b + lo;
    sgemm_serial(p.trans_a, p.trans_b, p.m, hi - lo, p.k, p.a, p.lda, b, p.ldb, p.c + lo, p.ldc);
  });
  parallel_rows(p.m, threads, rows_after);
}

class cpu_network final : public network {
 public:
  cpu_network(const study_config& c, bool stream_weights)
      : c_(c),
        n_(c.width),
        b_(c.batch),
        layers_(c.depth),
        stream_(stream_weights && !c.backward),
        threads_(c.threads ? c.threads : std::max(1u, std::thread::hardware_concurrency())) {
    const int64_t bn = b_ * n_;
    weights_.resize(static_cast<std::size_t>((stream_ ? 1 : layers_) * n_ * n_));
    h_.resize(static_cast<std::size_t>((c.backward ? layers_ + 1 : 2) * bn));
    if (c.backward) {
      d_.resize(static_cast<std::size_t>(layers_ * bn));
      delta_.resize(static_cast<std::size_t>(2 * bn));
      if (c.weight_gradients) grad_w_.resize(static_cast<std::size_t>(n_ * n_));
      row_sq_.resize(static_cast<std::size_t>(std::max(b_, n_)));
      delta_sq_.resize(static_cast<std::size_t>(layers_ * b_));
      readout_.resize(static_cast<std::size_t>(bn));
      fill(readout_.data(), {b_, n_}, weightinit::distribution::normal(0, 1), readout_stream);
    }
    input_.resize(static_cast<std::size_t>(bn));
    fill(input_.data(), {b_, n_}, weightinit::distribution::normal(0, 1), input_stream);
    rows_.resize(static_cast<std::size_t>(layers_ * b_));
  }

  std::string name() const override {
    return "cpu (" + blas_description() + ", " + std::to_string(threads_) + " threads)";
  }

  void load(const weightinit::initializer& init) override {
    init_ = init;
    loaded_ = true;
    if (stream_) return;  // filled layer by layer during the pass
    for (int l = 1; l <= layers_; ++l) fill_layer(l, layer(l));
  }

  std::vector<layer_stats> run(activation act, const layer_observer& observer) override {
    if (!loaded_) throw std::logic_error("cpu_network::run before load");
    const int64_t bn = b_ * n_;
    const float slope = static_cast<float>(c_.slope);
    std::vector<layer_stats> stats(static_cast<std::size_t>(layers_));
    std::copy(input_.begin(), input_.end(), h_.begin());
    // With at least 32 rows per thread, no observer and every layer's weights at hand, each thread
    // carries its own block of rows through every layer, forward and (unless the weight gradients,
    // which sum over the whole batch, are asked for) back: no thread waits for another until the
    // pass is done, which also keeps a loaded machine's scheduling from stalling both.
    const bool own_rows = !observer && !stream_ && b_ / 32 >= static_cast<int64_t>(threads_);
    const bool own_rows_back = own_rows && c_.backward && !c_.weight_gradients;
    const float inv_batch = 1.0f / static_cast<float>(b_);
    if (own_rows) {
      parallel_blocks(b_, threads_, [&](int64_t lo, int64_t hi) {
        for (int l = 1; l <= layers_; ++l)
          forward_layer(act, slope, l, lo, hi, /*multiplied=*/false);
        if (own_rows_back) backward_rows(inv_batch, lo, hi);
      });
    } else {
      for (int l = 1; l <= layers_; ++l) {
        if (stream_) fill_layer(l, weights_.data());
        // a = h_{l-1} · W_lᵀ: (batch x width) = (batch x width)(width_out x width_in)ᵀ, then
        // h = φ(a) in place, φ'(a) into d, and each row's statistics.
        multiply({false, true, b_, n_, n_, hidden(l - 1), n_, layer(l), n_, hidden(l), n_},
                 threads_, [&](int64_t lo, int64_t hi) {
                   forward_layer(act, slope, l, lo, hi, /*multiplied=*/true);
                 });
        if (observer) observer(l, hidden(l), b_, n_);
      }
    }
    for (int l = 1; l <= layers_; ++l)
      stats[l - 1] = combine_rows(rows_.data() + (l - 1) * b_, b_, n_);
    if (own_rows_back) {
      for (int l = 1; l <= layers_; ++l) {
        double delta_sq = 0;
        for (int64_t r = 0; r < b_; ++r) delta_sq += delta_sq_[(l - 1) * b_ + r];
        stats[l - 1].delta_norm = std::sqrt(delta_sq);
        stats[l - 1].grad_norm = std::nan("");
      }
      return stats;
    }
    if (!c_.backward) {
      for (auto& s : stats) s.delta_norm = s.grad_norm = std::nan("");
      return stats;
    }
    // loss = Σ r ⊙ h_L / batch, so ∂loss/∂h_L = r / batch; then for l = L..1:
    // δ_l = ∂loss/∂h_l ⊙ φ'(a_l), ∂loss/∂h_{l-1} = δ_l W_l, and (only when asked: no verdict and
    // no table column needs it) ∂loss/∂W_l = δ_lᵀ h_{l-1}. δ alternates between two buffers.
    float* delta = delta_.data();
    parallel_rows(b_, threads_, [&](int64_t lo, int64_t hi) {
      const float* d = d_.data() + (layers_ - 1) * bn;
      for (int64_t i = lo * n_; i < hi * n_; ++i) delta[i] = readout_[i] * inv_batch * d[i];
      for (int64_t r = lo; r < hi; ++r) row_sq_[r] = sum_squares(delta + r * n_, n_);
    });
    for (int l = layers_; l >= 1; --l) {
      double delta_sq = 0;
      for (int64_t r = 0; r < b_; ++r) delta_sq += row_sq_[r];
      stats[l - 1].delta_norm = std::sqrt(delta_sq);
      if (c_.weight_gradients) {
        float* gw = grad_w_.data();
        multiply({true, false, n_, n_, b_, delta, n_, hidden(l - 1), n_, gw, n_}, threads_,
                 [&](int64_t lo, int64_t hi) {
                   for (int64_t r = lo; r < hi; ++r) row_sq_[r] = sum_squares(gw + r * n_, n_);
                 });
        double grad_sq = 0;
        for (int64_t r = 0; r < n_; ++r) grad_sq += row_sq_[r];
        stats[l - 1].grad_norm = std::sqrt(grad_sq);
      } else {
        stats[l - 1].grad_norm = std::nan("");
      }
      if (l == 1) break;
      // δ_{l-1} = (δ_l W_l) ⊙ φ'(a_{l-1}), with its rows' squared norms.
      float* next = delta == delta_.data() ? delta_.data() + bn : delta_.data();
      const float* d = d_.data() + (l - 2) * bn;
      multiply({false, false, b_, n_, n_, delta, n_, layer(l), n_, next, n_}, threads_,
               [&](int64_t lo, int64_t hi) {
                 for (int64_t i = lo * n_; i < hi * n_; ++i) next[i] *= d[i];
                 for (int64_t r = lo; r < hi; ++r) row_sq_[r] = sum_squares(next + r * n_, n_);
               });
      delta = next;
    }
    return stats;
  }

 private:
  // Layer l for rows [lo, hi): the product (unless `multiplied`: done by the caller), then
  // h = φ(a) in place, φ'(a) into d (for the backward pass) and each row's statistics.
  void forward_layer(activation act, float slope, int l, int64_t lo, int64_t hi, bool multiplied) {
    float* cur = hidden(l) + lo * n_;
    if (!multiplied)
      sgemm_serial(false, true, hi - lo, n_, n_, hidden(l - 1) + lo * n_, n_, layer(l), n_, cur,
                   n_);
    float* d = c_.backward ? d_.data() + (l - 1) * b_ * n_ + lo * n_ : nullptr;
    forward_dispatch(act, cur, d, hi - lo, n_, slope, rows_.data() + (l - 1) * b_ + lo);
  }

  // The backward pass for rows [lo, hi) alone (a row of δ_{l-1} needs only the same row of δ_l):
  // δ_L = r / batch ⊙ φ'(a_L), δ_{l-1} = (δ_l W_l) ⊙ φ'(a_{l-1}); each row's ‖δ‖² into delta_sq_.
  void backward_rows(float inv_batch, int64_t lo, int64_t hi) {
    const int64_t bn = b_ * n_;
    float* delta = delta_.data();
    const float* top = d_.data() + (layers_ - 1) * bn;
    for (int64_t i = lo * n_; i < hi * n_; ++i) delta[i] = readout_[i] * inv_batch * top[i];
    for (int64_t r = lo; r < hi; ++r)
      delta_sq_[(layers_ - 1) * b_ + r] = sum_squares(delta + r * n_, n_);
    for (int l = layers_; l > 1; --l) {
      float* next = delta == delta_.data() ? delta_.data() + bn : delta_.data();
      sgemm_serial(false, false, hi - lo, n_, n_, delta + lo * n_, n_, layer(l), n_, next + lo * n_,
                   n_);
      const float* d = d_.data() + (l - 2) * bn;
      for (int64_t i = lo * n_; i < hi * n_; ++i) next[i] *= d[i];
      for (int64_t r = lo; r < hi; ++r)
        delta_sq_[(l - 2) * b_ + r] = sum_squares(next + r * n_, n_);
      delta = next;
    }
  }

  float* layer(int l) { return stream_ ? weights_.data() : weights_.data() + (l - 1) * n_ * n_; }
  // Without the backward pass two activation buffers alternate.
  float* hidden(int l) {
    const int slot = c_.backward ? l : (l % 2);
    return h_.data() + slot * b_ * n_;
  }

  void fill(float* dst, weightinit::shape dims, const weightinit::distribution& dist,
            std::uint64_t stream) {
    weightinit::fill_host({dst, weightinit::dtype::f32, std::move(dims)}, dist,
                          weightinit::key{c_.seed, stream},
                          weightinit::fill_options().with_threads(c_.threads));
  }
  void fill_layer(int l, float* dst) {
    weightinit::fill_host({dst, weightinit::dtype::f32, {n_, n_}}, init_,
                          weightinit::key{c_.seed, static_cast<std::uint64_t>(l)},
                          weightinit::fill_options().with_threads(c_.threads));
  }

  study_config c_;
  int64_t n_, b_;
  int layers_;
  bool stream_;
  unsigned threads_;
  weightinit::initializer init_;
  bool loaded_ = false;
  std::vector<float> weights_, h_, d_, delta_, grad_w_, readout_, input_;
  std::vector<row_partial> rows_;  // every layer's rows (layer l at (l-1)·batch)
  std::vector<double> row_sq_;    // squared norms of the rows of δ (or of ∂loss/∂W), one layer
  std::vector<double> delta_sq_;  // every layer's rows' ‖δ‖² (the rows' own backward pass)
};

}  // namespace

layer_stats combine_rows(const row_partial* rows, int64_t batch, int64_t width) {
  layer_stats s;
  const double per_row = static_cast<double>(width);
  const double total = per_row * static_cast<double>(batch);
  double sum_a2 = 0, sum_h = 0;
  for (int64_t b = 0; b < batch; ++b) {
    sum_a2 += rows[b].sum_a2;
    sum_h += rows[b].sum_h;
  }
  const double mean = sum_h / total;
  double m2 = 0, spread = 0, max_abs = 0;
  for (int64_t b = 0; b < batch; ++b) {
    const double e = rows[b].sum_h / per_row - mean;
    m2 += rows[b].m2_h + per_row * e * e;
    spread = std::max(spread, rows[b].max_h - rows[b].min_h);
    max_abs = std::max({max_abs, std::fabs(rows[b].min_h), std::fabs(rows[b].max_h)});
    if (std::isnan(rows[b].max_h - rows[b].min_h)) spread = std::nan("");
  }
  s.q = sum_a2 / total;
  s.act_mean = mean;
  s.act_std = std::sqrt(m2 / total);
  s.act_max_abs = max_abs;
  s.unit_spread = spread;
  return s;
}

std::unique_ptr<network> make_cpu_network(const study_config& config, bool stream_weights) {
  return std::make_unique<cpu_network>(config, stream_weights);
}

}  // namespace detail
}  // namespace weightinit_demo
