// tests/cpu/test_demo_paths.cpp: the demo's outputs against hostile paths and failed writes.
//  DemoPaths  a path (or scheme name) that goes into the generated gnuplot script is either quoted
//             so that gnuplot runs nothing from it (quotes, backquotes, $( ), @, backslashes) or,
//             when no gnuplot literal can hold it (a control character: newline, CR, tab), refused
//             before anything is written or run (`weightinit demo --out-dir` exits with 2); the
//             CSV and the PNG are written whole or not at all, so a failed write leaves an
//             existing file as it was and no temporary file behind.
#include <gtest/gtest.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <sys/stat.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#if defined(WEIGHTINIT_HAVE_DEMO)

#include "examples/demo/demo.hpp"
#include "tests/common/run_tool.hpp"
#include "weightinit/weightinit.hpp"

namespace demo = weightinit_demo;
namespace wi = weightinit;
namespace fs = std::filesystem;

namespace {

std::string make_temp_dir() {
  std::string tmpl = ::testing::TempDir() + "weightinit_demo_paths_XXXXXX";
  if (!mkdtemp(tmpl.data())) return "";
  return tmpl;
}

std::string file_text(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

bool exists(const std::string& path) {
  struct stat st {};
  return stat(path.c_str(), &st) == 0;
}

// Names in `dir` that look like our temporary files ("<target>.tmp-XXXXXX").
std::vector<std::string> temp_files(const std::string& dir) {
  std::vector<std::string> out;
  for (const auto& e : fs::directory_iterator(dir))
    if (e.path().filename().string().find(".tmp-") != std::string::npos)
      out.push_back(e.path().string());
  return out;
}

std::string executable(const std::string& path, const std::string& body) {
  std::ofstream(path) << "#!/bin/sh\n" << body;
  chmod(path.c_str(), 0755);
  return path;
}

bool on_path(const std::string& program) {
  return std::system(("command -v " + program + " >/dev/null 2>&1").c_str()) == 0;
}

demo::study_result tiny_study() {
  demo::study_config c;
  c.depth = 4;
  c.width = 16;
  c.batch = 8;
  c.device = demo::device_choice::cpu;
  c.schemes = {{"he_normal", wi::he_normal()}};
  c.activations = {demo::activation::relu};
  return demo::run_study(c);
}

// A fake gnuplot that only leaves a mark that it ran.
std::string marking_gnuplot(const std::string& dir) {
  return executable(dir + "/marking-gnuplot", "touch '" + dir + "/gnuplot-ran'\n");
}

}  // namespace

TEST(DemoPaths, ControlCharactersCannotGoIntoTheScript) {
  for (const std::string& bad : std::vector<std::string>{"a\nb", "a\rb", "a\tb",
                                                         "a\x7f"
                                                         "b",
                                                         std::string(1, '\0')}) {
    EXPECT_THROW(demo::check_script_text(bad, "--out-dir"), std::invalid_argument);
  }
  try {
    demo::check_script_text("x\ny", "--out-dir");
    FAIL() << "no exception";
  } catch (const std::invalid_argument& e) {
    const std::string m = e.what();
    EXPECT_NE(m.find("--out-dir"), std::string::npos) << m;
    EXPECT_NE(m.find("control characters"), std::string::npos) << m;
    EXPECT_NE(m.find("x\\x0ay"), std::string::npos) << "shows the byte: " << m;
  }
  // Everything else is quoted, not refused.
  EXPECT_NO_THROW(demo::check_script_text("it's \"q\" `x` $(y) @z \\ ü", "--out-dir"));
}

// write_plot refuses a path with a newline before it writes the script or starts gnuplot.
TEST(DemoPaths, WritePlotRefusesANewlineBeforeWritingOrRunningAnything) {
  const demo::study_result res = tiny_study();
  const std::string dir = make_temp_dir();
  ASSERT_FALSE(dir.empty());
  const std::string gnuplot = marking_gnuplot(dir);
  const std::string evil = dir + "/p\nsystem(\"touch " + dir + "/pwned\")\n";
  EXPECT_THROW(demo::write_plot(res, evil + ".png", dir + "/p.gp", gnuplot), std::invalid_argument);
  EXPECT_THROW(demo::write_plot(res, dir + "/p.png", evil + ".gp", gnuplot), std::invalid_argument);
  demo::study_result named = res;
  named.config.schemes[0].name = "he\nsystem(\"touch " + dir + "/pwned\")";
  EXPECT_THROW(demo::write_plot(named, dir + "/p.png", dir + "/p.gp", gnuplot),
               std::invalid_argument);
  EXPECT_FALSE(exists(dir + "/gnuplot-ran"));
  EXPECT_FALSE(exists(dir + "/pwned"));
  EXPECT_FALSE(exists(dir + "/p.gp"));
  EXPECT_TRUE(temp_files(dir).empty());
  fs::remove_all(dir);
}

// The command line refuses such an --out-dir with status 2 and says why, before the study runs and
// before any folder is created.
TEST(DemoPaths, CliRefusesANewlineInTheOutputFolder) {
  if (!weightinit_test::tool_exists()) GTEST_SKIP() << "weightinit tool not built";
  const std::string dir = make_temp_dir();
  ASSERT_FALSE(dir.empty());
  // In sh single quotes a newline is an ordinary character.
  const std::string out = dir + "/x\nsystem(\"touch " + dir + "/pwned\")\n";
  const weightinit_test::tool_result r = weightinit_test::run_tool(
      "demo --depth 2 --width 8 --batch 8 --device cpu --quiet --out-dir '" + out + "'");
  EXPECT_EQ(r.status, 2) << r.out;
  EXPECT_NE(r.out.find("--out-dir must not contain control characters"), std::string::npos)
      << r.out;
  EXPECT_FALSE(exists(dir + "/pwned"));
  EXPECT_TRUE(fs::is_empty(dir)) << "a refused run wrote into " << dir;
  const weightinit_test::tool_result empty = weightinit_test::run_tool("demo --out-dir ''");
  EXPECT_EQ(empty.status, 2) << empty.out;
  EXPECT_NE(empty.out.find("--out-dir must not be empty"), std::string::npos) << empty.out;
  fs::remove_all(dir);
}

// With the real gnuplot: quotes, backquotes, $( ), @ and backslashes in the folder are part of the
// file name, the PNG lands exactly there, and no command in the name runs.
TEST(DemoPaths, QuotesAndBackquotesAreQuotedAndNothingRuns) {
  if (!on_path("gnuplot")) GTEST_SKIP() << "gnuplot not installed";
  const demo::study_result res = tiny_study();
  const std::string dir = make_temp_dir();
  ASSERT_FALSE(dir.empty());
  const std::string odd = dir + "/it's \"q\" `touch " + dir + "/pwned1` $(touch " + dir +
                          "/pwned2) @GPVAL_PWD \\ x'; system('touch " + dir + "/pwned3'); '";
  ASSERT_TRUE(fs::create_directories(odd));
  const demo::plot_outcome o = demo::write_plot(res, odd + "/p.png", odd + "/p.gp", "gnuplot");
  EXPECT_TRUE(o.ok) << o.message;
  const std::string png = file_text(odd + "/p.png");
  EXPECT_EQ(png.substr(0, 4), "\x89PNG");
  for (const char* mark : {"/pwned1", "/pwned2", "/pwned3"})
    EXPECT_FALSE(exists(dir + mark)) << mark << ": a command in the path ran";
  EXPECT_TRUE(temp_files(odd).empty());

  // The same through the command line (sh single quotes: no ' in this one).
  if (weightinit_test::tool_exists()) {
    const std::string out = dir + "/q\"`touch " + dir + "/pwned4`\"$(touch " + dir + "/pwned5)";
    const weightinit_test::tool_result r = weightinit_test::run_tool(
        "demo --depth 2 --width 8 --batch 8 --device cpu --quiet --activation relu --out-dir '" +
        out + "'");
    EXPECT_EQ(r.status, 0) << r.out;
    EXPECT_TRUE(exists(out + "/signal_propagation.png")) << r.out;
    EXPECT_TRUE(exists(out + "/signal_propagation.csv")) << r.out;
    EXPECT_FALSE(exists(dir + "/pwned4"));
    EXPECT_FALSE(exists(dir + "/pwned5"));
  }
  fs::remove_all(dir);
}

// A CSV write that fails part way (here: the file size limit, which even root cannot write past)
// throws and leaves the existing CSV as it was, with no temporary file behind.
TEST(DemoPaths, FailedCsvWriteLeavesTheExistingFileUntouched) {
  const demo::study_result res = tiny_study();
  const std::string dir = make_temp_dir();
  ASSERT_FALSE(dir.empty());
  const std::string csv = dir + "/s.csv";
  std::ofstream(csv) << "old contents\n";

  struct rlimit saved {};
  ASSERT_EQ(getrlimit(RLIMIT_FSIZE, &saved), 0);
  void (*old_handler)(int) = signal(SIGXFSZ, SIG_IGN);  // a write past the limit fails with EFBIG
  struct rlimit small = saved;
  small.rlim_cur = 100;  // bytes: the header alone is longer
  ASSERT_EQ(setrlimit(RLIMIT_FSIZE, &small), 0);
  bool threw = false;
  std::string message;
  try {
    demo::write_csv(res, csv);
  } catch (const std::runtime_error& e) {
    threw = true;
    message = e.what();
  }
  setrlimit(RLIMIT_FSIZE, &saved);
  signal(SIGXFSZ, old_handler);

  EXPECT_TRUE(threw);
  EXPECT_NE(message.find(csv), std::string::npos) << message;
  EXPECT_EQ(file_text(csv), "old contents\n");
  EXPECT_TRUE(temp_files(dir).empty());
  // A write that succeeds replaces it whole.
  demo::write_csv(res, csv);
  EXPECT_EQ(file_text(csv).rfind("scheme,activation,layer,", 0), 0u);
  EXPECT_TRUE(temp_files(dir).empty());
  fs::remove_all(dir);
}

// gnuplot failing, drawing something that is not a PNG, or missing: the existing PNG stays as it
// was and no temporary file is left; a gnuplot that draws replaces it.
TEST(DemoPaths, FailedPlotLeavesTheExistingPngUntouched) {
  const demo::study_result res = tiny_study();
  const std::string dir = make_temp_dir();
  ASSERT_FALSE(dir.empty());
  const std::string png = dir + "/p.png", gp = dir + "/p.gp";
  std::ofstream(png) << "the old picture";
  // Fake gnuplots receive  -e "png_output = '<temporary file>'" <script>.
  const std::string out_of_args =
      "out=$(printf '%s' \"$2\" | sed -n \"s/^png_output = '\\(.*\\)'$/\\1/p\")\n";
  const std::string failing = executable(dir + "/failing-gnuplot",
                                         out_of_args + "printf 'half a pic' > \"$out\"\nexit 1\n");
  const std::string not_png =
      executable(dir + "/not-png-gnuplot", out_of_args + "printf 'GIF89a' > \"$out\"\n");
  const std::string drawing = executable(
      dir + "/drawing-gnuplot", out_of_args + "printf '\\211PNG\\r\\n\\032\\nnew' > \"$out\"\n");
  for (const std::string& g : {failing, not_png, dir + "/no-such-gnuplot"}) {
    const demo::plot_outcome o = demo::write_plot(res, png, gp, g);
    EXPECT_FALSE(o.ok) << g;
    EXPECT_EQ(file_text(png), "the old picture") << g << ": " << o.message;
    EXPECT_TRUE(temp_files(dir).empty()) << g;
  }
  const demo::plot_outcome o = demo::write_plot(res, png, gp, drawing);
  EXPECT_TRUE(o.ok) << o.message;
  EXPECT_EQ(file_text(png), "\x89PNG\r\n\x1a\nnew");
  EXPECT_TRUE(temp_files(dir).empty());
  // The script names the real PNG for a rerun by hand, single-quoted.
  EXPECT_NE(file_text(gp).find("png_output = '" + png + "'"), std::string::npos) << file_text(gp);
  fs::remove_all(dir);
}

#endif  // WEIGHTINIT_HAVE_DEMO
