// qnn export: a trained model's circuit (encoding + ansatz, weights bound) as OpenQASM, for hardware or other tools.
#include <charconv>
#include <cstdio>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "commands.hpp"
#include "qnn/core/error.hpp"
#include "qnn/io/atomic_file.hpp"
#include "qnn/io/builtin_datasets.hpp"
#include "qnn/io/model_json.hpp"
#include "qnn/io/qasm.hpp"

namespace qnn::cli {

namespace {

struct ExportArgs {
  std::string model;
  int qasm = 3;
  std::size_t input = 0;
  bool has_input = false;
  std::string features;
  std::string out;
  bool no_measure = false;
};

std::vector<double> parse_features(const std::string& text) {
  std::vector<double> v;
  std::size_t start = 0;
  while (start <= text.size()) {
    std::size_t end = text.find(',', start);
    if (end == std::string::npos) end = text.size();
    std::string cell = text.substr(start, end - start);
    cell.erase(0, cell.find_first_not_of(" \t"));
    cell.erase(cell.find_last_not_of(" \t") + 1);
    double x = 0;
    const auto [ptr, ec] = std::from_chars(cell.data(), cell.data() + cell.size(), x);
    if (cell.empty() || ec != std::errc() || ptr != cell.data() + cell.size()) {
      throw CLI::ValidationError("--features", "'" + cell + "' is not a number (expected e.g. \"5.1,3.5,1.4,0.2\")");
    }
    v.push_back(x);
    start = end + 1;
  }
  return v;
}

std::string number(double v) {
  char buf[40];
  const auto res = std::to_chars(buf, buf + sizeof buf, v);
  return {buf, res.ptr};
}

std::string list(const std::vector<double>& v) {
  std::string s;
  for (double x : v) s += (s.empty() ? "" : ", ") + number(x);
  return "[" + s + "]";
}

void run_export(const ExportArgs& a) {
  const SavedModel saved = load_model(a.model);
  const QuantumClassifier& model = saved.model;
  const Circuit& circuit = model.circuit();
  const unsigned nt = model.num_circuit_weights(), classes = model.config().num_classes;
  const std::vector<double>& w = model.weights();
  const std::vector<double> theta(w.begin(), w.begin() + nt);
  const Standardizer& st = model.standardizer();

  // The sample to bind, standardised as the model standardises it.
  std::optional<std::vector<double>> raw;
  std::string sample_note;
  if (a.has_input) {
    if (saved.training.data.empty()) {
      throw ValueError(a.model + ": the model does not record its data set; pass --features");
    }
    const Dataset data = load_dataset(saved.training.data);
    if (a.input >= data.num_samples()) {
      throw ValueError("--input " + std::to_string(a.input) + ": " + saved.training.data + " has " +
                       std::to_string(data.num_samples()) + " samples (0 to " + std::to_string(data.num_samples() - 1) +
                       ")");
    }
    raw = data.features[a.input];
    sample_note = "sample " + std::to_string(a.input) + " of " + saved.training.data + " (class " +
                  data.class_names.at(static_cast<std::size_t>(data.labels[a.input])) + ")";
  } else if (!a.features.empty()) {
    raw = parse_features(a.features);
    sample_note = "the features given";
  }
  if (a.qasm == 2 && !raw) {
    throw CLI::ValidationError("--qasm 2", "OpenQASM 2 has no input parameters: pass --input I (a sample of the "
                                           "model's data) or --features \"x0,x1,...\", or use --qasm 3");
  }
  std::vector<double> x;
  if (raw) {
    if (raw->size() != model.config().num_features) {
      throw ValueError("the sample has " + std::to_string(raw->size()) + " features, the model expects " +
                       std::to_string(model.config().num_features));
    }
    x = model.circuit_inputs(*raw);
  }

  // The standardisation folds into the encoding angles only when the circuit reads standardised features directly
  // (no PCA, no dense layers before it); otherwise its inputs are what those classical stages compute.
  const bool fold = model.config().pca_components == 0 && model.config().hidden.empty();
  qasm::Program p;
  p.version = a.qasm;
  p.num_qubits = circuit.num_qubits();
  for (const Operation& op : circuit.ops()) {
    qasm::Instruction ins;
    ins.op = op;
    if (!raw && !st.mean.empty() && fold) {
      // Left free, the inputs are raw features: the standardisation x_j ↦ (x_j − mean_j)/scale_j moves into the
      // encoding angles, so a user binds the numbers of the data file.
      for (Expr& e : ins.op.params) {
        if (e.num_inputs() == 0) continue;
        if (e.kind() != Expr::Kind::Input || e.index() >= st.mean.size()) {
          throw ValueError("cannot fold the feature standardisation into the angle " + e.to_string());
        }
        e = (input(e.index()) - st.mean[e.index()]) / st.scale[e.index()];
      }
    }
    p.body.push_back(std::move(ins));
  }
  if (!a.no_measure) {
    p.num_clbits = p.num_qubits;
    for (unsigned q = 0; q < p.num_qubits; ++q) {
      qasm::Instruction m;
      m.kind = qasm::InstructionKind::Measure;
      m.qubit = m.clbit = q;
      p.body.push_back(m);
    }
  }

  std::string text = a.qasm == 2 ? qasm::write_qasm2(p, theta, x) : qasm::write_qasm3(p, theta, x);
  std::string classes_text;
  for (const std::string& c : saved.class_names) classes_text += (classes_text.empty() ? "" : ", ") + c;
  std::string notes = "// qnn model " + a.model + ": " + std::to_string(p.num_qubits) + " qubits, " +
                      std::to_string(model.config().layers) + " layers, classes " + classes_text + "\n";
  const ClassifierConfig& cfg = model.config();
  if (cfg.readout == ReadoutKind::ZPerClass && cfg.head.empty() && cfg.hidden.empty() && cfg.loss != LossKind::Fidelity) {
    notes += "// class k scores logit_k = s_k*<Z_k> + b_k (Z on qubit k); the largest logit wins\n";
    notes += "// s = " + list({w.begin() + nt, w.begin() + nt + classes}) + "\n";
    notes += "// b = " + list({w.begin() + nt + classes, w.begin() + nt + 2 * classes}) + "\n";
  } else {
    notes += "// model: " + model.describe() + "; the classical layers and readout weights are in the model file\n";
  }
  if (raw) {
    notes += "// input: " + sample_note + ", raw features " + list(*raw) + "\n";
  } else {
    notes += fold ? "// inputs x_j: raw features (the model's standardisation is in the angles)\n"
                  : "// inputs x_j: the circuit's inputs (computed from raw features by the model's PCA or dense "
                    "layers)\n";
  }
  // The notes go after the header and include lines: some readers want the version first.
  std::size_t after = text.find('\n');
  after = text.find('\n', after + 1) + 1;
  text.insert(after, notes);

  if (a.out.empty()) {
    std::fputs(text.c_str(), stdout);
  } else {
    write_file_atomic(a.out, text);
    std::printf("wrote %s (OpenQASM %d, %u qubits)\n", a.out.c_str(), a.qasm, p.num_qubits);
  }
}

}  // namespace

void add_export_command(CLI::App& app) {
  auto args = std::make_shared<ExportArgs>();
  CLI::App* cmd = app.add_subcommand("export", "write a trained model's circuit as OpenQASM 2.0 or 3");
  cmd->add_option("model", args->model, "model.json written by qnn train")->required();
  cmd->add_option("--qasm", args->qasm, "OpenQASM version: 2 (one input sample bound) or 3 (inputs may stay free)")
      ->required()
      ->check(CLI::IsMember({2, 3}));
  CLI::Option* input = cmd->add_option("--input", args->input, "bind sample I (0-based) of the model's data set");
  CLI::Option* features =
      cmd->add_option("--features", args->features, "bind these raw features, comma-separated (\"5.1,3.5,1.4,0.2\")");
  input->excludes(features);
  cmd->add_option("--out", args->out, "write to FILE (atomically) instead of standard output");
  cmd->add_flag("--no-measure", args->no_measure, "leave out the final measurement of every qubit");
  cmd->callback([args, input] {
    args->has_input = input->count() > 0;
    run_export(*args);
  });
}

}  // namespace qnn::cli
