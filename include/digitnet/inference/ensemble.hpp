// Several models read as one (network3.py's chapter 6 ensemble of five networks): each image's
// probabilities (output_probabilities, evaluation.hpp) averaged over the models, the digit the
// largest mean (the first one, on a tie). Models trained with other seeds make other mistakes,
// so the mean of their beliefs is right more often than any one of them.
#pragma once

#include <array>
#include <span>
#include <string>
#include <vector>

#include "digitnet/data/dataset.hpp"
#include "digitnet/inference/evaluation.hpp"
#include "digitnet/network/network.hpp"

namespace digitnet {

// Why these models cannot be read together, or "": at least one, each with 10 outputs and the
// same number of inputs as the first (the message names the model by its place, 1-based).
std::string ensemble_problem(std::span<const Network> models);

// Each image's ten probabilities by one model, in the order of `data`.
// Requires: net.input_size() == data.image_size(), net.output_size() == 10.
std::vector<std::array<double, digit_classes>> probabilities_all(const Network& net,
                                                                 const Dataset& data,
                                                                 int threads = 1);

// The mean of several readings of one image: outputs, probabilities and `none` averaged, the
// digit and the second from the mean probabilities; calibrated only when every one is.
// Requires: at least one reading.
Reading average_readings(std::span<const Reading> readings);
// The readings read(0) .. read(models - 1) of one image, averaged; one model: its own reading,
// untouched. Requires models >= 1.
template <typename Read>
Reading read_each(std::size_t models, Read&& read) {
  if (models == 1) return read(std::size_t{0});
  std::vector<Reading> readings;
  for (std::size_t k = 0; k < models; ++k) readings.push_back(read(k));
  return average_readings(readings);
}

// Every image's answer by the models together: the digit and its mean probability. One model
// gives predict_all(net, data)'s answers.
// Requires: ensemble_problem(models) is empty and the models read data's images.
std::vector<Prediction> predict_all(std::span<const Network> models, const Dataset& data,
                                    int threads = 1);

// How many images the models together classify correctly. One model: evaluate(net, data).
std::size_t evaluate(std::span<const Network> models, const Dataset& data, int threads = 1);

}  // namespace digitnet
