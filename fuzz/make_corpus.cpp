// Writes the fuzzers' seed inputs of the binary formats from the library itself, so that they
// follow the formats: fuzz/corpus/model_binary/*-v2.bin and fuzz/corpus/onnx/*.onnx (a CNN
// with batch normalisation among them), fuzz/corpus/checkpoint/small.ckp and
// the regression input fuzz/regressions/checkpoint/sgd-empty-optimizer-state.ckp (a plain-SGD
// checkpoint, whose empty optimiser arrays once made the reader memcpy from null).
// Built by the release preset (target make_fuzz_corpus); run it from the repository root after
// a format changes. The version 1 model inputs stay as digitnet 0.1 wrote them.
#include <cstdio>
#include <sstream>

#include "digitnet/core/random.hpp"
#include "digitnet/files/checkpoint.hpp"
#include "digitnet/files/model_file.hpp"
#include "digitnet/files/onnx_file.hpp"

int main() {
  using namespace digitnet;
  const Network small({2, 3, 2}, 1);
  save_model(small, "fuzz/corpus/model_binary/small-v2.bin");
  const Network relu(Architecture::of({2, 3, 2}, Activation::relu, Activation::softmax,
                                      Cost::log_likelihood),
                     1, Init::he);
  save_model(relu, "fuzz/corpus/model_binary/relu-softmax-v2.bin");
  save_onnx(small, "fuzz/corpus/onnx/small.onnx");
  Architecture cnn;
  cnn.input = {1, 6, 6};
  std::string problem;
  cnn.layers = parse_layer_list("conv:2x3:relu:same,pool:2,dense:2:softmax", Activation::relu,
                                Activation::softmax, &problem);
  cnn.cost = Cost::log_likelihood;
  save_onnx(Network(cnn, 1, Init::he), "fuzz/corpus/onnx/cnn.onnx");
  cnn.layers = parse_layer_list("conv:2x3:identity,norm:relu,pool:2,dense:3:identity,norm,"
                                "dense:2:softmax",
                                Activation::relu, Activation::softmax, &problem);
  const Network normed(cnn, 1, Init::he);
  save_model(normed, "fuzz/corpus/model_binary/cnn-norm-v2.bin");
  save_onnx(normed, "fuzz/corpus/onnx/cnn-norm.onnx");
  TrainState state;
  state.epoch = 1;
  state.order = {1, 0, 2};
  std::ostringstream shuffle, dropout;
  shuffle << Rng(1, 1).engine();
  dropout << Rng(1, 2).engine();
  state.shuffle_rng = shuffle.str();
  state.dropout_rng = dropout.str();
  TrainOptions options;
  state.options = options_fingerprint(small, options, 3);
  save_checkpoint(small, state, "fuzz/corpus/checkpoint/small.ckp");
  save_checkpoint(small, state, "fuzz/regressions/checkpoint/sgd-empty-optimizer-state.ckp");
  std::printf("wrote the fuzz seed inputs\n");
}
