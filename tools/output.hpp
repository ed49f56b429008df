// tools/output.hpp: every byte the tool writes goes through here. Standard output: each write is
// checked, a reader that closed the pipe ends the tool quietly (status 0), any other failure is an
// error (status 1). Files: written whole or not at all, through a temporary file beside the target
// that is flushed, synced and renamed over it only when every write succeeded.
#pragma once

#include <cstddef>
#include <stdexcept>
#include <string>

namespace weightinit_cli {

/// Writing to stdout failed. `closed_pipe()`: the reader went away (EPIPE), a clean end.
class stdout_error : public std::runtime_error {
 public:
  stdout_error(int err, const std::string& what) : std::runtime_error(what), err_(err) {}
  bool closed_pipe() const noexcept;

 private:
  int err_;
};

/// Writes `n` bytes to stdout; throws stdout_error when they cannot all be written.
void write_stdout(const void* data, std::size_t n);
void write_stdout(const std::string& text);

/// Flushes stdout (and std::cout); throws stdout_error on failure. main calls it after every
/// command.
void flush_stdout();

/// A file written whole or not at all. The constructor refuses (std::runtime_error naming the path
/// and the reason) a target that exists and is not a regular file, or a folder it cannot create a
/// file in; it creates `<target>.XXXXXX.tmp` beside the target with the permissions a new file gets
/// (0666 & ~umask). write() checks every write; commit() flushes, fsyncs, closes and renames the
/// temporary over the target. Destroyed uncommitted, it removes the temporary: the target is then
/// exactly as it was.
class atomic_file {
 public:
  explicit atomic_file(const std::string& target);
  ~atomic_file();
  atomic_file(const atomic_file&) = delete;
  atomic_file& operator=(const atomic_file&) = delete;

  void write(const void* data, std::size_t n);
  void commit();
  const std::string& target() const noexcept { return target_; }

 private:
  [[noreturn]] void fail(const std::string& doing, int err);
  std::string target_, temp_;
  int fd_ = -1;
  bool committed_ = false;
};

}  // namespace weightinit_cli
