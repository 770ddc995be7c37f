// qnn draw: a text diagram of an OpenQASM 2.0 or 3 file.
#include <cstdio>
#include <memory>
#include <string>

#include "commands.hpp"
#include "qnn/io/circuit_drawing.hpp"
#include "qnn/io/qasm.hpp"

namespace qnn::cli {

namespace {

struct DrawArgs {
  std::string file;
  unsigned width = 100;
};

void run_draw(const DrawArgs& a) {
  const qasm::Program program = qasm::read_file(a.file);
  std::fputs(draw(program, {.width = a.width}).c_str(), stdout);
}

}  // namespace

void add_draw_command(CLI::App& app) {
  auto args = std::make_shared<DrawArgs>();
  CLI::App* cmd = app.add_subcommand("draw", "print a text diagram of an OpenQASM 2.0 or 3 circuit");
  cmd->add_option("file", args->file, "an OpenQASM file")->required();
  cmd->add_option("--width", args->width, "characters per line; longer circuits wrap into blocks (default 100)")
      ->check(CLI::Range(20U, 100000U));
  cmd->callback([args] { run_draw(*args); });
}

}  // namespace qnn::cli
