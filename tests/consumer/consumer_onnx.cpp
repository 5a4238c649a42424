// ONNX from an installed digitnet (find_package(digitnet COMPONENTS onnx)): a model file written
// as ONNX and read back reads every test digit as before.
#include <cstdio>

#include "digitnet/data/dataset.hpp"
#include "digitnet/files/model_file.hpp"
#include "digitnet/files/onnx_file.hpp"
#include "digitnet/inference/evaluation.hpp"

int main(int argc, char** argv) {
  if (argc != 4) {
    std::fprintf(stderr, "usage: consumer_onnx MNIST_DIR MODEL_FILE OUT.onnx\n");
    return 2;
  }
  const digitnet::MnistSplit mnist = digitnet::load_mnist(argv[1]);
  const digitnet::Network net = digitnet::load_model(argv[2]);
  digitnet::save_onnx(net, argv[3]);
  const digitnet::Network back = digitnet::load_onnx(argv[3]);
  const std::size_t a = digitnet::evaluate(net, mnist.test), b = digitnet::evaluate(back, mnist.test);
  std::printf("ONNX round trip: %zu and %zu of %zu\n", a, b, mnist.test.size());
  return a == b ? 0 : 1;
}
