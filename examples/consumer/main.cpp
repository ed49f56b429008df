// examples/consumer/main.cpp: fills a small tensor on the CPU through the installed package and
// checks that two thread counts agree, as the packaging test requires.
#include <weightinit/weightinit.hpp>

#include <cstdio>
#include <vector>

int main() {
  std::vector<float> a(1000), b(1000);
  const auto dist = weightinit::distribution::normal(0.0, 0.02);
  weightinit::fill_host({a.data(), weightinit::dtype::f32, {10, 100}}, dist, {42, 0},
                        weightinit::fill_options().with_threads(1));
  weightinit::fill_host({b.data(), weightinit::dtype::f32, {10, 100}}, dist, {42, 0},
                        weightinit::fill_options().with_threads(2));
  if (a != b || a[0] == a[1]) {
    std::printf("consumer: mismatch\n");
    return 1;
  }
  std::printf("consumer: ok, w[0] = %.9g\n", a[0]);
  return 0;
}
