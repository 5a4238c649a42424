// Shared test helpers: a fresh temporary folder per test, catching error messages, and seeded
// random values.
#pragma once

#include <gtest/gtest.h>

#include <cstdint>
#include <filesystem>
#include <fstream>
#include <random>
#include <string>
#include <vector>

#include "digitnet/core/random.hpp"

namespace digitnet::testing {

// n values drawn from N(0, 1) with the project's generator, the same for the same seed.
template <typename Scalar>
std::vector<Scalar> random_values(std::size_t n, std::uint64_t seed) {
  Rng rng(seed);
  std::vector<Scalar> v(n);
  for (auto& x : v) x = static_cast<Scalar>(rng.normal());
  return v;
}

// The message of the exception `action` throws, or "(no exception)".
template <typename Action>
std::string error_message(Action&& action) {
  try {
    action();
  } catch (const std::exception& e) {
    return e.what();
  }
  return "(no exception)";
}

#define EXPECT_ERROR_CONTAINS(action, text)                                           \
  do {                                                                                \
    const std::string message_ = ::digitnet::testing::error_message([&] { action; }); \
    EXPECT_NE(message_.find(text), std::string::npos)                                 \
        << "expected an error containing \"" << (text) << "\", got: " << message_;    \
  } while (0)

class TempDirTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    dir_ = std::filesystem::temp_directory_path() /
           ("digitnet-" + std::string(info->test_suite_name()) + "-" + info->name() + "-" +
            std::to_string(std::random_device{}()));
    std::filesystem::create_directories(dir_);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  std::filesystem::path path(const std::string& name) const { return dir_ / name; }

  static void write_bytes(const std::filesystem::path& file,
                          const std::vector<std::uint8_t>& bytes) {
    std::ofstream out(file, std::ios::binary);
    out.write(reinterpret_cast<const char*>(bytes.data()),
              static_cast<std::streamsize>(bytes.size()));
  }
  static std::vector<std::uint8_t> read_bytes(const std::filesystem::path& file) {
    std::ifstream in(file, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
  }

  std::filesystem::path dir_;
};

}  // namespace digitnet::testing
