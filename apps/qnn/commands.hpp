#pragma once
// Each subcommand lives in its own file and registers itself on the top-level app; the CLI is a thin shell over the
// library.
#include <CLI/CLI.hpp>

namespace qnn::cli {

void add_train_command(CLI::App& app);
void add_eval_command(CLI::App& app);
void add_gates_command(CLI::App& app);
void add_bench_command(CLI::App& app);
void add_draw_command(CLI::App& app);
void add_export_command(CLI::App& app);
void add_run_command(CLI::App& app);
void add_predict_command(CLI::App& app);
void add_diagnose_command(CLI::App& app);
void add_kernel_command(CLI::App& app);
void add_qec_command(CLI::App& app);

}  // namespace qnn::cli
