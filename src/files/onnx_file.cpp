// ONNX export and import (onnx_file.hpp): digitnet's layers as ONNX nodes and back, through the
// ONNX project's protobuf classes (onnx/onnx_pb.h) and checker. The mapping is documented in
// docs/model-format.md ("ONNX").
#include "digitnet/files/onnx_file.hpp"

#include <google/protobuf/io/coded_stream.h>
#include <onnx/checker.h>
#include <onnx/onnx_pb.h>

#include <algorithm>
#include <cassert>
#include <cstring>
#include <fstream>
#include <optional>
#include <set>
#include <unordered_map>

#include "digitnet/core/error.hpp"
#include "digitnet/files/atomic_file.hpp"
#include "digitnet/files/model_file.hpp"
#include "files/byte_io.hpp"
#include "digitnet/network/layers/conv.hpp"
#include "digitnet/network/layers/dense.hpp"
#include "digitnet/network/layers/norm.hpp"
#include "digitnet/network/layers/pool.hpp"

namespace digitnet {
namespace {

constexpr const char* producer = "digitnet";
// The tensor of the network's own outputs in an export; the nodes after it turn them into
// probabilities, and import of digitnet's own files stops there.
constexpr const char* outputs_name = "outputs";
constexpr const char* probabilities_name = "probabilities";

// ---------------------------------------------------------------------------------------------
// Export

class GraphWriter {
 public:
  explicit GraphWriter(onnx::GraphProto& graph) : graph_(graph) {}

  // A node `op` reading `inputs`, writing one tensor, which it returns (`output`, or a name
  // made from the node's).
  std::string node(const std::string& op, const std::string& name,
                   const std::vector<std::string>& inputs, std::string output = "") {
    onnx::NodeProto* node = graph_.add_node();
    node->set_op_type(op);
    node->set_name(name);
    for (const std::string& input : inputs) node->add_input(input);
    if (output.empty()) output = name;
    node->add_output(output);
    last_ = node;
    return output;
  }
  // Attributes of the node just added.
  void ints(const std::string& name, const std::vector<std::int64_t>& values) {
    onnx::AttributeProto* a = last_->add_attribute();
    a->set_name(name);
    a->set_type(onnx::AttributeProto::INTS);
    for (std::int64_t v : values) a->add_ints(v);
  }
  void integer(const std::string& name, std::int64_t value) {
    onnx::AttributeProto* a = last_->add_attribute();
    a->set_name(name);
    a->set_type(onnx::AttributeProto::INT);
    a->set_i(value);
  }
  void real(const std::string& name, float value) {
    onnx::AttributeProto* a = last_->add_attribute();
    a->set_name(name);
    a->set_type(onnx::AttributeProto::FLOAT);
    a->set_f(value);
  }

  // An initializer of floats with these dimensions; returns its name.
  std::string floats(const std::string& name, const std::vector<std::int64_t>& dims,
                     std::span<const float> values) {
    onnx::TensorProto* t = tensor(name, onnx::TensorProto::FLOAT, dims);
    // raw_data is little-endian, as is every machine digitnet runs on (x86-64).
    t->set_raw_data(values.data(), values.size_bytes());
    return name;
  }
  std::string scalar_double(const std::string& name, double value) {
    onnx::TensorProto* t = tensor(name, onnx::TensorProto::DOUBLE, {});
    t->add_double_data(value);
    return name;
  }
  std::string int64s(const std::string& name, const std::vector<std::int64_t>& values) {
    onnx::TensorProto* t =
        tensor(name, onnx::TensorProto::INT64, {static_cast<std::int64_t>(values.size())});
    for (std::int64_t v : values) t->add_int64_data(v);
    return name;
  }

 private:
  onnx::TensorProto* tensor(const std::string& name, int type,
                            const std::vector<std::int64_t>& dims) {
    onnx::TensorProto* t = graph_.add_initializer();
    t->set_name(name);
    t->set_data_type(type);
    for (std::int64_t d : dims) t->add_dims(d);
    return t;
  }

