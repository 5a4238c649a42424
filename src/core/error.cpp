// Formatting of the library's error messages.
#include "digitnet/core/error.hpp"

namespace digitnet {

Error file_error(const std::filesystem::path& path, std::uint64_t offset, const std::string& what,
                 const std::string& hint) {
  return file_error(path, "byte " + std::to_string(offset) + ": " + what, hint);
}

Error file_error(const std::filesystem::path& path, const std::string& what,
                 const std::string& hint) {
  std::string message = path.string() + ": " + what;
  if (!hint.empty()) message += "; " + hint;
  return Error(message);
}

}  // namespace digitnet
