// The direct convolution of convolution.hpp, for one kernel path: included by convolution.cpp
// once per path (kernels/paths.hpp), inside that path's namespace, after kernels/vector.hpp.
// No include guard: see vector.hpp.
//
// Forward. Each example is copied into zero-padded planes Wp = width + 2·pad wide, and output
// (oy, ox) is computed at q = oy·Wp + ox of that "wide grid": tap p = (c, i, j) of its patch is
// the plane's value at q + offset(p), offset(p) = c·plane + i·Wp + j. Consecutive q are
// consecutive addresses, so a vector of outputs reads a vector of the image where it lies: no
// patches, no packing. The grid's columns ox ≥ OW (k − 1 of every Wp) are computed and thrown
// away. A tile is R maps × 2 vectors of q, the GEMM's register block with B read in place, its
// sums the GEMM's: over p in order, in depth_slice's slices, each slice's sum added to the sum
// of those before it.
//
// Input gradient. δ is copied into planes with k − 1 zeros above, below and before each row,
// G = OW + k − 1 wide (the padded input's width), and input (y, x) is computed at u = y·G + x:
// tap (i, j) of map f adds W(f, c, i, j)·δ(f, y + pad − i, x + pad − j), which lies at u +
// offset(i, j) of δ's padded plane f (zero outside δ, which adds exactly nothing: a read past
// a row's end lands in the next row's leading zeros, as the forward's wide grid reads across).
// As col2im added up the GEMM's Wᵀ·δ: for each tap in order the products of the maps in order
// (in depth_slice's slices of the maps), that sum then added to the position's running sum. A
// tile is R channels × 2 vectors of u, or 1 (1 channel × 8 or 4 vectors when there is one).
//
// Weight gradient. ∇W(f, p) sums δ(f, k)·x(k + offset(p)) over k, every output position of
// every example in order (K = examples·P), as the GEMM did over its rows of patches, in its
// slices of K. Vectors run across maps (δ transposed a slice at a time, position-major), and
// the image values are broadcast from where they lie (the images in place when unpadded): no
// patches. A tile is R elements of the patch × V vectors of maps; ∇W is kept transposed
// (patch × maps) until the last slice. Split by positions (threads, conv_weight_gradient_
// partials): each slice's sums are kept apart (alpha 1: exact) and added up afterwards in order
// with the same multiply-adds that would have finished each slice.

using simd::broadcast;
using simd::lanes;
using simd::load;
using simd::multiply_add;
using simd::store;
using simd::Vec;

// Rows of a tile: forward keeps 2·R accumulators, the input gradient 4·R (the tap's sums and
// the running sums), beside two vectors of the image and a broadcast weight: within the 32
// registers of the 512-bit path and the 16 of the 256-bit one.
constexpr std::size_t forward_rows = simd::vector_bytes == 64 ? 8 : 6;
constexpr std::size_t gradient_rows = simd::vector_bytes == 64 ? 6 : 3;
// A single input channel (a convolution after a one-map layer) has tiles of 1 row, which
// would load two vectors of δ and a weight for two FMAs: it takes more vectors of u instead.
constexpr std::size_t one_channel_vectors = simd::vector_bytes == 64 ? 8 : 4;
// The weight gradient's tiles: R·V accumulators (V = 1 or 2), one or two vectors of δ, R image
// offsets kept in general registers.
constexpr std::size_t weight_rows = simd::vector_bytes == 64 ? 8 : 6;

inline std::size_t round_up_to(std::size_t a, std::size_t b) { return (a + b - 1) / b * b; }

// The distance between the planes of padded copies: an odd number of cache lines, so that a
// tap's vectors in successive planes fall in different sets of L1 (32 x 32 planes exactly 4 KiB
// apart put all of them in one set: fast-99's first layer, after a one-map layer, ran its input
// gradient at two thirds of the speed).
inline std::size_t apart(std::size_t plane) {
  const std::size_t lines = (plane + 15) / 16;  // of 16 values (64 bytes of floats)
  return (lines % 2 == 1 ? lines : lines + 1) * 16;
}

// n rows cut into the fewest blocks of at most R, their sizes differing by one at most (25
// elements of a patch in blocks of 8: 7, 6, 6, 6 rather than 8, 8, 8, 1, whose last block
// took a sixth of the first layer's weight gradient).
struct Blocks {
  std::size_t count, base, extra;
  Blocks(std::size_t n, std::size_t r)
      : count((n + r - 1) / r), base(count ? n / count : 0), extra(count ? n % count : 0) {}
  std::size_t first(std::size_t b) const { return b * base + std::min(b, extra); }
  std::size_t rows(std::size_t b) const { return base + (b < extra ? 1 : 0); }
};

// f.template operator()<rows>() with rows, 1..R, as a compile-time number.
template <std::size_t R, typename F>
void with_rows(std::size_t rows, F&& f) {
  if constexpr (R > 1)
    if (rows < R) return with_rows<R - 1>(rows, f);
  f.template operator()<R>();
}

