"""One training epoch driven from Python against the same epoch run by the C++ command line.

Goal: the Python binding adds no measurable cost to training (target: within 5 %). Both sides run in fresh processes,
interleaved, with the same data, model, options, seed and thread count, and each times only the call to qnn::train:
  C++     `qnn train ... --epochs E --quiet`, reading `seconds` (train()'s own wall time) from summary.json;
  Python  time.perf_counter() around qnn.train(...) in a fresh interpreter (the binding's argument conversion, GIL
          release, per-batch signal checks and the per-epoch Python callback included).
Prints the median of each and their ratio (Python / C++), and the ratio of the minima (the least disturbed runs). The
machine may be shared: compare the ratios, not the times; an Iris epoch is ~2 ms, so a larger one (--data wine
--qubits 8) resolves a few per cent.

    PYTHONPATH=build/release/python python3 python/bench/epoch_bench.py --cli build/release/qnn [--runs 15]
"""
import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile

PYTHON_RUN = r"""
import sys, time, qnn
data_name, qubits, layers, epochs, batch = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5])
data = qnn.load_dataset(data_name)
train, test = qnn.train_test_split(data, 0.2, 7)
model = qnn.QuantumClassifier(qnn.ClassifierConfig(qubits=qubits, layers=layers, num_features=data.num_features,
                                                   num_classes=data.num_classes), 7)
model.fit_standardizer(train)
options = qnn.TrainOptions(epochs=epochs, batch_size=batch, learning_rate=0.05, seed=7)
seen = []
start = time.perf_counter()
qnn.train(model, train, test, options=options, on_epoch=seen.append)
print(time.perf_counter() - start)
"""


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--cli", required=True, help="path of the qnn binary")
    ap.add_argument("--data", default="iris")
    ap.add_argument("--qubits", type=int, default=4)
    ap.add_argument("--layers", type=int, default=3)
    ap.add_argument("--epochs", type=int, default=1)
    ap.add_argument("--batch", type=int, default=16)
    ap.add_argument("--runs", type=int, default=15)
    a = ap.parse_args()
    env = dict(os.environ)
    cli_times, py_times = [], []
    with tempfile.TemporaryDirectory() as out:
        for _ in range(a.runs):
            subprocess.run([a.cli, "train", "--data", a.data, "--qubits", str(a.qubits), "--layers", str(a.layers),
                            "--epochs", str(a.epochs), "--batch", str(a.batch), "--lr", "0.05", "--seed", "7",
                            "--out", out, "--quiet"], check=True, env=env, stdout=subprocess.DEVNULL)
            with open(os.path.join(out, "summary.json")) as f:
                cli_times.append(json.load(f)["seconds"])
            run = subprocess.run([sys.executable, "-c", PYTHON_RUN, a.data, str(a.qubits), str(a.layers),
                                  str(a.epochs), str(a.batch)], check=True, env=env, capture_output=True, text=True)
            py_times.append(float(run.stdout.strip()))
    c, p = statistics.median(cli_times), statistics.median(py_times)
    print(f"{a.data}, {a.qubits} qubits, {a.layers} layers, batch {a.batch}, {a.epochs} epoch(s), {a.runs} runs each, "
          f"QNN_THREADS={env.get('QNN_THREADS', 'default')}")
    print(f"C++ (qnn train)     median {c * 1e3:9.3f} ms   (min {min(cli_times) * 1e3:.3f})")
    print(f"Python (qnn.train)  median {p * 1e3:9.3f} ms   (min {min(py_times) * 1e3:.3f})")
    print(f"ratio Python / C++  {p / c:.3f} (medians), {min(py_times) / min(cli_times):.3f} (minima)")


if __name__ == "__main__":
    main()
