// What every CLI command provides: its CLI11 subcommand and the function that runs it after
// parsing. The CLI is a thin layer over the library; it turns exceptions into exit codes.
#pragma once

#include <CLI/CLI.hpp>
#include <filesystem>
#include <functional>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "digitnet/data/dataset.hpp"
#include "digitnet/data/prepare.hpp"
#include "digitnet/network/architecture.hpp"
#include "digitnet/network/initialization.hpp"
#include "digitnet/network/shape.hpp"
#include "digitnet/training/trainer.hpp"

namespace digitnet::cli {

// A flag with a value that is out of range or inconsistent: exit code 2, like a parse error.
class UsageError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Training stopped by Ctrl-C after saving what it could: exit code 130, as for SIGINT.
class Interrupted : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct Command {
  CLI::App* app = nullptr;
  std::function<void()> run;
};

Command add_train_command(CLI::App& app);

Command add_eval_command(CLI::App& app);
Command add_predict_command(CLI::App& app);
Command add_show_command(CLI::App& app);
Command add_report_command(CLI::App& app);
Command add_plot_command(CLI::App& app);
Command add_serve_command(CLI::App& app);
Command add_export_command(CLI::App& app);
Command add_import_command(CLI::App& app);

// --data DIR, shared by every command that reads MNIST.
std::string default_data_dir();
// --data DIR and --validation-size N, shared by every command that reads MNIST.
struct DataArgs {
  std::string dir;
  std::optional<std::size_t> validation_size;  // none: default_validation_size (dataset.hpp)
};
void add_data_option(CLI::App& command, DataArgs& data);
// Loads the seeds' split from --data, adding the flag to the message when a file is missing.
MnistSplit load_data(const DataArgs& data, MnistRequest request);
// What a command that reads the split named by --split needs of the folder.
MnistRequest needs_split(const std::string& split);
// The shape (1 x rows x cols) of the training images in --data, from the header alone.
Shape data_image_shape(const std::string& data_dir);

// `flag FILE` must name a file of one of `extensions` (".png"), whose format is what is written:
// a UsageError listing them otherwise.
void check_output_name(const std::string& flag, const std::string& file,
                       const std::vector<std::string>& extensions);

// Picks the split named by --split (test, validation or train).
const Dataset& pick_split(const MnistSplit& split, const std::string& name);

// A training run as `digitnet train` plans it from its flags (a recipe's keys included), checked
// by the same rules; the data not loaded yet. For runs started by another command (serve).
struct TrainingPlan {
  Architecture arch;
  TrainOptions options;
  Init init = Init::standard_normal;
  bool use_validation = false;  // the options need the validation set
  DataPreparation preparation;
  DataArgs data;
  bool test = true;  // evaluate on the test set after each epoch
};
// The plan of `digitnet train --recipe RECIPE FLAGS...`. Throws UsageError as train would
// (a flag's message prefixed with the recipe's name for parse errors).
TrainingPlan plan_training(const std::filesystem::path& recipe, std::vector<std::string> flags);
// The plan's data: the split in plan.data, prepared (digits, sizes, shifts).
MnistSplit load_planned_data(const TrainingPlan& plan);

}  // namespace digitnet::cli
