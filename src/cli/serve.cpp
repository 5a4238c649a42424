// digitnet serve: the drawing page, the learning page and the JSON API (src/serve/server.hpp)
// on a model file, or on the default model, trained once from the embedded recipes/reader.toml
// and cached. The recipes the learning page offers are the shipped ones, planned here by
// `digitnet train`'s own rules (plan_training) and limited in size.
#include <malloc.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <memory>

#include "command.hpp"
#include "model_check.hpp"
#include "number_option.hpp"
#include "progress_bar.hpp"
#include "digitnet/files/model_file.hpp"
#include "digitnet/network/layer_spec.hpp"
#include "serve/embedded_files.hpp"
#include "serve/server.hpp"

namespace digitnet::cli {
namespace {

struct ServeArgs {
  std::vector<std::string> models;
  std::string host = "127.0.0.1";
  int port = 8080;
  std::size_t workers = 64;
  double min_confidence = default_min_confidence;
  DataArgs data;
};

// The recipe the default model is trained with.
constexpr const char* default_recipe = "reader.toml";

// Where the default model is cached: $DIGITNET_CACHE_DIR, else $XDG_CACHE_HOME/digitnet, else
// ~/.cache/digitnet; named after the version that trained it.
std::filesystem::path default_model_path() {
  std::filesystem::path dir;
  if (const char* d = std::getenv("DIGITNET_CACHE_DIR"); d != nullptr && *d != '\0') dir = d;
  else if (const char* x = std::getenv("XDG_CACHE_HOME"); x != nullptr && *x != '\0')
    dir = std::filesystem::path(x) / "digitnet";
  else if (const char* h = std::getenv("HOME"); h != nullptr && *h != '\0')
    dir = std::filesystem::path(h) / ".cache" / "digitnet";
  else
    throw UsageError("no cache folder for the default model ($HOME is not set); give --model FILE "
                     "or set DIGITNET_CACHE_DIR");
  return dir / ("reader-" DIGITNET_VERSION ".model");
}

// The plan of an embedded recipe: written to a temporary file for CLI11's config reader (at
// start-up, never for a request), planned by train's rules, the file removed.
TrainingPlan plan_embedded(const serve::EmbeddedFile& recipe, std::vector<std::string> flags,
                           const DataArgs& data) {
  std::string path = (std::filesystem::temp_directory_path() / "digitnet-recipe-XXXXXX").string();
  const int fd = mkstemp(path.data());
  if (fd < 0) throw Error("cannot create a temporary file for the recipe " + std::string(recipe.name));
  const bool written = write(fd, recipe.bytes.data(), recipe.bytes.size()) ==
                       static_cast<ssize_t>(recipe.bytes.size());
  close(fd);
  flags.insert(flags.end(), {"--data", data.dir});
  try {
    if (!written) throw Error("cannot write the temporary recipe file " + path);
    TrainingPlan plan = plan_training(path, std::move(flags));
    std::filesystem::remove(path);
    return plan;
  } catch (...) {
    std::filesystem::remove(path);
    throw;
  }
}

// Set by the first Ctrl-C or SIGTERM while the default model trains.
std::atomic<bool> training_stopped{false};

// The default model: the cached file, or trained now (progress on the terminal) and cached.
serve::ServedModel default_model(const DataArgs& data) {
  const std::filesystem::path path = default_model_path();
  serve::ServedModel model;
  model.recipe = std::string("recipes/") + default_recipe;
  model.names = {path.filename().string()};
  if (std::filesystem::exists(path)) {
    model.models.push_back(load_model_flag(path.string()));
    std::printf("Using the default model %s (trained by %s)\n", path.c_str(), model.recipe.c_str());
    return model;
  }
  if (data.dir.empty())
    throw UsageError("no MNIST folder found to train the default model on; give --data DIR, or "
                     "--model FILE");
  std::printf("No default model yet: training one with %s (about a minute on 2 cores; once, "
              "then cached in %s)\n", model.recipe.c_str(), path.c_str());
  std::fflush(stdout);
  const TrainingPlan plan =
      plan_embedded(*serve::find_file(serve::recipe_files(), default_recipe), {}, data);
  const MnistSplit split = load_planned_data(plan);
  Network net(plan.arch, plan.options.seed, plan.init);
  ProgressBar progress(true);
  TrainControl control;
  control.stop = &training_stopped;
  EvaluationData evaluation;
  evaluation.validation = plan.use_validation ? &split.validation : nullptr;
  evaluation.test = &split.test;
  const TrainReport report = train(
      net, split.training, plan.options, evaluation,
      [&](const EpochResult& r) {
        progress.clear();
        std::printf("Epoch %zu: %zu / %zu\n", r.epoch, r.correct.value_or(0), r.total);
        std::fflush(stdout);
      },
      [&](std::size_t epoch, std::size_t done, std::size_t total) { progress.update(epoch, done, total); },
      control);
  progress.clear();
  if (report.stop_reason == "interrupted") throw Interrupted("interrupted; nothing was cached");
  std::error_code ec;
  std::filesystem::create_directories(path.parent_path(), ec);
  if (ec)
    throw Error(path.parent_path().string() + ": cannot create the cache folder (" + ec.message() +
                "); set DIGITNET_CACHE_DIR or give --model FILE");
  save_model(net, path);
  std::printf("Cached the default model in %s\n", path.c_str());
  model.models.push_back(std::move(net));
  return model;
}

// The learning page's runs: every shipped recipe that train plans without complaint, limited to
// learn_max_epochs epochs on learn_max_images images, smallest network first.
std::vector<serve::LearnPlan> learn_plans(const DataArgs& data) {
  std::vector<std::pair<std::size_t, serve::LearnPlan>> plans;
  for (const serve::EmbeddedFile& recipe : serve::recipe_files()) {
    TrainingPlan plan;
    try {
      plan = plan_embedded(recipe, {}, data);
    } catch (const std::exception& e) {
      std::fprintf(stderr, "digitnet serve: the learning page leaves out %.*s: %s\n",
                   static_cast<int>(recipe.name.size()), recipe.name.data(), e.what());
      continue;
    }
    plan.options.epochs = std::min(plan.options.epochs, serve::learn_max_epochs);
    if (plan.preparation.train_size == 0 || plan.preparation.train_size > serve::learn_max_images)
      plan.preparation.train_size = serve::learn_max_images;
    plan.preparation.test_size = serve::learn_test_images;
    plan.test = true;
    serve::LearnPlan learn;
    learn.recipe = std::string(recipe.name.substr(0, recipe.name.size() - 5));  // no ".toml"
    learn.summary = to_string(plan.arch.layers) + "; " + std::to_string(plan.options.epochs) +
                    " epochs on " + std::to_string(plan.preparation.train_size) + " images" +
                    (plan.preparation.shift_augment ? " (and their shifts)" : "");
    learn.arch = plan.arch;
    learn.options = plan.options;
    learn.init = plan.init;
    learn.use_validation = plan.use_validation;
    learn.load = [plan] { return load_planned_data(plan); };
    const std::size_t size = Network(plan.arch).parameters().size();
    plans.emplace_back(size, std::move(learn));
  }
  std::stable_sort(plans.begin(), plans.end(),
                   [](const auto& a, const auto& b) { return a.first < b.first; });
  std::vector<serve::LearnPlan> out;
  for (auto& [size, plan] : plans) out.push_back(std::move(plan));
  return out;
}

std::atomic<serve::DigitServer*> running_server{nullptr};

void run(const ServeArgs& args) {
  // Two malloc arenas, not glibc's 8 per core: with 64 worker threads each taking its own
  // arena, every arena grew to the largest picture it had prepared, and the resident memory
  // climbed by a megabyte or two per 20,000 large-picture requests; with two it stays flat, at
  // the same rate (docs/benchmarks.md, "The server under load").
  mallopt(M_ARENA_MAX, 2);
  // Before any thread starts: Ctrl-C and SIGTERM come to the watcher (a second one ends at once).
  std::atomic<int> signals{0};
  serve::SignalWatcher watcher([&](int) {
    if (signals.fetch_add(1) > 0) std::_Exit(130);
    std::fprintf(stderr, "\nStopping (the requests in flight finish first; Ctrl-C again ends at once)\n");
    training_stopped = true;
    if (serve::DigitServer* server = running_server.load()) server->stop();
  });
  serve::ServedModel model;
  if (args.models.empty()) {
    model = default_model(args.data);
  } else {
    model.models = load_models_flag(args.models);
    for (const std::string& path : args.models)
      model.names.push_back(std::filesystem::path(path).filename().string());
  }
  Dataset test;
  if (!args.data.dir.empty()) {
    try {
      test = load_data(args.data, needs_split("test")).test;
    } catch (const Error& e) {
      std::fprintf(stderr, "digitnet serve: no test digits on the pages: %s\n", e.what());
    }
  }
  std::unique_ptr<serve::LearnSession> learn;
  if (!args.data.dir.empty()) learn = std::make_unique<serve::LearnSession>(learn_plans(args.data));
  serve::ServeOptions options;
  options.host = args.host;
  options.port = args.port;
  options.workers = args.workers;
  options.min_confidence = args.min_confidence;
  serve::DigitServer server(std::move(model), std::move(test), learn.get(), options);
  const int port = server.bind();
  running_server = &server;
  if (signals > 0) server.stop();
  const bool loopback = args.host == "127.0.0.1" || args.host == "localhost" || args.host == "::1";
  if (!loopback)
    std::printf("Warning: listening on %s: anyone who can reach this machine can use the pages\n",
                args.host.c_str());
  std::printf("Serving on http://%s:%d/ (draw a digit) and http://%s:%d/learn (watch one learn); "
              "Ctrl-C stops\n", args.host.c_str(), port, args.host.c_str(), port);
  std::fflush(stdout);
  server.serve();
  running_server = nullptr;
  if (learn) learn->stop();
  std::printf("Stopped\n");
}

}  // namespace

Command add_serve_command(CLI::App& app) {
  auto args = std::make_shared<ServeArgs>();
  CLI::App* cmd = app.add_subcommand(
      "serve", "Serve the drawing page, the learning page and the JSON API (docs/api.md)");
  cmd->add_option("--model", args->models,
                  "Model file(s) to answer with; repeat for an ensemble (default: a model trained "
                  "once from recipes/reader.toml and cached in ~/.cache/digitnet)")
      ->multi_option_policy(CLI::MultiOptionPolicy::TakeAll)
      ->expected(1)
      ->allow_extra_args(false);
  cmd->add_option("--host", args->host,
                  "Address to listen on; 0.0.0.0 for every interface (others can then reach it)")
      ->capture_default_str();
  add_number(*cmd, "--port", args->port, {"port", true, 0, 65535, true, true, "0 for any free port"},
             "Port to listen on");
  add_number(*cmd, "--workers", args->workers,
             {"workers", true, 1, 1024, true, true, "connections served at once"},
             "Threads serving connections (each one connection at a time)");
  add_number(*cmd, "--min-confidence", args->min_confidence,
             {"min_confidence", false, 0, 1, true, true, ""},
             "Below this probability the answer is 'not sure'");
  args->data.dir = default_data_dir();
  cmd->add_option("--data", args->data.dir,
                  "MNIST folder for the test digits and the learning page (default: the bundled one)")
      ->capture_default_str();
  return {cmd, [args] { run(*args); }};
}

}  // namespace digitnet::cli
