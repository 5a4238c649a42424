// Writing a file so that readers see either the old file or the complete new one, never a part:
// the bytes go to a temporary file in the same folder, are flushed to disk, and the temporary is
// renamed over the target.
#pragma once

#include <cstdint>
#include <filesystem>
#include <span>

namespace digitnet {

// Throws digitnet::Error (and leaves no temporary file behind) when any step fails.
void write_file_atomically(const std::filesystem::path& path, std::span<const std::uint8_t> bytes);

}  // namespace digitnet
