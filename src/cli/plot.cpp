// digitnet plot: training curves from a metrics file as an SVG a browser opens — cost,
// accuracy, and per-layer gradient norms when they were recorded.
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <memory>
#include <sstream>

#include "command.hpp"
#include "digitnet/core/error.hpp"
#include "digitnet/files/atomic_file.hpp"
#include "digitnet/files/metrics_file.hpp"

namespace digitnet::cli {
namespace {

struct PlotArgs {
  std::string metrics;
  std::string out;
};

struct Series {
  std::string name;
  std::string colour;
  std::vector<std::pair<double, double>> points;  // (epoch, value)
};

std::string format(double v) {
  std::ostringstream s;
  s.precision(4);
  s << v;
  return s.str();
}

// A chart of `series` at (x0, y0), width x height, with axes, ticks, labels and a legend.
void chart(std::ostringstream& svg, int x0, int y0, int width, int height, const std::string& title,
           const std::string& y_label, const std::vector<Series>& series, bool log_y) {
  double min_x = 1e300, max_x = -1e300, min_y = 1e300, max_y = -1e300;
  for (const Series& s : series)
    for (auto [x, y] : s.points) {
      if (log_y && y <= 0) continue;
      const double v = log_y ? std::log10(y) : y;
      min_x = std::min(min_x, x), max_x = std::max(max_x, x);
      min_y = std::min(min_y, v), max_y = std::max(max_y, v);
    }
  if (min_x > max_x) return;
  if (max_x == min_x) max_x = min_x + 1;
  if (max_y - min_y < 1e-12) max_y = min_y + 1, min_y -= 1;
  // Linear axes get "nice" ticks (1, 2 or 5 times a power of 10) and start and end on them.
  double step_y = (max_y - min_y) / 5;
  if (!log_y) {
    const double magnitude = std::pow(10, std::floor(std::log10(step_y)));
    for (double m : {1.0, 2.0, 5.0, 10.0})
      if (m * magnitude >= step_y) {
        step_y = m * magnitude;
        break;
      }
    min_y = std::floor(min_y / step_y) * step_y;
    max_y = std::ceil(max_y / step_y) * step_y;
  } else {
    const double pad_y = (max_y - min_y) * 0.05;
    min_y -= pad_y, max_y += pad_y;
    step_y = (max_y - min_y) / 5;
  }
  const int left = x0 + 80, right = x0 + width - 20, top = y0 + 40, bottom = y0 + height - 45;
  const auto px = [&](double x) { return left + (x - min_x) / (max_x - min_x) * (right - left); };
  const auto py = [&](double v) { return bottom - (v - min_y) / (max_y - min_y) * (bottom - top); };
  svg << "<text x=\"" << (left + right) / 2 << "\" y=\"" << y0 + 22
      << "\" text-anchor=\"middle\" font-size=\"16\">" << title << "</text>\n"
      << "<rect x=\"" << left << "\" y=\"" << top << "\" width=\"" << right - left << "\" height=\""
      << bottom - top << "\" fill=\"none\" stroke=\"#444\"/>\n";
  for (double v = min_y; v <= max_y + step_y / 2; v += step_y) {  // y ticks and grid
    const double y = py(v);
    svg << "<line x1=\"" << left << "\" x2=\"" << right << "\" y1=\"" << y << "\" y2=\"" << y
        << "\" stroke=\"#e5e5e5\"/><text x=\"" << left - 6 << "\" y=\"" << y + 4
        << "\" text-anchor=\"end\" font-size=\"12\">" << format(log_y ? std::pow(10, v) : v)
        << "</text>\n";
  }
  const double step_x = std::max(1.0, std::ceil((max_x - min_x) / 10));
  for (double e = min_x; e <= max_x; e += step_x) {  // x ticks at whole epochs
    svg << "<text x=\"" << px(e) << "\" y=\"" << bottom + 17 << "\" text-anchor=\"middle\" font-size=\"12\">"
        << e << "</text>\n";
  }
  svg << "<text x=\"" << (left + right) / 2 << "\" y=\"" << bottom + 36
      << "\" text-anchor=\"middle\" font-size=\"13\">epoch</text>\n"
      << "<text transform=\"translate(" << x0 + 14 << "," << (top + bottom) / 2
      << ") rotate(-90)\" text-anchor=\"middle\" font-size=\"13\">" << y_label << "</text>\n";
  int legend_y = top + 16;
  for (const Series& s : series) {
    std::string path;
    for (auto [x, y] : s.points) {
      if (log_y && y <= 0) continue;
      path += (path.empty() ? "M" : " L") + format(px(x)) + "," + format(py(log_y ? std::log10(y) : y));
    }
    svg << "<path d=\"" << path << "\" fill=\"none\" stroke=\"" << s.colour << "\" stroke-width=\"2\"/>\n";
    if (s.points.size() == 1)
      svg << "<circle cx=\"" << px(s.points[0].first) << "\" cy=\"" << py(log_y ? std::log10(s.points[0].second) : s.points[0].second)
          << "\" r=\"3\" fill=\"" << s.colour << "\"/>\n";
    svg << "<line x1=\"" << right - 170 << "\" x2=\"" << right - 145 << "\" y1=\"" << legend_y - 4
        << "\" y2=\"" << legend_y - 4 << "\" stroke=\"" << s.colour << "\" stroke-width=\"2\"/>"
        << "<text x=\"" << right - 140 << "\" y=\"" << legend_y << "\" font-size=\"12\">" << s.name
        << "</text>\n";
    legend_y += 16;
  }
}

const char* const colours[] = {"#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b"};

Series series_of(const std::vector<MetricsLine>& lines, const std::string& key,
                 const std::string& name, int colour, double scale = 1) {
  Series s{name, colours[colour % 6], {}};
  for (const MetricsLine& line : lines)
    if (const auto it = line.values.find(key); it != line.values.end())
      s.points.emplace_back(static_cast<double>(line.epoch), it->second * scale);
  return s;
}

void run(const PlotArgs& args) {
  check_output_name("--out", args.out, {".svg"});
  const std::filesystem::path out(args.out);
  const auto folder = out.has_parent_path() ? out.parent_path() : ".";
  if (!std::filesystem::is_directory(folder))
    throw UsageError("--out " + args.out + ": folder " + folder.string() + " does not exist");
  const std::vector<MetricsLine> lines = [&] {
    try {
      return read_metrics(args.metrics);
    } catch (const Error& e) {
      throw Error(std::string(e.what()) + " (write one with 'digitnet train --metrics FILE')");
    }
  }();
  std::vector<std::vector<Series>> panels;
  std::vector<std::pair<std::string, std::string>> titles;
  std::vector<bool> logs;
  const auto keep = [](std::vector<Series> s) {
    s.erase(std::remove_if(s.begin(), s.end(), [](const Series& x) { return x.points.empty(); }), s.end());
    return s;
  };
  if (auto cost = keep({series_of(lines, "training_cost", "training", 0),
                        series_of(lines, "validation_cost", "validation", 1)});
      !cost.empty()) {
    panels.push_back(cost);
    titles.emplace_back("Cost per image", "cost");
    logs.push_back(false);
  }
  if (auto accuracy = keep({series_of(lines, "training_accuracy", "training", 0, 100),
                            series_of(lines, "validation_accuracy", "validation", 1, 100),
                            series_of(lines, "test_accuracy", "test", 2, 100)});
      !accuracy.empty()) {
    panels.push_back(accuracy);
    titles.emplace_back("Accuracy", "% correct");
    logs.push_back(false);
  }
  std::vector<Series> norms;
  for (const MetricsLine& line : lines)
    for (std::size_t l = 0; l < line.gradient_norms.size(); ++l) {
      if (norms.size() <= l)
        norms.push_back({"layer " + std::to_string(l + 1), colours[l % 6], {}});
      norms[l].points.emplace_back(static_cast<double>(line.epoch), line.gradient_norms[l]);
    }
  if (!norms.empty()) {
    panels.push_back(norms);
    titles.emplace_back("Gradient norm per layer (mean over 1,000 images)", "‖∂C/∂W‖ (log scale)");
    logs.push_back(true);
  }
  constexpr int width = 720, height = 320;
  std::ostringstream svg;
  svg << "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"" << width << "\" height=\""
      << height * static_cast<int>(panels.size()) << "\" font-family=\"sans-serif\">\n"
      << "<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n";
  for (std::size_t p = 0; p < panels.size(); ++p)
    chart(svg, 0, height * static_cast<int>(p), width, height, titles[p].first, titles[p].second,
          panels[p], logs[p]);
  svg << "</svg>\n";
  const std::string text = svg.str();
  write_file_atomically(out, std::vector<std::uint8_t>(text.begin(), text.end()));
  std::printf("Wrote %zu chart%s of %zu epochs to %s\n", panels.size(), panels.size() == 1 ? "" : "s",
              lines.size(), args.out.c_str());
}

}  // namespace

Command add_plot_command(CLI::App& app) {
  auto args = std::make_shared<PlotArgs>();
  CLI::App* cmd = app.add_subcommand(
      "plot", "Training curves from a metrics file (train --metrics) as an SVG picture");
  cmd->add_option("--metrics", args->metrics, "Metrics file written by 'digitnet train --metrics'")
      ->required();
  cmd->add_option("--out", args->out, "SVG file to write")->required();
  return {cmd, [args] { run(*args); }};
}

}  // namespace digitnet::cli
