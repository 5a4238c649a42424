// Checks that a loaded model can read the images it is given.
#pragma once

#include <string>

#include "command.hpp"
#include "digitnet/core/error.hpp"
#include "digitnet/files/model_file.hpp"
#include "digitnet/network/network.hpp"

namespace digitnet::cli {

// load_model, with where the file came from and how to make one.
inline Network load_model_flag(const std::string& model_path) {
  try {
    return load_model(model_path);
  } catch (const Error& e) {
    throw Error(std::string(e.what()) + " (--model; 'digitnet train --save FILE' writes one)");
  }
}

inline void check_model_fits(const Network& net, const std::string& model_path,
                             const Dataset& data) {
  if (net.input_size() != data.image_size() || net.output_size() != digit_classes)
    throw Error(model_path + ": the model maps " + std::to_string(net.input_size()) +
                " inputs to " + std::to_string(net.output_size()) + " outputs, but the data has " +
                std::to_string(data.image_size()) + "-pixel images and " +
                std::to_string(digit_classes) + " digits; train a model for this data");
}

}  // namespace digitnet::cli