  onnx::GraphProto& graph_;
  onnx::NodeProto* last_ = nullptr;
};

void set_tensor_type(onnx::ValueInfoProto* value, const std::string& name,
                     const std::vector<std::int64_t>& dims) {
  value->set_name(name);
  onnx::TypeProto_Tensor* type = value->mutable_type()->mutable_tensor_type();
  type->set_elem_type(onnx::TensorProto::FLOAT);
  onnx::TensorShapeProto* shape = type->mutable_shape();
  shape->add_dim()->set_dim_param("N");
  for (std::int64_t d : dims) shape->add_dim()->set_dim_value(d);
}

std::int64_t as_dim(std::size_t n) { return static_cast<std::int64_t>(n); }

// The ONNX operator of an activation other than identity and softmax.
const char* activation_op(Activation a) {
  switch (a) {
    case Activation::sigmoid: return "Sigmoid";
    case Activation::tanh: return "Tanh";
    case Activation::relu: return "Relu";
    default: return nullptr;
  }
}

// The nodes that turn the network's outputs into output_probabilities' (evaluation.hpp), in
// double as it computes them.
std::string probability_head(GraphWriter& g, const std::string& outputs, Activation output) {
  const std::string a = g.node("Cast", "probabilities.cast", {outputs});
  g.integer("to", onnx::TensorProto::DOUBLE);
  const std::string axes = g.int64s("probabilities.axes", {1});
  std::string p;
  if (output == Activation::sigmoid) {
    // The odds of each output a/(1 − a), a clamped to [1e-12, 1 − 1e-12]; P_j = odds_j / (1 +
    // Σ odds), the rest being "no digit".
    const std::string clamped =
        g.node("Clip", "probabilities.clip",
               {a, g.scalar_double("probabilities.low", 1e-12),
                g.scalar_double("probabilities.high", 1 - 1e-12)});
    const std::string one = g.scalar_double("probabilities.one", 1);
    const std::string rest = g.node("Sub", "probabilities.complement", {one, clamped});
    const std::string odds = g.node("Div", "probabilities.odds", {clamped, rest});
    const std::string sum = g.node("ReduceSum", "probabilities.odds_sum", {odds, axes});
    g.integer("keepdims", 1);
    const std::string total = g.node("Add", "probabilities.total", {sum, one});
    p = g.node("Div", "probabilities.share", {odds, total});
  } else {
    // Not probabilities: each output's share of the positive ones, 0.1 each when none is.
    const std::string zero = g.scalar_double("probabilities.zero", 0);
    const std::string positive = g.node("Max", "probabilities.positive", {a, zero});
    const std::string sum = g.node("ReduceSum", "probabilities.sum", {positive, axes});
    g.integer("keepdims", 1);
    const std::string some = g.node("Greater", "probabilities.some", {sum, zero});
    const std::string share = g.node("Div", "probabilities.divide", {positive, sum});
    p = g.node("Where", "probabilities.share", {some, share,
                                                g.scalar_double("probabilities.even", 0.1)});
  }
  const std::string result = g.node("Cast", "probabilities", {p}, probabilities_name);
  g.integer("to", onnx::TensorProto::FLOAT);
  return result;
}

onnx::ModelProto onnx_model(const Network& net, const OnnxMetadata& extra) {
  onnx::ModelProto model;
  model.set_ir_version(7);  // the IR of opset 13
  model.set_producer_name(producer);
  model.set_producer_version(DIGITNET_VERSION);
  model.set_doc_string("A digitnet network (" + to_string(net.architecture().layers) +
                       "), exported by digitnet export");
  onnx::OperatorSetIdProto* opset = model.add_opset_import();
  opset->set_domain("");
  opset->set_version(onnx_opset);

  onnx::GraphProto& graph = *model.mutable_graph();
  graph.set_name("digitnet");
  GraphWriter g(graph);
  const Architecture& arch = net.architecture();
  const std::vector<Shape> shapes = arch.shapes();
  const bool image_input = arch.layers.front().kind != DenseKind::name;
  const Shape in = arch.input;
  set_tensor_type(graph.add_input(), "input",
                  image_input ? std::vector<std::int64_t>{as_dim(in.channels), as_dim(in.height),
                                                          as_dim(in.width)}
                              : std::vector<std::int64_t>{as_dim(in.size())});

  std::string x = "input";
  bool flat = !image_input;
  const std::span<const float> parameters = net.parameters().flat();
  std::size_t offset = 0;
  const std::size_t last = arch.layers.size() - 1;
  for (std::size_t l = 0; l < arch.layers.size(); ++l) {
    const LayerSpec& spec = arch.layers[l];
    const ParameterBlock block = net.parameter_layout()[l];
    const std::string name = "layer" + std::to_string(l);
    const auto weights = parameters.subspan(offset, block.rows * block.cols);
    const auto biases = parameters.subspan(offset + block.rows * block.cols, block.rows);
    offset += block.size();
    if (spec.kind == DenseKind::name) {
      if (!flat) {
        x = g.node("Flatten", name + ".flatten", {x});
        g.integer("axis", 1);
        flat = true;
      }
      x = g.node("Gemm", name + ".gemm",
                 {x, g.floats(name + ".weight", {as_dim(block.rows), as_dim(block.cols)}, weights),
                  g.floats(name + ".bias", {as_dim(block.rows)}, biases)});
      g.integer("transB", 1);
    } else if (spec.kind == ConvKind::name) {
      const std::size_t k = spec.numbers[1];
      const bool same =
          std::find(spec.options.begin(), spec.options.end(), "same") != spec.options.end();
      const std::int64_t pad = same ? as_dim((k - 1) / 2) : 0;
      x = g.node("Conv", name + ".conv",
                 {x, g.floats(name + ".weight",
                              {as_dim(block.rows), as_dim(shapes[l].channels), as_dim(k), as_dim(k)},
                              weights),
                  g.floats(name + ".bias", {as_dim(block.rows)}, biases)});
      g.ints("kernel_shape", {as_dim(k), as_dim(k)});
      g.ints("pads", {pad, pad, pad, pad});
      g.ints("strides", {1, 1});
    } else if (spec.kind == NormKind::name) {
      // W's columns γ, mean and variance as BatchNormalization's scale, mean and var.
      const auto column = [&](std::size_t j) {
        std::vector<float> values;
        for (std::size_t c = 0; c < block.rows; ++c) values.push_back(weights[c * 3 + j]);
        return values;
      };
      const std::vector<std::int64_t> dims = {as_dim(block.rows)};
      x = g.node("BatchNormalization", name + ".norm",
                 {x, g.floats(name + ".scale", dims, column(0)),
                  g.floats(name + ".bias", dims, biases), g.floats(name + ".mean", dims, column(1)),
                  g.floats(name + ".variance", dims, column(2))});
      g.real("epsilon", static_cast<float>(NormKind::epsilon));
    } else if (spec.kind == PoolKind::name) {
      const std::int64_t p = as_dim(spec.numbers[0]);
      x = g.node("MaxPool", name + ".pool", {x});
      g.ints("kernel_shape", {p, p});
      g.ints("strides", {p, p});
    } else {
      throw Error("ONNX export: layer " + std::to_string(l + 1) + " '" + to_string(spec) +
                  "': no ONNX mapping for the kind '" + spec.kind + "'");
    }
    const std::string out = l == last ? outputs_name : "";
    if (l == last && !flat) {
      // Outputs are N×10, whatever the last layer's shape (its values in digitnet's order).
      x = g.node("Flatten", name + ".flatten_output", {x});
      g.integer("axis", 1);
      flat = true;
    }
    if (spec.activation == Activation::softmax) {
      x = g.node("Softmax", name + ".softmax", {x}, l == last ? probabilities_name : "");
      g.integer("axis", 1);
    } else if (const char* op = activation_op(spec.activation)) {
      x = g.node(op, name + "." + std::string(digitnet::name(spec.activation)), {x}, out);
    } else if (l == last) {
      x = g.node("Identity", name + ".outputs", {x}, out);
    }
  }
  const Activation output = arch.layers.back().activation;
  const std::string result =
      output == Activation::softmax ? x : probability_head(g, x, output);
  set_tensor_type(graph.add_output(), result, {as_dim(net.output_size())});

  auto meta = [&](const std::string& key, const std::string& value) {
    onnx::StringStringEntryProto* entry = model.add_metadata_props();
    entry->set_key(key);
    entry->set_value(value);
  };
  meta("digitnet.layers", to_string(arch.layers));
  meta("digitnet.cost", std::string(digitnet::name(arch.cost)));
  meta("digitnet.input", std::string(image_input ? "N x C x H x W" : "N x (C*H*W)") +
                             " float32, each pixel byte/255 (0 paper, 1 ink)");
  meta("digitnet.output", output == Activation::softmax
                              ? "probabilities: the softmax outputs"
                          : output == Activation::sigmoid
                              ? "probabilities: odds a/(1-a) of each sigmoid output over 1 + their "
                                "sum (1 - their sum: no digit)"
                              : "shares of the positive outputs, not probabilities");
  for (const auto& [key, value] : extra) meta(key, value);
  return model;
}

// ---------------------------------------------------------------------------------------------
// Import

// The pieces of one graph digitnet reads: every initializer and Constant by name.
struct Constants {
  std::unordered_map<std::string, const onnx::TensorProto*> tensors;
  const onnx::TensorProto* find(const std::string& name) const {
    const auto it = tensors.find(name);
    return it == tensors.end() ? nullptr : it->second;
  }
};

class Importer {
 public:
  Importer(const onnx::ModelProto& model, const std::filesystem::path& path)
      : model_(model), graph_(model.graph()), path_(path) {}

