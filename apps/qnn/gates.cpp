// qnn gates: the gate table, as the simulator, differentiator and tests see it.
#include <cstdio>
#include <string>

#include "commands.hpp"
#include "qnn/circuit/gate.hpp"

namespace qnn::cli {

void add_gates_command(CLI::App& app) {
  CLI::App* cmd = app.add_subcommand("gates", "list the supported gates");
  cmd->callback([] {
    std::printf("%-8s %6s %8s %6s  %-22s %s\n", "name", "qubits", "controls", "params", "properties", "description");
    for (const GateInfo& g : gate_table()) {
      if (g.kind == GateKind::Unitary) continue;
      std::string props;
      auto flag = [&](GateFlags f, const char* s) {
        if (g.has(f)) props += props.empty() ? s : std::string(",") + s;
      };
      flag(kDiagonal, "diagonal");
      flag(kPermutation, "permutation");
      flag(kClifford, "clifford");
      flag(kRotation, "rotation");
      std::printf("%-8s %6u %8u %6u  %-22s %s\n", std::string(g.name).c_str(), g.num_qubits, g.num_controls,
                  g.num_params, props.c_str(), std::string(g.help).c_str());
    }
  });
}

}  // namespace qnn::cli
