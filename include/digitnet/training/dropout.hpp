// Dropout on hidden layers (Srivastava et al. 2014, the book's chapter 3): during training each
// hidden neuron is dropped with probability p for one mini-batch example. digitnet uses
// "inverted" dropout: kept neurons are scaled by 1/(1 − p) while training, so the trained weights
// are used as they are at test time (the book halves the outgoing weights instead; same
// expectation).
#pragma once

#include <cstddef>

#include "digitnet/network/network.hpp"
#include "digitnet/core/random.hpp"

namespace digitnet {

// Draws new masks for the first m examples of every hidden layer of `ws` (0 with probability
// `rate`, else 1/(1 − rate)) and turns dropout on in `ws`; rate 0 turns it off.
// Requires 0 <= rate < 1, m <= ws.capacity.
template <typename Scalar>
void draw_dropout_masks(Workspace<Scalar>& ws, double rate, std::size_t m, Rng& rng);

}  // namespace digitnet