  Network run() {
    check_opset();
    for (const onnx::TensorProto& t : graph_.initializer()) constants_.tensors[t.name()] = &t;
    read_input();
    if (graph_.node_size() > onnx_max_nodes)
      fail("the graph has " + std::to_string(graph_.node_size()) + " nodes, more than the " +
           std::to_string(onnx_max_nodes) + " digitnet reads");
    const bool ours = model_.producer_name() == producer;
    for (int i = 0; i < graph_.node_size(); ++i) {
      read_node(i, graph_.node(i));
      // digitnet's own export: the nodes after the network's outputs are its probabilities,
      // which digitnet computes from the output activation itself.
      if (ours && current_ == outputs_name) break;
    }
    if (layers_.empty()) fail("the graph has no layer digitnet can hold (no Gemm, MatMul or Conv)");
    if (!ours) check_graph_output();
    return build(ours);
  }

 private:
  [[noreturn]] void fail(const std::string& what) const {
    throw file_error(path_, what, "digitnet imports chains of the nodes listed by 'digitnet "
                                  "import --help'");
  }
  [[noreturn]] void fail_node(int index, const onnx::NodeProto& node,
                              const std::string& what) const {
    throw file_error(path_, "node " + std::to_string(index) + " '" + node.name() + "' (op " +
                                node.op_type() + "): " + what);
  }

  void check_opset() {
    for (const onnx::OperatorSetIdProto& set : model_.opset_import()) {
      if (!set.domain().empty() && set.domain() != "ai.onnx") continue;
      opset_ = set.version();
    }
    if (opset_ < 7 || opset_ > onnx_newest_opset)
      fail("opset " + std::to_string(opset_) + " of the ONNX operators: digitnet reads 7 to " +
           std::to_string(onnx_newest_opset) + " (export with opset_version=13)");
  }

  void read_input() {
    const onnx::ValueInfoProto* input = nullptr;
    for (const onnx::ValueInfoProto& v : graph_.input()) {
      if (constants_.find(v.name())) continue;  // older IRs list initializers as inputs too
      if (input)
        fail("the graph has two inputs ('" + input->name() + "', '" + v.name() +
             "'); digitnet's networks read one image");
      input = &v;
    }
    if (!input) fail("the graph has no input");
    const auto& type = input->type();
    if (!type.has_tensor_type() || type.tensor_type().elem_type() != onnx::TensorProto::FLOAT)
      fail("input '" + input->name() + "' is not a float tensor");
    const auto& dims = type.tensor_type().shape().dim();
    if (dims.size() != 2 && dims.size() != 4)
      fail("input '" + input->name() + "' has " + std::to_string(dims.size()) +
           " dimensions; digitnet reads N x K or N x C x H x W");
    std::vector<std::size_t> sizes;
    for (int d = 1; d < dims.size(); ++d) {
      if (!dims[d].has_dim_value() || dims[d].dim_value() < 1 ||
          dims[d].dim_value() > (std::int64_t{1} << 20))
        fail("input '" + input->name() + "': dimension " + std::to_string(d) +
             " must be a fixed size from 1 to 1048576");
      sizes.push_back(static_cast<std::size_t>(dims[d].dim_value()));
    }
    input_ = sizes.size() == 1 ? Shape{sizes[0], 1, 1} : Shape{sizes[0], sizes[1], sizes[2]};
    if (input_.size() > (std::size_t{1} << 20)) fail("input '" + input->name() + "' is too large");
    rank_ = static_cast<int>(dims.size());
    current_ = input->name();
  }

