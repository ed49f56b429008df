// examples/demo/report.cpp: what the study shows: the terminal table, the per-layer CSV, and the
// PNG plot, drawn by gnuplot run as an external program on a script this file writes (data inline).
#include <spawn.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

#include "demo.hpp"

extern char** environ;

namespace weightinit_demo {
namespace {

std::string number(double x) {
  if (std::isnan(x)) return "nan";
  if (std::isinf(x)) return x > 0 ? "inf" : "-inf";
  if (x == 0) return "0";
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.2e", x);
  return buf;
}

std::string csv_number(double x) {
  if (std::isnan(x)) return "nan";
  if (std::isinf(x)) return x > 0 ? "inf" : "-inf";
  char buf[40];
  std::snprintf(buf, sizeof buf, "%.9g", x);
  return buf;
}

std::string pad(std::string s, std::size_t w) {
  if (s.size() < w) s.append(w - s.size(), ' ');
  return s + ' ';
}

std::string verdict_text(const pair_result& p) {
  std::string v = to_string(p.v);
  if (!p.reason.empty()) v += " (" + p.reason + ")";
  return v;
}

// Line styles of the plot by scheme name; other schemes cycle through a palette.
struct line_style {
  const char* color;
  int dash;
  double width;
};
line_style style_for(const std::string& scheme, std::size_t index) {
  if (scheme == "zeros") return {"#7f7f7f", 1, 2};
  if (scheme == "normal(std=0.01)") return {"#9467bd", 1, 2.5};
  if (scheme == "normal(std=1)") return {"#d62728", 1, 2.5};
  if (scheme == "xavier_uniform") return {"#1f77b4", 2, 2};
  if (scheme == "xavier_normal") return {"#1f77b4", 1, 3.5};
  if (scheme == "he_uniform") return {"#2ca02c", 2, 2};
  if (scheme == "he_normal") return {"#2ca02c", 1, 3.5};
  if (scheme == "lecun_normal") return {"#ff7f0e", 3, 2};
  static const char* palette[] = {"#8c564b", "#e377c2", "#17becf", "#bcbd22", "#000000"};
  return {palette[index % 5], 1, 2};
}

// A gnuplot string literal holding exactly `s`, for anything written into the script that did not
// come from this file (paths, scheme names). Single quotes: inside them gnuplot performs no
// substitution at all (no `command`, no @macro, no backslash escape; double quotes would still run
// backquoted commands), and a quote is written twice. A line break cannot be carried by any gnuplot
// literal (it ends the command, and the rest of the line would run as a new one): control
// characters are refused (check_script_text).
std::string gnuplot_quote(const std::string& s) {
  check_script_text(s, "a gnuplot string");
  std::string out = "'";
  for (char c : s) {
    if (c == '\'') out += '\'';
    out += c;
  }
  return out + "'";
}

// Creates `<target>.tmp-XXXXXX` beside `target` (same folder: rename() replaces the target in one
// step, so a reader sees the old file or the new one, never part of one) and removes it on
// destruction unless commit() renamed it onto the target.
class temp_file {
 public:
  explicit temp_file(const std::string& target) : target_(target), path_(target + ".tmp-XXXXXX") {
    fd_ = mkstemp(path_.data());
    if (fd_ < 0) {
      error_ = std::strerror(errno);
      path_.clear();
    }
  }
  temp_file(const temp_file&) = delete;
  temp_file& operator=(const temp_file&) = delete;
  ~temp_file() {
    if (fd_ >= 0) ::close(fd_);
    if (!path_.empty()) ::unlink(path_.c_str());
  }
  bool ok() const { return fd_ >= 0; }
  const std::string& path() const { return path_; }
  const std::string& error() const { return error_; }

  // Writes all of `data`; false (error() says why) on any short or failed write.
  bool write_all(const std::string& data) {
    const char* p = data.data();
    std::size_t left = data.size();
    while (left > 0) {
      const ssize_t n = ::write(fd_, p, left);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) {
        error_ = n < 0 ? std::strerror(errno) : "short write";
        return false;
      }
      p += n;
      left -= static_cast<std::size_t>(n);
    }
    return true;
  }
  // Flushes and closes the file, gives it the usual mode (mkstemp makes it 0600) and renames it
  // onto the target; false (error() says why) on failure, the target then untouched.
  bool commit() {
    if (::fsync(fd_) != 0 || ::fchmod(fd_, 0644) != 0) return fail();
    const int fd = fd_;
    fd_ = -1;
    if (::close(fd) != 0) return fail();
    if (std::rename(path_.c_str(), target_.c_str()) != 0) return fail();
    path_.clear();
    return true;
  }
  // For a file another program writes (gnuplot's PNG): closes our descriptor first.
  void close_descriptor() {
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
  }
  bool commit_closed() {
    if (::chmod(path_.c_str(), 0644) != 0) return fail();
    if (std::rename(path_.c_str(), target_.c_str()) != 0) return fail();
    path_.clear();
    return true;
  }