// out(r, 0..2L) = Σ_p w[p·R + r]·image[offsets[p] .. + 2L) for r < R, over p < depth in slices
// of kc, each slice's sum added to the sums before it (as the GEMM's finish_tile with alpha 1).
template <typename Scalar, std::size_t R>
void forward_tile(const Scalar* image, const std::uint32_t* offsets, const Scalar* w,
                  std::size_t depth, std::size_t kc, Scalar* out, std::size_t ld) {
  constexpr std::size_t L = lanes<Scalar>;
  for (std::size_t p0 = 0; p0 < depth; p0 += kc) {
    const std::size_t p1 = std::min(depth, p0 + kc);
    Vec<Scalar> acc[R][2];
    for (std::size_t r = 0; r < R; ++r) acc[r][0] = acc[r][1] = broadcast(Scalar(0));
#pragma GCC unroll 4
    for (std::size_t p = p0; p < p1; ++p) {
      const Scalar* b = image + offsets[p];
      const Vec<Scalar> b0 = load(b), b1 = load(b + L);
      for (std::size_t r = 0; r < R; ++r) {
        const Vec<Scalar> a = broadcast(w[p * R + r]);
        acc[r][0] = multiply_add(a, b0, acc[r][0]);
        acc[r][1] = multiply_add(a, b1, acc[r][1]);
      }
    }
    for (std::size_t r = 0; r < R; ++r) {
      Scalar* row = out + r * ld;
      if (p0 == 0) {
        store(row, acc[r][0]);
        store(row + L, acc[r][1]);
      } else {
        store(row, acc[r][0] + load(row));
        store(row + L, acc[r][1] + load(row + L));
      }
    }
  }
}

// out(r, 0..V·L) = Σ_t (Σ_f w[(t·maps + f)·R + r]·delta[f·plane + offsets[t] .. + V·L)) for
// r < R: the sums over f in slices of kc (each added to those before it), the taps' sums in
// order.
template <typename Scalar, std::size_t R, std::size_t V>
void gradient_tile(const Scalar* delta, std::size_t plane, std::size_t maps,
                   const std::uint32_t* offsets, std::size_t taps, const Scalar* w,
                   std::size_t kc, Scalar* out, std::size_t ld) {
  constexpr std::size_t L = lanes<Scalar>;
  Vec<Scalar> sum[R][V];
  for (std::size_t r = 0; r < R; ++r)
    for (std::size_t v = 0; v < V; ++v) sum[r][v] = broadcast(Scalar(0));
  for (std::size_t t = 0; t < taps; ++t) {
    const Scalar* d = delta + offsets[t];
    const Scalar* wt = w + t * maps * R;
    Vec<Scalar> tap[R][V];  // (zeroed for the compiler: the first slice, f0 = 0, sets it)
    for (std::size_t r = 0; r < R; ++r)
      for (std::size_t v = 0; v < V; ++v) tap[r][v] = broadcast(Scalar(0));
    for (std::size_t f0 = 0; f0 < maps; f0 += kc) {
      const std::size_t f1 = std::min(maps, f0 + kc);
      Vec<Scalar> acc[R][V];
      for (std::size_t r = 0; r < R; ++r)
        for (std::size_t v = 0; v < V; ++v) acc[r][v] = broadcast(Scalar(0));
#pragma GCC unroll 4
      for (std::size_t f = f0; f < f1; ++f) {
        Vec<Scalar> b[V];
        for (std::size_t v = 0; v < V; ++v) b[v] = load(d + f * plane + v * L);
        for (std::size_t r = 0; r < R; ++r) {
          const Vec<Scalar> a = broadcast(wt[f * R + r]);
          for (std::size_t v = 0; v < V; ++v) acc[r][v] = multiply_add(a, b[v], acc[r][v]);
        }
      }
      for (std::size_t r = 0; r < R; ++r)
        for (std::size_t v = 0; v < V; ++v) tap[r][v] = f0 == 0 ? acc[r][v] : acc[r][v] + tap[r][v];
    }
    for (std::size_t r = 0; r < R; ++r)
      for (std::size_t v = 0; v < V; ++v) sum[r][v] = sum[r][v] + tap[r][v];
  }
  for (std::size_t r = 0; r < R; ++r)
    for (std::size_t v = 0; v < V; ++v) store(out + r * ld + v * L, sum[r][v]);
}

