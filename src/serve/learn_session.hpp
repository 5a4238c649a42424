// The learning page's training run (/learn): one at a time, in a thread of its own, watched
// through snapshots (state()) and steered between mini-batches: pause, one batch at a time,
// slower or faster, stop. Stopping joins the thread and frees the network and its data.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>
#include <vector>

#include "digitnet/data/dataset.hpp"
#include "digitnet/network/architecture.hpp"
#include "digitnet/network/initialization.hpp"
#include "digitnet/training/trainer.hpp"

namespace digitnet::serve {

// A run the page may start: a shipped recipe, planned and checked as `digitnet train` plans it
// (the CLI makes these), with the page's size limit already applied to its options.
struct LearnPlan {
  std::string recipe;   // "fast-98"
  std::string summary;  // what it trains: layers, epochs, images
  Architecture arch;
  TrainOptions options;
  Init init = Init::standard_normal;
  bool use_validation = false;
  std::function<MnistSplit()> load;  // its data, prepared (and limited)
};

// The most a learning run may do, so that nobody starts one that takes hours.
inline constexpr std::size_t learn_max_epochs = 10;
inline constexpr std::size_t learn_max_images = 10000;
inline constexpr std::size_t learn_test_images = 2000;  // scored after each epoch
inline constexpr std::size_t learn_guess_row = 10;      // test digits guessed live
inline constexpr std::size_t learn_max_weight_images = 64;

class LearnSession {
 public:
  explicit LearnSession(std::vector<LearnPlan> plans);
  ~LearnSession();  // stops a run
  LearnSession(const LearnSession&) = delete;
  LearnSession& operator=(const LearnSession&) = delete;

  const std::vector<LearnPlan>& plans() const { return plans_; }
  // Starts the plan named `recipe`. Throws serve::BadRequest: 404 for an unknown name, 409
  // while a run is going (stop it first).
  void start(const std::string& recipe);
  void stop();  // ends the run (after its current batch) and frees it; no-op without one
  void pause(bool paused);
  void step();                   // paused: run one more mini-batch
  void set_delay(int milliseconds);  // between mini-batches: 0 (full speed) to 1000

  // {"running", "paused", "delay_ms", "recipe", "summary", "phase", "epoch", "examples" (done in
  // this epoch), "per_epoch", "epochs", "history": [{"epoch", "accuracy", "cost"}] (one per
  // epoch finished), "guesses": [{"label", "digit"}], "weights_version", "error", "version"}.
  nlohmann::json state() const;
  // The row of test digits guessed live: learn_guess_row images of 784 bytes, and labels.
  nlohmann::json guess_row() const;
  // The first layer's weights, one tile per neuron (up to learn_max_weight_images), as PNG; empty
  // before the first snapshot.
  std::vector<std::uint8_t> weights_png() const;
  // Waits until the state's version passes `seen` or `timeout` passes or the session closes;
  // returns the version then.
  std::uint64_t wait(std::uint64_t seen, std::chrono::milliseconds timeout) const;
  void close();  // wakes every waiter for good (server shutdown)

 private:
  void run(const LearnPlan& plan);
  void changed();  // bump the version, wake waiters (mutex held)

  std::vector<LearnPlan> plans_;
  std::mutex control_mutex_;  // start and stop, one at a time (they join the thread)
  mutable std::mutex mutex_;
  mutable std::condition_variable changed_;   // state changes, for wait()
  std::condition_variable resume_;            // pause/step/stop, for the training thread
  std::thread thread_;
  std::atomic<bool> stop_{false};
  bool closed_ = false;
  bool running_ = false;
  bool paused_ = false;
  int steps_ = 0;  // batches allowed while paused
  int delay_ms_ = 0;
  std::uint64_t version_ = 1;
  nlohmann::json snapshot_;          // what state() adds to the flags above
  std::vector<std::uint8_t> weights_png_;
  std::uint64_t weights_version_ = 0;
  nlohmann::json guess_row_;
};

}  // namespace digitnet::serve
