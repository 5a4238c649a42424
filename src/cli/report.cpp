// digitnet report: what a model gets wrong — the confusion matrix (terminal table and SVG heat
// map), accuracy per digit, and a PNG gallery of the most confidently wrong images.
#include <algorithm>
#include <cstdio>
#include <memory>
#include <sstream>

#include "command.hpp"
#include "number_option.hpp"
#include "digitnet/files/atomic_file.hpp"
#include "digitnet/pictures/drawing.hpp"
#include "digitnet/inference/evaluation.hpp"
#include "digitnet/files/model_file.hpp"
#include "model_check.hpp"

namespace digitnet::cli {
namespace {

struct ReportArgs {
  std::vector<std::string> models;
  std::string split = "test";
  DataArgs data;
  std::string out_dir;
  std::size_t gallery = 48;
};

using Confusion = std::array<std::array<std::size_t, digit_classes>, digit_classes>;  // [true][predicted]

void print_table(const Confusion& c, const std::string& split) {
  std::printf("Confusion matrix on the %s split (rows: true digit, columns: predicted):\n\n     ",
              split.c_str());
  for (std::size_t p = 0; p < digit_classes; ++p) std::printf("%6zu", p);
  std::printf("   accuracy\n");
  for (std::size_t t = 0; t < digit_classes; ++t) {
    std::size_t row = 0;
    for (std::size_t n : c[t]) row += n;
    std::printf("  %zu  ", t);
    for (std::size_t p = 0; p < digit_classes; ++p) std::printf("%6zu", c[t][p]);
    std::printf("   %6.2f%% of %zu\n", row ? 100.0 * static_cast<double>(c[t][t]) / static_cast<double>(row) : 0.0, row);
  }
}

std::string heat_map_svg(const Confusion& c, const std::string& title) {
  constexpr int cell = 48, left = 90, top = 90;
  std::ostringstream svg;
  const int size = left + cell * 10 + 30;
  svg << "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"" << size << "\" height=\"" << size + 20
      << "\" font-family=\"sans-serif\">\n<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n"
      << "<text x=\"" << size / 2 << "\" y=\"28\" text-anchor=\"middle\" font-size=\"18\">" << title
      << "</text>\n<text x=\"" << left + cell * 5 << "\" y=\"" << top - 30
      << "\" text-anchor=\"middle\" font-size=\"15\">predicted digit</text>\n"
      << "<text transform=\"translate(" << left - 50 << "," << top + cell * 5
      << ") rotate(-90)\" text-anchor=\"middle\" font-size=\"15\">true digit</text>\n";
  for (std::size_t t = 0; t < digit_classes; ++t) {
    std::size_t row = 0;
    for (std::size_t n : c[t]) row += n;
    svg << "<text x=\"" << left - 12 << "\" y=\"" << top + static_cast<int>(t) * cell + cell / 2 + 5
        << "\" text-anchor=\"end\" font-size=\"15\">" << t << "</text>\n"
        << "<text x=\"" << left + static_cast<int>(t) * cell + cell / 2 << "\" y=\"" << top - 8
        << "\" text-anchor=\"middle\" font-size=\"15\">" << t << "</text>\n";
    for (std::size_t p = 0; p < digit_classes; ++p) {
      // Share of the true digit's images: the diagonal in blue, mistakes in red (scaled up so
      // that a 1% confusion is visible).
      const double share = row ? static_cast<double>(c[t][p]) / static_cast<double>(row) : 0.0;
      const double strength = t == p ? share : std::min(1.0, share * 20);
      const int fade = static_cast<int>(255 * (1 - strength));
      std::string fill = t == p ? "rgb(" + std::to_string(fade) + "," + std::to_string(fade) + ",255)"
                                : "rgb(255," + std::to_string(fade) + "," + std::to_string(fade) + ")";
      const int x = left + static_cast<int>(p) * cell, y = top + static_cast<int>(t) * cell;
      svg << "<rect x=\"" << x << "\" y=\"" << y << "\" width=\"" << cell << "\" height=\"" << cell
          << "\" fill=\"" << fill << "\" stroke=\"#ccc\"/>\n"
          << "<text x=\"" << x + cell / 2 << "\" y=\"" << y + cell / 2 + 5
          << "\" text-anchor=\"middle\" font-size=\"13\" fill=\"" << (strength > 0.6 ? "white" : "black")
          << "\">" << c[t][p] << "</text>\n";
    }
  }
  svg << "</svg>\n";
  return svg.str();
}

void run(const ReportArgs& args) {
  if (!args.out_dir.empty() && !std::filesystem::is_directory(args.out_dir))
    throw UsageError("--out-dir " + args.out_dir + ": not a folder; create it first");
  const std::vector<Network> models = load_models_flag(args.models);
  const MnistSplit data = load_data(args.data, needs_split(args.split));
  const Dataset& part = pick_split(data, args.split);
  for (std::size_t k = 0; k < models.size(); ++k) check_model_fits(models[k], args.models[k], part);
  const std::vector<Prediction> predictions = predict_all(models, part);

  Confusion confusion{};
  std::vector<std::size_t> wrong;
  for (std::size_t i = 0; i < part.size(); ++i) {
    confusion[part.labels[i]][predictions[i].digit] += 1;
    if (predictions[i].digit != part.labels[i]) wrong.push_back(i);
  }
  print_table(confusion, args.split);
  std::printf("\n%zu of %zu wrong (accuracy %.2f%%)\n", wrong.size(), part.size(),
              100.0 * static_cast<double>(part.size() - wrong.size()) / static_cast<double>(part.size()));
  if (args.out_dir.empty()) return;

  const std::filesystem::path dir(args.out_dir);
  const std::string svg = heat_map_svg(
      confusion, "Confusion on " + args.split + ": " + model_names(args.models));
  write_file_atomically(dir / "confusion.svg", std::vector<std::uint8_t>(svg.begin(), svg.end()));

  // The most confidently wrong, most confident first: image, then "p7 t2" and the confidence.
  std::stable_sort(wrong.begin(), wrong.end(), [&](std::size_t a, std::size_t b) {
    return predictions[a].confidence > predictions[b].confidence;
  });
  wrong.resize(std::min(wrong.size(), args.gallery));
  // Images of any size (part.cols x part.rows) drawn about 84 pixels across, as MNIST's at 3x.
  constexpr std::size_t text = 2, columns = 8;
  const std::size_t side = std::max(part.cols, part.rows);
  const std::size_t scale = std::max<std::size_t>(1, 84 / side);
  const std::size_t cell_w = std::max<std::size_t>(side * scale, 30 * text) + 20;
  const std::size_t cell_h = part.rows * scale + 2 * 7 * text + 12;
  const std::size_t rows = std::max<std::size_t>(1, (wrong.size() + columns - 1) / columns);
  Picture canvas = rgb_canvas(columns * cell_w + 10, rows * cell_h + 10, {255, 255, 255});
  for (std::size_t k = 0; k < wrong.size(); ++k) {
    const std::size_t i = wrong[k];
    const std::size_t x = 10 + (k % columns) * cell_w, y = 10 + (k / columns) * cell_h;
    draw_grey(canvas, part.image(i), part.cols, part.rows, x, y, scale, true);
    const std::size_t ty = y + part.rows * scale + 4;
    draw_text(canvas, "p" + std::to_string(predictions[i].digit), x, ty, text, {200, 30, 30});
    draw_text(canvas, "t" + std::to_string(int{part.labels[i]}), x + 10 * text, ty, text, {20, 130, 20});
    draw_text(canvas, std::to_string(static_cast<int>(100 * predictions[i].confidence)) + "%",
              x + 20 * text, ty, text, {90, 90, 90});
    draw_text(canvas, "n" + std::to_string(i), x, ty + 7 * text, text, {90, 90, 90});
  }
  save_png(canvas, dir / "wrong.png");
  std::printf("Wrote %s (heat map) and %s (the %zu most confidently wrong: p = predicted, t = true, n = image number)\n",
              (dir / "confusion.svg").c_str(), (dir / "wrong.png").c_str(), wrong.size());
}

}  // namespace

Command add_report_command(CLI::App& app) {
  auto args = std::make_shared<ReportArgs>();
  CLI::App* cmd = app.add_subcommand(
      "report", "What a model gets wrong: confusion matrix, accuracy per digit, worst mistakes");
  add_models_option(*cmd, args->models);
  cmd->add_option("--split", args->split, "test, validation or train")
      ->check(CLI::IsMember({"test", "validation", "train"}))
      ->capture_default_str();
  cmd->add_option("--out-dir", args->out_dir,
                  "Also write confusion.svg (heat map) and wrong.png (gallery) into this folder");
  add_number(*cmd, "--gallery", args->gallery, {"gallery", true, 1, 1000, true, true, ""},
             "Images in wrong.png");
  add_data_option(*cmd, args->data);
  return {cmd, [args] { run(*args); }};
}

}  // namespace digitnet::cli
