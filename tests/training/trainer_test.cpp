// Tests of the training loop: it learns, it repeats itself for a seed, it handles short batches.
#include "digitnet/training/trainer.hpp"

#include <gtest/gtest.h>

#include "digitnet/inference/evaluation.hpp"
#include "digitnet/training/optimizer.hpp"
#include "digitnet/training/schedule.hpp"
#include "digitnet/core/random.hpp"
#include "digitnet/data/dataset.hpp"
#include "digitnet/kernels/kernel_path.hpp"

#define PINNED_SMALL_COUNTS 464, 641
#define PINNED_SMALL_HASH 18026092497409245197ull
#define PINNED_LARGE_COUNTS 167, 190
#define PINNED_LARGE_HASH 15385191815818125391ull

namespace digitnet {
namespace {

// 2-pixel "images": the label is 1 when the first pixel is the brighter, else 0.
Dataset brighter_pixel_data(std::size_t count) {
  Dataset data;
  data.rows = 1;
  data.cols = 2;
  std::uint32_t state = 12345;
  for (std::size_t i = 0; i < count; ++i) {
    state = state * 1664525u + 1013904223u;
    const auto left = static_cast<std::uint8_t>(state >> 24);
    const auto right = static_cast<std::uint8_t>(state >> 16);
    data.pixels.push_back(left);
    data.pixels.push_back(right);
    data.labels.push_back(left > right ? 1 : 0);
  }
  return data;
}

// `count` 28×28 images of uniform noise drawn from `seed`, labelled 0, 1, …, 9 in turn.
Dataset noise_images(int count, std::uint64_t seed) {
  Dataset data;
  data.rows = data.cols = 28;
  Rng rng(seed);
  for (int i = 0; i < count * 784; ++i)
    data.pixels.push_back(static_cast<std::uint8_t>(rng.below(256)));
  for (int i = 0; i < count; ++i) data.labels.push_back(static_cast<std::uint8_t>(i % 10));
  return data;
}

TEST(Sgd, LearnsASimpleRuleAndReportsEachEpoch) {
  const Dataset training = brighter_pixel_data(600);
  const Dataset test = brighter_pixel_data(200);
  Network net({2, 4, 10}, 1);
  const std::size_t before = evaluate(net, test);
  TrainOptions options;
  options.epochs = 20;
  options.mini_batch_size = 7;  // 600 = 85*7 + 5: exercises the short last batch
  options.eta = 3.0f;
  std::vector<std::size_t> seen;
  const auto results =
      sgd(net, training, options, &test, [&](const EpochResult& r) { seen.push_back(r.epoch); });
  ASSERT_EQ(results.size(), 20u);
  EXPECT_EQ(seen.front(), 0u);
  EXPECT_EQ(seen.back(), 19u);
  EXPECT_EQ(results.back().total, 200u);
  EXPECT_GE(*results.back().correct, 190u) << "started at " << before;
  EXPECT_LT(results.back().training_cost, results.front().training_cost);
}

TEST(Sgd, SameSeedGivesBitIdenticalWeights) {
  const Dataset training = brighter_pixel_data(300);
  TrainOptions options;
  options.epochs = 3;
  Network a({2, 5, 10}, 9), b({2, 5, 10}, 9), c({2, 5, 10}, 9);
  sgd(a, training, options);
  sgd(b, training, options);
  options.seed = 2;  // other shuffling
  sgd(c, training, options);
  EXPECT_TRUE(a.parameters().as_vector() == b.parameters().as_vector());
  EXPECT_FALSE(a.parameters().as_vector() == c.parameters().as_vector());
}

TEST(Sgd, LargeNetworksSplitRowsAmongThreadsWithTheSameResult) {
  // [784, 800, 10] with batch 20 is large enough for two threads to share every layer by rows
  // (make_workspace). The products sum each element in an order that does not depend on the
  // band (gemm.hpp), and the sigmoid computes every element by one formula (kernels.hpp), so
  // the weights agree bit for bit. (Eigen's exp, used before, computed the elements it could not
  // fit into whole vectors with expf and they differed in the last bit.)
  const Dataset data = noise_images(60, 4);
  Network one({784, 800, 10}, 5), two({784, 800, 10}, 5);
  ASSERT_EQ(two.make_workspace(20, 2).threads, 2);
  TrainOptions options;
  options.epochs = 1;
  options.mini_batch_size = 20;
  options.threads = 1;
  sgd(one, data, options);
  options.threads = 2;
  sgd(two, data, options);
  EXPECT_TRUE(one.parameters().as_vector() == two.parameters().as_vector());
  EXPECT_TRUE(one.parameters().as_vector() != Network({784, 800, 10}, 5).parameters().as_vector());
}

TEST(Train, EveryOptimiserAndPenaltyGivesTheSameWeightsOnOneThreadAndTwo) {
  // The updates run by the threads' bands of rows, which start and end anywhere in a vector:
  // every weight must get the same arithmetic wherever its band puts it. Adam as Eigen
  // statements did not (its multiply-adds were fused in one place and not the other), and one
  // thread and two trained other networks. Layers of odd sizes, He weights (whose small
  // gradients let Adam's ε show every bit), two epochs.
  const Dataset data = noise_images(80, 8);
  const auto arch = Architecture::of({784, 301, 97, 10}, Activation::relu, Activation::softmax,
                                     Cost::log_likelihood);
  ASSERT_EQ(Network(arch, 1, Init::he).make_workspace(20, 2).threads, 2);
  for (const auto kind : {OptimizerSettings::Kind::momentum, OptimizerSettings::Kind::nesterov,
                          OptimizerSettings::Kind::adam})
    for (const auto penalty : {Regularization::Kind::none, Regularization::Kind::l2,
                               Regularization::Kind::l1}) {
      TrainOptions options;
      options.epochs = 2;
      options.mini_batch_size = 20;
      options.optimizer.kind = kind;
      options.eta = kind == OptimizerSettings::Kind::adam ? 0.001f : 0.01f;
      options.regularization = penalty;
      options.lambda = penalty == Regularization::Kind::none ? 0.0 : 5.0;
      Network one(arch, 1, Init::he), two(arch, 1, Init::he);
      options.threads = 1;
      train(one, data, options);
      options.threads = 2;
      train(two, data, options);
      EXPECT_TRUE(one.parameters().as_vector() == two.parameters().as_vector())
          << name(kind) << " " << name(penalty);
    }
}

TEST(Sgd, ConvolutionalNetworksSplitExamplesAmongThreadsWithTheSameResult) {
  // Convolution and pooling take whole examples per thread, and the convolution's weight
  // gradient bands of maps, or, when all the maps fit in one vector (6 maps on either path, 16
  // with 512-bit vectors), slices of the positions, whose sums are then added up in order: one
  // thread and two agree bit for bit, with the plain fused step and with a penalty and momentum
  // (the penalty shrinks each band before the team adds to the weights).
  const Dataset data = noise_images(40, 6);
  Architecture arch;
  arch.input = {1, 28, 28};
  arch.cost = Cost::log_likelihood;
  std::string problem;
  arch.layers = parse_layer_list("conv:6x5:relu,pool:2,conv:16x3:relu:same,pool:2,dense:10",
                                 Activation::relu, Activation::softmax, &problem);
  ASSERT_EQ(architecture_problem(arch), "");
  for (const bool momentum_and_penalty : {false, true}) {
    Network one(arch, 5, Init::he), two(arch, 5, Init::he);
    ASSERT_EQ(two.make_workspace(20, 2).threads, 2);
    TrainOptions options;
    options.epochs = 1;
    options.mini_batch_size = 20;
    options.eta = 0.05;
    if (momentum_and_penalty) {
      options.optimizer.kind = OptimizerSettings::Kind::momentum;
      options.regularization = Regularization::Kind::l2;
      options.lambda = 5.0;
    }
    options.threads = 1;
    train(one, data, options);
    options.threads = 2;
    train(two, data, options);
    EXPECT_TRUE(one.parameters().as_vector() == two.parameters().as_vector())
        << (momentum_and_penalty ? "momentum and L2" : "SGD");
    EXPECT_TRUE(one.parameters().as_vector() !=
                Network(arch, 5, Init::he).parameters().as_vector());
  }
}

// FNV-1a of the parameters' bytes.
std::uint64_t weights_hash(const Network& net) {
  const auto v = net.parameters().as_vector();
  std::uint64_t h = 14695981039346656037ull;
  const auto* bytes = reinterpret_cast<const unsigned char*>(v.data());
  for (std::size_t i = 0; i < static_cast<std::size_t>(v.size()) * sizeof(float); ++i)
    h = (h ^ bytes[i]) * 1099511628211ull;
  return h;
}

// Short runs on real MNIST whose results are pinned: the correct counts after each epoch and a
// hash of the final weights, on every kernel path this CPU has. Every x86-64 machine with AVX2
// and FMA must print these (docs/design.md, "The same numbers on every machine"); a change of
// kernel, blocking or formula that moves one bit fails here. The seeds' network with its batch
// of 10 (the small-batch kernels), and [784, 100, 10] with batch 50 on two threads (the packed
// product, sparse and zero-row paths, bands of rows).
TEST(Sgd, PinnedShortRunsGiveTheSameNumbersOnEveryKernelPath) {
#if !defined(__FMA__)
  GTEST_SKIP() << "the pinned numbers are those of x86-64-v3 builds (fused multiply-adds); this "
                  "build (the portable preset) rounds a·b + c twice, so its numbers differ";
#endif
  const MnistSplit mnist = load_mnist(DIGITNET_SOURCE_DATA_DIR);
  const Dataset training = slice(mnist.training, 0, 3000), test = slice(mnist.test, 0, 1000);
  struct Run {
    std::vector<std::size_t> sizes;
    std::size_t batch;
    int threads;
    std::vector<std::size_t> correct;
    std::uint64_t hash;
  };
  const Run runs[] = {{{784, 30, 10}, 10, 1, {PINNED_SMALL_COUNTS}, PINNED_SMALL_HASH},
                      {{784, 100, 10}, 50, 2, {PINNED_LARGE_COUNTS}, PINNED_LARGE_HASH}};
  const KernelPath before = kernel_path();
  for (KernelPath path : available_kernel_paths()) {
    set_kernel_path(path);
    for (const Run& run : runs) {
      Network net(run.sizes, 1);
      TrainOptions options;
      options.epochs = 2;
      options.mini_batch_size = run.batch;
      options.threads = run.threads;
      std::vector<std::size_t> correct;
      for (const EpochResult& r : sgd(net, training, options, &test)) correct.push_back(*r.correct);
      EXPECT_EQ(correct, run.correct) << kernel_path_name(path) << " " << run.sizes[1];
      EXPECT_EQ(weights_hash(net), run.hash) << kernel_path_name(path) << " " << run.sizes[1];
    }
  }
  set_kernel_path(before);
}

TEST(Sgd, SmallNetworksRunOnOneThread) {
  const Network net({784, 30, 10}, 1);
  EXPECT_EQ(net.make_workspace(10, 2).threads, 1);
}

TEST(Sgd, WithoutTestDataReportsNoAccuracy) {
  Network net({2, 3, 10}, 1);
  TrainOptions options;
  options.epochs = 1;
  const auto results = sgd(net, brighter_pixel_data(20), options);
  ASSERT_EQ(results.size(), 1u);
  EXPECT_FALSE(results[0].correct.has_value());
}

TEST(Sgd, BatchLargerThanTheDataIsOneBatch) {
  Network net({2, 3, 10}, 1), reference({2, 3, 10}, 1);
  TrainOptions options;
  options.epochs = 1;
  options.mini_batch_size = 1000;
  const Dataset data = brighter_pixel_data(5);
  sgd(net, data, options);
  // One full-batch step: the order does not matter, so it equals a plain step on all 5.
  Matrix<float> x(2, 5), y = Matrix<float>::Zero(10, 5);
  for (Eigen::Index j = 0; j < 5; ++j) {
    x(0, j) = data.pixels[2 * j] / 255.0f;
    x(1, j) = data.pixels[2 * j + 1] / 255.0f;
    y(data.labels[j], j) = 1;
  }
  Workspace<float> ws = reference.make_workspace(5);
  Parameters<float> nabla(reference.sizes());
  reference.backprop(x, y, ws, nabla);
  sgd_update(reference.parameters(), nabla, 3.0f, 5);
  EXPECT_LT(
      (net.parameters().as_vector() - reference.parameters().as_vector()).cwiseAbs().maxCoeff(),
      1e-6f);
}

TEST(Xor, A231NetworkLearnsXor) {
  // The classic check that a hidden layer lets the network learn what no single neuron can:
  // full-batch gradient descent on the four XOR cases.
  NetworkD net({2, 3, 1}, 2);
  Matrix<double> x(2, 4), y(1, 4);
  x << 0, 0, 1, 1, 0, 1, 0, 1;
  y << 0, 1, 1, 0;
  Workspace<double> ws = net.make_workspace(4);
  Parameters<double> nabla(net.sizes());
  for (int step = 0; step < 5000; ++step) {
    net.backprop(x, y, ws, nabla);
    sgd_update(net.parameters(), nabla, 3.0, 4);
  }
  const Matrix<double> out = net.feedforward(x);
  EXPECT_LT(out(0, 0), 0.1);
  EXPECT_GT(out(0, 1), 0.9);
  EXPECT_GT(out(0, 2), 0.9);
  EXPECT_LT(out(0, 3), 0.1);
}

TEST(Predict, IsTheArgmaxOfTheOutputs) {
  Network net({2, 10});
  net.parameters().biases(0)(6) = 5.0f;
  const std::vector<std::uint8_t> image = {0, 0};
  EXPECT_EQ(predict(net, image), 6);
  EXPECT_GT(outputs(net, image)[6], 0.99f);
}

TEST(Train, EveryOptimiserLearnsWithPenaltiesAndDropout) {
  const Dataset training = brighter_pixel_data(600);
  const Dataset test = brighter_pixel_data(200);
  for (const auto kind : {OptimizerSettings::Kind::sgd, OptimizerSettings::Kind::momentum,
                          OptimizerSettings::Kind::nesterov, OptimizerSettings::Kind::adam}) {
    Network net(Architecture::of({2, 16, 10}, Activation::relu, Activation::softmax,
                                 Cost::log_likelihood),
                1, Init::he);
    TrainOptions options;
    options.epochs = 15;
    options.optimizer.kind = kind;
    options.eta = kind == OptimizerSettings::Kind::adam ? 0.01f : 0.1f;
    options.regularization = Regularization::Kind::l2;
    options.lambda = 0.1;
    options.dropout = 0.1;
    const auto report = train(net, training, options, {nullptr, &test});
    EXPECT_GE(*report.epochs.back().correct, 185u) << name(kind);
  }
}

TEST(Train, MonitoringReportsWhatItIsAskedFor) {
  const Dataset training = brighter_pixel_data(300);
  const Dataset validation = brighter_pixel_data(50);
  Network net(Architecture::of({2, 4, 10}, Activation::sigmoid, Activation::sigmoid,
                               Cost::cross_entropy),
              1);
  TrainOptions options;
  options.epochs = 2;
  options.eta = 0.5f;
  options.regularization = Regularization::Kind::l2;
  options.lambda = 5.0;
  options.monitor_training_accuracy = true;
  options.monitor_training_cost = true;
  options.monitor_validation_cost = true;
  options.gradient_norm_images = 100;
  const auto report = train(net, training, options, {&validation, nullptr});
  const EpochResult& r = report.epochs.back();
  EXPECT_EQ(r.training_total, 300u);
  ASSERT_TRUE(r.training_correct && r.validation_correct && r.validation_cost);
  EXPECT_EQ(r.validation_total, 50u);
  EXPECT_FALSE(r.correct.has_value());
  ASSERT_EQ(r.gradient_norms.size(), 2u);
  EXPECT_GT(r.gradient_norms[0], 0.0);
  // The training cost includes the L2 term (λ/2n)·Σw², which alone is this much:
  const Regularization penalty{Regularization::Kind::l2, 5.0, 300.0};
  EXPECT_GT(r.training_cost, penalty.cost(net.parameters()));
  EXPECT_EQ(r.eta, 0.5);
}

TEST(Train, KeepBestRestoresTheBestValidationEpochAndEarlyStoppingStops) {
  const Dataset training = brighter_pixel_data(300);
  const Dataset validation = brighter_pixel_data(100);
  TrainOptions options;
  options.epochs = 40;
  options.eta = 30.0f;  // wild steps: validation accuracy goes up and down
  options.keep_best = true;
  options.early_stopping = 5;
  Network net({2, 4, 10}, 2);
  std::vector<Parameters<float>> after_each;
  const auto report = train(net, training, options, {&validation, nullptr},
                            [&](const EpochResult&) { after_each.push_back(net.parameters()); });
  ASSERT_TRUE(report.kept_epoch.has_value());
  std::size_t best = 0;
  for (const EpochResult& r : report.epochs)
    if (*r.validation_correct > *report.epochs[best].validation_correct) best = r.epoch;
  EXPECT_EQ(*report.kept_epoch, best);
  EXPECT_TRUE(net.parameters().as_vector() == after_each[best].as_vector());
  EXPECT_LT(report.epochs.size(), 40u) << "expected early stopping";
  EXPECT_EQ(report.epochs.size(), best + 1 + 5);
  EXPECT_NE(report.stop_reason.find("early stopping"), std::string::npos);
}

TEST(Train, OneCycleSetsTheRateOfEveryBatchFromTheRunsProgress) {
  const Dataset training = brighter_pixel_data(600);
  const Dataset test = brighter_pixel_data(200);
  TrainOptions options;
  options.epochs = 3;
  options.mini_batch_size = 40;
  options.optimizer.kind = OptimizerSettings::Kind::adam;
  options.eta = 0.05f;
  options.schedule.kind = ScheduleSettings::Kind::one_cycle;
  const auto arch = Architecture::of({2, 16, 10}, Activation::relu, Activation::softmax,
                                     Cost::log_likelihood);
  Network net(arch, 1, Init::he);
  const auto report = train(net, training, options, {nullptr, &test});
  ASSERT_EQ(report.epochs.size(), 3u);
  // Each epoch reports the rate of its last batch: 560 of 600 images into it.
  const Schedule schedule(options.schedule, options.eta);
  for (std::size_t e = 0; e < 3; ++e)
    EXPECT_EQ(report.epochs[e].eta,
              static_cast<float>(schedule.eta_at((600.0 * static_cast<double>(e) + 560) / 1800)))
        << e;
  EXPECT_GE(*report.epochs.back().correct, 185u);
  // A constant rate trains other weights.
  options.schedule.kind = ScheduleSettings::Kind::constant;
  Network constant(arch, 1, Init::he);
  train(constant, training, options);
  EXPECT_FALSE(constant.parameters().as_vector() == net.parameters().as_vector());
}

TEST(Train, DropoutAndAdamRunsRepeatThemselves) {
  const Dataset training = brighter_pixel_data(200);
  TrainOptions options;
  options.epochs = 2;
  options.dropout = 0.5;
  options.optimizer.kind = OptimizerSettings::Kind::adam;
  options.eta = 0.01f;
  const auto arch = Architecture::of({2, 8, 10}, Activation::relu, Activation::softmax,
                                     Cost::log_likelihood);
  Network a(arch, 3, Init::he), b(arch, 3, Init::he);
  train(a, training, options);
  train(b, training, options);
  EXPECT_TRUE(a.parameters().as_vector() == b.parameters().as_vector());
}

}  // namespace
}  // namespace digitnet
