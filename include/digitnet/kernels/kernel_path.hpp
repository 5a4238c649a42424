// Which vector width the hand-written kernels (kernels.hpp, gemm.hpp) run with. One binary,
// built for x86-64-v3 (AVX2 + FMA), carries two paths: 256-bit vectors, and 512-bit ones
// compiled with GCC's target pragma for CPUs with AVX-512. The widest the CPU has is chosen
// once, at the first kernel call, unless the environment variable DIGITNET_KERNELS names a path
// (avx2 or avx512), for tests and A/B comparisons; set_kernel_path changes it in-process.
//
// Both paths compute the same numbers, bit for bit: every element is the same sequence of fused
// multiply-adds on either (docs/design.md, "The same numbers on every machine").
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace digitnet {

enum class KernelPath { avx2, avx512 };

// "avx2" or "avx512" (the name DIGITNET_KERNELS takes). A build without FMA (the portable
// preset, plain x86-64) has one path, named "avx2" here but using whatever vectors it has.
const char* kernel_path_name(KernelPath path);

// The paths this build has and this CPU can run, narrowest first.
std::vector<KernelPath> available_kernel_paths();

// "" when `name` names an available path, else the reason, in one line (unknown name, or a
// path the CPU or build lacks), with the available names.
std::string kernel_path_problem(std::string_view name);

// The path the kernels take now. The first call decides it: DIGITNET_KERNELS if set (throws
// digitnet::Error with kernel_path_problem's message when it names no available path), else the
// widest available.
KernelPath kernel_path();

// Makes the kernels take `path` from now on (throws digitnet::Error when it is not available).
// Not to be called while another thread runs kernels.
void set_kernel_path(KernelPath path);

}  // namespace digitnet
