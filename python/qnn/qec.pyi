# Type hints for qnn.qec (a submodule of the extension): CSS-code memory experiments.
class LogicalErrorRate:
    shots: int
    failures: int
    rate: float
    low: float
    high: float

def code_names() -> list[str]: ...
def decoder_names() -> list[str]: ...
def memory_experiment(code: str = "surface", distance: int = 3, rounds: int = 3, basis: str = "Z",
                      noise: str = "circuit", p: float = 0.001, decoder: str = "mwpm", shots: int = 10000,
                      seed: int = 1) -> LogicalErrorRate: ...
