#include "serve/server.hpp"

#include <httplib.h>
#include <pthread.h>
#include <sys/socket.h>

#include <algorithm>
#include <atomic>
#include <charconv>
#include <cstdio>
#include <mutex>
#include <nlohmann/json.hpp>
#include <random>

#include "digitnet/core/error.hpp"
#include "digitnet/core/option_range.hpp"
#include "digitnet/inference/ensemble.hpp"
#include "digitnet/inference/predictor.hpp"
#include "inference/reading_json.hpp"
#include "serve/embedded_files.hpp"
#include "serve/predict_body.hpp"

namespace digitnet::serve {
namespace {

using nlohmann::json;

// The page's assets may come only from the server itself; nothing may frame it.
const httplib::Headers security_headers = {
    {"Content-Security-Policy",
     "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; "
     "connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'"},
    {"X-Content-Type-Options", "nosniff"},
    {"X-Frame-Options", "DENY"},
    {"Referrer-Policy", "no-referrer"},
    {"Cross-Origin-Opener-Policy", "same-origin"},
    {"Cross-Origin-Resource-Policy", "same-origin"},
};

std::string content_type_of(std::string_view name) {
  if (name.ends_with(".html")) return "text/html; charset=utf-8";
  if (name.ends_with(".js")) return "text/javascript; charset=utf-8";
  if (name.ends_with(".css")) return "text/css; charset=utf-8";
  if (name.ends_with(".svg")) return "image/svg+xml";
  if (name.ends_with(".png")) return "image/png";
  return "application/octet-stream";
}

template <typename Json>
void send_json(httplib::Response& res, const Json& j, int status = 200) {
  res.status = status;
  res.set_header("Cache-Control", "no-store");
  res.set_content(j.dump(), "application/json");
}

void send_error(httplib::Response& res, int status, const std::string& message) {
  send_json(res, json{{"error", message}}, status);
}

// Runs a handler, turning what it throws into the JSON error answers of docs/api.md.
template <typename Handler>
void answer(httplib::Response& res, Handler&& handler) {
  try {
    handler();
  } catch (const BadRequest& e) {
    send_error(res, e.status, e.what());
  } catch (const Error& e) {
    send_error(res, 400, e.what());
  } catch (const std::exception& e) {
    std::fprintf(stderr, "digitnet serve: internal error: %s\n", e.what());
    send_error(res, 500, "internal error; the server's log says more");
  }
}

// A small JSON body (the learning endpoints'): application/json, an object, or nothing.
json json_body(const httplib::Request& req) {
  if (req.body.empty()) return json::object();
  if (media_type(req.get_header_value("Content-Type")) != "application/json")
    throw BadRequest(415, "Content-Type " + media_type(req.get_header_value("Content-Type")).substr(0, 60) +
                              ": send application/json");
  json j = json::parse(req.body, nullptr, false);
  if (j.is_discarded() || !j.is_object()) throw BadRequest(400, "the body is not a JSON object");
  return j;
}

std::vector<int> as_ints(std::span<const std::uint8_t> bytes) {
  return std::vector<int>(bytes.begin(), bytes.end());
}

}  // namespace

struct DigitServer::Impl {
  ServedModel model;
  Dataset test;
  LearnSession* learn = nullptr;
  ServeOptions options;
  std::vector<std::unique_ptr<Predictor>> predictors;
  json description;
  json mistakes = json::array();
  httplib::Server http;
  std::atomic<std::size_t> streams{0};
  std::atomic<bool> stopping{false};
  int listening_socket = -1;  // seen by set_socket_options, for bind()
  std::mutex random_mutex;
  std::mt19937_64 random{std::random_device{}()};

  Impl(ServedModel m, Dataset t, LearnSession* l, ServeOptions o)
      : model(std::move(m)), test(std::move(t)), learn(l), options(std::move(o)) {
    if (const std::string problem = ensemble_problem(model.models); !problem.empty())
      throw Error("--model: " + problem);
    if (model.models.front().input_size() != image_pixels)
      throw Error("--model " + model.names.front() + ": the model reads " +
                  std::to_string(model.models.front().input_size()) +
                  " inputs; the server reads 28 x 28 digits (784)");
    describe();
    for (Network& net : model.models)
      predictors.push_back(std::make_unique<Predictor>(net, options.workers));
    routes();
  }

