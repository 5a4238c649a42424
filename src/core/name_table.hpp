// Lookup between enum values and the names used on the command line, in recipes and in files.
#pragma once

#include <array>
#include <optional>
#include <string_view>
#include <utility>

namespace digitnet {

template <typename Enum, std::size_t N>
using NameTable = std::array<std::pair<Enum, std::string_view>, N>;

template <typename Enum, std::size_t N>
std::string_view name_in(const NameTable<Enum, N>& names, Enum value) {
  for (const auto& [v, text] : names)
    if (v == value) return text;
  return "unknown";
}

template <typename Enum, std::size_t N>
std::optional<Enum> parse_in(const NameTable<Enum, N>& names, std::string_view text) {
  for (const auto& [v, name] : names)
    if (name == text) return v;
  return std::nullopt;
}

}  // namespace digitnet
