// The one exception type the library throws for bad input from outside (files, options).
// Messages are one line: what is wrong, where (file, byte offset), and what to do.
#pragma once

#include <cstdint>
#include <filesystem>
#include <stdexcept>
#include <string>

namespace digitnet {

class Error : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// "<path>: byte <offset>: <what>; <hint>" — the format of every file error.
Error file_error(const std::filesystem::path& path, std::uint64_t offset, const std::string& what,
                 const std::string& hint = {});
// "<path>: <what>; <hint>" — for errors that are about the whole file (missing, unreadable).
Error file_error(const std::filesystem::path& path, const std::string& what,
                 const std::string& hint = {});

}  // namespace digitnet
