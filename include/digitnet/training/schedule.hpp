// Learning-rate schedules and early stopping: decided once per epoch, but for one-cycle's rate,
// which changes batch by batch.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace digitnet {

struct ScheduleSettings {
  enum class Kind {
    constant,  // eta throughout (the seeds')
    step,      // eta·factor^⌊epoch/every⌋: multiplied by `factor` every `every` epochs
    plateau,   // the book's chapter 3: halve eta whenever the validation accuracy has not
               // improved for `patience` epochs; stop once eta has fallen to eta/128
    one_cycle,  // batch by batch over the whole run: eta/10 rising to eta over its first fifth,
                // then falling to eta/100 at its end, each half a cosine (Smith & Topin 2018's
                // one-cycle, without its momentum cycle; eta_at)
  };
  Kind kind = Kind::constant;
  std::size_t every = 10;
  double factor = 0.5;
  std::size_t patience = 10;
  double stop_fraction = 1.0 / 128;
};

// "constant", "step", "plateau", "one-cycle", and back; schedule_names() lists them.
std::string_view name(ScheduleSettings::Kind kind);
std::optional<ScheduleSettings::Kind> parse_schedule(std::string_view name);
std::string schedule_names();

// Everything a Schedule remembers, for checkpoints.
struct ScheduleState {
  double eta = 0;
  std::optional<double> best_accuracy;
  std::optional<std::size_t> best_epoch;
  std::size_t since_best = 0;
  std::size_t since_change = 0;
};

// Tracks one training run: the learning rate for the next epoch, the best validation accuracy
// and whether to stop.
class Schedule {
 public:
  // early_stopping: stop when the validation accuracy has not improved for this many epochs
  // (0: never).
  Schedule(const ScheduleSettings& settings, double eta, std::size_t early_stopping = 0);

  double eta() const { return eta_; }
  // The learning rate of a batch that starts `progress` of the way through the run (the images
  // trained before it over all the run's images, from 0 to 1): eta() but for one-cycle.
  double eta_at(double progress) const;
  // Whether validation accuracies are needed to decide.
  bool needs_validation() const;

  // Records the end of epoch `epoch` (from 0) with its validation accuracy (nullopt when there
  // is none). Returns why training should stop now, or "" to go on.
  std::string after_epoch(std::size_t epoch, std::optional<double> validation_accuracy);

  // The epoch with the best validation accuracy so far, and whether it was the latest one.
  std::optional<std::size_t> best_epoch() const { return best_epoch_; }
  bool latest_was_best() const { return latest_was_best_; }

  ScheduleState state() const {
    return {eta_, best_accuracy_, best_epoch_, since_best_, since_change_};
  }
  void restore(const ScheduleState& s) {
    eta_ = s.eta;
    best_accuracy_ = s.best_accuracy;
    best_epoch_ = s.best_epoch;
    since_best_ = s.since_best;
    since_change_ = s.since_change;
  }

 private:
  ScheduleSettings settings_;
  double initial_eta_;
  double eta_;
  std::size_t early_stopping_;
  std::optional<double> best_accuracy_;
  std::optional<std::size_t> best_epoch_;
  bool latest_was_best_ = false;
  std::size_t since_best_ = 0;    // epochs without improvement, for early stopping
  std::size_t since_change_ = 0;  // the same, counted from the last halving, for plateau
};

}  // namespace digitnet