  // The node's attribute `name`, or null.
  static const onnx::AttributeProto* attribute(const onnx::NodeProto& node,
                                               const std::string& name) {
    for (const onnx::AttributeProto& a : node.attribute())
      if (a.name() == name) return &a;
    return nullptr;
  }
  std::int64_t int_attribute(const onnx::NodeProto& node, const std::string& name,
                             std::int64_t fallback) const {
    const onnx::AttributeProto* a = attribute(node, name);
    return a ? a->i() : fallback;
  }
  std::vector<std::int64_t> ints_attribute(const onnx::NodeProto& node,
                                           const std::string& name) const {
    const onnx::AttributeProto* a = attribute(node, name);
    return a ? std::vector<std::int64_t>(a->ints().begin(), a->ints().end())
             : std::vector<std::int64_t>{};
  }
  // Attributes outside `known` are refused: an unknown one could change what the node does.
  void only_attributes(int index, const onnx::NodeProto& node,
                       std::initializer_list<const char*> known) const {
    for (const onnx::AttributeProto& a : node.attribute())
      if (std::none_of(known.begin(), known.end(), [&](const char* k) { return a.name() == k; }))
        fail_node(index, node, "its attribute '" + a.name() + "' is not one digitnet reads");
  }

  // A float tensor's values, its dimensions checked against `dims` first.
  std::vector<float> floats(int index, const onnx::NodeProto& node, const std::string& name,
                            const std::vector<std::int64_t>& dims) const {
    const onnx::TensorProto* t = constants_.find(name);
    if (!t) fail_node(index, node, "its input '" + name + "' is not a constant (an initializer)");
    if (t->data_type() != onnx::TensorProto::FLOAT)
      fail_node(index, node, "tensor '" + name + "' is not float32");
    if (t->data_location() == onnx::TensorProto::EXTERNAL)
      fail_node(index, node, "tensor '" + name + "' is in an external file; export with the "
                             "weights inside the model");
    if (!std::equal(t->dims().begin(), t->dims().end(), dims.begin(), dims.end()))
      fail_node(index, node, "tensor '" + name + "' has dimensions " + dims_text(t->dims()) +
                             ", not " + dims_text(dims));
    std::size_t count = 1;
    for (std::int64_t d : dims) count *= static_cast<std::size_t>(d);
    std::vector<float> values(count);
    if (t->has_raw_data()) {
      if (t->raw_data().size() != 4 * count)
        fail_node(index, node, "tensor '" + name + "' holds " +
                                   std::to_string(t->raw_data().size()) + " bytes, not " +
                                   std::to_string(4 * count));
      std::memcpy(values.data(), t->raw_data().data(), 4 * count);
    } else {
      if (static_cast<std::size_t>(t->float_data_size()) != count)
        fail_node(index, node, "tensor '" + name + "' holds " +
                                   std::to_string(t->float_data_size()) + " values, not " +
                                   std::to_string(count));
      std::copy(t->float_data().begin(), t->float_data().end(), values.begin());
    }
    return values;
  }
  // A tensor's dimensions, each checked against the caps before anything is sized by them.
  std::vector<std::int64_t> dims_of(int index, const onnx::NodeProto& node,
                                    const std::string& name) const {
    const onnx::TensorProto* t = constants_.find(name);
    if (!t) fail_node(index, node, "its input '" + name + "' is not a constant (an initializer)");
    std::uint64_t count = 1;
    for (std::int64_t d : t->dims()) {
      if (d < 1 || d > (std::int64_t{1} << 28))
        fail_node(index, node, "tensor '" + name + "' has a dimension of " + std::to_string(d));
      count *= static_cast<std::uint64_t>(d);
      if (count > model_max_parameters)
        fail_node(index, node, "tensor '" + name + "' is larger than the " +
                                   std::to_string(model_max_parameters) + " values digitnet holds");
    }
    return {t->dims().begin(), t->dims().end()};
  }
  template <typename Dims>
  static std::string dims_text(const Dims& dims) {
    std::string text = "[";
    for (std::int64_t d : dims) text += (text.size() > 1 ? ", " : "") + std::to_string(d);
    return text + "]";
  }
  // The values of a small int64 tensor (Reshape's shape).
  std::vector<std::int64_t> int64s(int index, const onnx::NodeProto& node,
                                   const std::string& name) const {
    const onnx::TensorProto* t = constants_.find(name);
    if (!t || t->data_type() != onnx::TensorProto::INT64 || t->dims_size() != 1 ||
        t->dims(0) < 0 || t->dims(0) > 8)
      fail_node(index, node, "its shape '" + name + "' is not a constant list of integers");
    const auto n = static_cast<std::size_t>(t->dims(0));
    std::vector<std::int64_t> values(n);
    if (t->has_raw_data()) {
      if (t->raw_data().size() != 8 * n) fail_node(index, node, "tensor '" + name + "' is damaged");
      std::memcpy(values.data(), t->raw_data().data(), 8 * n);
    } else {
      if (static_cast<std::size_t>(t->int64_data_size()) != n)
        fail_node(index, node, "tensor '" + name + "' is damaged");
      std::copy(t->int64_data().begin(), t->int64_data().end(), values.begin());
    }
    return values;
  }

