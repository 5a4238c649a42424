// Tests of the binary model file: bit-exact round trips, atomic writes, damaged files refused.
#include "digitnet/files/model_file.hpp"

#include <fstream>

#include "digitnet/core/random.hpp"
#include "digitnet/files/network2_json.hpp"
#include "digitnet/data/dataset.hpp"
#include "digitnet/inference/evaluation.hpp"
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
  // magic 8, version 4, input shape 3*4, layer count 4, two layers of (kind, activation, count
  // of numbers, count of options, one u32 number), cost 1, parameter count 8, floats, crc 4
  EXPECT_EQ(bytes.size(), 8 + 4 + 12 + 4 + 2 * (4 + 4) + 1 + 8 + 4 * parameters + 4);
  EXPECT_EQ(std::string(bytes.begin(), bytes.begin() + 8), "DIGITNET");
  EXPECT_EQ(bytes[8], 2);   // version 2, little-endian
  EXPECT_EQ(bytes[12], 7);  // input 7 x 1 x 1
  EXPECT_EQ(bytes[16], 1);
  EXPECT_EQ(bytes[20], 1);
  EXPECT_EQ(bytes[24], 2);  // two layers
  EXPECT_EQ(bytes[28], 1);  // dense
  EXPECT_EQ(bytes[29], 1);  // sigmoid
  EXPECT_EQ(bytes[30], 1);  // one number
  EXPECT_EQ(bytes[31], 0);  // no options
  EXPECT_EQ(bytes[32], 5);  // 5 neurons
  EXPECT_EQ(bytes[40], 10);
  EXPECT_EQ(bytes[44], 1);  // quadratic
  EXPECT_EQ(bytes[45], parameters);
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
  EXPECT_ERROR_CONTAINS(parse_model(damaged, "m"), "byte 28: unknown layer kind 7 for layer 1");
  damaged = bytes;
  damaged[29] = 7;
  EXPECT_ERROR_CONTAINS(parse_model(damaged, "m"), "byte 29: unknown activation id 7 for layer 1");
  damaged = bytes;
  damaged[32] = 0;  // a dense layer of 0 neurons
  EXPECT_ERROR_CONTAINS(parse_model(damaged, "m"), "byte 28: impossible network: layer 1");
  damaged = bytes;
  damaged[100] ^= 1;  // inside the floats
  EXPECT_ERROR_CONTAINS(parse_model(damaged, "m"), "checksum mismatch");
  damaged = bytes;
  damaged.push_back(0);
  EXPECT_ERROR_CONTAINS(parse_model(damaged, "m"), "1 unexpected bytes after the end of the model");
}

void put_u32(std::vector<std::uint8_t>& bytes, std::uint32_t value) {
  for (int shift = 0; shift < 32; shift += 8) bytes.push_back(static_cast<std::uint8_t>(value >> shift));
}

TEST_F(ModelFileTest, AbsurdLayerSizesAreRefusedBeforeAllocating) {
  auto bytes = serialize_model(net_);
  // The input's channels (offset 12) set to 2^31.
  bytes[12] = 0;
  bytes[13] = 0;
  bytes[14] = 0;
  bytes[15] = 0x80;
  EXPECT_ERROR_CONTAINS(parse_model(bytes, "m"), "byte 12: input dimension 2147483648");
  bytes = serialize_model(net_);
  bytes[24] = 200;  // 200 layers
  EXPECT_ERROR_CONTAINS(parse_model(bytes, "m"), "byte 24: layer count 200");
  // Individually legal sizes whose product is absurd: 2^20 x 2^20 weights.
  std::vector<std::uint8_t> header(bytes.begin(), bytes.begin() + 12);
  for (std::uint32_t value : {1u << 20, 1u, 1u, 2u}) put_u32(header, value);
  for (std::uint32_t units : {1u << 20, 10u}) {
    for (std::uint8_t field : {1, 1, 1, 0}) header.push_back(field);
    put_u32(header, units);
  }
  header.push_back(1);  // quadratic
  EXPECT_ERROR_CONTAINS(parse_model(header, "m"), "byte 28: absurd layer sizes");
}

