// Threads sharing one batch: every thread computes a band of the rows of each layer, and the
// team meets at a barrier between layers. Rows are independent, so the work needs no locks; a
// row's arithmetic does not depend on which thread computes it. OpenMP underneath (its barrier
// spins briefly before sleeping, which suits the microseconds a small layer takes); without
// OpenMP the team is one thread.
#pragma once

#include <Eigen/Core>
#include <utility>
#ifdef _OPENMP
#include <omp.h>
#endif

namespace digitnet {

// One thread of a team, as seen from inside run_team.
struct Team {
  int thread = 0;
  int threads = 1;

  // The band [first, first + size) of n rows that this thread computes: contiguous, as equal
  // as can be, the same for the same n every time.
  std::pair<Eigen::Index, Eigen::Index> of(Eigen::Index n) const {
    const Eigen::Index first = n * thread / threads;
    const Eigen::Index end = n * (thread + 1) / threads;
    return {first, end - first};
  }
  // f(i) for every i < n, each i on whichever thread of the team is free next (OpenMP's
  // dynamic schedule), then waits until every thread has arrived (a barrier). Every thread must
  // call it, with the same n.
  template <typename F>
  void each(Eigen::Index n, F&& f) const {
#ifdef _OPENMP
    if (threads > 1) {
#pragma omp for schedule(dynamic, 1)
      for (Eigen::Index i = 0; i < n; ++i) f(i);
      return;
    }
#endif
    for (Eigen::Index i = 0; i < n; ++i) f(i);
  }
  // Waits until every thread of the team has arrived.
  void barrier() const {
#ifdef _OPENMP
    if (threads > 1) {
#pragma omp barrier
    }
#endif
  }
};

// Runs work(team) on `threads` threads at once (work must call team.barrier() the same number
// of times on every thread), or on the caller's thread alone when threads <= 1.
template <typename Work>
void run_team(int threads, Work&& work) {
#ifdef _OPENMP
  if (threads > 1) {
#pragma omp parallel num_threads(threads)
    work(Team{omp_get_thread_num(), omp_get_num_threads()});
    return;
  }
#endif
  static_cast<void>(threads);  // without OpenMP: one thread
  work(Team{});
}

// The number of threads "all cores" means.
int hardware_threads();

}  // namespace digitnet