  void read_node(int index, const onnx::NodeProto& node) {
    const std::string& op = node.op_type();
    if (!node.domain().empty() && node.domain() != "ai.onnx")
      fail_node(index, node, "an operator of domain '" + node.domain() + "' is not one digitnet has");
    if (op == "Constant") {
      const onnx::AttributeProto* value = attribute(node, "value");
      if (!value || !value->has_t() || node.output_size() != 1)
        fail_node(index, node, "digitnet reads Constant nodes holding one tensor");
      constants_.tensors[node.output(0)] = &value->t();
      return;
    }
    if (node.input_size() < 1 || node.input(0) != current_)
      fail_node(index, node, "it does not read the previous layer's output '" + current_ +
                                 "': digitnet holds one chain of layers");
    if (node.output_size() < 1 || node.output(0).empty())
      fail_node(index, node, "it has no output");
    // The node's other inputs must be constants; its output is the next layer's input.
    if (op == "Gemm") read_gemm(index, node);
    else if (op == "MatMul") read_matmul(index, node);
    else if (op == "Add") read_add(index, node);
    else if (op == "Conv") read_conv(index, node);
    else if (op == "MaxPool") read_pool(index, node);
    else if (op == "BatchNormalization") read_norm(index, node);
    else if (op == "Relu" || op == "Sigmoid" || op == "Tanh") read_activation(index, node);
    else if (op == "Softmax" || op == "LogSoftmax") read_softmax(index, node);
    else if (op == "Flatten") read_flatten(index, node);
    else if (op == "Reshape") read_reshape(index, node);
    else if (op == "Identity" || op == "Dropout") read_pass(index, node);
    else
      fail_node(index, node, "digitnet cannot hold this operator; it reads Gemm, MatMul, Add "
                             "(a bias), Conv, MaxPool, BatchNormalization, Relu, Sigmoid, Tanh, "
                             "Softmax, LogSoftmax, Flatten, Reshape, Dropout and Identity");
    if (node.output_size() > 1 && op != "Dropout")
      fail_node(index, node, "digitnet reads nodes with one output");
    current_ = node.output(0);
    last_op_ = op;
  }

  void need_flat(int index, const onnx::NodeProto& node) const {
    if (rank_ != 2)
      fail_node(index, node, "its input is N x C x H x W; flatten it first (nn.Flatten)");
  }
  void need_inputs(int index, const onnx::NodeProto& node, int low, int high) const {
    if (node.input_size() < low || node.input_size() > high)
      fail_node(index, node, "it has " + std::to_string(node.input_size()) + " inputs");
  }

  // The dense layer's weights (n_out × n_in, row-major) and biases.
  void add_dense(std::size_t units, std::vector<float> weights, std::vector<float> biases) {
    LayerSpec spec;
    spec.kind = DenseKind::name;
    spec.numbers = {units};
    spec.activation = Activation::identity;
    add_layer(std::move(spec), std::move(weights), std::move(biases));
  }
  void add_layer(LayerSpec spec, std::vector<float> weights, std::vector<float> biases) {
    layers_.push_back(std::move(spec));
    weights_.push_back(std::move(weights));
    biases_.push_back(std::move(biases));
    open_ = layers_.size() - 1;
  }

  void read_gemm(int index, const onnx::NodeProto& node) {
    only_attributes(index, node, {"alpha", "beta", "transA", "transB"});
    need_inputs(index, node, 2, 3);
    need_flat(index, node);
    const onnx::AttributeProto* alpha = attribute(node, "alpha");
    const onnx::AttributeProto* beta = attribute(node, "beta");
    if ((alpha && alpha->f() != 1.0f) || (beta && beta->f() != 1.0f) ||
        int_attribute(node, "transA", 0) != 0)
      fail_node(index, node, "digitnet reads Gemm with alpha = beta = 1 and transA = 0");
    const bool transposed = int_attribute(node, "transB", 0) != 0;
    const std::vector<std::int64_t> dims = dims_of(index, node, node.input(1));
    if (dims.size() != 2) fail_node(index, node, "its weights are not a matrix");
    const auto n_out = static_cast<std::size_t>(transposed ? dims[0] : dims[1]);
    const auto n_in = static_cast<std::size_t>(transposed ? dims[1] : dims[0]);
    std::vector<float> w = floats(index, node, node.input(1), dims);
    if (!transposed) w = transpose(w, n_in, n_out);
    std::vector<float> b(n_out, 0.0f);
    if (node.input_size() == 3 && !node.input(2).empty()) b = bias(index, node, node.input(2), n_out);
    add_dense(n_out, std::move(w), std::move(b));
  }
  void read_matmul(int index, const onnx::NodeProto& node) {
    only_attributes(index, node, {});
    need_inputs(index, node, 2, 2);
    need_flat(index, node);
    const std::vector<std::int64_t> dims = dims_of(index, node, node.input(1));
    if (dims.size() != 2) fail_node(index, node, "its weights are not a matrix");
    const auto n_in = static_cast<std::size_t>(dims[0]), n_out = static_cast<std::size_t>(dims[1]);
    add_dense(n_out, transpose(floats(index, node, node.input(1), dims), n_in, n_out),
              std::vector<float>(n_out, 0.0f));
    bias_open_ = true;
  }
  // Add right after a MatMul: its bias (how PyTorch writes nn.Linear on some inputs).
  void read_add(int index, const onnx::NodeProto& node) {
    need_inputs(index, node, 2, 2);
    if (last_op_ != "MatMul" || !bias_open_)
      fail_node(index, node, "digitnet reads Add only as the bias right after a MatMul");
    const std::size_t n_out = biases_.back().size();
    biases_.back() = bias(index, node, node.input(1), n_out);
    bias_open_ = false;
  }
  std::vector<float> bias(int index, const onnx::NodeProto& node, const std::string& name,
                          std::size_t n) const {
    std::vector<std::int64_t> dims = dims_of(index, node, name);
    const bool row = dims.size() == 2 && dims[0] == 1;
    if (!(dims.size() == 1 || row) || static_cast<std::size_t>(dims.back()) != n)
      fail_node(index, node, "its bias '" + name + "' is not " + std::to_string(n) + " values");
    return floats(index, node, name, dims);
  }
  static std::vector<float> transpose(const std::vector<float>& w, std::size_t rows,
                                      std::size_t cols) {
    std::vector<float> t(w.size());
    for (std::size_t r = 0; r < rows; ++r)
      for (std::size_t c = 0; c < cols; ++c) t[c * rows + r] = w[r * cols + c];
    return t;
  }

