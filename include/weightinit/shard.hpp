// weightinit/shard.hpp: shard boxes (types.hpp's shard_box) for the partitions tensor parallelism
// uses: an even or uneven split of one dimension, row parallel (dim 0) and column parallel (last
// dim), and Megatron-LM's fused QKV weight, whose rows interleave the heads' q, k and v. A box
// filled through tensor_view::box holds exactly the global tensor's values at its coordinates.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "weightinit/types.hpp"

namespace weightinit {

/// The box of the whole tensor (offset 0, extent = dims).
shard_box full_box(const shape& dims);

/// Elements of the box (product of its extents; 1 for rank 0). Throws std::invalid_argument on a
/// negative extent or on overflow.
std::int64_t element_count(const shard_box& box);

/// "[0:1024, 512:512]" (offset:extent per dimension).
std::string to_string(const shard_box& box);

/// Parses "0:1024,512:512" (offset:extent per dimension, as `weightinit sample --box` takes it).
/// Throws std::invalid_argument naming the text on anything else (integers parse strictly).
shard_box parse_box(const std::string& text);

/// Throws std::invalid_argument naming `function` unless `box` lies inside `dims`: the same rank,
/// offsets >= 0, extents >= 0 and offset + extent <= the dimension's extent.
void check_box(const shard_box& box, const shape& dims, const char* function);

/// Rank `rank` of `world` splitting dimension `dim` (negative counts from the end) of `dims`:
/// the first dims[dim] % world ranks get one more index than the others (torch.chunk-style
/// uneven splits put the remainder first as well), every other dimension whole. With
/// `granule` > 1 the dimension is split in whole granules (heads, say): dims[dim] must be a
/// multiple of it. Throws std::invalid_argument for world < 1, rank outside [0, world), a bad dim,
/// or a granule that does not divide the dimension.
shard_box shard(const shape& dims, int dim, int rank, int world, std::int64_t granule = 1);

/// Rows and columns of the stored tensor: row_parallel splits dim 0, column_parallel the last
/// dimension. (Megatron-LM's ColumnParallelLinear splits the output features, which is dim 0 of a
/// PyTorch (out, in) weight, i.e. row_parallel here; its RowParallelLinear is column_parallel.)
shard_box row_parallel(const shape& dims, int rank, int world);
shard_box column_parallel(const shape& dims, int rank, int world);

/// Megatron-LM's fused QKV weight (3·heads·head_dim, hidden) or bias (3·heads·head_dim): its rows
/// are ordered (head, {q, k, v}, head_dim), so a rank's heads are one contiguous block of rows:
/// rank r of `world` gets heads [r·heads/world, (r+1)·heads/world) (heads % world == 0 required,
/// as Megatron does), i.e. rows of 3·head_dim per head.
shard_box megatron_qkv_shard(const shape& dims, std::int64_t heads, int rank, int world);

/// A fused QKV weight stored (q; k; v) along dim 0 (Hugging Face, nanoGPT c_attn stored (out, in),
/// parts {E, E, E}, or GQA {E, kv, kv}): rank r's heads are one box per part, in part order.
std::vector<shard_box> fused_parts_shards(const shape& dims, const std::vector<std::int64_t>& parts,
                                          int dim, int rank, int world);

}  // namespace weightinit
