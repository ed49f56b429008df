// host/thread_pool.cpp: a persistent pool for parallel_for. Each call posts one job (a task counter
// shared by its participants); the caller takes tasks too, so a job always finishes, even when
// every worker is busy with other jobs or none could be started.
#include "thread_pool.hpp"

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <deque>
#include <exception>
#include <memory>
#include <mutex>
#include <system_error>
#include <thread>
#include <vector>

namespace weightinit {
namespace detail {
namespace {

struct job {
  const std::function<void(std::int64_t)>* task = nullptr;
  std::int64_t tasks = 0;
  std::atomic<std::int64_t> next{0};
  std::atomic<bool> failed{false};
  std::exception_ptr error;  // written once, by the first participant whose task throws
  std::mutex error_mutex;
  // Participants still inside run(); the caller waits for zero before the job goes away.
  std::mutex done_mutex;
  std::condition_variable done;
  int active = 0;

  void run() {
    for (;;) {
      const std::int64_t i = next.fetch_add(1, std::memory_order_relaxed);
      if (i >= tasks || failed.load(std::memory_order_relaxed)) return;
      try {
        (*task)(i);
      } catch (...) {
        std::lock_guard<std::mutex> lock(error_mutex);
        if (!error) error = std::current_exception();
        failed.store(true, std::memory_order_relaxed);
      }
    }
  }
};

class pool {
 public:
  static pool& instance() {
    static pool* p = new pool;  // never destroyed: workers may outlive static destruction order
    return *p;
  }

  // Offers `j` to up to `helpers` workers, starting workers as needed.
  void post(const std::shared_ptr<job>& j, unsigned helpers) {
    std::lock_guard<std::mutex> lock(mutex_);
    while (workers_ < helpers) {
      try {
        std::thread([this] { work(); }).detach();
        ++workers_;
      } catch (const std::system_error&) {
        break;  // no more threads: fewer helpers
      }
    }
    for (unsigned h = 0; h < std::min(helpers, workers_); ++h) queue_.push_back(j);
    ready_.notify_all();
  }

 private:
  void work() {
    for (;;) {
      std::shared_ptr<job> j;
      {
        std::unique_lock<std::mutex> lock(mutex_);
        ready_.wait(lock, [this] { return !queue_.empty(); });
        j = std::move(queue_.front());
        queue_.pop_front();
        std::lock_guard<std::mutex> count(j->done_mutex);
        ++j->active;
      }
      j->run();
      std::lock_guard<std::mutex> count(j->done_mutex);
      if (--j->active == 0) j->done.notify_all();
    }
  }

  std::mutex mutex_;
  std::condition_variable ready_;
  std::deque<std::shared_ptr<job>> queue_;
  unsigned workers_ = 0;
};

}  // namespace

unsigned default_thread_count() noexcept {
  // Read once: hardware_concurrency() reads /sys on Linux (about 20 µs a call).
  static const unsigned n = std::max(1u, std::thread::hardware_concurrency());
  return n;
}

void parallel_for(std::int64_t tasks, unsigned threads,
                  const std::function<void(std::int64_t)>& task) {
  if (tasks <= 0) return;
  if (threads == 0) threads = default_thread_count();
  const unsigned helpers = static_cast<unsigned>(
      std::min<std::int64_t>(static_cast<std::int64_t>(threads) - 1, tasks - 1));
  if (helpers == 0) {
    for (std::int64_t i = 0; i < tasks; ++i) task(i);
    return;
  }
  auto j = std::make_shared<job>();
  j->task = &task;
  j->tasks = tasks;
  {
    std::lock_guard<std::mutex> count(j->done_mutex);
    ++j->active;  // the caller
  }
  pool::instance().post(j, helpers);
  j->run();
  {
    // Workers that dequeue the job after this point find no task left and leave at once; `task`
    // outlives every one that is inside run().
    std::unique_lock<std::mutex> lock(j->done_mutex);
    --j->active;
    j->done.wait(lock, [&] { return j->active == 0; });
    j->tasks = 0;  // a worker dequeuing later must not touch `task`
  }
  if (j->error) std::rethrow_exception(j->error);
}

}  // namespace detail
}  // namespace weightinit
