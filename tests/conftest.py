"""Shared fixtures: one pair of real servers for every test that needs them."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.servers import Servers, running_servers


@pytest.fixture(scope="session")
def servers(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Servers]:
    with running_servers(tmp_path_factory.mktemp("servers")) as running:
        yield running
