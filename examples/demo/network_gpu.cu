// examples/demo/network_gpu.cu: the study's GPU engine: weights, input and loss readout filled on
// the device by weightinit::fill, matrix products by cuBLAS (FP32, no TF32), activations and
// per-row statistics by the small kernels below. Everything runs on one stream; the statistics come
// back in one copy per pass. Used only when cudaGetDeviceCount() > 0.
#include <cublas_v2.h>
#include <cuda_runtime_api.h>
#include <dlfcn.h>

#include <cmath>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <type_traits>
#include <vector>

#include "network.hpp"
#include "weightinit/error.hpp"
#include "weightinit/fill.hpp"
#include "weightinit/weightinit.hpp"

// cuBLAS, loaded on first use of the GPU network (dlopen), so the `weightinit` tool that hosts the
// demo maps cuBLAS and cuBLASLt (hundreds of MB) only for `weightinit demo` on a GPU, not for every
// command it runs.
namespace {
struct cublas_api {
  decltype(&cublasCreate_v2) create = nullptr;
  decltype(&cublasDestroy_v2) destroy = nullptr;
  decltype(&cublasSetStream_v2) set_stream = nullptr;
  decltype(&cublasSetMathMode) set_math_mode = nullptr;
  decltype(&cublasSgemm_v2) sgemm = nullptr;
  std::string error;
};

#define DEMO_STR2(x) #x
#define DEMO_STR(x) DEMO_STR2(x)

cublas_api load_cublas() {
  cublas_api a;
  void* lib = dlopen("libcublas.so." DEMO_STR(CUBLAS_VER_MAJOR), RTLD_NOW | RTLD_LOCAL);
  if (!lib) lib = dlopen("libcublas.so", RTLD_NOW | RTLD_LOCAL);
  if (!lib) {
    const char* e = dlerror();
    a.error = std::string("cannot load cuBLAS for the GPU demo: ") + (e ? e : "dlopen failed");
    return a;
  }
  auto bind = [&](auto& slot, const char* name) {
    slot = reinterpret_cast<std::remove_reference_t<decltype(slot)>>(dlsym(lib, name));
    if (!slot && a.error.empty()) a.error = std::string("cuBLAS has no symbol ") + name;
  };
  bind(a.create, "cublasCreate_v2");
  bind(a.destroy, "cublasDestroy_v2");
  bind(a.set_stream, "cublasSetStream_v2");
  bind(a.set_math_mode, "cublasSetMathMode");
  bind(a.sgemm, "cublasSgemm_v2");
  return a;
}

const cublas_api& cublas() {
  static const cublas_api a = load_cublas();
  if (!a.error.empty()) throw std::runtime_error("weightinit demo: " + a.error);
  return a;
}
}  // namespace

