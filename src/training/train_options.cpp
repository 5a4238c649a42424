// The ranges of the training options and the names of the monitoring.
#include "digitnet/training/train_options.hpp"

#include <cmath>
#include <sstream>

#include "digitnet/data/dataset.hpp"
#include "digitnet/files/model_file.hpp"

namespace digitnet {
namespace {

std::string number(double value) { return (std::ostringstream() << value).str(); }

std::string join(const std::vector<std::size_t>& sizes) {
  std::string text;
  for (std::size_t size : sizes) text += (text.empty() ? "" : ",") + std::to_string(size);
  return text;
}

// `value` in [low, high], or in [low, high) when !high_included.
bool in_range(double value, double low, double high, bool high_included) {
  return std::isfinite(value) && value >= low && value <= high && (high_included || value != high);
}

}  // namespace

OptionProblem train_options_problem(const TrainOptions& o) {
  if (o.epochs < 1) return {"epochs", std::to_string(o.epochs), "train for at least 1 epoch"};
  if (o.mini_batch_size < 1)
    return {"mini_batch_size", std::to_string(o.mini_batch_size),
            "the mini-batch size must be at least 1 (the seeds use 10)"};
  if (!(o.eta > 0) || !std::isfinite(o.eta))
    return {"eta", number(o.eta),
            "the learning rate must be a positive number (the seeds use 3.0)"};
  if (o.threads < 0 || o.threads > 1024)
    return {"threads", std::to_string(o.threads),
            "give 0 (all cores) or a number of threads from 1 to 1024"};
  struct Range {
    const char* option;
    double value, low, high;
    bool high_included;
    const char* advice;
  };
  const Range ranges[] = {
      {"lambda", o.lambda, 0, 1e6, true, "give a penalty λ >= 0 (the book uses 5.0)"},
      {"dropout", o.dropout, 0, 1, false,
       "give a probability of dropping a hidden neuron, 0 <= p < 1 (0.5 is classic)"},
      {"momentum", o.optimizer.momentum, 0, 1, false,
       "give a momentum coefficient 0 <= μ < 1 (0.9 is usual)"},
      {"beta1", o.optimizer.beta1, 0, 1, false, "give 0 <= β1 < 1 (Adam: 0.9)"},
      {"beta2", o.optimizer.beta2, 0, 1, false, "give 0 <= β2 < 1 (Adam: 0.999)"},
      {"epsilon", o.optimizer.epsilon, 1e-30, 1, true, "give a small positive ε (Adam: 1e-8)"},
      {"step_factor", o.schedule.factor, 0, 1, true,
       "give the factor eta is multiplied by, 0 < factor <= 1 (e.g. 0.5)"},
  };
  for (const Range& r : ranges)
    if (!in_range(r.value, r.low, r.high, r.high_included))
      return {r.option, number(r.value), r.advice};
  if (o.schedule.factor == 0)
    return {"step_factor", "0", "give the factor eta is multiplied by, 0 < factor <= 1 (e.g. 0.5)"};
  if (o.schedule.every < 1) return {"step_every", "0", "give at least 1 epoch"};
  if (o.schedule.patience < 1) return {"patience", "0", "give at least 1 epoch"};
  return {};
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
