// The packed product of gemm.hpp, for one kernel path: included by gemm.cpp once per path,
// inside that path's namespace, after kernels/vector.hpp (see kernels/paths.hpp). Loop order and
// names as in BLIS ("Anatomy of High-Performance Matrix Multiplication", Goto and van de Geijn):
// for each kc-deep slice of k, pack B's slice into NR-wide panels; for each mc-tall block of A,
// pack it into MR-tall panels; then every (MR x NR) tile of C is one micro-kernel call over kc.
//
// Every path computes each element of C as the same sequence of fused multiply-adds — over p in
// order within a kc slice (KC, the same on every path), then alpha·acc + C — whatever its
// vector width, register block or choice of dense, sparse or in-place kernel: vectors run across
// C's columns, never along k. So the paths agree bit for bit (tests/kernels/kernel_path_test.cpp).
// No include guard: see vector.hpp.

using simd::broadcast;
using simd::lanes;
using simd::load;
using simd::store;
using simd::transpose_8x8;
using simd::Vec;
using simd::Vec32;

// The register block: MR rows x NR columns of C in 2·MR vector accumulators (12 of AVX2's 16
// registers), plus two for B's row and one for A's broadcast element. 6 x 16 is BLIS's sgemm
// block for Haswell and Zen. The 512-bit path keeps MR (6 x 32, 12 of its 32 registers): not
// tuned, since on Zen 4, the machine at hand, a 512-bit FMA costs two 256-bit ones; pack_a's
// transposes assume MR <= 8.
constexpr std::size_t MR = 6;
template <typename Scalar>
constexpr std::size_t NR = 2 * lanes<Scalar>;
// Cache blocks: an MR x KC panel of A and a KC x NR panel of B (6 KiB + 16 KiB of floats) in
// L1, an MC x KC block of A (144 KiB) in L2, B's KC x NC slice in L2 or L3. k and m are split
// into equal blocks no larger than these, so that no block is a sliver.
constexpr std::size_t KC = max_depth_slice, MC = 144, NC = 2048;

std::size_t ceil_div(std::size_t a, std::size_t b) { return (a + b - 1) / b; }
std::size_t round_up(std::size_t a, std::size_t b) { return ceil_div(a, b) * b; }

// The largest block no larger than `limit` that splits n into equal parts (a multiple of
// `multiple`).
std::size_t even_block(std::size_t n, std::size_t limit, std::size_t multiple) {
  const std::size_t parts = ceil_div(n, limit);
  return round_up(ceil_div(n, parts), multiple);
}

// A(i0.., p0..) as mc/MR panels: panel r holds rows r·MR.. for every p, MR consecutive values
// per p; rows beyond `rows` are zero.
template <typename Scalar>
void pack_a(Operand<Scalar> a, std::size_t rows, std::size_t depth, Scalar* out) {
  for (std::size_t r0 = 0; r0 < rows; r0 += MR) {
    const std::size_t mr = std::min(MR, rows - r0);
    const Scalar* src = a.data + static_cast<std::ptrdiff_t>(r0) * a.row_stride;
    if (a.col_stride == 1) {
      std::size_t p = 0;
      if constexpr (sizeof(Scalar) == 4) {
        // Rows contiguous along p (the images in the forward pass, δ in a convolution's weight
        // gradient): 8 x 8 transposes of the six rows (the last repeated), each of whose 8-float
        // rows is stored 6 floats apart, the next store overwriting the two surplus floats of the
        // one before (the buffers have room for the last one's). A partial panel repeats its last
        // row and zeroes the rows beyond it afterwards (element by element, its 4 of δ's 40
        // rows took a tenth of a convolution's weight gradient).
        const std::ptrdiff_t ld = a.row_stride;
        for (; p + 8 <= depth; p += 8) {
          float block[8 * 8];
          for (std::size_t i = 0; i < 8; ++i)
            std::memcpy(block + i * 8,
                        src + static_cast<std::ptrdiff_t>(std::min(i, mr - 1)) * ld +
                            static_cast<std::ptrdiff_t>(p),
                        8 * sizeof(float));
          transpose_8x8(block, 8, out + p * MR, MR);
        }
        if (mr < MR)
          for (std::size_t q = 0; q < p; ++q)
            std::fill(out + q * MR + mr, out + (q + 1) * MR, 0.0f);
      }
      for (; p < depth; ++p)
        for (std::size_t i = 0; i < MR; ++i)
          out[p * MR + i] = i < mr ? src[static_cast<std::ptrdiff_t>(i) * a.row_stride +
                                         static_cast<std::ptrdiff_t>(p)]
                                   : Scalar(0);
    } else {
      for (std::size_t p = 0; p < depth; ++p)
        for (std::size_t i = 0; i < MR; ++i)
          out[p * MR + i] = i < mr ? src[static_cast<std::ptrdiff_t>(i) * a.row_stride +
                                         static_cast<std::ptrdiff_t>(p) * a.col_stride]
                                   : Scalar(0);
    }
    out += depth * MR;
  }
}

