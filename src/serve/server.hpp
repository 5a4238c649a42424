// digitnet's HTTP server (`digitnet serve`): the drawing page, the learning page and the JSON
// API (docs/api.md), on cpp-httplib (Debian's libcpp-httplib-dev; docs/design.md says why).
// Every answer comes from the library (Predictor, LearnSession); this file maps requests to it,
// enforces the limits, and turns errors into JSON with a 4xx status.
#pragma once

#include <csignal>
#include <functional>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "digitnet/data/dataset.hpp"
#include "digitnet/inference/evaluation.hpp"
#include "digitnet/network/network.hpp"
#include "serve/learn_session.hpp"

namespace digitnet::serve {

struct ServeOptions {
  std::string host = "127.0.0.1";
  int port = 8080;                  // 0: any free port (tests)
  std::size_t workers = 64;         // threads, each serving one connection at a time
  std::size_t max_body = 1 << 20;   // bytes; larger bodies get 413
  int timeout_seconds = 5;          // to read a request, to write an answer, keep-alive idle
  std::size_t max_event_streams = 8;  // /api/learn/events at once; more get 503
  double min_confidence = default_min_confidence;
};

// The model(s) answering predictions, with what GET /api/model says of them.
struct ServedModel {
  std::vector<Network> models;     // several: one ensemble (their probabilities averaged)
  std::vector<std::string> names;  // their files' names
  std::string recipe;              // the recipe that trained them, "" when not known
};

class DigitServer {
 public:
  // `test`: the test set, for the page's random digits and most confident mistakes and the
  // model's accuracy (measured here, once); may be empty. `learn` may be null (no /learn runs).
  DigitServer(ServedModel model, Dataset test, LearnSession* learn, ServeOptions options);
  ~DigitServer();
  DigitServer(const DigitServer&) = delete;
  DigitServer& operator=(const DigitServer&) = delete;

  // Binds options.host:options.port; returns the port. Throws digitnet::Error when it cannot.
  int bind();
  // Serves until stop(); requests in flight finish first. Call bind() before.
  void serve();
  // From any thread (a signal watcher, a test): stops serving.
  void stop();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// Blocks SIGINT and SIGTERM in the calling thread (and so in the threads it starts afterwards)
// and waits for them on a thread of its own, calling `on_signal` there for each one. The
// destructor restores the mask. Construct it before any other thread starts.
class SignalWatcher {
 public:
  explicit SignalWatcher(std::function<void(int)> on_signal);
  ~SignalWatcher();
  SignalWatcher(const SignalWatcher&) = delete;
  SignalWatcher& operator=(const SignalWatcher&) = delete;

 private:
  sigset_t old_mask_{};
  std::atomic<bool> done_{false};
  std::thread thread_;
};

}  // namespace digitnet::serve