// ct(r, v·L..) = alpha·Σ_k image[bases[k] + offsets[r]]·dt[k·ld + v·L ..] (+ ct(r, ..) when
// `add`) for r < R, v < V, over k < count: finish_tile's arithmetic for a slice of K. Never
// inlined: inlined in conv_weight_gradient, GCC kept the one-vector tiles' accumulators on the
// stack, a load and a store per FMA (fast-99's 16-map layers; its epoch 5% faster apart).
template <typename Scalar, std::size_t R, std::size_t V>
__attribute__((noinline)) void weight_tile(const Scalar* image, const std::size_t* bases,
                                           const std::uint32_t* offsets, const Scalar* dt,
                                           std::size_t ld, std::size_t count, Scalar alpha,
                                           bool add, Scalar* ct, std::size_t ldc) {
  constexpr std::size_t L = lanes<Scalar>;
  // Each row's image pointer, indexed by the position's base: one address mode per FMA.
  const Scalar* row[R];
  for (std::size_t r = 0; r < R; ++r) row[r] = image + offsets[r];
  Vec<Scalar> acc[R][V];
  for (std::size_t r = 0; r < R; ++r)
    for (std::size_t v = 0; v < V; ++v) acc[r][v] = broadcast(Scalar(0));
#pragma GCC unroll 2
  for (std::size_t k = 0; k < count; ++k) {
    const std::size_t base = bases[k];
    Vec<Scalar> d[V];
    for (std::size_t v = 0; v < V; ++v) d[v] = load(dt + k * ld + v * L);
    for (std::size_t r = 0; r < R; ++r) {
      const Vec<Scalar> a = broadcast(row[r][base]);
      for (std::size_t v = 0; v < V; ++v) acc[r][v] = multiply_add(a, d[v], acc[r][v]);
    }
  }
  const Vec<Scalar> va = broadcast(alpha);
  for (std::size_t r = 0; r < R; ++r)
    for (std::size_t v = 0; v < V; ++v) {
      Scalar* c = ct + r * ldc + v * L;
      store(c, add ? multiply_add(va, acc[r][v], load(c)) : va * acc[r][v]);
    }
}

// One row of outputs from the sums: a = z = sum + bias, or with relu a = max(z, 0) and f'(z) =
// 1 where z > 0, else 0 (where `derivative` is not null): activate()'s values.
template <typename Scalar>
void finish_row(const Scalar* sums, Scalar bias, std::size_t n, bool relu, Scalar* a,
                Scalar* derivative) {
  if (!relu) {
    for (std::size_t i = 0; i < n; ++i) a[i] = sums[i] + bias;
  } else if (derivative == nullptr) {
    for (std::size_t i = 0; i < n; ++i) a[i] = std::max(sums[i] + bias, Scalar(0));
  } else {
    for (std::size_t i = 0; i < n; ++i) {
      const Scalar z = sums[i] + bias;
      derivative[i] = z > Scalar(0) ? Scalar(1) : Scalar(0);
      a[i] = std::max(z, Scalar(0));
    }
  }
}

// out[t·ldo + f] = in[f·ldi + t] for f < rows, t < columns: 8 x 8 blocks in registers (floats),
// the edges one by one.
template <typename Scalar>
void transpose(const Scalar* in, std::size_t ldi, std::size_t rows, std::size_t columns,
               Scalar* out, std::size_t ldo) {
  std::size_t f0 = 0;
  if constexpr (sizeof(Scalar) == 4)
    for (; f0 + 8 <= rows; f0 += 8) {
      std::size_t t0 = 0;
      for (; t0 + 8 <= columns; t0 += 8)
        simd::transpose_8x8(in + f0 * ldi + t0, static_cast<std::ptrdiff_t>(ldi),
                            out + t0 * ldo + f0, ldo);
      for (std::size_t f = f0; f < f0 + 8; ++f)
        for (std::size_t t = t0; t < columns; ++t) out[t * ldo + f] = in[f * ldi + t];
    }
  for (std::size_t f = f0; f < rows; ++f)
    for (std::size_t t = 0; t < columns; ++t) out[t * ldo + f] = in[f * ldi + t];
}

// One example (channels × height × width at image) into zero-padded planes `plane` apart, rows
// wp wide: pixel (c, y, x) at c·plane + (y + pad)·wp + x + pad. The padding is left as it is.
template <typename Scalar>
void copy_into_planes(const ConvGeometry& g, const Scalar* image, Scalar* planes,
                      std::size_t plane, std::size_t wp) {
  for (std::size_t c = 0; c < g.channels; ++c)
    for (std::size_t y = 0; y < g.height; ++y)
      std::memcpy(planes + c * plane + (y + g.pad) * wp + g.pad,
                  image + (c * g.height + y) * g.width, g.width * sizeof(Scalar));
}

// Tap p = (c·k + i)·k + j of a patch at c·plane + i·wp + j of the output position's corner.
inline void set_tap_offsets(const ConvGeometry& g, std::size_t plane, std::size_t wp,
                            std::vector<std::uint32_t>& offsets) {
  offsets.resize(g.patch());
  for (std::size_t c = 0; c < g.channels; ++c)
    for (std::size_t i = 0; i < g.k; ++i)
      for (std::size_t j = 0; j < g.k; ++j)
        offsets[(c * g.k + i) * g.k + j] = static_cast<std::uint32_t>(c * plane + i * wp + j);
}

