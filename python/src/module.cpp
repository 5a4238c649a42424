// The Python module's native part, digitnet._digitnet: thin calls of the library (the rules
// live there; python/digitnet/*.py shapes them into the book's APIs). Training releases the
// GIL and checks for Ctrl-C after every batch.
#include <pybind11/functional.h>
#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include <algorithm>
#include <atomic>
#include <cmath>
#include <cstring>
#include <filesystem>

#include "digitnet/core/error.hpp"
#include "digitnet/core/option_problem.hpp"
#include "digitnet/core/option_range.hpp"
#include "digitnet/data/batch.hpp"
#include "digitnet/data/dataset.hpp"
#include "digitnet/data/prepare.hpp"
#include "digitnet/files/model_file.hpp"
#include "digitnet/files/onnx_file.hpp"
#include "digitnet/files/network2_json.hpp"
#include "digitnet/inference/ensemble.hpp"
#include "digitnet/inference/evaluation.hpp"
#include "digitnet/network/network.hpp"
#include "digitnet/pictures/image_file.hpp"
#include "digitnet/pictures/preprocess.hpp"
#include "digitnet/training/train_options.hpp"
#include "digitnet/training/trainer.hpp"

namespace py = pybind11;
using namespace digitnet;

namespace {

using Bytes = py::array_t<std::uint8_t, py::array::c_style | py::array::forcecast>;
using Doubles = py::array_t<double, py::array::f_style | py::array::forcecast>;

// images: N × pixels bytes (any shape whose rows are images), labels: N digits.
Dataset dataset_of(const Bytes& images, const Bytes& labels, std::size_t side) {
  if (images.ndim() < 1 || labels.ndim() != 1 || images.shape(0) != labels.shape(0))
    throw py::value_error("give N images and N labels (images " + std::to_string(images.shape(0)) +
                          ", labels " + std::to_string(labels.shape(0)) + ")");
  Dataset data;
  data.rows = side;
  data.cols = labels.shape(0) > 0 ? static_cast<std::size_t>(images.size()) /
                                        static_cast<std::size_t>(labels.shape(0)) / side
                                  : side;
  data.pixels.assign(images.data(), images.data() + images.size());
  data.labels.assign(labels.data(), labels.data() + labels.size());
  for (std::size_t i = 0; i < data.labels.size(); ++i)
    if (data.labels[i] >= digit_classes)
      throw py::value_error("label " + std::to_string(data.labels[i]) + " of example " +
                            std::to_string(i) + " is not a digit 0-9");
  return data;
}

// A float matrix (rows × m, one example per column) from a numpy array of rows or rows × m.
Matrix<float> columns_of(const Doubles& a, std::size_t rows, const char* what) {
  const auto n = static_cast<std::size_t>(a.size());
  if (rows == 0 || n % rows != 0 || (a.ndim() >= 1 && static_cast<std::size_t>(a.shape(0)) != rows))
    throw py::value_error(std::string(what) + ": give " + std::to_string(rows) +
                          " values per example (an array of shape (" + std::to_string(rows) +
                          ", 1) or (" + std::to_string(rows) + ", m))");
  Matrix<float> x(static_cast<Eigen::Index>(rows), static_cast<Eigen::Index>(n / rows));
  const double* data = a.data();
  for (std::size_t i = 0; i < n; ++i) x.data()[i] = static_cast<float>(data[i]);
  return x;
}

py::array_t<double> to_numpy(const Matrix<float>& m) {
  py::array_t<double> out({m.rows(), m.cols()});
  auto view = out.mutable_unchecked<2>();
  for (Eigen::Index i = 0; i < m.rows(); ++i)
    for (Eigen::Index j = 0; j < m.cols(); ++j) view(i, j) = m(i, j);
  return out;
}

// The network's parameter views: weights[l] (n_out × n_in) and biases[l] (n_out × 1), float32
// arrays over the network's own buffer (writing them changes the network); `owner` keeps it.
py::list parameter_views(Network& net, py::object owner, bool weights) {
  py::list views;
  for (std::size_t l = 0; l < net.layers(); ++l) {
    auto w = net.parameters().weights(l);
    auto b = net.parameters().biases(l);
    if (weights)
      views.append(py::array_t<float>({w.rows(), w.cols()},
                                      {static_cast<py::ssize_t>(w.cols() * sizeof(float)),
                                       static_cast<py::ssize_t>(sizeof(float))},
                                      w.data(), owner));
    else
      views.append(py::array_t<float>({b.rows(), Eigen::Index{1}},
                                      {static_cast<py::ssize_t>(sizeof(float)),
                                       static_cast<py::ssize_t>(sizeof(float))},
                                      b.data(), owner));
  }
  return views;
}

// Refuses data the network cannot read: images of other than its inputs' size, or a network
// without one output per digit (the labels are digits).
void check_readable(const Network& net, const Dataset& data, const char* what) {
  if (net.output_size() != digit_classes)
    throw py::value_error(std::string(what) + ": digitnet trains and scores digit readers, with " +
                          "10 outputs; this network has " + std::to_string(net.output_size()));
  if (data.image_size() != net.input_size())
    throw py::value_error(std::string(what) + ": the network takes " +
                          std::to_string(net.input_size()) + " inputs, the images have " +
                          std::to_string(data.image_size()) + " pixels");
}

// train() with the GIL released, `on_epoch` called under it after each epoch; Ctrl-C stops the
// run after the current batch (the trainer's stop flag) and raises KeyboardInterrupt.
void train_interruptibly(Network& net, const Dataset& training, const TrainOptions& options,
                         const EvaluationData& data,
                         const std::function<void(const EpochResult&)>& on_epoch) {
  std::atomic<bool> stop{false};
  std::optional<py::error_already_set> pending;  // the KeyboardInterrupt, taken off Python
  TrainControl control;
  control.stop = &stop;
  const auto progress = [&](std::size_t, std::size_t, std::size_t) {
    if (pending) return;
    py::gil_scoped_acquire gil;
    if (PyErr_CheckSignals() != 0) {
      pending.emplace();  // fetches (and clears) the error, so Python can still be called
      stop = true;
    }
  };
  const auto epoch_done = [&](const EpochResult& r) {
    if (pending) return;  // interrupted at an epoch's last batch: no more Python callbacks
    py::gil_scoped_acquire gil;
    on_epoch(r);
  };
  {
    py::gil_scoped_release release;
    train(net, training, options, data, epoch_done, progress, control);
  }
  if (pending) throw *pending;
}

// (epoch, test correct or None, test total) for a Python callback.
void call_on_epoch(const py::object& on_epoch, const EpochResult& r) {
  if (on_epoch.is_none()) return;
  on_epoch(r.epoch, r.correct ? py::object(py::int_(*r.correct)) : py::object(py::none()),
           r.total);
}

// The book's SGD on byte images: the library's trainer, the seeds' options, `on_epoch` called
// with (epoch, correct or None, total) under the GIL. Ctrl-C stops after the current batch
// and raises KeyboardInterrupt.
void sgd(Network& net, const Dataset& training, std::size_t epochs, std::size_t batch,
         double eta, std::uint64_t seed, const Dataset* test, const py::function& on_epoch,
         double lmbda) {
  TrainOptions options;
  options.epochs = epochs;
  options.mini_batch_size = batch;
  options.eta = static_cast<float>(eta);
  options.seed = seed;
  options.lambda = lmbda;
  options.regularization = implied_regularization(lmbda);
  if (const OptionProblem problem = train_options_problem(options))
    throw py::value_error(problem.message());
  if (training.size() == 0) throw py::value_error("training_data is empty");
  check_readable(net, training, "training_data");
  if (test != nullptr) check_readable(net, *test, "test_data");
  train_interruptibly(net, training, options, {nullptr, test},
                      [&](const EpochResult& r) { call_on_epoch(on_epoch, r); });
}

// Sets the field of `options` named `field` (TrainOptions' names, as train_options.hpp's
// problems name them) from a Python value; false for an unknown name.
bool set_option(TrainOptions& o, const std::string& field, const py::handle& value) {
  const auto number = [&] { return value.cast<double>(); };
  const auto whole = [&] {
    const double v = value.cast<double>();
    if (!(v >= 0) || v != static_cast<double>(static_cast<std::uint64_t>(v)))
      throw OptionError({field, py::str(value).cast<std::string>(), "give a whole number"});
    return static_cast<std::uint64_t>(v);
  };
  const auto choice = [&](auto parse, const std::string& choices) {
    const std::string text = value.cast<std::string>();
    const auto parsed = parse(text);
    if (!parsed) throw OptionError({field, text, std::string("unknown; choose one of ") + choices});
    return *parsed;
  };
  if (field == "epochs") o.epochs = whole();
  else if (field == "mini_batch_size") o.mini_batch_size = whole();
  else if (field == "eta") o.eta = static_cast<float>(number());
  else if (field == "seed") o.seed = whole();
  else if (field == "threads") o.threads = static_cast<int>(whole());
  else if (field == "lambda") o.lambda = number();
  else if (field == "regularization")
    o.regularization = choice(parse_regularization, "none, l2, l1");
  else if (field == "dropout") o.dropout = number();
  else if (field == "optimizer")
    o.optimizer.kind = choice(parse_optimizer, "sgd, momentum, nesterov, adam");
  else if (field == "momentum") o.optimizer.momentum = number();
  else if (field == "beta1") o.optimizer.beta1 = number();
  else if (field == "beta2") o.optimizer.beta2 = number();
  else if (field == "epsilon") o.optimizer.epsilon = number();
  else if (field == "schedule")
    o.schedule.kind = choice(parse_schedule, schedule_names());
  else if (field == "step_every") o.schedule.every = whole();
  else if (field == "step_factor") o.schedule.factor = number();
  else if (field == "patience") o.schedule.patience = whole();
  else if (field == "early_stopping") o.early_stopping = whole();
  else if (field == "keep_best") o.keep_best = value.cast<bool>();
  else if (field == "rotation") o.distort.rotation = number();
  else if (field == "scale") o.distort.scale = number();
  else if (field == "shear") o.distort.shear = number();
  else if (field == "translation") o.distort.translation = number();
  else if (field == "elastic_alpha") o.distort.elastic_alpha = number();
  else if (field == "elastic_sigma") o.distort.elastic_sigma = number();
  else return false;
  return true;
}

// A whole number for the data option `name` (train_option_range's table, as the CLI checks it).
std::size_t data_number(const py::handle& value, const char* name) {
  const double v = value.cast<double>();
  if (const OptionProblem problem = check_option_value(v, train_option_range(name)))
    throw OptionError(problem);
  return static_cast<std::size_t>(v);
}

// The data part of a run: data["validation_size"] for load_mnist, the rest (train_size,
// test_size, digits, augment) as the library's DataPreparation, which the CLI fills the same way.
MnistSplit data_of(const py::dict& data, const std::string& data_dir, std::optional<Bytes> images,
                   std::optional<Bytes> labels, bool needs_validation) {
  MnistRequest request;
  DataPreparation preparation;
  preparation.needs_validation = needs_validation;
  for (const auto& item : data) {
    const std::string key = item.first.cast<std::string>();
    const py::handle value = item.second;
    if (value.is_none()) continue;
    if (key == "validation_size") request.validation_size = data_number(value, "validation_size");
    else if (key == "train_size") preparation.train_size = data_number(value, "train_size");
    else if (key == "test_size") preparation.test_size = data_number(value, "test_size");
    else if (key == "digits")
      for (const py::handle digit : value)
        preparation.digits.push_back(static_cast<int>(data_number(digit, "digits")));
    else if (key == "augment") {
      const std::string text = value.cast<std::string>();
      if (text != "none" && text != "shift")
        throw OptionError({"augment", text, "unknown; choose none or shift"});
      preparation.shift_augment = text == "shift";
    } else {
      throw OptionError({key, "", "unknown option"});
    }
  }
  MnistSplit split;
  if (images && labels) {
    // Given arrays (28 x 28 images): training only, the validation set cut from their end
    // as load_mnist cuts it from a training file (default_validation_size).
    Dataset given = dataset_of(*images, *labels, 28);
    if (given.size() == 0) throw OptionError({"images", "", "give at least one image"});
    const std::size_t held =
        needs_validation ? request.validation_size.value_or(default_validation_size(given.size()))
                         : 0;
    if (held >= given.size())
      throw OptionError({"validation_size", std::to_string(held), "leaves no training image"});
    split.training = slice(given, 0, given.size() - held);
    split.validation = slice(given, given.size() - held, held);
  } else {
    split = load_mnist(data_dir, request);
  }
  return prepare(std::move(split), preparation);
}

// The modern API's training run: an architecture as a layer list (or sizes), options by their
// TrainOptions names (and "monitor", a list of monitor_names), the data's options (data_of),
// the MNIST split in `data_dir`; the library checks everything.
// Returns (network, per-epoch history as dicts). Raises OptionError naming the field.
py::tuple train_run(const py::dict& spec, const py::dict& fields, const py::dict& data,
                    const std::string& data_dir, const py::object& on_epoch,
                    std::optional<Bytes> images, std::optional<Bytes> labels) {
  TrainOptions options;
  options.epochs = 30;
  for (const auto& [key, value] : fields) {
    const std::string field = key.cast<std::string>();
    if (field == "monitor") {
      const auto names = value.cast<std::vector<std::string>>();
      if (const OptionProblem problem = apply_monitor(options, names)) throw OptionError(problem);
    } else if (!set_option(options, field, value)) {
      throw OptionError({field, "", "unknown option"});
    }
  }
  if (options.regularization == Regularization::Kind::none && options.lambda > 0)
    options.regularization = implied_regularization(options.lambda);
  if (const OptionProblem problem = train_options_problem(options)) throw OptionError(problem);
  const auto text = [&](const char* key, const char* fallback) {
    return spec.contains(key) ? spec[key].cast<std::string>() : std::string(fallback);
  };
  const std::optional<Cost> cost = parse_cost(text("cost", "quadratic"));
  if (!cost) throw OptionError({"cost", text("cost", ""), "choose quadratic, cross-entropy or log-likelihood"});
  const std::optional<Activation> hidden = parse_activation(text("hidden", "sigmoid"));
  if (!hidden) throw OptionError({"hidden", text("hidden", ""), "choose sigmoid, tanh, relu or identity"});
  const std::optional<Activation> output =
      parse_activation(text("output", std::string(name(default_output(*cost))).c_str()));
  if (!output) throw OptionError({"output", text("output", ""), "an activation, e.g. softmax"});
  const std::optional<Init> init = parse_init(text("init", "normal"));
  if (!init) throw OptionError({"init", text("init", ""), "choose normal, scaled-normal, he or glorot"});
  MnistSplit split = data_of(data, data_dir, std::move(images), std::move(labels),
                             wants_validation(options));
  const Shape image{1, split.training.rows, split.training.cols};
  Architecture arch;
  if (spec.contains("layers")) {
    arch.input = image;
    arch.cost = *cost;
    std::string problem;
    arch.layers = parse_layer_list(spec["layers"].cast<std::string>(), *hidden, *output, &problem);
    if (!problem.empty()) throw OptionError({"layers", spec["layers"].cast<std::string>(), problem});
  } else {
    const auto sizes = spec.contains("sizes") ? spec["sizes"].cast<std::vector<std::size_t>>()
                                              : std::vector<std::size_t>{784, 30, 10};
    arch = Architecture::of(sizes, *hidden, *output, *cost);
  }
  if (const OptionProblem problem = classifier_problem(arch, image)) throw OptionError(problem);
  Network net(arch, options.seed, *init);
  std::vector<EpochResult> history;
  train_interruptibly(net, split.training, options,
                      {wants_validation(options) ? &split.validation : nullptr,
                       split.test.size() > 0 ? &split.test : nullptr},
                      [&](const EpochResult& r) {
                        history.push_back(r);
                        call_on_epoch(on_epoch, r);
                      });
  py::list epochs;
  for (const EpochResult& r : history) {
    py::dict d;
    d["epoch"] = r.epoch;
    d["test_correct"] = r.correct ? py::object(py::int_(*r.correct)) : py::object(py::none());
    d["test_total"] = r.total;
    d["training_cost"] = r.training_cost;
    d["validation_correct"] = r.validation_correct ? py::object(py::int_(*r.validation_correct))
                                                   : py::object(py::none());
    d["training_correct"] = r.training_correct ? py::object(py::int_(*r.training_correct))
                                               : py::object(py::none());
    d["validation_cost"] = r.validation_cost ? py::object(py::float_(*r.validation_cost))
                                             : py::object(py::none());
    d["gradient_norms"] = r.gradient_norms;
    d["eta"] = r.eta;
    d["seconds"] = r.seconds;
    epochs.append(d);
  }
  return py::make_tuple(std::move(net), epochs);
}

}  // namespace

