// The predictor: a pool of one-column scratches over one network, so that concurrent calls share
// nothing they write and a warmed call allocates nothing.
#include "digitnet/inference/predictor.hpp"

#include <algorithm>
#include <string>

#include "digitnet/core/error.hpp"
#include "digitnet/data/batch.hpp"

namespace digitnet {

struct Predictor::Scratch {
  explicit Scratch(const Network& net)
      : workspace(net.make_workspace(1)), input(static_cast<Eigen::Index>(net.input_size()), 1) {}
  // One thread and capacity 1, as outputs() makes it, so that the forward pass takes the same
  // kernels and rounds the same.
  Workspace<float> workspace;
  Matrix<float> input;  // input_size x 1
  Scratch* next = nullptr;
};

// Takes a free scratch, or makes one when every scratch is in use (the only allocation), and
// gives it back to the pool when the call ends, by return or by exception.
class Predictor::Lease {
 public:
  explicit Lease(const Predictor& p) : predictor_(p) {
    {
      const std::lock_guard<std::mutex> lock(p.pool_mutex_);
      if (p.free_ != nullptr) {
        scratch_ = p.free_;
        p.free_ = scratch_->next;
        return;
      }
    }
    // Made outside the lock: other calls need not wait for the allocation.
    auto made = std::make_unique<Scratch>(p.net_);
    scratch_ = made.get();
    const std::lock_guard<std::mutex> lock(p.pool_mutex_);
    p.scratches_.push_back(std::move(made));
  }
  ~Lease() {
    const std::lock_guard<std::mutex> lock(predictor_.pool_mutex_);
    scratch_->next = predictor_.free_;
    predictor_.free_ = scratch_;
  }
  Lease(const Lease&) = delete;
  Lease& operator=(const Lease&) = delete;

  Scratch& scratch() { return *scratch_; }

 private:
  const Predictor& predictor_;
  Scratch* scratch_ = nullptr;
};

namespace {

void check_input_size(const Network& net, std::size_t found, const char* what) {
  if (found != net.input_size())
    throw Error("predictor: " + std::to_string(found) + " " + what +
                " given, but the network takes " + std::to_string(net.input_size()) +
                " (one per pixel of its images, row by row)");
}

void check_takes_pictures(const Network& net) {
  if (net.input_size() != mnist_side * mnist_side)
    throw Error("predictor: the network takes " + std::to_string(net.input_size()) +
                " inputs; pictures need a network of 784 inputs (28 x 28)");
}

}  // namespace

Predictor::Predictor(Network net, std::size_t concurrent_callers) : net_(std::move(net)) {
  if (net_.output_size() != digit_classes)
    throw Error("predictor: the network has " + std::to_string(net_.output_size()) +
                " outputs; reading digits needs " + std::to_string(digit_classes) +
                ", one per digit");
  for (std::size_t i = 0; i < std::max<std::size_t>(1, concurrent_callers); ++i) {
    scratches_.push_back(std::make_unique<Scratch>(net_));
    scratches_.back()->next = free_;
    free_ = scratches_.back().get();
  }
}

Predictor::~Predictor() = default;

Reading Predictor::read(Scratch& scratch) const {
  const auto a = net_.feedforward(scratch.input, scratch.workspace);
  return read_outputs(std::span<const float>(a.data(), digit_classes),
                      net_.activation(net_.layers() - 1));
}

Reading Predictor::predict_pixels(std::span<const std::uint8_t> pixels) const {
  check_input_size(net_, pixels.size(), "pixels");
  Lease lease(*this);
  Scratch& s = lease.scratch();
  scale_pixels<float>(pixels, std::span<float>(s.input.data(), pixels.size()));
  return read(s);
}

Reading Predictor::predict_inputs(std::span<const float> inputs) const {
  check_input_size(net_, inputs.size(), "inputs");
  Lease lease(*this);
  Scratch& s = lease.scratch();
  // Copied rather than viewed: 784 floats cost nothing beside the forward pass, and the pass
  // then reads the same aligned column as predict_pixels, whatever the caller's alignment.
  std::copy(inputs.begin(), inputs.end(), s.input.data());
  return read(s);
}

PictureReading Predictor::predict_picture(const Picture& grey) const {
  check_takes_pictures(net_);
  if (grey.channels != 1)
    throw Error("predictor: the picture has " + std::to_string(grey.channels) +
                " channels; give a grey one (1 channel), as load_grey_picture makes");
  if (grey.width == 0 || grey.height == 0 || grey.samples.size() != grey.width * grey.height)
    throw Error("predictor: the picture is " + std::to_string(grey.width) + " x " +
                std::to_string(grey.height) + " pixels with " +
                std::to_string(grey.samples.size()) +
                " samples; give a picture of at least one pixel, one sample each");
  PictureReading result;
  result.prepared = prepare_digit(grey);
  result.reading = predict_pixels(result.prepared.pixels);
  return result;
}

PictureReading Predictor::predict_picture_file(const std::filesystem::path& path) const {
  // Checked before decoding, so that a wrong network fails without reading the file.
  check_takes_pictures(net_);
  return predict_picture(load_grey_picture(path));
}

}  // namespace digitnet
