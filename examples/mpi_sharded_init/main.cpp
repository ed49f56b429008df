// examples/mpi_sharded_init/main.cpp: tensor-parallel initialization of a whole model with MPI.
// Each rank builds a model plan holding only its shards of the GPT-2-small description (Megatron's
// split of a Conv1D-stored GPT-2: fused QKV and MLP-up split by output columns, per part; attention
// and MLP output projections split by input rows; the embedding by vocabulary rows, unevenly when
// the world does not divide 50257; norms and other biases replicated) and fills it with no
// communication (on the GPU when this rank has one, else the CPU). Then rank 0 proves the
// assembled model equals the single-process fill: a gather of every shard's checksum (FNV-1a 64 of
// its bytes) against the same boxes cut from its own whole-model fill, and a gather of the shards
// themselves for the tensors under 1 Mi elements, assembled and compared bit for bit.
//
//   mpirun -np 3 build/examples/mpi_sharded_init/mpi_sharded_init examples/models/gpt2-small.json
#include <cuda_runtime_api.h>
#include <mpi.h>

#include <cstdint>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <iterator>
#include <stdexcept>
#include <string>
#include <vector>

#include "checkpoint.hpp"
#include "model_description.hpp"
#include "weightinit/weightinit.hpp"

namespace wi = weightinit;

