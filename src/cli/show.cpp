// digitnet show: dataset images as a PNG grid with their labels, or one image in the terminal;
// with --weights, a model's first-layer weights, one tile per neuron (weight_picture.hpp).
#include <cstdio>
#include <iostream>
#include <algorithm>
#include <memory>
#include <optional>

#include "command.hpp"
#include "number_option.hpp"
#include "digitnet/pictures/drawing.hpp"
#include "digitnet/pictures/weight_picture.hpp"
#include "model_check.hpp"

namespace digitnet::cli {
namespace {

struct ShowArgs {
  std::string split = "test";
  DataArgs data;
  std::size_t first = 0;
  std::size_t count = 100;
  std::size_t columns = 10;
  std::size_t scale = 3;
  std::vector<int> digits;
  std::string out;
  std::optional<std::size_t> index;
  bool weights = false;
  std::string model;
};

// --weights: the first layer's weights of --model, --count neurons, --columns per row.
void run_weights(const ShowArgs& args) {
  if (args.model.empty()) throw UsageError("--weights draws a model's weights: give --model FILE");
  if (args.index) throw UsageError("--weights writes a picture: give --out FILE.png, not --index");
  const Network net = load_model_flag(args.model);
  if (const std::string problem = weight_picture_problem(net); !problem.empty())
    throw Error(args.model + ": " + problem);
  const Picture picture = weight_picture(net, args.count, args.columns, args.scale);
  save_png(picture, args.out);
  const std::size_t neurons = net.parameter_layout()[0].rows;
  std::printf("Wrote the first layer's weights of %zu of its %zu neurons (light positive, dark "
              "negative) to %s\n", std::min(args.count, neurons), neurons, args.out.c_str());
}

// One image as rows of Unicode shades, two characters per pixel so it keeps its shape.
void print_terminal(const Dataset& data, std::size_t index) {
  static const char* const shades[] = {"  ", "░░", "▒▒", "▓▓", "██"};
  const auto image = data.image(index);
  for (std::size_t y = 0; y < data.rows; ++y) {
    std::string line;
    for (std::size_t x = 0; x < data.cols; ++x)
      line += shades[(image[y * data.cols + x] * 5) / 256];
    std::cout << line << '\n';
  }
}

void run(const ShowArgs& args) {
  if (!args.model.empty() && !args.weights)
    throw UsageError("--model " + args.model + ": show reads a model only with --weights");
  if (args.index && !args.out.empty())
    throw UsageError("--index shows one image in the terminal; --out writes a grid: give one");
  if (!args.index && args.out.empty())
    throw UsageError("give --index I (one image in the terminal) or --out FILE.png (a grid)");
  if (!args.out.empty()) {
    check_output_name("--out", args.out, {".png"});
    const std::filesystem::path path(args.out);
    const auto folder = path.has_parent_path() ? path.parent_path() : ".";
    if (!std::filesystem::is_directory(folder))
      throw UsageError("--out " + args.out + ": folder " + folder.string() +
                       " does not exist; create it first");
  }
  if (args.weights) {
    run_weights(args);
    return;
  }
  const MnistSplit data = load_data(args.data, needs_split(args.split));
  const Dataset& part = pick_split(data, args.split);
  if (args.index) {
    if (*args.index >= part.size())
      throw UsageError("--index " + std::to_string(*args.index) + ": the " + args.split +
                       " split has " + std::to_string(part.size()) + " images");
    std::cout << args.split << " image " << *args.index << ", label "
              << int{part.labels[*args.index]} << ":\n";
    print_terminal(part, *args.index);
    return;
  }

  // Images first, first+1, ... of the split whose label is in --digits, up to --count.
  std::vector<std::size_t> chosen;
  for (std::size_t i = args.first; i < part.size() && chosen.size() < args.count; ++i)
    if (args.digits.empty() ||
        std::find(args.digits.begin(), args.digits.end(), part.labels[i]) != args.digits.end())
      chosen.push_back(i);
  if (chosen.empty()) throw UsageError("no images match --first and --digits");

  // Each cell: the image (dark ink on white) with "index: label" under it.
  const std::size_t s = args.scale, text_scale = std::max<std::size_t>(1, s / 2 + 1);
  const std::size_t image_w = part.cols * s, image_h = part.rows * s, pad = 2 * s;
  const std::size_t cell_w = std::max(image_w, text_width("00000:0", text_scale)) + pad;
  const std::size_t cell_h = image_h + 7 * text_scale + pad;
  const std::size_t columns = std::min(args.columns, chosen.size());
  const std::size_t rows = (chosen.size() + columns - 1) / columns;
  Picture canvas = rgb_canvas(columns * cell_w + pad, rows * cell_h + pad, {255, 255, 255});
  for (std::size_t k = 0; k < chosen.size(); ++k) {
    const std::size_t x = pad + (k % columns) * cell_w, y = pad + (k / columns) * cell_h;
    draw_grey(canvas, part.image(chosen[k]), part.cols, part.rows, x, y, s, true);
    draw_text(canvas, std::to_string(chosen[k]) + ":", x, y + image_h + text_scale, text_scale,
              {110, 110, 110});
    draw_text(canvas, std::to_string(int{part.labels[chosen[k]]}),
              x + text_width(std::to_string(chosen[k]) + ":", text_scale) + text_scale,
              y + image_h + text_scale, text_scale, {200, 30, 30});
  }
  save_png(canvas, args.out);
  std::printf("Wrote %zu %s images (%zu to %zu) with their labels to %s\n", chosen.size(),
              args.split.c_str(), chosen.front(), chosen.back(), args.out.c_str());
}

}  // namespace

Command add_show_command(CLI::App& app) {
  auto args = std::make_shared<ShowArgs>();
  CLI::App* cmd = app.add_subcommand(
      "show", "Look at dataset images: a PNG grid with labels (--out), or one in the terminal");
  cmd->add_option("--out", args->out, "Write a grid of images to this PNG file");
  add_number(*cmd, "--index", args->index, index_range,
             "Print this one image in the terminal instead");
  cmd->add_option("--split", args->split, "test, validation or train")
      ->check(CLI::IsMember({"test", "validation", "train"}))
      ->capture_default_str();
  add_number(*cmd, "--first", args->first, index_range, "First image of the grid");
  add_number(*cmd, "--count", args->count, {"count", true, 1, 10000, true, true, ""},
             "Images in the grid");
  add_number_list(*cmd, "--digits", args->digits, train_option_range("digits"),
                  "Only images of these digits, e.g. 3,5");
  add_number(*cmd, "--columns", args->columns, {"columns", true, 1, 100, true, true, ""},
             "Images per row");
  add_number(*cmd, "--scale", args->scale, {"scale", true, 1, 16, true, true, ""},
             "Screen pixels per image pixel");
  cmd->add_flag("--weights", args->weights,
                "Draw --model's first-layer weights instead, one tile per hidden neuron (--count "
                "of them, --columns per row)");
  cmd->add_option("--model", args->model, "The model file whose weights --weights draws");
  add_data_option(*cmd, args->data);
  return {cmd, [args] { run(*args); }};
}

}  // namespace digitnet::cli
