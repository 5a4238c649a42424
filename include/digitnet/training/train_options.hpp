// The rules a training request must follow, checked before any work so that a bad value fails at
// once: each option's range, the monitoring asked for by name, the layer sizes. Every front end
// (the CLI, the Python module) calls these and only translates: a problem (option_problem.hpp)
// names the option by its TrainOptions field ("mini_batch_size", "dropout", "step_factor"),
// which each front end spells its own way ("--batch", batch=).
#pragma once

#include <array>
#include <cstddef>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "digitnet/core/option_problem.hpp"
#include "digitnet/core/option_range.hpp"
#include "digitnet/training/regularization.hpp"
#include "digitnet/training/trainer.hpp"

namespace digitnet {

// The first option of `options` outside its range, or none. Checked: epochs >= 1,
// mini_batch_size >= 1, eta > 0, threads 0 (all cores) to 1024, lambda 0 to 1e6, dropout,
// momentum, beta1 and beta2 in [0, 1), epsilon in [1e-30, 1], step_factor in (0, 1],
// step_every >= 1 and patience >= 1 (the field names of the nested settings: schedule.every is
// "step_every", optimizer.momentum "momentum"). A NaN is out of every range.
OptionProblem train_options_problem(const TrainOptions& options);
// The numeric options' ranges (train_options_problem checks them; a front end reads text with
// parse_option_value against them): TrainOptions' fields by name, and the data preparation's
// train_size, test_size and validation_size.
std::span<const OptionRange> train_option_ranges();
// The range of one of them. Requires: a name of train_option_ranges().
const OptionRange& train_option_range(std::string_view option);

// Monitoring by name, as network2.py's monitor_* flags; "gradients" measures the per-layer
// gradient norms over monitor_gradient_images images (the book's chapter 5 uses 1,000).
inline constexpr std::array<std::string_view, 5> monitor_names = {
    "training-cost", "training-accuracy", "validation-cost", "validation-accuracy", "gradients"};
inline constexpr std::size_t monitor_gradient_images = 1000;

// Sets in `options` the monitoring that `names` ask for (each one of monitor_names). Stops at the
// first unknown name and returns it as the problem (option "monitor").
OptionProblem apply_monitor(TrainOptions& options, std::span<const std::string> names);

// Whether training should be given validation data: the options need it (needs_validation:
// the schedule, early stopping, keep_best), or the monitoring asks for its cost or accuracy.
bool wants_validation(const TrainOptions& options);

// The penalty meant when λ is given without naming one: L2 (network2.py's) when λ > 0, else none.
Regularization::Kind implied_regularization(double lambda);

// The first problem with a dense network's sizes (input to output), option "sizes": at least
// two, each 1 to model_max_layer_size (what a model file holds), the last digit_classes (one
// output per digit), and, when `image_size` is not 0, the first equal to it.
OptionProblem layer_sizes_problem(const std::vector<std::size_t>& sizes,
                                  std::size_t image_size = 0);
// The first problem with a network for images of shape `image` (option "layers", the value the
// layer list): architecture_problem, the input the image's size, and digit_classes outputs.
OptionProblem classifier_problem(const Architecture& arch, Shape image);

}  // namespace digitnet
