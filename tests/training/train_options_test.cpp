// Tests of the training options' rules: the defaults pass, every value out of range is refused
// naming its field, the monitoring names set their options, the layer sizes are checked.
#include "digitnet/training/train_options.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <functional>
#include <limits>

namespace digitnet {
namespace {

TEST(TrainOptionsProblem, TheDefaultsAreAccepted) {
  EXPECT_FALSE(train_options_problem(TrainOptions{}));
  EXPECT_EQ(train_options_problem(TrainOptions{}).message(), "");
}

TEST(TrainOptionsProblem, EveryValueOutOfRangeIsRefusedNamingItsField) {
  const double nan = std::numeric_limits<double>::quiet_NaN();
  struct Case {
    std::function<void(TrainOptions&)> set;
    std::string message;
  };
  const std::vector<Case> cases = {
      {[](TrainOptions& o) { o.epochs = 0; }, "epochs 0: give a whole number from 1 to 100000"},
      {[](TrainOptions& o) { o.epochs = 100001; }, "epochs 100001: give a whole number from 1"},
      {[](TrainOptions& o) { o.mini_batch_size = 0; },
       "mini_batch_size 0: give a whole number from 1 to 1000000 (the seeds use 10)"},
      {[](TrainOptions& o) { o.eta = 0; }, "eta 0: give a number with 0 < value <= 1000000"},
      {[](TrainOptions& o) { o.eta = -1; }, "eta -1: "},
      {[](TrainOptions& o) { o.eta = std::numeric_limits<float>::infinity(); }, "eta inf: "},
      {[](TrainOptions& o) { o.threads = -1; }, "threads -1: give a whole number from 0 to 1024 (0 for all cores)"},
      {[](TrainOptions& o) { o.threads = 1025; }, "threads 1025: "},
      {[](TrainOptions& o) { o.lambda = -5; }, "lambda -5: give a number with 0 <= value <= 1000000"},
      {[&](TrainOptions& o) { o.lambda = nan; }, "lambda nan: "},
      {[](TrainOptions& o) { o.dropout = 1; },
       "dropout 1: give a number with 0 <= value < 1 (the probability of dropping a hidden "
       "neuron; 0.5 is classic)"},
      {[](TrainOptions& o) { o.dropout = -0.1; }, "dropout -0.1: "},
      {[](TrainOptions& o) { o.optimizer.momentum = 1; }, "momentum 1: give a number with 0 <= value < 1"},
      {[](TrainOptions& o) { o.optimizer.beta1 = 1; }, "beta1 1: give a number with 0 <= value < 1 (Adam: 0.9)"},
      {[](TrainOptions& o) { o.optimizer.beta2 = 1.5; }, "beta2 1.5: "},
      {[](TrainOptions& o) { o.optimizer.epsilon = 0; }, "epsilon 0: give a number with 1e-30 <= value <= 1"},
      {[](TrainOptions& o) { o.schedule.factor = 0; }, "step_factor 0: give a number with 0 < value <= 1"},
      {[](TrainOptions& o) { o.schedule.factor = 2; }, "step_factor 2: "},
      {[](TrainOptions& o) { o.schedule.every = 0; }, "step_every 0: give a whole number from 1"},
      {[](TrainOptions& o) { o.schedule.patience = 0; }, "patience 0: give a whole number from 1"},
  };
  for (const Case& c : cases) {
    TrainOptions options;
    c.set(options);
    const OptionProblem problem = train_options_problem(options);
    EXPECT_TRUE(problem) << c.message;
    EXPECT_EQ(problem.message().rfind(c.message, 0), 0u)
        << "expected a message starting \"" << c.message << "\", got: " << problem.message();
  }
}

TEST(OptionRange, TextIsReadStrictlyAndRefusedWithTheTextAsTyped) {
  const OptionRange& epochs = train_option_range("epochs");
  double value = 0;
  EXPECT_FALSE(parse_option_value("30", epochs, &value));
  EXPECT_EQ(value, 30);
  for (const char* bad : {"-1", "0", "+3", "3.0", "1e3", "0x10", " 7", "7 ", "", "ten",
                          "99999999999999999999", "100001"}) {
    const OptionProblem problem = parse_option_value(bad, epochs, &value);
    EXPECT_EQ(problem.option, "epochs") << bad;
    EXPECT_EQ(problem.value, bad);
    EXPECT_NE(problem.advice.find("a whole number from 1 to 100000"), std::string::npos) << bad;
  }
  const OptionRange& dropout = train_option_range("dropout");
  EXPECT_FALSE(parse_option_value("0.5", dropout, &value));
  EXPECT_EQ(value, 0.5);
  for (const char* bad : {"1", "-0.1", "nan", "inf", "1e999", "0.5x", ".5.", ""})
    EXPECT_TRUE(parse_option_value(bad, dropout, &value)) << bad;
}

TEST(TrainOptionsProblem, TheEdgesOfEachRangeAreAccepted) {
  TrainOptions options;
  options.epochs = 1;
  options.mini_batch_size = 1;
  options.threads = 1024;
  options.lambda = 0;
  options.dropout = 0.999;
  options.optimizer.momentum = 0;
  options.optimizer.epsilon = 1;
  options.schedule.factor = 1;
  options.schedule.every = 1;
  options.schedule.patience = 1;
  EXPECT_EQ(train_options_problem(options).message(), "");
}

TEST(ApplyMonitor, EachNameSetsItsOption) {
  TrainOptions options;
  const std::vector<std::string> names(monitor_names.begin(), monitor_names.end());
  const OptionProblem problem = apply_monitor(options, names);
  EXPECT_FALSE(problem);
  EXPECT_TRUE(options.monitor_training_cost);
  EXPECT_TRUE(options.monitor_training_accuracy);
  EXPECT_TRUE(options.monitor_validation_cost);
  EXPECT_TRUE(options.monitor_validation_accuracy);
  EXPECT_EQ(options.gradient_norm_images, monitor_gradient_images);
}

TEST(ApplyMonitor, AnUnknownNameIsRefusedWithTheChoices) {
  TrainOptions options;
  const std::vector<std::string> names = {"training-cost", "everything"};
  const OptionProblem problem = apply_monitor(options, names);
  EXPECT_EQ(problem.option, "monitor");
  EXPECT_EQ(problem.message().rfind("monitor everything: unknown; choose from "
                                    "training-cost, training-accuracy",
                                    0),
            0u)
      << problem.message();
}

TEST(WantsValidation, WhenTheOptionsNeedItOrTheMonitoringAsks) {
  TrainOptions options;
  EXPECT_FALSE(wants_validation(options));
  TrainOptions accuracy;
  accuracy.monitor_validation_accuracy = true;
  EXPECT_TRUE(wants_validation(accuracy));
  options.monitor_validation_cost = true;
  EXPECT_TRUE(wants_validation(options));
  TrainOptions best;
  best.keep_best = true;
  EXPECT_TRUE(wants_validation(best));
  TrainOptions plateau;
  plateau.schedule.kind = ScheduleSettings::Kind::plateau;
  EXPECT_TRUE(wants_validation(plateau));
}

TEST(ClassifierProblem, TheLayersMustFitTheImagesAndGiveTenDigits) {
  std::string problem;
  Architecture arch;
  arch.input = {1, 28, 28};
  arch.layers = parse_layer_list("dense:30,dense:10", Activation::sigmoid, Activation::sigmoid,
                                 &problem);
  EXPECT_FALSE(classifier_problem(arch, {1, 28, 28}));
  EXPECT_FALSE(classifier_problem(Architecture::seeds({784, 30, 10}), {1, 28, 28}));
  EXPECT_NE(classifier_problem(arch, {1, 8, 8}).message().find("the images' 1x8x8"),
            std::string::npos);
  arch.layers.back().numbers = {9};
  EXPECT_NE(classifier_problem(arch, {1, 28, 28}).message().find("10 outputs"), std::string::npos);
  arch.layers.front().numbers = {0};
  EXPECT_NE(classifier_problem(arch, {1, 28, 28}).message().find("layer 1"), std::string::npos);
}

TEST(ImpliedRegularization, IsL2OnlyWhenLambdaIsGiven) {
  EXPECT_EQ(implied_regularization(0), Regularization::Kind::none);
  EXPECT_EQ(implied_regularization(5), Regularization::Kind::l2);
}

TEST(LayerSizesProblem, AcceptsTheSeedsSizes) {
  EXPECT_FALSE(layer_sizes_problem({784, 30, 10}));
  EXPECT_FALSE(layer_sizes_problem({784, 30, 10}, 784));
  EXPECT_FALSE(layer_sizes_problem({2, 10}));
}

TEST(LayerSizesProblem, RefusesBadSizesNamingThem) {
  const std::vector<std::pair<std::vector<std::size_t>, std::string>> cases = {
      {{784}, "sizes 784: give at least two layer sizes"},
      {{}, "sizes: give at least two layer sizes"},
      {{784, 0, 10}, "sizes 784,0,10: every layer size must be 1 to "},
      {{784, 30, 9}, "sizes 784,30,9: the last size must be 10, one output per digit"},
  };
  for (const auto& [sizes, message] : cases)
    EXPECT_EQ(layer_sizes_problem(sizes).message().rfind(message, 0), 0u)
        << layer_sizes_problem(sizes).message();
  EXPECT_EQ(layer_sizes_problem({100, 30, 10}, 784).message(),
            "sizes 100,30,10: the first size must be the image size, 784");
}

}  // namespace
}  // namespace digitnet
