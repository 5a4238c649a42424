// Tests of the predictor: it reads as read_digit does, bit for bit, from one thread or from four
// at once; a warmed call allocates nothing; pictures are prepared as prepare_digit prepares them.
#include "digitnet/inference/predictor.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <cstdlib>
#include <new>
#include <thread>

#include "digitnet/core/error.hpp"
#include "digitnet/data/batch.hpp"
#include "test_support.hpp"

// Allocations are counted while `counting` is set, in every thread. Eigen's matrices take their
// memory from malloc, not operator new, so on glibc malloc itself is counted (it forwards to
// glibc's __libc_malloc; operator new reaches it through std::malloc). Under the sanitizers,
// which intercept malloc themselves, and elsewhere, operator new is counted instead.
#if defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(thread_sanitizer) || \
    __has_feature(memory_sanitizer)
#define DIGITNET_SANITIZED_MALLOC 1
#endif
#endif
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
#define DIGITNET_SANITIZED_MALLOC 1
#endif
#if defined(__GLIBC__) && !defined(DIGITNET_SANITIZED_MALLOC)
#define DIGITNET_COUNT_MALLOC 1
#endif

namespace {

std::atomic<bool> counting{false};
std::atomic<long> allocations{0};

void note_allocation() {
  if (counting.load(std::memory_order_relaxed)) allocations.fetch_add(1, std::memory_order_relaxed);
}

}  // namespace

#ifdef DIGITNET_COUNT_MALLOC
extern "C" void* __libc_malloc(std::size_t size);
extern "C" void* malloc(std::size_t size) noexcept {
  note_allocation();
  return __libc_malloc(size);
}
#endif

void* operator new(std::size_t size) {
#ifndef DIGITNET_COUNT_MALLOC
  note_allocation();
#endif
  if (void* p = std::malloc(size == 0 ? 1 : size)) return p;
  throw std::bad_alloc();
}
void* operator new(std::size_t size, std::align_val_t align) {
  note_allocation();  // aligned_alloc is not malloc: counted here in every build
  const auto alignment = static_cast<std::size_t>(align);
  if (void* p = std::aligned_alloc(alignment, (size + alignment - 1) / alignment * alignment))
    return p;
  throw std::bad_alloc();
}
// GCC 12 inlines these into the tests' deletes and warns that free() meets memory from
// operator new: here operator new is malloc, which it does not see.
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"
#endif
void operator delete(void* p) noexcept { std::free(p); }
void operator delete(void* p, std::size_t) noexcept { std::free(p); }
void operator delete(void* p, std::align_val_t) noexcept { std::free(p); }
void operator delete(void* p, std::size_t, std::align_val_t) noexcept { std::free(p); }

