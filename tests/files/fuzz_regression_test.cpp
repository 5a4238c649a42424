// Every input the fuzzers (fuzz/) ever found a problem with, kept in fuzz/regressions/<reader>/:
// each must now be read or refused with digitnet::Error — no crash, and no sanitizer report in
// the sanitize build.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <functional>

#include "digitnet/files/checkpoint.hpp"
#include "digitnet/core/error.hpp"
#include "digitnet/data/idx.hpp"
#include "digitnet/files/model_file.hpp"
#include "digitnet/files/network2_json.hpp"
#include "digitnet/files/onnx_file.hpp"
#include "digitnet/pictures/image_file.hpp"

namespace digitnet {
namespace {

const std::filesystem::path regressions =
    std::filesystem::path(DIGITNET_SOURCE_DATA_DIR) / ".." / ".." / "fuzz" / "regressions";

std::vector<std::uint8_t> bytes_of(const std::filesystem::path& file) {
  std::ifstream in(file, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

void expect_read_or_refused(const std::string& reader,
                            const std::function<void(const std::filesystem::path&)>& read) {
  const auto dir = regressions / reader;
  if (!std::filesystem::exists(dir)) return;
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    try {
      read(entry.path());
    } catch (const Error&) {
      // refused with a message: fine
    }
    SUCCEED() << entry.path();
  }
}

TEST(FuzzRegressions, EveryFoundInputIsReadOrRefused) {
  ASSERT_TRUE(std::filesystem::exists(regressions)) << regressions;
  expect_read_or_refused("idx", [](const auto& f) { read_idx(f); });
  expect_read_or_refused("model_binary", [](const auto& f) { parse_model(bytes_of(f), f); });
  expect_read_or_refused("model_json", [](const auto& f) {
    const auto b = bytes_of(f);
    parse_network2_json(std::string(b.begin(), b.end()), f);
  });
  expect_read_or_refused("checkpoint", [](const auto& f) { load_checkpoint(f); });
  expect_read_or_refused("onnx", [](const auto& f) { parse_onnx(bytes_of(f), f); });
  // The server's request bodies (fuzz/fuzz_predict_body: the first byte picks the type; the
  // pictures among them go to the picture reader).
  expect_read_or_refused("predict_body", [](const auto& f) {
    const auto b = bytes_of(f);
    if (!b.empty()) decode_grey_picture(std::span(b).subspan(1), f.string());
  });
}

TEST(FuzzRegressions, ACheckpointWithoutOptimizerStateLoads) {
  // Found by fuzz_checkpoint on its seed input: plain SGD has no optimiser state, and reading
  // the empty arrays passed a null pointer to memcpy.
  const Checkpoint c = load_checkpoint(regressions / "checkpoint" / "sgd-empty-optimizer-state.ckp");
  EXPECT_TRUE(c.state.optimizer_first.empty());
  EXPECT_EQ(c.state.epoch, 1u);
}

TEST(FuzzRegressions, AJsonNumberTooLargeForADoubleIsRefused) {
  // Found by fuzz_model_json: nlohmann's out_of_range was not caught and ended the program.
  const auto file = regressions / "model_json" / "number-overflow.json";
  const auto b = bytes_of(file);
  EXPECT_THROW(parse_network2_json(std::string(b.begin(), b.end()), file), Error);
}

}  // namespace
}  // namespace digitnet
