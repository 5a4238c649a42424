// Times whole training epochs and test-set evaluations of digitnet on MNIST, printing one JSON
// line per epoch in the format of bench/reference/*.py, for bench/compare.
#include <CLI/CLI.hpp>
#include <chrono>
#include <cstdio>

#include "digitnet/data/dataset.hpp"
#include "digitnet/inference/evaluation.hpp"
#include "digitnet/kernels/kernel_path.hpp"
#include "digitnet/training/trainer.hpp"

int main(int argc, char** argv) {
  std::vector<std::size_t> sizes = {784, 30, 10};
  digitnet::TrainOptions options;
  options.epochs = 1;
  std::string data = "data/mnist";
  std::size_t train_size = 0;
  int eval_repeats = 5;
  CLI::App app{"Times digitnet's training epochs and test-set evaluation"};
  app.add_option("--sizes", sizes)->delimiter(',');
  app.add_option("--epochs", options.epochs);
  app.add_option("--batch", options.mini_batch_size);
  app.add_option("--eta", options.eta);
  app.add_option("--seed", options.seed);
  app.add_option("--threads", options.threads);
  app.add_option("--data", data);
  app.add_option("--train-size", train_size);
  app.add_option("--eval-repeats", eval_repeats, "Evaluations per epoch; the fastest is printed");
  CLI11_PARSE(app, argc, argv);

  digitnet::MnistSplit mnist = digitnet::load_mnist(data);
  if (train_size > 0) mnist.training = digitnet::slice(mnist.training, 0, train_size);
  digitnet::Network net(sizes, options.seed);
  digitnet::Evaluator evaluator(net, options.threads);
  digitnet::sgd(net, mnist.training, options, nullptr, [&](const digitnet::EpochResult& r) {
    double best = 1e9;
    std::size_t correct = 0;
    for (int i = 0; i < eval_repeats; ++i) {
      const auto start = std::chrono::steady_clock::now();
      correct = evaluator.evaluate(mnist.test);
      best = std::min(
          best, std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
    }
    std::printf(
        "{\"epoch\": %zu, \"seconds\": %.6f, \"correct\": %zu, \"total\": %zu, \"eval_seconds\": "
        "%.6f, \"kernels\": \"%s\"}\n",
        r.epoch, r.seconds, correct, mnist.test.size(), best,
        digitnet::kernel_path_name(digitnet::kernel_path()));
    std::fflush(stdout);
  });
}