// B(p0.., j0..) as NR-wide panels: panel s holds columns s·NR.. for every p, NR consecutive
// values per p; columns beyond `columns` are zero.
template <typename Scalar>
void pack_b(Operand<Scalar> b, std::size_t depth, std::size_t columns, Scalar* out) {
  constexpr std::size_t nr_max = NR<Scalar>;
  for (std::size_t j0 = 0; j0 < columns; j0 += nr_max) {
    const std::size_t nr = std::min(nr_max, columns - j0);
    const Scalar* src = b.data + static_cast<std::ptrdiff_t>(j0) * b.col_stride;
    if (nr == nr_max && b.col_stride == 1 && j0 == 0 && columns % nr_max == 0) {
      // Rows contiguous and every panel full: eight rows at a time across all the panels, so
      // that the rows are read in order (panel by panel, each of them a row apart, read a
      // cache line from every row per panel: with a convolution's patches, rows 300 KB apart,
      // that missed the TLB on every line and took a quarter of the product).
      const std::size_t panels = columns / nr_max;
      for (std::size_t p0 = 0; p0 < depth; p0 += 8) {
        const std::size_t rows = std::min<std::size_t>(8, depth - p0);
        for (std::size_t s = 0; s < panels; ++s)
          for (std::size_t p = p0; p < p0 + rows; ++p)
            std::memcpy(out + s * depth * nr_max + p * nr_max,
                        src + static_cast<std::ptrdiff_t>(p) * b.row_stride +
                            static_cast<std::ptrdiff_t>(s * nr_max),
                        nr_max * sizeof(Scalar));
      }
      return;
    } else if (nr == nr_max && b.col_stride == 1) {
      for (std::size_t p = 0; p < depth; ++p)
        std::memcpy(out + p * nr_max, src + static_cast<std::ptrdiff_t>(p) * b.row_stride,
                    nr_max * sizeof(Scalar));
    } else if (b.row_stride == 1) {
      // Columns contiguous along p (the weights, read as Wᵀ, in the forward pass; patches read
      // as their transpose in a convolution's weight gradient, p over every position of the
      // batch): 8 x 8 transposes of eight columns at a time, a partial group repeating its last
      // column, then the columns beyond nr zeroed row by row. (Element by element, p outermost,
      // it missed the cache on every read; column by column, the scalar stores NR floats apart
      // of a partial panel — conv 1's 25 of 32 columns — took a fifth of the product.)
      std::size_t p = 0;
      if constexpr (sizeof(Scalar) == 4)
        for (; p + 8 <= depth; p += 8)
          for (std::size_t j = 0; j < nr; j += 8) {
            if (j + 8 <= nr) {
              transpose_8x8(src + static_cast<std::ptrdiff_t>(j) * b.col_stride +
                                static_cast<std::ptrdiff_t>(p),
                            b.col_stride, out + p * nr_max + j, nr_max);
              continue;
            }
            float block[8 * 8];
            for (std::size_t i = 0; i < 8; ++i)
              std::memcpy(block + i * 8,
                          src + static_cast<std::ptrdiff_t>(std::min(j + i, nr - 1)) *
                                    b.col_stride +
                              static_cast<std::ptrdiff_t>(p),
                          8 * sizeof(float));
            transpose_8x8(block, 8, out + p * nr_max + j, nr_max);
          }
      for (std::size_t j = 0; j < nr; ++j) {
        const Scalar* column = src + static_cast<std::ptrdiff_t>(j) * b.col_stride;
        for (std::size_t q = p; q < depth; ++q) out[q * nr_max + j] = column[q];
      }
      if (nr < nr_max)
        for (std::size_t q = 0; q < depth; ++q)
          std::fill(out + q * nr_max + nr, out + (q + 1) * nr_max, Scalar(0));
    } else {
      for (std::size_t p = 0; p < depth; ++p)
        for (std::size_t j = 0; j < nr_max; ++j)
          out[p * nr_max + j] = j < nr ? src[static_cast<std::ptrdiff_t>(p) * b.row_stride +
                                             static_cast<std::ptrdiff_t>(j) * b.col_stride]
                                       : Scalar(0);
    }
    out += depth * nr_max;
  }
}

