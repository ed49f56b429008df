// host/box.cpp: shard boxes: their checks, the partitions of weightinit/shard.hpp, their runs of
// contiguous global elements (kernels/box.hpp), and the CPU fill of a boxed plan, run by run, each
// run a window of the global tensor, so a box holds exactly the whole tensor's values.
#include <algorithm>
#include <cstring>
#include <limits>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

#include "schemes_internal.hpp"
#include "thread_pool.hpp"
#include "weightinit/shard.hpp"

namespace weightinit {

shard_box full_box(const shape& dims) {
  shard_box b;
  b.offset.assign(dims.size(), 0);
  b.extent.assign(dims.begin(), dims.end());
  return b;
}

std::int64_t element_count(const shard_box& box) { return element_count(shape(box.extent)); }

std::string to_string(const shard_box& box) {
  std::string s = "[";
  const std::size_t n = std::max(box.offset.size(), box.extent.size());
  for (std::size_t i = 0; i < n; ++i) {
    if (i) s += ", ";
    s += (i < box.offset.size() ? std::to_string(box.offset[i]) : "?") + ":" +
         (i < box.extent.size() ? std::to_string(box.extent[i]) : "?");
  }
  return s + "]";
}

namespace {

// A non-negative decimal integer that fits in int64, nothing else.
bool parse_index(const std::string& t, std::int64_t& out) {
  if (t.empty() || t.size() > 19) return false;
  std::uint64_t v = 0;
  for (char c : t) {
    if (c < '0' || c > '9') return false;
    v = v * 10 + static_cast<std::uint64_t>(c - '0');
  }
  if (v > static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max())) return false;
  out = static_cast<std::int64_t>(v);
  return true;
}

}  // namespace

shard_box parse_box(const std::string& text) {
  shard_box b;
  const auto bad = [&](const std::string& why) {
    return std::invalid_argument("parse_box: " + why + " in '" + text +
                                 "' (expected offset:extent per dimension, e.g. 0:1024,512:512)");
  };
  if (text.empty()) throw bad("empty box");
  std::size_t start = 0;
  for (;;) {
    const std::size_t comma = text.find(',', start);
    const std::string item =
        text.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
    const std::size_t colon = item.find(':');
    std::int64_t off = 0, ext = 0;
    if (colon == std::string::npos) throw bad("no ':' in '" + item + "'");
    if (!parse_index(item.substr(0, colon), off))
      throw bad("offset '" + item.substr(0, colon) + "' is not a non-negative 64-bit integer");
    if (!parse_index(item.substr(colon + 1), ext))
      throw bad("extent '" + item.substr(colon + 1) + "' is not a non-negative 64-bit integer");
    b.offset.push_back(off);
    b.extent.push_back(ext);
    if (comma == std::string::npos) break;
    start = comma + 1;
  }
  return b;
}

void check_box(const shard_box& box, const shape& dims, const char* function) {
  const std::string where = std::string(function) + ": shard box " + to_string(box);
  if (box.offset.size() != box.extent.size())
    throw std::invalid_argument(where + " has " + std::to_string(box.offset.size()) +
                                " offsets but " + std::to_string(box.extent.size()) + " extents");
  if (box.offset.size() != dims.size())
    throw std::invalid_argument(where + " has rank " + std::to_string(box.offset.size()) +
                                ", but the tensor's shape " + to_string(dims) + " has rank " +
                                std::to_string(dims.size()));
  element_count(dims);  // negative extents and overflow of the global shape
  for (std::size_t i = 0; i < dims.size(); ++i) {
    if (box.offset[i] < 0 || box.extent[i] < 0 || box.offset[i] > dims[i] ||
        box.extent[i] > dims[i] - box.offset[i])
      throw std::invalid_argument(where + " does not lie inside shape " + to_string(dims) +
                                  ": dimension " + std::to_string(i) + " needs 0 <= offset and " +
                                  "offset + extent <= " + std::to_string(dims[i]));
  }
}

