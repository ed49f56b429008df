// tests/cpu/test_bad_input_cli.cpp: the command-line half of the bad-input matrix (issue 11): every
// command of the `weightinit` tool through every class of bad input (bad integers, bad shapes,
// overflowing sizes, unknown names and options, malformed SPECs, bad numbers, unwritable outputs,
// failing stdout). Each case asserts the exit status (2: bad input; 1: the machine refused: I/O,
// memory), a message that names the problem, and, for `sample`, that an existing output file is
// byte for byte untouched and no temporary file is left beside it. The C++ API half is
// tests/cpu/test_bad_input_api.cpp. Add a row (or an option to the integer table) for every new
// command or option.
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <cerrno>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <dirent.h>
#include <fstream>
#include <atomic>
#include <set>
#include <thread>
#include <string>
#include <vector>

#include "tests/common/run_tool.hpp"

using weightinit_test::kTool;
using weightinit_test::read_file;
using weightinit_test::tool_exists;

namespace {

struct run_result {
  int status = -1;  // exit status; -1 when killed by a signal or not started
  std::string out, err;
};

// Runs `prefix kTool args` through /bin/sh with stderr captured in a file, stdout read back.
run_result run_split(const std::string& args, const std::string& dir,
                     const std::string& prefix = "") {
  const std::string err_path = dir + "/stderr.txt";
  const std::string cmd = prefix + " " + kTool + " " + args + " 2>" + err_path;
  run_result r;
  std::FILE* p = popen(cmd.c_str(), "r");
  if (!p) return r;
  char buf[4096];
  std::size_t n;
  while ((n = std::fread(buf, 1, sizeof buf, p)) > 0) r.out.append(buf, n);
  const int st = pclose(p);
  r.status = WIFEXITED(st) ? WEXITSTATUS(st) : -1;
  const auto e = read_file(err_path);
  r.err.assign(e.begin(), e.end());
  return r;
}

// Runs the tool with stdout a pipe whose reader closes after `keep` bytes (0: before any).
run_result run_closed_pipe(const std::vector<std::string>& args, std::size_t keep,
                           const std::string& dir) {
  run_result r;
  int fds[2];
  if (pipe(fds) != 0) return r;
  const std::string err_path = dir + "/stderr_pipe.txt";
  const pid_t pid = fork();
  if (pid == 0) {
    dup2(fds[1], 1);
    const int e = open(err_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    dup2(e, 2);
    close(fds[0]);
    close(fds[1]);
    std::signal(SIGPIPE, SIG_DFL);  // as a shell would start it: the tool must ignore it itself
    std::vector<char*> argv{const_cast<char*>(kTool.c_str())};
    for (const auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
    argv.push_back(nullptr);
    execv(kTool.c_str(), argv.data());
    _exit(127);
  }
  close(fds[1]);
  std::size_t got = 0;
  char buf[4096];
  while (got < keep) {
    const ssize_t n = read(fds[0], buf, sizeof buf);
    if (n <= 0) break;
    got += static_cast<std::size_t>(n);
  }
  close(fds[0]);
  int st = 0;
  waitpid(pid, &st, 0);
  r.status = WIFEXITED(st) ? WEXITSTATUS(st) : -1;
  const auto e = read_file(err_path);
  r.err.assign(e.begin(), e.end());
  return r;
}

std::set<std::string> files_in(const std::string& dir) {
  std::set<std::string> names;
  if (DIR* d = opendir(dir.c_str())) {
    while (dirent* e = readdir(d)) names.insert(e->d_name);
    closedir(d);
  }
  return names;
}

void write_text(const std::string& path, const std::string& text) {
  std::ofstream(path, std::ios::binary) << text;
}

// One case: `args` (with {OUT} standing for an existing file whose bytes must survive, and {DIR}
// for the scratch folder), run after the shell text `prefix`; the status and the words the
// message must hold.
struct cli_case {
  std::string cls;  // the bad-input class
  std::string args;
  int status;
  std::vector<std::string> says;
  std::string prefix = "";
};

std::string replace_all(std::string s, const std::string& from, const std::string& to) {
  for (std::size_t at = s.find(from); at != std::string::npos; at = s.find(from, at + to.size()))
    s.replace(at, from.size(), to);
  return s;
}

// The shell quoting of one argument.
std::string q(const std::string& s) { return "'" + replace_all(s, "'", "'\\''") + "'"; }

// Every integer option of every command, with the arguments it needs to run otherwise, and whether
// it is signed (the library or the study then checks the sign).
struct int_option {
  std::string command, option, base;
  bool is_signed;
};

std::vector<int_option> integer_options() {
  return {
      {"bits", "--seed", "--count 1", false},
      {"bits", "--stream", "--count 1", false},
      {"bits", "--offset", "--count 1", false},
      {"bits", "--count", "", false},
      {"bits", "--streams", "--count 1", false},
      {"sample", "--seed", "--shape 4,4 --out {OUT}", false},
      {"sample", "--stream", "--shape 4,4 --out {OUT}", false},
      {"sample", "--threads", "--shape 4,4 --out {OUT}", false},
      {"sample", "--fan-in", "--init bias_uniform --shape 4 --out {OUT}", false},
      {"fans", "--groups", "--shape 8,8", true},
      {"fans", "--parts", "--shape 8,8", true},
      {"demo", "--depth", "--no-plot --quiet --out-dir {DIR}/demo", true},
      {"demo", "--width", "--no-plot --quiet --out-dir {DIR}/demo", true},
      {"demo", "--batch", "--no-plot --quiet --out-dir {DIR}/demo", true},
      {"demo", "--seed", "--no-plot --quiet --out-dir {DIR}/demo", false},
      {"demo", "--threads", "--no-plot --quiet --out-dir {DIR}/demo", false},
  };
}

std::vector<cli_case> integer_cases() {
  // Texts no integer option accepts, by class; each message must name the option and the text.
  const std::vector<std::pair<std::string, std::string>> bad = {
      {"integer: wraps (2^64)", "18446744073709551616"},
      {"integer: clamps (huge)", "99999999999999999999999999"},
      {"integer: leading whitespace", " 7"},
      {"integer: trailing whitespace", "7 "},
      {"integer: tab", "7\t"},
      {"integer: explicit plus", "+7"},
      {"integer: hex", "0x10"},
      {"integer: exponent", "1e3"},
      {"integer: fraction", "3.5"},
      {"integer: trailing garbage", "7abc"},
      {"integer: empty", ""},
      {"integer: words", "seven"},
  };
  std::vector<cli_case> cases;
  for (const int_option& o : integer_options()) {
    auto add = [&](const std::string& cls, const std::string& text, std::vector<std::string> says) {
      cases.push_back(
          {cls, o.command + " " + o.base + " " + o.option + " " + q(text), 2, std::move(says)});
    };
    for (const auto& [cls, text] : bad) add(cls, text, {o.option, "'" + text + "'"});
    if (!o.is_signed) {
      add("integer: negative (would wrap)", "-1", {o.option, "'-1'", "negative"});
      add("integer: negative zero", "-0", {o.option, "'-0'"});
    } else {
      add("integer: int64 overflow (2^63)", "9223372036854775808",
          {o.option, "9223372036854775808"});
      add("integer: int64 underflow", "-9223372036854775809", {o.option, "-9223372036854775809"});
      add("integer: negative (sign check)", "-1", {o.option, "-1"});
    }
  }
  return cases;
}

std::vector<cli_case> shape_cases() {
  const std::vector<std::pair<std::string, std::string>> bad = {
      {"shape: empty", ""},
      {"shape: lone comma", ","},
      {"shape: trailing comma", "3,"},
      {"shape: leading comma", ",3"},
      {"shape: empty item", "3,,4"},
      {"shape: negative", "3,-1"},
      {"shape: word", "3,x"},
      {"shape: space", "3, 4"},
      {"shape: fraction", "3.0,4"},
      {"shape: plus", "+3,4"},
      {"shape: hex", "0x3,4"},
      {"shape: huge extent", "99999999999999999999"},
      {"shape: int64 overflow", "9223372036854775808"},
  };
  std::vector<cli_case> cases;
  for (const auto& [cls, text] : bad) {
    cases.push_back({cls, "sample --shape " + q(text) + " --out {OUT}", 2, {"--shape"}});
    cases.push_back({cls, "fans --shape " + q(text), 2, {"--shape"}});
  }
  return cases;
}

std::vector<cli_case> other_cases() {
  return {
      // Overflowing sizes: the byte size is computed with checked arithmetic.
      {"size: bytes wrap 2^64 (f32)",
       "sample --shape 4611686018427387905 --dtype f32 --out {OUT}",
       2,
       {"[4611686018427387905]", "f32", "more than 2^64 - 1 bytes"}},
      {"size: bytes wrap 2^64 (f64)",
       "sample --shape 2305843009213693952 --dtype f64 --out {OUT}",
       2,
       {"[2305843009213693952]", "f64", "2^64"}},
      {"size: bytes exceed 2^64 (f32, 2^63 - 1 elements)",
       "sample --shape 9223372036854775807 --out {OUT}",
       2,
       {"f32", "2^64"}},
      {"size: 2^64 - 2 bytes (bf16): more than memory",
       "sample --shape 9223372036854775807 --dtype bf16 --out {OUT}",
       1,
       {"bf16", "18446744073709551614 bytes", "more than this machine's memory"}},
      {"size: elements exceed 2^63",
       "sample --shape 4294967296,4294967296 --out {OUT}",
       2,
       {"[4294967296, 4294967296]", "2^63 - 1 elements"}},
      {"size: elements exceed 2^63 (3-D)",
       "sample --shape 3037000500,3037000500,2 --out {OUT}",
       2,
       {"2^63 - 1 elements"}},
      {"size: more than the machine's memory",
       "sample --shape 1099511627776 --out {OUT}",
       1,
       {"[1099511627776]", "4398046511104 bytes", "more than this machine's memory"}},
      // Unknown names and options.
      {"name: unknown command", "frobnicate", 2, {"unknown command 'frobnicate'", "bits, sample"}},
      {"name: no command", "", 2, {"subcommand"}},
      {"option: unknown top-level option",
       "--frobnicate",
       2,
       {"unknown option '--frobnicate'", "--version"}},
      {"option: unknown sample option",
       "sample --frobnicate 3 --out {OUT}",
       2,
       {"weightinit sample", "--frobnicate"}},
      {"option: unknown bits option", "bits --frobnicate", 2, {"weightinit bits", "--frobnicate"}},
      {"option: unknown fans option",
       "fans --shape 8,8 --frobnicate",
       2,
       {"weightinit fans", "--frobnicate"}},
      {"option: unknown gain option",
       "gain relu --frobnicate",
       2,
       {"weightinit gain", "--frobnicate"}},
      {"option: extra gain argument", "gain relu tanh", 2, {"weightinit gain", "tanh"}},
      {"option: missing value", "bits --count", 2, {"--count"}},
      {"option: missing required", "fans", 2, {"--shape", "required"}},
      {"option: missing gain name", "gain", 2, {"nonlinearity", "required"}},
      {"name: unknown dtype",
       "sample --dtype f8 --out {OUT}",
       2,
       {"'f8'", "f32, f64, f16 or bf16"}},
      {"name: unknown layout (sample)",
       "sample --layout sideways --out {OUT}",
       2,
       {"'sideways'", "out_in"}},
      {"name: unknown layout (fans)",
       "fans --shape 8,8 --layout sideways",
       2,
       {"'sideways'", "out_in"}},
      {"name: unknown device", "sample --device tpu --out {OUT}", 2, {"--device", "'tpu'"}},
      {"name: unknown nonlinearity", "gain frobnicate", 2, {"'frobnicate'", "leaky_relu", "gelu"}},
      {"name: count 'inf' misspelt", "bits --count INF", 2, {"--count", "'INF'", "'inf'"}},
      {"name: count infinity", "bits --count infinity", 2, {"--count", "'infinity'"}},
      // Word indices and stream ids do not wrap at 2^64.
      {"range: words past 2^64 - 1",
       "bits --offset 18446744073709551615 --count 2",
       2,
       {"--offset", "--count", "2^64 - 1"}},
      {"range: words past 2^64 - 1 (large count)",
       "bits --offset 2 --count 18446744073709551615",
       2,
       {"2^64 - 1"}},
      {"range: streams past 2^64 - 1",
       "bits --stream 18446744073709551615 --streams 2 --count 1",
       2,
       {"--streams", "2^64 - 1"}},
      {"range: streams 0", "bits --streams 0 --count 1", 2, {"--streams", "'0'"}},
      {"range: fan-in 0",
       "sample --init bias_uniform --shape 4 --fan-in 0 --out {OUT}",
       2,
       {"--fan-in", "'0'"}},
      {"range: fan-in on a scheme without fans",
       "sample --init normal --fan-in 16 --out {OUT}",
       2,
       {"--fan-in", "normal"}},
      {"range: --fan-in cannot give fan_out",
       "sample --init xavier_uniform --shape 16 --fan-in 8 --out {OUT}",
       2,
       {"xavier_uniform", "fan_out", "--fan-in gives the fan_in only"}},
      {"range: groups 0", "fans --shape 8,8 --groups 0", 2, {"--groups", "'0'"}},
      {"range: parts 0", "fans --shape 8,8 --parts 4,0,4", 2, {"--parts", "'0'"}},
      {"range: parts not summing", "fans --shape 8,8 --parts 4,3", 2, {"part sizes {4, 3}", "8"}},
      {"range: groups not dividing", "fans --shape 6,8 --groups 4", 2, {"groups 4"}},
      {"range: fans of rank 1", "fans --shape 8", 2, {"rank >= 2", "[8]"}},
      {"range: demo depth 0",
       "demo --depth 0 --no-plot --quiet --out-dir {DIR}/demo",
       2,
       {"--depth", "got 0"}},
      // Malformed SPECs and bad scheme parameters.
      {"spec: unknown scheme", "sample --init 'bogus(x=1)' --out {OUT}", 2, {"bogus"}},
      {"spec: unknown parameter", "sample --init 'normal(sdt=1)' --out {OUT}", 2, {"sdt", "mean"}},
      {"spec: parameter not a number",
       "sample --init 'normal(std=abc)' --out {OUT}",
       2,
       {"std", "abc"}},
      {"spec: missing )", "sample --init 'normal(std=1' --out {OUT}", 2, {"missing ')'"}},
      {"spec: stray )", "sample --init 'normal)' --out {OUT}", 2, {"normal)"}},
      {"spec: no value", "sample --init 'normal(std=)' --out {OUT}", 2, {"std", "no value"}},
      {"spec: no key", "sample --init 'normal(=1)' --out {OUT}", 2, {"parameter name"}},
      {"spec: no =", "sample --init 'normal(std)' --out {OUT}", 2, {"std", "key=value"}},
      {"spec: repeated parameter",
       "sample --init 'normal(std=1,std=2)' --out {OUT}",
       2,
       {"std", "twice"}},
      {"spec: no name", "sample --init '(std=1)' --out {OUT}", 2, {"scheme name"}},
      {"spec: empty", "sample --init '' --out {OUT}", 2, {"scheme name"}},
      {"spec: doubled )", "sample --init 'normal(std=1))' --out {OUT}", 2, {"std"}},
      {"spec: std overflows to inf",
       "sample --init 'normal(std=1e999)' --out {OUT}",
       2,
       {"std", "inf"}},
      {"spec: std nan", "sample --init 'normal(std=nan)' --out {OUT}", 2, {"std"}},
      {"spec: a >= b", "sample --init 'uniform(a=1,b=0)' --out {OUT}", 2, {"a < b"}},
      {"spec: groups not an integer",
       "sample --init 'dirac(groups=1.5)' --shape 4,4,3 --out {OUT}",
       2,
       {"groups", "1.5"}},
      {"spec: groups huge",
       "sample --init 'dirac(groups=99999999999999999999)' --shape 4,4,3 --out {OUT}",
       2,
       {"groups", "99999999999999999999"}},
      {"spec: bad mode",
       "sample --init 'he_normal(mode=fan_avg)' --out {OUT}",
       2,
       {"fan_avg", "fan_in or fan_out"}},
      {"spec: bad boolean",
       "sample --init 'truncated_normal_sigma(correct_variance=yes)' --out {OUT}",
       2,
       {"correct_variance", "yes"}},
      {"spec: bias_uniform without --fan-in",
       "sample --init bias_uniform --shape 16 --out {OUT}",
       2,
       {"bias_uniform", "[16]"}},
      {"spec: rank 1 for xavier",
       "sample --init xavier_uniform --shape 128 --out {OUT}",
       2,
       {"xavier_uniform", "rank >= 2", "[128]"}},
      // Bad floating-point numbers.
      {"number: gain param not a number", "gain leaky_relu --param abc", 2, {"--param", "'abc'"}},
      {"number: gain param whitespace", "gain leaky_relu --param ' 0.2'", 2, {"--param", "' 0.2'"}},
      {"number: gain param trailing", "gain leaky_relu --param 0.2x", 2, {"--param", "'0.2x'"}},
      {"number: gain param nan", "gain leaky_relu --param nan", 2, {"gain", "finite"}},
      {"number: gain param inf", "gain leaky_relu --param inf", 2, {"gain", "finite"}},
      {"number: gain param overflows", "gain relu --param 1e999", 2, {"gain", "finite"}},
      {"number: demo slope",
       "demo --slope abc --no-plot --quiet --out-dir {DIR}/demo",
       2,
       {"--slope", "'abc'"}},
      // Unwritable outputs: refused before the fill, with the reason; exit status 1.
      {"output: a directory", "sample --shape 4,4 --out {DIR}", 1, {"is a directory"}},
      {"output: a missing folder",
       "sample --shape 4,4 --out {DIR}/no/such/folder/w.npy",
       1,
       {"{DIR}/no/such/folder", "No such file or directory"}},
      {"output: a device (/dev/full)",
       "sample --shape 4,4 --out /dev/full",
       1,
       {"/dev/full", "not a regular file"}},
      {"output: file-size limit (EFBIG)",
       "sample --shape 64,1024 --out {OUT}",
       1,
       {"{OUT}", "File too large", "unchanged"},
       "ulimit -f 8;"},
      // Failing stdout: an error with status 1 (a closed pipe is tested below: status 0).
      {"stdout: /dev/full (bits)",
       "bits --count 10 >/dev/full",
       1,
       {"writing to stdout failed", "No space left"}},
      {"stdout: /dev/full (bits inf)",
       "bits --count inf >/dev/full",
       1,
       {"writing to stdout failed"}},
      {"stdout: /dev/full (fans)", "fans --shape 8,8 >/dev/full", 1, {"writing to stdout failed"}},
      {"stdout: /dev/full (fans json)",
       "fans --shape 8,8 --json >/dev/full",
       1,
       {"writing to stdout failed"}},
      {"stdout: /dev/full (gain)", "gain relu >/dev/full", 1, {"writing to stdout failed"}},
      {"stdout: /dev/full (sample)",
       "sample --shape 4,4 --out {OUT} >/dev/full",
       1,
       {"writing to stdout failed"}},
      {"stdout: /dev/full (--version)", "--version >/dev/full", 1, {"writing to stdout failed"}},
      {"stdout: /dev/full (--help)", "--help >/dev/full", 1, {"writing to stdout failed"}},
      {"stdout: /dev/full (sample --help)",
       "sample --help >/dev/full",
       1,
       {"writing to stdout failed"}},
      {"stdout: closed (bits)",
       "bits --count 10 >&-",
       1,
       {"writing to stdout failed", "Bad file descriptor"}},
  };
}

class BadInputCli : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!tool_exists()) GTEST_SKIP() << "weightinit tool not built (WEIGHTINIT_BUILD_TOOLS=OFF)";
    // One folder per test: ctest runs the tests of this file in parallel processes.
    dir_ = std::string(WEIGHTINIT_BINARY_DIR) + "/test_bad_input_cli/" +
           ::testing::UnitTest::GetInstance()->current_test_info()->name();
    std::system(("rm -rf " + q(dir_) + " && mkdir -p " + q(dir_)).c_str());
    const run_result demo = run_split("demo --help", dir_);
    have_demo_ = demo.out.find("--depth") != std::string::npos;
  }
  std::string dir_;
  bool have_demo_ = false;
};

