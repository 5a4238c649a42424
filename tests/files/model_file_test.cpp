// Tests of the binary model file: bit-exact round trips, atomic writes, damaged files refused.
#include "digitnet/files/model_file.hpp"

#include <fstream>

#include "digitnet/core/random.hpp"
#include "test_support.hpp"

namespace digitnet {
namespace {

class ModelFileTest : public testing::TempDirTest {
 protected:
  Network net_{{7, 5, 10}, 3};
};

TEST_F(ModelFileTest, LoadOfSaveGivesBitIdenticalOutputs) {
  save_model(net_, path("m.bin"));
  const Network loaded = load_model(path("m.bin"));
  EXPECT_EQ(loaded.sizes(), net_.sizes());
  Matrix<float> x = Matrix<float>::Random(7, 20);
  const Matrix<float> a = net_.feedforward(x), b = loaded.feedforward(x);
  EXPECT_EQ(std::memcmp(a.data(), b.data(), sizeof(float) * a.size()), 0);
  EXPECT_TRUE(loaded.parameters().as_vector() == net_.parameters().as_vector());
}

TEST_F(ModelFileTest, FileHasTheDocumentedLayout) {
  const auto bytes = serialize_model(net_);
  const std::size_t parameters = 7 * 5 + 5 + 5 * 10 + 10;
  // magic 8, version 4, count 4, sizes 3*4, activations 2, cost 1, parameter count 8, floats, crc 4
  EXPECT_EQ(bytes.size(), 8 + 4 + 4 + 12 + 2 + 1 + 8 + 4 * parameters + 4);
  EXPECT_EQ(std::string(bytes.begin(), bytes.begin() + 8), "DIGITNET");
  EXPECT_EQ(bytes[8], 1);   // version 1, little-endian
  EXPECT_EQ(bytes[12], 3);  // three sizes
  EXPECT_EQ(bytes[16], 7);
  EXPECT_EQ(bytes[28], 1);  // sigmoid
  EXPECT_EQ(bytes[30], 1);  // quadratic
  EXPECT_EQ(bytes[31], parameters);
}

TEST_F(ModelFileTest, SaveReplacesAtomicallyAndLeavesNoTemporaryFiles) {
  save_model(net_, path("m.bin"));
  const Network other({7, 5, 10}, 4);
  save_model(other, path("m.bin"));
  EXPECT_TRUE(load_model(path("m.bin")).parameters().as_vector() == other.parameters().as_vector());
  std::size_t files = 0;
  for ([[maybe_unused]] const auto& entry : std::filesystem::directory_iterator(dir_)) ++files;
  EXPECT_EQ(files, 1u);
}

TEST_F(ModelFileTest, SaveIntoAMissingFolderIsRefused) {
  EXPECT_ERROR_CONTAINS(save_model(net_, path("no/such/m.bin")), "does not exist");
}

TEST_F(ModelFileTest, MissingFileIsNamed) {
  EXPECT_ERROR_CONTAINS(load_model(path("absent.bin")), "absent.bin: file not found");
}

TEST_F(ModelFileTest, EveryTruncationIsRefused) {
  const auto bytes = serialize_model(net_);
  for (std::size_t size = 0; size < bytes.size(); ++size) {
    const std::vector<std::uint8_t> part(bytes.begin(),
                                         bytes.begin() + static_cast<std::ptrdiff_t>(size));
    const std::string message = testing::error_message([&] { parse_model(part, "m.bin"); });
    EXPECT_NE(message.find("m.bin: byte "), std::string::npos)
        << "size " << size << ": " << message;
  }
}

TEST_F(ModelFileTest, EveryFlippedByteIsRefused) {
  const auto bytes = serialize_model(net_);
  for (std::size_t i = 0; i < bytes.size(); ++i) {
    auto damaged = bytes;
    damaged[i] ^= 0x10;
    const std::string message = testing::error_message([&] { parse_model(damaged, "m.bin"); });
    EXPECT_NE(message.find("m.bin: byte "), std::string::npos) << "byte " << i << ": " << message;
  }
}

TEST_F(ModelFileTest, DamageIsReportedWhereItIs) {
  auto bytes = serialize_model(net_);
  auto damaged = bytes;
  damaged[0] = 'X';
  EXPECT_ERROR_CONTAINS(parse_model(damaged, "m"), "m: byte 0: bad magic number");
  damaged = bytes;
  damaged[8] = 9;
  EXPECT_ERROR_CONTAINS(parse_model(damaged, "m"), "byte 8: unknown format version 9");
  damaged = bytes;
  damaged[28] = 7;
  EXPECT_ERROR_CONTAINS(parse_model(damaged, "m"), "byte 28: unknown activation id 7 for layer 1");
  damaged = bytes;
  damaged[100] ^= 1;  // inside the floats
  EXPECT_ERROR_CONTAINS(parse_model(damaged, "m"), "checksum mismatch");
  damaged = bytes;
  damaged.push_back(0);
  EXPECT_ERROR_CONTAINS(parse_model(damaged, "m"), "1 unexpected bytes after the end of the model");
}

TEST_F(ModelFileTest, AbsurdLayerSizesAreRefusedBeforeAllocating) {
  auto bytes = serialize_model(net_);
  // Layer 1's size (offset 20) set to 2^31.
  bytes[20] = 0;
  bytes[21] = 0;
  bytes[22] = 0;
  bytes[23] = 0x80;
  EXPECT_ERROR_CONTAINS(parse_model(bytes, "m"), "byte 20: layer 1 has size 2147483648");
  bytes = serialize_model(net_);
  bytes[12] = 200;  // 200 layers
  EXPECT_ERROR_CONTAINS(parse_model(bytes, "m"), "byte 12: layer count 200");
  // Individually legal sizes whose product is absurd: 2^20 x 2^20 weights.
  std::vector<std::uint8_t> header(bytes.begin(), bytes.begin() + 12);
  for (std::uint32_t value : {3u, 1u << 20, 1u << 20, 10u})
    for (int shift = 0; shift < 32; shift += 8)
      header.push_back(static_cast<std::uint8_t>(value >> shift));
  EXPECT_ERROR_CONTAINS(parse_model(header, "m"), "byte 20: absurd layer sizes");
}

}  // namespace
}  // namespace digitnet

