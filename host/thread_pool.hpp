// host/thread_pool.hpp: the one way the CPU fills run in parallel: parallel_for over a persistent
// pool of worker threads (started on first use, grown on demand, never shrunk), so a small fill
// does not pay for starting threads and a thread that cannot be started costs parallelism, not the
// process.
#pragma once

#include <cstdint>
#include <functional>

namespace weightinit {
namespace detail {

/// The thread count a fill uses when the caller asks for 0: std::thread::hardware_concurrency()
/// (1 when unknown), read once per process.
unsigned default_thread_count() noexcept;

/// Runs task(i) for every i in [0, tasks), on up to `threads` threads: the calling thread and
/// threads - 1 pool workers. Returns when every task has run. Tasks must be independent. If a
/// worker cannot be started, the others (and the caller) run its share. The first exception a task
/// throws is rethrown here once every running task has finished (tasks not yet started are
/// skipped). Safe to call from several threads at once and from inside a task.
void parallel_for(std::int64_t tasks, unsigned threads,
                  const std::function<void(std::int64_t)>& task);

}  // namespace detail
}  // namespace weightinit