// Rows of one NR-wide tile: out(i, :) = alpha·acc[i] (+ out(i, :)), acc[i] two vectors. Shared
// by the dense and the sparse kernels, which must round alike: the sum is an explicit
// multiply_add (fused where the CPU can), because a plain alpha·acc + out was fused at some call
// sites and not at others, and the sparse path's results differed from the dense path's in the
// last bit.
template <typename Scalar>
inline void finish_tile(Scalar* out, std::size_t ld, const Vec<Scalar> (*acc)[2],
                        std::size_t rows, Scalar alpha, bool accumulate) {
  constexpr std::size_t L = lanes<Scalar>;
  const Vec<Scalar> va = broadcast(alpha);
  for (std::size_t i = 0; i < rows; ++i) {
    Scalar* row = out + i * ld;
    if (accumulate) {
      store(row, simd::multiply_add(va, acc[i][0], load(row)));
      store(row + L, simd::multiply_add(va, acc[i][1], load(row + L)));
    } else {
      store(row, va * acc[i][0]);
      store(row + L, va * acc[i][1]);
    }
  }
}

// C(MR x NR tile) = alpha·Σ_p a(:, p)·b(p, :) (+ C), where a(i, p) = a_rows[i][p·Step]: Step MR
// for a packed panel, 1 for rows read in place. Only the mr x nr corner is written: an edge
// tile goes through a full-size copy so that its arithmetic is exactly that of an inner tile.
// With `listed` (B's panel has rows of zeros: the images, in the first layer's weight gradient),
// only the rows p = listed[0..kc) of the panel are taken: the terms left out are a·0, which add
// exactly nothing, so the result is bit for bit that of the full loop (while A is finite).
template <typename Scalar, std::size_t Step>
void micro_kernel(std::size_t kc, const Scalar* const* a_rows, const Scalar* __restrict b,
                  Scalar* c, std::size_t ldc, Scalar alpha, bool accumulate, std::size_t mr,
                  std::size_t nr, const std::uint32_t* listed = nullptr) {
  constexpr std::size_t L = lanes<Scalar>;
  const Scalar* a[MR];
  for (std::size_t i = 0; i < MR; ++i) a[i] = a_rows[i];
  // Zeroed one register at a time: "= {}" became a rep stos of the array through memory, a
  // seventh of a convolution's time, whose products are short (k = 25).
  Vec<Scalar> acc[MR][2];
  for (std::size_t i = 0; i < MR; ++i) acc[i][0] = acc[i][1] = broadcast(Scalar(0));
  const auto step = [&](std::size_t p) {
    const Vec<Scalar> b0 = load(b + p * 2 * L), b1 = load(b + p * 2 * L + L);
    for (std::size_t i = 0; i < MR; ++i) {
      const Vec<Scalar> ai = broadcast(a[i][p * Step]);
      acc[i][0] = simd::multiply_add(ai, b0, acc[i][0]);
      acc[i][1] = simd::multiply_add(ai, b1, acc[i][1]);
    }
  };
  if (listed == nullptr) {
#pragma GCC unroll 4
    for (std::size_t p = 0; p < kc; ++p) step(p);
  } else {
#pragma GCC unroll 4
    for (std::size_t q = 0; q < kc; ++q) step(listed[q]);
  }
  const bool edge = mr != MR || nr != NR<Scalar>;
  Scalar tile[MR * NR<Scalar>];
  Scalar* out = c;
  std::size_t ld = ldc;
  if (edge) {
    // Only the mr rows that finish_tile reads and writes; the columns beyond nr are zeroed so
    // that nothing uninitialised is added (a whole-tile fill cost a third of the small
    // products of convolutions, whose few maps leave an edge tile in every column of tiles).
    out = tile;
    ld = NR<Scalar>;
    for (std::size_t i = 0; i < mr; ++i) {
      if (accumulate) std::memcpy(tile + i * ld, c + i * ldc, nr * sizeof(Scalar));
      std::fill(tile + i * ld + (accumulate ? nr : 0), tile + (i + 1) * ld, Scalar(0));
    }
  }
  finish_tile(out, ld, acc, mr, alpha, accumulate);
  if (edge)
    for (std::size_t i = 0; i < mr; ++i)
      std::memcpy(c + i * ldc, tile + i * ld, nr * sizeof(Scalar));
}

