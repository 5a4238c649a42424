// digitnet train: the seeds' SGD run, printing "Epoch j: c / n" after each epoch.
#include <algorithm>
#include <atomic>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <iostream>
#include <map>
#include <memory>

#include "command.hpp"
#include "number_option.hpp"
#include "progress_bar.hpp"
#include "digitnet/data/prepare.hpp"
#include "digitnet/files/checkpoint.hpp"
#include "digitnet/files/metrics_file.hpp"
#include "digitnet/files/model_file.hpp"
#include "digitnet/files/network2_json.hpp"
#include "digitnet/files/onnx_file.hpp"
#include "digitnet/training/train_options.hpp"
#include "digitnet/training/trainer.hpp"

namespace digitnet::cli {
namespace {

struct TrainArgs {
  std::vector<std::size_t> sizes = {784, 30, 10};
  std::string layers;  // a layer list instead of --sizes (layer_spec.hpp)
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
  DataArgs data;
  std::string save;
  bool no_test = false;
  bool quiet = false;
  DataPreparation preparation;  // --digits, --train-size, --test-size (--augment: shift_augment)
};

// Set by the first Ctrl-C: training finishes its batch, checkpoints and stops. A second Ctrl-C
// ends the program at once (the handler restores the default action).
std::atomic<bool> interrupted{false};
static_assert(std::atomic<bool>::is_always_lock_free);
extern "C" void on_interrupt(int) {
  interrupted.store(true);
  std::signal(SIGINT, SIG_DFL);
}

// The flag that sets each option the library names (train_options.hpp, prepare.hpp, and the
// entries of checkpoint.hpp's fingerprint).
std::string flag_of(const std::string& option) {
  static const std::map<std::string, std::string> flags = {
      {"sizes", "--sizes"},
      {"input", "the input (the images of --data)"},
      {"layers", "--layers"},
      {"cost", "--cost"},
      {"training_images", "the number of training images (--train-size, --digits, --augment)"},
      {"digits", "--digits"},
      {"epochs", "--epochs"},
      {"mini_batch_size", "--batch"},
      {"eta", "--eta"},
      {"seed", "--seed"},
      {"threads", "--threads"},
      {"regularization", "--regularization"},
      {"lambda", "--lambda"},
      {"dropout", "--dropout"},
      {"optimizer", "--optimizer"},
      {"momentum", "--momentum"},
      {"beta1", "--beta1"},
      {"beta2", "--beta2"},
      {"epsilon", "--epsilon"},
      {"schedule", "--schedule"},
      {"step_every", "--step-every"},
      {"step_factor", "--step-factor"},
      {"patience", "--patience"},
      {"early_stopping", "--early-stopping"},
      {"keep_best", "--keep-best"},
      {"monitor", "--monitor"},
      {"monitor_training_accuracy", "--monitor training-accuracy"},
      {"monitor_training_cost", "--monitor training-cost"},
      {"monitor_validation_cost", "--monitor validation-cost"},
      {"gradient_norm_images", "--monitor gradients"},
      {"rotation", "--rotation"},
      {"scale", "--scale"},
      {"shear", "--shear"},
      {"translation", "--translation"},
      {"elastic_alpha", "--elastic-alpha"},
      {"elastic_sigma", "--elastic-sigma"},
  };
  const auto it = flags.find(option);
  return it != flags.end() ? it->second : option;
}

// The library's problem with an option, said with its flag: "--dropout 1.5: give ...".
[[noreturn]] void refuse(const OptionProblem& problem, const std::string& more = "") {
  throw UsageError(flag_of(problem.option) + (problem.value.empty() ? "" : " " + problem.value) +
                   ": " + problem.advice + more);
}

template <typename Enum, typename Parse>
Enum parse_choice(const char* flag, const std::string& value, Parse parse,
                  const std::string& choices) {
  const std::optional<Enum> parsed = parse(value);
  if (!parsed)
    throw UsageError(std::string(flag) + " " + value + ": unknown; choose one of " + choices);
  return *parsed;
}

// Turns the named choices into the architecture, which the library checks against the images.
Architecture architecture_of(const TrainArgs& args, Shape image) {
  const Cost cost = parse_choice<Cost>("--cost", args.cost, parse_cost,
                                       "quadratic, cross-entropy, log-likelihood");
  const Activation hidden = parse_choice<Activation>(
      "--hidden", args.hidden, parse_activation, "sigmoid, tanh, relu, identity");
  const std::string output_name =
      !args.output.empty() ? args.output : std::string(name(default_output(cost)));
  const Activation output = parse_choice<Activation>(
      "--output", output_name, parse_activation, "sigmoid, tanh, relu, identity, softmax");
  if (args.layers.empty()) {
    Architecture arch = Architecture::of(args.sizes, hidden, output, cost);
    if (const std::string problem = architecture_problem(arch); !problem.empty())
      throw UsageError("--hidden " + args.hidden + " --output " + output_name + " --cost " +
                       args.cost + ": " + problem);
    if (const OptionProblem problem = layer_sizes_problem(args.sizes, image.size()))
      refuse(problem, " for the images in " + args.data.dir);
    return arch;
  }
  Architecture arch;
  arch.input = image;
  arch.cost = cost;
  std::string problem;
  arch.layers = parse_layer_list(args.layers, hidden, output, &problem);
  if (!problem.empty()) throw UsageError("--layers " + args.layers + ": " + problem);
  if (const OptionProblem p = classifier_problem(arch, image))
    refuse(p, " (the images in " + args.data.dir + " are " + to_string(image) + ")");
  return arch;
}

// The options, and whether training is given the validation data.
struct TrainRequest {
  TrainOptions options;
  bool use_validation = false;
};

// Turns the named choices and the monitoring into the options, which the library checks.
TrainRequest options_of(const TrainArgs& args) {
  TrainRequest request;
  TrainOptions& options = request.options;
  options = args.options;
  options.seed = args.seed;
  options.optimizer.kind = parse_choice<OptimizerSettings::Kind>(
      "--optimizer", args.optimizer, parse_optimizer, "sgd, momentum, nesterov, adam");
  options.schedule.kind = parse_choice<ScheduleSettings::Kind>(
      "--schedule", args.schedule, parse_schedule, schedule_names());
  options.regularization =
      args.regularization.empty()
          ? implied_regularization(options.lambda)
          : parse_choice<Regularization::Kind>("--regularization", args.regularization,
                                               parse_regularization, "none, l2, l1");
  if (const OptionProblem problem = apply_monitor(options, args.monitor)) refuse(problem);
  if (const OptionProblem problem = train_options_problem(options)) refuse(problem);
  request.use_validation = wants_validation(options);
  return request;
}

// Everything that can be checked without the data, so that a bad flag fails before any work.
void validate(const TrainArgs& args) {
  if (args.layers.empty())
    if (const OptionProblem problem = layer_sizes_problem(args.sizes)) refuse(problem);
  if (const OptionProblem problem = preparation_problem(args.preparation)) refuse(problem);
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

// The run `args` ask for, checked (validate, the options, the architecture against the images'
// shape, the initialisation), its data not loaded yet.
TrainingPlan plan_of(const TrainArgs& args) {
  validate(args);
  TrainingPlan plan;
  const TrainRequest request = options_of(args);
  plan.options = request.options;
  plan.use_validation = request.use_validation;
  plan.arch = architecture_of(args, data_image_shape(args.data.dir));
  plan.init = parse_choice<Init>("--init", args.init, parse_init,
                                 "normal, scaled-normal, he, glorot");
  plan.preparation = args.preparation;
  plan.preparation.shift_augment = args.augment == "shift";
  plan.preparation.needs_validation = request.use_validation;
  plan.data = args.data;
  plan.test = !args.no_test;
  return plan;
}

void run(const TrainArgs& args) {
  const TrainingPlan plan = plan_of(args);
  const Architecture& arch = plan.arch;
  const TrainOptions& options = plan.options;
  if (!args.save.empty() && is_json_path(args.save))
    if (const std::string problem = network2_json_problem(arch); !problem.empty())
      throw UsageError("--save " + args.save + ": " + problem +
                       "; save to a binary model (a name not ending in .json)");
  const MnistSplit data = load_planned_data(plan);

  Network net(arch, args.seed, plan.init);
  const std::string fingerprint = options_fingerprint(net, options, data.training.size());
  std::optional<TrainState> resume;
  if (!args.resume_dir.empty()) {
    const auto file = std::filesystem::path(args.resume_dir) / "checkpoint.bin";
    Checkpoint checkpoint;
    try {
      checkpoint = load_checkpoint(file);
    } catch (const Error& e) {
      throw Error(std::string(e.what()) + " (read from --resume " + args.resume_dir + ")");
    }
    if (const std::string problem = resume_problem(checkpoint.state.options, fingerprint, flag_of);
        !problem.empty())
      throw UsageError("--resume " + args.resume_dir + ": " + problem);
    if (!checkpoint.state.stopped.empty())
      throw UsageError("--resume " + args.resume_dir + ": that run has ended (" +
                       checkpoint.state.stopped + "); nothing is left to train");
    if (checkpoint.state.epoch >= options.epochs && checkpoint.state.position == 0)
      throw UsageError("--resume " + args.resume_dir + ": the checkpoint has finished " +
                       std::to_string(checkpoint.state.epoch) + " epochs, and --epochs " +
                       std::to_string(options.epochs) +
                       " asks for no more; give a larger --epochs to train on");
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
  evaluation.validation = plan.use_validation ? &data.validation : nullptr;
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
    std::string message = std::string(e.what()) + " (--eta)";
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
  if (resume) {
    // The epochs' own training seconds are kept in the history, across every resume.
    double whole = 0;
    for (const EpochResult& r : report.epochs) whole += r.seconds;
    std::printf("Trained epochs %zu to %zu on %zu images in %.1f s (this run); all %zu epochs "
                "took %.1f s of training\n",
                resume->epoch, report.epochs.empty() ? 0 : report.epochs.back().epoch,
                data.training.size(), seconds, report.epochs.size(), whole);
  } else {
    std::printf("Trained %zu epochs on %zu images in %.1f s\n", report.epochs.size(),
                data.training.size(), seconds);
  }
  if (!args.save.empty()) {
    save_any_model(net, args.save);  // .onnx: ONNX (onnx_file.hpp)
    std::cout << "Saved the final network to " << args.save << std::endl;
  }
}

const OptionRange& range(const char* option) { return train_option_range(option); }

// The train command's flags on `app`, setting *args.
CLI::App* add_train_flags(CLI::App& app, const std::shared_ptr<TrainArgs>& args) {
  CLI::App* cmd = app.add_subcommand(
      "train", "Train a network on MNIST by mini-batch SGD (defaults: the seeds' canonical run)");
  // --recipe FILE belongs to the top-level app (CLI11 reads config files there only); it reaches
  // it from here through fallthrough, and the file's [train] section sets this command's flags.
  cmd->fallthrough();
  CLI::Option* sizes = add_number_list(*cmd, "--sizes", args->sizes, range("sizes"),
                                        "Neurons per layer, input to output (dense layers)");
  cmd->add_option("--layers", args->layers,
                  "The layers instead of --sizes, input to output: kind:N[xN...][:activation], "
                  "comma-separated, e.g. dense:100:relu,dense:10:softmax (activations default to "
                  "--hidden and, for the last, --output); the input is the images' shape. Kinds: "
                  "dense:N; conv:MAPSxK (KxK kernels, stride 1; :same pads); pool:P (PxP max); "
                  "norm (batch normalisation). "
                  "Any layer but the last may add :dropout=P")
      ->excludes(sizes);
  add_number(*cmd, "--epochs", args->options.epochs, range("epochs"),
             "Passes over the training data");
  add_number(*cmd, "--batch", args->options.mini_batch_size, range("mini_batch_size"),
             "Mini-batch size");
  add_number(*cmd, "--eta", args->options.eta, range("eta"), "Learning rate");
  add_number(*cmd, "--seed", args->seed, range("seed"),
             "Seed for the initial weights and the shuffling");
  add_number(*cmd, "--threads", args->options.threads, range("threads"),
             "Threads to use; 0 = all cores (small networks use one: it is faster)");
  add_data_option(*cmd, args->data);
  cmd->add_option("--save", args->save,
                  "Write the trained network to this model file (.json: network2.py's format; "
                  ".onnx: ONNX, as digitnet export writes it)");
  cmd->add_flag("--quiet", args->quiet,
                "Print only the summary at the end: no per-epoch lines, no progress bar (the bar "
                "is drawn only on a terminal anyway)");
  cmd->add_flag("--no-test", args->no_test,
                "Do not evaluate on the test set after each epoch (prints 'Epoch j complete')");
  add_number(*cmd, "--train-size", args->preparation.train_size, range("train_size"),
             "Train on only the first N training images (default: all)")
      ->default_str("");
  add_number(*cmd, "--test-size", args->preparation.test_size, range("test_size"),
             "Evaluate on only the first N test images (default: all)")
      ->default_str("");
  add_number_list(*cmd, "--digits", args->preparation.digits, range("digits"),
                  "Keep only these digits, e.g. 0,1");
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
  add_number(*cmd, "--lambda", args->options.lambda, range("lambda"),
             "Weight penalty λ (n = training images)");
  cmd->add_option("--regularization", args->regularization,
                  "Penalty: l2 (the default when --lambda is given), l1, none");
  add_number(*cmd, "--dropout", args->options.dropout, range("dropout"),
             "Probability of dropping each hidden neuron while training");
  cmd->add_option("--optimizer", args->optimizer, "sgd, momentum, nesterov, adam")
      ->capture_default_str();
  add_number(*cmd, "--momentum", args->options.optimizer.momentum, range("momentum"),
             "μ of momentum and nesterov");
  add_number(*cmd, "--beta1", args->options.optimizer.beta1, range("beta1"), "Adam's β1");
  add_number(*cmd, "--beta2", args->options.optimizer.beta2, range("beta2"), "Adam's β2");
  add_number(*cmd, "--epsilon", args->options.optimizer.epsilon, range("epsilon"), "Adam's ε");
  cmd->add_option("--schedule", args->schedule,
                  "Learning rate: constant; step (times --step-factor every --step-every "
                  "epochs); plateau (halve after --patience epochs without a better validation "
                  "accuracy, stop at eta/128); one-cycle (batch by batch: from eta/10 up to eta "
                  "over the run's first fifth, then down to eta/100 at its end)")
      ->capture_default_str();
  add_number(*cmd, "--step-every", args->options.schedule.every, range("step_every"),
             "Epochs between learning-rate steps, for --schedule step");
  add_number(*cmd, "--step-factor", args->options.schedule.factor, range("step_factor"),
             "What eta is multiplied by at each step, for --schedule step");
  add_number(*cmd, "--patience", args->options.schedule.patience, range("patience"),
             "Epochs, for --schedule plateau");
  add_number(*cmd, "--early-stopping", args->options.early_stopping, range("early_stopping"),
             "Stop after this many epochs without a better validation accuracy (0: off)");
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
  // Distortions drawn afresh every epoch (distort.hpp), in DistortSettings' order.
  DistortSettings& d = args->options.distort;
  const std::pair<double*, const char*> distortions[] = {
      {&d.rotation, "Each epoch, rotate every training image by up to this many degrees"},
      {&d.scale, "Each epoch, scale each axis by up to this fraction either way"},
      {&d.shear, "Each epoch, shear horizontally by up to this factor (tan of the angle)"},
      {&d.translation, "Each epoch, move by up to this many pixels along each axis"},
      {&d.elastic_alpha, "Each epoch, elastic distortion of this strength in pixels (Simard et "
                         "al. 2003: 34; needs --elastic-sigma)"},
      {&d.elastic_sigma, "The elastic distortion's smoothness: its Gaussian's sigma in pixels "
                         "(Simard et al.: 4)"},
  };
  for (std::size_t i = 0; i < std::size(distortions); ++i) {
    const OptionRange& r = distort_option_ranges()[i];
    add_number(*cmd, flag_of(std::string(r.option)), *distortions[i].first, r,
               distortions[i].second);
  }
  return cmd;
}

}  // namespace

MnistSplit load_planned_data(const TrainingPlan& plan) {
  try {
    MnistRequest request;
    request.test = plan.test;
    return prepare(load_data(plan.data, request), plan.preparation);
  } catch (const OptionError& e) {
    refuse(e.problem);
  }
}

TrainingPlan plan_training(const std::filesystem::path& recipe, std::vector<std::string> flags) {
  CLI::App app;
  app.set_config("--recipe");
  const auto args = std::make_shared<TrainArgs>();
  CLI::App* cmd = add_train_flags(app, args);
  app.allow_config_extras(CLI::config_extras_mode::error);
  cmd->allow_config_extras(CLI::config_extras_mode::error);
  flags.insert(flags.begin(), {"--recipe", recipe.string(), "train"});
  std::reverse(flags.begin(), flags.end());  // CLI11 takes a vector last argument first
  try {
    app.parse(flags);
  } catch (const CLI::ParseError& e) {
    throw UsageError(recipe.string() + ": " + e.what());
  }
  return plan_of(*args);
}

Command add_train_command(CLI::App& app) {
  auto args = std::make_shared<TrainArgs>();
  CLI::App* cmd = add_train_flags(app, args);
  return {cmd, [args] { run(*args); }};
}

}  // namespace digitnet::cli