// The calling thread's buffers, grown once to the largest they have needed.
template <typename Scalar>
struct ConvBuffers {
  std::vector<Scalar> planes;  // padded images, or padded δ
  std::vector<Scalar> packed;  // W or Wᵀ in the tiles' order, or a slice of δᵀ
  std::vector<Scalar> sums;    // a block's sums, or ∇Wᵀ
  std::vector<Scalar> lanes;   // Σ δ's 16 running sums per map
  std::vector<std::uint32_t> offsets;  // each tap's offset in the planes
  std::vector<std::size_t> bases;      // each position's offset in the images
  std::vector<std::size_t> corners;    // each output position's corner in an example's planes
};
template <typename Scalar>
ConvBuffers<Scalar>& conv_buffers() {
  thread_local ConvBuffers<Scalar> buffers;
  return buffers;
}

template <typename Scalar>
void conv_forward(const ConvGeometry& g, const Scalar* w, const Scalar* b, const Scalar* x,
                  std::size_t x_stride, ConvOutput<Scalar> out, std::size_t examples) {
  constexpr std::size_t N = 2 * lanes<Scalar>, R = forward_rows;
  const std::size_t k = g.k, depth = g.patch(), maps = g.maps;
  const std::size_t hp = g.height + 2 * g.pad, wp = g.width + 2 * g.pad;
  const std::size_t plane = apart(hp * wp);
  const std::size_t oh = g.output_height(), ow = g.output_width();
  // The wide grid's positions up to the last output, in whole tiles.
  const std::size_t span = round_up_to((oh - 1) * wp + ow, N);
  ConvBuffers<Scalar>& buffers = conv_buffers<Scalar>();
  // The planes and, beyond them, what the last tile's thrown-away columns read: zeros.
  const std::size_t reach = (g.channels - 1) * plane + (k - 1) * wp + (k - 1) + span;
  buffers.planes.assign(std::max(reach, g.channels * plane), Scalar(0));
  set_tap_offsets(g, plane, wp, buffers.offsets);
  // W in blocks of at most R maps (`rows` each, Blocks), block f0 at f0·depth: for
  // every p, its rows' weights side by side.
  const Blocks blocks(maps, R);
  buffers.packed.resize(maps * depth);
  for (std::size_t b = 0; b < blocks.count; ++b) {
    const std::size_t f0 = blocks.first(b), rows = blocks.rows(b);
    for (std::size_t p = 0; p < depth; ++p)
      for (std::size_t r = 0; r < rows; ++r)
        buffers.packed[f0 * depth + p * rows + r] = w[(f0 + r) * depth + p];
  }
  buffers.sums.resize(R * span);  // one block of maps at a time
  const std::size_t kc = depth_slice(depth);
  Scalar* planes = buffers.planes.data();
  Scalar* sums = buffers.sums.data();
  for (std::size_t e = 0; e < examples; ++e) {
    copy_into_planes(g, x + e * x_stride, planes, plane, wp);
    Scalar* a = out.a + e * out.a_stride;
    Scalar* derivative =
        out.derivative != nullptr ? out.derivative + e * out.derivative_stride : nullptr;
    for (std::size_t block = 0; block < blocks.count; ++block) {
      const std::size_t f0 = blocks.first(block), rows = blocks.rows(block);
      with_rows<R>(rows, [&]<std::size_t Rows>() {
        for (std::size_t q0 = 0; q0 < span; q0 += N)
          forward_tile<Scalar, Rows>(planes + q0, buffers.offsets.data(),
                                     buffers.packed.data() + f0 * depth, depth, kc,
                                     sums + q0, span);
      });
      // The block's valid columns, with the bias and the activation, while they are in L1.
      for (std::size_t f = f0; f < f0 + rows; ++f)
        for (std::size_t oy = 0; oy < oh; ++oy)
          finish_row(sums + (f - f0) * span + oy * wp, b[f], ow, out.relu,
                     a + (f * oh + oy) * ow,
                     derivative != nullptr ? derivative + (f * oh + oy) * ow : nullptr);
    }
  }
}