// C(R rows, G panels of NR columns) = alpha·Σ_q values[q]·b(offsets[q], :) (+ C), each row's
// sum over its own nonzero elements of A: the micro-kernel's sums with the terms 0·b left out.
// Those add exactly nothing, so the result is bit for bit the micro-kernel's (while B is
// finite: 0·∞ would be NaN there). R rows at a time keep 2·G·R accumulators busy; G·NR columns
// of B (G·kc·NR values) stay in L1 while every row passes over them. `columns` of the G·NR
// are written.
template <typename Scalar, std::size_t G, std::size_t R>
void sparse_kernel(const std::size_t* count, const std::uint32_t* const* offsets,
                   const Scalar* const* values, const Scalar* b, std::size_t panel_size,
                   Scalar* c, std::size_t ldc, std::size_t columns, Scalar alpha,
                   bool accumulate) {
  constexpr std::size_t L = lanes<Scalar>, nr = NR<Scalar>;
  Vec<Scalar> acc[G][R][2];
  for (std::size_t g = 0; g < G; ++g)
    for (std::size_t r = 0; r < R; ++r) acc[g][r][0] = acc[g][r][1] = broadcast(Scalar(0));
  const auto step = [&](std::size_t r, std::size_t q) {
    const Vec<Scalar> v = broadcast(values[r][q]);
    const Scalar* row = b + offsets[r][q];
    for (std::size_t g = 0; g < G; ++g) {
      acc[g][r][0] = simd::multiply_add(v, load(row + g * panel_size), acc[g][r][0]);
      acc[g][r][1] = simd::multiply_add(v, load(row + g * panel_size + L), acc[g][r][1]);
    }
  };
  std::size_t common = count[0];
  for (std::size_t r = 1; r < R; ++r) common = std::min(common, count[r]);
  for (std::size_t q = 0; q < common; ++q)
    for (std::size_t r = 0; r < R; ++r) step(r, q);
  for (std::size_t r = 0; r < R; ++r)
    for (std::size_t q = common; q < count[r]; ++q) step(r, q);
  for (std::size_t g = 0; g < G && g * nr < columns; ++g) {
    // An edge panel through a full-width copy, as in micro_kernel; one finish_tile call either
    // way (two would share, and unfuse, the product).
    const std::size_t valid = std::min(nr, columns - g * nr);
    Scalar tile[R * nr];  // (zeroed only when used: that cost 3% of the product)
    Scalar* out = c + g * nr;
    std::size_t ld = ldc;
    if (valid < nr) {
      std::fill_n(tile, R * nr, Scalar(0));
      if (accumulate)
        for (std::size_t r = 0; r < R; ++r)
          std::memcpy(tile + r * nr, c + g * nr + r * ldc, valid * sizeof(Scalar));
      out = tile;
      ld = nr;
    }
    finish_tile(out, ld, acc[g], R, alpha, accumulate);
    if (valid < nr)
      for (std::size_t r = 0; r < R; ++r)
        std::memcpy(c + g * nr + r * ldc, tile + r * nr, valid * sizeof(Scalar));
  }
}

