// Names of the weight penalties.
#include "digitnet/training/regularization.hpp"

#include "core/name_table.hpp"

namespace digitnet {
namespace {

constexpr NameTable<Regularization::Kind, 3> regularization_names = {{
    {Regularization::Kind::none, "none"},
    {Regularization::Kind::l2, "l2"},
    {Regularization::Kind::l1, "l1"},
}};

}  // namespace

std::string_view name(Regularization::Kind kind) { return name_in(regularization_names, kind); }
std::optional<Regularization::Kind> parse_regularization(std::string_view text) {
  return parse_in(regularization_names, text);
}

}  // namespace digitnet
