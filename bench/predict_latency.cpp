// The latency an embedder sees: one picture at a time through digitnet::Predictor
// (predict_pixels), in process, warmed, for the seeds' [784,30,10] and the wide [784,800,10]
// networks. The weights are freshly drawn from a fixed seed (a forward pass costs the same
// whatever their values); the inputs cycle through the MNIST test images.
//
// Prints one JSON line per model, in the format of bench/reference/torch_latency.py:
//   {"model": "784-30-10", "p50_us", "p99_us", "mean_us", "calls"}
// each call timed on its own with std::chrono::steady_clock (percentiles by nearest rank).
//
//   predict_latency [--data data/mnist] [--calls 20000] [--warmup 1000] [--seed 1]
#include <CLI/CLI.hpp>
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <string>
#include <vector>

#include "digitnet/data/dataset.hpp"
#include "digitnet/inference/predictor.hpp"
#include "digitnet/network/network.hpp"

namespace {

std::string model_name(const std::vector<std::size_t>& sizes) {
  std::string name;
  for (std::size_t size : sizes) name += (name.empty() ? "" : "-") + std::to_string(size);
  return name;
}

// The value at percentile p (0-100) of sorted `v`, by nearest rank.
double percentile(const std::vector<double>& sorted, double p) {
  const auto n = sorted.size();
  auto rank = static_cast<std::size_t>(std::ceil(p / 100.0 * static_cast<double>(n)));
  rank = std::clamp<std::size_t>(rank, 1, n);
  return sorted[rank - 1];
}

}  // namespace

int main(int argc, char** argv) {
  std::string data = "data/mnist";
  std::size_t calls = 20000;
  std::size_t warmup = 1000;
  std::uint64_t seed = 1;
  CLI::App app{"Times digitnet::Predictor::predict_pixels, one MNIST test image per call"};
  app.add_option("--data", data, "The MNIST folder (its t10k pair is read)");
  app.add_option("--calls", calls, "Timed calls per model")->check(CLI::PositiveNumber);
  app.add_option("--warmup", warmup, "Untimed calls per model before them");
  app.add_option("--seed", seed, "Seed of the networks' initial weights");
  CLI11_PARSE(app, argc, argv);

  digitnet::MnistRequest request;
  request.training = false;
  const digitnet::Dataset test = digitnet::load_mnist(data, request).test;
  if (test.size() == 0) {
    std::fprintf(stderr, "predict_latency: no test images in %s\n", data.c_str());
    return 1;
  }

  const std::vector<std::vector<std::size_t>> models = {{784, 30, 10}, {784, 800, 10}};
  for (const auto& sizes : models) {
    const digitnet::Predictor predictor(digitnet::Network(sizes, seed));
    std::size_t next = 0;
    volatile int digits = 0;  // every answer is used, so no call can be dropped
    for (std::size_t i = 0; i < warmup; ++i) {
      digits = digits + predictor.predict_pixels(test.image(next)).digit;
      next = (next + 1) % test.size();
    }
    std::vector<double> micros(calls);
    for (std::size_t i = 0; i < calls; ++i) {
      const auto image = test.image(next);
      const auto start = std::chrono::steady_clock::now();
      const digitnet::Reading reading = predictor.predict_pixels(image);
      const auto stop = std::chrono::steady_clock::now();
      digits = digits + reading.digit;
      micros[i] = std::chrono::duration<double, std::micro>(stop - start).count();
      next = (next + 1) % test.size();
    }
    double total = 0;
    for (double m : micros) total += m;
    std::sort(micros.begin(), micros.end());
    std::printf(
        "{\"model\": \"%s\", \"p50_us\": %.3f, \"p99_us\": %.3f, \"mean_us\": %.3f, \"calls\": "
        "%zu}\n",
        model_name(sizes).c_str(), percentile(micros, 50), percentile(micros, 99),
        total / static_cast<double>(calls), calls);
    std::fflush(stdout);
  }
}
