// digitnet predict: the digit a saved model reads in one image of the dataset.
#include <cstdio>
#include <memory>

#include "command.hpp"
#include "digitnet/evaluation.hpp"
#include "digitnet/model_file.hpp"
#include "model_check.hpp"

namespace digitnet::cli {
namespace {

struct PredictArgs {
  std::string model;
  std::size_t index = 0;
  std::string split = "test";
  std::string data_dir;
};

void run(const PredictArgs& args) {
  const Network net = load_model(args.model);
  const MnistSplit data = load_data(args.data_dir);
  const Dataset& part = pick_split(data, args.split);
  if (args.index >= part.size())
    throw UsageError("--index " + std::to_string(args.index) + ": the " + args.split +
                     " split has " + std::to_string(part.size()) + " images (0 to " +
                     std::to_string(part.size() - 1) + ")");
  check_model_fits(net, args.model, part);

  const auto image = part.image(args.index);
  const auto a = outputs(net, image);
  const int digit = predict(net, image);
  const int label = part.labels[args.index];
  std::printf("%s image %zu: digit %d (label %d, %s)\n", args.split.c_str(), args.index, digit,
              label, digit == label ? "correct" : "wrong");
  std::printf("outputs:\n");
  for (std::size_t j = 0; j < a.size(); ++j)
    std::printf("  %zu  %.6f%s\n", j, static_cast<double>(a[j]),
                static_cast<int>(j) == digit ? "  <- predicted" : "");
}

}  // namespace

Command add_predict_command(CLI::App& app) {
  auto args = std::make_shared<PredictArgs>();
  CLI::App* cmd = app.add_subcommand("predict", "Read the digit in one image of the dataset");
  cmd->add_option("--model", args->model, "Model file written by 'digitnet train --save'")
      ->required();
  cmd->add_option("--index", args->index, "Which image of the split (0-based)")->required();
  cmd->add_option("--split", args->split, "Which images: test, validation or train")
      ->check(CLI::IsMember({"test", "validation", "train"}))
      ->capture_default_str();
  add_data_option(*cmd, args->data_dir);
  return {cmd, [args] { run(*args); }};
}

}  // namespace digitnet::cli
