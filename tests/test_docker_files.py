"""The container files, checked for what they do, without a Docker engine (there is none here): every COPY
source exists and is in the build context that .dockerignore leaves; the image's command line is one the real
`acctcheck` CLI accepts, naming the rules the image copies; its HEALTHCHECK (and compose's), run against a
real `acctcheck serve` on loopback, passes on a ready service and fails on one that is not; the compose file
mounts what exists, where the service looks for it.

The Dockerfile is read with dockerfile-parse (line continuations, JSON and shell forms, stages), not by
searching its text."""

from __future__ import annotations

import fnmatch
import json
import shlex
import subprocess
import sys
import tomllib
from importlib import import_module
from pathlib import Path

import pytest
import yaml
from dockerfile_parse import DockerfileParser

from acctcheck.cli import build_parser
from tests.conftest import ROOT, Server


def instructions(name: str) -> list[str]:
    with (ROOT / "Dockerfile").open("rb") as f:
        return [i["value"] for i in DockerfileParser(fileobj=f).structure if i["instruction"] == name]


def final_stage() -> list[tuple[str, str]]:
    """(instruction, value) of the stage the image is made of: after the last FROM."""
    with (ROOT / "Dockerfile").open("rb") as f:
        structure = [(i["instruction"], i["value"]) for i in DockerfileParser(fileobj=f).structure]
    last_from = max(n for n, (inst, _) in enumerate(structure) if inst == "FROM")
    return structure[last_from:]


def final_envs() -> dict[str, str]:
    with (ROOT / "Dockerfile").open("rb") as f:
        return dict(DockerfileParser(fileobj=f).envs)


def image_argv() -> list[str]:
    """ENTRYPOINT + CMD, both in JSON form (a shell form would put `sh -c` in front and eat SIGTERM)."""
    [entrypoint] = instructions("ENTRYPOINT")
    [cmd] = instructions("CMD")
    return [*json.loads(entrypoint), *json.loads(cmd)]


def in_build_context(path: str) -> bool:
    """Whether .dockerignore leaves `path` (relative to the context) in it: the last matching pattern wins,
    `!` re-includes, a directory's exclusion covers what is under it (Docker's rules, for the patterns used)."""
    patterns = [line.strip() for line in (ROOT / ".dockerignore").read_text(encoding="utf-8").splitlines()
                if line.strip() and not line.startswith("#")]
    parts = Path(path).parts
    included = True
    for prefix in (Path(*parts[:n]).as_posix() for n in range(1, len(parts) + 1)):
        for pattern in patterns:
            negated = pattern.startswith("!")
            glob = pattern.lstrip("!").rstrip("/")
            if fnmatch.fnmatchcase(prefix, glob) or (glob.startswith("**/")
                                                     and fnmatch.fnmatchcase(Path(prefix).name, glob[3:])):
                included = negated
        if not included:
            return False
    return included


def test_every_copy_source_exists_in_the_build_context() -> None:
    copies = [v.split() for v in instructions("COPY") if not v.startswith("--from=")]
    assert copies
    for *sources, _dest in copies:
        for source in sources:
            assert (ROOT / source).exists(), f"COPY {source}: no such file in the repository"
            assert in_build_context(source), f"COPY {source}: left out of the build context by .dockerignore"
    for heavy in (".venv", ".git", "src/acctcheck/__pycache__"):
        assert not in_build_context(heavy), f"{heavy} would be sent to the Docker daemon"
    # the wheel build reads the packs through src/acctcheck/rules, so COPY rules must land beside src
    assert (ROOT / "src" / "acctcheck" / "rules").resolve() == (ROOT / "rules").resolve()


