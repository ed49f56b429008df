// tools/output.cpp: checked writes to stdout and whole-or-nothing files (see output.hpp).
#include "output.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <iostream>
#include <vector>

namespace weightinit_cli {
namespace {

[[noreturn]] void stdout_failed(int err) {
  throw stdout_error(err, std::string("writing to stdout failed: ") + std::strerror(err));
}

std::string folder_of(const std::string& path) {
  const std::size_t slash = path.rfind('/');
  if (slash == std::string::npos) return ".";
  if (slash == 0) return "/";
  return path.substr(0, slash);
}

}  // namespace

bool stdout_error::closed_pipe() const noexcept { return err_ == EPIPE; }

void write_stdout(const void* data, std::size_t n) {
  if (n == 0) return;
  errno = 0;
  if (std::fwrite(data, 1, n, stdout) != n) stdout_failed(errno ? errno : EIO);
}

void write_stdout(const std::string& text) { write_stdout(text.data(), text.size()); }

void flush_stdout() {
  errno = 0;
  std::cout.flush();
  if (std::fflush(stdout) != 0 || std::ferror(stdout) || !std::cout)
    stdout_failed(errno ? errno : EIO);
}

atomic_file::atomic_file(const std::string& target) : target_(target) {
  if (target.empty()) throw std::runtime_error("cannot write a file with an empty name");
  struct stat st;
  if (::stat(target.c_str(), &st) == 0) {
    if (S_ISDIR(st.st_mode))
      throw std::runtime_error("cannot write '" + target + "': it is a directory");
    if (!S_ISREG(st.st_mode))
      throw std::runtime_error("cannot write '" + target +
                               "': it exists and is not a regular file (the tool replaces files "
                               "whole, through a temporary file beside them)");
  }
  std::string pattern = target + ".XXXXXX";
  std::vector<char> name(pattern.begin(), pattern.end());
  name.push_back('\0');
  fd_ = ::mkstemp(name.data());
  if (fd_ < 0) {
    const int err = errno;
    struct stat dir;
    const std::string folder = folder_of(target);
    if (::stat(folder.c_str(), &dir) != 0)
      throw std::runtime_error("cannot write '" + target + "': folder '" + folder +
                               "': " + std::strerror(errno));
    throw std::runtime_error("cannot write '" + target + "': cannot create a file in '" + folder +
                             "': " + std::strerror(err));
  }
  temp_.assign(name.data());
  const mode_t mask = ::umask(0);
  ::umask(mask);
  if (::fchmod(fd_, 0666 & ~mask) != 0) fail("setting the permissions of", errno);
}

atomic_file::~atomic_file() {
  if (fd_ >= 0) ::close(fd_);
  if (!committed_ && !temp_.empty()) ::unlink(temp_.c_str());
}

void atomic_file::fail(const std::string& doing, int err) {
  throw std::runtime_error(doing + " '" + target_ + "' failed: " + std::strerror(err) +
                           " (the file is unchanged)");
}

void atomic_file::write(const void* data, std::size_t n) {
  const char* p = static_cast<const char*>(data);
  while (n > 0) {
    const ssize_t w = ::write(fd_, p, n);
    if (w < 0) {
      if (errno == EINTR) continue;
      fail("writing", errno);
    }
    if (w == 0) fail("writing", EIO);
    p += w;
    n -= static_cast<std::size_t>(w);
  }
}

void atomic_file::commit() {
  if (::fsync(fd_) != 0) fail("writing", errno);
  const int fd = fd_;
  fd_ = -1;
  if (::close(fd) != 0) fail("writing", errno);
  if (::rename(temp_.c_str(), target_.c_str()) != 0) fail("replacing", errno);
  committed_ = true;
}

}  // namespace weightinit_cli
