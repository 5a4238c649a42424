// Micro-benchmarks of the hot kernels at the sizes of bench/compare's work:
// (a) [784,30,10] batch 10, (b) [784,800,10] batch 100, (c) evaluating 10,000 test images.
// Run: ./build/release/bench/kernels_bench   (seconds; judge a change by these first)
// Multi-threaded cases are timed in real time (--benchmark_filter=.../2 for those alone).
#include <benchmark/benchmark.h>

#include <numeric>

#include "digitnet/data/batch.hpp"
#include "digitnet/data/distort.hpp"
#include "digitnet/inference/evaluation.hpp"
#include "digitnet/kernels/gemm.hpp"
#include "digitnet/kernels/kernels.hpp"
#include "digitnet/network/network.hpp"
#include "digitnet/training/optimizer.hpp"
#include "digitnet/core/random.hpp"

namespace {

using namespace digitnet;

// Each column of x a real MNIST training image drawn by rng (81% zero pixels, which the kernels
// skip where a whole slice is zero).
void fill_with_images(Matrix<float>& x, Rng& rng) {
  static const Dataset images = load_mnist(DIGITNET_SOURCE_DATA_DIR).training;
  std::vector<std::uint32_t> indices(static_cast<std::size_t>(x.cols()));
  for (auto& i : indices) i = static_cast<std::uint32_t>(rng.below(images.size()));
  fill_inputs<float>(images, indices, x);
}

// The input of fast-99's first convolution (images) or of its second (values in [0, 1)).
void fill_conv_input(bool second, Matrix<float>& x, Rng& rng) {
  if (!second) return fill_with_images(x, rng);
  for (Eigen::Index i = 0; i < x.size(); ++i) x.data()[i] = static_cast<float>(rng.uniform());
}

struct Setup {
  Setup(std::size_t hidden, std::size_t batch, int threads)
      : net({784, hidden, 10}, 1), nabla(net.sizes()) {
    ws = net.make_workspace(batch, threads);
    Rng rng(2);
    x = Matrix<float>(784, static_cast<Eigen::Index>(batch));
    fill_with_images(x, rng);
    y = Matrix<float>::Zero(10, static_cast<Eigen::Index>(batch));
    for (Eigen::Index j = 0; j < y.cols(); ++j) y(j % 10, j) = 1;
  }
  // Forward: 2·n_in·n_out per layer and example.
  double flops_per_example() const {
    double f = 0;
    for (std::size_t l = 0; l + 1 < net.sizes().size(); ++l)
      f += 2.0 * net.sizes()[l] * net.sizes()[l + 1];
    return f;
  }
  // Forward, ∇W of every layer, δ of every layer but the first (as bench/compare counts).
  double training_flops_per_example() const {
    return 2 * flops_per_example() + (flops_per_example() - 2.0 * net.sizes()[0] * net.sizes()[1]);
  }
  Network net;
  Parameters<float> nabla;
  Workspace<float> ws;
  Matrix<float> x, y;
};

void Forward(benchmark::State& state) {
  Setup s(static_cast<std::size_t>(state.range(0)), static_cast<std::size_t>(state.range(1)),
          static_cast<int>(state.range(2)));
  for (auto _ : state) benchmark::DoNotOptimize(s.net.feedforward(s.x, s.ws).data());
  state.counters["GFLOP/s"] = benchmark::Counter(s.flops_per_example() * state.range(1),
                                                 benchmark::Counter::kIsIterationInvariantRate);
}

void Backprop(benchmark::State& state) {
  Setup s(static_cast<std::size_t>(state.range(0)), static_cast<std::size_t>(state.range(1)),
          static_cast<int>(state.range(2)));
  for (auto _ : state) benchmark::DoNotOptimize(s.net.backprop(s.x, s.y, s.ws, s.nabla));
  state.counters["GFLOP/s"] = benchmark::Counter(s.training_flops_per_example() * state.range(1),
                                                 benchmark::Counter::kIsIterationInvariantRate);
}

// The fused step the trainer runs: backprop with the SGD update applied layer by layer.
void SgdStep(benchmark::State& state) {
  Setup s(static_cast<std::size_t>(state.range(0)), static_cast<std::size_t>(state.range(1)),
          static_cast<int>(state.range(2)));
  for (auto _ : state) benchmark::DoNotOptimize(s.net.sgd_step(s.x, s.y, s.ws, 1e-6f));
  state.counters["GFLOP/s"] = benchmark::Counter(s.training_flops_per_example() * state.range(1),
                                                 benchmark::Counter::kIsIterationInvariantRate);
}

void Update(benchmark::State& state) {
  Setup s(static_cast<std::size_t>(state.range(0)), static_cast<std::size_t>(state.range(1)),
          static_cast<int>(state.range(2)));
  for (auto _ : state) {
    sgd_update(s.net.parameters(), s.nabla, 3.0f, static_cast<std::size_t>(state.range(1)),
               static_cast<int>(state.range(2)));
    benchmark::ClobberMemory();
  }
}

// The forward kernel alone: the first layer of evaluation (30 x 784 weights, 256 images).
void DenseForwardKernel(benchmark::State& state) {
  const std::size_t n_out = 30, n_in = 784, m = 256;
  std::vector<float> w(n_out * n_in, 0.01f), b(n_out, 0.1f), a(n_in * m, 0.5f), z(n_out * m);
  for (auto _ : state) {
    dense_forward(w.data(), b.data(), a.data(), z.data(), n_out, n_in, m, n_out);
    benchmark::ClobberMemory();
  }
  state.counters["GFLOP/s"] =
      benchmark::Counter(2.0 * n_out * n_in * m, benchmark::Counter::kIsIterationInvariantRate);
}
BENCHMARK(DenseForwardKernel);

// The packed product alone, on one thread, at the shapes of one thread's share of (b):
// 0 = forward (Zᵀ = Aᵀ·Wᵀ: 100 x 400 x 784, W read along its rows, so packed by transposing),
// 1 = weight gradient (W += alpha·δ·Aᵀ: 400 x 784 x 100, accumulating). Second argument: the
// percentage of A's elements that are nonzero (at random places); MNIST's images have 19%, and
// below gemm's threshold A's rows are multiplied by their nonzero elements only. GFLOP/s counts
// the dense product's operations in every case.
void Gemm(benchmark::State& state) {
  const bool forward = state.range(0) == 0;
  const std::size_t m = forward ? 100 : 400, n = forward ? 400 : 784, k = forward ? 784 : 100;
  std::vector<float> a(m * k, 0.01f), b(k * n, 0.5f), c(m * n, 0.0f);
  Rng rng(5);
  for (float& x : a) x = rng.below(100) < static_cast<std::uint64_t>(state.range(1)) ? 0.5f : 0.0f;
  const Operand<float> a_op{a.data(), static_cast<std::ptrdiff_t>(k), 1};
  const Operand<float> b_op = forward ? Operand<float>{b.data(), 1, static_cast<std::ptrdiff_t>(k)}
                                      : Operand<float>{b.data(), static_cast<std::ptrdiff_t>(n), 1};
  for (auto _ : state) {
    gemm<float>(m, n, k, 1e-6f, a_op, b_op, c.data(), n, !forward);
    benchmark::ClobberMemory();
  }
  state.counters["GFLOP/s"] =
      benchmark::Counter(2.0 * m * n * k, benchmark::Counter::kIsIterationInvariantRate);
}
BENCHMARK(Gemm)->Args({0, 100})->Args({1, 100})->Args({0, 19})->Args({0, 35})->Args({0, 50});

void FillInputs(benchmark::State& state) {
  Dataset data;
  data.rows = data.cols = 28;
  data.pixels.resize(1000 * 784, 128);
  data.labels.resize(1000, 3);
  std::vector<std::uint32_t> indices(static_cast<std::size_t>(state.range(0)));
  std::iota(indices.begin(), indices.end(), 0u);
  Matrix<float> x(784, state.range(0));
  for (auto _ : state) {
    fill_inputs<float>(data, indices, x);
    benchmark::ClobberMemory();
  }
}

void Evaluate10k(benchmark::State& state) {
  Dataset data;
  data.rows = data.cols = 28;
  Rng rng(3);
  data.pixels.resize(10000 * 784);
  for (auto& p : data.pixels) p = static_cast<std::uint8_t>(rng.below(256));
  data.labels.resize(10000, 1);
  const Network net({784, 30, 10}, 1);
  Evaluator evaluator(net, static_cast<int>(state.range(0)));
  for (auto _ : state) benchmark::DoNotOptimize(evaluator.evaluate(data));
}

// One convolution layer's training work (forward, ∇W and δ to the layer below) at the sizes of
// recipes/fast-99.toml's layers, batch 128: a 1x1 pooling layer in front (a copy) makes the
// convolution pass δ down, and a dense softmax layer behind gives it its δ. GFLOP/s counts the
// convolution's three products only (2·maps·positions·patch each per example).
// Arguments: case (0: 1x28x28 → conv:24x5; 1: 24x12x12 → conv:32x3), threads.
void ConvTrain(benchmark::State& state) {
  const bool second = state.range(0) == 1;
  Architecture arch;
  arch.input = second ? Shape{24, 12, 12} : Shape{1, 28, 28};
  arch.cost = Cost::log_likelihood;
  std::string problem;
  arch.layers = parse_layer_list(second ? "pool:1,conv:32x3:relu,dense:10"
                                        : "pool:1,conv:24x5:relu,dense:10",
                                 Activation::relu, Activation::softmax, &problem);
  const Network net(arch, 1, Init::he);
  constexpr std::size_t batch = 128;
  Workspace<float> ws = net.make_workspace(batch, static_cast<int>(state.range(1)));
  Parameters<float> nabla(net.parameter_layout());
  Matrix<float> x(static_cast<Eigen::Index>(arch.input.size()), batch);
  Rng rng(2);
  fill_conv_input(second, x, rng);
  Matrix<float> y = Matrix<float>::Zero(10, batch);
  for (Eigen::Index j = 0; j < y.cols(); ++j) y(j % 10, j) = 1;
  for (auto _ : state) benchmark::DoNotOptimize(net.backprop(x, y, ws, nabla));
  const Shape out = net.layer(1).output_shape();
  const double flops = 3 * 2.0 * static_cast<double>(out.size() * net.layer(1).parameter_block().cols);
  state.counters["GFLOP/s"] = benchmark::Counter(flops * batch,
                                                 benchmark::Counter::kIsIterationInvariantRate);
}
BENCHMARK(ConvTrain)->ArgsProduct({{0, 1}, {1, 2}})->UseRealTime()->Unit(benchmark::kMillisecond);

// One convolution layer alone, forward (training: f'(z) as the network keeps it, none for ReLU)
// then backward, batch 128, at the sizes of the fast network: its first layer (1×28×28
// → 24 maps of 5×5: z and ∇W, no δ below it, as in the network) and its second (24×12×12 → 32
// maps of 3×3: z, ∇W and δ below);
// layers 2 and 3 are fast-99's two (16 maps of 5×5; 16×12×12 → 16 maps of 3×3, since the
// recipe of 2026-12-05's fourth session). GFLOP/s counts those products' multiply-adds ×2, on
// the output positions (the measure: a layer's forward + backward against the FP32
// peak, bench/peak_flops). Arguments: layer (0, 1, 2, 3), threads.
void ConvLayerTrain(benchmark::State& state) {
  struct Case {
    Shape input;
    const char* layers;
  };
  static constexpr Case cases[] = {{{1, 28, 28}, "conv:24x5:relu,dense:10"},
                                   {{24, 12, 12}, "conv:32x3:relu,dense:10"},
                                   {{1, 28, 28}, "conv:16x5:relu,dense:10"},
                                   {{16, 12, 12}, "conv:16x3:relu,dense:10"}};
  const Case& c = cases[state.range(0)];
  const bool second = c.input.channels > 1;  // a layer below it to pass δ to
  const int threads = static_cast<int>(state.range(1));
  Architecture arch;
  arch.input = c.input;
  arch.cost = Cost::log_likelihood;
  std::string problem;
  arch.layers = parse_layer_list(c.layers, Activation::relu, Activation::softmax, &problem);
  const Network net(arch, 1, Init::he);
  const Layer<float>& layer = net.layer(0);
  constexpr Eigen::Index batch = 128;
  const auto in = static_cast<Eigen::Index>(arch.input.size());
  const auto out = static_cast<Eigen::Index>(layer.output_shape().size());
  Matrix<float> x(in, batch), a(out, batch), d(out, batch), delta(out, batch);
  Matrix<float> input_delta(in, batch), input_derivative = Matrix<float>::Ones(in, batch);
  Matrix<float> scratch(static_cast<Eigen::Index>(layer.scratch_rows()), batch);
  Parameters<float> nabla(net.parameter_layout());
  Rng rng(2);
  fill_conv_input(second, x, rng);
  for (Eigen::Index i = 0; i < delta.size(); ++i)
    delta.data()[i] = static_cast<float>(rng.normal());
  for (auto _ : state) {
    run_team(threads, [&](Team team) {
      MatrixRef<float> derivative(d), below(input_delta);
      // (As the network trains it: a ReLU layer stores no f'(z), Layer::derivative_rule.)
      const bool stored = layer.derivative_rule() == DerivativeRule::stored;
      layer.forward(net.parameters(), {x, a, stored ? &derivative : nullptr, nullptr, &scratch},
                    team);
      team.barrier();
      BackwardArgs<float> args{x, delta};
      if (second) {
        args.input_delta = &below;
        args.input_derivative = &input_derivative;
      }
      args.target = &nabla;
      args.scratch = &scratch;
      layer.backward(net.parameters(), args, team);
    });
    benchmark::DoNotOptimize(nabla.as_vector().data());
  }
  const double products = second ? 3 : 2;
  state.counters["GFLOP/s"] = benchmark::Counter(
      products * layer.flops_per_example() * batch, benchmark::Counter::kIsIterationInvariantRate);
}
BENCHMARK(ConvLayerTrain)->ArgsProduct({{0, 1, 2, 3}, {1, 2}})->UseRealTime()->Unit(benchmark::kMillisecond);

// One 2 x 2 max-pooling layer alone, forward then backward (δ to the layer below by the ReLU
// rule, as a pooling layer above a ReLU convolution has it), batch 128, at the sizes of
// fast-99's two (16×24×24 and 16×8×8, half of the values zero as after ReLU). Items/s: examples.
// Arguments: layer (0, 1), threads.
void PoolLayerTrain(benchmark::State& state) {
  static constexpr Shape inputs[] = {{16, 24, 24}, {16, 8, 8}};
  const int threads = static_cast<int>(state.range(1));
  Architecture arch;
  arch.input = inputs[state.range(0)];
  arch.cost = Cost::log_likelihood;
  std::string problem;
  arch.layers =
      parse_layer_list("pool:2,dense:10", Activation::relu, Activation::softmax, &problem);
  const Network net(arch, 1, Init::he);
  const Layer<float>& layer = net.layer(0);
  constexpr Eigen::Index batch = 128;
  const auto in = static_cast<Eigen::Index>(arch.input.size());
  const auto out = static_cast<Eigen::Index>(layer.output_shape().size());
  Matrix<float> x(in, batch), a(out, batch), delta(out, batch), input_delta(in, batch);
  Matrix<float> scratch(static_cast<Eigen::Index>(layer.scratch_rows()), batch);
  Rng rng(2);
  for (Eigen::Index i = 0; i < x.size(); ++i)
    x.data()[i] = std::max(0.0f, static_cast<float>(rng.uniform()) - 0.5f);
  for (Eigen::Index i = 0; i < delta.size(); ++i)
    delta.data()[i] = static_cast<float>(rng.normal());
  for (auto _ : state) {
    run_team(threads, [&](Team team) {
      MatrixRef<float> below(input_delta);
      layer.forward(net.parameters(), {x, a, nullptr, nullptr, &scratch}, team);
      BackwardArgs<float> args{x, delta};
      args.input_delta = &below;
      args.input_rule = DerivativeRule::relu;
      args.scratch = &scratch;
      layer.backward(net.parameters(), args, team);
    });
    benchmark::DoNotOptimize(input_delta.data());
  }
  state.SetItemsProcessed(state.iterations() * batch);
}
BENCHMARK(PoolLayerTrain)
    ->ArgsProduct({{0, 1}, {1, 2}})
    ->UseRealTime()
    ->Unit(benchmark::kMicrosecond);

// One epoch's distortions of 1,000 real MNIST training images on one thread (the trainer runs
// distort_dataset on every core before each epoch): argument 0 affine only (cnn-best's
// rotation 10, scale and shear 0.1, shift 1), 1 elastic as well (rotation 12, scale and shear
// 0.12, elastic alpha 20 sigma 4). Items/s: images.
void DistortImages(benchmark::State& state) {
  static const Dataset images = [] {
    Dataset all = load_mnist(DIGITNET_SOURCE_DATA_DIR).training;
    all.pixels.resize(1000 * all.image_size());
    all.labels.resize(1000);
    return all;
  }();
  DistortSettings settings{.rotation = 10, .scale = 0.1, .shear = 0.1, .translation = 1};
  if (state.range(0) == 1)
    settings = {.rotation = 12, .scale = 0.12, .shear = 0.12, .elastic_alpha = 20,
                .elastic_sigma = 4};
  std::uint64_t seed = 1;
  for (auto _ : state) {
    const Dataset distorted = distort_dataset(images, settings, seed++, 1);
    benchmark::DoNotOptimize(distorted.pixels.data());
  }
  state.SetItemsProcessed(state.iterations() * static_cast<std::int64_t>(images.size()));
}
BENCHMARK(DistortImages)->Arg(0)->Arg(1)->Unit(benchmark::kMillisecond);

// The work of bench/compare's (a) and (b), on 1 and 2 threads.
// Arguments: hidden neurons, batch size, threads.
void at_compare_sizes(benchmark::internal::Benchmark* b) {
  b->UseRealTime()->ArgsProduct({{30}, {10}, {1, 2}})->ArgsProduct({{800}, {100}, {1, 2}});
}
BENCHMARK(Forward)->Apply(at_compare_sizes);
BENCHMARK(Backprop)->Apply(at_compare_sizes);
BENCHMARK(SgdStep)->Apply(at_compare_sizes);
BENCHMARK(Update)->Apply(at_compare_sizes);
BENCHMARK(FillInputs)->Arg(10)->Arg(100);
BENCHMARK(Evaluate10k)->Arg(1)->Arg(2)->Unit(benchmark::kMillisecond)->UseRealTime();

}  // namespace

BENCHMARK_MAIN();