namespace {

constexpr std::uint64_t kSeed = 20261201;
constexpr std::int64_t kGatherBelow = std::int64_t{1} << 20;

struct shard_entry {
  std::size_t tensor;  // index in the description
  wi::shard_box box;
  std::string part;  // "" or "q"/"k"/"v"
};

bool ends_with(const std::string& s, const char* suffix) {
  const std::size_t n = std::strlen(suffix);
  return s.size() >= n && s.compare(s.size() - n, n, suffix) == 0;
}

// The shards rank `rank` of `world` holds for one tensor (in a fixed order, the same count on every
// rank).
std::vector<shard_entry> shards_of(std::size_t t, const std::string& name, const wi::shape& dims,
                                   int rank, int world) {
  std::vector<shard_entry> out;
  if (ends_with(name, "attn.c_attn.weight") || ends_with(name, "attn.c_attn.bias")) {
    // Fused QKV, Conv1D (in, 3E) / bias (3E): each rank takes its heads' columns of q, k and v.
    const std::int64_t e3 = dims.back();
    const auto boxes = wi::fused_parts_shards(dims, {e3 / 3, e3 / 3, e3 / 3}, -1, rank, world);
    const char* parts[] = {"q", "k", "v"};
    for (int p = 0; p < 3; ++p) out.push_back({t, boxes[p], parts[p]});
  } else if (ends_with(name, "mlp.c_fc.weight") || ends_with(name, "mlp.c_fc.bias")) {
    out.push_back({t, wi::column_parallel(dims, rank, world), ""});  // output features (last dim)
  } else if (ends_with(name, "c_proj.weight")) {
    out.push_back(
        {t, wi::row_parallel(dims, rank, world), ""});  // input features (dim 0 of (in, out))
  } else if (ends_with(name, "wte.weight")) {
    out.push_back({t, wi::row_parallel(dims, rank, world), ""});  // vocabulary parallel
  } else {
    out.push_back({t, wi::full_box(dims), ""});  // replicated
  }
  return out;
}

std::uint64_t fnv1a(const unsigned char* p, std::size_t n) {
  std::uint64_t h = 0xcbf29ce484222325ull;
  for (std::size_t i = 0; i < n; ++i) h = (h ^ p[i]) * 0x100000001b3ull;
  return h;
}

std::vector<unsigned char> cut(const wi::shape& dims, const wi::shard_box& box, std::size_t bytes,
                               const unsigned char* global) {
  std::vector<unsigned char> out(static_cast<std::size_t>(wi::element_count(box)) * bytes);
  const std::size_t rank = dims.size();
  std::vector<std::int64_t> idx(rank, 0);
  for (std::int64_t i = 0, n = wi::element_count(box); i < n; ++i) {
    std::int64_t g = 0;
    for (std::size_t d = 0; d < rank; ++d) g = g * dims[d] + box.offset[d] + idx[d];
    std::memcpy(out.data() + i * bytes, global + g * bytes, bytes);
    for (std::size_t d = rank; d-- > 0;) {
      if (++idx[d] < box.extent[d]) break;
      idx[d] = 0;
    }
  }
  return out;
}

int run(int argc, char** argv) {
  int rank = 0, world = 1;
  MPI_Comm_rank(MPI_COMM_WORLD, &rank);
  MPI_Comm_size(MPI_COMM_WORLD, &world);
  const std::string path = argc > 1 ? argv[1] : "examples/models/gpt2-small.json";
  std::ifstream f(path);
  if (!f) throw std::runtime_error("cannot read " + path);
  const std::string text{std::istreambuf_iterator<char>(f), {}};
  const weightinit_io::model_description d = weightinit_io::parse_model_json(text);
  const wi::rule_set rules = weightinit_io::rules_of(d);
  // The whole model's plan: the single-process reference, and the source of each entry's
  // initializer.
  const wi::model_plan whole = weightinit_io::plan_of(d, rules, kSeed);

  // This rank's plan: its shards, each with the global shape, the whole tensor's initializer and
  // the whole tensor's stream (the stream of its name), so a shard holds the global values.
  wi::model_plan mine(kSeed);
  std::vector<shard_entry> shards;
  for (std::size_t t = 0; t < whole.size(); ++t) {
    const wi::plan_entry& e = whole.entry(t);
    for (shard_entry& s : shards_of(t, e.name, e.dims, rank, world)) {
      wi::plan_entry p = e;
      p.name = e.name + (s.part.empty() ? "" : "#" + s.part);
      p.stream = whole.key_of(t).stream;
      p.box = s.box;
      mine.add(p);
      shards.push_back(s);
    }
  }
  int devices = 0;
  const bool gpu = cudaGetDeviceCount(&devices) == cudaSuccess && devices > 0;
  if (!gpu) cudaGetLastError();
  std::vector<unsigned char> local(mine.arena_bytes());
  const double t0 = MPI_Wtime();
  if (gpu) {
    if (cudaSetDevice(rank % devices) != cudaSuccess)
      throw std::runtime_error("cudaSetDevice failed");
    void* arena = nullptr;
    if (cudaMalloc(&arena, mine.arena_bytes()) != cudaSuccess)
      throw std::runtime_error("cudaMalloc failed");
    {
      wi::device_plan dp(mine, wi::plan_buffers::arena(arena));
      wi::fill(dp, nullptr);
      if (cudaMemcpy(local.data(), arena, local.size(), cudaMemcpyDeviceToHost) != cudaSuccess)
        throw std::runtime_error("cudaMemcpy failed");
    }
    cudaFree(arena);
  } else {
    wi::fill_host(mine, wi::plan_buffers::arena(local.data()));
  }
  const double fill_s = MPI_Wtime() - t0;

  // Checksums of every shard, gathered on rank 0 (every rank holds the same number of shards).
  std::vector<std::uint64_t> sums(mine.size());
  for (std::size_t i = 0; i < mine.size(); ++i)
    sums[i] = fnv1a(local.data() + mine.arena_offset(i), mine.stored_bytes(i));
  std::vector<std::uint64_t> all_sums(rank == 0 ? sums.size() * world : 0);
  MPI_Gather(sums.data(), static_cast<int>(sums.size()), MPI_UINT64_T, all_sums.data(),
             static_cast<int>(sums.size()), MPI_UINT64_T, 0, MPI_COMM_WORLD);

  int failures = 0;
  std::vector<unsigned char> reference;
  std::vector<std::size_t> ref_offset;
  if (rank == 0) {
    ref_offset.resize(whole.size());
    std::size_t at = 0;
    for (std::size_t t = 0; t < whole.size(); ++t) {
      ref_offset[t] = at;
      at += whole.stored_bytes(t);
    }
    reference.resize(at);
    std::vector<void*> ptrs;
    for (std::size_t t = 0; t < whole.size(); ++t) ptrs.push_back(reference.data() + ref_offset[t]);
    wi::fill_host(whole, wi::plan_buffers::per_entry(ptrs));
    for (int r = 0; r < world; ++r) {
      std::size_t i = 0;
      for (std::size_t t = 0; t < whole.size(); ++t) {
        const wi::plan_entry& e = whole.entry(t);
        for (const shard_entry& s : shards_of(t, e.name, e.dims, r, world)) {
          const auto want =
              cut(e.dims, s.box, wi::size_of(e.type), reference.data() + ref_offset[t]);
          if (fnv1a(want.data(), want.size()) != all_sums[r * sums.size() + i]) {
            std::fprintf(stderr, "rank %d: shard %s of %s differs from the single-process fill\n",
                         r, wi::to_string(s.box).c_str(), e.name.c_str());
            ++failures;
          }
          ++i;
        }
      }
    }
  }
  // The shards themselves, for the smaller tensors: gathered, assembled, compared bit for bit.
  int gathered = 0;
  for (std::size_t i = 0; i < mine.size(); ++i) {
    const wi::plan_entry& g = whole.entry(shards[i].tensor);
    if (wi::element_count(g.dims) >= kGatherBelow) continue;
    const int bytes = static_cast<int>(mine.stored_bytes(i));
    std::vector<int> counts(world), displs(world);
    MPI_Gather(&bytes, 1, MPI_INT, counts.data(), 1, MPI_INT, 0, MPI_COMM_WORLD);
    std::vector<unsigned char> recv;
    if (rank == 0) {
      int total = 0;
      for (int r = 0; r < world; ++r) displs[r] = total, total += counts[r];
      recv.resize(static_cast<std::size_t>(total));
    }
    MPI_Gatherv(local.data() + mine.arena_offset(i), bytes, MPI_BYTE, recv.data(), counts.data(),
                displs.data(), MPI_BYTE, 0, MPI_COMM_WORLD);
    if (rank == 0) {
      ++gathered;
      for (int r = 0; r < world; ++r) {
        // Rank r's i-th shard is the same tensor and part, with rank r's box.
        std::size_t j = 0;
        wi::shard_box box;
        for (std::size_t t = 0; t < whole.size() && j <= i; ++t)
          for (const shard_entry& s :
               shards_of(t, whole.entry(t).name, whole.entry(t).dims, r, world))
            if (j++ == i) box = s.box;
        const auto want =
            cut(g.dims, box, wi::size_of(g.type), reference.data() + ref_offset[shards[i].tensor]);
        if (want.size() != static_cast<std::size_t>(counts[r]) ||
            std::memcmp(want.data(), recv.data() + displs[r], want.size()) != 0) {
          std::fprintf(stderr, "rank %d: gathered shard of %s differs\n", r, g.name.c_str());
          ++failures;
        }
      }
    }
  }
  MPI_Bcast(&failures, 1, MPI_INT, 0, MPI_COMM_WORLD);
  double slowest = 0;
  MPI_Reduce(&fill_s, &slowest, 1, MPI_DOUBLE, MPI_MAX, 0, MPI_COMM_WORLD);
  if (rank == 0)
    std::printf(
        "mpi_sharded_init: %d ranks (%s), %zu tensors, %zu shards per rank, slowest fill %.3f s; "
        "%zu checksums and %d gathered tensors compared with the single-process fill: %s\n",
        world, gpu ? "GPU" : "CPU", whole.size(), mine.size(), slowest, all_sums.size(), gathered,
        failures == 0 ? "bit-identical" : "MISMATCH");
  return failures == 0 ? 0 : 1;
}

}  // namespace

int main(int argc, char** argv) {
  MPI_Init(&argc, &argv);
  int status = 0;
  try {
    status = run(argc, argv);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "mpi_sharded_init: %s\n", e.what());
    MPI_Abort(MPI_COMM_WORLD, 2);
  }
  MPI_Finalize();
  return status;
}
