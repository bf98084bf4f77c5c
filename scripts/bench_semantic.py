#!/usr/bin/env python3
"""Matching by meaning on the dev set (bench/semantic/devset.json, issue 13): precision and
recall of the anomaly -> problem links per model and per language.

For each language the dev set becomes an archive of 32 cases in the organizers' layout (built
by ../shared/tools/gen_cases.py --spec): in case n, an ERROR paraphrasing one KB problem, two
WARNINGs paraphrasing two of its anomalies, one distractor WARNING (the opposite condition,
another instance, a lookalike of an absent problem, or text in no KB). The expected answer is
the two links per case, on the ERROR's line. Each model analyses each archive
(`loglens analyze`) and ../shared/tools/score_report.py scores the submit report. Exact
matching alone is the baseline (it finds nothing: every line is a paraphrase).

    python3 scripts/bench_semantic.py [--bin target/release/loglens] [--models light,heavy]
"""
import argparse
import csv
import datetime as dt
import json
import random
import re
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared"
FILES = ["app_server1_log.txt", "db_server_log.txt", "web_server_log.txt", "router_log.txt",
         "storage_system_log.txt"]
LINES = 3000
HEADER = ["ID сценария", "ID аномалии", "ID проблемы", "Файл с проблемой", "№ строки",
          "Строка из лога"]


def build(devset, lang, tmp):
    """The spec and the expected answer of one language."""
    rng = random.Random(f"devset/{lang}")
    cases, expected = [], []
    for n, case in enumerate(devset["cases"], start=1):
        text = case[lang]
        start = dt.datetime(2025, 11, 1) + dt.timedelta(days=n)
        # Anomalies and the distractor first, the ERROR later (the rule needs no order).
        slots = sorted(rng.sample(range(100, LINES - 100), 4))
        files = [rng.choice(FILES) for _ in slots]
        lines = [{"file": files[i], "line_no": slots[i], "level": "WARNING", "source": "os",
                  "message": m} for i, m in enumerate(text["anomalies"] + [text["distractor"][1]])]
        error_file, error_line = files[3], slots[3]
        lines.append({"file": error_file, "line_no": error_line, "level": "ERROR", "source": "os",
                      "message": text["problem"]})
        cases.append({"n": n, "start": start.strftime("%Y-%m-%dT%H:%M:%S"), "lines": lines})
        ts = (start + dt.timedelta(seconds=error_line - 1)).strftime("%Y-%m-%dT%H:%M:%S")
        raw = f"{ts} ERROR os: {text['problem']}"
        for a in case["anomalies"]:
            expected.append([n, a, case["problem"], error_file, error_line, raw])
    spec = tmp / f"spec-{lang}.json"
    spec.write_text(json.dumps({"root": "", "case_dir": "case {n}", "cases": cases},
                               ensure_ascii=False), encoding="utf-8")
    zip_path = tmp / f"devset-{lang}.zip"
    subprocess.run([sys.executable, str(SHARED / "tools" / "gen_cases.py"), "--spec", str(spec),
                    "--out", str(zip_path), "--lines", str(LINES)], check=True)
    answer = tmp / f"expected-{lang}.csv"
    with open(answer, "w", encoding="utf-8", newline="") as f:
        w = csv.writer(f)
        w.writerow(HEADER)
        w.writerows(expected)
    return zip_path, answer


def score(binary, zip_path, answer, out, args):
    run = subprocess.run([binary, "analyze", str(zip_path), "--out", str(out)] + args,
                         capture_output=True, text=True)
    if run.returncode != 0:
        sys.exit(f"loglens analyze failed: {run.stderr[-2000:]}")
    scored = subprocess.run([sys.executable, str(SHARED / "tools" / "score_report.py"),
                             str(out / "submit_report.xlsx"), str(answer)],
                            capture_output=True, text=True)
    m = re.search(r"precision ([\d.]+) recall ([\d.]+) f1 ([\d.]+)", scored.stdout)
    if not m:
        sys.exit(f"score_report.py said: {scored.stdout[-2000:]} {scored.stderr[-2000:]}")
    extra = [l for l in scored.stdout.splitlines() if l.lower().startswith("extra")]
    return float(m.group(1)), float(m.group(2)), float(m.group(3)), extra


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--bin", default=str(ROOT / "target" / "release" / "loglens"))
    p.add_argument("--models", default="light,heavy")
    p.add_argument("--verbose", action="store_true", help="print the wrong rows")
    a = p.parse_args()
    devset = json.loads((ROOT / "bench" / "semantic" / "devset.json").read_text(encoding="utf-8"))
    n_cases = len(devset["cases"])
    print(f"dev set: {n_cases} problems, {n_cases * 2} expected links per language, "
          f"{n_cases} distractors per language")
    print(f"{'model':12} {'language':8} {'precision':>9} {'recall':>7} {'f1':>6}")
    with tempfile.TemporaryDirectory() as t:
        tmp = Path(t)
        for lang in ["en", "ru"]:
            zip_path, answer = build(devset, lang, tmp)
            runs = [("exact-only", ["--exact-only"])] + [
                (m, ["--model", m]) for m in a.models.split(",") if m]
            for name, args in runs:
                pr, rc, f1, extra = score(a.bin, zip_path, answer, tmp / f"out-{lang}-{name}", args)
                print(f"{name:12} {lang:8} {pr:9.3f} {rc:7.3f} {f1:6.3f}")
                if a.verbose:
                    for line in extra:
                        print("    ", line)


if __name__ == "__main__":
    main()
