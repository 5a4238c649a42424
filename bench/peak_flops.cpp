// Measures the machine's arithmetic peaks as achieved by independent chains held in registers,
// on every hardware thread at once:
//   - FP32, 256-bit FMA (AVX2+FMA: 8 floats, 16 FLOP per instruction), always;
//   - FP32, 512-bit FMA (AVX-512F: 16 floats, 32 FLOP per instruction), where the CPU has it;
//   - BF16 dot products, vdpbf16ps (AVX512-BF16: 32 bf16 pairs into 16 floats, 64 FLOP per
//     instruction), where the CPU has it.
// The build is for x86-64-v3 and must run anywhere, so the AVX-512 kernels are compiled with
// function target attributes and called only after a run-time check of the CPU.
//
// Prints one JSON line: {"threads", "peak_gflops" (the widest FP32 measured: 512-bit where
// present, else 256-bit; bench/compare divides achieved GEMM rates by it), "fp32_256_gflops",
// "fp32_512_gflops" (null when absent), "bf16_gflops" (null when absent), "widest" ("avx512" or
// "avx2"), "cpu" (/proc/cpuinfo's model name), "family", "model" (CPUID's display numbers)}.
//
// Each figure is the best of 3 trials of about 0.3 s each (the iteration count is calibrated by
// a shorter run of all threads first, which also brings the clocks up).
#include <cpuid.h>
#include <immintrin.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <optional>
#include <string>
#include <thread>
#include <vector>

