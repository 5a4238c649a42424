#include "serve/learn_session.hpp"

#include <algorithm>

#include "digitnet/inference/evaluation.hpp"
#include "digitnet/pictures/image_file.hpp"
#include "digitnet/pictures/weight_picture.hpp"
#include "serve/predict_body.hpp"

namespace digitnet::serve {
namespace {

// How often the page's pictures (weights, guesses) are taken while training runs at full speed.
constexpr auto snapshot_every = std::chrono::milliseconds(250);

}  // namespace

LearnSession::LearnSession(std::vector<LearnPlan> plans) : plans_(std::move(plans)) {}

LearnSession::~LearnSession() {
  close();
  stop();
}

void LearnSession::changed() {
  ++version_;
  changed_.notify_all();
}

void LearnSession::start(const std::string& recipe) {
  const auto plan = std::find_if(plans_.begin(), plans_.end(),
                                 [&](const LearnPlan& p) { return p.recipe == recipe; });
  if (plan == plans_.end())
    throw BadRequest(404, "recipe " + recipe.substr(0, 40) + ": not one the learning page offers; "
                          "GET /api/learn/recipes lists them");
  std::lock_guard control(control_mutex_);
  std::unique_lock lock(mutex_);
  if (running_) throw BadRequest(409, "a training run is going; stop it first (one at a time)");
  if (thread_.joinable()) {  // a run that ended by itself: free it before the next
    lock.unlock();
    thread_.join();
    lock.lock();
  }
  running_ = true;
  paused_ = false;
  steps_ = 0;
  stop_ = false;
  snapshot_ = {{"recipe", plan->recipe}, {"summary", plan->summary}, {"epoch", 0},
               {"examples", 0}, {"per_epoch", 0}, {"epochs", plan->options.epochs},
               {"history", nlohmann::json::array()},
               {"guesses", nlohmann::json::array()}, {"phase", "loading the data"}};
  weights_png_.clear();
  guess_row_ = nullptr;
  changed();
  thread_ = std::thread([this, plan = &*plan] { run(*plan); });
}

void LearnSession::stop() {
  std::lock_guard control(control_mutex_);
  {
    std::lock_guard lock(mutex_);
    stop_ = true;
    resume_.notify_all();
  }
  if (thread_.joinable()) thread_.join();
  std::lock_guard lock(mutex_);
  if (running_) running_ = false;
  changed();
}

void LearnSession::pause(bool paused) {
  std::lock_guard lock(mutex_);
  paused_ = paused;
  steps_ = 0;
  resume_.notify_all();
  changed();
}

void LearnSession::step() {
  std::lock_guard lock(mutex_);
  paused_ = true;
  ++steps_;
  resume_.notify_all();
}

void LearnSession::set_delay(int milliseconds) {
  std::lock_guard lock(mutex_);
  delay_ms_ = std::clamp(milliseconds, 0, 1000);
  resume_.notify_all();
  changed();
}

nlohmann::json LearnSession::state() const {
  std::lock_guard lock(mutex_);
  nlohmann::json j = snapshot_.is_object() ? snapshot_ : nlohmann::json::object();
  j["running"] = running_;
  j["paused"] = paused_;
  j["delay_ms"] = delay_ms_;
  j["weights_version"] = weights_version_;
  j["version"] = version_;
  return j;
}

nlohmann::json LearnSession::guess_row() const {
  std::lock_guard lock(mutex_);
  return guess_row_;
}

std::vector<std::uint8_t> LearnSession::weights_png() const {
  std::lock_guard lock(mutex_);
  return weights_png_;
}

std::uint64_t LearnSession::wait(std::uint64_t seen, std::chrono::milliseconds timeout) const {
  std::unique_lock lock(mutex_);
  changed_.wait_for(lock, timeout, [&] { return version_ > seen || closed_; });
  return version_;
}

void LearnSession::close() {
  std::lock_guard lock(mutex_);
  closed_ = true;
  changed();
}

void LearnSession::run(const LearnPlan& plan) {
  const auto fail = [&](const std::string& message) {
    std::lock_guard lock(mutex_);
    snapshot_["error"] = message;
    running_ = false;
    changed();
  };
  try {
    const MnistSplit data = plan.load();
    Network net(plan.arch, plan.options.seed, plan.init);
    const std::size_t row = std::min(learn_guess_row, data.test.size());
    {
      std::lock_guard lock(mutex_);
      nlohmann::json images = nlohmann::json::array();
      for (std::size_t i = 0; i < row; ++i) {
        const auto image = data.test.image(i);
        images.push_back({{"label", data.test.labels[i]},
                          {"pixels", std::vector<int>(image.begin(), image.end())}});
      }
      guess_row_ = images;
      snapshot_["per_epoch"] = data.training.size();
      snapshot_["phase"] = "training";
      changed();
    }
    const bool pictures = weight_picture_problem(net).empty();
    auto last_snapshot = std::chrono::steady_clock::now() - snapshot_every;
    // The pictures and guesses of the network as it is now (the training thread's own: the
    // weights change only between batches, here).
    const auto take_snapshot = [&](std::size_t epoch, std::size_t done) {
      std::vector<std::uint8_t> png;
      if (pictures) png = encode_png(weight_picture(net, learn_max_weight_images, 8, 2));
      nlohmann::json guesses = nlohmann::json::array();
      for (std::size_t i = 0; i < row; ++i)
        guesses.push_back({{"label", data.test.labels[i]},
                           {"digit", read_digit(net, data.test.image(i)).digit}});
      std::lock_guard lock(mutex_);
      weights_png_ = std::move(png);
      ++weights_version_;
      snapshot_["guesses"] = guesses;
      snapshot_["epoch"] = epoch;
      snapshot_["examples"] = done;
      changed();
    };
    take_snapshot(0, 0);
    const auto on_epoch = [&](const EpochResult& r) {
      std::lock_guard lock(mutex_);
      nlohmann::json point = {{"epoch", r.epoch}, {"cost", r.training_cost}};
      if (r.correct) point["accuracy"] = static_cast<double>(*r.correct) / static_cast<double>(r.total);
      snapshot_["history"].push_back(point);
      changed();
    };
    const auto on_progress = [&](std::size_t epoch, std::size_t done, std::size_t total) {
      (void)total;
      std::unique_lock lock(mutex_);
      const bool stepping = paused_;
      if (paused_) {
        // One batch per step: wait for the next one (or resume, or stop).
        lock.unlock();
        take_snapshot(epoch, done);
        lock.lock();
        resume_.wait(lock, [&] { return stop_ || !paused_ || steps_ > 0; });
        if (steps_ > 0) --steps_;
      } else if (delay_ms_ > 0) {
        resume_.wait_for(lock, std::chrono::milliseconds(delay_ms_), [&] { return stop_.load(); });
      }
      lock.unlock();
      const auto now = std::chrono::steady_clock::now();
      if (!stepping && now - last_snapshot >= snapshot_every) {
        last_snapshot = now;
        take_snapshot(epoch, done);
      }
    };
    TrainControl control;
    control.stop = &stop_;
    EvaluationData evaluation;
    evaluation.validation = plan.use_validation ? &data.validation : nullptr;
    evaluation.test = &data.test;
    const TrainReport report = train(net, data.training, plan.options, evaluation, on_epoch,
                                     on_progress, control);
    take_snapshot(report.epochs.empty() ? 0 : report.epochs.back().epoch + 1, 0);
    std::lock_guard lock(mutex_);
    snapshot_["phase"] = report.stop_reason == "interrupted" ? "stopped" : "finished";
    running_ = false;
    changed();
  } catch (const std::exception& e) {
    fail(e.what());
  }
}

}  // namespace digitnet::serve
