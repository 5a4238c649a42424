// Initialisation schemes: their names and standard deviations.
#include "digitnet/network/initialization.hpp"

#include <cmath>

#include "core/name_table.hpp"

namespace digitnet {
namespace {

constexpr NameTable<Init, 4> init_names = {{
    {Init::standard_normal, "normal"},
    {Init::scaled_normal, "scaled-normal"},
    {Init::he, "he"},
    {Init::glorot, "glorot"},
}};

}  // namespace

std::string_view name(Init init) { return name_in(init_names, init); }
std::optional<Init> parse_init(std::string_view text) { return parse_in(init_names, text); }

double weight_stddev(Init init, double n_in, double n_out) {
  switch (init) {
    case Init::standard_normal: return 1.0;
    case Init::scaled_normal: return 1.0 / std::sqrt(n_in);
    case Init::he: return std::sqrt(2.0 / n_in);
    case Init::glorot: return std::sqrt(2.0 / (n_in + n_out));
  }
  return 1.0;
}

double bias_stddev(Init init) {
  return init == Init::standard_normal || init == Init::scaled_normal ? 1.0 : 0.0;
}

}  // namespace digitnet
