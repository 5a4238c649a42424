// Checkpoints: everything a training run needs to continue exactly where it stopped, so that a
// resumed run ends with the same weights, bit for bit, as one never interrupted. Written
// atomically; the format is in docs/checkpoint-format.md.
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <string>
#include <vector>

#include "digitnet/network/network.hpp"
#include "digitnet/training/schedule.hpp"
#include "digitnet/training/trainer.hpp"

namespace digitnet {

// The options and data that a resumed run must share with the run that wrote the checkpoint
// (everything but the number of epochs and threads), as text: "name=value" entries separated by
// ';': the input's shape and the layers as layer_spec.hpp writes them, then each option named as
// its TrainOptions field ("input=784;layers=dense:30:sigmoid,dense:10:sigmoid;cost=quadratic;
// training_images=50000;mini_batch_size=10;eta=3;...").
// Numbers are written as the shortest text that reads back to the same value.
std::string options_fingerprint(const Network& net, const TrainOptions& options,
                                std::size_t training_size);

// Why a run with the fingerprint `now` cannot continue a checkpoint written with `written`, or
// "" when it can: which entries differ ("eta was 0.5, now 3"), or, when the two do not list the
// same entries (a checkpoint of another digitnet version, whose fingerprint had another form),
// that they cannot be compared. `spell` turns an option's name into the caller's spelling (the
// CLI's flags, "mini_batch_size" → "--batch"); without it names stay as they are.
std::string resume_problem(const std::string& written, const std::string& now,
                           const std::function<std::string(const std::string&)>& spell = {});

// Writes net + state to `path` atomically.
void save_checkpoint(const Network& net, const TrainState& state, const std::filesystem::path& path);
// Reads a checkpoint. Throws digitnet::Error naming the file and byte offset of any damage.
struct Checkpoint {
  Network net{std::vector<std::size_t>{1, 1}};
  TrainState state;
};
Checkpoint load_checkpoint(const std::filesystem::path& path);

}  // namespace digitnet