 private:
  bool fail() {
    error_ = std::strerror(errno);
    return false;
  }
  std::string target_, path_, error_;
  int fd_ = -1;
};

// A CSV field: quoted, a quote doubled (RFC 4180).
std::string csv_quote(const std::string& s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '"') out += '"';
    out += c;
  }
  return out + "\"";
}

std::string read_tail(const std::string& path, std::size_t max_chars) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  std::string s = ss.str();
  if (s.size() > max_chars) s = "..." + s.substr(s.size() - max_chars);
  while (!s.empty() && (s.back() == '\n' || s.back() == ' ')) s.pop_back();
  return s;
}

// The first layer (1-based) whose measured forward statistics are not finite, depth + 1 if none.
int first_overflowed_layer(const pair_result& p) {
  for (std::size_t l = 0; l < p.layers.size(); ++l) {
    const layer_stats& s = p.layers[l];
    if (!std::isfinite(s.q) || !std::isfinite(s.act_std) || !std::isfinite(s.act_max_abs))
      return static_cast<int>(l) + 1;
  }
  return static_cast<int>(p.layers.size()) + 1;
}

// gnuplot's messages go to a log beside the script: an empty one is removed; a non-empty one is
// kept and named in the outcome's message (" (gnuplot's messages: PATH)"), else "".
std::string keep_log_if_useful(const std::string& log_path) {
  struct stat st {};
  if (stat(log_path.c_str(), &st) != 0) return "";
  if (st.st_size == 0) {
    std::remove(log_path.c_str());
    return "";
  }
  return " (gnuplot's messages: " + log_path + ")";
}

}  // namespace

void check_script_text(const std::string& text, const std::string& what) {
  for (unsigned char c : text) {
    if (c < 0x20 || c == 0x7f) {
      std::string shown;
      for (unsigned char d : text) {
        char buf[8];
        if (d < 0x20 || d == 0x7f) {
          std::snprintf(buf, sizeof buf, "\\x%02x", d);
          shown += buf;
        } else {
          shown += static_cast<char>(d);
        }
      }
      throw std::invalid_argument("demo: " + what +
                                  " must not contain control characters "
                                  "(newline, tab, ...): it goes into the gnuplot script, where a "
                                  "line break would end the command; got \"" +
                                  shown + "\"");
    }
  }
}

std::vector<int> table_layers(int depth) {
  std::vector<int> out;
  for (int l : {1, 10, 25, 50})
    if (l <= depth) out.push_back(l);
  if (out.empty() || out.back() != depth) out.push_back(depth);
  return out;
}