def test_the_image_command_is_one_the_cli_serves_with() -> None:
    argv = image_argv()
    scripts = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]["scripts"]
    module, _, func = scripts[argv[0]].partition(":")
    assert callable(getattr(import_module(module), func))  # the console script the wheel installs
    args = build_parser().parse_args(argv[1:])  # SystemExit on an option serve does not have
    assert args.command == "serve" and args.host == "0.0.0.0"  # reachable from outside the container
    [exposed] = instructions("EXPOSE")
    assert args.port == int(exposed)
    copied_rules = {v.split()[-1] for v in instructions("COPY") if v.split()[0] == "rules"}
    assert args.rules in copied_rules and final_envs()["ACCTCHECK_RULES_DIR"] == args.rules
    stage = final_stage()
    [user] = [v for inst, v in stage if inst == "USER"]
    assert user not in ("root", "0") and any(inst == "RUN" and "useradd" in v and v.split()[-1] == user
                                             for inst, v in stage)


def run_probe(argv: list[str], port: int) -> int:
    """Run a healthcheck command (`python -c …` probing the image's port) against `port` on loopback."""
    [exposed] = instructions("EXPOSE")
    assert argv[0] == "python"
    probe = [arg.replace(f"127.0.0.1:{exposed}/", f"127.0.0.1:{port}/") for arg in argv[1:]]
    assert probe != argv[1:], "the probe does not name the image's port"
    return subprocess.run([sys.executable, *probe], capture_output=True, timeout=30).returncode


def healthchecks() -> dict[str, list[str]]:
    [docker] = instructions("HEALTHCHECK")
    _, _, command = docker.partition(" CMD ")
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text(encoding="utf-8"))
    test = compose["services"]["acctcheck"]["healthcheck"]["test"]
    assert test[0] == "CMD"
    return {"Dockerfile": shlex.split(command), "docker-compose.yml": test[1:]}


@pytest.mark.parametrize("where", ["Dockerfile", "docker-compose.yml"])
@pytest.mark.slow
def test_healthcheck_passes_when_ready_and_fails_when_not(where: str, server: Server, tmp_path: Path) -> None:
    argv = healthchecks()[where]
    assert run_probe(argv, server.port) == 0  # the bundled rules: ready
    (tmp_path / "broken.yaml").write_text("schema_version: 1\nname: x\n", encoding="utf-8")
    unready = Server(tmp_path, env={"ACCTCHECK_WATCH": "false"})
    try:
        unready.wait_ready(status=503)
        assert run_probe(argv, unready.port) != 0  # up, without rules: not ready
    finally:
        unready.stop()


def test_compose_mounts_what_exists_where_the_service_reads_it() -> None:
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text(encoding="utf-8"))
    svc = compose["services"]["acctcheck"]
    assert (ROOT / svc["build"] / "Dockerfile").is_file()
    mounts: dict[str, str] = {}
    for volume in svc["volumes"]:
        source, target, *mode = volume.split(":")
        if source.startswith("."):
            assert (ROOT / source).exists(), f"{volume}: no {source} in the repository"
        else:
            assert source in compose["volumes"], f"{volume}: named volume not declared"
        mounts[target] = source
    env = svc["environment"]
    args = build_parser().parse_args(image_argv()[1:])
    assert mounts[env["ACCTCHECK_RULES_DIR"]] == "./rules" and env["ACCTCHECK_RULES_DIR"] == args.rules
    geo = Path(env["ACCTCHECK_GEOIP_MAIN_DB"])
    assert any(geo.is_relative_to(target) for target in mounts), f"{geo} is on no mounted volume"
    host, _, container = svc["ports"][0].rpartition(":")
    assert host.startswith("127.0.0.1:") and int(container) == args.port
    # a read-only root file system: the workers' shared metrics directory (the temp dir) must be a tmpfs
    assert svc["read_only"] is True and "/tmp" in svc["tmpfs"]
    [user] = [v for inst, v in final_stage() if inst == "USER"]
    assert svc["user"] == user
    updater = compose["services"]["geoipupdate"]
    db_dir = updater["environment"]["GEOIPUPDATE_DB_DIR"]
    shared = {v.split(":")[0] for v in updater["volumes"] if v.split(":")[1] == db_dir}
    assert shared and geo.parent.as_posix() in mounts and mounts[geo.parent.as_posix()] in shared