  void describe() {
    json models = json::array();
    for (std::size_t k = 0; k < model.models.size(); ++k) {
      const Network& net = model.models[k];
      models.push_back({{"file", model.names[k]},
                        {"layers", to_string(net.architecture().layers)},
                        {"parameters", net.parameters().size()}});
    }
    description = {{"models", models},
                   {"layers", models[0]["layers"]},
                   {"recipe", model.recipe.empty() ? json(nullptr) : json(model.recipe)},
                   {"min_confidence", options.min_confidence},
                   {"test_images", test.size()}};
    if (test.size() == 0 || test.image_size() != image_pixels) {
      description["test_accuracy"] = nullptr;
      return;
    }
    const std::vector<Prediction> answers = predict_all(model.models, test, 0);
    std::size_t correct = 0;
    std::vector<std::size_t> wrong;
    for (std::size_t i = 0; i < answers.size(); ++i) {
      if (answers[i].digit == test.labels[i]) ++correct;
      else wrong.push_back(i);
    }
    description["test_accuracy"] = static_cast<double>(correct) / static_cast<double>(test.size());
    // The most confident mistakes first (the lower index first on a tie).
    std::stable_sort(wrong.begin(), wrong.end(), [&](std::size_t a, std::size_t b) {
      return answers[a].confidence > answers[b].confidence;
    });
    for (std::size_t i = 0; i < std::min<std::size_t>(wrong.size(), 24); ++i)
      mistakes.push_back({{"index", wrong[i]},
                          {"label", test.labels[wrong[i]]},
                          {"digit", answers[wrong[i]].digit},
                          {"confidence", answers[wrong[i]].confidence}});
  }

  void predict(const httplib::Request& req, httplib::Response& res) {
    const PredictBody body = parse_predict_body(req.get_header_value("Content-Type"), req.body);
    nlohmann::ordered_json j;
    std::span<const std::uint8_t> seen = body.pixels;
    PreparedDigit prepared;
    if (body.is_picture) {
      const Reading r = read_each(predictors.size(), [&](std::size_t k) {
        PictureReading reading = predictors[k]->predict_picture(body.picture);
        prepared = reading.prepared;
        return reading.reading;
      });
      j = reading_json(r, options.min_confidence);
      j["inverted"] = prepared.inverted;
      j["blobs"] = prepared.blobs;
      seen = prepared.pixels;
    } else {
      j = reading_json(read_each(predictors.size(),
                                 [&](std::size_t k) { return predictors[k]->predict_pixels(body.pixels); }),
                       options.min_confidence);
    }
    // "seen" written straight into the answer: as a JSON document of 784 values it took as long
    // as the network's forward pass.
    std::string text = j.dump();
    text.pop_back();  // the closing brace
    text += ",\"seen\":[";
    char number[4];
    for (std::size_t i = 0; i < seen.size(); ++i) {
      if (i > 0) text += ',';
      text.append(number, std::to_chars(number, number + sizeof number, seen[i]).ptr);
    }
    text += "]}";
    res.set_header("Cache-Control", "no-store");
    res.set_content(std::move(text), "application/json");
  }

  void test_digit(const httplib::Request& req, httplib::Response& res) {
    if (test.size() == 0) throw BadRequest(404, "no test set was found (serve --data DIR)");
    std::size_t index = 0;
    if (req.has_param("index")) {
      // Read as every numeric option is (option_range.hpp): whole, in range, nothing else.
      const OptionRange range{"index", true, 0, static_cast<double>(test.size() - 1), true, true,
                              ""};
      double value = 0;
      if (OptionProblem problem = parse_option_value(req.get_param_value("index"), range, &value)) {
        problem.value = problem.value.substr(0, 20);
        throw BadRequest(400, problem.message());
      }
      index = static_cast<std::size_t>(value);
    } else {
      std::lock_guard lock(random_mutex);
      index = std::uniform_int_distribution<std::size_t>(0, test.size() - 1)(random);
    }
    send_json(res, json{{"index", index}, {"label", test.labels[index]},
                    {"pixels", as_ints(test.image(index))}});
  }

  LearnSession& session() {
    if (learn == nullptr) throw BadRequest(404, "this server runs no training (no recipes)");
    return *learn;
  }

