// Turning CLI11's parse errors into one line that names what was typed and what was meant:
// an unknown command or flag with the closest valid name ("did you mean --epochs?"), a recipe key
// with its file and line, a flag without its value.
#pragma once

#include <CLI/CLI.hpp>
#include <string>
#include <vector>

namespace digitnet::cli {

// The closest of `names` to `typed` by edit distance, or "" when none is close (more than a
// third of the letters differ).
std::string closest_name(const std::string& typed, const std::vector<std::string>& names);

// The one-line message for parse error `e` of `app` given these arguments (argv without the
// program's name); `recipe` is the --recipe file, or "".
std::string usage_message(const CLI::App& app, const CLI::ParseError& e,
                          const std::vector<std::string>& arguments, const std::string& recipe);

}  // namespace digitnet::cli
