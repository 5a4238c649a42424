// Turning a picture of a handwritten digit into an MNIST image, the way MNIST's own images were
// made: ink as bright on black, cropped to the ink, scaled into a 20 x 20 box keeping the aspect
// ratio (anti-aliased), and placed in a 28 x 28 field with the centre of mass of the ink at the
// field's centre.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <vector>

#include "digitnet/pictures/image_file.hpp"

namespace digitnet {

inline constexpr std::size_t mnist_side = 28;
inline constexpr std::size_t mnist_box = 20;

struct PreparedDigit {
  std::array<std::uint8_t, mnist_side * mnist_side> pixels{};  // row-major, 0 paper, 255 ink
  bool inverted = false;  // the picture was dark ink on light paper
  // The ink's bounding box in the picture.
  std::size_t box_x = 0, box_y = 0, box_width = 0, box_height = 0;
  // Separate blobs of ink (8-connected, at the box's 30% threshold) at least half as large as
  // the largest: 1 for a digit, 2 or more when the picture looks like several digits ("42").
  std::size_t blobs = 1;
};

// The blobs of `mask` (width x height, nonzero = ink) at least `share` as large as the largest.
std::size_t count_blobs(const std::vector<std::uint8_t>& mask, std::size_t width,
                        std::size_t height, double share = 0.5);

// Requires a grey picture (channels == 1). Steps:
//  1. light paper (dark ink) when the border's upper quartile is above 127; the paper's level
//     is estimated everywhere, smoothly (in cells of a twelfth of the picture, their 80% level,
//     or 20% for dark paper, closed over 3 x 3 cells and interpolated), so that a lighting
//     gradient or a shadow stays paper; ink = paper − pixel (dark ink) or pixel − paper;
//     strong ink in rows or columns that it crosses for 80% of the picture (ruled lines, the
//     sheet's edge) is removed, then strong ink touching the border unless that is all;
//  2. ink below 20% of the strongest ink is noise (paper texture, JPEG ringing) and set to 0;
//     the rest is scaled so that the strongest ink is 255;
//  3. crop to the bounding box of the ink at least 30% as strong as the strongest (so that
//     faint specks far away do not count); scale its longer side to 20 pixels, the other in
//     proportion (box filter when shrinking, triangle when enlarging);
//  4. place it in 28 x 28, moved by whole pixels so that the centre of mass of the ink is within
//     half a pixel of the centre (14, 14) (pixel i spans [i, i+1)).
// Throws digitnet::Error when there is no ink (a blank or uniform picture).
PreparedDigit prepare_digit(const Picture& grey);

// The centre of mass (x, y) of an image's intensities, pixel i spanning [i, i+1).
std::array<double, 2> centre_of_mass(const std::uint8_t* pixels, std::size_t width,
                                     std::size_t height);

}  // namespace digitnet
