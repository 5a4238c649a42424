// Dropout on hidden layers (Srivastava et al. 2014, the book's chapter 3): during training each
// hidden neuron is dropped with probability p for one mini-batch example. The rate is one for
// every hidden layer (--dropout) or a layer's own (its "dropout=P" option, layer_spec.hpp). digitnet uses
// "inverted" dropout: kept neurons are scaled by 1/(1 − p) while training, so the trained weights
// are used as they are at test time (the book halves the outgoing weights instead; same
// expectation).
#pragma once

#include <cstddef>
#include <span>
#include <vector>

#include "digitnet/network/network.hpp"
#include "digitnet/core/random.hpp"

namespace digitnet {

// Each layer's rate, input to output: its own "dropout=P" where it names one, else
// `hidden_rate` for a hidden layer; 0 for the output layer.
std::vector<double> dropout_rates(const Architecture& arch, double hidden_rate);

// Draws new masks for the first m examples of every layer l with rates[l] > 0 (0 with
// probability rates[l], else 1/(1 − rates[l])), layer by layer, and turns dropout on in `ws`;
// all rates 0 turn it off. Requires rates: one per layer, each in [0, 1), the output's 0;
// m <= ws.capacity.
template <typename Scalar>
void draw_dropout_masks(Workspace<Scalar>& ws, std::span<const double> rates, std::size_t m,
                        Rng& rng);
// The same rate on every hidden layer.
template <typename Scalar>
void draw_dropout_masks(Workspace<Scalar>& ws, double rate, std::size_t m, Rng& rng);

}  // namespace digitnet
