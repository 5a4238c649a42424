// The choice of kernel path (kernel_path.hpp): decided once, kept in an atomic that every kernel
// call reads (one relaxed load).
#include "digitnet/kernels/kernel_path.hpp"

#include <atomic>
#include <cstdlib>

#include "digitnet/core/error.hpp"
#include "kernels/paths.hpp"

namespace digitnet {
namespace {

bool cpu_has_avx512() {
#if DIGITNET_AVX512_PATH
  // (libgcc's checks include the operating system's saving of the 512-bit registers)
  return __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512vl") &&
         __builtin_cpu_supports("avx512bw") && __builtin_cpu_supports("avx512dq");
#else
  return false;
#endif
}

constexpr int undecided = -1;
std::atomic<int> current{undecided};

// (Allocates nothing unless it throws: the first kernel call may be a Predictor's, which
// promises no allocation.)
KernelPath decide() {
  KernelPath path = cpu_has_avx512() ? KernelPath::avx512 : KernelPath::avx2;
  if (const char* name = std::getenv("DIGITNET_KERNELS"); name != nullptr && *name != '\0') {
    const std::string_view wanted(name);
    if (wanted == "avx2")
      path = KernelPath::avx2;
    else if (wanted == "avx512" && cpu_has_avx512())
      path = KernelPath::avx512;
    else
      throw Error("DIGITNET_KERNELS: " + kernel_path_problem(wanted));
  }
  int expected = undecided;
  current.compare_exchange_strong(expected, static_cast<int>(path));
  return static_cast<KernelPath>(current.load());
}

}  // namespace

const char* kernel_path_name(KernelPath path) {
  return path == KernelPath::avx512 ? "avx512" : "avx2";
}

std::vector<KernelPath> available_kernel_paths() {
  std::vector<KernelPath> paths{KernelPath::avx2};
  if (cpu_has_avx512()) paths.push_back(KernelPath::avx512);
  return paths;
}

std::string kernel_path_problem(std::string_view name) {
  std::string names;
  for (KernelPath path : available_kernel_paths())
    names += std::string(names.empty() ? "" : ", ") + kernel_path_name(path);
  if (name != "avx2" && name != "avx512")
    return "unknown kernel path '" + std::string(name) + "'; this machine has: " + names;
  if (name == "avx512" && !cpu_has_avx512())
    return std::string(DIGITNET_AVX512_PATH ? "this CPU has no AVX-512 (F, VL, BW, DQ)"
                                            : "this build has no AVX-512 path") +
           "; this machine has: " + names;
  return "";
}

KernelPath kernel_path() {
  const int path = current.load(std::memory_order_relaxed);
  return path == undecided ? decide() : static_cast<KernelPath>(path);
}

void set_kernel_path(KernelPath path) {
  if (std::string problem = kernel_path_problem(kernel_path_name(path)); !problem.empty())
    throw Error(problem);
  current.store(static_cast<int>(path));
}

}  // namespace digitnet
