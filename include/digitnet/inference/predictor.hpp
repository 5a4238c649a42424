// Reading digits for embedders (a server, a GUI, a binding): one object, made once from a trained
// network, that many threads may ask at once, with no allocation per call once warmed.
#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <mutex>
#include <span>
#include <vector>

#include "digitnet/inference/evaluation.hpp"
#include "digitnet/network/network.hpp"
#include "digitnet/pictures/image_file.hpp"
#include "digitnet/pictures/preprocess.hpp"

namespace digitnet {

// A picture's reading: the 28 x 28 image the network saw (and where the ink was in the
// picture), and the reading of it.
struct PictureReading {
  PreparedDigit prepared;
  Reading reading;
};

// Answers are those of read_digit (evaluation.hpp), bit for bit: the same forward pass, one
// image per call.
//
// The network is kept by value, a copy of its own: nobody can change the weights while calls
// read them (a network being trained would race), and a copy costs one parameter buffer (95 KB
// for 784-30-10; the layers are shared, they hold no state). Move a loaded model in to avoid
// even that.
//
// Thread safety: every const member may be called by any number of threads at once on one
// Predictor. The network is only read; each call takes its own scratch (a workspace of one
// column and an input column) from a pool, under a mutex held only to take and to give it back.
// Construction and destruction must not overlap any call.
//
// Allocation: predict_pixels and predict_inputs allocate nothing once there are as many
// scratches as calls run at once. `concurrent_callers` of them are made by the constructor; a
// call that finds them all in use makes one more (that call allocates), which is kept for later
// calls. So with concurrent_callers >= the most simultaneous calls, no call allocates; with
// fewer, only the first calls at a new peak do. (They also allocate to throw, on a wrong input
// size.) predict_picture does allocate: preparing the picture copies it (ink, stretched, the
// scaled box) and stb_image_resize allocates its buffers; predict_picture_file also decodes the
// file. Its forward pass is the allocation-free one above.
class Predictor {
 public:
  // Throws digitnet::Error when `net` does not have 10 outputs (one per digit).
  // concurrent_callers: the scratches made now (at least 1).
  explicit Predictor(Network net, std::size_t concurrent_callers = 1);
  ~Predictor();
  // Neither copied nor moved (calls may hold its scratches): keep it in place, or by pointer.
  Predictor(const Predictor&) = delete;
  Predictor& operator=(const Predictor&) = delete;

  const Network& network() const { return net_; }

  // The reading of one image of input_size() bytes, 0 paper to 255 ink, row by row (as MNIST).
  // Throws digitnet::Error for another size.
  Reading predict_pixels(std::span<const std::uint8_t> pixels) const;
  // The same for input_size() values as the network sees them (pixel / 255, in [0, 1]); bytes b
  // given as b / 255.0f read exactly as predict_pixels. Throws digitnet::Error for another size.
  Reading predict_inputs(std::span<const float> inputs) const;

  // A picture of a digit, any size, dark ink on light paper or the reverse, prepared as MNIST's
  // images (prepare_digit) and read. Requires a network of 784 inputs (28 x 28). Throws
  // digitnet::Error for a picture that is not grey (channels != 1; load_grey_picture makes
  // one), has no pixels or no ink, or when the network does not take 28 x 28 images.
  PictureReading predict_picture(const Picture& grey) const;
  // The same for a picture file (load_grey_picture: PNG, JPEG, BMP, PGM...); throws its errors.
  PictureReading predict_picture_file(const std::filesystem::path& path) const;

 private:
  struct Scratch;  // one call's workspace and input column (predictor.cpp)
  class Lease;     // a scratch taken from the pool for the length of a call

  // The reading of the input column already in `scratch`.
  Reading read(Scratch& scratch) const;

  Network net_;
  mutable std::mutex pool_mutex_;                            // guards the two below
  mutable std::vector<std::unique_ptr<Scratch>> scratches_;  // all made; grows, never shrinks
  mutable Scratch* free_ = nullptr;  // those not in use, a stack linked through Scratch::next
};

}  // namespace digitnet
