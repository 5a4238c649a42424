// The ranges of the training options and the names of the monitoring.
#include "digitnet/training/train_options.hpp"

#include <cassert>
#include <cmath>
#include <sstream>

#include "digitnet/data/dataset.hpp"
#include "digitnet/files/model_file.hpp"

namespace digitnet {
namespace {


std::string join(const std::vector<std::size_t>& sizes) {
  std::string text;
  for (std::size_t size : sizes) {
    if (!text.empty()) text += ',';
    text += std::to_string(size);
  }
  return text;
}

}  // namespace

std::span<const OptionRange> train_option_ranges() {
  // option, whole, low, high, low included, high included, hint
  static constexpr OptionRange ranges[] = {
      {"epochs", true, 1, 100000, true, true, "passes over the training data; the seeds use 30"},
      {"mini_batch_size", true, 1, 1000000, true, true, "the seeds use 10"},
      {"eta", false, 0, 1e6, false, true, "the learning rate; the seeds use 3.0"},
      {"seed", true, 0, 9007199254740992.0, true, true, "any whole number up to 2^53"},
      {"threads", true, 0, 1024, true, true, "0 for all cores"},
      {"lambda", false, 0, 1e6, true, true, "the penalty; the book uses 5.0"},
      {"dropout", false, 0, 1, true, false,
       "the probability of dropping a hidden neuron; 0.5 is classic"},
      {"momentum", false, 0, 1, true, false, "0.9 is usual"},
      {"beta1", false, 0, 1, true, false, "Adam: 0.9"},
      {"beta2", false, 0, 1, true, false, "Adam: 0.999"},
      {"epsilon", false, 1e-30, 1, true, true, "Adam: 1e-8"},
      {"step_factor", false, 0, 1, false, true, "the factor eta is multiplied by, e.g. 0.5"},
      {"step_every", true, 1, 100000, true, true, "epochs"},
      {"patience", true, 1, 100000, true, true, "epochs"},
      {"early_stopping", true, 0, 100000, true, true, "epochs; 0 for off"},
      {"train_size", true, 1, 1e9, true, true, "images; leave it out for all"},
      {"test_size", true, 1, 1e9, true, true, "images; leave it out for all"},
      {"validation_size", true, 0, 1e9, true, true, "images set aside from training; 0 for none"},
      {"sizes", true, 1, model_max_layer_size, true, true, "neurons in a layer"},
      {"digits", true, 0, 9, true, true, "a digit"},
  };
  return ranges;
}

const OptionRange& train_option_range(std::string_view option) {
  for (const OptionRange& range : train_option_ranges())
    if (range.option == option) return range;
  assert(false && "no such option");
  return train_option_ranges().front();
}

OptionProblem train_options_problem(const TrainOptions& o) {
  const std::pair<const char*, double> values[] = {
      {"epochs", static_cast<double>(o.epochs)},
      {"mini_batch_size", static_cast<double>(o.mini_batch_size)},
      {"eta", o.eta},
      {"seed", static_cast<double>(o.seed)},
      {"threads", o.threads},
      {"lambda", o.lambda},
      {"dropout", o.dropout},
      {"momentum", o.optimizer.momentum},
      {"beta1", o.optimizer.beta1},
      {"beta2", o.optimizer.beta2},
      {"epsilon", o.optimizer.epsilon},
      {"step_factor", o.schedule.factor},
      {"step_every", static_cast<double>(o.schedule.every)},
      {"patience", static_cast<double>(o.schedule.patience)},
      {"early_stopping", static_cast<double>(o.early_stopping)},
  };
  for (const auto& [option, value] : values)
    if (OptionProblem problem = check_option_value(value, train_option_range(option)))
      return problem;
  return first_distort_problem(o.distort);
}

OptionProblem apply_monitor(TrainOptions& options, std::span<const std::string> names) {
  for (const std::string& item : names) {
    if (item == "training-cost") {
      options.monitor_training_cost = true;
    } else if (item == "training-accuracy") {
      options.monitor_training_accuracy = true;
    } else if (item == "validation-cost") {
      options.monitor_validation_cost = true;
    } else if (item == "validation-accuracy") {
      options.monitor_validation_accuracy = true;
    } else if (item == "gradients") {
      options.gradient_norm_images = monitor_gradient_images;
    } else {
      std::string choices;
      for (std::string_view name : monitor_names)
        choices += (choices.empty() ? "" : ", ") + std::string(name);
      return {"monitor", item, "unknown; choose from " + choices};
    }
  }
  return {};
}

bool wants_validation(const TrainOptions& options) {
  return needs_validation(options) || options.monitor_validation_cost ||
         options.monitor_validation_accuracy;
}

OptionProblem classifier_problem(const Architecture& arch, Shape image) {
  const std::string layers = to_string(arch.layers);
  if (const std::string problem = architecture_problem(arch); !problem.empty())
    return {"layers", layers, problem};
  if (arch.input.size() != image.size())
    return {"layers", layers,
            "the input must be the images' " + to_string(image) + ", not " + to_string(arch.input)};
  if (arch.sizes().back() != digit_classes)
    return {"layers", layers,
            "the last layer must have " + std::to_string(digit_classes) +
                " outputs, one per digit, not " + std::to_string(arch.sizes().back())};
  return {};
}

Regularization::Kind implied_regularization(double lambda) {
  return lambda > 0 ? Regularization::Kind::l2 : Regularization::Kind::none;
}

OptionProblem layer_sizes_problem(const std::vector<std::size_t>& sizes, std::size_t image_size) {
  if (sizes.size() < 2)
    return {"sizes", join(sizes), "give at least two layer sizes, input to output, e.g. 784,30,10"};
  for (std::size_t size : sizes)
    if (size < 1 || size > model_max_layer_size)
      return {"sizes", join(sizes),
              "every layer size must be 1 to " + std::to_string(model_max_layer_size)};
  if (sizes.back() != digit_classes)
    return {"sizes", join(sizes),
            "the last size must be " + std::to_string(digit_classes) + ", one output per digit"};
  if (image_size != 0 && sizes.front() != image_size)
    return {"sizes", join(sizes),
            "the first size must be the image size, " + std::to_string(image_size)};
  return {};
}

}  // namespace digitnet
