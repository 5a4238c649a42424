#include "digitnet/pictures/weight_picture.hpp"

#include <algorithm>
#include <cmath>

namespace digitnet {
namespace {

// The first layer with weights, and the side of its tiles (0 when they are not images).
struct Tiles {
  std::size_t layer = 0;
  std::size_t height = 0, width = 0;
};

Tiles tiles_of(const Network& net) {
  const Architecture& arch = net.architecture();
  for (std::size_t l = 0; l < net.layers(); ++l) {
    const ParameterBlock block = net.parameter_layout()[l];
    if (block.rows == 0) continue;
    Tiles t{l, 0, 0};
    if (l != 0) return t;
    const auto side =
        static_cast<std::size_t>(std::lround(std::sqrt(static_cast<double>(block.cols))));
    const bool square = side * side == block.cols;
    if (block.cols == arch.input.size() && arch.input.channels == 1 && arch.input.height > 1) {
      t.height = arch.input.height;  // a dense layer on the image
      t.width = arch.input.width;
    } else if (square && (arch.input.channels == 1 || block.cols == arch.input.size())) {
      t.height = t.width = side;  // k x k kernels on one channel, or a flat square image
    }
    return t;
  }
  return {};
}

}  // namespace

std::string weight_picture_problem(const Network& net) {
  if (tiles_of(net).height == 0)
    return "the first layer's weights are not images (it needs a dense or convolutional first "
           "layer on the one-channel image)";
  return "";
}

Picture weight_picture(const Network& net, std::size_t max_tiles, std::size_t columns,
                       std::size_t scale) {
  const Tiles t = tiles_of(net);
  const auto weights = net.parameters().weights(t.layer);
  const std::size_t count = std::min<std::size_t>(max_tiles, static_cast<std::size_t>(weights.rows()));
  columns = std::min(columns, count);
  const std::size_t rows = (count + columns - 1) / columns;
  const std::size_t tile_w = t.width * scale, tile_h = t.height * scale;
  Picture picture;
  picture.width = columns * (tile_w + 1) + 1;
  picture.height = rows * (tile_h + 1) + 1;
  picture.channels = 1;
  picture.samples.assign(picture.width * picture.height, 32);
  for (std::size_t n = 0; n < count; ++n) {
    const auto row = weights.row(static_cast<Eigen::Index>(n));
    const float largest = std::max(row.cwiseAbs().maxCoeff(), 1e-12f);
    const std::size_t x0 = 1 + (n % columns) * (tile_w + 1), y0 = 1 + (n / columns) * (tile_h + 1);
    for (std::size_t y = 0; y < tile_h; ++y)
      for (std::size_t x = 0; x < tile_w; ++x) {
        const float w = row(static_cast<Eigen::Index>((y / scale) * t.width + x / scale));
        picture.at(x0 + x, y0 + y) =
            static_cast<std::uint8_t>(std::lround(127.5f + 127.5f * std::clamp(w / largest, -1.0f, 1.0f)));
      }
  }
  return picture;
}

}  // namespace digitnet