namespace digitnet {
namespace {

const Dataset& test_images() {
  static const Dataset data = slice(load_mnist(DIGITNET_SOURCE_DATA_DIR).test, 0, 1000);
  return data;
}

// The number of fields in which two readings differ (0: the same, bit for bit).
int differences(const Reading& a, const Reading& b) {
  return (a.digit != b.digit) + (a.outputs != b.outputs) + (a.probabilities != b.probabilities);
}

// Two networks: the seeds' (sigmoid, one hidden layer) and a softmax one with two hidden layers.
std::vector<Network> networks() {
  std::vector<Network> nets;
  nets.emplace_back(std::vector<std::size_t>{784, 30, 10}, 1);
  nets.emplace_back(Architecture::of({784, 40, 20, 10}, Activation::relu, Activation::softmax,
                                     Cost::log_likelihood),
                    2, Init::he);
  return nets;
}

TEST(Predictor, PixelsReadAsReadDigitBitForBit) {
  for (const Network& net : networks()) {
    const Predictor predictor(net);
    int mismatches = 0;
    for (std::size_t i = 0; i < test_images().size(); ++i) {
      const auto image = test_images().image(i);
      const Reading r = predictor.predict_pixels(image);
      mismatches += differences(r, read_digit(net, image));
      mismatches += r.outputs != outputs(net, image);
      mismatches += r.digit != predict(net, image);
    }
    EXPECT_EQ(mismatches, 0);
  }
}

TEST(Predictor, InputsScaledFromPixelsReadAsThePixels) {
  const Network net({784, 30, 10}, 1);
  const Predictor predictor(net);
  std::vector<float> inputs(net.input_size());
  for (std::size_t i = 0; i < 100; ++i) {
    scale_pixels<float>(test_images().image(i), inputs);
    EXPECT_EQ(differences(predictor.predict_inputs(inputs),
                          predictor.predict_pixels(test_images().image(i))),
              0)
        << "image " << i;
  }
}

TEST(Predictor, ConfidenceIsTheProbabilityOfTheDigitRead) {
  const Predictor predictor(Network({784, 30, 10}, 3));
  const Reading r = predictor.predict_pixels(test_images().image(0));
  EXPECT_EQ(r.confidence(), r.probabilities[static_cast<std::size_t>(r.digit)]);
}

TEST(Predictor, FourThreadsAtOnceGetTheSerialAnswers) {
  for (const Network& net : networks()) {
    // One scratch made at construction: the threads make the others as they need them.
    const Predictor predictor(net);
    const std::size_t n = test_images().size();
    std::vector<Reading> serial;
    for (std::size_t i = 0; i < n; ++i)
      serial.push_back(predictor.predict_pixels(test_images().image(i)));

    constexpr std::size_t threads = 4;
    std::vector<std::vector<Reading>> answers(threads, std::vector<Reading>(n));
    std::vector<std::thread> team;
    for (std::size_t t = 0; t < threads; ++t)
      team.emplace_back([&, t] {
        // Each thread starts at another image, so that they do not read in step.
        for (std::size_t k = 0; k < n; ++k) {
          const std::size_t i = (k + t * n / threads) % n;
          answers[t][i] = predictor.predict_pixels(test_images().image(i));
        }
      });
    for (std::thread& thread : team) thread.join();

    int mismatches = 0;
    for (std::size_t t = 0; t < threads; ++t)
      for (std::size_t i = 0; i < n; ++i) mismatches += differences(answers[t][i], serial[i]);
    EXPECT_EQ(mismatches, 0);
  }
}

// The allocations made while `calls` runs, in any thread.
template <typename Calls>
long allocations_in(Calls&& calls) {
  allocations = 0;
  counting = true;
  calls();
  counting = false;
  return allocations.load();
}

TEST(Predictor, WarmedPixelsCallsAllocateNothing) {
  for (const Network& net : networks()) {
    const Predictor predictor(net);
    for (std::size_t i = 0; i < 10; ++i) predictor.predict_pixels(test_images().image(i));
    const std::vector<float> inputs(net.input_size(), 0.5f);
    int digits = 0;  // used below, so that the calls cannot be left out
    EXPECT_EQ(allocations_in([&] {
                for (std::size_t i = 0; i < 1000; ++i)
                  digits += predictor.predict_pixels(test_images().image(i)).digit;
              }),
              0)
        << "1000 predict_pixels calls";
    EXPECT_EQ(allocations_in([&] {
                for (std::size_t i = 0; i < 100; ++i)
                  digits += predictor.predict_inputs(inputs).digit;
              }),
              0)
        << "100 predict_inputs calls";
    EXPECT_GE(digits, 0);
  }
}

TEST(Predictor, FourThreadsAllocateNothingWhenTheirScratchesAreMadeUpFront) {
  const Network net({784, 30, 10}, 1);
  constexpr std::size_t threads = 4;
  const Predictor predictor(net, threads);
  const Dataset& images = test_images();  // loaded now, not while counting
  // Counted only while the threads call, not while they start or end (which allocates).
  std::atomic<std::size_t> ready{0}, done{0};
  std::atomic<bool> go{false};
  std::vector<std::thread> team;
  for (std::size_t t = 0; t < threads; ++t)
    team.emplace_back([&, t] {
      ++ready;
      while (!go) std::this_thread::yield();
      for (std::size_t k = 0; k < 250; ++k) predictor.predict_pixels(images.image(k * threads + t));
      ++done;
    });
  while (ready < threads) std::this_thread::yield();
  EXPECT_EQ(allocations_in([&] {
              go = true;
              while (done < threads) std::this_thread::yield();
            }),
            0);
  for (std::thread& thread : team) thread.join();
}

// A "0": a ring of dark ink on light paper, off centre in a 120 x 90 picture.
Picture ring_picture() {
  Picture p;
  p.width = 120;
  p.height = 90;
  p.samples.assign(p.width * p.height, 230);
  for (std::size_t y = 0; y < p.height; ++y)
    for (std::size_t x = 0; x < p.width; ++x) {
      const double u = (static_cast<double>(x) + 0.5 - 40) / 18;
      const double v = (static_cast<double>(y) + 0.5 - 50) / 28;
      const double r = u * u + v * v;
      if (r <= 1 && r >= 0.45) p.at(x, y) = 25;
    }
  return p;
}

TEST(Predictor, APictureIsPreparedAsPrepareDigitAndReadAsItsPixels) {
  const Network net({784, 30, 10}, 1);
  const Predictor predictor(net);
  const Picture picture = ring_picture();
  const PictureReading reading = predictor.predict_picture(picture);
  const PreparedDigit expected = prepare_digit(picture);
  EXPECT_EQ(reading.prepared.pixels, expected.pixels);
  EXPECT_EQ(reading.prepared.inverted, expected.inverted);
  EXPECT_EQ(reading.prepared.box_x, expected.box_x);
  EXPECT_EQ(reading.prepared.box_y, expected.box_y);
  EXPECT_EQ(reading.prepared.box_width, expected.box_width);
  EXPECT_EQ(reading.prepared.box_height, expected.box_height);
  EXPECT_EQ(differences(reading.reading, read_digit(net, expected.pixels)), 0);
}

class PredictorFile : public testing::TempDirTest {};

TEST_F(PredictorFile, APictureFileReadsAsItsDecodedPicture) {
  const Predictor predictor(Network({784, 30, 10}, 1));
  save_png(ring_picture(), path("ring.png"));
  const PictureReading from_file = predictor.predict_picture_file(path("ring.png"));
  const PictureReading decoded = predictor.predict_picture(load_grey_picture(path("ring.png")));
  EXPECT_EQ(from_file.prepared.pixels, decoded.prepared.pixels);
  EXPECT_EQ(differences(from_file.reading, decoded.reading), 0);
  EXPECT_EQ(from_file.prepared.pixels, prepare_digit(ring_picture()).pixels);  // PNG is lossless
  EXPECT_ERROR_CONTAINS(predictor.predict_picture_file(path("missing.png")), "file not found");
}

TEST(Predictor, WrongRequestsAreRefusedSayingWhat) {
  EXPECT_ERROR_CONTAINS(Predictor(Network({784, 30, 9}, 1)), "the network has 9 outputs");
  const Predictor predictor(Network({784, 30, 10}, 1));
  const std::vector<std::uint8_t> short_image(700);
  EXPECT_ERROR_CONTAINS(predictor.predict_pixels(short_image),
                        "700 pixels given, but the network takes 784");
  const std::vector<float> long_inputs(800);
  EXPECT_ERROR_CONTAINS(predictor.predict_inputs(long_inputs),
                        "800 inputs given, but the network takes 784");
  Picture colour = ring_picture();
  colour.channels = 3;
  EXPECT_ERROR_CONTAINS(predictor.predict_picture(colour), "3 channels; give a grey one");
  Picture blank;
  blank.width = 5;
  blank.height = 5;
  blank.samples.assign(25, 200);
  EXPECT_ERROR_CONTAINS(predictor.predict_picture(blank), "no ink");
  const Predictor small(Network({64, 10}, 1));
  EXPECT_ERROR_CONTAINS(small.predict_picture(ring_picture()),
                        "pictures need a network of 784 inputs");
  // A refused call gives its scratch back: the predictor still answers.
  EXPECT_EQ(differences(predictor.predict_pixels(test_images().image(0)),
                        read_digit(predictor.network(), test_images().image(0))),
            0);
}

}  // namespace
}  // namespace digitnet
