// The server in this process on a free port, asked as clients would: the answers are the
// library's, bad requests get their 4xx (or are dropped) while well-behaved clients keep
// getting answers, the learning run starts, pauses, steps and stops.
#include "serve/server.hpp"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <httplib.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <future>
#include <nlohmann/json.hpp>
#include <thread>

#include "digitnet/data/dataset.hpp"
#include "digitnet/inference/predictor.hpp"
#include "digitnet/pictures/image_file.hpp"
#include "digitnet/pictures/preprocess.hpp"

namespace digitnet::serve {
namespace {

using nlohmann::json;
using namespace std::chrono_literals;

const MnistSplit& mnist() {
  static const MnistSplit split = load_mnist(DIGITNET_SOURCE_DATA_DIR);
  return split;
}

Network test_network() { return Network(std::vector<std::size_t>{784, 30, 10}, 7); }

// A learning run the tests can start: the book's network on 600 images, 3 epochs.
LearnPlan small_plan() {
  LearnPlan plan;
  plan.recipe = "tiny";
  plan.summary = "dense:30:sigmoid,dense:10:sigmoid; 3 epochs on 600 images";
  plan.arch = Architecture::seeds({784, 30, 10});
  plan.options.epochs = 3;
  plan.options.mini_batch_size = 10;
  plan.options.eta = 3.0f;
  plan.load = [] {
    MnistSplit s;
    s.training = slice(mnist().training, 0, 600);
    s.test = slice(mnist().test, 0, 100);
    return s;
  };
  return plan;
}

class ServerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    learn_ = std::make_unique<LearnSession>(std::vector<LearnPlan>{small_plan()});
    ServeOptions options;
    options.port = 0;
    options.workers = 16;
    options.timeout_seconds = 1;
    ServedModel model;
    model.models.push_back(test_network());
    model.names = {"test.model"};
    model.recipe = "recipes/test.toml";
    server_ = std::make_unique<DigitServer>(std::move(model), slice(mnist().test, 0, 500),
                                            learn_.get(), options);
    port_ = server_->bind();
    thread_ = std::thread([this] { server_->serve(); });
    client_ = std::make_unique<httplib::Client>("127.0.0.1", port_);
    client_->set_read_timeout(5, 0);
  }
  void TearDown() override {
    server_->stop();
    thread_.join();
    learn_->stop();
  }

  json get_json(const std::string& path, int status = 200) {
    auto res = client_->Get(path.c_str());
    EXPECT_TRUE(res) << path;
    if (!res) return {};
    EXPECT_EQ(res->status, status) << path << ": " << res->body;
    EXPECT_EQ(res->get_header_value("Content-Type"), "application/json") << path;
    return json::parse(res->body);
  }
  httplib::Result post(const std::string& path, const std::string& body, const std::string& type) {
    return client_->Post(path.c_str(), body, type.c_str());
  }

  // Sends `request` on a fresh connection; what comes back before the server closes it or
  // `wait` passes.
  std::string raw(const std::string& request, std::chrono::milliseconds wait = 3000ms) const {
    const int fd = socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_port = htons(static_cast<std::uint16_t>(port_));
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    EXPECT_EQ(connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof address), 0);
    send(fd, request.data(), request.size(), MSG_NOSIGNAL);
    // Until the server closes the connection or `wait` has passed in all (a stream of events
    // never ends by itself).
    const auto deadline = std::chrono::steady_clock::now() + wait;
    std::string answer;
    char buffer[4096];
    for (;;) {
      const auto left = std::chrono::duration_cast<std::chrono::microseconds>(deadline - std::chrono::steady_clock::now());
      if (left.count() <= 0) break;
      timeval timeout{static_cast<time_t>(left.count() / 1000000), static_cast<suseconds_t>(left.count() % 1000000)};
      setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
      const ssize_t n = recv(fd, buffer, sizeof buffer, 0);
      if (n <= 0) break;
      answer.append(buffer, static_cast<std::size_t>(n));
    }
    close(fd);
    return answer;
  }

  std::unique_ptr<LearnSession> learn_;
  std::unique_ptr<DigitServer> server_;
  int port_ = 0;
  std::thread thread_;
  std::unique_ptr<httplib::Client> client_;
};

std::string pixels_body(std::span<const std::uint8_t> image) {
  return json{{"pixels", std::vector<int>(image.begin(), image.end())}}.dump();
}

