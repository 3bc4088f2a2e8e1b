"""YAML loading for the project's data files.

PyYAML follows YAML 1.1, where bare ``yes``/``no``/``on``/``off`` are booleans.
Our files use yes / no / unsure as answer words, so only ``true``/``false``
count as booleans here.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import yaml


class _Loader(yaml.SafeLoader):
    pass


_Loader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:bool"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
_Loader.add_implicit_resolver(
    "tag:yaml.org,2002:bool", re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF")
)


def load_yaml(path: Path | str) -> Any:
    return loads_yaml(Path(path).read_text(encoding="utf-8"))


def loads_yaml(text: str) -> Any:
    return yaml.load(text, Loader=_Loader)