namespace digitnet {
namespace {

class ModelFormatsTest : public testing::TempDirTest {
 protected:
  void write(const std::filesystem::path& file, const std::string& text) {
    std::ofstream(file) << text;
  }
};

TEST_F(ModelFormatsTest, EveryArchitectureRoundTripsThroughTheBinaryFormat) {
  const Network net(Architecture::of({7, 6, 5, 10}, Activation::relu, Activation::softmax,
                                     Cost::log_likelihood),
                    4, Init::he);
  save_model(net, path("relu.bin"));
  const Network loaded = load_model(path("relu.bin"));
  EXPECT_EQ(loaded.architecture(), net.architecture());
  EXPECT_TRUE(loaded.parameters().as_vector() == net.parameters().as_vector());
}

TEST_F(ModelFormatsTest, Network2JsonRoundTripGivesIdenticalPredictions) {
  const Network net(Architecture::of({7, 5, 10}, Activation::sigmoid, Activation::sigmoid,
                                     Cost::cross_entropy),
                    6, Init::scaled_normal);
  save_model(net, path("net.json"));
  const Network loaded = load_model(path("net.json"));
  EXPECT_EQ(loaded.architecture(), net.architecture());
  EXPECT_TRUE(loaded.parameters().as_vector() == net.parameters().as_vector());
  Matrix<float> x = Matrix<float>::Random(7, 20).cwiseAbs();
  EXPECT_TRUE(loaded.feedforward(x) == net.feedforward(x));
  // And it is network2.py's layout: biases as columns, the cost by class name.
  std::ifstream in(path("net.json"));
  const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  EXPECT_EQ(text.rfind("{\"sizes\":[7,5,10],\"weights\":[[[", 0), 0u) << text.substr(0, 40);
  EXPECT_NE(text.find("\"biases\":[[["), std::string::npos);
  EXPECT_NE(text.find("\"cost\":\"CrossEntropyCost\""), std::string::npos);
}

TEST_F(ModelFormatsTest, HandWrittenNetwork2JsonLoadsAndComputesTheRightOutputs) {
  // A [2, 2, 1]... with 10 outputs for evaluation: weights chosen so the outputs are known.
  write(path("hand.json"), R"( {"sizes": [2, 1, 2],
      "weights": [[[1.0, -1.0]], [[2.0], [-3]]],
      "biases": [[[0.5]], [[0.0], [1.0]]],
      "cost": "QuadraticCost"} )");
  const Network net = load_model(path("hand.json"));
  EXPECT_EQ(net.cost(), Cost::quadratic);
  Matrix<float> x(2, 1);
  x << 0.25f, 0.75f;
  const double h = 1 / (1 + std::exp(-(0.25 - 0.75 + 0.5)));  // = σ(0) = 0.5
  const Matrix<float> a = net.feedforward(x);
  EXPECT_NEAR(a(0, 0), 1 / (1 + std::exp(-2 * h)), 1e-6);
  EXPECT_NEAR(a(1, 0), 1 / (1 + std::exp(3 * h - 1)), 1e-6);
}

TEST_F(ModelFormatsTest, NetworksNetwork2CannotHoldAreRefused) {
  const Network relu(Architecture::of({4, 3, 10}, Activation::relu, Activation::sigmoid,
                                      Cost::quadratic));
  EXPECT_ERROR_CONTAINS(save_model(relu, path("relu.json")), "sigmoid networks only");
  EXPECT_FALSE(std::filesystem::exists(path("relu.json")));
}

TEST_F(ModelFormatsTest, DamagedNetwork2JsonIsRefusedWithWhere) {
  const std::string good_tail = R"("biases": [[[0.5]], [[0.0], [1.0]]], "cost": "QuadraticCost"})";
  const std::vector<std::pair<std::string, std::string>> cases = {
      {R"({"sizes": [2, 1, 2], "weights": [[[1.0, -1.0]], [[2.0], [-3]]], )", "byte"},  // cut
      {R"({"sizes": [2, 1, 2], "weights": [[[1.0]], [[2.0], [-3]]], )" + good_tail,
       "\"weights\"[0][0]: expected 2 entries, found 1"},
      {R"({"sizes": [2, 1, 2], "weights": [[[1.0, "x"]], [[2.0], [-3]]], )" + good_tail,
       "\"weights\"[0][0][1]: expected a number"},
      {R"({"sizes": [2, 0, 2], "weights": [], )" + good_tail, "\"sizes\"[1]"},
      {R"({"sizes": [2, 4000000, 2], "weights": [], )" + good_tail, "\"sizes\"[1]"},
      {R"({"sizes": [2, 1, 2], "weights": [[[1.0, -1.0]], [[2.0], [-3]]], "biases": [], "cost": "QuadraticCost"})",
       "\"biases\": expected 2 entries"},
      {R"({"sizes": [2, 1, 2], "weights": [[[1.0, -1.0]], [[2.0], [-3]]], "biases": [[[0.5]], [[0.0], [1.0]]], "cost": "HingeCost"})",
       "\"cost\""},
      {R"({"sizes": [2, 1, 2], "biases": [[[0.5]], [[0.0], [1.0]]], "cost": "QuadraticCost"})",
       "no \"weights\""},
      {R"({"sizes": [2, 1, 2], "weights": [[[1e300, -1.0]], [[2.0], [-3]]], )" + good_tail,
       "does not fit in a float"},
      {"[1, 2]", "expected an object"},
  };
  for (const auto& [text, expected] : cases) {
    write(path("bad.json"), text);
    EXPECT_ERROR_CONTAINS(load_model(path("bad.json")), expected);
    EXPECT_ERROR_CONTAINS(load_model(path("bad.json")), path("bad.json").string());
  }
}

}  // namespace
}  // namespace digitnet
