// qnn: the command line. Exit codes: 0 success, 1 a runtime error (bad data, unreadable file, too large a state),
// 2 a usage error (unknown option, malformed value). Errors are one line on stderr: `qnn: error: …`.
#include <cstdio>
#include <exception>
#include <new>

#include "commands.hpp"
#include "mpi_ranks.hpp"
#include "qnn/core/error.hpp"
#include "qnn/core/parallel.hpp"

int main(int argc, char** argv) {
#ifdef QNN_WITH_MPI
  // Under mpirun (only then: a plain run never starts MPI) every rank runs the command; rank 0 alone prints results
  // and errors (validation fails the same way on every rank, so each exits cleanly with the same status).
  const qnn::mpi::Environment mpi_environment;
  if (!qnn::cli::is_root_rank() && std::freopen("/dev/null", "w", stdout) == nullptr) return 1;
#endif
  const bool report = qnn::cli::is_root_rank();
  CLI::App app{"qnn: quantum neural networks on a fast state-vector simulator", "qnn"};
  app.require_subcommand(1);
  app.set_version_flag("--version", "qnn 0.1.0");
  int threads = 0;
  app.add_option("--threads", threads, "threads to use (default: QNN_THREADS or all cores)")
      ->check(CLI::Range(1, 1024));
  app.parse_complete_callback([&] {
    if (threads > 0) qnn::set_num_threads(threads);
  });
  qnn::cli::add_train_command(app);
  qnn::cli::add_eval_command(app);
  qnn::cli::add_gates_command(app);
  qnn::cli::add_bench_command(app);
  qnn::cli::add_draw_command(app);
  qnn::cli::add_export_command(app);
  qnn::cli::add_run_command(app);
  qnn::cli::add_predict_command(app);
  qnn::cli::add_diagnose_command(app);
  qnn::cli::add_kernel_command(app);
  qnn::cli::add_qec_command(app);
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForVersion& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    if (report) std::fprintf(stderr, "qnn: error: %s (see qnn --help)\n", e.what());
    return 2;
  } catch (const qnn::Error& e) {
    if (report) std::fprintf(stderr, "qnn: error: %s\n", e.what());
    return 1;
  } catch (const std::bad_alloc&) {
    if (report) std::fprintf(stderr, "qnn: error: out of memory\n");
    return 1;
  } catch (const std::exception& e) {
    if (report) std::fprintf(stderr, "qnn: error: %s\n", e.what());
    return 1;
  }
  return 0;
}
