// Learning-rate schedules and early stopping.
#include "digitnet/training/schedule.hpp"

#include <algorithm>
#include <cmath>

#include "core/name_table.hpp"

namespace digitnet {
namespace {

using Kind = ScheduleSettings::Kind;

constexpr NameTable<Kind, 4> schedule_table = {{
    {Kind::constant, "constant"},
    {Kind::step, "step"},
    {Kind::plateau, "plateau"},
    {Kind::one_cycle, "one-cycle"},
}};

// One-cycle's shape, as fractions of the run and of eta.
constexpr double cycle_warmup = 0.2;
constexpr double cycle_start = 0.1;
constexpr double cycle_end = 0.01;

// From `from` at t = 0 to `to` at t = 1 along half a cosine.
double half_cosine(double from, double to, double t) {
  constexpr double pi = 3.14159265358979323846;
  return to + (from - to) * (1 + std::cos(pi * t)) / 2;
}

std::string format_eta(double eta) {
  char text[32];
  std::snprintf(text, sizeof text, "%g", eta);
  return text;
}

}  // namespace

std::string_view name(Kind kind) { return name_in(schedule_table, kind); }
std::optional<Kind> parse_schedule(std::string_view text) { return parse_in(schedule_table, text); }

std::string schedule_names() {
  std::string names;
  for (const auto& [kind, text] : schedule_table)
    names += (names.empty() ? "" : ", ") + std::string(text);
  return names;
}

Schedule::Schedule(const ScheduleSettings& settings, double eta, std::size_t early_stopping)
    : settings_(settings), initial_eta_(eta), eta_(eta), early_stopping_(early_stopping) {}

bool Schedule::needs_validation() const {
  return settings_.kind == Kind::plateau || early_stopping_ > 0;
}

double Schedule::eta_at(double progress) const {
  if (settings_.kind != Kind::one_cycle) return eta_;
  if (progress < cycle_warmup)
    return initial_eta_ * half_cosine(cycle_start, 1, progress / cycle_warmup);
  return initial_eta_ *
         half_cosine(1, cycle_end, std::min(1.0, (progress - cycle_warmup) / (1 - cycle_warmup)));
}

std::string Schedule::after_epoch(std::size_t epoch, std::optional<double> validation_accuracy) {
  latest_was_best_ = false;
  if (validation_accuracy) {
    if (!best_accuracy_ || *validation_accuracy > *best_accuracy_) {
      best_accuracy_ = validation_accuracy;
      best_epoch_ = epoch;
      latest_was_best_ = true;
      since_best_ = 0;
      since_change_ = 0;
    } else {
      ++since_best_;
      ++since_change_;
    }
  }
  switch (settings_.kind) {
    case Kind::constant:
    case Kind::one_cycle:  // eta_at
      break;
    case Kind::step:
      eta_ = initial_eta_ *
             std::pow(settings_.factor, static_cast<double>((epoch + 1) / settings_.every));
      break;
    case Kind::plateau:
      if (since_change_ >= settings_.patience) {
        eta_ /= 2;
        since_change_ = 0;
        // A small tolerance: eta/128 reached by seven exact halvings.
        if (eta_ <= initial_eta_ * settings_.stop_fraction * (1 + 1e-12))
          return "the learning rate fell to " + format_eta(eta_) + " (1/" +
                 format_eta(1 / settings_.stop_fraction) + " of the initial " +
                 format_eta(initial_eta_) + ") after no improvement in validation accuracy";
      }
      break;
  }
  if (early_stopping_ > 0 && since_best_ >= early_stopping_)
    return "early stopping: no improvement in validation accuracy for " +
           std::to_string(since_best_) + " epochs (best at epoch " +
           std::to_string(*best_epoch_) + ")";
  return "";
}

}  // namespace digitnet
