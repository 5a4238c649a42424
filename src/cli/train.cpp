// digitnet train: the seeds' SGD run, printing "Epoch j: c / n" after each epoch.
#include <atomic>
#include <chrono>
#include <cmath>
#include <csignal>
#include <cstdio>
#include <iostream>
#include <memory>
#include <sstream>

#include "command.hpp"
#include "progress_bar.hpp"
#include "digitnet/data/augment.hpp"
#include "digitnet/files/checkpoint.hpp"
#include "digitnet/files/metrics_file.hpp"
#include "digitnet/files/model_file.hpp"
#include "digitnet/training/trainer.hpp"

namespace digitnet::cli {
namespace {

struct TrainArgs {
  std::vector<std::size_t> sizes = {784, 30, 10};
  std::string hidden = "sigmoid";
  std::string output;  // "": softmax with the log-likelihood cost, else sigmoid
  std::string cost = "quadratic";
  std::string init = "normal";
  std::string regularization;  // "": l2 when --lambda is given
  std::string optimizer = "sgd";
  std::string schedule = "constant";
  std::vector<std::string> monitor;
  std::string metrics;
  std::string augment = "none";
  std::string checkpoint_dir;
  std::string resume_dir;
  TrainOptions options;
  std::uint64_t seed = 1;
  std::string data_dir;
  std::string save;
  bool no_test = false;
  bool quiet = false;
  std::size_t train_size = 0;  // 0: all
  std::size_t test_size = 0;   // 0: all
  std::vector<int> digits;
};

// Set by the first Ctrl-C: training finishes its batch, checkpoints and stops. A second Ctrl-C
// ends the program at once (the handler restores the default action).
std::atomic<bool> interrupted{false};
static_assert(std::atomic<bool>::is_always_lock_free);
extern "C" void on_interrupt(int) {
  interrupted.store(true);
  std::signal(SIGINT, SIG_DFL);
}

std::string join(const std::vector<std::size_t>& sizes) {
  std::string text;
  for (std::size_t size : sizes) text += (text.empty() ? "" : ",") + std::to_string(size);
  return text;
}

// Everything that can be checked without the data, so that a bad flag fails before any work.
std::string number(double value) { return (std::ostringstream() << value).str(); }

// --flag VALUE must lie in [low, high] (or [low, high) when !high_included).
void check_range(const char* flag, double value, double low, double high, bool high_included,
                 const std::string& advice) {
  if (!std::isfinite(value) || value < low || value > high || (!high_included && value == high))
    throw UsageError(std::string(flag) + " " + number(value) + ": " + advice);
}

template <typename Enum, typename Parse>
Enum parse_choice(const char* flag, const std::string& value, Parse parse,
                  const char* choices) {
  const std::optional<Enum> parsed = parse(value);
  if (!parsed)
    throw UsageError(std::string(flag) + " " + value + ": unknown; choose one of " + choices);
  return *parsed;
}

// Turns the named choices into the architecture and options, checking each.
Architecture architecture_of(const TrainArgs& args) {
  const Cost cost = parse_choice<Cost>("--cost", args.cost, parse_cost,
                                       "quadratic, cross-entropy, log-likelihood");
  const Activation hidden = parse_choice<Activation>(
      "--hidden", args.hidden, parse_activation, "sigmoid, tanh, relu, identity");
  if (hidden == Activation::softmax)
    throw UsageError("--hidden softmax: softmax is only possible on the output layer (--output)");
  const std::string output_name =
      !args.output.empty() ? args.output
                           : (cost == Cost::log_likelihood ? "softmax" : "sigmoid");
  const Activation output = parse_choice<Activation>(
      "--output", output_name, parse_activation, "sigmoid, tanh, relu, identity, softmax");
  Architecture arch = Architecture::of(args.sizes, hidden, output, cost);
  if (const std::string problem = architecture_problem(arch); !problem.empty())
    throw UsageError("--output " + output_name + " --cost " + args.cost + ": " + problem);
  return arch;
}

TrainOptions options_of(const TrainArgs& args) {
  TrainOptions options = args.options;
  options.seed = args.seed;
  options.optimizer.kind = parse_choice<OptimizerSettings::Kind>(
      "--optimizer", args.optimizer, parse_optimizer, "sgd, momentum, nesterov, adam");
  options.schedule.kind = parse_choice<ScheduleSettings::Kind>(
      "--schedule", args.schedule, parse_schedule, "constant, step, plateau");
  options.regularization =
      args.regularization.empty()
          ? (options.lambda > 0 ? Regularization::Kind::l2 : Regularization::Kind::none)
          : parse_choice<Regularization::Kind>("--regularization", args.regularization,
                                               parse_regularization, "none, l2, l1");
  for (const std::string& item : args.monitor) {
    if (item == "training-cost")
      options.monitor_training_cost = true;
    else if (item == "training-accuracy")
      options.monitor_training_accuracy = true;
    else if (item == "validation-cost")
      options.monitor_validation_cost = true;
    else if (item == "gradients")
      options.gradient_norm_images = 1000;
    else if (item != "validation-accuracy")
      throw UsageError("--monitor " + item +
                       ": unknown; choose from training-cost, training-accuracy, "
                       "validation-cost, validation-accuracy, gradients");
  }
  check_range("--lambda", options.lambda, 0, 1e6, true, "give a penalty λ >= 0 (the book uses 5.0)");
  check_range("--dropout", options.dropout, 0, 1, false,
              "give a probability of dropping a hidden neuron, 0 <= p < 1 (0.5 is classic)");
  check_range("--momentum", options.optimizer.momentum, 0, 1, false,
              "give a momentum coefficient 0 <= μ < 1 (0.9 is usual)");
  check_range("--beta1", options.optimizer.beta1, 0, 1, false, "give 0 <= β1 < 1 (Adam: 0.9)");
  check_range("--beta2", options.optimizer.beta2, 0, 1, false, "give 0 <= β2 < 1 (Adam: 0.999)");
  check_range("--epsilon", options.optimizer.epsilon, 1e-30, 1, true,
              "give a small positive ε (Adam: 1e-8)");
  check_range("--step-factor", options.schedule.factor, 0, 1, true,
              "give the factor eta is multiplied by, 0 < factor <= 1 (e.g. 0.5)");
  if (options.schedule.factor == 0)
    throw UsageError("--step-factor 0: give the factor eta is multiplied by, 0 < factor <= 1");
  if (options.schedule.every < 1) throw UsageError("--step-every 0: give at least 1 epoch");
  if (options.schedule.patience < 1) throw UsageError("--patience 0: give at least 1 epoch");
  return options;
}

void validate(const TrainArgs& args) {
  if (args.sizes.size() < 2)
    throw UsageError("--sizes " + join(args.sizes) +
                     ": give at least two layer sizes, input to output, e.g. 784,30,10");
  for (std::size_t size : args.sizes)
    if (size < 1 || size > model_max_layer_size)
      throw UsageError("--sizes " + join(args.sizes) + ": every layer size must be 1 to " +
                       std::to_string(model_max_layer_size));
  if (args.sizes.back() != digit_classes)
    throw UsageError("--sizes " + join(args.sizes) + ": the last size must be " +
                     std::to_string(digit_classes) + ", one output per digit");
  if (args.options.epochs < 1) throw UsageError("--epochs 0: train for at least 1 epoch");
  if (args.options.mini_batch_size < 1)
    throw UsageError("--batch 0: the mini-batch size must be at least 1 (the seeds use 10)");
  if (!(args.options.eta > 0) || !std::isfinite(args.options.eta))
    throw UsageError("--eta " + (std::ostringstream() << args.options.eta).str() +
                     ": the learning rate must be a positive number (the seeds use 3.0)");
  if (args.options.threads < 0 || args.options.threads > 1024)
    throw UsageError("--threads " + std::to_string(args.options.threads) +
                     ": give 0 (all cores) or a number of threads from 1 to 1024");
  for (int digit : args.digits)
    if (digit < 0 || digit > 9)
      throw UsageError("--digits: " + std::to_string(digit) + " is not a digit 0-9");
  for (const auto& [flag, file] : {std::pair{"--save", args.save}, {"--metrics", args.metrics}}) {
    if (file.empty()) continue;
    const std::filesystem::path path(file);
    const auto folder = path.has_parent_path() ? path.parent_path() : ".";
    if (!std::filesystem::is_directory(folder))
      throw UsageError(std::string(flag) + " " + file + ": folder " + folder.string() +
                       " does not exist; create it first");
  }
  if (!args.checkpoint_dir.empty() && !args.resume_dir.empty() &&
      args.checkpoint_dir != args.resume_dir)
    throw UsageError("--checkpoint " + args.checkpoint_dir + " --resume " + args.resume_dir +
                     ": a resumed run goes on checkpointing into the folder it resumes from; "
                     "give one of them");
  if (!args.resume_dir.empty() && !std::filesystem::is_regular_file(
                                      std::filesystem::path(args.resume_dir) / "checkpoint.bin"))
    throw UsageError("--resume " + args.resume_dir +
                     ": no checkpoint.bin there; give the folder of an earlier --checkpoint DIR");
  if (args.augment != "none" && args.augment != "shift")
    throw UsageError("--augment " + args.augment + ": unknown; choose none or shift");
}

double percent(std::size_t correct, std::size_t total) {
  return 100.0 * static_cast<double>(correct) / static_cast<double>(total);
}

// network2.py-style monitoring lines, under the seeds' "Epoch j: c / n".
void print_monitoring(const EpochResult& r, const TrainOptions& options) {
  if (options.monitor_training_cost || options.monitor_training_accuracy) {
    std::printf("  training:   cost %.6f", r.training_cost);
    if (r.training_correct)
      std::printf(", accuracy %zu / %zu (%.2f%%)", *r.training_correct, r.training_total,
                  percent(*r.training_correct, r.training_total));
    std::printf("\n");
  }
  if (r.validation_correct) {
    std::printf("  validation:");
    if (r.validation_cost) std::printf(" cost %.6f,", *r.validation_cost);
    std::printf(" accuracy %zu / %zu (%.2f%%)\n", *r.validation_correct, r.validation_total,
                percent(*r.validation_correct, r.validation_total));
  }
  if (options.schedule.kind != ScheduleSettings::Kind::constant)
    std::printf("  eta %g\n", r.eta);
  if (!r.gradient_norms.empty()) {
    std::printf("  gradient norms by layer:");
    for (double norm : r.gradient_norms) std::printf(" %.3g", norm);
    std::printf("\n");
  }
  std::fflush(stdout);
}

void run(const TrainArgs& args) {
  validate(args);
  const Architecture arch = architecture_of(args);
  const TrainOptions options = options_of(args);
  if (!args.save.empty() && is_json_path(args.save) &&
      (args.hidden != "sigmoid" || arch.activations.back() != Activation::sigmoid ||
       arch.cost == Cost::log_likelihood))
    throw UsageError("--save " + args.save +
                     ": network2.py's JSON format holds sigmoid networks with the quadratic or "
                     "cross-entropy cost only; save to a binary model (a name not ending in .json)");
  const Init init = parse_choice<Init>("--init", args.init, parse_init,
                                       "normal, scaled-normal, he, glorot");
  const bool use_validation = needs_validation(options) || options.monitor_validation_cost ||
                              std::find(args.monitor.begin(), args.monitor.end(),
                                        "validation-accuracy") != args.monitor.end();
  const std::size_t image_size = data_image_size(args.data_dir);
  if (args.sizes.front() != image_size)
    throw UsageError("--sizes " + join(args.sizes) + ": the first size must be the image size, " +
                     std::to_string(image_size) + " for the images in " + args.data_dir);

  MnistSplit data = load_data(args.data_dir);
  if (!args.digits.empty()) {
    data.training = keep_digits(data.training, args.digits);
    data.validation = keep_digits(data.validation, args.digits);
    data.test = keep_digits(data.test, args.digits);
  }
  if (args.train_size > 0) data.training = slice(data.training, 0, args.train_size);
  if (args.test_size > 0) data.test = slice(data.test, 0, args.test_size);
  if (data.training.size() == 0) throw UsageError("--digits: no training images are left");
  if (use_validation && data.validation.size() == 0)
    throw UsageError("the options need validation images and none are left");
  if (args.augment == "shift") data.training = expand_by_shifts(data.training);

  Network net(arch, args.seed, init);
  const std::string fingerprint = options_fingerprint(net, options, data.training.size());
  std::optional<TrainState> resume;
  if (!args.resume_dir.empty()) {
    const auto file = std::filesystem::path(args.resume_dir) / "checkpoint.bin";
    Checkpoint checkpoint = load_checkpoint(file);
    if (checkpoint.state.options != fingerprint)
      throw UsageError("--resume " + args.resume_dir +
                       ": the checkpoint was written by a run with other options or data; give "
                       "the same flags (only --epochs and --threads may change).\n  checkpoint: " +
                       checkpoint.state.options + "\n  now:        " + fingerprint);
    net = std::move(checkpoint.net);
    resume = std::move(checkpoint.state);
    std::printf("Resuming from %s: epoch %zu, %zu of %zu images done\n", file.c_str(),
                resume->epoch, resume->position, data.training.size());
  }
  const std::string checkpoint_dir = !args.resume_dir.empty() ? args.resume_dir : args.checkpoint_dir;
  if (!checkpoint_dir.empty()) {
    std::error_code ec;
    std::filesystem::create_directories(checkpoint_dir, ec);
    if (ec)
      throw UsageError("--checkpoint " + checkpoint_dir + ": cannot create the folder (" +
                       ec.message() + ")");
  }
  const auto checkpoint_file = std::filesystem::path(checkpoint_dir) / "checkpoint.bin";
  std::optional<MetricsWriter> metrics;
  if (!args.metrics.empty()) metrics.emplace(args.metrics, resume.has_value());

  TrainControl control;
  if (resume) control.resume = &*resume;
  if (!checkpoint_dir.empty())
    control.on_checkpoint = [&](const TrainState& state) {
      TrainState copy = state;
      copy.options = fingerprint;
      save_checkpoint(net, copy, checkpoint_file);
    };
  interrupted.store(false);
  control.stop = &interrupted;
  std::signal(SIGINT, on_interrupt);
  const auto start = std::chrono::steady_clock::now();
  EvaluationData evaluation;
  evaluation.validation = use_validation ? &data.validation : nullptr;
  evaluation.test = args.no_test ? nullptr : &data.test;
  ProgressBar progress(!args.quiet);
  TrainReport report;
  try {
    report = train(
      net, data.training, options, evaluation,
      [&](const EpochResult& r) {
        if (metrics) metrics->write(r);
        if (args.quiet) return;
        progress.clear();
        if (r.correct)
          std::cout << "Epoch " << r.epoch << ": " << *r.correct << " / " << r.total << std::endl;
        else
          std::cout << "Epoch " << r.epoch << " complete" << std::endl;
        print_monitoring(r, options);
      },
      [&](std::size_t epoch, std::size_t done, std::size_t total) {
        progress.update(epoch, done, total);
      },
      control);
  } catch (const TrainingDiverged& e) {
    std::signal(SIGINT, SIG_DFL);
    progress.clear();
    std::string message = e.what();
    if (!checkpoint_dir.empty())
      message += std::filesystem::exists(checkpoint_file)
                     ? "; the checkpoint in " + checkpoint_dir + " (the state before epoch " +
                           std::to_string(e.epoch) + ") is intact"
                     : "; no checkpoint had been written yet";
    throw Error(message);
  }
  std::signal(SIGINT, SIG_DFL);
  progress.clear();
  if (report.stop_reason == "interrupted") {
    std::printf("Interrupted: %s\n",
                checkpoint_dir.empty()
                    ? "nothing saved (train with --checkpoint DIR to be able to continue)"
                    : ("saved a checkpoint to " + checkpoint_file.string() +
                       "; continue with the same flags and --resume " + checkpoint_dir)
                          .c_str());
    if (!args.save.empty())
      std::printf("The network was not saved to %s: training did not finish\n", args.save.c_str());
    throw Interrupted("interrupted by Ctrl-C");
  }
  std::optional<EpochResult> best;
  for (const EpochResult& r : report.epochs)
    if (r.correct && (!best || *r.correct > *best->correct)) best = r;
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  if (!report.stop_reason.empty())
    std::printf("Stopped after epoch %zu: %s\n", report.epochs.back().epoch,
                report.stop_reason.c_str());
  if (best) {
    std::printf("Best epoch: %zu (%zu / %zu, %.2f%%)\n", best->epoch, *best->correct, best->total,
                percent(*best->correct, best->total));
  }
  if (report.kept_epoch) {
    const EpochResult& kept = report.epochs[*report.kept_epoch];
    std::printf("Kept the weights of epoch %zu, the best on validation (%zu / %zu, %.2f%%)",
                kept.epoch, *kept.validation_correct, kept.validation_total,
                percent(*kept.validation_correct, kept.validation_total));
    if (kept.correct)
      std::printf("; its test accuracy: %zu / %zu (%.2f%%)", *kept.correct, kept.total,
                  percent(*kept.correct, kept.total));
    std::printf("\n");
  }
  std::printf("Trained %zu epochs on %zu images in %.1f s\n", report.epochs.size(),
              data.training.size(), seconds);
  if (!args.save.empty()) {
    save_model(net, args.save);
    std::cout << "Saved the final network to " << args.save << std::endl;
  }
}

}  // namespace

Command add_train_command(CLI::App& app) {
  auto args = std::make_shared<TrainArgs>();
  CLI::App* cmd = app.add_subcommand(
      "train", "Train a network on MNIST by mini-batch SGD (defaults: the seeds' canonical run)");
  // --recipe FILE belongs to the top-level app (CLI11 reads config files there only); it reaches
  // it from here through fallthrough, and the file's [train] section sets this command's flags.
  cmd->fallthrough();
  cmd->add_option("--sizes", args->sizes, "Neurons per layer, input to output")
      ->delimiter(',')
      ->capture_default_str();
  cmd->add_option("--epochs", args->options.epochs, "Passes over the training data")
      ->capture_default_str();
  cmd->add_option("--batch", args->options.mini_batch_size, "Mini-batch size")
      ->capture_default_str();
  cmd->add_option("--eta", args->options.eta, "Learning rate")->capture_default_str();
  cmd->add_option("--seed", args->seed, "Seed for the initial weights and the shuffling")
      ->capture_default_str();
  cmd->add_option("--threads", args->options.threads,
                  "Threads to use; 0 = all cores (small networks use one: it is faster)")
      ->capture_default_str();
  add_data_option(*cmd, args->data_dir);
  cmd->add_option("--save", args->save, "Write the trained network to this model file");
  cmd->add_flag("--quiet", args->quiet,
                "Print only the summary at the end: no per-epoch lines, no progress bar (the bar "
                "is drawn only on a terminal anyway)");
  cmd->add_flag("--no-test", args->no_test,
                "Do not evaluate on the test set after each epoch (prints 'Epoch j complete')");
  cmd->add_option("--train-size", args->train_size,
                  "Train on only the first N training images (default: all 50,000)");
  cmd->add_option("--test-size", args->test_size,
                  "Evaluate on only the first N test images (default: all 10,000)");
  cmd->add_option("--digits", args->digits, "Keep only these digits, e.g. 0,1")->delimiter(',');
  // The book's later techniques (network2.py and beyond).
  cmd->add_option("--hidden", args->hidden, "Hidden layers' activation: sigmoid, tanh, relu, identity")
      ->capture_default_str();
  cmd->add_option("--output", args->output,
                  "Output layer's activation: sigmoid, tanh, relu, identity, softmax (default: "
                  "softmax for the log-likelihood cost, else sigmoid)");
  cmd->add_option("--cost", args->cost, "Cost: quadratic, cross-entropy, log-likelihood")
      ->capture_default_str();
  cmd->add_option("--init", args->init,
                  "Initial weights: normal (N(0,1), the seeds'), scaled-normal (N(0,1/n_in), "
                  "the book's), he, glorot")
      ->capture_default_str();
  cmd->add_option("--lambda", args->options.lambda, "Weight penalty λ (n = training images)")
      ->capture_default_str();
  cmd->add_option("--regularization", args->regularization,
                  "Penalty: l2 (the default when --lambda is given), l1, none");
  cmd->add_option("--dropout", args->options.dropout,
                  "Probability of dropping each hidden neuron while training")
      ->capture_default_str();
  cmd->add_option("--optimizer", args->optimizer, "sgd, momentum, nesterov, adam")
      ->capture_default_str();
  cmd->add_option("--momentum", args->options.optimizer.momentum, "μ of momentum and nesterov")
      ->capture_default_str();
  cmd->add_option("--beta1", args->options.optimizer.beta1, "Adam's β1")->capture_default_str();
  cmd->add_option("--beta2", args->options.optimizer.beta2, "Adam's β2")->capture_default_str();
  cmd->add_option("--epsilon", args->options.optimizer.epsilon, "Adam's ε")->capture_default_str();
  cmd->add_option("--schedule", args->schedule,
                  "Learning rate: constant; step (times --step-factor every --step-every "
                  "epochs); plateau (halve after --patience epochs without a better validation "
                  "accuracy, stop at eta/128)")
      ->capture_default_str();
  cmd->add_option("--step-every", args->options.schedule.every)->capture_default_str();
  cmd->add_option("--step-factor", args->options.schedule.factor)->capture_default_str();
  cmd->add_option("--patience", args->options.schedule.patience, "Epochs, for --schedule plateau")
      ->capture_default_str();
  cmd->add_option("--early-stopping", args->options.early_stopping,
                  "Stop after this many epochs without a better validation accuracy (0: off)")
      ->capture_default_str();
  cmd->add_flag("--keep-best", args->options.keep_best,
                "End with the weights of the epoch with the best validation accuracy");
  cmd->add_option("--monitor", args->monitor,
                  "Also report after each epoch: training-cost, training-accuracy, "
                  "validation-cost, validation-accuracy, gradients (per-layer gradient norms)")
      ->delimiter(',');
  cmd->add_option("--metrics", args->metrics,
                  "Write every epoch's figures to this file, one JSON object per line");
  cmd->add_option("--checkpoint", args->checkpoint_dir,
                  "Save everything needed to continue (weights, optimiser, generators, epoch) to "
                  "DIR/checkpoint.bin after every epoch and on Ctrl-C");
  cmd->add_option("--resume", args->resume_dir,
                  "Continue the run checkpointed in DIR (give the same flags; --epochs may grow); "
                  "the result is bit for bit that of an uninterrupted run");
  cmd->add_option("--augment", args->augment,
                  "shift: add copies of the training images shifted one pixel each way (5x)")
      ->capture_default_str();
  return {cmd, [args] { run(*args); }};
}

}  // namespace digitnet::cli