// Whether A (rows contiguous along k) is zero often enough for its rows to be multiplied by
// their nonzero elements only. The images are (a MNIST digit lights about 19% of its 784 pixels).
// kernels_bench Gemm/0/N, A N% nonzero, one core: 0.44 ms at 19%, 0.65 ms at 35%, 0.89 ms at 50%
// (the dense product 0.87 ms), hence the threshold. It is also the threshold for B's rows.
constexpr double SPARSE_DENSITY = 0.45;
// Judged on the first 64 rows at most (a batch of images is alike throughout; a full scan of
// 10,000 images to be evaluated was a pass through memory of its own). Either answer gives the
// same result, bit for bit; only the time differs.
template <typename Scalar>
bool mostly_zero(Operand<Scalar> a, std::size_t m, std::size_t k) {
  if (a.col_stride != 1) return false;
  m = std::min<std::size_t>(m, 64);
  // And the first 1,024 of each row (a convolution's patches have rows of every position of
  // every example of the batch: scanned whole, that was a tenth of the product).
  k = std::min<std::size_t>(k, 1024);
  std::size_t nonzero = 0;
  for (std::size_t i = 0; i < m; ++i) {
    const Scalar* row = a.data + static_cast<std::ptrdiff_t>(i) * a.row_stride;
    for (std::size_t p = 0; p < k; ++p) nonzero += row[p] != Scalar(0);
  }
  return static_cast<double>(nonzero) < SPARSE_DENSITY * static_cast<double>(m * k);
}

// Packing space of the calling thread, grown once to the largest blocks it has needed.
template <typename Scalar>
struct PackBuffers {
  std::vector<Scalar, Eigen::aligned_allocator<Scalar>> a, b;
  // A row's nonzero elements, for sparse A: their offsets in B's packed panel and their values.
  std::vector<std::uint32_t> offsets;
  std::vector<Scalar> values;
  std::vector<std::size_t> counts;
  // For B with rows of zeros: each panel's nonzero rows (kc_max a panel) and their number.
  std::vector<std::uint32_t> panel_rows;
  std::vector<std::size_t> panel_counts;
};
template <typename Scalar>
PackBuffers<Scalar>& pack_buffers() {
  thread_local PackBuffers<Scalar> buffers;
  return buffers;
}

template <typename Scalar>
Operand<Scalar> offset(Operand<Scalar> x, std::size_t i, std::size_t j) {
  return {x.data + static_cast<std::ptrdiff_t>(i) * x.row_stride +
              static_cast<std::ptrdiff_t>(j) * x.col_stride,
          x.row_stride, x.col_stride};
}

