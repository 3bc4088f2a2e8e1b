"""Wait until a TCP port accepts connections: ``python -m tools.wait_for_port HOST PORT SECONDS``."""

from __future__ import annotations

import socket
import sys
import time


def wait_for_port(host: str, port: int, seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            with socket.create_connection((host, port), timeout=1):
                return True
        except OSError:
            time.sleep(0.2)
    return False


if __name__ == "__main__":
    host, port, seconds = sys.argv[1], int(sys.argv[2]), float(sys.argv[3])
    if not wait_for_port(host, port, seconds):
        print(f"nothing is listening on {host}:{port} after {seconds:.0f} s", file=sys.stderr)
        raise SystemExit(1)