std::string format_table(const study_result& res) {
  const study_config& c = res.config;
  const std::vector<int> shown = table_layers(c.depth);
  const int last = c.depth;
  std::ostringstream o;
  o << "weightinit demo: " << c.depth << " layers of width " << c.width << ", batch " << c.batch
    << ", seed " << c.seed << ", on " << res.device << "\n";
  o << "std@L: standard deviation of the activations of layer L. q@" << last
    << ": variance of the pre-activations of layer " << last
    << ", measured and predicted by mean-field theory\n"
    << "(q(l+1) = fan_in·Var(w)·E[phi(sqrt(q(l))·z)^2], Gauss-Hermite). grad 1/" << last
    << ": |dloss/da_1| / |dloss/da_" << last
    << "|, the gradient reaching layer 1 relative to the top.\n";
  for (activation a : c.activations) {
    o << "\n" << to_string(a) << "\n  " << pad("scheme", 18);
    for (int l : shown) o << pad("std@" + std::to_string(l), 9);
    o << pad("q@" + std::to_string(last), 9) << pad("theory", 9)
      << pad("grad 1/" + std::to_string(last), 10) << "verdict\n";
    for (const auto& p : res.pairs) {
      if (p.act != a) continue;
      // From the first layer whose float activations overflowed on, the statistics are inf or NaN
      // (or, for an activation that maps NaN to a number, meaningless): they show as "inf", never
      // as a number that would read as a measured value (a 0 would pass for a vanished signal).
      const int overflow_at = first_overflowed_layer(p);
      auto measured = [&](int layer, double x) {
        return layer >= overflow_at ? std::string("inf") : number(x);
      };
      o << "  " << pad(p.scheme, 18);
      for (int l : shown) o << pad(measured(l, p.layers[l - 1].act_std), 9);
      const layer_stats& top = p.layers.back();
      o << pad(measured(last, top.q), 9)
        << pad(p.theory.empty() ? "n/a" : number(p.theory.back().q), 9);
      const double g =
          top.delta_norm > 0 ? p.layers.front().delta_norm / top.delta_norm : std::nan("");
      // The backward pass of an overflowed network carries no information.
      // No gradient at the top (dead ReLUs, zero weights): the ratio is 0/0; say so.
      const std::string grad = std::isnan(top.delta_norm) ? "-"
                               : overflow_at <= last      ? "n/a"
                               : top.delta_norm == 0      ? "0/0"
                                                          : number(g);
      o << pad(grad, 10) << verdict_text(p) << "\n";
    }
  }
  std::size_t count[4] = {0, 0, 0, 0};
  for (const auto& p : res.pairs) ++count[static_cast<int>(p.v)];
  o << "\nverdicts: " << count[0] << " stable, " << count[1] << " vanishing, " << count[2]
    << " exploding, " << count[3] << " symmetric (stable: std and gradient change less than 100x "
    << "over the depth; symmetric: every unit of every layer identical; inf: the float32 "
    << "activations overflowed at or before that layer).\n";
  char secs[32];
  std::snprintf(secs, sizeof secs, "%.1f", res.seconds);
  o << res.pairs.size() << " pairs in " << secs << " s.\n";
  return o.str();
}

void write_csv(const study_result& res, const std::string& path) {
  std::ostringstream out;
  out << "scheme,activation,layer,weight_var,q,q_theory,act_mean,act_std,act_std_theory,"
         "unit_spread,delta_norm,delta_norm_theory,grad_norm,verdict\n";
  for (const auto& p : res.pairs) {
    for (std::size_t l = 0; l < p.layers.size(); ++l) {
      const layer_stats& s = p.layers[l];
      const bool th = !p.theory.empty();
      out << csv_quote(p.scheme) << ',' << to_string(p.act) << ',' << (l + 1) << ','
          << (p.elementwise ? csv_number(p.weight_var) : "") << ',' << csv_number(s.q) << ','
          << (th ? csv_number(p.theory[l].q) : "") << ',' << csv_number(s.act_mean) << ','
          << csv_number(s.act_std) << ',' << (th ? csv_number(p.theory[l].act_std) : "") << ','
          << csv_number(s.unit_spread) << ',' << csv_number(s.delta_norm) << ','
          << (th && !std::isnan(s.delta_norm) ? csv_number(std::sqrt(p.theory[l].delta_sq)) : "")
          << ',' << (p.weight_gradients ? csv_number(s.grad_norm) : "") << ',' << to_string(p.v)
          << '\n';
    }
  }
  // Whole or not at all: a temporary file beside the CSV, renamed onto it once complete.
  temp_file tmp(path);
  if (!tmp.ok()) throw std::runtime_error("demo: cannot write " + path + ": " + tmp.error());
  if (!tmp.write_all(out.str()) || !tmp.commit())
    throw std::runtime_error("demo: writing " + path + " failed: " + tmp.error() +
                             " (an existing file is left as it was)");
}

