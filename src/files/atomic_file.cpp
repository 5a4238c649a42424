// Atomic file replacement with POSIX calls (write, fsync, rename), as std::ofstream cannot fsync.
#include "digitnet/files/atomic_file.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string>

#include "digitnet/core/error.hpp"

namespace digitnet {

void write_file_atomically(const std::filesystem::path& path, std::span<const std::uint8_t> bytes) {
  const std::filesystem::path folder = path.has_parent_path() ? path.parent_path() : ".";
  std::error_code ec;
  if (!std::filesystem::is_directory(folder, ec))
    throw file_error(path, "cannot write: folder " + folder.string() + " does not exist",
                     "create it first or choose another path");
  if (std::filesystem::is_directory(path, ec))
    throw file_error(path, "cannot write: it is a folder", "give a file name");

  std::string temporary = path.string() + ".tmp-XXXXXX";
  const int fd = mkstemp(temporary.data());
  if (fd < 0)
    throw file_error(
        path, std::string("cannot create a temporary file beside it: ") + std::strerror(errno));
  const auto fail = [&](const char* step) {
    const std::string reason = std::strerror(errno);
    close(fd);
    unlink(temporary.c_str());
    return file_error(path, std::string(step) + " failed: " + reason,
                      "check free disk space and permissions; the old file, if any, is intact");
  };
  std::size_t done = 0;
  while (done < bytes.size()) {
    const ssize_t wrote = write(fd, bytes.data() + done, bytes.size() - done);
    if (wrote < 0) {
      if (errno == EINTR) continue;
      throw fail("write");
    }
    done += static_cast<std::size_t>(wrote);
  }
  if (fchmod(fd, 0644) != 0) throw fail("chmod");
  if (fsync(fd) != 0) throw fail("fsync");
  if (close(fd) != 0) {
    unlink(temporary.c_str());
    throw file_error(path, std::string("close failed: ") + std::strerror(errno));
  }
  if (std::rename(temporary.c_str(), path.c_str()) != 0) {
    const std::string reason = std::strerror(errno);
    unlink(temporary.c_str());
    throw file_error(path, "rename failed: " + reason);
  }
  // Make the rename itself durable; a failure here loses nothing already written.
  const int dir = open(folder.c_str(), O_RDONLY | O_DIRECTORY);
  if (dir >= 0) {
    fsync(dir);
    close(dir);
  }
}

}  // namespace digitnet