// What one case did: its exit status, its stderr, and whether the existing file and the folder
// survived it.
struct outcome {
  std::string dir, args;
  run_result r;
  std::string file_after;
  std::set<std::string> files_before, files_after;
};

const std::string kSentinel =
    "an existing file that a failed command must leave exactly as it is\n";

outcome run_one(const cli_case& c, const std::string& dir) {
  const std::string out = dir + "/existing.npy";
  write_text(out, kSentinel);
  std::remove((dir + "/stderr.txt").c_str());
  outcome o;
  o.dir = dir;
  o.files_before = files_in(dir);
  o.args = replace_all(replace_all(c.args, "{OUT}", out), "{DIR}", dir);
  o.r = run_split(o.args, dir, c.prefix);
  const auto bytes = read_file(out);
  o.file_after.assign(bytes.begin(), bytes.end());
  o.files_after = files_in(dir);
  for (auto* names : {&o.files_before, &o.files_after})
    for (const char* scratch : {"stderr.txt", "demo"}) names->erase(scratch);
  return o;
}

// Runs every case (four at a time, each worker in its own folder: the tool starts in a few
// milliseconds, but loads the CUDA runtime), then checks each; returns how many ran.
int run_cases(const std::vector<cli_case>& all, const std::string& dir, bool have_demo) {
  std::vector<cli_case> cases;
  for (const cli_case& c : all)
    if (have_demo || c.args.rfind("demo", 0) != 0) cases.push_back(c);
  std::vector<outcome> outcomes(cases.size());
  constexpr int kWorkers = 4;
  std::vector<std::thread> workers;
  std::atomic<std::size_t> next{0};
  for (int w = 0; w < kWorkers; ++w) {
    const std::string wdir = dir + "/worker" + std::to_string(w);
    mkdir(wdir.c_str(), 0755);
    workers.emplace_back([&, wdir] {
      for (std::size_t i; (i = next++) < cases.size();) outcomes[i] = run_one(cases[i], wdir);
    });
  }
  for (auto& t : workers) t.join();
  for (std::size_t i = 0; i < cases.size(); ++i) {
    const cli_case& c = cases[i];
    const outcome& o = outcomes[i];
    const std::string where = "[" + c.cls + "] weightinit " + o.args + "\nstderr: " + o.r.err;
    EXPECT_EQ(o.r.status, c.status) << where;
    for (const std::string& word : c.says) {
      const std::string w =
          replace_all(replace_all(word, "{OUT}", o.dir + "/existing.npy"), "{DIR}", o.dir);
      EXPECT_NE(o.r.err.find(w), std::string::npos) << where << "\n(should say: " << w << ")";
    }
    EXPECT_EQ(o.r.err.find("terminate called"), std::string::npos) << where;
    EXPECT_EQ(o.r.err.find("std::"), std::string::npos) << where << "(a C++ exception leaked)";
    EXPECT_EQ(o.file_after, kSentinel) << where << "(the existing file changed)";
    EXPECT_EQ(o.files_after, o.files_before) << where << "(a file was left behind)";
  }
  return static_cast<int>(cases.size());
}