  void read_conv(int index, const onnx::NodeProto& node) {
    only_attributes(index, node,
                    {"kernel_shape", "pads", "strides", "dilations", "group", "auto_pad"});
    need_inputs(index, node, 2, 3);
    if (rank_ != 4) fail_node(index, node, "its input is not N x C x H x W");
    const std::vector<std::int64_t> dims = dims_of(index, node, node.input(1));
    if (dims.size() != 4 || dims[2] != dims[3])
      fail_node(index, node, "digitnet's convolutions have square k x k kernels");
    const std::int64_t k = dims[2];
    const auto all = [](const std::vector<std::int64_t>& v, std::int64_t value) {
      return std::all_of(v.begin(), v.end(), [&](std::int64_t x) { return x == value; });
    };
    if (!all(ints_attribute(node, "strides"), 1) || !all(ints_attribute(node, "dilations"), 1) ||
        int_attribute(node, "group", 1) != 1)
      fail_node(index, node, "digitnet's convolutions have stride 1, dilation 1 and one group");
    const std::vector<std::int64_t> kernel = ints_attribute(node, "kernel_shape");
    if (!kernel.empty() && !all(kernel, k))
      fail_node(index, node, "kernel_shape does not match the weights");
    const onnx::AttributeProto* auto_pad = attribute(node, "auto_pad");
    const std::string mode = auto_pad ? auto_pad->s() : "NOTSET";
    const std::vector<std::int64_t> pads = ints_attribute(node, "pads");
    bool same = false;
    if (mode == "SAME_UPPER" || mode == "SAME_LOWER") {
      same = k % 2 == 1;  // an odd kernel pads (k − 1)/2 on every side either way
      if (!same) fail_node(index, node, "same padding of an even kernel is uneven");
    } else if (mode == "NOTSET" || mode == "VALID") {
      if (mode == "NOTSET" && !pads.empty() && !all(pads, 0)) {
        same = k % 2 == 1 && pads.size() == 4 && all(pads, (k - 1) / 2);
        if (!same)
          fail_node(index, node, "digitnet pads nothing (valid) or (k - 1)/2 on every side "
                                 "(same), not pads " + dims_text(pads));
      }
    } else {
      fail_node(index, node, "auto_pad '" + mode + "' is not one digitnet reads");
    }
    const auto maps = static_cast<std::size_t>(dims[0]);
    LayerSpec spec;
    spec.kind = ConvKind::name;
    spec.numbers = {maps, static_cast<std::size_t>(k)};  // conv:MAPSxK
    spec.activation = Activation::identity;
    if (same) spec.options = {"same"};
    std::vector<float> b(maps, 0.0f);
    if (node.input_size() == 3 && !node.input(2).empty()) b = bias(index, node, node.input(2), maps);
    add_layer(std::move(spec), floats(index, node, node.input(1), dims), std::move(b));
  }

  void read_pool(int index, const onnx::NodeProto& node) {
    only_attributes(index, node, {"kernel_shape", "pads", "strides", "dilations", "ceil_mode",
                                  "auto_pad", "storage_order"});
    if (rank_ != 4) fail_node(index, node, "its input is not N x C x H x W");
    if (node.output_size() > 1) fail_node(index, node, "digitnet does not give MaxPool's indices");
    const std::vector<std::int64_t> kernel = ints_attribute(node, "kernel_shape");
    if (kernel.size() != 2 || kernel[0] != kernel[1] || kernel[0] < 1 ||
        kernel[0] > (std::int64_t{1} << 20))
      fail_node(index, node, "digitnet pools square p x p windows");
    const std::int64_t p = kernel[0];
    const std::vector<std::int64_t> strides = ints_attribute(node, "strides");
    const std::vector<std::int64_t> pads = ints_attribute(node, "pads");
    const std::vector<std::int64_t> dilations = ints_attribute(node, "dilations");
    const onnx::AttributeProto* auto_pad = attribute(node, "auto_pad");
    if (strides != std::vector<std::int64_t>{p, p} ||
        std::any_of(pads.begin(), pads.end(), [](std::int64_t x) { return x != 0; }) ||
        std::any_of(dilations.begin(), dilations.end(), [](std::int64_t x) { return x != 1; }) ||
        int_attribute(node, "ceil_mode", 0) != 0 ||
        (auto_pad && auto_pad->s() != "NOTSET" && auto_pad->s() != "VALID"))
      fail_node(index, node, "digitnet pools with stride p, no padding, no dilation and "
                             "ceil_mode 0");
    LayerSpec spec;
    spec.kind = PoolKind::name;
    spec.numbers = {static_cast<std::size_t>(p)};
    spec.activation = Activation::identity;
    const std::optional<std::size_t> open = open_;
    add_layer(std::move(spec), {}, {});
    open_ = open;  // an activation after the pooling belongs to the layer before it (below)
  }

