// The first layer's weights as pictures: one tile per neuron (a dense layer's weights from the
// 28 x 28 inputs; a convolution's k x k kernels on one channel), grey for 0, lighter for
// positive, darker for negative, each tile scaled by its own largest |w|. The book draws its
// hidden neurons this way; `digitnet show --weights` and the learning page use it.
#pragma once

#include <cstddef>
#include <string>

#include "digitnet/network/network.hpp"
#include "digitnet/pictures/image_file.hpp"

namespace digitnet {

// Why the first layer's weights cannot be drawn as images, or "": it needs weights whose
// inputs are the image (a dense layer on the input) or k x k kernels on one channel.
std::string weight_picture_problem(const Network& net);

// Up to `max_tiles` neurons (the first ones), `columns` tiles per row, each weight a
// `scale` x `scale` square, tiles 1 pixel apart on a dark frame. A grey picture.
// Requires weight_picture_problem(net) to be empty and max_tiles, columns, scale >= 1.
Picture weight_picture(const Network& net, std::size_t max_tiles, std::size_t columns,
                       std::size_t scale);

}  // namespace digitnet