// C(m x nc) = alpha·A(m x kc)·B (+ C) for A with rows contiguous along k, each row by its
// nonzero elements, B packed as by pack_b: for each chunk of rows, their lists of nonzeros,
// then two panels (32 columns of floats) at a time over the chunk, two rows at a time.
template <typename Scalar>
void sparse_rows(std::size_t m, Operand<Scalar> a, std::size_t kc, std::size_t nc,
                 const Scalar* packed_b, PackBuffers<Scalar>& buffers, Scalar* c, std::size_t ldc,
                 Scalar alpha, bool accumulate) {
  constexpr std::size_t nr = NR<Scalar>, L = lanes<Scalar>, G = 2, R = 2;  // (R: 1 or 2)
  // Rows a chunk at a time, so that their lists stay in L2 (evaluating 10,000 images, lists
  // for all of them went through memory and the product took twice the dense one's time).
  constexpr std::size_t chunk = 64;
  if (buffers.offsets.size() < chunk * kc) {
    buffers.offsets.resize(chunk * kc);
    buffers.values.resize(chunk * kc);
    buffers.counts.resize(chunk);
  }
  for (std::size_t i0 = 0; i0 < m; i0 += chunk) {
    const std::size_t chunk_rows = std::min(chunk, m - i0);
    for (std::size_t i = 0; i < chunk_rows; ++i) {
      const Scalar* row = offset(a, i0 + i, 0).data;
      std::uint32_t* offsets = buffers.offsets.data() + i * kc;
      Scalar* values = buffers.values.data() + i * kc;
      std::size_t count = 0, p = 0;
      // A vector of zeros at a time (most of an image's margins), then branch-free within a
      // vector that has a nonzero: there the zeros are not predictable.
      for (; p + L <= kc; p += L) {
        if (!simd::any_nonzero(load(row + p))) continue;
        for (std::size_t l = 0; l < L; ++l) {
          offsets[count] = static_cast<std::uint32_t>((p + l) * nr);
          values[count] = row[p + l];
          count += row[p + l] != Scalar(0);
        }
      }
      for (; p < kc; ++p) {
        offsets[count] = static_cast<std::uint32_t>(p * nr);
        values[count] = row[p];
        count += row[p] != Scalar(0);
      }
      buffers.counts[i] = count;
    }
    const std::size_t size = kc * nr;
    for (std::size_t jr = 0; jr < nc; jr += G * nr) {
      const Scalar* b = packed_b + jr * kc;
      const std::size_t columns = std::min(G * nr, nc - jr);
      for (std::size_t i = 0; i < chunk_rows; i += R) {
        const std::size_t rows = std::min(R, chunk_rows - i);
        const std::uint32_t* offsets[R];
        const Scalar* values[R];
        for (std::size_t r = 0; r < rows; ++r) {
          offsets[r] = buffers.offsets.data() + (i + r) * kc;
          values[r] = buffers.values.data() + (i + r) * kc;
        }
        Scalar* c_rows = c + (i0 + i) * ldc + jr;
        const std::size_t* counts = buffers.counts.data() + i;
        const auto run = [&]<std::size_t Rows>() {
          if (columns > nr)
            sparse_kernel<Scalar, G, Rows>(counts, offsets, values, b, size, c_rows, ldc,
                                            columns, alpha, accumulate);
          else
            sparse_kernel<Scalar, 1, Rows>(counts, offsets, values, b, size, c_rows, ldc,
                                            columns, alpha, accumulate);
        };
        if (rows == R)
          run.template operator()<R>();
        else
          run.template operator()<1>();
      }
    }
  }
}

// For each NR-wide panel of packed B (kc rows): the rows that are not all zero, into
// buffers.panel_rows (kc a panel) and their number into buffers.panel_counts.
template <typename Scalar>
void list_panel_rows(const Scalar* packed_b, std::size_t kc, std::size_t nc,
                     PackBuffers<Scalar>& buffers) {
  constexpr std::size_t nr = NR<Scalar>, L = lanes<Scalar>;
  const std::size_t panels = ceil_div(nc, nr);
  if (buffers.panel_rows.size() < panels * kc) buffers.panel_rows.resize(panels * kc);
  if (buffers.panel_counts.size() < panels) buffers.panel_counts.resize(panels);
  for (std::size_t s = 0; s < panels; ++s) {
    const Scalar* panel = packed_b + s * kc * nr;
    std::uint32_t* rows = buffers.panel_rows.data() + s * kc;
    std::size_t count = 0;
    for (std::size_t p = 0; p < kc; ++p) {
      const bool any = simd::any_nonzero(load(panel + p * nr)) ||
                       simd::any_nonzero(load(panel + p * nr + L));
      rows[count] = static_cast<std::uint32_t>(p);
      count += any;
    }
    buffers.panel_counts[s] = count;
  }
}

