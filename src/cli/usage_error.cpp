// One-line usage errors with suggestions.
#include "usage_error.hpp"

#include <algorithm>
#include <fstream>

namespace digitnet::cli {
namespace {

std::size_t edit_distance(const std::string& a, const std::string& b) {
  std::vector<std::size_t> row(b.size() + 1);
  for (std::size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    std::size_t diagonal = row[0];
    row[0] = i;
    for (std::size_t j = 1; j <= b.size(); ++j) {
      const std::size_t above = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] == b[j - 1] ? 0 : 1)});
      diagonal = above;
    }
  }
  return row[b.size()];
}

std::vector<std::string> command_names(const CLI::App& app) {
  std::vector<std::string> names;
  for (const CLI::App* command : app.get_subcommands([](const CLI::App*) { return true; }))
    names.push_back(command->get_name());
  return names;
}

// The long flags of `command` and of the top-level app (--recipe, --help).
std::vector<std::string> flag_names(const CLI::App& command, const CLI::App& app) {
  std::vector<std::string> names;
  for (const CLI::App* a : {&command, &app})
    for (const CLI::Option* option : a->get_options())
      for (const std::string& name : option->get_lnames()) names.push_back("--" + name);
  return names;
}

std::string with_suggestion(const std::string& typed, const std::vector<std::string>& names) {
  const std::string closest = closest_name(typed, names);
  return closest.empty() ? "" : "; did you mean " + closest + "?";
}

// The line of `recipe` that sets `key` ("key = ..."), or 0.
int recipe_line(const std::string& recipe, const std::string& key) {
  std::ifstream in(recipe);
  std::string line;
  for (int number = 1; std::getline(in, line); ++number) {
    const auto start = line.find_first_not_of(" \t");
    if (start == std::string::npos || line.compare(start, key.size(), key) != 0) continue;
    const auto after = line.find_first_not_of(" \t", start + key.size());
    if (after != std::string::npos && line[after] == '=') return number;
  }
  return 0;
}

// The recipe key CLI11 could not place ("train.step-factr" or "bogus"), with its line.
std::string recipe_message(const std::string& recipe, const std::string& what,
                           const CLI::App& app) {
  std::string key = what.substr(what.rfind(' ') + 1);
  std::string section;
  if (const auto dot = key.find('.'); dot != std::string::npos) {
    section = key.substr(0, dot);
    key = key.substr(dot + 1);
  }
  if (const int number = recipe_line(recipe, key); number > 0) {
    const CLI::App* train = app.get_subcommand_ptr("train").get();
    if (section.empty() || section == "train")
      return recipe + ": line " + std::to_string(number) + ": unknown key '" + key +
             "' (recipes are TOML: 'flag = value' lines under [train], flags without --)" +
             with_suggestion("--" + key, flag_names(*train, app));
    return recipe + ": line " + std::to_string(number) + ": key '" + key + "' is outside [train]" +
           " (recipes are TOML: 'flag = value' lines under [train])";
  }
  return recipe + ": " + what + " (recipes are TOML: 'flag = value' lines under [train])";
}

}  // namespace

std::string closest_name(const std::string& typed, const std::vector<std::string>& names) {
  std::string best;
  std::size_t best_distance = typed.size() / 3 + 2;
  for (const std::string& name : names) {
    const std::size_t d = edit_distance(typed, name);
    if (d < best_distance) {
      best = name;
      best_distance = d;
    }
  }
  return best;
}

std::string usage_message(const CLI::App& app, const CLI::ParseError& e,
                          const std::vector<std::string>& arguments, const std::string& recipe) {
  const std::vector<std::string> commands = command_names(app);
  // The command: the first argument that is not a flag (or the value of --recipe).
  const CLI::App* command = nullptr;
  for (std::size_t i = 0; i < arguments.size(); ++i) {
    const std::string& a = arguments[i];
    if (a == "--recipe") {
      ++i;
      continue;
    }
    if (a == "--help" || a == "-h" || a == "--help-all" || a == "--version") continue;
    if (a.rfind("-", 0) == 0)
      return "digitnet: give the command first, then its flags: digitnet COMMAND " + a +
             " ... (the commands: train, eval, predict, show, report, plot)";
    if (std::find(commands.begin(), commands.end(), a) == commands.end())
      return "digitnet: unknown command '" + a + "'" + with_suggestion(a, commands) +
             " (the commands: train, eval, predict, show, report, plot)";
    command = app.get_subcommand_ptr(a).get();
    break;
  }
  const std::string what = e.what();
  if (!recipe.empty() && (what.find("INI was not able to parse") != std::string::npos ||
                          what.find("config") != std::string::npos))
    return "digitnet: " + recipe_message(recipe, what, app);
  // A bad value that came from the recipe (the flag is not on the command line): say where.
  if (!recipe.empty() && dynamic_cast<const CLI::ValidationError*>(&e) != nullptr &&
      what.rfind("--", 0) == 0) {
    const std::string flag = what.substr(0, what.find(' '));
    if (std::find(arguments.begin(), arguments.end(), flag) == arguments.end())
      if (const int line = recipe_line(recipe, flag.substr(2)); line > 0)
        return "digitnet: " + recipe + ": line " + std::to_string(line) + ": " + what;
  }
  if (command == nullptr) {
    if (!arguments.empty() && arguments.front() == "--recipe" && arguments.size() == 1)
      return "digitnet: --recipe needs a file, e.g. --recipe recipes/fast-98.toml";
    return "digitnet: give a command: train, eval, predict, show, report or plot (digitnet --help)";
  }
  const std::string prefix = "digitnet " + command->get_name() + ": ";
  // An unknown flag explains most other errors (a required flag missing, an extra value), so
  // it is named first: the first argument that is no flag of the command.
  const std::vector<std::string> flags = flag_names(*command, app);
  for (const std::string& a : arguments) {
    if (a.rfind("--", 0) != 0) continue;
    const std::string flag = a.substr(0, a.find('='));
    if (std::find(flags.begin(), flags.end(), flag) == flags.end())
      return prefix + "unknown flag " + flag + with_suggestion(flag, flags);
  }
  if (dynamic_cast<const CLI::ExtrasError*>(&e) != nullptr)
    return prefix + "unexpected argument: " + what.substr(what.find(':') + 1);
  if (dynamic_cast<const CLI::FileError*>(&e) != nullptr && !recipe.empty())
    return prefix + "the recipe " + recipe + " cannot be read (missing?); give the path of a "
                    "TOML recipe such as recipes/fast-98.toml";
  if (what.find("1 required") != std::string::npos && what.find("missing") != std::string::npos) {
    const std::string flag = what.substr(0, what.find(':'));
    return prefix + flag + " needs a value" +
           (flag == "--recipe" ? ", a TOML recipe such as recipes/fast-98.toml" : "");
  }
  return prefix + what;
}

}  // namespace digitnet::cli
