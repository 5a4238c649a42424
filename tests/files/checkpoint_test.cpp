// Tests of checkpoints: a run stopped and resumed (at an epoch's end or in the middle of one)
// ends bit for bit like one never stopped; damaged checkpoints are refused; divergence is caught.
#include "digitnet/files/checkpoint.hpp"

#include <zlib.h>

#include <cstring>
#include <fstream>
#include <functional>

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
  // A run of `o` stopped (as by Ctrl-C) ten batches into its second epoch, its checkpoint
  // loaded into a new network and the run resumed from it to the end.
  Network resumed_mid_epoch(const Architecture& arch, const TrainOptions& o) {
    Network first(arch, 3, Init::he);
    std::atomic<bool> stop{false};
    std::size_t seen = 0;
    TrainControl control;
    control.stop = &stop;
    control.on_checkpoint = [&](const TrainState& s) { save_checkpoint(first, s, path("m.bin")); };
    train(first, training_, o, {&validation_, nullptr}, {},
          [&](std::size_t, std::size_t, std::size_t) {
            seen += 16;
            if (seen >= 500 + 10 * 16) stop = true;
          },
          control);
    Checkpoint c = load_checkpoint(path("m.bin"));
    EXPECT_EQ(c.state.epoch, 1u);
    EXPECT_GT(c.state.position, 0u);
    TrainControl resume;
    resume.resume = &c.state;
    train(c.net, training_, o, {&validation_, nullptr}, {}, {}, resume);
    return std::move(c.net);
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

TEST_F(CheckpointTest, ADistortedRunResumedInTheMiddleOfAnEpochIsBitIdentical) {
  // Each epoch's distorted images come from the seed and the epoch alone, so the resumed epoch
  // trains on the same images.
  TrainOptions o = options();
  o.epochs = 3;
  o.distort.rotation = 12;
  o.distort.elastic_alpha = 8;
  o.distort.elastic_sigma = 3;
  Network uninterrupted(arch_, 3, Init::he);
  train(uninterrupted, training_, o, {&validation_, nullptr});
  Network plain(arch_, 3, Init::he);
  TrainOptions without = o;
  without.distort = {};
  train(plain, training_, without, {&validation_, nullptr});
  EXPECT_FALSE(plain.parameters().as_vector() == uninterrupted.parameters().as_vector());

  EXPECT_TRUE(resumed_mid_epoch(arch_, o).parameters().as_vector() ==
              uninterrupted.parameters().as_vector());
  // The fingerprint names the distortions, so a resume with others is refused by name.
  EXPECT_NE(options_fingerprint(plain, o, 500).find("rotation=12"), std::string::npos);
  EXPECT_EQ(options_fingerprint(plain, without, 500).find("rotation"), std::string::npos);
}

TEST_F(CheckpointTest, AOneCycleRunResumedInTheMiddleOfAnEpochIsBitIdentical) {
  // Its rate is a function of the run's progress alone, so the resumed batches get theirs.
  TrainOptions o = options();
  o.epochs = 3;
  o.schedule.kind = ScheduleSettings::Kind::one_cycle;
  Network uninterrupted(arch_, 3, Init::he);
  const TrainReport full = train(uninterrupted, training_, o, {&validation_, nullptr});
  EXPECT_NE(full.epochs[0].eta, full.epochs[2].eta);
  EXPECT_TRUE(resumed_mid_epoch(arch_, o).parameters().as_vector() ==
              uninterrupted.parameters().as_vector());
}

TEST_F(CheckpointTest, ANormalizedRunResumedInTheMiddleOfAnEpochIsBitIdentical) {
  // Batch normalisation's population statistics are estimated after every epoch from the
  // parameters and that epoch's images, so the resumed run estimates the same ones.
  Architecture arch;
  arch.input = {1, 8, 8};
  std::string problem;
  arch.layers = parse_layer_list(
      "conv:4x3:identity,norm:relu,pool:2,dense:20:identity,norm:relu,dense:10:softmax",
      Activation::relu, Activation::softmax, &problem);
  arch.cost = Cost::log_likelihood;
  ASSERT_EQ(architecture_problem(arch), "");
  TrainOptions o = options();
  o.epochs = 3;
  o.lambda = 1;  // (the penalty passes the normalisation layers by)
  o.regularization = Regularization::Kind::l2;
  Network uninterrupted(arch, 3, Init::he);
  train(uninterrupted, training_, o, {&validation_, nullptr});
  // The statistics are the training images', no longer the initial mean 0 and variance 1.
  EXPECT_NE(uninterrupted.parameters().weights(1)(0, 1), 0);
  EXPECT_NE(uninterrupted.parameters().weights(1)(0, 2), 1);
  EXPECT_TRUE(resumed_mid_epoch(arch, o).parameters().as_vector() ==
              uninterrupted.parameters().as_vector());
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
  EXPECT_ERROR_CONTAINS(train(net, training_, o, {}, {}, {}, control), "try a smaller one");
  EXPECT_EQ(checkpoints, 0u);
}

TEST_F(CheckpointTest, TheHistoryKeepsEveryFigureOfEveryEpoch) {
  Network net(arch_, 3, Init::he);
  TrainOptions o = options();
  o.epochs = 2;
  o.monitor_training_accuracy = true;
  o.monitor_validation_cost = true;
  o.gradient_norm_images = 50;
  TrainControl control;
  control.on_checkpoint = [&](const TrainState& s) { save_checkpoint(net, s, path("c.bin")); };
  const TrainReport report =
      train(net, training_, o, {&validation_, &validation_}, {}, {}, control);
  const Checkpoint c = load_checkpoint(path("c.bin"));
  ASSERT_EQ(c.state.history.size(), report.epochs.size());
  for (std::size_t e = 0; e < report.epochs.size(); ++e) {
    const EpochResult &a = report.epochs[e], &b = c.state.history[e];
    EXPECT_EQ(b.epoch, a.epoch);
    EXPECT_EQ(b.eta, a.eta);
    EXPECT_EQ(b.seconds, a.seconds);
    EXPECT_EQ(b.training_cost, a.training_cost);
    EXPECT_EQ(b.correct, a.correct);
    EXPECT_EQ(b.total, a.total);
    EXPECT_EQ(b.training_correct, a.training_correct);
    EXPECT_EQ(b.training_total, a.training_total);
    EXPECT_EQ(b.validation_correct, a.validation_correct);
    EXPECT_EQ(b.validation_total, a.validation_total);
    EXPECT_EQ(b.validation_cost, a.validation_cost);
    EXPECT_EQ(b.gradient_norms, a.gradient_norms);
  }
  EXPECT_TRUE(c.state.history[0].correct.has_value());
}

// `bytes` (a checkpoint) with its header's text changed by `edit`, the lengths and checksum redone.
std::vector<std::uint8_t> with_header(const std::vector<std::uint8_t>& bytes,
                                      const std::function<std::string(std::string)>& edit) {
  std::uint64_t length = 0;
  std::memcpy(&length, bytes.data() + 12, 8);
  const std::string text = edit(std::string(bytes.begin() + 20, bytes.begin() + 20 + length));
  std::vector<std::uint8_t> out(bytes.begin(), bytes.begin() + 12);
  const std::uint64_t new_length = text.size();
  out.insert(out.end(), reinterpret_cast<const std::uint8_t*>(&new_length),
             reinterpret_cast<const std::uint8_t*>(&new_length) + 8);
  out.insert(out.end(), text.begin(), text.end());
  out.insert(out.end(), bytes.begin() + 20 + static_cast<std::ptrdiff_t>(length), bytes.end() - 4);
  const auto crc = static_cast<std::uint32_t>(crc32(0L, out.data(), static_cast<uInt>(out.size())));
  out.insert(out.end(), reinterpret_cast<const std::uint8_t*>(&crc),
             reinterpret_cast<const std::uint8_t*>(&crc) + 4);
  return out;
}

TEST_F(CheckpointTest, OlderCheckpointsSpellingOfTheTestFiguresIsStillRead) {
  Network net(arch_, 3, Init::he);
  TrainOptions o = options();
  o.epochs = 1;
  TrainControl control;
  control.on_checkpoint = [&](const TrainState& s) { save_checkpoint(net, s, path("c.bin")); };
  const TrainReport report =
      train(net, training_, o, {&validation_, &validation_}, {}, {}, control);
  ASSERT_TRUE(report.epochs[0].correct.has_value());
  // Until the metrics file's spelling was shared, the history said "correct" and "total".
  const auto old_spelling = [](std::string text) {
    const std::vector<std::pair<std::string, std::string>> renames = {
        {"\"test_correct\"", "\"correct\""}, {"\"test_total\"", "\"total\""}};
    for (const auto& [from, to] : renames) {
      const std::size_t at = text.find(from);
      EXPECT_NE(at, std::string::npos) << from;
      if (at != std::string::npos) text.replace(at, from.size(), to);
    }
    return text;
  };
  write_bytes(path("old.bin"), with_header(read_bytes(path("c.bin")), old_spelling));
  const Checkpoint old = load_checkpoint(path("old.bin"));
  ASSERT_EQ(old.state.history.size(), 1u);
  EXPECT_EQ(old.state.history[0].correct, report.epochs[0].correct);
  EXPECT_EQ(old.state.history[0].total, report.epochs[0].total);
}

TEST(OptionsFingerprint, IsNamedEntriesWithoutTheEpochsAndThreads) {
  const Network net({4, 3, 10}, 1);
  TrainOptions options;
  const std::string fingerprint = options_fingerprint(net, options, 100);
  EXPECT_EQ(fingerprint.rfind("input=4;layers=dense:3:sigmoid,dense:10:sigmoid;cost=quadratic;"
                              "training_images=100;mini_batch_size=10;eta=3;seed=1;",
                              0),
            0u)
      << fingerprint;
  options.epochs = 99;
  options.threads = 7;
  EXPECT_EQ(options_fingerprint(net, options, 100), fingerprint);
  options.optimizer.beta2 = 0.99;
  EXPECT_NE(options_fingerprint(net, options, 100), fingerprint);
  // One-cycle's rates depend on the run's epochs: a resume must keep them.
  options.schedule.kind = ScheduleSettings::Kind::one_cycle;
  const std::string cycle = options_fingerprint(net, options, 100);
  EXPECT_NE(cycle.find(";epochs=99"), std::string::npos) << cycle;
  options.epochs = 100;
  EXPECT_NE(resume_problem(cycle, options_fingerprint(net, options, 100)).find("epochs"),
            std::string::npos);
}

TEST(ResumeProblem, NamesEachOptionThatDiffers) {
  const Network net({4, 3, 10}, 1);
  TrainOptions then;
  TrainOptions now = then;
  now.eta = 0.5f;
  now.mini_batch_size = 20;
  const std::string written = options_fingerprint(net, then, 100);
  EXPECT_EQ(resume_problem(written, written), "");
  const std::string problem = resume_problem(written, options_fingerprint(net, now, 100));
  EXPECT_NE(problem.find("other options"), std::string::npos) << problem;
  EXPECT_NE(problem.find("(mini_batch_size was 10, now 20; eta was 3, now 0.5)"), std::string::npos)
      << problem;
  EXPECT_EQ(problem.find("seed"), std::string::npos) << problem;
  const std::string spelled = resume_problem(written, options_fingerprint(net, now, 100),
                                             [](const std::string& name) { return "--" + name; });
  EXPECT_NE(spelled.find("--eta was 3, now 0.5"), std::string::npos) << spelled;
  EXPECT_NE(spelled.find("only --epochs and --threads may change"), std::string::npos) << spelled;
  EXPECT_NE(resume_problem(written, options_fingerprint(net, then, 99))
                .find("training_images was 100, now 99"),
            std::string::npos);
}

TEST(ResumeProblem, AFingerprintOfAnotherFormIsSaidToBeIncomparable) {
  const Network net({4, 3, 10}, 1);
  const std::string now = options_fingerprint(net, TrainOptions{}, 100);
  // The form older checkpoints hold: one space-separated line.
  const std::string older =
      "sizes=4,3,10, activations=sigmoid,sigmoid, cost=quadratic training_images=100 batch=10 "
      "eta=3 seed=1 regularization=none lambda=0 dropout=0 optimizer=sgd";
  for (const std::string& written : {older, now + ";kernels=avx2", std::string()}) {
    const std::string problem = resume_problem(written, now);
    EXPECT_NE(problem.find("in another form"), std::string::npos) << problem;
  }
}


TEST(CheckpointVersion1, IsRefusedSayingItCannotBeResumed) {
  // Written by digitnet 0.1 (the fuzzers' regression input of that version).
  const std::filesystem::path old = std::filesystem::path(DIGITNET_SOURCE_DATA_DIR) / ".." /
                                    ".." / "tests" / "files" / "fixtures" / "v1-checkpoint.ckp";
  EXPECT_ERROR_CONTAINS(load_checkpoint(old),
                        "byte 8: a checkpoint of version 1, written by digitnet 0.1, which this "
                        "digitnet cannot resume");
  EXPECT_ERROR_CONTAINS(load_checkpoint(old), "start the run afresh");
}

}  // namespace
}  // namespace digitnet