template <typename Scalar>
void conv_input_gradient(const ConvGeometry& g, const Scalar* w, const Scalar* delta,
                         std::size_t delta_stride, Scalar* dx, std::size_t dx_stride,
                         std::size_t examples) {
  constexpr std::size_t R = gradient_rows;
  const std::size_t k = g.k, depth = g.patch(), maps = g.maps, taps = k * k;
  const std::size_t N = (g.channels == 1 ? one_channel_vectors : 2) * lanes<Scalar>;
  const std::size_t oh = g.output_height(), ow = g.output_width();
  // (G = OW + 2(k − 1), a row's own zeros on both sides, and tiles of two vectors computed 192
  // positions of fast-99's 12 × 12 inputs where 144 do: its second layer's input gradient a
  // third longer.)
  const std::size_t gw = ow + k - 1, plane = apart((oh + 2 * (k - 1)) * gw);
  // Input (y, x) at u = y·gw + x (the padded input's (y + pad, x + pad) at u + first), in whole
  // tiles, whose last may be one vector when there are several channels.
  const std::size_t first = g.pad * gw + g.pad;
  const std::size_t span =
      round_up_to((g.height - 1) * gw + g.width, g.channels == 1 ? N : lanes<Scalar>);
  ConvBuffers<Scalar>& buffers = conv_buffers<Scalar>();
  const std::size_t reach = (maps - 1) * plane + (k - 1) * gw + (k - 1) + first + span;
  buffers.planes.assign(std::max(reach, maps * plane), Scalar(0));
  buffers.offsets.resize(taps);
  for (std::size_t i = 0; i < k; ++i)
    for (std::size_t j = 0; j < k; ++j)
      buffers.offsets[i * k + j] =
          static_cast<std::uint32_t>(first + (k - 1 - i) * gw + (k - 1 - j));
  // Wᵀ in blocks of at most R channels (`rows` each), block c0 at c0·taps·maps: for
  // every tap, for every map, its rows' weights side by side.
  const Blocks blocks(g.channels, R);
  buffers.packed.resize(depth * maps);
  for (std::size_t b = 0; b < blocks.count; ++b) {
    const std::size_t c0 = blocks.first(b), rows = blocks.rows(b);
    for (std::size_t t = 0; t < taps; ++t)
      for (std::size_t f = 0; f < maps; ++f)
        for (std::size_t r = 0; r < rows; ++r)
          buffers.packed[c0 * taps * maps + (t * maps + f) * rows + r] =
              w[f * depth + (c0 + r) * taps + t];
  }
  buffers.sums.resize(g.channels * span);
  const std::size_t kc = depth_slice(maps);
  Scalar* planes = buffers.planes.data();
  Scalar* sums = buffers.sums.data();
  for (std::size_t e = 0; e < examples; ++e) {
    const Scalar* d = delta + e * delta_stride;
    for (std::size_t f = 0; f < maps; ++f)
      for (std::size_t oy = 0; oy < oh; ++oy)
        std::memcpy(planes + f * plane + (oy + k - 1) * gw + (k - 1), d + (f * oh + oy) * ow,
                    ow * sizeof(Scalar));
    if (g.channels == 1)
      for (std::size_t u0 = 0; u0 < span; u0 += N)
        gradient_tile<Scalar, 1, one_channel_vectors>(planes + u0, plane, maps,
                                                      buffers.offsets.data(), taps,
                                                      buffers.packed.data(), kc, sums + u0, span);
    else
      for (std::size_t b = 0; b < blocks.count; ++b)
        with_rows<R>(blocks.rows(b), [&, c0 = blocks.first(b)]<std::size_t Rows>() {
          const Scalar* wt = buffers.packed.data() + c0 * taps * maps;
          std::size_t u0 = 0;
          for (; u0 + N <= span; u0 += N)
            gradient_tile<Scalar, Rows, 2>(planes + u0, plane, maps, buffers.offsets.data(),
                                           taps, wt, kc, sums + c0 * span + u0, span);
          if (u0 < span)
            gradient_tile<Scalar, Rows, 1>(planes + u0, plane, maps, buffers.offsets.data(),
                                           taps, wt, kc, sums + c0 * span + u0, span);
        });
    Scalar* out = dx + e * dx_stride;
    for (std::size_t c = 0; c < g.channels; ++c)
      for (std::size_t y = 0; y < g.height; ++y)
        std::memcpy(out + (c * g.height + y) * g.width, sums + c * span + y * gw,
                    g.width * sizeof(Scalar));
  }
}

template <typename Scalar>
std::size_t vector_lanes() {
  return lanes<Scalar>;
}

// Σ δ as conv's fixed order had it: position k of the batch into running sum k mod 16 (sums:
// 16 rows of ld), for the slice's count positions (dt: count rows of ld), k0 mod 16 = `first`.
// The 16 sums of a vector of maps stay in registers over the slice, each position's row
// added to the sum (first + i) mod 16 with i = t mod 16 known when compiled: a position's
// load, add and store of a sum in memory took as long as its transposition.
constexpr std::size_t bias_sum_lanes = 16;
template <typename Scalar>
void sum_into_lanes(const Scalar* dt, std::size_t ld, std::size_t count, std::size_t first,
                    Scalar* sums) {
  constexpr std::size_t L = lanes<Scalar>, S = bias_sum_lanes;
  for (std::size_t m0 = 0; m0 < ld; m0 += L) {
    Vec<Scalar> sum[S];
    for (std::size_t i = 0; i < S; ++i) sum[i] = load(sums + (first + i) % S * ld + m0);
    std::size_t t = 0;
    for (; t + S <= count; t += S)
      for (std::size_t i = 0; i < S; ++i) sum[i] = sum[i] + load(dt + (t + i) * ld + m0);
    for (std::size_t i = 0; i < S; ++i)
      if (t + i < count) sum[i] = sum[i] + load(dt + (t + i) * ld + m0);
    for (std::size_t i = 0; i < S; ++i) store(sums + (first + i) % S * ld + m0, sum[i]);
  }
}