plot_outcome write_plot(const study_result& res, const std::string& png_path,
                        const std::string& script_path, const std::string& gnuplot_exe) {
  const study_config& c = res.config;
  // Bad arguments before anything is written: every string the script will hold.
  check_script_text(png_path, "the PNG path");
  check_script_text(script_path, "the gnuplot script path");
  for (const auto& s : c.schemes) check_script_text(s.name, "a scheme name");
  // The y range: whole decades around the drawable (positive, finite) values, clamped to
  // [1e-12, 1e12]: lines that vanish or explode leave the frame, which is the point.
  double lo = 1e300, hi = 0;
  for (const auto& p : res.pairs)
    for (const auto& s : p.layers)
      if (std::isfinite(s.act_std) && s.act_std > 0) {
        lo = std::min(lo, s.act_std);
        hi = std::max(hi, s.act_std);
      }
  if (hi == 0) lo = hi = 1;
  const double ylo = std::max(1e-12, std::pow(10.0, std::floor(std::log10(lo)) - 0.0));
  const double yhi = std::min(1e12, std::pow(10.0, std::ceil(std::log10(hi))));

  std::ostringstream g;
  // No path in the comments: gnuplot continues a comment that ends in a backslash.
  g << "# Written by weightinit demo: activation std per layer, one panel per activation.\n"
    << "# Rerun with gnuplot on this file (gnuplot -e \"png_output='other.png'\" draws "
       "elsewhere).\n";
  g << "if (strstrt(GPVAL_TERMINALS, \"pngcairo\") > 0) {\n"
    << "  set terminal pngcairo size 1500,860 font \"sans,11\" noenhanced\n"
    << "} else {\n  set terminal png size 1500,860 noenhanced\n}\n";
  // The demo's own run draws into a temporary file (png_output, set with -e) that it renames onto
  // the PNG once gnuplot succeeded; a rerun by hand draws onto the PNG.
  g << "if (!exists(\"png_output\")) png_output = " << gnuplot_quote(png_path) << "\n"
    << "set output png_output\n";
  g << "set datafile missing \"NaN\"\n";
  // Data blocks: one per (activation, scheme).
  for (std::size_t i = 0; i < res.pairs.size(); ++i) {
    g << "$d" << i << " << EOD\n";
    for (std::size_t l = 0; l < res.pairs[i].layers.size(); ++l) {
      const double s = res.pairs[i].layers[l].act_std;
      g << (l + 1) << ' ' << (std::isfinite(s) && s > 0 ? csv_number(s) : "NaN") << '\n';
    }
    g << "EOD\n";
  }
  g << "set multiplot title "
    << gnuplot_quote("Activation std per layer: " + std::to_string(c.depth) + " layers of width " +
                     std::to_string(c.width) + ", batch " + std::to_string(c.batch) +
                     ", zero biases (weightinit demo, seed " + std::to_string(c.seed) +
                     "). Lines leave the frame when the signal vanishes or explodes.")
    << " font \",13\"\n";
  g << "set logscale y\nset format y \"1e%T\"\nset grid ytics xtics lc rgb \"#dddddd\"\n"
    << "set yrange [" << ylo << ":" << yhi << "]\nset xrange [1:" << std::max(2, c.depth) << "]\n"
    << "set xlabel \"layer\"\nset key off\n";
  const std::size_t na = c.activations.size();
  const int cols = na <= 3 ? static_cast<int>(na) : 3;
  const int rows = static_cast<int>((na + cols - 1) / cols);
  const double key_w = 0.19, panel_w = (1.0 - key_w) / cols, top = 0.93, panel_h = top / rows;
  for (std::size_t k = 0; k < na; ++k) {
    const int r = static_cast<int>(k) / cols, col = static_cast<int>(k) % cols;
    g << "set origin " << col * panel_w << "," << top - (r + 1) * panel_h << "\nset size "
      << panel_w << "," << panel_h << "\n"
      << "set title " << gnuplot_quote(to_string(c.activations[k])) << " font \",13\"\n"
      << "set ylabel " << (col == 0 ? "\"activation std\"" : "\"\"") << "\n";
    std::string cmd;
    std::size_t idx = 0;
    for (std::size_t i = 0; i < res.pairs.size(); ++i) {
      if (res.pairs[i].act != c.activations[k]) continue;
      const line_style st = style_for(res.pairs[i].scheme, idx++);
      bool drawable = false;
      for (const auto& s : res.pairs[i].layers)
        drawable |= std::isfinite(s.act_std) && s.act_std > 0;
      if (!drawable) continue;
      cmd += std::string(cmd.empty() ? "plot " : ", ") + "$d" + std::to_string(i) +
             " using 1:2 with lines lc rgb \"" + st.color + "\" dt " + std::to_string(st.dash) +
             " lw " + std::to_string(st.width) + " notitle";
    }
    if (cmd.empty()) cmd = "plot 1e300 notitle";  // nothing drawable: an empty frame
    g << cmd << "\n";
  }
  // The legend: a panel of key entries only.
  g << "set origin " << 1.0 - key_w << ",0.1\nset size " << key_w << ",0.8\n"
    << "unset title\nunset xlabel\nunset ylabel\nunset border\nunset tics\nunset grid\n"
    << "unset logscale y\nset yrange [0:1]\n"
    << "set key center center vertical Left reverse samplen 3 spacing 1.6 font \",12\"\n";
  std::string key = "plot ";
  for (std::size_t i = 0; i < c.schemes.size(); ++i) {
    const line_style st = style_for(c.schemes[i].name, i);
    bool any_drawable = false;
    for (const auto& p : res.pairs)
      if (p.scheme == c.schemes[i].name)
        for (const auto& s : p.layers) any_drawable |= std::isfinite(s.act_std) && s.act_std > 0;
    const std::string title = c.schemes[i].name + (any_drawable ? "" : " (std 0: off scale)");
    // A constant above the y range: only its key entry shows.
    key += std::string(i ? ", " : "") + "2 with lines lc rgb \"" + st.color + "\" dt " +
           std::to_string(st.dash) + " lw " + std::to_string(st.width) + " title " +
           gnuplot_quote(title);
  }
  g << key << "\nunset multiplot\n";
  {
    temp_file script(script_path);
    if (!script.ok())
      return {false, "cannot write the gnuplot script " + script_path + ": " + script.error()};
    if (!script.write_all(g.str()) || !script.commit())
      return {false, "writing the gnuplot script " + script_path + " failed: " + script.error()};
  }
  // gnuplot draws into a temporary file beside the PNG, renamed onto it only when it is a PNG:
  // a failed run leaves an existing PNG as it was.
  temp_file png(png_path);
  if (!png.ok()) return {false, "cannot write " + png_path + ": " + png.error()};
  png.close_descriptor();

  // Run gnuplot on the script, its messages going to <script>.log. A relative script path gets
  // "./" so that gnuplot never reads it as an option ("-e...", "-").
  const std::string log_path = script_path + ".log";
  const std::string script_arg =
      script_path.empty() || script_path[0] == '/' ? script_path : "./" + script_path;
  const std::string output_arg = "png_output = " + gnuplot_quote(png.path());
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 1, log_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC,
                                   0644);
  posix_spawn_file_actions_adddup2(&actions, 1, 2);
  std::vector<char*> argv = {const_cast<char*>(gnuplot_exe.c_str()), const_cast<char*>("-e"),
                             const_cast<char*>(output_arg.c_str()),
                             const_cast<char*>(script_arg.c_str()), nullptr};
  pid_t pid = 0;
  const int err = posix_spawnp(&pid, gnuplot_exe.c_str(), &actions, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  const std::string rerun = "; the table and the CSV are complete, and `gnuplot " + script_path +
                            "` draws the plot later";
  if (err != 0) {
    keep_log_if_useful(log_path);  // the child may have opened the log before exec failed
    if (err == ENOENT)
      return {false, "gnuplot not found (no '" + gnuplot_exe +
                         "' on PATH): install it to get the PNG (Debian/Ubuntu: "
                         "apt-get install gnuplot-nox)" +
                         rerun};
    return {false, "cannot run '" + gnuplot_exe + "': " + std::strerror(err) + rerun};
  }
  int status = 0;
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
    const std::string log = read_tail(log_path, 600);
    const std::string kept = keep_log_if_useful(log_path);
    return {false, "gnuplot failed (" +
                       (WIFEXITED(status) ? "exit status " + std::to_string(WEXITSTATUS(status))
                                          : std::string("killed by a signal")) +
                       ")" + (log.empty() ? "" : ": " + log) + kept + rerun};
  }
  const std::string kept = keep_log_if_useful(log_path);
  {
    std::ifstream in(png.path(), std::ios::binary);
    char magic[8] = {};
    if (!in.read(magic, 8) || std::memcmp(magic, "\x89PNG\r\n\x1a\n", 8) != 0)
      return {false, "gnuplot ran but did not draw a PNG (" + png_path + " is left as it was)" +
                         (kept.empty() ? std::string(" (gnuplot printed nothing)") : kept)};
  }
  if (!png.commit_closed())
    return {false, "cannot rename the drawn PNG onto " + png_path + ": " + png.error()};
  return {true, "wrote " + png_path + kept};
}

}  // namespace weightinit_demo
