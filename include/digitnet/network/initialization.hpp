// How a new network's weights and biases are drawn.
#pragma once

#include <optional>
#include <string_view>

namespace digitnet {

enum class Init {
  standard_normal,  // weights and biases N(0, 1): the seeds' network.py (and large_weight_initializer)
  scaled_normal,    // weights N(0, 1/n_in), biases N(0, 1): network2.py's default_weight_initializer
  he,               // weights N(0, 2/n_in), biases 0: for ReLU layers (He et al. 2015)
  glorot,           // weights N(0, 2/(n_in + n_out)), biases 0 (Glorot & Bengio 2010)
};

// "normal", "scaled-normal", "he", "glorot", and back.
std::string_view name(Init init);
std::optional<Init> parse_init(std::string_view name);

// The standard deviations for layer sizes n_in -> n_out.
double weight_stddev(Init init, double n_in, double n_out);
double bias_stddev(Init init);

}  // namespace digitnet