TEST_F(BadInputCli, EveryCommandRefusesBadIntegersWithoutWrapOrClamp) {
  const int n = run_cases(integer_cases(), dir_, have_demo_);
  std::printf("integer cases: %d\n", n);
}

TEST_F(BadInputCli, EveryShapeOptionRefusesBadShapes) {
  const int n = run_cases(shape_cases(), dir_, have_demo_);
  std::printf("shape cases: %d\n", n);
}

TEST_F(BadInputCli, SizesNamesSpecsNumbersOutputsAndStdoutFailuresAreRefusedClearly) {
  const int n = run_cases(other_cases(), dir_, have_demo_);
  std::printf("other cases: %d\n", n);
}

TEST_F(BadInputCli, AReadOnlyFolderIsRefusedAndLeftAlone) {
  if (geteuid() == 0) GTEST_SKIP() << "running as root, who may write into a read-only folder";
  const std::string ro = dir_ + "/read-only";
  ASSERT_EQ(mkdir(ro.c_str(), 0555), 0);
  const run_result r = run_split("sample --shape 4,4 --out " + ro + "/w.npy", dir_);
  EXPECT_EQ(r.status, 1) << r.err;
  EXPECT_NE(r.err.find("Permission denied"), std::string::npos) << r.err;
  EXPECT_EQ(files_in(ro), (std::set<std::string>{".", ".."}));
}

