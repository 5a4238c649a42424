// Checkpoints: everything a training run needs to continue exactly where it stopped, so that a
// resumed run ends with the same weights, bit for bit, as one never interrupted. Written
// atomically; the format is in docs/checkpoint-format.md.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "digitnet/network/network.hpp"
#include "digitnet/training/schedule.hpp"
#include "digitnet/training/trainer.hpp"

namespace digitnet {

// The options and data that a resumed run must share with the run that wrote the checkpoint
// (everything but the number of epochs and threads), as text.
std::string options_fingerprint(const Network& net, const TrainOptions& options,
                                std::size_t training_size);

// Writes net + state to `path` atomically.
void save_checkpoint(const Network& net, const TrainState& state, const std::filesystem::path& path);
// Reads a checkpoint. Throws digitnet::Error naming the file and byte offset of any damage.
struct Checkpoint {
  Network net{std::vector<std::size_t>{1, 1}};
  TrainState state;
};
Checkpoint load_checkpoint(const std::filesystem::path& path);

}  // namespace digitnet