  // Inference mode only; ε other than digitnet's is folded into the variances.
  void read_norm(int index, const onnx::NodeProto& node) {
    only_attributes(index, node, {"epsilon", "momentum", "training_mode"});
    need_inputs(index, node, 5, 5);
    if (int_attribute(node, "training_mode", 0) != 0 || node.output_size() > 1)
      fail_node(index, node, "digitnet reads BatchNormalization in inference mode only");
    const std::vector<std::int64_t> dims = dims_of(index, node, node.input(1));
    if (dims.size() != 1) fail_node(index, node, "its scale is not one value per channel");
    std::vector<std::vector<float>> columns;  // scale, mean, variance
    for (int input : {1, 3, 4}) columns.push_back(floats(index, node, node.input(input), dims));
    std::vector<float> beta = floats(index, node, node.input(2), dims);
    const onnx::AttributeProto* epsilon = attribute(node, "epsilon");
    const double shift = (epsilon ? static_cast<double>(epsilon->f()) : 1e-5) - NormKind::epsilon;
    const auto channels = static_cast<std::size_t>(dims[0]);
    std::vector<float> weights;
    for (std::size_t c = 0; c < channels; ++c) {
      const double variance = static_cast<double>(columns[2][c]) + shift;
      if (!(variance >= 0))
        fail_node(index, node, "its variance of channel " + std::to_string(c) +
                                   " is negative or not a number");
      weights.insert(weights.end(),
                     {columns[0][c], columns[1][c], static_cast<float>(variance)});
    }
    LayerSpec spec;
    spec.kind = NormKind::name;
    spec.activation = Activation::identity;
    add_layer(std::move(spec), std::move(weights), std::move(beta));
  }

  void read_activation(int index, const onnx::NodeProto& node) {
    only_attributes(index, node, {});
    const Activation a = node.op_type() == "Relu"      ? Activation::relu
                         : node.op_type() == "Sigmoid" ? Activation::sigmoid
                                                       : Activation::tanh;
    // Max-pooling commutes with any non-decreasing function, so f after a pool is f before
    // it (PyTorch's F.relu(F.max_pool2d(conv(x), 2))).
    if (!open_ || layers_[*open_].activation != Activation::identity)
      fail_node(index, node, "digitnet applies one activation after each Gemm or Conv; this "
                             "one follows another activation or no layer");
    layers_[*open_].activation = a;
    open_.reset();
  }
  void read_softmax(int index, const onnx::NodeProto& node) {
    only_attributes(index, node, {"axis"});
    need_flat(index, node);
    const std::int64_t axis = int_attribute(node, "axis", opset_ >= 13 ? -1 : 1);
    if (axis != 1 && axis != -1) fail_node(index, node, "digitnet's softmax is over axis 1");
    if (!open_ || *open_ + 1 != layers_.size() ||
        layers_[*open_].activation != Activation::identity)
      fail_node(index, node, "softmax must follow a Gemm directly");
    layers_[*open_].activation = Activation::softmax;
    open_.reset();
  }
  void read_flatten(int index, const onnx::NodeProto& node) {
    only_attributes(index, node, {"axis"});
    if (int_attribute(node, "axis", 1) != 1)
      fail_node(index, node, "digitnet flattens to N x K (axis 1)");
    rank_ = 2;
  }
  void read_reshape(int index, const onnx::NodeProto& node) {
    only_attributes(index, node, {"allowzero"});
    need_inputs(index, node, 2, 2);
    const std::vector<std::int64_t> shape = int64s(index, node, node.input(1));
    // N × K with K the rest, written -1 or as a number (checked by the next layer's size).
    if (shape.size() != 2 || shape[1] == 0 || (shape[0] != -1 && shape[0] != 0 && shape[0] != 1 &&
                                               shape[1] != -1))
      fail_node(index, node, "digitnet reads Reshape only to N x K (flattening), not " +
                                 dims_text(shape));
    rank_ = 2;
  }
  void read_pass(int index, const onnx::NodeProto& node) {
    if (node.op_type() == "Dropout") {
      // Inference: the identity. A training_mode input other than a constant false is refused.
      if (node.input_size() > 2)
        fail_node(index, node, "digitnet reads Dropout in inference mode only");
      only_attributes(index, node, {"ratio", "is_test", "seed"});
    } else {
      only_attributes(index, node, {});
    }
  }

  void check_graph_output() const {
    if (graph_.output_size() != 1 || graph_.output(0).name() != current_)
      fail("the graph's output is not its last node's ('" + current_ + "'); digitnet holds "
           "one chain of layers with one output");
  }

