// host/fill_device.cpp: weightinit::fill, the device fill: checks every argument on the host, then
// launches one kernel (kernels/fill.cu) on the caller's stream. No allocation, no synchronization,
// nothing but queries before the launch, so the call can be captured in a CUDA graph.
#include "fill_device.hpp"

#include <cstdint>
#include <sstream>
#include <stdexcept>
#include <string>

#include "../kernels/fill.hpp"
#include "cuda_check.hpp"
#include "prepare.hpp"

namespace weightinit {
namespace detail {
namespace {

std::string hex_address(const void* p) {
  std::ostringstream s;
  s << "0x" << std::hex << reinterpret_cast<std::uintptr_t>(p);
  return s.str();
}

// The address the kernel writes through: `data` itself for device and managed memory, the mapped
// device alias for pinned host memory. Pageable host memory (and pinned memory that is not mapped)
// is rejected: a kernel cannot write it.
void* device_address(void* data, dtype type, std::int64_t n, const char* function) {
  cudaPointerAttributes attr{};
  WEIGHTINIT_CUDA_TRY(cudaPointerGetAttributes(&attr, data), function);
  const std::string what = std::string(function) + ": data pointer " + hex_address(data) + " (" +
                           std::to_string(n) + " " + to_string(type) + " elements)";
  switch (attr.type) {
    case cudaMemoryTypeDevice: {
      // The kernel runs on the current device (the stream's); memory of another device would be
      // written through UVA, which fails or kills the context without peer access. Refused: the
      // library never changes the current device.
      int current = 0;
      WEIGHTINIT_CUDA_TRY(cudaGetDevice(&current), function);
      if (attr.device != current)
        throw std::invalid_argument(
            what + " is memory of CUDA device " + std::to_string(attr.device) + ", but device " +
            std::to_string(current) + " is current; call cudaSetDevice(" +
            std::to_string(attr.device) + ") and pass a stream of that device");
      return data;
    }
    case cudaMemoryTypeManaged: return data;
    case cudaMemoryTypeHost:
      if (attr.devicePointer == nullptr)
        throw std::invalid_argument(
            what +
            " is pinned host memory that is not mapped into the "
            "device's address space; register it with cudaHostRegisterMapped, "
            "or use fill_host");
      return attr.devicePointer;
    case cudaMemoryTypeUnregistered:
    default:
      throw std::invalid_argument(
          what +
          " is host memory (pageable, not registered with CUDA): "
          "the device fill needs memory the GPU can write (cudaMalloc, "
          "cudaMallocManaged, cudaMallocHost); use fill_host for host memory");
  }
}

}  // namespace

void check_pointer_alignment(const tensor_view& tensor, std::int64_t n, const char* function) {
  if (tensor.data == nullptr)
    throw std::invalid_argument(std::string(function) + ": null data pointer for " +
                                std::to_string(n) + " " + to_string(tensor.type) + " elements");
  const std::size_t bytes = size_of(tensor.type);
  if (reinterpret_cast<std::uintptr_t>(tensor.data) % bytes != 0)
    throw std::invalid_argument(std::string(function) + ": data pointer " +
                                hex_address(tensor.data) + " is not aligned to its " +
                                std::to_string(bytes) + "-byte " + to_string(tensor.type) +
                                " elements");
}

void* writable_device_address(const tensor_view& tensor, std::int64_t n, const char* function) {
  check_pointer_alignment(tensor, n, function);
  return device_address(tensor.data, tensor.type, n, function);
}

namespace {

template <class T>
void launch(const prepared<T>& p, const tensor_view& tensor, std::int64_t n, key k,
            launch::launch_config config, cudaStream_t stream, const char* function) {
  const std::size_t bytes = size_of(tensor.type);
  if (config.threads < 32 || config.threads > 1024 || config.threads % 32 != 0)
    throw std::invalid_argument(std::string(function) +
                                ": threads per block must be a multiple of "
                                "32 in [32, 1024], got " +
                                std::to_string(config.threads));
  void* data = writable_device_address(tensor, n, function);
  const launch::plan plan = launch::make_plan(reinterpret_cast<std::uintptr_t>(data),
                                              static_cast<int>(bytes), tensor.first, n);
  unsigned blocks = config.blocks;
  if (blocks == 0) {
    // As many blocks as stay resident (one wave of grid-stride loops), fewer for small windows.
    int device = 0, sms = 0, per_sm = 0;
    WEIGHTINIT_CUDA_TRY(cudaGetDevice(&device), function);
    WEIGHTINIT_CUDA_TRY(cudaDeviceGetAttribute(&sms, cudaDevAttrMultiProcessorCount, device),
                        function);
    WEIGHTINIT_CUDA_TRY(fill_blocks_per_sm(tensor.type, p.kind, config.threads, &per_sm), function);
    const unsigned resident =
        static_cast<unsigned>(sms > 0 ? sms : 1) * static_cast<unsigned>(per_sm > 0 ? per_sm : 1);
    blocks = launch::grid_blocks(plan.units, config.threads, resident);
  }
  const cudaError_t before = cudaPeekAtLastError();
  const cudaError_t launched =
      launch_fill(p, tensor.type, plan, data, k, blocks, config.threads, stream);
  if (launched != cudaSuccess) throw_launch_error(launched, before, function, "the fill kernel");
}

}  // namespace

void fill_device(const tensor_view& tensor, const distribution& dist, key k,
                 launch::launch_config config, cudaStream_t stream, const char* function) {
  const std::int64_t n = window_count(tensor, function);
  // The distribution is checked even for an empty window: a bad call is bad at any size.
  if (tensor.type == dtype::f64) {
    const prepared<double> p = prepare_f64(dist, function);
    if (n == 0) return;  // launches nothing, touches no CUDA API
    launch(p, tensor, n, k, config, stream, function);
  } else {
    const prepared<float> p = prepare_f32(dist, tensor.type, function);
    if (n == 0) return;
    launch(p, tensor, n, k, config, stream, function);
  }
}

}  // namespace detail

}  // namespace weightinit
