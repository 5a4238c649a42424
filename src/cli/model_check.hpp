// Checks that a loaded model can read the images it is given.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "command.hpp"
#include "digitnet/core/error.hpp"
#include "digitnet/files/model_file.hpp"
#include "digitnet/files/onnx_file.hpp"
#include "digitnet/inference/ensemble.hpp"
#include "digitnet/network/network.hpp"

namespace digitnet::cli {

// load_any_model (an .onnx file too), with where the file came from and how to make one.
inline Network load_model_flag(const std::string& model_path) {
  try {
    return load_any_model(model_path);
  } catch (const Error& e) {
    throw Error(std::string(e.what()) + " (--model; 'digitnet train --save FILE' writes one)");
  }
}

// Every --model given, loaded; several are read as one ensemble (ensemble.hpp).
inline std::vector<Network> load_models_flag(const std::vector<std::string>& paths) {
  std::vector<Network> models;
  for (const std::string& path : paths) models.push_back(load_model_flag(path));
  if (const std::string problem = ensemble_problem(models); !problem.empty())
    throw Error("--model: " + problem);
  return models;
}

// The models' names for titles: "a.model" or "a.model + b.model + ...".
inline std::string model_names(const std::vector<std::string>& paths) {
  std::string names;
  for (const std::string& path : paths)
    names += (names.empty() ? "" : " + ") + std::filesystem::path(path).filename().string();
  return names;
}

// --model FILE, repeatable: each one a model file, several an ensemble.
inline CLI::Option* add_models_option(CLI::App& cmd, std::vector<std::string>& paths) {
  return cmd
      .add_option("--model", paths,
                  "Model file written by 'digitnet train --save'; repeat it to read several "
                  "models as one ensemble (their probabilities averaged)")
      ->required()
      ->multi_option_policy(CLI::MultiOptionPolicy::TakeAll)
      ->expected(1)
      ->allow_extra_args(false);  // --model a.model picture.png: the picture is not a model
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