  void events(httplib::Response& res) {
    LearnSession& s = session();
    if (streams.fetch_add(1) >= options.max_event_streams) {
      streams.fetch_sub(1);
      throw BadRequest(503, "too many event streams open; close a learning page or poll "
                            "GET /api/learn/state");
    }
    res.set_header("Cache-Control", "no-store");
    res.set_chunked_content_provider(
        "text/event-stream",
        [this, &s, seen = std::uint64_t{0}](std::size_t, httplib::DataSink& sink) mutable {
          if (stopping) {
            sink.done();
            return true;
          }
          const std::uint64_t now = s.wait(seen, std::chrono::milliseconds(1000));
          if (stopping) {
            sink.done();
            return true;
          }
          // A comment line when nothing changed keeps proxies and the browser's connection
          // alive; at most ten states a second otherwise.
          const std::string message = now == seen ? std::string(": idle\n\n")
                                                  : "data: " + s.state().dump() + "\n\n";
          seen = now;
          if (!sink.write(message.data(), message.size())) return false;
          std::this_thread::sleep_for(std::chrono::milliseconds(100));
          return true;
        },
        [this](bool) { streams.fetch_sub(1); });
  }

  void routes() {
    http.set_default_headers(security_headers);
    const auto page = [](const char* name) {
      return [name](const httplib::Request&, httplib::Response& res) {
        const EmbeddedFile* file = find_file(web_files(), name);
        res.set_content(std::string(file->bytes), content_type_of(name));
      };
    };
    http.Get("/", page("index.html"));
    http.Get("/learn", page("learn.html"));
    http.Get(R"(/static/([A-Za-z0-9_.-]{1,64}))", [](const httplib::Request& req, httplib::Response& res) {
      const std::string name = req.matches[1];
      const EmbeddedFile* file = find_file(web_files(), name);
      if (file == nullptr || name.ends_with(".html")) {
        send_error(res, 404, "no such file: /static/" + name);
        return;
      }
      res.set_header("Cache-Control", "no-cache");
      res.set_content(std::string(file->bytes), content_type_of(name));
    });
    http.Get("/favicon.ico", [](const httplib::Request&, httplib::Response& res) { res.status = 204; });
    http.Get("/api/health", [](const httplib::Request&, httplib::Response& res) {
      send_json(res, json{{"status", "ok"}});
    });
    http.Get("/api/model", [this](const httplib::Request&, httplib::Response& res) {
      send_json(res, description);
    });
    http.Post("/api/predict", [this](const httplib::Request& req, httplib::Response& res) {
      answer(res, [&] { predict(req, res); });
    });
    http.Get("/api/test-digit", [this](const httplib::Request& req, httplib::Response& res) {
      answer(res, [&] { test_digit(req, res); });
    });
    http.Get("/api/mistakes", [this](const httplib::Request&, httplib::Response& res) {
      send_json(res, mistakes);
    });
    http.Get("/api/learn/recipes", [this](const httplib::Request&, httplib::Response& res) {
      answer(res, [&] {
        json list = json::array();
        for (const LearnPlan& plan : session().plans())
          list.push_back({{"name", plan.recipe}, {"summary", plan.summary}});
        send_json(res, json{{"recipes", list},
                        {"max_epochs", learn_max_epochs},
                        {"max_images", learn_max_images}});
      });
    });
    http.Get("/api/learn/state", [this](const httplib::Request&, httplib::Response& res) {
      answer(res, [&] {
        json state = session().state();
        state["guess_row"] = session().guess_row();
        send_json(res, state);
      });
    });
    http.Get("/api/learn/events", [this](const httplib::Request&, httplib::Response& res) {
      answer(res, [&] { events(res); });
    });
    http.Get("/api/learn/weights.png", [this](const httplib::Request&, httplib::Response& res) {
      answer(res, [&] {
        const std::vector<std::uint8_t> png = session().weights_png();
        if (png.empty()) throw BadRequest(404, "no weights yet: start a training run");
        res.set_header("Cache-Control", "no-store");
        res.set_content(std::string(png.begin(), png.end()), "image/png");
      });
    });
    http.Post("/api/learn/start", [this](const httplib::Request& req, httplib::Response& res) {
      answer(res, [&] {
        const json body = json_body(req);
        if (!body.contains("recipe") || !body["recipe"].is_string())
          throw BadRequest(400, R"(send {"recipe": NAME}, a name from GET /api/learn/recipes)");
        session().start(body["recipe"].get<std::string>());
        send_json(res, session().state(), 202);
      });
    });
    http.Post("/api/learn/stop", [this](const httplib::Request&, httplib::Response& res) {
      answer(res, [&] {
        session().stop();
        send_json(res, session().state());
      });
    });
    http.Post("/api/learn/pause", [this](const httplib::Request& req, httplib::Response& res) {
      answer(res, [&] {
        const json body = json_body(req);
        if (body.contains("paused") && !body["paused"].is_boolean())
          throw BadRequest(400, R"("paused" must be true or false)");
        session().pause(body.value("paused", true));
        send_json(res, session().state());
      });
    });
    http.Post("/api/learn/step", [this](const httplib::Request&, httplib::Response& res) {
      answer(res, [&] {
        session().step();
        send_json(res, session().state());
      });
    });
    http.Post("/api/learn/speed", [this](const httplib::Request& req, httplib::Response& res) {
      answer(res, [&] {
        const json body = json_body(req);
        if (!body.contains("delay_ms") || !body["delay_ms"].is_number_integer() ||
            body["delay_ms"].get<long long>() < 0 || body["delay_ms"].get<long long>() > 1000)
          throw BadRequest(400, R"(send {"delay_ms": N}, N from 0 (full speed) to 1000)");
        session().set_delay(body["delay_ms"].get<int>());
        send_json(res, session().state());
      });
    });
    // httplib's own refusals (no route, a bad request line, a body over the limit): the same
    // JSON errors as the handlers'.
    http.set_error_handler([](const httplib::Request& req, httplib::Response& res) {
      if (!res.body.empty()) return;
      const std::string path = req.path.substr(0, 80);
      switch (res.status) {
        case 404: send_error(res, 404, "no such page or endpoint: " + path + " (docs/api.md lists them)"); break;
        case 413: send_error(res, 413, "the body is too large: at most 1 MiB"); break;
        case 414: send_error(res, 414, "the request line is too long"); break;
        case 405: send_error(res, 405, "method not allowed on " + path); break;
        default: send_error(res, res.status, "bad request"); break;
      }
    });
    http.set_exception_handler([](const httplib::Request&, httplib::Response& res, std::exception_ptr) {
      send_error(res, 500, "internal error");
    });
    http.set_payload_max_length(options.max_body);
    http.set_read_timeout(options.timeout_seconds, 0);
    http.set_write_timeout(options.timeout_seconds, 0);
    http.set_keep_alive_timeout(options.timeout_seconds);
    http.set_keep_alive_max_count(10000);
    // An answer goes out as headers, then body: without TCP_NODELAY the body waited for the
    // client's delayed ACK (Nagle), 40 ms per request.
    http.set_tcp_nodelay(true);
    const std::size_t workers = options.workers;
    http.new_task_queue = [workers] { return new httplib::ThreadPool(workers); };
    // httplib's own options (address reuse) and the listening socket's descriptor, whose queue
    // of connections bind() lengthens.
    http.set_socket_options([this](int sock) {
      httplib::default_socket_options(sock);
      listening_socket = sock;
    });
  }
};

DigitServer::DigitServer(ServedModel model, Dataset test, LearnSession* learn, ServeOptions options)
    : impl_(std::make_unique<Impl>(std::move(model), std::move(test), learn, std::move(options))) {}

DigitServer::~DigitServer() = default;

int DigitServer::bind() {
  const ServeOptions& o = impl_->options;
  int port = o.port;
  if (o.port == 0) {
    port = impl_->http.bind_to_any_port(o.host);
    if (port < 0) throw Error("--host " + o.host + ": cannot listen there (no free port)");
  } else if (!impl_->http.bind_to_port(o.host, o.port)) {
    throw Error("--host " + o.host + " --port " + std::to_string(o.port) +
                ": cannot listen there (the port is in use, or the address is not this "
                "machine's); give another --port");
  }
  // Debian's cpp-httplib listens with a queue of 5 connections: a burst of more (a class
  // opening the page at once, a load test) found it full, and the kernel dropped them. Listening
  // again on the same socket sets a longer queue (capped by net.core.somaxconn).
  if (impl_->listening_socket >= 0) ::listen(impl_->listening_socket, 1024);
  return port;
}

void DigitServer::serve() { impl_->http.listen_after_bind(); }

void DigitServer::stop() {
  impl_->stopping = true;
  if (impl_->learn != nullptr) impl_->learn->close();
  impl_->http.stop();
}

SignalWatcher::SignalWatcher(std::function<void(int)> on_signal) {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &set, &old_mask_);
  thread_ = std::thread([this, set, on_signal = std::move(on_signal)] {
    while (!done_) {
      const timespec wait{0, 200'000'000};
      const int signal = sigtimedwait(&set, nullptr, &wait);
      if (signal > 0) on_signal(signal);
    }
  });
}

SignalWatcher::~SignalWatcher() {
  done_ = true;
  thread_.join();
  pthread_sigmask(SIG_SETMASK, &old_mask_, nullptr);
}

}  // namespace digitnet::serve
