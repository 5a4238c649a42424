// digitnet import: an ONNX model (PyTorch's torch.onnx.export, or digitnet export) as a digitnet
// model file, for the graphs digitnet's layers can hold (onnx_file.hpp).
#include <cstdio>
#include <memory>

#include "command.hpp"
#include "digitnet/files/model_file.hpp"
#include "digitnet/files/onnx_file.hpp"

namespace digitnet::cli {
namespace {

struct ImportArgs {
  std::string onnx;
  std::string out;
};

void run(const ImportArgs& args) {
  check_output_name("--out", args.out, {".model", ".bin", ".json"});
  const Network net = load_onnx(args.onnx);
  save_model(net, args.out);
  std::printf("Wrote %s: input %zu x %zu x %zu, layers %s, cost %s\n", args.out.c_str(),
              net.architecture().input.channels, net.architecture().input.height,
              net.architecture().input.width, to_string(net.architecture().layers).c_str(),
              std::string(name(net.cost())).c_str());
}

}  // namespace

Command add_import_command(CLI::App& app) {
  auto args = std::make_shared<ImportArgs>();
  CLI::App* cmd = app.add_subcommand(
      "import",
      "Read an ONNX model (torch.onnx.export of an MLP or a small CNN) into a digitnet model "
      "file. It holds one chain of Gemm or MatMul (+ Add), Conv (stride 1, valid or same "
      "padding), MaxPool (p x p, stride p), Relu, Sigmoid, Tanh, Softmax, LogSoftmax (read as "
      "softmax), Flatten, Reshape (to N x K), Dropout and Identity; anything else is refused, "
      "naming the node");
  cmd->add_option("--onnx", args->onnx, "The ONNX file to read")->required();
  cmd->add_option("--out", args->out,
                  "The model file to write (.model or .bin: digitnet's format; .json: "
                  "network2.py's, for sigmoid networks)")
      ->required();
  return {cmd, [args] { run(*args); }};
}

}  // namespace digitnet::cli
