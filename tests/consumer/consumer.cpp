// The README's library example, as a user would write it: train the book's network for one
// epoch on the installed MNIST, save and reload it, and read the first test digit.
#include <cstdio>
#include <string>

#include "digitnet/data/dataset.hpp"
#include "digitnet/files/model_file.hpp"
#include "digitnet/inference/evaluation.hpp"
#include "digitnet/training/trainer.hpp"

int main(int argc, char** argv) {
  if (argc != 3) {
    std::fprintf(stderr, "usage: consumer MNIST_DIR MODEL_FILE\n");
    return 2;
  }
  digitnet::MnistSplit mnist = digitnet::load_mnist(argv[1]);
  digitnet::Network net({784, 30, 10}, /*seed=*/1);
  digitnet::TrainOptions options;
  options.epochs = 1;
  digitnet::sgd(net, mnist.training, options, &mnist.test,
                [](const digitnet::EpochResult& r) {
                  std::printf("Epoch %zu: %zu / %zu\n", r.epoch, *r.correct, r.total);
                });
  digitnet::save_model(net, argv[2]);
  const digitnet::Network loaded = digitnet::load_model(argv[2]);
  const int digit = digitnet::predict(loaded, mnist.test.image(0));
  std::printf("predicted %d, label %d\n", digit, mnist.test.labels[0]);
  return digit == mnist.test.labels[0] ? 0 : 1;
}