  Network build(bool ours) {
    Architecture arch;
    arch.input = input_;
    arch.layers = layers_;
    const Activation output = layers_.back().activation;
    arch.cost = output == Activation::softmax   ? Cost::log_likelihood
                : output == Activation::sigmoid ? Cost::cross_entropy
                                                : Cost::quadratic;
    // digitnet's own export: the cost and the layers' options (dropout) from its metadata.
    for (const onnx::StringStringEntryProto& entry : model_.metadata_props()) {
      if (!ours) break;
      if (entry.key() == "digitnet.cost") {
        if (const auto cost = parse_cost(entry.value())) arch.cost = *cost;
      } else if (entry.key() == "digitnet.layers") {
        std::string problem;
        std::vector<LayerSpec> named = parse_layer_list(entry.value(), Activation::sigmoid,
                                                        Activation::sigmoid, &problem);
        // The same layers, but for dropout and the long spelling of a square (conv:20x5x5).
        const auto plain = [](const LayerSpec& spec) {
          LayerSpec p = without_common_options(spec);
          if ((p.kind == ConvKind::name && p.numbers.size() == 3) ||
              (p.kind == PoolKind::name && p.numbers.size() == 2))
            p.numbers.pop_back();
          return p;
        };
        const bool same = named.size() == layers_.size() &&
                          std::equal(named.begin(), named.end(), layers_.begin(),
                                     [&](const LayerSpec& a, const LayerSpec& b) {
                                       return plain(a) == plain(b);
                                     });
        if (problem.empty() && same) arch.layers = named;
      }
    }
    if (const std::string problem = architecture_problem(arch); !problem.empty())
      fail("the graph is not a network digitnet can run: " + problem);
    // Each layer's weights against its input before the network is sized: the tensors are
    // backed by the file's bytes, a wider input than they fit would not be.
    const std::vector<Shape> shapes = arch.shapes();
    for (std::size_t l = 0; l < layers_.size(); ++l) {
      const LayerSpec& spec = arch.layers[l];
      if (spec.kind == NormKind::name && biases_[l].size() != shapes[l].channels)
        fail("layer " + std::to_string(l + 1) + " '" + to_string(spec) + "': its " +
             std::to_string(biases_[l].size()) + " channels are not its input's " +
             std::to_string(shapes[l].channels));
      const std::size_t per_neuron =
          spec.kind == DenseKind::name  ? shapes[l].size()
          : spec.kind == ConvKind::name ? shapes[l].channels * spec.numbers[1] * spec.numbers[1]
          : spec.kind == NormKind::name ? 3
                                        : 0;
      if (weights_[l].size() != biases_[l].size() * per_neuron)
        fail("layer " + std::to_string(l + 1) + " '" + to_string(spec) + "': its " +
             std::to_string(weights_[l].size()) + " weights do not fit its input (" +
             std::to_string(per_neuron) + " values per neuron)");
    }
    Network net(arch);
    std::span<float> flat = net.parameters().flat();
    std::size_t offset = 0;
    for (std::size_t l = 0; l < layers_.size(); ++l) {
      const ParameterBlock block = net.parameter_layout()[l];
      assert(weights_[l].size() == block.rows * block.cols && biases_[l].size() == block.rows);
      std::copy(weights_[l].begin(), weights_[l].end(), flat.begin() + offset);
      std::copy(biases_[l].begin(), biases_[l].end(),
                flat.begin() + offset + weights_[l].size());
      offset += block.size();
    }
    return net;
  }

  const onnx::ModelProto& model_;
  const onnx::GraphProto& graph_;
  std::filesystem::path path_;
  Constants constants_;
  std::int64_t opset_ = 0;
  Shape input_;
  int rank_ = 0;
  std::string current_;
  std::string last_op_;
  bool bias_open_ = false;
  std::optional<std::size_t> open_;  // the layer whose activation the next node may give
  std::vector<LayerSpec> layers_;
  std::vector<std::vector<float>> weights_, biases_;
};

}  // namespace

std::vector<std::uint8_t> onnx_model_bytes(const Network& net, const OnnxMetadata& extra) {
  const onnx::ModelProto model = onnx_model(net, extra);
  try {
    onnx::checker::check_model(model);
  } catch (const std::exception& e) {
    throw Error(std::string("ONNX export: ONNX's checker refused the graph (a bug in digitnet; "
                            "please report it): ") + e.what());
  }
  std::string bytes;
  model.SerializeToString(&bytes);
  return {bytes.begin(), bytes.end()};
}

void save_onnx(const Network& net, const std::filesystem::path& path, const OnnxMetadata& extra) {
  write_file_atomically(path, onnx_model_bytes(net, extra));
}

Network parse_onnx(std::span<const std::uint8_t> bytes, const std::filesystem::path& path) {
  if (bytes.size() > onnx_max_bytes)
    throw file_error(path, "file too large to be a model (" + std::to_string(bytes.size()) +
                               " bytes, at most " + std::to_string(onnx_max_bytes) + ")");
  google::protobuf::io::CodedInputStream in(bytes.data(), static_cast<int>(bytes.size()));
  in.SetRecursionLimit(onnx_max_recursion);
  onnx::ModelProto model;
  if (!model.ParseFromCodedStream(&in) || !in.ConsumedEntireMessage())
    throw file_error(path, in.CurrentPosition(), "not an ONNX model (its protobuf is damaged)",
                     "give a .onnx file written by torch.onnx.export or digitnet export");
  if (!model.has_graph())
    throw file_error(path, "not an ONNX model (it has no graph)",
                     "give a .onnx file written by torch.onnx.export or digitnet export");
  return Importer(model, path).run();
}

Network load_onnx(const std::filesystem::path& path) {
  return parse_onnx(read_whole_file(path, {.what = "an ONNX model", .max_bytes = onnx_max_bytes,
                                           .missing = "",
                                           .missing_hint = "give the path of an ONNX model",
                                           .large_hint = ""}),
                    path);
}

bool is_onnx_path(const std::filesystem::path& path) { return path.extension() == ".onnx"; }

Network load_any_model(const std::filesystem::path& path) {
  return is_onnx_path(path) ? load_onnx(path) : load_model(path);
}

void save_any_model(const Network& net, const std::filesystem::path& path) {
  if (is_onnx_path(path)) save_onnx(net, path);
  else save_model(net, path);
}

}  // namespace digitnet
