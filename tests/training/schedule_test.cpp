// Tests of the learning-rate schedules and early stopping, against hand-computed rates.
#include "digitnet/training/schedule.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <string>

namespace digitnet {
namespace {

TEST(Schedule, PlateauHalvesAfterPatienceAndStopsAtOneOver128) {
  ScheduleSettings settings;
  settings.kind = ScheduleSettings::Kind::plateau;
  settings.patience = 2;
  Schedule schedule(settings, 1.0);
  EXPECT_EQ(schedule.after_epoch(0, 0.50), "");
  EXPECT_EQ(schedule.after_epoch(1, 0.60), "");
  EXPECT_EQ(schedule.eta(), 1.0);
  EXPECT_EQ(schedule.after_epoch(2, 0.60), "");  // 1 epoch without improvement
  EXPECT_EQ(schedule.eta(), 1.0);
  EXPECT_EQ(schedule.after_epoch(3, 0.55), "");  // 2: halve
  EXPECT_EQ(schedule.eta(), 0.5);
  EXPECT_EQ(schedule.after_epoch(4, 0.70), "");  // better: the count starts again
  EXPECT_EQ(schedule.eta(), 0.5);
  EXPECT_EQ(schedule.best_epoch(), 4u);
  // Six more halvings, each after 2 flat epochs: 0.25 ... 1/128, and there it stops.
  std::size_t epoch = 5;
  std::string stop;
  while (stop.empty() && epoch < 100) stop = schedule.after_epoch(epoch++, 0.70);
  EXPECT_EQ(epoch, 5u + 12u);
  EXPECT_DOUBLE_EQ(schedule.eta(), 1.0 / 128);
  EXPECT_NE(stop.find("1/128"), std::string::npos) << stop;
}

TEST(Schedule, StepDecayAndEarlyStopping) {
  ScheduleSettings settings;
  settings.kind = ScheduleSettings::Kind::step;
  settings.every = 2;
  settings.factor = 0.1;
  Schedule schedule(settings, 2.0, 3);
  EXPECT_EQ(schedule.after_epoch(0, 0.9), "");
  EXPECT_DOUBLE_EQ(schedule.eta(), 2.0);
  EXPECT_EQ(schedule.after_epoch(1, 0.8), "");
  EXPECT_DOUBLE_EQ(schedule.eta(), 0.2);
  EXPECT_EQ(schedule.after_epoch(2, 0.8), "");
  EXPECT_NE(schedule.after_epoch(3, 0.9), "");  // 3 epochs without beating 0.9: stop
  EXPECT_EQ(schedule.best_epoch(), 0u);
  EXPECT_TRUE(Schedule(settings, 1.0, 3).needs_validation());
  EXPECT_FALSE(Schedule(settings, 1.0, 0).needs_validation());
}

TEST(Schedule, OneCycleRisesOverTheFirstFifthThenFallsToAHundredth) {
  ScheduleSettings settings;
  settings.kind = ScheduleSettings::Kind::one_cycle;
  Schedule schedule(settings, 2.0);
  EXPECT_DOUBLE_EQ(schedule.eta_at(0.0), 0.2);   // eta/10
  EXPECT_DOUBLE_EQ(schedule.eta_at(0.1), 1.1);   // halfway up the half cosine: (0.2 + 2) / 2
  EXPECT_DOUBLE_EQ(schedule.eta_at(0.2), 2.0);   // the peak
  EXPECT_DOUBLE_EQ(schedule.eta_at(0.6), 1.01);  // halfway down: (2 + 0.02) / 2
  EXPECT_DOUBLE_EQ(schedule.eta_at(1.0), 0.02);  // eta/100
  EXPECT_DOUBLE_EQ(schedule.eta_at(1.5), 0.02);  // and there it stays
  for (double p = 0.01; p < 0.2; p += 0.01)
    EXPECT_GT(schedule.eta_at(p), schedule.eta_at(p - 0.01)) << p;
  for (double p = 0.21; p <= 1.0; p += 0.01)
    EXPECT_LT(schedule.eta_at(p), schedule.eta_at(p - 0.01)) << p;
  // Epochs change nothing but the best epoch; other kinds' rates are per epoch.
  EXPECT_EQ(schedule.after_epoch(0, std::nullopt), "");
  EXPECT_DOUBLE_EQ(schedule.eta_at(0.2), 2.0);
  EXPECT_FALSE(schedule.needs_validation());
  settings.kind = ScheduleSettings::Kind::constant;
  EXPECT_DOUBLE_EQ(Schedule(settings, 2.0).eta_at(0.5), 2.0);
}

TEST(Schedule, NamesListEveryKindAndReadBack) {
  EXPECT_EQ(schedule_names(), "constant, step, plateau, one-cycle");
  for (const auto kind : {ScheduleSettings::Kind::constant, ScheduleSettings::Kind::step,
                          ScheduleSettings::Kind::plateau, ScheduleSettings::Kind::one_cycle})
    EXPECT_EQ(parse_schedule(name(kind)), kind);
  EXPECT_EQ(parse_schedule("onecycle"), std::nullopt);
}

}  // namespace
}  // namespace digitnet