TEST_F(ServerTest, HealthAndTheModelsDescription) {
  EXPECT_EQ(get_json("/api/health"), (json{{"status", "ok"}}));
  const json model = get_json("/api/model");
  EXPECT_EQ(model["layers"], "dense:30:sigmoid,dense:10:sigmoid");
  EXPECT_EQ(model["recipe"], "recipes/test.toml");
  EXPECT_EQ(model["test_images"], 500);
  const Dataset test = slice(mnist().test, 0, 500);
  EXPECT_DOUBLE_EQ(model["test_accuracy"].get<double>(),
                   static_cast<double>(evaluate(test_network(), test)) / 500.0);
  EXPECT_EQ(model["models"][0]["parameters"], 784 * 30 + 30 + 30 * 10 + 10);
}

TEST_F(ServerTest, PixelsAreReadAsThePredictorReadsThem) {
  const Predictor predictor(test_network());
  for (std::size_t i : {0u, 1u, 2u}) {
    const auto image = mnist().test.image(i);
    auto res = post("/api/predict", pixels_body(image), "application/json");
    ASSERT_TRUE(res);
    ASSERT_EQ(res->status, 200) << res->body;
    const json answer = json::parse(res->body);
    const Reading expected = predictor.predict_pixels(image);
    EXPECT_EQ(answer["digit"], expected.digit);
    EXPECT_EQ(answer["confident"], expected.confident());
    for (std::size_t d = 0; d < 10; ++d)
      EXPECT_DOUBLE_EQ(answer["probabilities"][d].get<double>(), expected.probabilities[d]);
    EXPECT_EQ(answer["seen"].get<std::vector<int>>(), std::vector<int>(image.begin(), image.end()));
  }
}

TEST_F(ServerTest, APictureIsPreparedAndReadAsPredictReadsIt) {
  // A test digit as a photo would show it: dark ink on light paper, enlarged 4 times.
  const auto image = mnist().test.image(0);
  Picture photo;
  photo.width = photo.height = 112;
  photo.samples.resize(112 * 112);
  for (std::size_t y = 0; y < 112; ++y)
    for (std::size_t x = 0; x < 112; ++x) photo.at(x, y) = static_cast<std::uint8_t>(255 - image[(y / 4) * 28 + x / 4]);
  const auto png = encode_png(photo);
  auto res = post("/api/predict", std::string(png.begin(), png.end()), "image/png");
  ASSERT_TRUE(res);
  ASSERT_EQ(res->status, 200) << res->body;
  const json answer = json::parse(res->body);
  const PictureReading expected = Predictor(test_network()).predict_picture(photo);
  EXPECT_EQ(answer["digit"], expected.reading.digit);
  EXPECT_EQ(answer["inverted"], true);
  EXPECT_EQ(answer["seen"].get<std::vector<int>>(),
            std::vector<int>(expected.prepared.pixels.begin(), expected.prepared.pixels.end()));
}

TEST_F(ServerTest, BadBodiesGetTheirStatusAndAOneLineJsonError) {
  std::string blank_png;
  {
    Picture blank;
    blank.width = blank.height = 20;
    blank.samples.assign(400, 255);
    const auto bytes = encode_png(blank);
    blank_png.assign(bytes.begin(), bytes.end());
  }
  const struct {
    std::string type, body;
    int status;
    std::string says;
  } cases[] = {
      {"text/plain", "hello", 415, "Content-Type text/plain"},
      {"application/json", "{not json", 400, "not valid JSON"},
      {"application/json", R"({"pixels": [1, 2, 3]})", 400, "not 3 values"},
      {"image/png", "GIF89a...", 400, "not a PNG file"},
      {"image/png", blank_png, 400, "no ink"},
  };
  for (const auto& c : cases) {
    auto res = post("/api/predict", c.body, c.type);
    ASSERT_TRUE(res);
    EXPECT_EQ(res->status, c.status) << c.body.substr(0, 20);
    const json error = json::parse(res->body);
    const std::string message = error["error"];
    EXPECT_NE(message.find(c.says), std::string::npos) << message;
    EXPECT_EQ(message.find('\n'), std::string::npos);
  }
  auto big = post("/api/predict", std::string((1 << 20) + 1, 'x'), "application/json");
  ASSERT_TRUE(big);
  EXPECT_EQ(big->status, 413);
  EXPECT_EQ(get_json("/api/health")["status"], "ok");
}

