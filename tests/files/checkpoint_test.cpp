// Tests of checkpoints: a run stopped and resumed (at an epoch's end or in the middle of one)
// ends bit for bit like one never stopped; damaged checkpoints are refused; divergence is caught.
#include "digitnet/files/checkpoint.hpp"

#include <fstream>

#include "digitnet/core/random.hpp"
#include "test_support.hpp"

namespace digitnet {
namespace {

Dataset random_data(std::size_t count, std::uint64_t seed) {
  Dataset data;
  data.rows = data.cols = 8;
  Rng rng(seed);
  for (std::size_t i = 0; i < count * 64; ++i) data.pixels.push_back(static_cast<std::uint8_t>(rng.below(256)));
  for (std::size_t i = 0; i < count; ++i) data.labels.push_back(static_cast<std::uint8_t>(data.pixels[i * 64] % 10));
  return data;
}

class CheckpointTest : public testing::TempDirTest {
 protected:
  const Architecture arch_ = Architecture::of({64, 20, 10}, Activation::relu, Activation::softmax,
                                              Cost::log_likelihood);
  const Dataset training_ = random_data(500, 1);
  const Dataset validation_ = random_data(100, 2);
  TrainOptions options() const {
    TrainOptions o;
    o.epochs = 6;
    o.mini_batch_size = 16;
    o.eta = 0.01f;
    o.optimizer.kind = OptimizerSettings::Kind::adam;
    o.dropout = 0.2;
    o.keep_best = true;
    o.schedule.kind = ScheduleSettings::Kind::step;
    o.schedule.every = 2;
    return o;
  }
};

TEST_F(CheckpointTest, ResumingAfterAnEpochOrInTheMiddleOfOneIsBitIdentical) {
  Network uninterrupted(arch_, 3, Init::he);
  const TrainReport full = train(uninterrupted, training_, options(), {&validation_, nullptr});

  for (const std::size_t stop_after : {std::size_t{2 * 32 * 16}, std::size_t{3 * 500 + 7 * 16}}) {
    // First run: stopped (as by Ctrl-C) once `stop_after` examples have been trained.
    Network first(arch_, 3, Init::he);
    std::atomic<bool> stop{false};
    std::size_t seen = 0;
    TrainControl control;
    control.stop = &stop;
    control.on_checkpoint = [&](const TrainState& s) { save_checkpoint(first, s, path("c.bin")); };
    const TrainReport stopped = train(
        first, training_, options(), {&validation_, nullptr}, {},
        [&](std::size_t, std::size_t, std::size_t) {
          seen += 16;
          if (seen >= stop_after) stop = true;
        },
        control);
    EXPECT_EQ(stopped.stop_reason, "interrupted");
    // Second run: from the file, in a new network object.
    Checkpoint c = load_checkpoint(path("c.bin"));
    // 32 batches per epoch (the last one short), counted 16 each: 1,024 is epoch 1's last batch, so
    // the run stops at that epoch's end; 1,612 fall inside epoch 3.
    if (stop_after == 1024) {
      EXPECT_EQ(c.state.epoch, 2u);
      EXPECT_EQ(c.state.position, 0u);
    } else {
      EXPECT_EQ(c.state.epoch, 3u);
      EXPECT_GT(c.state.position, 0u);
      EXPECT_LT(c.state.position, 500u);
    }
    TrainControl resume;
    resume.resume = &c.state;
    const TrainReport rest = train(c.net, training_, options(), {&validation_, nullptr}, {}, {}, resume);
    EXPECT_TRUE(c.net.parameters().as_vector() == uninterrupted.parameters().as_vector())
        << "stopped after " << stop_after << " examples";
    ASSERT_EQ(rest.epochs.size(), full.epochs.size());
    EXPECT_EQ(rest.kept_epoch, full.kept_epoch);
    for (std::size_t e = 0; e < full.epochs.size(); ++e)
      EXPECT_EQ(rest.epochs[e].validation_correct, full.epochs[e].validation_correct) << e;
  }
}

TEST_F(CheckpointTest, DamagedCheckpointsAreRefusedWithTheOffset) {
  Network net(arch_, 3, Init::he);
  TrainControl control;
  control.on_checkpoint = [&](const TrainState& s) { save_checkpoint(net, s, path("c.bin")); };
  TrainOptions o = options();
  o.epochs = 1;
  train(net, training_, o, {&validation_, nullptr}, {}, {}, control);
  std::ifstream in(path("c.bin"), std::ios::binary);
  const std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  const auto write = [&](const std::string& b) { std::ofstream(path("d.bin"), std::ios::binary) << b; };
  for (const std::size_t at : {std::size_t{3}, std::size_t{20}, bytes.size() / 2, bytes.size() - 2}) {
    std::string damaged = bytes;
    damaged[at] = static_cast<char>(damaged[at] ^ 0x10);
    write(damaged);
    EXPECT_ERROR_CONTAINS(load_checkpoint(path("d.bin")), "d.bin: byte ");
  }
  for (const std::size_t size : {std::size_t{0}, std::size_t{10}, bytes.size() / 3, bytes.size() - 1}) {
    write(bytes.substr(0, size));
    EXPECT_ERROR_CONTAINS(load_checkpoint(path("d.bin")), "d.bin");
  }
  EXPECT_ERROR_CONTAINS(load_checkpoint(path("missing.bin")), "no checkpoint here");
}

TEST_F(CheckpointTest, DivergenceStopsWithTheEpochAndLeavesTheLastCheckpoint) {
  Network net(Architecture::of({64, 20, 10}, Activation::relu, Activation::identity, Cost::quadratic), 1, Init::he);
  TrainOptions o;
  o.epochs = 5;
  o.eta = 1e6f;
  std::size_t checkpoints = 0;
  TrainControl control;
  control.on_checkpoint = [&](const TrainState&) { ++checkpoints; };
  EXPECT_ERROR_CONTAINS(train(net, training_, o, {}, {}, {}, control), "diverged in epoch 0");
  EXPECT_ERROR_CONTAINS(train(net, training_, o, {}, {}, {}, control), "smaller --eta");
  EXPECT_EQ(checkpoints, 0u);
}

}  // namespace
}  // namespace digitnet