// C = alpha·A·B (+ C), as gemm.hpp says.
template <typename Scalar>
void gemm(std::size_t m, std::size_t n, std::size_t k, Scalar alpha, Operand<Scalar> a,
          Operand<Scalar> b, Scalar* c, std::size_t ldc, bool accumulate) {
  if (m == 0 || n == 0) return;
  if (k == 0) {
    if (!accumulate)
      for (std::size_t i = 0; i < m; ++i) std::fill_n(c + i * ldc, n, Scalar(0));
    return;
  }
  constexpr std::size_t nr_max = NR<Scalar>;
  const std::size_t kc_max = depth_slice(k);
  const std::size_t mc_max = even_block(m, MC, MR);
  const std::size_t nc_max = std::min(round_up(n, nr_max), NC);
  PackBuffers<Scalar>& buffers = pack_buffers<Scalar>();
  // (+ 2: pack_a's last overlapping store)
  if (buffers.a.size() < mc_max * kc_max + 2) buffers.a.resize(mc_max * kc_max + 2);
  if (buffers.b.size() < kc_max * nc_max) buffers.b.resize(kc_max * nc_max);
  Scalar* packed_a = buffers.a.data();
  // A is read in place, unpacked, where each of its elements serves only one or two panels of
  // B, too few to repay the copy, and its rows are contiguous along k (the images when a small
  // first layer evaluates a batch: kernels_bench Evaluate10k).
  const bool in_place = a.col_stride == 1 && n <= 2 * nr_max;
  Scalar* packed_b = buffers.b.data();
  // A with mostly zeros (the images, in the first layer's forward pass) is taken a row at a
  // time by its nonzero elements: about five times fewer operations on MNIST. Not for products
  // as narrow as those read in place: listing a row's nonzeros costs about what the dense
  // product of a row with 32 columns does (evaluating 10,000 images with [784, 30, 10]: 7.3–8.2
  // ms sparse against 5.3–5.5 ms in place).
  const bool sparse = n > 2 * nr_max && mostly_zero(a, m, k);
  // B with mostly zeros, rows contiguous (the images, in the first layer's weight gradient):
  // each panel skips its rows of zeros (16 pixels of one image; 42% of them in MNIST).
  const bool zero_rows = !sparse && mostly_zero(b, k, n);

  for (std::size_t jc = 0; jc < n; jc += NC) {
    const std::size_t nc = std::min(NC, n - jc);
    for (std::size_t pc = 0; pc < k; pc += kc_max) {
      const std::size_t kc = std::min(kc_max, k - pc);
      const bool add = accumulate || pc > 0;
      pack_b(offset(b, pc, jc), kc, nc, packed_b);
      if (zero_rows) list_panel_rows(packed_b, kc, nc, buffers);
      if (sparse) {
        sparse_rows(m, offset(a, 0, pc), kc, nc, packed_b, buffers, c + jc, ldc, alpha, add);
        continue;
      }
      for (std::size_t ic = 0; ic < m; ic += mc_max) {
        const std::size_t mc = std::min(mc_max, m - ic);
        if (!in_place) pack_a(offset(a, ic, pc), mc, kc, packed_a);
        for (std::size_t jr = 0; jr < nc; jr += nr_max) {
          const Scalar* b_panel = packed_b + jr * kc;
          const std::uint32_t* listed = nullptr;
          std::size_t depth = kc;
          if (zero_rows) {
            listed = buffers.panel_rows.data() + (jr / nr_max) * kc;
            depth = buffers.panel_counts[jr / nr_max];
          }
          for (std::size_t ir = 0; ir < mc; ir += MR) {
            const std::size_t mr = std::min(MR, mc - ir);
            Scalar* c_tile = c + (ic + ir) * ldc + jc + jr;
            const std::size_t nr = std::min(nr_max, nc - jr);
            const Scalar* rows[MR];
            if (in_place) {
              // The rows beyond the edge repeat the last (their results are not written).
              for (std::size_t i = 0; i < MR; ++i)
                rows[i] = offset(a, ic + ir + std::min(i, mr - 1), pc).data;
              micro_kernel<Scalar, 1>(depth, rows, b_panel, c_tile, ldc, alpha, add, mr, nr,
                                      listed);
            } else {
              for (std::size_t i = 0; i < MR; ++i) rows[i] = packed_a + ir * kc + i;
              micro_kernel<Scalar, MR>(depth, rows, b_panel, c_tile, ldc, alpha, add, mr, nr,
                                       listed);
            }
          }
        }
      }
    }
  }
}
