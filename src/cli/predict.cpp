// digitnet predict: the digit a saved model reads in picture files (PNG, JPEG, BMP, PGM...),
// preprocessed like MNIST, or in one image of the dataset.
#include <cstdio>
#include <iostream>
#include <memory>
#include <nlohmann/json.hpp>

#include "command.hpp"
#include "number_option.hpp"
#include "digitnet/inference/evaluation.hpp"
#include "digitnet/inference/predictor.hpp"
#include "digitnet/files/model_file.hpp"
#include "digitnet/pictures/preprocess.hpp"
#include "inference/reading_json.hpp"
#include "model_check.hpp"

namespace digitnet::cli {
namespace {

struct PredictArgs {
  std::vector<std::string> models;
  std::vector<std::string> images;
  std::optional<std::size_t> index;
  std::string split = "test";
  DataArgs data;
  bool json = false;
  std::string explain;
  double min_confidence = default_min_confidence;
};

void print_probabilities(const Reading& r) {
  for (std::size_t j = 0; j < digit_classes; ++j)
    std::printf("  %zu  %.4f%s\n", j, r.probabilities[j],
                static_cast<int>(j) == r.digit ? "  <- predicted" : "");
  if (r.none > 0) std::printf("  no digit  %.4f\n", r.none);
  if (!r.calibrated)
    std::printf("  (shares of the raw outputs, not probabilities: this model's output layer is "
                "neither softmax nor sigmoid)\n");
}

// "digit 7 (probability 0.9312" or "not sure: 3 (probability 0.4100) or 5 (0.3300".
std::string verdict(const Reading& r, double min_confidence) {
  char text[160];
  if (r.confident(min_confidence))
    std::snprintf(text, sizeof text, "digit %d (probability %.4f", r.digit, r.confidence());
  else
    std::snprintf(text, sizeof text, "not sure: %d (probability %.4f) or %d (%.4f", r.digit,
                  r.confidence(), r.second,
                  r.probabilities[static_cast<std::size_t>(r.second)]);
  return text;
}

// The 28 x 28 image the network saw, each pixel 10 x 10 so that it can be looked at.
void write_explanation(const PreparedDigit& d, const std::string& path) {
  constexpr std::size_t scale = 10;
  Picture out;
  out.width = out.height = mnist_side * scale;
  out.samples.resize(out.width * out.height);
  for (std::size_t y = 0; y < out.height; ++y)
    for (std::size_t x = 0; x < out.width; ++x)
      out.samples[y * out.width + x] = d.pixels[(y / scale) * mnist_side + x / scale];
  save_png(out, path);
}

void run_index(const PredictArgs& args, const std::vector<Network>& models) {
  const MnistSplit data = load_data(args.data, needs_split(args.split));
  const Dataset& part = pick_split(data, args.split);
  if (*args.index >= part.size())
    throw UsageError("--index " + std::to_string(*args.index) + ": the " + args.split +
                     " split has " + std::to_string(part.size()) + " images (0 to " +
                     std::to_string(part.size() - 1) + ")");
  for (std::size_t k = 0; k < models.size(); ++k) check_model_fits(models[k], args.models[k], part);
  const Reading r = read_each(models.size(), [&](std::size_t k) {
    return read_digit(models[k], part.image(*args.index));
  });
  const int label = part.labels[*args.index];
  if (args.json) {
    nlohmann::ordered_json j;
    j["split"] = args.split;
    j["index"] = *args.index;
    j["digit"] = r.digit;
    j["label"] = label;
    j.update(reading_json(r, args.min_confidence));  // digit stays first, label second
    std::cout << j.dump() << std::endl;
    return;
  }
  std::printf("%s image %zu: %s; label %d, %s)\n", args.split.c_str(), *args.index,
              verdict(r, args.min_confidence).c_str(), label,
              r.digit == label ? "correct" : "wrong");
  print_probabilities(r);
}

// Returns the number of pictures that could not be read.
int run_pictures(const PredictArgs& args, std::vector<Network> models) {
  std::vector<std::unique_ptr<Predictor>> predictors;
  for (std::size_t k = 0; k < models.size(); ++k) {
    const Network& net = models[k];
    if (net.input_size() != mnist_side * mnist_side || net.output_size() != digit_classes)
      throw Error(args.models[k] + ": the model maps " + std::to_string(net.input_size()) +
                  " inputs to " + std::to_string(net.output_size()) +
                  " outputs; pictures need a model of 784 inputs (28 x 28) and 10 outputs");
    predictors.push_back(std::make_unique<Predictor>(std::move(models[k])));
  }
  nlohmann::ordered_json all = nlohmann::ordered_json::array();
  int failures = 0;
  for (const std::string& file : args.images) {
    try {
      // Every model sees the same prepared image (the preparation does not depend on it).
      PreparedDigit d;
      const Reading r = read_each(predictors.size(), [&](std::size_t k) {
        PictureReading reading = predictors[k]->predict_picture_file(file);
        if (k == 0) d = std::move(reading.prepared);
        return reading.reading;
      });
      if (!args.explain.empty()) write_explanation(d, args.explain);
      if (args.json) {
        nlohmann::ordered_json j;
        j["file"] = file;
        j.update(reading_json(r, args.min_confidence));
        j["blobs"] = d.blobs;
        j["inverted"] = d.inverted;
        j["ink_box"] = {d.box_x, d.box_y, d.box_width, d.box_height};
        all.push_back(j);
      } else {
        std::printf("%s: %s; %s ink, at %zu,%zu size %zux%zu)\n", file.c_str(),
                    verdict(r, args.min_confidence).c_str(), d.inverted ? "dark" : "light",
                    d.box_x, d.box_y, d.box_width, d.box_height);
        if (d.blobs > 1)
          std::printf("%s: warning: the ink looks like %zu separate digits; give one digit per "
                      "picture\n",
                      file.c_str(), d.blobs);
        print_probabilities(r);
      }
    } catch (const Error& e) {
      ++failures;
      // Errors about the picture itself name the file already; preprocessing ones do not.
      const std::string message = e.what();
      std::cerr << "digitnet predict: error: "
                << (message.rfind(file, 0) == 0 ? message : file + ": " + message) << "\n";
      if (args.json) all.push_back({{"file", file}, {"error", message}});
    }
  }
  if (args.json) std::cout << all.dump(2) << std::endl;
  if (!args.explain.empty() && failures == 0)
    std::fprintf(stderr, "Wrote the 28x28 image the network saw (10x enlarged) to %s\n",
                 args.explain.c_str());
  return failures;
}

void run(const PredictArgs& args) {
  if (args.images.empty() == !args.index.has_value())
    throw UsageError("give picture files, or --index I for an image of the dataset (not both)");
  if (!args.explain.empty()) check_output_name("--explain", args.explain, {".png"});
  if (!args.explain.empty() && args.images.size() != 1)
    throw UsageError("--explain " + args.explain + ": give exactly one picture to explain");
  if (!args.explain.empty()) {
    const std::filesystem::path path(args.explain);
    const auto folder = path.has_parent_path() ? path.parent_path() : ".";
    if (!std::filesystem::is_directory(folder))
      throw UsageError("--explain " + args.explain + ": folder " + folder.string() +
                       " does not exist; create it first");
  }
  std::vector<Network> models = load_models_flag(args.models);
  if (args.index) {
    run_index(args, models);
    return;
  }
  const int failures = run_pictures(args, std::move(models));
  if (failures > 0)
    throw Error(std::to_string(failures) + " of " + std::to_string(args.images.size()) +
                " pictures could not be read (see above)");
}

}  // namespace

Command add_predict_command(CLI::App& app) {
  auto args = std::make_shared<PredictArgs>();
  CLI::App* cmd = app.add_subcommand(
      "predict",
      "Read the digit in picture files (PNG, JPEG, BMP, PGM; any size, colour or grey, dark ink "
      "on light paper or the reverse), or in one image of the dataset (--index)");
  add_models_option(*cmd, args->models);
  cmd->add_option("images", args->images, "Picture files of single handwritten digits");
  add_number(*cmd, "--index", args->index, index_range,
             "Instead of pictures: this image of the split (0-based)");
  cmd->add_option("--split", args->split, "Which images --index counts in: test, validation or train")
      ->check(CLI::IsMember({"test", "validation", "train"}))
      ->capture_default_str();
  cmd->add_flag("--json", args->json, "Print the readings as JSON");
  add_number(*cmd, "--min-confidence", args->min_confidence,
             {"min_confidence", false, 0, 1, true, true, ""},
             "Below this probability the answer is 'not sure', with the two likeliest digits");
  cmd->add_option("--explain", args->explain,
                  "Write the 28x28 image the network saw, as a PNG enlarged 10x (one picture)");
  add_data_option(*cmd, args->data);
  return {cmd, [args] { run(*args); }};
}

}  // namespace digitnet::cli
