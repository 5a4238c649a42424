// digitnet's binary model file: a trained network, saved and loaded bit for bit.
// The format (version 2; version 1 files are still read) is in docs/model-format.md.
#pragma once

#include <cstdint>
#include <filesystem>
#include <vector>

#include "digitnet/network/network.hpp"

namespace digitnet {

inline constexpr std::uint32_t model_format_version = 2;  // reads 1 and 2
// Caps checked before anything is allocated, so a damaged header cannot ask for gigabytes.
inline constexpr std::uint32_t model_max_layers = 64;
inline constexpr std::uint32_t model_max_layer_size = 1u << 20;
inline constexpr std::uint32_t model_max_layer_numbers = 8;   // per layer (conv: maps, k, k)
inline constexpr std::uint32_t model_max_layer_options = 4;
inline constexpr std::uint32_t model_max_option_length = 32;
inline constexpr std::uint64_t model_max_parameters = std::uint64_t{1} << 28;  // 1 GiB of floats
inline constexpr std::uint64_t model_max_json_bytes = std::uint64_t{1} << 30;  // network2.py JSON

// The file's bytes for `net`.
std::vector<std::uint8_t> serialize_model(const Network& net);
// Writes `net` to `path` atomically (a crash leaves the old file or the new one, never a mix):
// in network2.py's JSON format when the name ends in .json (network2_json.hpp), else binary.
void save_model(const Network& net, const std::filesystem::path& path);
bool is_json_path(const std::filesystem::path& path);

// Parses a model file's bytes. `path` only names the file in error messages.
// Throws digitnet::Error naming the byte offset of the first problem: a bad magic number, an
// unknown version, absurd or inconsistent sizes, unknown activation or cost, a file shorter or
// longer than its header declares, or a checksum mismatch.
Network parse_model(const std::vector<std::uint8_t>& bytes, const std::filesystem::path& path);
// Reads a binary model file or a network2.py JSON file (told apart by their first byte).
Network load_model(const std::filesystem::path& path);

}  // namespace digitnet
