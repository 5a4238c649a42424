// Tests of ONNX export and import: exact round trips of every kind of layer, the graph's
// documented shape, and damaged or foreign graphs refused with the node named, never a crash.
// (ONNX Runtime, ONNX's Python checker and PyTorch: tests/onnx/test_onnx.py.)
#include "digitnet/files/onnx_file.hpp"

#include <onnx/onnx_pb.h>

#include "digitnet/files/model_file.hpp"
#include "test_support.hpp"

namespace digitnet {
namespace {

Network network(Shape input, const std::string& layers, Cost cost, std::uint64_t seed = 5) {
  Architecture arch;
  arch.input = input;
  std::string problem;
  arch.layers = parse_layer_list(layers, Activation::relu, Activation::softmax, &problem);
  EXPECT_EQ(problem, "");
  arch.cost = cost;
  EXPECT_EQ(architecture_problem(arch), "");
  return Network(arch, seed, Init::he);
}

const Shape flat{784, 1, 1}, image{1, 28, 28};

// The network with every normalisation layer's γ, β, mean and variance made distinct.
Network with_statistics(Network net) {
  for (std::size_t l = 0; l < net.layers(); ++l) {
    if (net.architecture().layers[l].kind != "norm") continue;
    auto w = net.parameters().weights(l);
    for (Eigen::Index c = 0; c < w.rows(); ++c) {
      const auto x = static_cast<float>(c + 1);
      w.row(c) << 1 + x / 8, x / 4 - 1, x / 2;
      net.parameters().biases(l)(c) = x / 16;
    }
  }
  return net;
}

onnx::ModelProto proto(const std::vector<std::uint8_t>& bytes) {
  onnx::ModelProto model;
  EXPECT_TRUE(model.ParseFromArray(bytes.data(), static_cast<int>(bytes.size())));
  return model;
}
std::vector<std::uint8_t> bytes_of(const onnx::ModelProto& model) {
  std::string text;
  model.SerializeToString(&text);
  return {text.begin(), text.end()};
}
std::string import_problem(const onnx::ModelProto& model) {
  return testing::error_message([&] { parse_onnx(bytes_of(model), "m.onnx"); });
}

TEST(OnnxFile, ExportThenImportGivesTheSameModelFileForEveryKindOfLayer) {
  const std::vector<Network> nets = {
      Network(Architecture::seeds({784, 30, 10}), 1),
      network(flat, "dense:64:relu,dense:10:softmax", Cost::log_likelihood),
      network(flat, "dense:32:tanh,dense:10:identity", Cost::quadratic),
      network(image, "conv:6x5:relu:same,pool:2,conv:4x3:sigmoid:dropout=0.2,pool:2,"
                     "dense:20:relu:dropout=0.5,dense:10:softmax", Cost::log_likelihood),
      network(image, "conv:3x5:tanh,dense:10:sigmoid", Cost::cross_entropy),
      with_statistics(network(image, "conv:4x5:identity,norm:relu,pool:2,dense:16:identity,"
                                     "norm:tanh:dropout=0.5,dense:10:softmax",
                              Cost::log_likelihood)),
  };
  for (const Network& net : nets) {
    SCOPED_TRACE(to_string(net.architecture().layers));
    const Network back = parse_onnx(onnx_model_bytes(net), "m.onnx");
    EXPECT_EQ(serialize_model(back), serialize_model(net));
  }
}

TEST(OnnxFile, ExportHasTheDocumentedInputsOutputsAndNodes) {
  const Network cnn = network(image, "conv:4x5:relu:same,pool:2,dense:10:softmax",
                              Cost::log_likelihood);
  const onnx::ModelProto model = proto(onnx_model_bytes(cnn, {{"digitnet.recipe", "r"}}));
  EXPECT_EQ(model.opset_import(0).version(), onnx_opset);
  const auto& input = model.graph().input(0).type().tensor_type().shape();
  ASSERT_EQ(input.dim_size(), 4);
  EXPECT_EQ(input.dim(0).dim_param(), "N");
  EXPECT_EQ(input.dim(3).dim_value(), 28);
  EXPECT_EQ(model.graph().output(0).name(), "probabilities");
  std::vector<std::string> ops;
  for (const auto& node : model.graph().node()) ops.push_back(node.op_type());
  EXPECT_EQ(ops, (std::vector<std::string>{"Conv", "Relu", "MaxPool", "Flatten", "Gemm",
                                           "Softmax"}));
  std::map<std::string, std::string> meta;
  for (const auto& entry : model.metadata_props()) meta[entry.key()] = entry.value();
  EXPECT_EQ(meta["digitnet.layers"], "conv:4x5:relu:same,pool:2:identity,dense:10:softmax");
  EXPECT_EQ(meta["digitnet.cost"], "log-likelihood");
  EXPECT_EQ(meta["digitnet.recipe"], "r");

  // A dense network reads N x 784; a sigmoid output gets the odds head after "outputs".
  const onnx::ModelProto mlp = proto(onnx_model_bytes(Network(Architecture::seeds({784, 30, 10}), 1)));
  EXPECT_EQ(mlp.graph().input(0).type().tensor_type().shape().dim_size(), 2);
  EXPECT_EQ(mlp.graph().node(3).output(0), "outputs");
  EXPECT_EQ(mlp.graph().node(mlp.graph().node_size() - 1).output(0), "probabilities");
}

// A digitnet export with its producer renamed: read as anyone else's graph.
onnx::ModelProto foreign(const Network& net) {
  onnx::ModelProto model = proto(onnx_model_bytes(net));
  model.set_producer_name("pytorch");
  return model;
}

TEST(OnnxFile, ForeignGraphsEndingInTheirOutputAreRead) {
  const Network net = network(image, "conv:4x5:relu,pool:2,dense:10:softmax", Cost::log_likelihood);
  const Network back = parse_onnx(bytes_of(foreign(net)), "m.onnx");
  EXPECT_EQ(serialize_model(back), serialize_model(net));
}

TEST(OnnxFile, ImportNamesTheFirstNodeItCannotHold) {
  const Network net = network(image, "conv:4x5:relu,pool:2,dense:10:softmax", Cost::log_likelihood);
  onnx::ModelProto model = foreign(net);
  model.mutable_graph()->mutable_node(1)->set_op_type("Elu");
  EXPECT_EQ(import_problem(model),
            "m.onnx: node 1 'layer0.relu' (op Elu): digitnet cannot hold this operator; it reads "
            "Gemm, MatMul, Add (a bias), Conv, MaxPool, BatchNormalization, Relu, Sigmoid, Tanh, "
            "Softmax, LogSoftmax, Flatten, Reshape, Dropout and Identity");

  // Batch normalisation in inference mode only, with variances it can hold.
  const Network normed = network(image, "conv:4x5:identity,norm:relu,pool:2,dense:10:softmax",
                                 Cost::log_likelihood);
  model = proto(onnx_model_bytes(normed));
  onnx::NodeProto* norm = model.mutable_graph()->mutable_node(1);
  ASSERT_EQ(norm->op_type(), "BatchNormalization");
  onnx::AttributeProto* training = norm->add_attribute();
  training->set_name("training_mode");
  training->set_type(onnx::AttributeProto::INT);
  training->set_i(1);
  EXPECT_ERROR_CONTAINS(parse_onnx(bytes_of(model), "m.onnx"),
                        "node 1 'layer1.norm' (op BatchNormalization): digitnet reads "
                        "BatchNormalization in inference mode only");
  model = proto(onnx_model_bytes(normed));
  model.mutable_graph()->mutable_node(1)->mutable_attribute(0)->set_f(-1);  // ε
  EXPECT_ERROR_CONTAINS(parse_onnx(bytes_of(model), "m.onnx"),
                        "its variance of channel 0 is negative");

  model = foreign(net);
  auto* strides = model.mutable_graph()->mutable_node(0)->mutable_attribute(2);
  ASSERT_EQ(strides->name(), "strides");
  strides->set_ints(0, 2);
  EXPECT_ERROR_CONTAINS(parse_onnx(bytes_of(model), "m.onnx"),
                        "node 0 'layer0.conv' (op Conv): digitnet's convolutions "
                                       "have stride 1");

  model = foreign(net);
  model.mutable_graph()->mutable_node(4)->set_input(0, "input");  // a branch, not a chain
  EXPECT_ERROR_CONTAINS(parse_onnx(bytes_of(model), "m.onnx"),
                        "node 4 'layer2.gemm' (op Gemm): it does not read the "
                                       "previous layer's output");

  model = foreign(net);
  model.mutable_opset_import(0)->set_version(6);
  EXPECT_ERROR_CONTAINS(parse_onnx(bytes_of(model), "m.onnx"),
                        "opset 6");
}

TEST(OnnxFile, TensorsAreCheckedBeforeAnythingIsSizedByThem) {
  const Network net = Network(Architecture::seeds({784, 30, 10}), 1);
  onnx::ModelProto model = foreign(net);
  onnx::TensorProto* weight = model.mutable_graph()->mutable_initializer(0);
  ASSERT_EQ(weight->name(), "layer0.weight");
  weight->set_dims(0, std::int64_t{1} << 27);
  weight->set_dims(1, std::int64_t{1} << 27);
  EXPECT_ERROR_CONTAINS(parse_onnx(bytes_of(model), "m.onnx"),
                        "tensor 'layer0.weight' is larger than");

  model = foreign(net);
  model.mutable_graph()->mutable_initializer(0)->mutable_raw_data()->resize(100);
  EXPECT_ERROR_CONTAINS(parse_onnx(bytes_of(model), "m.onnx"),
                        "holds 100 bytes, not 94080");

  model = foreign(net);
  model.mutable_graph()->mutable_initializer(0)->set_data_location(onnx::TensorProto::EXTERNAL);
  EXPECT_ERROR_CONTAINS(parse_onnx(bytes_of(model), "m.onnx"),
                        "external file");

  model = foreign(net);
  model.mutable_graph()->mutable_initializer(0)->set_dims(1, 783);  // does not fit its input
  EXPECT_ERROR_CONTAINS(parse_onnx(bytes_of(model), "m.onnx"),
                        "holds 94080 bytes, not 93960");
}

TEST(OnnxFile, DamagedAndTruncatedFilesAreRefusedNeverACrash) {
  const std::vector<std::uint8_t> good =
      onnx_model_bytes(network(image, "conv:2x3:relu,pool:2,dense:10:softmax", Cost::log_likelihood));
  std::size_t refused = 0;
  for (std::size_t n = 0; n < good.size(); n += 7) {
    const std::vector<std::uint8_t> prefix(good.begin(), good.begin() + static_cast<long>(n));
    try {
      parse_onnx(prefix, "m.onnx");
    } catch (const Error& e) {
      ++refused;
      EXPECT_EQ(std::string(e.what()).find('\n'), std::string::npos);
    }
  }
  EXPECT_EQ(refused, (good.size() + 6) / 7);
  EXPECT_ERROR_CONTAINS(parse_onnx(std::vector<std::uint8_t>{0xff, 0xff, 0xff}, "m.onnx"),
                        "m.onnx: byte ");
}

class OnnxFileTest : public testing::TempDirTest {};

TEST_F(OnnxFileTest, SaveThenLoadReadsTheFile) {
  const Network net = Network(Architecture::seeds({784, 30, 10}), 2);
  save_onnx(net, path("m.onnx"));
  EXPECT_TRUE(is_onnx_path(path("m.onnx")));
  EXPECT_EQ(serialize_model(load_onnx(path("m.onnx"))), serialize_model(net));
  EXPECT_ERROR_CONTAINS(load_onnx(path("none.onnx")), "file not found");
}

}  // namespace
}  // namespace digitnet