// Σ δ of one map from its 16 running sums (`sums`, ld apart), added in order.
template <typename Scalar>
Scalar add_running_sums(const Scalar* sums, std::size_t ld) {
  Scalar sum = 0;
  for (std::size_t l = 0; l < bias_sum_lanes; ++l) sum += sums[l * ld];
  return sum;
}

// The images the weight gradient's tiles read, for the examples [first, first + count): where
// they lie when unpadded, else padded copies of them (the thread's buffer); example e's planes
// at data + (e − first)·stride, rows wp wide, `plane` apart.
template <typename Scalar>
struct WeightSource {
  const Scalar* data;
  std::size_t first, stride, wp, plane;
};
template <typename Scalar>
WeightSource<Scalar> weight_source(const ConvGeometry& g, const Scalar* x, std::size_t x_stride,
                                   std::size_t first, std::size_t count,
                                   ConvBuffers<Scalar>& buffers) {
  if (g.pad == 0) return {x + first * x_stride, first, x_stride, g.width, g.height * g.width};
  const std::size_t wp = g.width + 2 * g.pad, plane = apart((g.height + 2 * g.pad) * wp);
  const std::size_t stride = g.channels * plane;
  buffers.planes.assign(count * stride, Scalar(0));
  for (std::size_t e = 0; e < count; ++e)
    copy_into_planes(g, x + (first + e) * x_stride, buffers.planes.data() + e * stride, plane, wp);
  return {buffers.planes.data(), first, stride, wp, plane};
}

// The tap offsets, each output position's corner in its example's planes, and room for a slice
// of δᵀ (kc rows of ld, zeros beyond the band: the transposition writes the band only) and its
// positions' bases.
template <typename Scalar>
void prepare_slices(const ConvGeometry& g, const WeightSource<Scalar>& source, std::size_t kc,
                    std::size_t ld, ConvBuffers<Scalar>& buffers) {
  set_tap_offsets(g, source.plane, source.wp, buffers.offsets);
  const std::size_t oh = g.output_height(), ow = g.output_width();
  buffers.corners.resize(oh * ow);
  for (std::size_t oy = 0; oy < oh; ++oy)
    for (std::size_t ox = 0; ox < ow; ++ox) buffers.corners[oy * ow + ox] = oy * source.wp + ox;
  buffers.packed.assign(kc * ld, Scalar(0));
  buffers.bases.resize(kc);
}

// δᵀ of the positions [k0, k0 + count) of the batch (a run within one example at a time) into
// buffers.packed, and each position's image offset into buffers.bases.
template <typename Scalar>
void load_slice(const ConvGeometry& g, const Scalar* delta, std::size_t delta_stride,
                std::size_t first_map, std::size_t band, const WeightSource<Scalar>& source,
                std::size_t k0, std::size_t count, std::size_t ld, ConvBuffers<Scalar>& buffers) {
  const std::size_t positions = g.output_height() * g.output_width();
  std::size_t e = k0 / positions, pos = k0 % positions;
  for (std::size_t t = 0; t < count;) {
    const std::size_t run = std::min(count - t, positions - pos);
    transpose(delta + e * delta_stride + first_map * positions + pos, positions, band, run,
              buffers.packed.data() + t * ld, ld);
    const std::size_t example = (e - source.first) * source.stride;
    for (std::size_t i = 0; i < run; ++i)
      buffers.bases[t + i] = example + buffers.corners[pos + i];
    t += run;
    pos += run;
    if (pos == positions) pos = 0, ++e;
  }
}

// The tiles of one slice (count positions, loaded by load_slice) for every element of the
// patch: ct (depth × ld, ∇Wᵀ) = alpha·sums (+ ct when `add`).
template <typename Scalar>
void slice_tiles(const Blocks& blocks, const Scalar* image, std::size_t count, std::size_t ld,
                 Scalar alpha, bool add, Scalar* ct, const ConvBuffers<Scalar>& buffers) {
  constexpr std::size_t L = lanes<Scalar>, R = weight_rows;
  const Scalar* dt = buffers.packed.data();
  for (std::size_t b = 0; b < blocks.count; ++b)
    with_rows<R>(blocks.rows(b), [&, p0 = blocks.first(b)]<std::size_t Rows>() {
      std::size_t m0 = 0;
      for (; m0 + 2 * L <= ld; m0 += 2 * L)
        weight_tile<Scalar, Rows, 2>(image, buffers.bases.data(), buffers.offsets.data() + p0,
                                     dt + m0, ld, count, alpha, add, ct + p0 * ld + m0, ld);
      if (m0 < ld)
        weight_tile<Scalar, Rows, 1>(image, buffers.bases.data(), buffers.offsets.data() + p0,
                                     dt + m0, ld, count, alpha, add, ct + p0 * ld + m0, ld);
    });
}

