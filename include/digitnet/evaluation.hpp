// Using a trained network: predicting digits and counting correct answers (the seeds' evaluate).
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>

#include "digitnet/dataset.hpp"
#include "digitnet/network.hpp"

namespace digitnet {

// The network's 10 outputs for one image (image_size bytes, 0-255).
// Requires: net.input_size() == image.size(), net.output_size() == 10.
std::array<float, digit_classes> outputs(const Network& net, std::span<const std::uint8_t> image);

// The digit for one image: the index of the largest output (the first one, on a tie).
int predict(const Network& net, std::span<const std::uint8_t> image);

// How many images of `data` the network classifies correctly (argmax of the output == label).
std::size_t evaluate(const Network& net, const Dataset& data);

}  // namespace digitnet
