// How many threads "all cores" is.
#include "digitnet/kernels/team.hpp"

#include <thread>

namespace digitnet {

int hardware_threads() {
  const unsigned n = std::thread::hardware_concurrency();
  return n == 0 ? 1 : static_cast<int>(n);
}

}  // namespace digitnet