// The slices of K (depth_slice) of a batch, conv_weight_gradient's order of summation: K =
// examples·P positions in slices of kc; the positions [begin, end) of `slices` slices from
// `first`.
struct KSlices {
  std::size_t total, kc;
  KSlices(const ConvGeometry& g, std::size_t examples)
      : total(examples * g.output_height() * g.output_width()), kc(depth_slice(total)) {}
  std::size_t count() const { return kc == 0 ? 0 : (total + kc - 1) / kc; }
  std::size_t begin(std::size_t first) const { return first * kc; }
  std::size_t end(std::size_t first, std::size_t slices) const {
    return std::min(total, (first + slices) * kc);
  }
};

template <typename Scalar>
void conv_weight_gradient(const ConvGeometry& g, const Scalar* x, std::size_t x_stride,
                          const Scalar* delta, std::size_t delta_stride, std::size_t examples,
                          std::size_t first_map, std::size_t band, Scalar alpha, bool accumulate,
                          Scalar* w_gradient, Scalar* delta_sums) {
  constexpr std::size_t L = lanes<Scalar>, R = weight_rows, sum_lanes = bias_sum_lanes;
  const std::size_t depth = g.patch();
  const KSlices k_slices(g, examples);
  const std::size_t total = k_slices.total, kc = k_slices.kc;
  const std::size_t ld = round_up_to(band, L);  // δᵀ's rows: the band's maps, zeros after
  ConvBuffers<Scalar>& buffers = conv_buffers<Scalar>();
  const WeightSource<Scalar> source = weight_source(g, x, x_stride, 0, examples, buffers);
  prepare_slices(g, source, kc, ld, buffers);
  // ∇Wᵀ (depth × ld), from the target when accumulating; the bias's 16 running sums per map.
  buffers.sums.assign(depth * ld, Scalar(0));
  Scalar* ct = buffers.sums.data();
  if (accumulate)
    for (std::size_t f = 0; f < band; ++f)
      for (std::size_t p = 0; p < depth; ++p) ct[p * ld + f] = w_gradient[f * depth + p];
  buffers.lanes.assign(sum_lanes * ld, Scalar(0));
  const Blocks blocks(depth, R);
  for (std::size_t k0 = 0; k0 < total; k0 += kc) {
    const std::size_t count = std::min(kc, total - k0);
    load_slice(g, delta, delta_stride, first_map, band, source, k0, count, ld, buffers);
    sum_into_lanes(buffers.packed.data(), ld, count, k0 % sum_lanes, buffers.lanes.data());
    slice_tiles(blocks, source.data, count, ld, alpha, accumulate || k0 > 0, ct, buffers);
  }
  for (std::size_t f = 0; f < band; ++f) {
    for (std::size_t p = 0; p < depth; ++p) w_gradient[f * depth + p] = ct[p * ld + f];
    delta_sums[f] = add_running_sums(buffers.lanes.data() + f, ld);
  }
}

// The split by positions (convolution.hpp). The shared buffer: the 16 running sums of Σ δ (16
// rows of the maps: at the start, where every path has them), then each slice's sums (depth × L,
// row p the element's maps).
template <typename Scalar>
std::size_t slice_sums_size(const ConvGeometry& g) {
  return g.patch() * lanes<Scalar>;
}
template <typename Scalar>
std::size_t slice_sums_at(const ConvGeometry& g, std::size_t slice) {
  return bias_sum_lanes * g.maps + slice * slice_sums_size<Scalar>(g);
}