namespace {

int checked_dim(const shape& dims, int dim, const char* function) {
  const int rank = static_cast<int>(dims.size());
  const int d = dim < 0 ? dim + rank : dim;
  if (rank == 0 || d < 0 || d >= rank)
    throw std::invalid_argument(std::string(function) + ": dimension " + std::to_string(dim) +
                                " is out of range for shape " + to_string(dims));
  return d;
}

void check_rank_world(int rank, int world, const char* function) {
  if (world < 1 || rank < 0 || rank >= world)
    throw std::invalid_argument(std::string(function) +
                                ": needs world >= 1 and 0 <= rank < world, got rank " +
                                std::to_string(rank) + " of world " + std::to_string(world));
}

// [begin, end) of rank's share of n items: the first n % world ranks get one more.
std::pair<std::int64_t, std::int64_t> split(std::int64_t n, int rank, int world) {
  const std::int64_t q = n / world, r = n % world;
  const std::int64_t begin = rank * q + std::min<std::int64_t>(rank, r);
  return {begin, begin + q + (rank < r ? 1 : 0)};
}

}  // namespace

shard_box shard(const shape& dims, int dim, int rank, int world, std::int64_t granule) {
  const char* fn = "shard";
  element_count(dims);
  const int d = checked_dim(dims, dim, fn);
  check_rank_world(rank, world, fn);
  if (granule < 1 || dims[d] % granule != 0)
    throw std::invalid_argument(std::string(fn) + ": granule " + std::to_string(granule) +
                                " does not divide dimension " + std::to_string(d) + " of shape " +
                                to_string(dims));
  shard_box b = full_box(dims);
  const auto [lo, hi] = split(dims[d] / granule, rank, world);
  b.offset[d] = lo * granule;
  b.extent[d] = (hi - lo) * granule;
  return b;
}

shard_box row_parallel(const shape& dims, int rank, int world) {
  return shard(dims, 0, rank, world);
}
shard_box column_parallel(const shape& dims, int rank, int world) {
  return shard(dims, -1, rank, world);
}

shard_box megatron_qkv_shard(const shape& dims, std::int64_t heads, int rank, int world) {
  const char* fn = "megatron_qkv_shard";
  element_count(dims);
  check_rank_world(rank, world, fn);
  if (dims.empty() || heads < 1 || dims[0] % (3 * heads) != 0 || heads % world != 0)
    throw std::invalid_argument(
        std::string(fn) + ": needs dim 0 of shape " + to_string(dims) +
        " to be 3 * heads * head_dim and heads divisible by the world size; "
        "got heads " +
        std::to_string(heads) + ", world " + std::to_string(world));
  return shard(dims, 0, rank, world, dims[0] / heads);
}

std::vector<shard_box> fused_parts_shards(const shape& dims, const std::vector<std::int64_t>& parts,
                                          int dim, int rank, int world) {
  const char* fn = "fused_parts_shards";
  element_count(dims);
  const int d = checked_dim(dims, dim, fn);
  check_rank_world(rank, world, fn);
  std::int64_t sum = 0;
  for (std::int64_t p : parts) {
    if (p < 0)
      throw std::invalid_argument(std::string(fn) + ": negative part size " + std::to_string(p));
    sum += p;
  }
  if (parts.empty() || sum != dims[d])
    throw std::invalid_argument(std::string(fn) + ": parts must sum to dimension " +
                                std::to_string(d) + " of shape " + to_string(dims));
  std::vector<shard_box> out;
  std::int64_t start = 0;
  for (std::int64_t p : parts) {
    shard_box b = full_box(dims);
    const auto [lo, hi] = split(p, rank, world);
    b.offset[d] = start + lo;
    b.extent[d] = hi - lo;
    out.push_back(b);
    start += p;
  }
  return out;
}