namespace {

// Keeps `v` in a register and makes the compiler treat it as changed, so no chain can be
// folded, shortened or removed (it emits no instruction).
template <typename V>
inline __attribute__((always_inline)) void opaque(V& v) {
  asm volatile("" : "+v"(v));
}

// Every loop over the accumulators is fully unrolled (#pragma GCC unroll), the set-up and the
// final sums too: otherwise GCC keeps the arrays in memory and each FMA chain goes through a
// load and a store per step (checked with objdump: the loops are FMAs on registers only).
//
// acc = acc * a + b converges to b / (1 - a) = 0.1: no overflow, no subnormals, ever.
constexpr float fma_a = 0.999999f, fma_b = 1e-7f;

// 12 accumulators + 2 constants fit AVX2's 16 ymm registers; 12 chains cover the FMA latency
// (4 cycles) of 2 pipes (>= 8 needed) on Zen 3/4/5 and Intel cores alike.
constexpr int chains_256 = 12;
constexpr double flop_256 = 2.0 * 8 * chains_256;  // per iteration

__attribute__((target("avx2,fma"), noinline)) float fp32_256(long iterations, float seed) {
  __m256 acc[chains_256];
#pragma GCC unroll 16
  for (int c = 0; c < chains_256; ++c)
    acc[c] = _mm256_set1_ps(seed + 0.01f * static_cast<float>(c));
  __m256 a = _mm256_set1_ps(fma_a), b = _mm256_set1_ps(fma_b);
  opaque(a);
  opaque(b);
  for (long i = 0; i < iterations; ++i) {
#pragma GCC unroll 16
    for (int c = 0; c < chains_256; ++c) acc[c] = _mm256_fmadd_ps(acc[c], a, b);
#pragma GCC unroll 16
    for (int c = 0; c < chains_256; ++c) opaque(acc[c]);
  }
  __m256 sum = acc[0];
#pragma GCC unroll 32
  for (int c = 1; c < chains_256; ++c) sum = _mm256_add_ps(sum, acc[c]);
  float lanes[8];
  _mm256_storeu_ps(lanes, sum);
  float total = 0;
  for (float lane : lanes) total += lane;
  return total;
}

// 512-bit: 32 zmm registers, so 24 chains (+ 2 constants) — enough for 2 full-width FMA pipes of
// latency 4 (Zen 5, Intel: >= 8) and for Zen 4's double-pumped units with room to spare.
constexpr int chains_512 = 24;
constexpr double flop_512 = 2.0 * 16 * chains_512;

__attribute__((target("avx512f"), noinline)) float fp32_512(long iterations, float seed) {
  __m512 acc[chains_512];
#pragma GCC unroll 32
  for (int c = 0; c < chains_512; ++c)
    acc[c] = _mm512_set1_ps(seed + 0.01f * static_cast<float>(c));
  __m512 a = _mm512_set1_ps(fma_a), b = _mm512_set1_ps(fma_b);
  opaque(a);
  opaque(b);
  for (long i = 0; i < iterations; ++i) {
#pragma GCC unroll 32
    for (int c = 0; c < chains_512; ++c) acc[c] = _mm512_fmadd_ps(acc[c], a, b);
#pragma GCC unroll 32
    for (int c = 0; c < chains_512; ++c) opaque(acc[c]);
  }
  __m512 sum = acc[0];
#pragma GCC unroll 32
  for (int c = 1; c < chains_512; ++c) sum = _mm512_add_ps(sum, acc[c]);
  float lanes[16];
  _mm512_storeu_ps(lanes, sum);
  float total = 0;
  for (float lane : lanes) total += lane;
  return total;
}

// vdpbf16ps: acc += x[2k] * y[2k] + x[2k+1] * y[2k+1] for each of 16 lanes = 64 FLOP. With
// x * y = 2^-20, 2 per lane per iteration, a chain grows by ~2e-6 per iteration: it stays far
// from overflow and never subnormal over any trial. 24 chains cover its longer latency.
constexpr int chains_bf16 = 24;
constexpr double flop_bf16 = 64.0 * chains_bf16;

__attribute__((target("avx512f,avx512bw,avx512vl,avx512bf16"), noinline)) float bf16_dot(
    long iterations, float seed) {
  __m512 acc[chains_bf16];
#pragma GCC unroll 32
  for (int c = 0; c < chains_bf16; ++c)
    acc[c] = _mm512_set1_ps(seed + 0.01f * static_cast<float>(c));
  const __m512 x_f = _mm512_set1_ps(1.0f / 1024), y_f = _mm512_set1_ps(1.0f / 1024);
  __m512bh x = _mm512_cvtne2ps_pbh(x_f, x_f), y = _mm512_cvtne2ps_pbh(y_f, y_f);
  opaque(x);
  opaque(y);
  for (long i = 0; i < iterations; ++i) {
#pragma GCC unroll 32
    for (int c = 0; c < chains_bf16; ++c) acc[c] = _mm512_dpbf16_ps(acc[c], x, y);
#pragma GCC unroll 32
    for (int c = 0; c < chains_bf16; ++c) opaque(acc[c]);
  }
  __m512 sum = acc[0];
#pragma GCC unroll 32
  for (int c = 1; c < chains_bf16; ++c) sum = _mm512_add_ps(sum, acc[c]);
  float lanes[16];
  _mm512_storeu_ps(lanes, sum);
  float total = 0;
  for (float lane : lanes) total += lane;
  return total;
}

using Kernel = float (*)(long, float);

// Seconds for `threads` threads each running kernel(iterations), started together.
double run_all(Kernel kernel, long iterations, unsigned threads) {
  std::vector<std::thread> team;
  std::vector<float> sink(threads);
  std::atomic<unsigned> ready{0};
  std::atomic<bool> go{false};
  for (unsigned t = 0; t < threads; ++t)
    team.emplace_back([&, t] {
      ready.fetch_add(1);
      while (!go.load(std::memory_order_acquire)) std::this_thread::yield();
      sink[t] = kernel(iterations, static_cast<float>(t));
    });
  while (ready.load() < threads) std::this_thread::yield();
  const auto start = std::chrono::steady_clock::now();
  go.store(true, std::memory_order_release);
  for (auto& thread : team) thread.join();
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  // The results are used, so no kernel's work can be dropped.
  volatile float keep = 0;
  for (float s : sink) keep = keep + s;
  return seconds;
}

// Best GFLOP/s of 3 trials of about `trial_seconds`, after a calibration run.
double measure(Kernel kernel, double flop_per_iteration, unsigned threads) {
  constexpr double trial_seconds = 0.3;
  long iterations = 100'000;
  double seconds = run_all(kernel, iterations, threads);
  // Grow until the calibration run is long enough to time well (and the clocks have risen).
  while (seconds < 0.03) {
    iterations *= 4;
    seconds = run_all(kernel, iterations, threads);
  }
  iterations = std::max(
      1L, static_cast<long>(static_cast<double>(iterations) * trial_seconds / seconds));
  double best = 0;
  for (int trial = 0; trial < 3; ++trial) {
    const double s = run_all(kernel, iterations, threads);
    best = std::max(best, flop_per_iteration * static_cast<double>(iterations) * threads / s / 1e9);
  }
  return best;
}

// AVX512-BF16 is reported by CPUID leaf 7 subleaf 1, EAX bit 5; the OS must also save the zmm
// state, which __builtin_cpu_supports("avx512f") checks (XCR0).
bool has_avx512bf16() {
  if (!__builtin_cpu_supports("avx512f")) return false;
  unsigned eax = 0, ebx = 0, ecx = 0, edx = 0;
  if (__get_cpuid_max(0, nullptr) < 7) return false;
  __cpuid_count(7, 1, eax, ebx, ecx, edx);
  return (eax >> 5) & 1u;
}

std::string cpu_name() {
  std::ifstream in("/proc/cpuinfo");
  std::string line;
  while (std::getline(in, line))
    if (line.rfind("model name", 0) == 0) {
      const auto colon = line.find(':');
      if (colon == std::string::npos) break;
      std::string name = line.substr(colon + 1);
      name.erase(0, name.find_first_not_of(" \t"));
      return name;
    }
  // No /proc: CPUID's brand string.
  unsigned regs[12] = {};
  if (__get_cpuid_max(0x80000000, nullptr) < 0x80000004) return "unknown";
  for (unsigned i = 0; i < 3; ++i)
    __cpuid(0x80000002 + i, regs[4 * i], regs[4 * i + 1], regs[4 * i + 2], regs[4 * i + 3]);
  char brand[49] = {};
  std::memcpy(brand, regs, 48);
  std::string name = brand;
  name.erase(0, name.find_first_not_of(' '));
  return name;
}

// CPUID leaf 1's display family and model (as /proc/cpuinfo's "cpu family" and "model").
void family_model(unsigned& family, unsigned& model) {
  unsigned eax = 0, ebx = 0, ecx = 0, edx = 0;
  __cpuid(1, eax, ebx, ecx, edx);
  const unsigned base_family = (eax >> 8) & 0xf, base_model = (eax >> 4) & 0xf;
  family = base_family == 0xf ? base_family + ((eax >> 20) & 0xff) : base_family;
  model = (base_family == 0x6 || base_family == 0xf) ? base_model + (((eax >> 16) & 0xf) << 4)
                                                      : base_model;
}

std::string json_string(const std::string& s) {
  std::string out = "\"";
  for (unsigned char ch : s) {
    if (ch == '"' || ch == '\\') {
      out += '\\';
      out += static_cast<char>(ch);
    } else if (ch < 0x20) {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\u%04x", ch);
      out += buf;
    } else {
      out += static_cast<char>(ch);
    }
  }
  return out + "\"";
}

std::string json_number(std::optional<double> v) {
  if (!v) return "null";
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f", *v);
  return buf;
}

}  // namespace