template <typename Scalar>
void conv_weight_gradient_partials(const ConvGeometry& g, const Scalar* x, std::size_t x_stride,
                                   const Scalar* delta, std::size_t delta_stride,
                                   std::size_t examples, std::size_t first_slice,
                                   std::size_t slices, bool start_running_sums, Scalar* shared) {
  constexpr std::size_t L = lanes<Scalar>, R = weight_rows, S = bias_sum_lanes;
  const std::size_t positions = g.output_height() * g.output_width();
  const KSlices k_slices(g, examples);
  const std::size_t total = k_slices.total, kc = k_slices.kc;
  const std::size_t k_begin = k_slices.begin(first_slice);
  const std::size_t k_end = k_slices.end(first_slice, slices);
  Scalar* running = shared;  // the running sums lead the buffer (slice_sums_at)
  if (start_running_sums) std::fill(running, running + S * g.maps, Scalar(0));
  if (k_begin >= k_end) return;
  ConvBuffers<Scalar>& buffers = conv_buffers<Scalar>();
  const std::size_t e_first = k_begin / positions, e_end = (k_end - 1) / positions + 1;
  const WeightSource<Scalar> source =
      weight_source(g, x, x_stride, e_first, e_end - e_first, buffers);
  prepare_slices(g, source, kc, L, buffers);
  if (start_running_sums) buffers.lanes.assign(S * L, Scalar(0));
  const Blocks blocks(g.patch(), R);
  for (std::size_t k0 = k_begin; k0 < k_end; k0 += kc) {
    const std::size_t count = std::min(kc, total - k0);
    load_slice(g, delta, delta_stride, 0, g.maps, source, k0, count, L, buffers);
    // The running sums from the slice of δᵀ while it is in L1, as conv_weight_gradient's.
    if (start_running_sums)
      sum_into_lanes(buffers.packed.data(), L, count, k0 % S, buffers.lanes.data());
    // Its sums alone (alpha 1: stored exactly), added up in order by the combine.
    slice_tiles(blocks, source.data, count, L, Scalar(1), false,
                shared + slice_sums_at<Scalar>(g, k0 / kc), buffers);
  }
  if (start_running_sums)
    for (std::size_t l = 0; l < S; ++l)
      for (std::size_t f = 0; f < g.maps; ++f) running[l * g.maps + f] = buffers.lanes[l * L + f];
}

template <typename Scalar>
void conv_weight_gradient_combine(const ConvGeometry& g, std::size_t examples,
                                  const Scalar* shared, std::size_t first_element,
                                  std::size_t elements, Scalar alpha, bool accumulate,
                                  Scalar* w_gradient) {
  constexpr std::size_t L = lanes<Scalar>;
  const std::size_t depth = g.patch(), slices = KSlices(g, examples).count();
  const Vec<Scalar> va = broadcast(alpha);
  for (std::size_t p = first_element; p < first_element + elements; ++p) {
    Scalar row[L] = {};
    if (accumulate)
      for (std::size_t f = 0; f < g.maps; ++f) row[f] = w_gradient[f * depth + p];
    // As weight_tile finishes each slice of the call that does them all.
    Vec<Scalar> c = load(row);
    for (std::size_t s = 0; s < slices; ++s) {
      const Vec<Scalar> sums = load(shared + slice_sums_at<Scalar>(g, s) + p * L);
      c = accumulate || s > 0 ? multiply_add(va, sums, c) : va * sums;
    }
    store(row, c);
    for (std::size_t f = 0; f < g.maps; ++f) w_gradient[f * depth + p] = row[f];
  }
}

template <typename Scalar>
void conv_delta_running_sums(const ConvGeometry& g, const Scalar* delta,
                             std::size_t delta_stride, std::size_t examples,
                             std::size_t first_slice, std::size_t slices, Scalar* shared) {
  constexpr std::size_t S = bias_sum_lanes, L = lanes<Scalar>, V = S / L;
  const std::size_t positions = g.output_height() * g.output_width();
  const KSlices k_slices(g, examples);
  Scalar* running = shared;  // the running sums lead the buffer (slice_sums_at)
  if (first_slice == 0) std::fill(running, running + S * g.maps, Scalar(0));
  const std::size_t k_begin = k_slices.begin(first_slice);
  const std::size_t k_end = k_slices.end(first_slice, slices);
  for (std::size_t f = 0; f < g.maps; ++f) {
    Scalar sum[S];
    for (std::size_t l = 0; l < S; ++l) sum[l] = running[l * g.maps + f];
    for (std::size_t k = k_begin; k < k_end;) {
      const std::size_t e = k / positions, pos = k % positions;
      const std::size_t run = std::min(k_end - k, positions - pos);
      const Scalar* d = delta + e * delta_stride + f * positions + pos;
      std::size_t i = 0;
      for (; i < run && (k + i) % S != 0; ++i) sum[(k + i) % S] += d[i];
      if (i + S <= run) {  // whole rounds of the 16 sums: V vectors of them
        Vec<Scalar> v[V];
        for (std::size_t j = 0; j < V; ++j) v[j] = load(sum + j * L);
        for (; i + S <= run; i += S)
          for (std::size_t j = 0; j < V; ++j) v[j] = v[j] + load(d + i + j * L);
        for (std::size_t j = 0; j < V; ++j) store(sum + j * L, v[j]);
      }
      for (; i < run; ++i) sum[(k + i) % S] += d[i];
      k += run;
    }
    for (std::size_t l = 0; l < S; ++l) running[l * g.maps + f] = sum[l];
  }
}

template <typename Scalar>
void conv_delta_sums(const ConvGeometry& g, const Scalar* running, std::size_t first_map,
                     std::size_t band, Scalar* delta_sums) {
  for (std::size_t f = first_map; f < first_map + band; ++f)
    delta_sums[f - first_map] = add_running_sums(running + f, g.maps);
}