PYBIND11_MODULE(_digitnet, m) {
  m.doc() = "digitnet's native part: networks, training and data, as the C++ library has them.";
  py::register_exception_translator([](std::exception_ptr p) {
    try {
      if (p) std::rethrow_exception(p);
    } catch (const OptionError& e) {
      PyErr_SetString(PyExc_ValueError, e.what());
    } catch (const Error& e) {
      PyErr_SetString(PyExc_ValueError, e.what());
    }
  });
  m.attr("source_data_dir") = DIGITNET_SOURCE_DATA_DIR;
  m.attr("installed_data_dir") = DIGITNET_INSTALLED_DATA_DIR;
  // OptionError: ValueError, with the field it names (the Python side spells it as a keyword).
  static py::exception<OptionError> option_error(m, "OptionError", PyExc_ValueError);
  py::register_exception_translator([](std::exception_ptr p) {
    try {
      if (p) std::rethrow_exception(p);
    } catch (const OptionError& e) {
      py::object error = py::reinterpret_borrow<py::object>(option_error.ptr())(e.what());
      error.attr("option") = e.problem.option;
      error.attr("value") = e.problem.value;
      error.attr("advice") = e.problem.advice;
      PyErr_SetObject(option_error.ptr(), error.ptr());
    }
  });
  m.def("train", &train_run, py::arg("spec"), py::arg("fields"), py::arg("data"),
        py::arg("data_dir"), py::arg("on_epoch"),
        py::arg("images") = py::none(), py::arg("labels") = py::none(),
        "One training run (digitnet.train's native part).");

  m.def(
      "load_mnist",
      [](const std::string& dir) {
        const MnistSplit split = load_mnist(dir);
        py::dict out;
        for (const auto& [name, part] :
             {std::pair<const char*, const Dataset*>{"training", &split.training},
              {"validation", &split.validation},
              {"test", &split.test}}) {
          py::array_t<std::uint8_t> images(
              {static_cast<py::ssize_t>(part->size()), static_cast<py::ssize_t>(part->image_size())});
          std::memcpy(images.mutable_data(), part->pixels.data(), part->pixels.size());
          py::array_t<std::uint8_t> labels(static_cast<py::ssize_t>(part->size()));
          std::memcpy(labels.mutable_data(), part->labels.data(), part->labels.size());
          out[name] = py::make_tuple(images, labels);
        }
        return out;
      },
      py::arg("dir"),
      "The seeds' split of the MNIST IDX files in `dir`: {'training': (images N x 784 uint8, "
      "labels N uint8), 'validation': ..., 'test': ...}.");

  m.def(
      "pairs_as_bytes",
      [](const py::list& pairs, const std::string& what) -> py::object {
        // The book's data, a list of (x, y) pairs, straight into bytes and labels: no stacked
        // float64 copy (314 MB and a second for the book's 50,000 pairs; this takes 0.1 s).
        const auto n = static_cast<py::ssize_t>(pairs.size());
        if (n == 0) throw py::value_error(what + " is empty");
        using Values = py::array_t<double, py::array::c_style | py::array::forcecast>;
        std::vector<Values> xs;
        xs.reserve(static_cast<std::size_t>(n));
        py::array_t<std::uint8_t> labels(n);
        for (py::ssize_t i = 0; i < n; ++i) {
          const py::object pair = pairs[static_cast<std::size_t>(i)];
          if (!py::isinstance<py::tuple>(pair) || py::len(pair) != 2)
            throw py::type_error(what + "[" + std::to_string(i) + "]: give (x, y) pairs");
          xs.push_back(pair.cast<py::tuple>()[0].cast<Values>());
          if (xs.back().size() != xs.front().size())
            throw py::value_error(what + "[" + std::to_string(i) + "]: " +
                                  std::to_string(xs.back().size()) + " pixels, the first has " +
                                  std::to_string(xs.front().size()));
          const auto y = pair.cast<py::tuple>()[1].cast<Values>();
          // A one-hot column (its largest entry, the first of ties) or a digit.
          const double* v = y.data();
          const py::ssize_t label = y.size() > 1 ? std::max_element(v, v + y.size()) - v
                                   : y.size() == 1 ? static_cast<py::ssize_t>(v[0]) : -1;
          if (label < 0 || label >= static_cast<py::ssize_t>(digit_classes) ||
              (y.size() == 1 && v[0] != static_cast<double>(label)))
            throw py::value_error(what + "[" + std::to_string(i) +
                                  "]: the label is not a digit 0-9 or a one-hot column of 10");
          labels.mutable_data()[i] = static_cast<std::uint8_t>(label);
        }
        const py::ssize_t pixels = xs.front().size();
        py::array_t<std::uint8_t> images({n, pixels});
        std::uint8_t* out = images.mutable_data();
        // Scale 255: mnist_loader's pixels (byte / 255); scale 256: the book's mnist.pkl.gz.
        const auto convert = [&](double scale) {
          for (py::ssize_t i = 0; i < n; ++i) {
            const double* in = xs[static_cast<std::size_t>(i)].data();
            for (py::ssize_t j = 0; j < pixels; ++j) {
              const double scaled = in[j] * scale;
              const double rounded = std::floor(scaled + 0.5);
              if (!(rounded >= 0 && rounded <= 255 && std::abs(rounded - scaled) < 1e-3))
                return false;
              out[i * pixels + j] = static_cast<std::uint8_t>(rounded);
            }
          }
          return true;
        };
        if (!convert(255.0) && !convert(256.0)) return py::none();
        return py::make_tuple(images, labels);
      },
      py::arg("pairs"), py::arg("what"),
      "(images N x pixels uint8, labels N uint8) from a list of (x, y) pairs as the book's "
      "mnist_loader makes them (y one-hot or a digit); pixels x·255 rounded when all are "
      "multiples of 1/255, else x·256 when all are multiples of 1/256 (the book's "
      "mnist.pkl.gz); None when neither.");

  m.def(
      "read_picture",
      [](const std::string& path) {
        const PreparedDigit d = prepare_digit(load_grey_picture(path));
        py::array_t<std::uint8_t> out({py::ssize_t{28}, py::ssize_t{28}});
        std::memcpy(out.mutable_data(), d.pixels.data(), 28 * 28);
        return out;
      },
      py::arg("path"),
      "The 28 x 28 image (uint8, ink bright) that digitnet predict makes of a picture file.");

  py::class_<Network>(m, "Network", "A network of the library (float32 parameters).")
      .def(py::init([](const std::vector<std::size_t>& sizes, std::uint64_t seed) {
             // Any sizes, as the book's (digitnet train asks for 10 outputs; this does not).
             const Architecture arch = Architecture::seeds(sizes);
             if (const std::string problem = architecture_problem(arch); !problem.empty())
               throw py::value_error("sizes: " + problem);
             return Network(arch, seed);
           }),
           py::arg("sizes"), py::arg("seed"),
           "The seeds' network of these sizes (sigmoid, quadratic cost), N(0, 1) weights drawn "
           "from `seed` as digitnet train --seed draws them.")
      .def(py::init([](const std::vector<std::size_t>& sizes, std::uint64_t seed,
                       const std::string& cost, const std::string& init) {
             const std::optional<Cost> c = parse_cost(cost);
             const std::optional<Init> i = parse_init(init);
             if (!c) throw py::value_error("cost '" + cost + "': quadratic or cross-entropy");
             if (!i) throw py::value_error("init '" + init + "': normal or scaled-normal");
             const Architecture arch =
                 Architecture::of(sizes, Activation::sigmoid, Activation::sigmoid, *c);
             if (const std::string problem = architecture_problem(arch); !problem.empty())
               throw py::value_error("sizes: " + problem);
             return Network(arch, seed, *i);
           }),
           py::arg("sizes"), py::arg("seed"), py::arg("cost"), py::arg("init"),
           "Sigmoid layers of these sizes with this cost, weights drawn from `seed` by `init`.")
      .def(
          "reinitialize",
          [](Network& net, std::uint64_t seed, const std::string& init) {
            const std::optional<Init> i = parse_init(init);
            if (!i) throw py::value_error("init '" + init + "': normal or scaled-normal");
            net.parameters() = Network(net.architecture(), seed, *i).parameters();
          },
          py::arg("seed"), py::arg("init"), "New weights and biases, drawn as the constructor does.")
      .def_property_readonly("cost", [](const Network& net) { return std::string(name(net.cost())); })
      .def(
          "score",
          [](const Network& net, const Bytes& images, const Bytes& labels) {
            const Dataset data = dataset_of(images, labels, 1);
            check_readable(net, data, "data");
            py::gil_scoped_release release;
            const Score s = Evaluator(net).score(data, true);
            return std::pair<std::size_t, double>(s.correct, s.cost);
          },
          py::arg("images"), py::arg("labels"),
          "(correct answers, Σ of the cost C_x against the one-hot labels).")
      .def(
          "l2_penalty",
          [](const Network& net, double lmbda, double n) {
            return Regularization{Regularization::Kind::l2, lmbda, n}.cost(net.parameters(),
                                                                   net.penalized_layers());
          },
          py::arg("lmbda"), py::arg("n"), "(λ/2n)·Σ w², the L2 term of the cost.")
      .def("to_network2_json",
           [](const Network& net) { return network2_json(net, "network2.save"); },
           "The text of network2.py's JSON format for this network.")
      .def_static(
          "from_network2_json",
          [](const std::string& text, const std::string& path) {
            return parse_network2_json(text, path);
          },
          py::arg("text"), py::arg("path"), "A network from network2.py's JSON text.")
      .def(
          "probabilities",
          [](const Network& net, const Bytes& images) {
            if (images.ndim() < 1) throw py::value_error("give N images (an N x pixels array)");
            py::array_t<std::uint8_t> none(images.shape(0));
            std::fill(none.mutable_data(), none.mutable_data() + none.size(), std::uint8_t{0});
            const Dataset data = dataset_of(images, none, 1);
            if (net.output_size() != digit_classes || data.image_size() != net.input_size())
              throw py::value_error("the model reads " + std::to_string(net.input_size()) +
                                    " pixels into 10 digits; these images have " +
                                    std::to_string(data.image_size()) + " pixels");
            std::vector<std::array<double, digit_classes>> p;
            {
              py::gil_scoped_release release;
              p = probabilities_all(net, data, 0);
            }
            py::array_t<double> out({static_cast<py::ssize_t>(p.size()), py::ssize_t{10}});
            for (std::size_t i = 0; i < p.size(); ++i)
              std::memcpy(out.mutable_data(static_cast<py::ssize_t>(i)), p[i].data(),
                          sizeof(double) * digit_classes);
            return out;
          },
          py::arg("images"),
          "Each image's ten probabilities (output_probabilities: softmax as it is, sigmoid "
          "outputs as independent answers), N x 10.")
      .def("to_bytes",
           [](const Network& net) {
             const std::vector<std::uint8_t> b = serialize_model(net);
             return py::bytes(reinterpret_cast<const char*>(b.data()), b.size());
           },
           "The model file's bytes.")
      .def_static(
          "from_bytes",
          [](const py::bytes& bytes) {
            const std::string text = bytes;
            return parse_model(std::vector<std::uint8_t>(text.begin(), text.end()), "pickle");
          },
          py::arg("bytes"), "A network from a model file's bytes.")
      .def_property_readonly("sizes", &Network::sizes)
      .def_property_readonly(
          "weights", [](py::object self) { return parameter_views(self.cast<Network&>(), self, true); })
      .def_property_readonly(
          "biases", [](py::object self) { return parameter_views(self.cast<Network&>(), self, false); })
      .def(
          "feedforward",
          [](const Network& net, const Doubles& a) {
            return to_numpy(net.feedforward(columns_of(a, net.input_size(), "a")));
          },
          py::arg("a"), "The output activations for the input column(s) a.")
      .def(
          "backprop",
          [](const Network& net, const Doubles& x, const Doubles& y) {
            const Matrix<float> xs = columns_of(x, net.input_size(), "x");
            const Matrix<float> ys = columns_of(y, net.output_size(), "y");
            Workspace<float> ws = net.make_workspace(static_cast<std::size_t>(xs.cols()));
            Parameters<float> nabla(net.parameter_layout());
            net.backprop(xs, ys, ws, nabla);
            py::list nabla_b, nabla_w;
            for (std::size_t l = 0; l < net.layers(); ++l) {
              nabla_b.append(to_numpy(Matrix<float>(nabla.biases(l))));
              nabla_w.append(to_numpy(Matrix<float>(nabla.weights(l))));
            }
            return py::make_tuple(nabla_b, nabla_w);
          },
          py::arg("x"), py::arg("y"),
          "(nabla_b, nabla_w): the gradient of the cost, summed over the columns of x and y.")
      .def(
          "sgd_step",
          [](Network& net, const Doubles& x, const Doubles& y, double eta) {
            const Matrix<float> xs = columns_of(x, net.input_size(), "x");
            const Matrix<float> ys = columns_of(y, net.output_size(), "y");
            Workspace<float> ws = net.make_workspace(static_cast<std::size_t>(xs.cols()));
            net.sgd_step(xs, ys, ws, static_cast<float>(eta));
          },
          py::arg("x"), py::arg("y"), py::arg("eta"),
          "One step of the seeds' SGD on the batch (one example per column).")
      .def(
          "evaluate",
          [](const Network& net, const Bytes& images, const Bytes& labels) {
            const Dataset data = dataset_of(images, labels, 1);
            check_readable(net, data, "data");
            py::gil_scoped_release release;
            return evaluate(net, data);
          },
          py::arg("images"), py::arg("labels"), "How many images the network reads right.")
      .def(
          "sgd",
          [](Network& net, const Bytes& images, const Bytes& labels, std::size_t epochs,
             std::size_t batch, double eta, std::uint64_t seed, std::optional<Bytes> test_images,
             std::optional<Bytes> test_labels, const py::function& on_epoch, double lmbda) {
            const Dataset training = dataset_of(images, labels, 1);
            std::optional<Dataset> test;
            if (test_images && test_labels) test = dataset_of(*test_images, *test_labels, 1);
            sgd(net, training, epochs, batch, eta, seed, test ? &*test : nullptr, on_epoch, lmbda);
          },
          py::arg("images"), py::arg("labels"), py::arg("epochs"), py::arg("batch"),
          py::arg("eta"), py::arg("seed"), py::arg("test_images"), py::arg("test_labels"),
          py::arg("on_epoch"), py::arg("lmbda") = 0.0,
          "The seeds' mini-batch SGD over byte images (digitnet train's loop).")
      .def("save", [](const Network& net, const std::string& path) { save_any_model(net, path); },
           py::arg("path"), "Writes a digitnet model file (.onnx: ONNX, .json: network2.py's).")
      .def_static("load", [](const std::string& path) { return load_any_model(path); },
                  py::arg("path"), "Reads a model file (.onnx: ONNX, digitnet import's rules).");
}
