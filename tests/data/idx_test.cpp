// Tests of the IDX reader and writer: round trips, and every malformed file refused clearly.
#include "digitnet/data/idx.hpp"

#include <zlib.h>

#include "digitnet/core/error.hpp"
#include "test_support.hpp"

namespace digitnet {
namespace {

class IdxTest : public testing::TempDirTest {
 protected:
  IdxArray small_images() {
    IdxArray a;
    a.dims = {3, 2, 5};  // 3 images of 2x5: not 28x28
    for (int i = 0; i < 30; ++i) a.data.push_back(static_cast<std::uint8_t>(i * 8));
    return a;
  }
  // A raw file: header for `dims`, then `data_bytes` bytes.
  std::filesystem::path raw_file(const std::string& name, std::vector<std::uint8_t> bytes) {
    write_bytes(path(name), bytes);
    return path(name);
  }
};

TEST_F(IdxTest, RawFileRoundTrips) {
  const IdxArray a = small_images();
  write_idx(path("a.idx"), a, false);
  const IdxArray b = read_idx(path("a.idx"));
  EXPECT_EQ(b.dims, a.dims);
  EXPECT_EQ(b.data, a.data);
  EXPECT_EQ(read_bytes(path("a.idx")).size(), 16u + 30u);
}

TEST_F(IdxTest, GzippedFileRoundTrips) {
  const IdxArray a = small_images();
  write_idx(path("a.idx.gz"), a, true);
  const auto bytes = read_bytes(path("a.idx.gz"));
  ASSERT_GE(bytes.size(), 2u);
  EXPECT_EQ(bytes[0], 0x1f);  // really gzipped
  const IdxArray b = read_idx(path("a.idx.gz"));
  EXPECT_EQ(b.dims, a.dims);
  EXPECT_EQ(b.data, a.data);
}

TEST_F(IdxTest, ReadsHeaderAlone) {
  write_idx(path("a.idx"), small_images(), true);
  EXPECT_EQ(read_idx_dims(path("a.idx")), (std::vector<std::uint32_t>{3, 2, 5}));
}

TEST_F(IdxTest, MissingFileIsNamed) {
  EXPECT_ERROR_CONTAINS(read_idx(path("nope.idx")), "nope.idx: file not found");
}

TEST_F(IdxTest, BadMagicIsRefusedAtByteZero) {
  const auto file = raw_file("bad", {1, 0, 8, 1, 0, 0, 0, 1, 7});
  EXPECT_ERROR_CONTAINS(read_idx(file), "byte 0: bad magic number");
}

TEST_F(IdxTest, UnsupportedElementTypeIsRefused) {
  const auto file = raw_file("float", {0, 0, 0x0d, 1, 0, 0, 0, 1, 0, 0, 0, 0});
  EXPECT_ERROR_CONTAINS(read_idx(file), "byte 2: unsupported element type 0x0d");
}

TEST_F(IdxTest, BadDimensionCountIsRefused) {
  EXPECT_ERROR_CONTAINS(read_idx(raw_file("zero", {0, 0, 8, 0})),
                        "byte 3: bad number of dimensions 0");
  EXPECT_ERROR_CONTAINS(read_idx(raw_file("nine", {0, 0, 8, 9})),
                        "byte 3: bad number of dimensions 9");
}

TEST_F(IdxTest, ZeroDimensionIsRefused) {
  const auto file = raw_file("z", {0, 0, 8, 2, 0, 0, 0, 3, 0, 0, 0, 0});
  EXPECT_ERROR_CONTAINS(read_idx(file), "byte 8: dimension 1 is zero");
}

TEST_F(IdxTest, AbsurdDimensionsAreRefusedBeforeAllocating) {
  // 65535^3 bytes would be 281 TB.
  const auto file =
      raw_file("huge", {0, 0, 8, 3, 0, 0, 0xff, 0xff, 0, 0, 0xff, 0xff, 0, 0, 0xff, 0xff});
  EXPECT_ERROR_CONTAINS(read_idx(file), "absurd dimensions");
}

TEST_F(IdxTest, FileEndingInsideTheMagicIsRefused) {
  EXPECT_ERROR_CONTAINS(read_idx(raw_file("short", {0, 0})),
                        "byte 2: file ends inside the 4-byte IDX magic");
  EXPECT_ERROR_CONTAINS(read_idx(raw_file("empty", {})), "byte 0: file ends inside");
}

TEST_F(IdxTest, FileEndingInsideTheHeaderIsRefused) {
  const auto file = raw_file("h", {0, 0, 8, 3, 0, 0, 0, 2, 0, 0});
  EXPECT_ERROR_CONTAINS(read_idx(file), "byte 8: file ends inside the header (dimension 1 of 3)");
}

TEST_F(IdxTest, TruncatedDataIsRefusedWithItsLength) {
  write_idx(path("a.idx"), small_images(), false);
  auto bytes = read_bytes(path("a.idx"));
  bytes.resize(bytes.size() - 7);
  write_bytes(path("a.idx"), bytes);
  EXPECT_ERROR_CONTAINS(read_idx(path("a.idx")),
                        "byte 39: file ends early: the header declares 46 bytes");
}

TEST_F(IdxTest, TrailingBytesAreRefused) {
  write_idx(path("a.idx"), small_images(), false);
  auto bytes = read_bytes(path("a.idx"));
  bytes.push_back(1);
  write_bytes(path("a.idx"), bytes);
  EXPECT_ERROR_CONTAINS(read_idx(path("a.idx")), "byte 46: 1 unexpected bytes after the data");
}

TEST_F(IdxTest, TruncatedGzipIsRefused) {
  write_idx(path("a.gz"), small_images(), true);
  auto bytes = read_bytes(path("a.gz"));
  bytes.resize(bytes.size() - 6);  // cuts into the trailer
  write_bytes(path("a.gz"), bytes);
  const std::string message = testing::error_message([&] { read_idx(path("a.gz")); });
  EXPECT_NE(message.find("a.gz: byte"), std::string::npos) << message;
}

TEST_F(IdxTest, GzipWhoseSizeDisagreesWithTheHeaderIsRefused) {
  const IdxArray a = small_images();
  auto raw = std::vector<std::uint8_t>{0, 0, 8, 3, 0, 0, 0, 3, 0, 0, 0, 2, 0, 0, 0, 6};
  raw.insert(raw.end(), a.data.begin(), a.data.end());  // 30 data bytes, header claims 36
  gzFile gz = gzopen(path("b.gz").c_str(), "wb");
  gzwrite(gz, raw.data(), static_cast<unsigned>(raw.size()));
  gzclose(gz);
  EXPECT_ERROR_CONTAINS(read_idx(path("b.gz")),
                        "the gzip trailer says 46 bytes uncompressed but the header declares 52");
}

TEST_F(IdxTest, CorruptGzipIsRefusedWithZlibsReason) {
  IdxArray a;
  a.dims = {4000};
  for (int i = 0; i < 4000; ++i) a.data.push_back(static_cast<std::uint8_t>((i * 7919) % 251));
  write_idx(path("a.gz"), a, true);
  auto bytes = read_bytes(path("a.gz"));
  for (std::size_t i = bytes.size() / 2; i < bytes.size() / 2 + 8; ++i) bytes[i] ^= 0x5a;
  write_bytes(path("a.gz"), bytes);
  EXPECT_ERROR_CONTAINS(read_idx(path("a.gz")), "corrupt gzip data (zlib:");
}

TEST_F(IdxTest, DirectoryIsRefused) { EXPECT_ERROR_CONTAINS(read_idx(dir_), "is a directory"); }

}  // namespace
}  // namespace digitnet
