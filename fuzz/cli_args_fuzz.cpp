// libFuzzer target for the command line's argument parsing: the input is split into argv words (one per line; a NUL
// also ends a word) and parsed by the same CLI11 app `qnn` builds, stopped after parsing and validation and before any
// subcommand's action, so only parsing and the option validators run (no training or simulation; those are covered by
// tests/cli). No input may crash, hang, leak or trip a sanitizer; a bad command line must end in CLI::ParseError
// (exit 2) or a qnn::Error.
#include <CLI/CLI.hpp>

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "../apps/qnn/commands.hpp"
#include "qnn/core/error.hpp"

namespace {

// Thrown by the top-level app's parse-complete callback, which CLI11 runs after every option has been parsed, converted
// and validated and before the subcommands' actions. The actions must stay in place: each subcommand's action owns
// (shares) the struct its options write into, so replacing the action with an empty one freed that struct and every
// parsed option then wrote into freed memory (the first run of this target stopped on the seed corpus's `bench
// --quick` with a heap-use-after-free in the harness, not in qnn).
struct Parsed {};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size > 4096) return 0;  // command lines are short; longer inputs only slow the search down
  std::vector<std::string> words;
  std::string word;
  for (std::size_t i = 0; i < size; ++i) {
    const char c = static_cast<char>(data[i]);
    if (c == '\n' || c == '\0') {
      words.push_back(word);
      word.clear();
    } else {
      word += c;
    }
  }
  if (!word.empty()) words.push_back(word);

  // As apps/qnn/main.cpp builds it (the --threads option and every subcommand). Built once: building its options costs
  // ~5 ms under the sanitizers, ~50 times the parse itself. CLI11 clears every option's results before each parse, and
  // since no action runs and every validator is a pure function of its text, what an input does cannot depend on the
  // inputs before it (the values left in the argument structs are never read).
  static CLI::App& app = [&]() -> CLI::App& {
    static CLI::App a{"qnn", "qnn"};
    static int threads = 0;
    a.require_subcommand(1);
    a.set_version_flag("--version", "qnn");
    a.add_option("--threads", threads, "threads")->check(CLI::Range(1, 1024));
    qnn::cli::add_train_command(a);
    qnn::cli::add_eval_command(a);
    qnn::cli::add_gates_command(a);
    qnn::cli::add_bench_command(a);
    qnn::cli::add_draw_command(a);
    qnn::cli::add_export_command(a);
    qnn::cli::add_run_command(a);
    qnn::cli::add_predict_command(a);
    qnn::cli::add_diagnose_command(a);
    qnn::cli::add_kernel_command(a);
    qnn::cli::add_qec_command(a);
    a.parse_complete_callback([] { throw Parsed{}; });
    return a;
  }();

  // CLI11 takes the arguments in reverse order (it pops them off the back).
  std::vector<std::string> args(words.rbegin(), words.rend());
  try {
    app.parse(args);
  } catch (const Parsed&) {
    // a valid command line: `qnn` would now run the subcommand's action
  } catch (const CLI::Error&) {
    // a usage error (or --help / --version): exit 2 or 0 in the real CLI
  } catch (const qnn::Error&) {
    // a validator's clear error: exit 1
  }
  return 0;
}
