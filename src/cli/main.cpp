// digitnet's command line: dispatches to the commands and maps failures to exit codes
// (0 success, 1 runtime error such as a bad file, 2 usage error such as a bad flag).
#include <exception>
#include <iostream>
#include <vector>

#include "command.hpp"
#include "usage_error.hpp"
#include "digitnet/core/error.hpp"
#include "digitnet/kernels/kernel_path.hpp"

int main(int argc, char** argv) {
  using namespace digitnet::cli;
  CLI::App app{
      "digitnet: trains neural networks to read handwritten digits (MNIST), starting from the "
      "classic sigmoid network trained by mini-batch SGD and backpropagation."};
  app.require_subcommand(1);
  app.set_help_all_flag("--help-all", "Help for every command");
  // With the kernel path this machine takes (kernel_path.hpp): the lines printed are the same on
  // every path, the speed is not.
  app.set_version_flag("--version", [] {
    std::string path;
    try {
      path = digitnet::kernel_path_name(digitnet::kernel_path());
    } catch (const digitnet::Error& e) {
      path = e.what();
    }
    return std::string("digitnet " DIGITNET_VERSION " (kernels: ") + path + ")";
  });
  CLI::Option* recipe = app.set_config("--recipe", "",
                 "Read flags from a recipe file: TOML, 'flag = value' lines under [train] (see "
                 "recipes/); flags given on the command line win. Also accepted after 'train'.");
  const std::vector<Command> commands = {add_train_command(app),  add_eval_command(app),
                                         add_predict_command(app), add_show_command(app),
                                         add_report_command(app),  add_plot_command(app),
                                         add_serve_command(app),   add_export_command(app),
                                         add_import_command(app)};
  // A recipe key that names no flag, or lies outside [train], is an error, not ignored.
  app.allow_config_extras(CLI::config_extras_mode::error);
  for (const Command& command : commands)
    command.app->allow_config_extras(CLI::config_extras_mode::error);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    if (e.get_exit_code() == 0) return app.exit(e);  // --help, --version
    const std::vector<std::string> arguments(argv + 1, argv + argc);
    std::cerr << usage_message(app, e, arguments,
                               recipe->count() > 0 ? recipe->as<std::string>() : "")
              << "\n";
    return 2;
  }

  for (const Command& command : commands) {
    if (!command.app->parsed()) continue;
    try {
      command.run();
      return 0;
    } catch (const Interrupted&) {
      return 130;
    } catch (const UsageError& e) {
      std::cerr << "digitnet " << command.app->get_name() << ": " << e.what() << "\n"
                << "Run 'digitnet " << command.app->get_name() << " --help' for the options.\n";
      return 2;
    } catch (const std::exception& e) {
      std::cerr << "digitnet " << command.app->get_name() << ": error: " << e.what() << "\n";
      return 1;
    }
  }
  return 2;
}