int main() {
  const unsigned threads = std::max(1u, std::thread::hardware_concurrency());
  if (!__builtin_cpu_supports("avx2") || !__builtin_cpu_supports("fma")) {
    std::fprintf(stderr, "peak_flops: this CPU has no AVX2+FMA; nothing measured\n");
    return 1;
  }
  const bool avx512 = __builtin_cpu_supports("avx512f");
  const bool bf16 = has_avx512bf16();

  const double fp32_256_gflops = measure(fp32_256, flop_256, threads);
  std::optional<double> fp32_512_gflops, bf16_gflops;
  if (avx512) fp32_512_gflops = measure(fp32_512, flop_512, threads);
  if (bf16) bf16_gflops = measure(bf16_dot, flop_bf16, threads);

  const double peak = fp32_512_gflops ? *fp32_512_gflops : fp32_256_gflops;
  unsigned family = 0, model = 0;
  family_model(family, model);
  std::printf(
      "{\"threads\": %u, \"peak_gflops\": %.1f, \"fp32_256_gflops\": %.1f, \"fp32_512_gflops\": "
      "%s, \"bf16_gflops\": %s, \"widest\": \"%s\", \"cpu\": %s, \"family\": %u, \"model\": "
      "%u}\n",
      threads, peak, fp32_256_gflops, json_number(fp32_512_gflops).c_str(),
      json_number(bf16_gflops).c_str(), avx512 ? "avx512" : "avx2", json_string(cpu_name()).c_str(),
      family, model);
}
