#!/usr/bin/env python3
"""Checks conf/grafana-dashboard.json against a real /metrics page.

usage: check_dashboard.py DASHBOARD.json METRICS.txt

The dashboard must parse as JSON, have panels, and every panel a Prometheus query;
every vomsrepl_* metric a query names must have at least one sample in METRICS.txt
(the exposition of a running `vomsrepl run`). Exit 1 naming what is wrong.
"""
import json
import re
import sys


def main():
    dashboard_path, metrics_path = sys.argv[1], sys.argv[2]
    with open(dashboard_path) as f:
        dash = json.load(f)
    sampled = set()
    with open(metrics_path) as f:
        for line in f:
            if line and not line.startswith("#"):
                m = re.match(r"([a-zA-Z_:][a-zA-Z0-9_:]*)", line)
                if m:
                    sampled.add(m.group(1))
    errors = []
    panels = dash.get("panels") or []
    if not panels:
        errors.append("no panels")
    queried = {}
    for p in panels:
        targets = [t.get("expr", "") for t in p.get("targets", [])]
        if not any(targets):
            errors.append(f"panel {p.get('id')} '{p.get('title')}' has no query")
        for expr in targets:
            for name in re.findall(r"\bvomsrepl_[a-z0-9_]+\b", expr):
                queried.setdefault(name, p.get("title"))
    for v in dash.get("templating", {}).get("list", []):
        for name in re.findall(r"\bvomsrepl_[a-z0-9_]+\b", str(v.get("query", ""))):
            queried.setdefault(name, "variable " + v.get("name", ""))
    if not queried:
        errors.append("the dashboard queries no vomsrepl_* metric")
    for name, where in sorted(queried.items()):
        if name not in sampled:
            errors.append(f"{name} (panel '{where}') has no sample in {metrics_path}")
    if errors:
        for e in errors:
            print(f"check_dashboard: {dashboard_path}: {e}", file=sys.stderr)
        return 1
    print(f"check_dashboard: {len(panels)} panels, {len(queried)} metrics, each exported")
    return 0


if __name__ == "__main__":
    sys.exit(main())