TEST_F(ServerTest, PagesAssetsAndNothingElseAreServed) {
  auto page = client_->Get("/");
  ASSERT_TRUE(page);
  EXPECT_EQ(page->status, 200);
  EXPECT_EQ(page->get_header_value("Content-Type"), "text/html; charset=utf-8");
  EXPECT_NE(page->body.find("<canvas id=\"canvas\""), std::string::npos);
  auto script = client_->Get("/static/draw.js");
  ASSERT_TRUE(script);
  EXPECT_EQ(script->get_header_value("Content-Type"), "text/javascript; charset=utf-8");
  for (const char* path : {"/static/../CMakeLists.txt", "/static/%2e%2e%2fCMakeLists.txt",
                           "/static/index.html", "/etc/passwd", "/static/", "/api/nothing"}) {
    auto res = client_->Get(path);
    ASSERT_TRUE(res) << path;
    EXPECT_EQ(res->status, 404) << path;
    EXPECT_NE(res->body.find("\"error\""), std::string::npos) << path;
  }
  // Security headers on pages, answers and errors alike.
  for (const char* path : {"/", "/api/health", "/nothing"}) {
    auto res = client_->Get(path);
    ASSERT_TRUE(res);
    EXPECT_NE(res->get_header_value("Content-Security-Policy").find("default-src 'none'"), std::string::npos);
    EXPECT_EQ(res->get_header_value("X-Content-Type-Options"), "nosniff");
    EXPECT_EQ(res->get_header_value("X-Frame-Options"), "DENY");
  }
}

TEST_F(ServerTest, TestDigitsAndTheMostConfidentMistakes) {
  const json digit = get_json("/api/test-digit?index=3");
  EXPECT_EQ(digit["label"], mnist().test.labels[3]);
  EXPECT_EQ(digit["pixels"].size(), 784u);
  EXPECT_EQ(get_json("/api/test-digit?index=500", 400)["error"],
            "index 500: give a whole number from 0 to 499");
  get_json("/api/test-digit?index=-1", 400);
  EXPECT_LT(get_json("/api/test-digit")["index"].get<int>(), 500);
  const json mistakes = get_json("/api/mistakes");
  ASSERT_GT(mistakes.size(), 1u);
  for (std::size_t i = 1; i < mistakes.size(); ++i)
    EXPECT_GE(mistakes[i - 1]["confidence"].get<double>(), mistakes[i]["confidence"].get<double>());
  EXPECT_NE(mistakes[0]["digit"], mistakes[0]["label"]);
}

TEST_F(ServerTest, ALearningRunStartsPausesStepsAndStops) {
  EXPECT_EQ(get_json("/api/learn/recipes")["recipes"][0]["name"], "tiny");
  auto unknown = post("/api/learn/start", R"({"recipe": "huge"})", "application/json");
  ASSERT_TRUE(unknown);
  EXPECT_EQ(unknown->status, 404);
  ASSERT_EQ(post("/api/learn/speed", R"({"delay_ms": 20})", "application/json")->status, 200);
  EXPECT_EQ(post("/api/learn/speed", R"({"delay_ms": 5000})", "application/json")->status, 400);
  auto started = post("/api/learn/start", R"({"recipe": "tiny"})", "application/json");
  ASSERT_TRUE(started);
  EXPECT_EQ(started->status, 202) << started->body;
  EXPECT_EQ(post("/api/learn/start", R"({"recipe": "tiny"})", "application/json")->status, 409);
  EXPECT_EQ(post("/api/learn/start", "recipe=tiny", "text/plain")->status, 415);
  // Paused, one batch moves it by one batch (10 examples) and no more.
  ASSERT_EQ(post("/api/learn/pause", R"({"paused": true})", "application/json")->status, 200);
  std::this_thread::sleep_for(300ms);
  const json before = get_json("/api/learn/state");
  EXPECT_TRUE(before["paused"]);
  EXPECT_TRUE(before["running"]);
  post("/api/learn/step", "", "application/json");
  std::this_thread::sleep_for(300ms);
  const json after = get_json("/api/learn/state");
  EXPECT_EQ(after["examples"].get<int>(), before["examples"].get<int>() + 10);
  EXPECT_EQ(after["guess_row"].size(), 10u);
  auto weights = client_->Get("/api/learn/weights.png");
  ASSERT_TRUE(weights);
  EXPECT_EQ(weights->status, 200);
  EXPECT_EQ(weights->get_header_value("Content-Type"), "image/png");
  EXPECT_TRUE(weights->body.starts_with("\x89PNG"));
  // Resumed, it finishes its 3 epochs; stopping a finished run is harmless, and frees it.
  post("/api/learn/pause", R"({"paused": false})", "application/json");
  post("/api/learn/speed", R"({"delay_ms": 0})", "application/json");
  json state;
  for (int i = 0; i < 100 && (state = get_json("/api/learn/state"))["running"]; ++i) std::this_thread::sleep_for(100ms);
  EXPECT_FALSE(state["running"]);
  EXPECT_EQ(state["phase"], "finished");
  EXPECT_EQ(state["history"].size(), 3u);
  EXPECT_GT(state["history"][2]["accuracy"].get<double>(), 0.2);  // chance: 0.1
  EXPECT_EQ(post("/api/learn/stop", "", "application/json")->status, 200);
  EXPECT_EQ(post("/api/learn/start", R"({"recipe": "tiny"})", "application/json")->status, 202);
  EXPECT_EQ(post("/api/learn/stop", "", "application/json")->status, 200);
  EXPECT_FALSE(get_json("/api/learn/state")["running"]);
}

