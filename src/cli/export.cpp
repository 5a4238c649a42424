// digitnet export: a model file as ONNX (onnx_file.hpp), for ONNX Runtime and the other
// runtimes; its layers, cost, test accuracy and recipe in the ONNX metadata.
#include <cstdio>
#include <memory>

#include "command.hpp"
#include "digitnet/files/onnx_file.hpp"
#include "digitnet/inference/evaluation.hpp"
#include "model_check.hpp"

namespace digitnet::cli {
namespace {

struct ExportArgs {
  std::string model;
  std::string onnx;
  std::string trained_with;
  DataArgs data;
};

void run(const ExportArgs& args) {
  check_output_name("--onnx", args.onnx, {".onnx"});
  const Network net = load_model_flag(args.model);
  OnnxMetadata metadata;
  if (!args.trained_with.empty()) metadata["digitnet.recipe"] = args.trained_with;
  // The accuracy on MNIST's test set, when the model reads it and the data is there.
  std::string accuracy = "not recorded (the model does not read MNIST's 28 x 28 digits)";
  if (net.input_size() == 784 && net.output_size() == digit_classes) {
    const MnistSplit data = load_data(args.data, needs_split("test"));
    const std::size_t correct = evaluate(net, data.test);
    char text[96];
    std::snprintf(text, sizeof text, "%.2f%% (%zu / %zu, MNIST test set)",
                  100.0 * static_cast<double>(correct) / static_cast<double>(data.test.size()),
                  correct, data.test.size());
    accuracy = text;
    metadata["digitnet.test_accuracy"] = accuracy;
  }
  save_onnx(net, args.onnx, metadata);
  std::printf("Wrote %s (ONNX opset %lld: %s; test accuracy %s)\n", args.onnx.c_str(),
              static_cast<long long>(onnx_opset), to_string(net.architecture().layers).c_str(),
              accuracy.c_str());
}

}  // namespace

Command add_export_command(CLI::App& app) {
  auto args = std::make_shared<ExportArgs>();
  CLI::App* cmd = app.add_subcommand(
      "export", "Write a model as ONNX, for ONNX Runtime and the other runtimes that read it");
  cmd->add_option("--model", args->model, "Model file written by 'digitnet train --save'")
      ->required();
  cmd->add_option("--onnx", args->onnx,
                  "The ONNX file to write (input 'input': N x 784, or N x 1 x 28 x 28 when the "
                  "first layer is a convolution, pixels byte/255; output 'probabilities': N x 10)")
      ->required();
  cmd->add_option("--trained-with", args->trained_with,
                  "How the model was trained (a recipe's name or a command), kept in the ONNX "
                  "metadata as digitnet.recipe");
  add_data_option(*cmd, args->data);
  return {cmd, [args] { run(*args); }};
}

}  // namespace digitnet::cli
