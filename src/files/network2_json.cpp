// Reading and writing network2.py's JSON format.
#include "digitnet/files/network2_json.hpp"

#include <nlohmann/json.hpp>

#include "digitnet/core/error.hpp"
#include "digitnet/files/model_file.hpp"

namespace digitnet {
namespace {

using nlohmann::json;
// For writing: keys in network2.py's order, and numbers as floats, which nlohmann prints as the
// shortest decimal that reads back to the same float (half the digits of a double).
using FloatJson = nlohmann::basic_json<nlohmann::ordered_map, std::vector, std::string, bool,
                                       std::int64_t, std::uint64_t, float>;

const char* const hint =
    "expected network2.py's format: {\"sizes\", \"weights\", \"biases\", \"cost\"}";

[[noreturn]] void fail(const std::filesystem::path& path, const std::string& where,
                       const std::string& what) {
  throw file_error(path, where + ": " + what, hint);
}

const json& member(const json& doc, const char* key, const std::filesystem::path& path) {
  const auto it = doc.find(key);
  if (it == doc.end()) fail(path, "top level", std::string("no \"") + key + "\" entry");
  return *it;
}

// doc must be an array of exactly `count` elements.
void expect_array(const json& doc, std::size_t count, const std::string& where,
                  const std::filesystem::path& path) {
  if (!doc.is_array()) fail(path, where, "expected a list, found " + std::string(doc.type_name()));
  if (doc.size() != count)
    fail(path, where,
         "expected " + std::to_string(count) + " entries, found " + std::to_string(doc.size()));
}

float number(const json& value, const std::string& where, const std::filesystem::path& path) {
  if (!value.is_number()) fail(path, where, "expected a number, found " + std::string(value.type_name()));
  const double v = value.get<double>();
  if (!std::isfinite(static_cast<float>(v)))
    fail(path, where, "the number does not fit in a float");
  return static_cast<float>(v);
}

}  // namespace

std::string network2_json_problem(const Architecture& arch) {
  const std::string rule =
      "network2.py's JSON format holds sigmoid networks only (dense layers, the quadratic or "
      "cross-entropy cost)";
  if (!arch.is_dense_stack()) return rule + "; this one has other layers";
  const std::vector<Activation> activations = arch.activations();
  for (std::size_t l = 0; l < activations.size(); ++l)
    if (activations[l] != Activation::sigmoid)
      return rule + "; layer " + std::to_string(l + 1) + " is " + std::string(name(activations[l]));
  if (arch.cost == Cost::log_likelihood) return rule + "; the cost is log-likelihood";
  return "";
}

std::string network2_json(const Network& net, const std::filesystem::path& path) {
  if (const std::string problem = network2_json_problem(net.architecture()); !problem.empty())
    throw file_error(path, problem,
                     "save to a binary model file instead (any name not ending in .json)");
  FloatJson doc;
  doc["sizes"] = net.sizes();
  doc["weights"] = FloatJson::array();
  doc["biases"] = FloatJson::array();
  for (std::size_t l = 0; l < net.layers(); ++l) {
    const auto w = net.parameters().weights(l);
    FloatJson rows = FloatJson::array();
    for (Eigen::Index j = 0; j < w.rows(); ++j) {
      FloatJson row = FloatJson::array();
      for (Eigen::Index k = 0; k < w.cols(); ++k) row.push_back(w(j, k));
      rows.push_back(std::move(row));
    }
    doc["weights"].push_back(std::move(rows));
    FloatJson biases = FloatJson::array();
    for (const float b : net.parameters().biases(l))
      biases.push_back(FloatJson::array({b}));
    doc["biases"].push_back(std::move(biases));
  }
  doc["cost"] = net.cost() == Cost::cross_entropy ? "CrossEntropyCost" : "QuadraticCost";
  return doc.dump();
}

Network parse_network2_json(const std::string& text, const std::filesystem::path& path) {
  json doc;
  try {
    doc = json::parse(text);
  } catch (const json::parse_error& e) {
    const std::string message = e.what();
    throw file_error(path, e.byte > 0 ? e.byte - 1 : 0,
                     "not valid JSON (" + message.substr(message.find(':') + 2) + ")", hint);
  } catch (const json::exception& e) {
    // e.g. a number too large for a double (found by fuzzing: "1111511111e111111111")
    const std::string message = e.what();
    throw file_error(path, "not readable JSON (" + message.substr(message.find(']') + 2) + ")",
                     hint);
  }
  if (!doc.is_object()) fail(path, "top level", "expected an object {\"sizes\": ...}");

  const json& sizes_json = member(doc, "sizes", path);
  if (!sizes_json.is_array() || sizes_json.size() < 2 || sizes_json.size() > model_max_layers)
    fail(path, "\"sizes\"",
         "expected a list of 2 to " + std::to_string(model_max_layers) + " layer sizes");
  std::vector<std::size_t> sizes;
  std::uint64_t parameters = 0;
  for (std::size_t l = 0; l < sizes_json.size(); ++l) {
    const json& size = sizes_json[l];
    if (!size.is_number_integer() || size.get<std::int64_t>() < 1 ||
        size.get<std::int64_t>() > model_max_layer_size)
      fail(path, "\"sizes\"[" + std::to_string(l) + "]",
           "expected a layer size from 1 to " + std::to_string(model_max_layer_size));
    sizes.push_back(size.get<std::size_t>());
    if (l > 0) parameters += sizes[l] * sizes[l - 1] + sizes[l];
  }
  if (parameters > model_max_parameters)
    fail(path, "\"sizes\"", "absurd layer sizes: more than " +
                                std::to_string(model_max_parameters) + " parameters");

  const json& cost_json = member(doc, "cost", path);
  Cost cost = Cost::quadratic;
  if (cost_json == "CrossEntropyCost")
    cost = Cost::cross_entropy;
  else if (cost_json != "QuadraticCost")
    fail(path, "\"cost\"", "expected \"QuadraticCost\" or \"CrossEntropyCost\", found " +
                               cost_json.dump());

  const std::size_t layers = sizes.size() - 1;
  const json& weights = member(doc, "weights", path);
  const json& biases = member(doc, "biases", path);
  expect_array(weights, layers, "\"weights\"", path);
  expect_array(biases, layers, "\"biases\"", path);
  Network net(Architecture::of(sizes, Activation::sigmoid, Activation::sigmoid, cost));
  for (std::size_t l = 0; l < layers; ++l) {
    const std::string at_w = "\"weights\"[" + std::to_string(l) + "]";
    expect_array(weights[l], sizes[l + 1], at_w, path);
    auto w = net.parameters().weights(l);
    for (std::size_t j = 0; j < sizes[l + 1]; ++j) {
      const std::string at_row = at_w + "[" + std::to_string(j) + "]";
      expect_array(weights[l][j], sizes[l], at_row, path);
      for (std::size_t k = 0; k < sizes[l]; ++k)
        w(static_cast<Eigen::Index>(j), static_cast<Eigen::Index>(k)) =
            number(weights[l][j][k], at_row + "[" + std::to_string(k) + "]", path);
    }
    const std::string at_b = "\"biases\"[" + std::to_string(l) + "]";
    expect_array(biases[l], sizes[l + 1], at_b, path);
    auto b = net.parameters().biases(l);
    for (std::size_t j = 0; j < sizes[l + 1]; ++j) {
      const std::string at = at_b + "[" + std::to_string(j) + "]";
      expect_array(biases[l][j], 1, at, path);
      b(static_cast<Eigen::Index>(j)) = number(biases[l][j][0], at + "[0]", path);
    }
  }
  return net;
}

}  // namespace digitnet