// Version 1 files, written by digitnet 0.1 (the commit before model format 2) and kept as they
// were: tests/files/fixtures/v1-*.bin. Their test accuracies were printed by that digitnet's
// `eval`.
TEST(ModelFileVersion1, FilesWrittenByDigitnet01StillLoadAndGiveTheSameAnswers) {
  const std::filesystem::path fixtures =
      std::filesystem::path(DIGITNET_SOURCE_DATA_DIR) / ".." / ".." / "tests" / "files" / "fixtures";
  const Dataset test = load_mnist(DIGITNET_SOURCE_DATA_DIR).test;
  const Network sigmoid = load_model(fixtures / "v1-sigmoid-784-30-10.bin");
  EXPECT_EQ(sigmoid.architecture(), Architecture::seeds({784, 30, 10}));
  EXPECT_EQ(evaluate(sigmoid, test), 6098u);
  EXPECT_EQ(outputs(sigmoid, test.image(0))[7], 0.9549444317817688f);
  const Network relu = load_model(fixtures / "v1-relu-softmax-784-16-10.bin");
  EXPECT_EQ(relu.architecture(), Architecture::of({784, 16, 10}, Activation::relu,
                                                  Activation::softmax, Cost::log_likelihood));
  EXPECT_EQ(evaluate(relu, test), 8642u);
}

TEST(ModelFileVersion1, SavedAgainItBecomesVersion2WithTheSameWeights) {
  const std::filesystem::path fixtures =
      std::filesystem::path(DIGITNET_SOURCE_DATA_DIR) / ".." / ".." / "tests" / "files" / "fixtures";
  const Network v1 = load_model(fixtures / "v1-relu-softmax-784-16-10.bin");
  const auto bytes = serialize_model(v1);
  EXPECT_EQ(bytes[8], 2);
  const Network v2 = parse_model(bytes, "v2");
  EXPECT_EQ(v2.architecture(), v1.architecture());
  EXPECT_TRUE(v2.parameters().as_vector() == v1.parameters().as_vector());
}

TEST(ModelFileVersion1, EveryTruncationAndFlippedByteIsRefused) {
  const std::filesystem::path small = std::filesystem::path(DIGITNET_SOURCE_DATA_DIR) / ".." /
                                      ".." / "fuzz" / "corpus" / "model_binary" / "small.bin";
  std::ifstream in(small, std::ios::binary);
  const std::vector<std::uint8_t> bytes((std::istreambuf_iterator<char>(in)), {});
  ASSERT_EQ(bytes[8], 1);
  EXPECT_NO_THROW(parse_model(bytes, "v1"));
  for (std::size_t i = 0; i < bytes.size(); ++i) {
    auto damaged = bytes;
    damaged[i] ^= 0x10;
    EXPECT_NE(testing::error_message([&] { parse_model(damaged, "v1"); }).find("v1: byte "),
              std::string::npos)
        << "byte " << i;
    const std::vector<std::uint8_t> part(bytes.begin(), bytes.begin() + static_cast<std::ptrdiff_t>(i));
    EXPECT_NE(testing::error_message([&] { parse_model(part, "v1"); }).find("v1: byte "),
              std::string::npos)
        << "size " << i;
  }
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

TEST(Network2JsonProblem, SaysWhatTheFormatCannotHold) {
  EXPECT_EQ(network2_json_problem(Architecture::seeds({784, 30, 10})), "");
  EXPECT_EQ(network2_json_problem(Architecture::of({4, 3, 10}, Activation::sigmoid,
                                                   Activation::sigmoid, Cost::cross_entropy)),
            "");
  const std::string relu = network2_json_problem(
      Architecture::of({4, 3, 10}, Activation::relu, Activation::sigmoid, Cost::quadratic));
  EXPECT_NE(relu.find("holds sigmoid networks only"), std::string::npos) << relu;
  EXPECT_NE(relu.find("layer 1 is relu"), std::string::npos) << relu;
  const std::string softmax = network2_json_problem(
      Architecture::of({4, 3, 10}, Activation::sigmoid, Activation::softmax, Cost::log_likelihood));
  EXPECT_NE(softmax.find("layer 2 is softmax"), std::string::npos) << softmax;
}

}  // namespace
}  // namespace digitnet
