// Using a trained network: predicting digits and counting correct answers (the seeds' evaluate).
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "digitnet/data/dataset.hpp"
#include "digitnet/network/network.hpp"

namespace digitnet {

// The network's 10 outputs for one image (image_size bytes, 0-255).
// Requires: net.input_size() == image.size(), net.output_size() == 10.
std::array<float, digit_classes> outputs(const Network& net, std::span<const std::uint8_t> image);

// The digit for one image: the index of the largest output (the first one, on a tie).
int predict(const Network& net, std::span<const std::uint8_t> image);

// The outputs made probabilities, by what the output layer's activation means:
//  - softmax: as they are (they sum to 1);
//  - sigmoid: each output a_j is the network's probability that the image is digit j, on its
//    own (trained against one-hot targets, ten yes/no answers). Taken as independent, the
//    chance that exactly digit j is meant is a_j·Π_{k≠j}(1 − a_k), and that none is,
//    Π_k(1 − a_k); normalised over those eleven cases, P(j) = odds_j / (1 + Σ_k odds_k), with
//    odds = a/(1 − a), and the rest, 1/(1 + Σ odds), is no digit at all (`none`). So ten small
//    outputs say "unsure" instead of being shared out as if one of them had to be right;
//  - any other (tanh, ReLU, identity outputs): no probabilities; the non-negative outputs are
//    shared out, max(0, a_j) / Σ max(0, a_k) (0.1 each when none is positive), and
//    `calibrated` is false.
// The largest probability is always the largest output's. Requires outputs.size() == 10.
struct Probabilities {
  std::array<double, digit_classes> digits{};
  double none = 0;          // sigmoid outputs: the chance that the image is no digit
  bool calibrated = true;   // false: shares of raw outputs, not probabilities
};
Probabilities output_probabilities(std::span<const float> outputs, Activation output);

// How sure a reading must be, by default, for predict to give one digit without "not sure".
inline constexpr double default_min_confidence = 0.5;

// The network's reading of one image, from one forward pass: the outputs, the digit (as
// predict) and the outputs as probabilities (output_probabilities).
struct Reading {
  int digit = 0;
  int second = 0;  // the next most likely digit
  std::array<float, digit_classes> outputs{};
  std::array<double, digit_classes> probabilities{};
  double none = 0;         // see Probabilities
  bool calibrated = true;  // see Probabilities

  // The probability of the digit read: how sure the network is.
  double confidence() const { return probabilities[static_cast<std::size_t>(digit)]; }
  // Whether that is at least `threshold` (and the probabilities mean something).
  bool confident(double threshold = default_min_confidence) const {
    return calibrated && confidence() >= threshold;
  }
};
Reading read_digit(const Network& net, std::span<const std::uint8_t> image);

// The reading of 10 outputs computed elsewhere (Predictor, a batch): the digit is the index of
// the largest output (the first one, on a tie), as predict. Requires outputs.size() == 10.
Reading read_outputs(std::span<const float> outputs, Activation output);

// The network's answer for every image of `data`: the digit and its probability
// (output_probabilities). Requires net.output_size() == 10.
struct Prediction {
  std::uint8_t digit = 0;
  float confidence = 0;
};
std::vector<Prediction> predict_all(const Network& net, const Dataset& data);

// How many images of `data` the network classifies correctly (argmax of the output == label).
std::size_t evaluate(const Network& net, const Dataset& data, int threads = 1);

// The same, with its scratch space kept between calls (the trainer evaluates every epoch).
// Threads take contiguous ranges of images; each image's outputs do not depend on the thread
// count. Uses the network's weights as they are at each call.
struct Score {
  std::size_t correct = 0;
  double cost = 0;  // Σ over the images of the network's cost C_x (no weight penalty)
};

class Evaluator {
 public:
  // threads: 0 for all cores.
  Evaluator(const Network& net, int threads = 1);
  std::size_t evaluate(const Dataset& data) { return score(data, false).correct; }
  // Correct answers and, when `with_cost`, the summed cost against the one-hot labels.
  Score score(const Dataset& data, bool with_cost);

 private:
  static constexpr std::size_t batch = 256;  // images per product: their floats stay in L2
  const Network& net_;
  std::vector<Workspace<float>> workspaces_;  // one per thread
  std::vector<Matrix<float>> inputs_;         // one per thread: image_size x batch
  std::vector<Matrix<float>> targets_;        // one per thread: 10 x batch
};

}  // namespace digitnet