TEST_F(ServerTest, AFloodOfStartsStartsOneRun) {
  post("/api/learn/speed", R"({"delay_ms": 50})", "application/json");
  std::vector<std::future<int>> answers;
  for (int i = 0; i < 16; ++i)
    answers.push_back(std::async(std::launch::async, [this] {
      httplib::Client c("127.0.0.1", port_);
      c.set_read_timeout(20, 0);
      auto res = c.Post("/api/learn/start", R"({"recipe": "tiny"})", "application/json");
      return res ? res->status : -static_cast<int>(res.error());
    }));
  int started = 0, refused = 0;
  std::string statuses;
  for (auto& a : answers) {
    const int status = a.get();
    started += status == 202;
    refused += status == 409;
    statuses += std::to_string(status) + " ";
  }
  EXPECT_EQ(started, 1) << statuses << get_json("/api/learn/state").dump();
  EXPECT_EQ(refused, 15) << statuses;
}

TEST_F(ServerTest, EventStreamsAreLimitedAndCarryTheState) {
  std::vector<std::future<std::string>> streams;
  for (int i = 0; i < 8; ++i)
    streams.push_back(std::async(std::launch::async, [this] {
      return raw("GET /api/learn/events HTTP/1.1\r\nHost: x\r\n\r\n", 1500ms);
    }));
  std::this_thread::sleep_for(500ms);
  const json refused = get_json("/api/learn/events", 503);
  EXPECT_NE(refused["error"].get<std::string>().find("too many event streams"), std::string::npos);
  for (auto& s : streams) {
    const std::string text = s.get();
    EXPECT_NE(text.find("Content-Type: text/event-stream"), std::string::npos) << text.substr(0, 200);
    EXPECT_NE(text.find("data: {"), std::string::npos) << text.substr(0, 400);
  }
  // The streams notice their clients are gone at their next writes (an idle line a second).
  std::this_thread::sleep_for(2500ms);
  EXPECT_NE(raw("GET /api/learn/events HTTP/1.1\r\nHost: x\r\n\r\n", 500ms).find("text/event-stream"),
            std::string::npos);
}

TEST_F(ServerTest, MalformedHttpIsRefusedAndTheServerKeepsServing) {
  EXPECT_TRUE(raw("GARBAGE\r\n\r\n").starts_with("HTTP/1.1 400")) << raw("GARBAGE\r\n\r\n");
  EXPECT_TRUE(raw("GET / HTTP/9.9\r\n\r\n").starts_with("HTTP/1.1 400"));
  const std::string huge_header = "GET /api/health HTTP/1.1\r\nHost: x\r\nX-Big: " + std::string(20000, 'a') + "\r\n\r\n";
  const std::string answer = raw(huge_header);
  EXPECT_TRUE(answer.empty() || answer.starts_with("HTTP/1.1 4")) << answer.substr(0, 40);
  // A body shorter than its Content-Length: the server waits its read timeout and drops it.
  const auto start = std::chrono::steady_clock::now();
  raw("POST /api/predict HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{\"pix");
  EXPECT_LT(std::chrono::steady_clock::now() - start, 3s);
  EXPECT_EQ(get_json("/api/health")["status"], "ok");
}

TEST_F(ServerTest, SlowClientsDoNotStopOthersAndAreDropped) {
  // Four clients trickle half a request each and hold their connections; meanwhile a
  // well-behaved client gets every answer, and the slow ones are dropped after the timeout.
  std::vector<std::future<std::string>> slow;
  for (int i = 0; i < 4; ++i)
    slow.push_back(std::async(std::launch::async, [this] { return raw("GET /api/health HTTP/1.1\r\nHo", 4000ms); }));
  std::this_thread::sleep_for(100ms);
  for (int i = 0; i < 20; ++i) {
    const auto start = std::chrono::steady_clock::now();
    EXPECT_EQ(get_json("/api/health")["status"], "ok");
    EXPECT_LT(std::chrono::steady_clock::now() - start, 500ms);
  }
  const auto start = std::chrono::steady_clock::now();
  for (auto& s : slow) EXPECT_EQ(s.get().find("\"status\""), std::string::npos);
  EXPECT_LT(std::chrono::steady_clock::now() - start, 3500ms) << "dropped by the 1 s read timeout";
}

}  // namespace
}  // namespace digitnet::serve