namespace weightinit_demo {
namespace detail {
namespace {

using std::int64_t;

#define DEMO_CUDA_TRY(call)                                                          \
  do {                                                                               \
    const cudaError_t demo_err_ = (call);                                            \
    if (demo_err_ != cudaSuccess)                                                    \
      throw weightinit::cuda_error(static_cast<int>(demo_err_),                      \
                                   std::string(#call) + " failed at " __FILE__ ":" + \
                                       std::to_string(__LINE__) + ": " +             \
                                       cudaGetErrorString(demo_err_));               \
  } while (0)

#define DEMO_CUBLAS_TRY(call)                                                          \
  do {                                                                                 \
    const cublasStatus_t demo_st_ = (call);                                            \
    if (demo_st_ != CUBLAS_STATUS_SUCCESS)                                             \
      throw weightinit::cuda_error(static_cast<int>(demo_st_),                         \
                                   std::string(#call) + " failed at " __FILE__ ":" +   \
                                       std::to_string(__LINE__) + ": cuBLAS status " + \
                                       std::to_string(static_cast<int>(demo_st_)));    \
  } while (0)

constexpr int block_threads = 256;
constexpr int sumsq_blocks = 128;

// ---- kernels ------------------------------------------------------------------------------------

// Block-wide sum of a double (blockDim.x == block_threads); the result is valid in every thread.
__device__ double block_sum(double v, double* shared) {
  shared[threadIdx.x] = v;
  __syncthreads();
  for (int s = block_threads / 2; s > 0; s /= 2) {
    if (threadIdx.x < s) shared[threadIdx.x] += shared[threadIdx.x + s];
    __syncthreads();
  }
  const double r = shared[0];
  __syncthreads();
  return r;
}

__device__ float block_extreme(float v, float* shared, bool want_max) {
  shared[threadIdx.x] = v;
  __syncthreads();
  for (int s = block_threads / 2; s > 0; s /= 2) {
    if (threadIdx.x < s) {
      const float o = shared[threadIdx.x + s], m = shared[threadIdx.x];
      // NaN wins, so a broken layer cannot look symmetric.
      shared[threadIdx.x] = (o != o || m != m) ? nanf("") : (want_max ? fmaxf(m, o) : fminf(m, o));
    }
    __syncthreads();
  }
  const float r = shared[0];
  __syncthreads();
  return r;
}

// One block per sample: h = φ(a) in place, d = φ'(a), and the row's statistics.
template <activation A>
__global__ void forward_kernel(float* h, float* d, int64_t width, float slope, row_partial* rows) {
  __shared__ double sd[block_threads];
  __shared__ float sf[block_threads];
  float* hr = h + blockIdx.x * width;
  float* dr = d ? d + blockIdx.x * width : nullptr;
  double sum_a2 = 0, sum_h = 0;
  float lo = INFINITY, hi = -INFINITY;
  bool nan_seen = false;
  for (int64_t j = threadIdx.x; j < width; j += block_threads) {
    const float a = hr[j];
    float v, dv;
    evaluate<A, float>(a, slope, v, dv);
    hr[j] = v;
    if (dr) dr[j] = dv;
    sum_a2 += static_cast<double>(a) * a;
    sum_h += v;
    nan_seen |= (v != v);
    lo = fminf(lo, v);
    hi = fmaxf(hi, v);
  }
  if (nan_seen) lo = hi = nanf("");
  sum_a2 = block_sum(sum_a2, sd);
  sum_h = block_sum(sum_h, sd);
  lo = block_extreme(lo, sf, false);
  hi = block_extreme(hi, sf, true);
  const double mean = sum_h / static_cast<double>(width);
  double m2 = 0;
  for (int64_t j = threadIdx.x; j < width; j += block_threads) {
    const double e = hr[j] - mean;
    m2 += e * e;
  }
  m2 = block_sum(m2, sd);
  if (threadIdx.x == 0) rows[blockIdx.x] = row_partial{sum_a2, sum_h, m2, lo, hi};
}

// One block per sample: δ = scale · g ⊙ d, and Σδ² of the row.
__global__ void delta_kernel(const float* g, const float* d, float* delta, float scale,
                             int64_t width, double* row_sumsq) {
  __shared__ double sd[block_threads];
  const int64_t base = blockIdx.x * width;
  double s = 0;
  for (int64_t j = threadIdx.x; j < width; j += block_threads) {
    const float v = scale * g[base + j] * d[base + j];
    delta[base + j] = v;
    s += static_cast<double>(v) * v;
  }
  s = block_sum(s, sd);
  if (threadIdx.x == 0) row_sumsq[blockIdx.x] = s;
}

// Σx² over `count` values: one partial per block (grid = sumsq_blocks).
__global__ void sumsq_kernel(const float* x, int64_t count, double* partial) {
  __shared__ double sd[block_threads];
  double s = 0;
  for (int64_t i = blockIdx.x * static_cast<int64_t>(block_threads) + threadIdx.x; i < count;
       i += static_cast<int64_t>(gridDim.x) * block_threads)
    s += static_cast<double>(x[i]) * x[i];
  s = block_sum(s, sd);
  if (threadIdx.x == 0) partial[blockIdx.x] = s;
}

template <activation A>
void launch_forward(float* h, float* d, int64_t batch, int64_t width, float slope,
                    row_partial* rows, cudaStream_t stream) {
  forward_kernel<A>
      <<<static_cast<unsigned>(batch), block_threads, 0, stream>>>(h, d, width, slope, rows);
}

void launch_forward(activation act, float* h, float* d, int64_t batch, int64_t width, float slope,
                    row_partial* rows, cudaStream_t s) {
  switch (act) {
    case activation::tanh:
      launch_forward<activation::tanh>(h, d, batch, width, slope, rows, s);
      break;
    case activation::sigmoid:
      launch_forward<activation::sigmoid>(h, d, batch, width, slope, rows, s);
      break;
    case activation::relu:
      launch_forward<activation::relu>(h, d, batch, width, slope, rows, s);
      break;
    case activation::leaky_relu:
      launch_forward<activation::leaky_relu>(h, d, batch, width, slope, rows, s);
      break;
    case activation::selu:
      launch_forward<activation::selu>(h, d, batch, width, slope, rows, s);
      break;
    case activation::swish:
      launch_forward<activation::swish>(h, d, batch, width, slope, rows, s);
      break;
  }
}

// ---- the engine
// -----------------------------------------------------------------------------------

template <class T>
struct device_buffer {
  T* p = nullptr;
  device_buffer() = default;
  device_buffer(const device_buffer&) = delete;
  device_buffer& operator=(const device_buffer&) = delete;
  ~device_buffer() {
    if (p) cudaFree(p);
  }
  void allocate(std::size_t count) { DEMO_CUDA_TRY(cudaMalloc(&p, count * sizeof(T))); }
};

class gpu_network final : public network {
 public:
  explicit gpu_network(const study_config& c) : c_(c), n_(c.width), b_(c.batch), layers_(c.depth) {
    DEMO_CUDA_TRY(cudaStreamCreateWithFlags(&stream_.s, cudaStreamNonBlocking));
    DEMO_CUBLAS_TRY(cublas().create(&blas_.h));
    DEMO_CUBLAS_TRY(cublas().set_stream(blas_.h, stream_.s));
    DEMO_CUBLAS_TRY(cublas().set_math_mode(blas_.h, CUBLAS_DEFAULT_MATH));  // FP32, no TF32
    const std::size_t bn = static_cast<std::size_t>(b_ * n_);
    weights_.allocate(static_cast<std::size_t>(layers_) * n_ * n_);
    h_.allocate((layers_ + 1) * bn);
    rows_.allocate(static_cast<std::size_t>(layers_) * b_);
    if (c.backward) {
      d_.allocate(layers_ * bn);
      g_.allocate(bn);
      delta_.allocate(bn);
      readout_.allocate(bn);
      delta_rows_.allocate(static_cast<std::size_t>(layers_) * b_);
      if (c.weight_gradients) {
        grad_w_.allocate(static_cast<std::size_t>(n_ * n_));
        grad_partial_.allocate(static_cast<std::size_t>(layers_) * sumsq_blocks);
      }
      weightinit::fill({readout_.p, weightinit::dtype::f32, {b_, n_}},
                       weightinit::distribution::normal(0, 1), {c.seed, readout_stream}, stream_.s);
    }
    // The input lives in slot 0 of the activations, which no layer overwrites.
    weightinit::fill({h_.p, weightinit::dtype::f32, {b_, n_}},
                     weightinit::distribution::normal(0, 1), {c.seed, input_stream}, stream_.s);
  }

  std::string name() const override {
    int dev = 0;
    cudaDeviceProp prop{};
    if (cudaGetDevice(&dev) != cudaSuccess || cudaGetDeviceProperties(&prop, dev) != cudaSuccess)
      return "gpu (cuBLAS)";
    return std::string("gpu (") + prop.name + ", cuBLAS)";
  }

  void load(const weightinit::initializer& init) override {
    for (int l = 1; l <= layers_; ++l)
      weightinit::fill({layer(l), weightinit::dtype::f32, {n_, n_}}, init,
                       weightinit::key{c_.seed, static_cast<std::uint64_t>(l)}, stream_.s);
    loaded_ = true;
  }

  std::vector<layer_stats> run(activation act, const layer_observer& observer) override {
    if (!loaded_) throw std::logic_error("gpu_network::run before load");
    const int n = static_cast<int>(n_), b = static_cast<int>(b_);
    const std::size_t bn = static_cast<std::size_t>(b_ * n_);
    const float one = 1.0f, zero = 0.0f, slope = static_cast<float>(c_.slope);
    std::vector<float> host_layer(observer ? bn : 0);
    for (int l = 1; l <= layers_; ++l) {
      // Column-major view of row-major buffers: a_lᵀ (out x batch) = W_l (out x in) · h_{l-1}ᵀ.
      DEMO_CUBLAS_TRY(cublas().sgemm(blas_.h, CUBLAS_OP_T, CUBLAS_OP_N, n, b, n, &one, layer(l), n,
                                     hidden(l - 1), n, &zero, hidden(l), n));
      launch_forward(act, hidden(l), c_.backward ? d_.p + (l - 1) * bn : nullptr, b_, n_, slope,
                     rows_.p + static_cast<std::size_t>(l - 1) * b_, stream_.s);
      DEMO_CUDA_TRY(cudaGetLastError());
      if (observer) {
        DEMO_CUDA_TRY(cudaMemcpyAsync(host_layer.data(), hidden(l), bn * sizeof(float),
                                      cudaMemcpyDeviceToHost, stream_.s));
        DEMO_CUDA_TRY(cudaStreamSynchronize(stream_.s));
        observer(l, host_layer.data(), b_, n_);
      }
    }
    if (c_.backward) {
      for (int l = layers_; l >= 1; --l) {
        const float* d = d_.p + (l - 1) * bn;
        const bool top = l == layers_;
        delta_kernel<<<static_cast<unsigned>(b_), block_threads, 0, stream_.s>>>(
            top ? readout_.p : g_.p, d, delta_.p, top ? 1.0f / static_cast<float>(b_) : 1.0f, n_,
            delta_rows_.p + static_cast<std::size_t>(l - 1) * b_);
        DEMO_CUDA_TRY(cudaGetLastError());
        // (∂loss/∂W_l)ᵀ (in x out) = h_{l-1}ᵀ (in x batch) · δ_l (batch x out), only when asked:
        // the study reports the activations' gradients.
        if (c_.weight_gradients) {
          DEMO_CUBLAS_TRY(cublas().sgemm(blas_.h, CUBLAS_OP_N, CUBLAS_OP_T, n, n, b, &one,
                                         hidden(l - 1), n, delta_.p, n, &zero, grad_w_.p, n));
          sumsq_kernel<<<sumsq_blocks, block_threads, 0, stream_.s>>>(
              grad_w_.p, n_ * n_, grad_partial_.p + static_cast<std::size_t>(l - 1) * sumsq_blocks);
          DEMO_CUDA_TRY(cudaGetLastError());
        }
        // (∂loss/∂h_{l-1})ᵀ (in x batch) = W_lᵀ (in x out) · δ_lᵀ (out x batch)
        if (l > 1)
          DEMO_CUBLAS_TRY(cublas().sgemm(blas_.h, CUBLAS_OP_N, CUBLAS_OP_N, n, b, n, &one, layer(l),
                                         n, delta_.p, n, &zero, g_.p, n));
      }
    }
    std::vector<row_partial> rows(static_cast<std::size_t>(layers_) * b_);
    std::vector<double> delta_rows(c_.backward ? rows.size() : 0);
    const bool weight_gradients = c_.backward && c_.weight_gradients;
    std::vector<double> grad_partial(
        weight_gradients ? static_cast<std::size_t>(layers_) * sumsq_blocks : 0);
    DEMO_CUDA_TRY(cudaMemcpyAsync(rows.data(), rows_.p, rows.size() * sizeof(row_partial),
                                  cudaMemcpyDeviceToHost, stream_.s));
    if (c_.backward) {
      DEMO_CUDA_TRY(cudaMemcpyAsync(delta_rows.data(), delta_rows_.p,
                                    delta_rows.size() * sizeof(double), cudaMemcpyDeviceToHost,
                                    stream_.s));
    }
    if (weight_gradients) {
      DEMO_CUDA_TRY(cudaMemcpyAsync(grad_partial.data(), grad_partial_.p,
                                    grad_partial.size() * sizeof(double), cudaMemcpyDeviceToHost,
                                    stream_.s));
    }
    DEMO_CUDA_TRY(cudaStreamSynchronize(stream_.s));
    std::vector<layer_stats> stats(static_cast<std::size_t>(layers_));
    for (int l = 0; l < layers_; ++l) {
      stats[l] = combine_rows(rows.data() + static_cast<std::size_t>(l) * b_, b_, n_);
      if (c_.backward) {
        double ds = 0, gs = 0;
        for (int64_t i = 0; i < b_; ++i) ds += delta_rows[static_cast<std::size_t>(l) * b_ + i];
        for (int i = 0; i < static_cast<int>(weight_gradients ? sumsq_blocks : 0); ++i)
          gs += grad_partial[static_cast<std::size_t>(l) * sumsq_blocks + i];
        stats[l].delta_norm = std::sqrt(ds);
        stats[l].grad_norm = weight_gradients ? std::sqrt(gs) : std::nan("");
      } else {
        stats[l].delta_norm = stats[l].grad_norm = std::nan("");
      }
    }
    return stats;
  }

 private:
  float* layer(int l) { return weights_.p + static_cast<std::size_t>(l - 1) * n_ * n_; }
  float* hidden(int l) { return h_.p + static_cast<std::size_t>(l) * b_ * n_; }

  study_config c_;
  int64_t n_, b_;
  int layers_;
  // Declared before the buffers: destroyed after them.
  struct stream_holder {
    cudaStream_t s = nullptr;
    ~stream_holder() {
      if (s) cudaStreamDestroy(s);
    }
  } stream_;
  struct blas_holder {
    cublasHandle_t h = nullptr;
    ~blas_holder() {
      if (h) cublas().destroy(h);
    }
  } blas_;
  bool loaded_ = false;
  device_buffer<float> weights_, h_, d_, g_, delta_, readout_, grad_w_;
  device_buffer<row_partial> rows_;
  device_buffer<double> delta_rows_, grad_partial_;
};

}  // namespace

std::unique_ptr<network> make_gpu_network(const study_config& config) {
  if (!gpu_available())
    throw std::runtime_error(
        "demo: --device gpu asked for, but no CUDA device is present "
        "(cudaGetDeviceCount found none); use --device cpu or auto");
  return std::make_unique<gpu_network>(config);
}

}  // namespace detail

bool gpu_available() {
  int count = 0;
  if (cudaGetDeviceCount(&count) != cudaSuccess) {
    cudaGetLastError();  // clear the "no device / no driver" error
    return false;
  }
  return count > 0;
}

}  // namespace weightinit_demo