TEST_F(BadInputCli, AClosedPipeIsACleanEnd) {
  for (std::size_t keep : {std::size_t{0}, std::size_t{100000}}) {
    const run_result inf = run_closed_pipe({"bits", "--count", "inf"}, keep, dir_);
    EXPECT_EQ(inf.status, 0) << "bits --count inf, reader closed after " << keep
                             << " bytes: " << inf.err;
    EXPECT_EQ(inf.err, "") << keep;
    const run_result big = run_closed_pipe({"bits", "--count", "100000000"}, keep, dir_);
    EXPECT_EQ(big.status, 0) << big.err;
    EXPECT_EQ(big.err, "");
  }
  const run_result fans = run_closed_pipe({"fans", "--shape", "8,8"}, 0, dir_);
  EXPECT_EQ(fans.status, 0) << fans.err;
  EXPECT_EQ(fans.err, "");
}

// The number of cases the README states; a change of the tables must update it there.
TEST_F(BadInputCli, TheReadmeStatesHowManyCasesTheMatrixHolds) {
  const std::size_t total =
      integer_cases().size() + shape_cases().size() + other_cases().size() + 1 + 1;
  std::printf("bad-input matrix, command line: %zu cases\n", total);
  RecordProperty("cases", static_cast<int>(total));
  const auto readme = read_file(std::string(WEIGHTINIT_SOURCE_DIR) + "/README.md");
  const std::string text(readme.begin(), readme.end());
  EXPECT_NE(text.find(std::to_string(total) + " command-line cases"), std::string::npos)
      << "README should say: " << total << " command-line cases";
}

}  // namespace
