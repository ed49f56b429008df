"""The Python examples of python/README.md run (on the CPU where there is no GPU), so the
documentation cannot rot: each ```python block is executed as written, with `model` defined."""
import pathlib
import re

import pytest

README = pathlib.Path(__file__).resolve().parents[1] / "README.md"


def blocks():
    return re.findall(r"```python\n(.*?)```", README.read_text(), re.S)


def test_readme_has_python_examples():
    assert len(blocks()) == 3


@pytest.mark.parametrize("index", range(3))
def test_readme_example_runs(torch, index, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # an example may write a file
    code = blocks()[index]
    if not torch.cuda.is_available():
        code = code.replace('device="cuda"', 'device="cpu"')
    model = torch.nn.Sequential(torch.nn.Linear(8, 16), torch.nn.LayerNorm(16),
                                torch.nn.Linear(16, 4))
    exec(compile(code, "%s block %d" % (README.name, index), "exec"), {"model": model})
