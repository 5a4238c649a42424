// 2 × 2 max-pooling (pooling.hpp) for one kernel path: included by pooling.cpp once per path
// (kernels/paths.hpp), inside that path's namespace, after kernels/vector.hpp. No include
// guard: see vector.hpp.
//
// A row of windows at a time (a channel's rows 2·oy and 2·oy + 1), L windows to a vector: each
// row's 2·L values are two vectors, taken apart into the windows' left and right values
// (evens, odds). The row's last vector is masked (load_first, store_first): a row of fast-99's
// first pooling layer is 12 windows.

using simd::broadcast;
using simd::evens;
using simd::lanes;
using simd::load_first;
using simd::odds;
using simd::store_first;
using simd::Vec;
using simd::zip_high;
using simd::zip_low;

// The first n ≤ 2·L values at p as the left (first) and right (second) values of n / 2 pairs.
template <typename Scalar>
struct Pairs {
  Vec<Scalar> left, right;
};
template <typename Scalar>
Pairs<Scalar> load_pairs(const Scalar* p, std::size_t n) {
  constexpr std::size_t L = lanes<Scalar>;
  const Vec<Scalar> lo = load_first(p, n), hi = n > L ? load_first(p + L, n - L) : lo;
  return {evens(lo, hi), odds(lo, hi)};
}
template <typename Scalar>
void store_pairs(Scalar* p, Vec<Scalar> left, Vec<Scalar> right, std::size_t n) {
  constexpr std::size_t L = lanes<Scalar>;
  store_first(p, zip_low(left, right), n);
  if (n > L) store_first(p + L, zip_high(left, right), n - L);
}

// 0, 2, 4, ...: the left column of each window of a vector, relative to the first.
template <typename Scalar>
Vec<Scalar> even_columns() {
  Vec<Scalar> v{};
  for (std::size_t l = 0; l < lanes<Scalar>; ++l) v[l] = static_cast<Scalar>(2 * l);
  return v;
}

template <typename Scalar>
void max_pool_2x2(const Scalar* x, std::size_t channels, std::size_t height, std::size_t width,
                  Scalar* a, Scalar* from) {
  constexpr std::size_t L = lanes<Scalar>;
  const std::size_t oh = height / 2, ow = width / 2;
  const Vec<Scalar> zero = broadcast(Scalar(0)), one = broadcast(Scalar(1));
  const Vec<Scalar> minus_one = broadcast(Scalar(-1));
  const Vec<Scalar> columns = even_columns<Scalar>(), below = broadcast(static_cast<Scalar>(width));
  for (std::size_t c = 0; c < channels; ++c)
    for (std::size_t oy = 0; oy < oh; ++oy) {
      const std::size_t top = (c * height + 2 * oy) * width;
      for (std::size_t w0 = 0; w0 < ow; w0 += L) {
        const std::size_t n = std::min(L, ow - w0);
        const Pairs<Scalar> t = load_pairs(x + top + 2 * w0, 2 * n);
        const Pairs<Scalar> b = load_pairs(x + top + width + 2 * w0, 2 * n);
        // Each row's larger value (the left one when equal), then the bottom row's only when
        // strictly larger than the top's: the first largest in row order.
        const auto top_right = t.right > t.left, bottom_right = b.right > b.left;
        const Vec<Scalar> top_best = top_right ? t.right : t.left;
        const Vec<Scalar> bottom_best = bottom_right ? b.right : b.left;
        const auto bottom = bottom_best > top_best;
        const Vec<Scalar> place = bottom ? below + (bottom_right ? one : zero)
                                         : (top_right ? one : zero);
        const Vec<Scalar> best = bottom ? bottom_best : top_best;
        const Vec<Scalar> index = broadcast(static_cast<Scalar>(top + 2 * w0)) + columns + place;
        const std::size_t o = (c * oh + oy) * ow + w0;
        store_first(a + o, best, n);
        store_first(from + o, best > zero ? index : minus_one - index, n);
      }
    }
}

template <typename Scalar>
void max_pool_2x2_backward(const Scalar* delta, const Scalar* from, const Scalar* below, bool relu,
                           std::size_t channels, std::size_t height, std::size_t width,
                           Scalar* dx) {
  constexpr std::size_t L = lanes<Scalar>;
  const std::size_t oh = height / 2, ow = width / 2;
  // The rows and columns no window covers (odd sizes) take no δ.
  if (height % 2 != 0 || width % 2 != 0)
    std::fill(dx, dx + channels * height * width, Scalar(0));
  const Vec<Scalar> zero = broadcast(Scalar(0)), one = broadcast(Scalar(1));
  const Vec<Scalar> minus_one = broadcast(Scalar(-1));
  const Vec<Scalar> columns = even_columns<Scalar>(), w = broadcast(static_cast<Scalar>(width));
  for (std::size_t c = 0; c < channels; ++c)
    for (std::size_t oy = 0; oy < oh; ++oy) {
      const std::size_t top = (c * height + 2 * oy) * width;
      for (std::size_t w0 = 0; w0 < ow; w0 += L) {
        const std::size_t n = std::min(L, ow - w0);
        const std::size_t o = (c * oh + oy) * ow + w0;
        // The maximum's place in its window: 0, 1 (top row), width, width + 1 (bottom row).
        const Vec<Scalar> recorded = load_first(from + o, n);
        const auto positive = recorded >= zero;
        const Vec<Scalar> place = (positive ? recorded : minus_one - recorded) -
                                  (broadcast(static_cast<Scalar>(top + 2 * w0)) + columns);
        const auto bottom = place >= w;
        const auto right = (bottom ? place - w : place) > zero;
        Vec<Scalar> value = zero + load_first(delta + o, n);
        if (relu) {
          value = value * (positive ? one : zero);  // the maximum is the input there
        } else if (below != nullptr) {
          const Pairs<Scalar> t = load_pairs(below + top + 2 * w0, 2 * n);
          const Pairs<Scalar> b = load_pairs(below + top + width + 2 * w0, 2 * n);
          const Vec<Scalar> at = bottom ? (right ? b.right : b.left) : (right ? t.right : t.left);
          value = value * at;
        }
        const Vec<Scalar> left_value = right ? zero : value, right_value = right ? value : zero;
        store_pairs(dx + top + 2 * w0, bottom ? zero : left_value, bottom ? zero : right_value,
                    2 * n);
        store_pairs(dx + top + width + 2 * w0, bottom ? left_value : zero,
                    bottom ? right_value : zero, 2 * n);
      }
    }
}
