// Measures the machine's FP32 peak as achieved by independent FMA chains held in registers
// (compiled with the build's -march, so AVX2+FMA here: 8 floats per instruction), on every core
// at once. Prints GFLOP/s; bench/compare divides achieved GEMM rates by it.
#include <chrono>
#include <cstdio>
#include <thread>
#include <vector>

namespace {

// 12 independent accumulators hide the FMA latency (4 cycles x 2 pipes needs >= 8 chains).
float fma_chains(long iterations, float seed) {
  constexpr int chains = 12, width = 8;
  float acc[chains][width];
  for (int c = 0; c < chains; ++c)
    for (int w = 0; w < width; ++w) acc[c][w] = seed + static_cast<float>(c * width + w);
  const float a = 0.999999f, b = 1e-7f;
  for (long i = 0; i < iterations; ++i)
    for (int c = 0; c < chains; ++c)
#pragma GCC unroll 8
      for (int w = 0; w < width; ++w) acc[c][w] = acc[c][w] * a + b;
  float sum = 0;
  for (int c = 0; c < chains; ++c)
    for (int w = 0; w < width; ++w) sum += acc[c][w];
  return sum;
}

}  // namespace

int main() {
  const unsigned threads = std::max(1u, std::thread::hardware_concurrency());
  const long iterations = 200'000'000 / 12;
  double best = 0;
  for (int trial = 0; trial < 3; ++trial) {
    std::vector<std::thread> team;
    std::vector<float> sink(threads);
    const auto start = std::chrono::steady_clock::now();
    for (unsigned t = 0; t < threads; ++t)
      team.emplace_back([&, t] { sink[t] = fma_chains(iterations, static_cast<float>(t)); });
    for (auto& thread : team) thread.join();
    const double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    const double flops = 2.0 * 12 * 8 * static_cast<double>(iterations) * threads;
    best = std::max(best, flops / seconds / 1e9);
    if (sink[0] == 42.0f) std::printf(" ");
  }
  std::printf("{\"threads\": %u, \"peak_gflops\": %.1f}\n", threads, best);
}
