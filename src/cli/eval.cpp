// digitnet eval: the accuracy of a saved model on one split of MNIST.
#include <cstdio>
#include <memory>

#include "command.hpp"
#include "number_option.hpp"
#include "digitnet/inference/evaluation.hpp"
#include "digitnet/files/model_file.hpp"
#include "model_check.hpp"

namespace digitnet::cli {
namespace {

struct EvalArgs {
  std::vector<std::string> models;
  std::string split = "test";
  DataArgs data;
  int threads = 0;
};

void run(const EvalArgs& args) {
  const std::vector<Network> models = load_models_flag(args.models);
  const MnistSplit data = load_data(args.data, needs_split(args.split));
  const Dataset& part = pick_split(data, args.split);
  for (std::size_t k = 0; k < models.size(); ++k) check_model_fits(models[k], args.models[k], part);
  const std::size_t correct = evaluate(models, part, args.threads);
  std::printf("%s: %zu / %zu (%.2f%%)\n", args.split.c_str(), correct, part.size(),
              100.0 * static_cast<double>(correct) / static_cast<double>(part.size()));
}

}  // namespace

Command add_eval_command(CLI::App& app) {
  auto args = std::make_shared<EvalArgs>();
  CLI::App* cmd = app.add_subcommand("eval", "Count a saved model's correct answers on a split");
  add_models_option(*cmd, args->models);
  cmd->add_option("--split", args->split, "Which images: test, validation or train")
      ->check(CLI::IsMember({"test", "validation", "train"}))
      ->capture_default_str();
  add_data_option(*cmd, args->data);
  add_number(*cmd, "--threads", args->threads, train_option_range("threads"),
             "Threads to use; 0 = all cores");
  return {cmd, [args] { run(*args); }};
}

}  // namespace digitnet::cli