namespace detail {

std::int64_t checked_box_count(const tensor_view& view, const char* function) {
  window_count(tensor_view{view.data, view.type, view.dims}, function);  // the dtype, the shape
  check_box(*view.box, view.dims, function);
  const std::int64_t n = element_count(*view.box);
  if (view.first != 0 || (view.count != -1 && view.count != n))
    throw std::invalid_argument(std::string(function) +
                                ": a shard box cannot be combined with a "
                                "window (first " +
                                std::to_string(view.first) + ", count " +
                                std::to_string(view.count) + "); leave first 0 and count -1");
  if (n > 0 && view.data == nullptr)
    throw std::invalid_argument(std::string(function) + ": null data pointer for the " +
                                std::to_string(n) + " " + to_string(view.type) +
                                " elements of shard box " + to_string(*view.box));
  return n;
}

box_runs runs_of(const shape& dims, const shard_box& box, const char* function) {
  box_runs g;
  const int rank = static_cast<int>(dims.size());
  if (rank == 0) {
    g.run_len = 1;
    return g;
  }
  std::vector<std::int64_t> stride(static_cast<std::size_t>(rank), 1);
  for (int j = rank - 2; j >= 0; --j) stride[j] = stride[j + 1] * dims[j + 1];
  // k: the outermost dimension of the run (the last one the box cuts; 0 when it cuts none).
  int k = 0;
  for (int j = rank - 1; j >= 0; --j) {
    if (box.offset[j] != 0 || box.extent[j] != dims[j]) {
      k = j;
      break;
    }
  }
  g.run_len = box.extent[k] * stride[k];
  for (int j = 0; j < rank; ++j) g.base += box.offset[j] * stride[j];
  g.runs = 1;
  for (int j = 0; j < k; ++j) {
    g.runs *= box.extent[j];
    if (box.extent[j] == 1) continue;
    if (g.outer == max_box_outer)
      throw std::invalid_argument(std::string(function) + ": shard box " + to_string(box) +
                                  " cuts more than " + std::to_string(max_box_outer) +
                                  " outer dimensions");
    g.extent[g.outer] = box.extent[j];
    g.stride[g.outer] = stride[j];
    ++g.outer;
  }
  if (g.run_len == 0) g.runs = 0;
  return g;
}

void execute_box_host(const tensor_view& t, const fill_plan& plan, key k, host_policy policy) {
  if (plan.box_count == 0) return;
  const box_runs& g = plan.box;
  const std::int64_t bytes = static_cast<std::int64_t>(size_of(t.type));
  unsigned char* out = static_cast<unsigned char*>(t.data);
  if (g.runs == 1) {  // one window of the global tensor
    tensor_view w{out, t.type, t.dims, g.base, g.run_len};
    execute_host(w, window_of(plan, g.base, g.run_len), k, policy);
    return;
  }
  if (plan.kind == scheme::sparse || plan.kind == scheme::orthogonal) {
    // Each of their windows needs whole columns or whole matrices: fill the tensor once, gather.
    const std::int64_t total = element_count(t.dims);
    std::vector<unsigned char> whole(static_cast<std::size_t>(total * bytes));
    tensor_view w{whole.data(), t.type, t.dims, 0, total};
    execute_host(w, window_of(plan, 0, total), k, policy);
    for (std::int64_t r = 0; r < g.runs; ++r)
      std::memcpy(out + r * g.run_len * bytes, whole.data() + g.run_first(r) * bytes,
                  static_cast<std::size_t>(g.run_len * bytes));
    return;
  }
  // Runs in groups of at least ~64 Ki elements, spread over the pool; each run a window.
  const std::int64_t per_task = std::max<std::int64_t>(1, (std::int64_t{1} << 16) / g.run_len);
  const std::int64_t tasks = (g.runs + per_task - 1) / per_task;
  const unsigned threads = policy.threads ? policy.threads : default_thread_count();
  parallel_for(tasks, threads, [&](std::int64_t task) {
    const std::int64_t r_end = std::min(g.runs, (task + 1) * per_task);
    for (std::int64_t r = task * per_task; r < r_end; ++r) {
      const std::int64_t first = g.run_first(r);
      tensor_view w{out + r * g.run_len * bytes, t.type, t.dims, first, g.run_len};
      execute_host(w, window_of(plan, first, g.run_len), k, host_policy{1});
    }
  });
}

}  // namespace detail
}  // namespace weightinit
