// ONNX, the model format other runtimes read (ONNX Runtime in C++, Python, Node.js and the
// browser; phones; TensorRT): a digitnet network written as an ONNX graph, and an ONNX graph
// of the operators digitnet has (PyTorch's torch.onnx.export of nn.Sequential MLPs and small
// CNNs) read back as a digitnet network. Written and read with the ONNX project's own schema
// (Debian's libonnx-dev, protobuf), and every export passes ONNX's checker.
// The mapping of layers to nodes, and what import refuses, is in docs/model-format.md ("ONNX").
//
// A separate library (digitnet::onnx, src/files/onnx_file.cpp), so that the core library does
// not need protobuf.
#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <span>
#include <string>
#include <vector>

#include "digitnet/network/network.hpp"

namespace digitnet {

// The opset exports are written in: the oldest with today's Softmax (over one axis), read by
// every runtime of the last years.
inline constexpr std::int64_t onnx_opset = 13;
// Import reads opsets 7 (the first with these operators in today's form) to this one.
inline constexpr std::int64_t onnx_newest_opset = 21;
// Caps checked before anything is allocated by them (a file is parsed only when it is at most
// onnx_max_bytes long; protobuf itself allocates no more than the bytes it is given).
inline constexpr std::uint64_t onnx_max_bytes = std::uint64_t{1} << 30;
inline constexpr int onnx_max_nodes = 1024;
inline constexpr int onnx_max_recursion = 32;  // nesting of protobuf messages

// Extra metadata an export records beside the layers (its keys "digitnet.recipe",
// "digitnet.test_accuracy", ... are the caller's).
using OnnxMetadata = std::map<std::string, std::string>;

// The ONNX model's bytes for `net`: input "input", N×C×H×W float when the first layer is not
// dense (a convolution, pooling or normalisation), else N×(C·H·W) (the seeds' N×784); pixels as
// digitnet feeds them, byte/255 (0 paper, 1 ink); output "probabilities", N×10,
// output_probabilities' rule (evaluation.hpp) as nodes after the network's outputs
// ("outputs"). Metadata: the layers, the cost, the input's meaning, and `extra`. Throws
// digitnet::Error if ONNX's checker refuses the graph (a bug: it never should).
std::vector<std::uint8_t> onnx_model_bytes(const Network& net, const OnnxMetadata& extra = {});
// Writes it to `path` atomically.
void save_onnx(const Network& net, const std::filesystem::path& path,
               const OnnxMetadata& extra = {});

// Reads an ONNX model into a digitnet network: one chain of Gemm/MatMul(+Add), Conv, MaxPool,
// BatchNormalization (inference mode; its ε folded into the variances), Relu, Sigmoid, Tanh,
// Softmax/LogSoftmax (as softmax: the same digits, its probabilities the exp of LogSoftmax's
// outputs), Flatten/Reshape (to N×K), Dropout and Identity, as PyTorch writes nn.Sequential
// models. Anything else is refused naming the first node and operator digitnet cannot hold.
// `path` only names the file in messages. Throws digitnet::Error.
Network parse_onnx(std::span<const std::uint8_t> bytes, const std::filesystem::path& path);
Network load_onnx(const std::filesystem::path& path);
// Whether the file name ends in .onnx.
bool is_onnx_path(const std::filesystem::path& path);
// Every model format by its name, for everyone who reads or writes a model file the user names
// (the CLI's --model, Python's load and save): .onnx through load_onnx / save_onnx, anything
// else through load_model / save_model (model_file.hpp: binary, or network2.py's JSON).
Network load_any_model(const std::filesystem::path& path);
void save_any_model(const Network& net, const std::filesystem::path& path);

}  // namespace digitnet
