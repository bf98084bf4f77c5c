#!/usr/bin/env python3
"""Calibrates the decision rule of matching by meaning (issue 13) on the dev set, per model.

Input: the scores `backend/examples/devset_scores.rs` dumps for every dev-set text against
every KB problem and anomaly — cosine and lexical, after the glossary — with what the engine's
vetoes say of it, and the thresholds the engine uses now (`matching::Thresholds::of`):

    cargo run --release -p loglens --example devset_scores -- light heavy > /tmp/scores.json
    python3 scripts/calibrate_semantic.py /tmp/scores.json [--search]

It replays the engine's rule on each dev-set case (one ERROR, two anomaly WARNINGs, one
distractor; see scripts/bench_semantic.py) and prints precision and recall of the links per
model and language, plus a **leave-one-out** precision check: the case's own problem is taken
out of the KB, and any link the case then makes is a false one (the dev set's distractors are
WARNINGs; this is the check for an ERROR whose problem the KB does not know).

With --search it grid-searches the constants (maximising the worse language's F1 with at most
one leave-one-out false link in 16 cases, --max-loo), on all cases and on each half, and reports the
constants found on one half scored on the other (a held-out estimate). It first prints how
often each model — and light+heavy ensembles — ranks the right KB text first.
"""
import argparse
import itertools
import json
import statistics

GRID = {
    "error": [0.9, 0.95],
    "error_floor": [0.3, 0.5],
    "error_margin": [0.02, 0.05, 9],
    "error_z": [3, 4, 99],
    "warning": [0.85, 0.9, 0.95],
    "warning_floor": [0.3, 0.5],
    "warning_margin": [0.005, 0.01, 0.02],
    "warning_z": [3, 4, 99],
    "veto_margin": [0.01, 0.05, 0.1],
    "veto_wide": [0.05, 0.1, 9],
}
MAX_LOO = 1 / 16


def combined(cos, lex):
    return [max(c, (c + l) / 2) for c, l in zip(cos, lex)]


class Data:
    def __init__(self, path):
        d = json.load(open(path, encoding="utf-8"))
        self.problems = [p["id"] for p in d["problems"]]
        self.problem_norm = [p["norm"] for p in d["problems"]]
        self.anomaly_norm = [a["norm"] for a in d["anomalies"]]
        self.links = [[tuple(x) for x in a["links"]] for a in d["anomalies"]]
        # Anomalies the KB words as a fault: a WARNING naming no fault is not evidence of them.
        self.faulty = frozenset(i for i, a in enumerate(d["anomalies"]) if a["fault"])
        self.models = d["models"]
        self._cache = {}

    def candidate(self, q, side, keep):
        """Best score among `keep`, its runner-up there, and its z-score among all scores. KB
        texts saying a quantity went the other way than the line are never candidates."""
        key = (id(q), side, keep)
        if key not in self._cache:
            s = combined(q[f"cos_{side}_g"], q[f"lex_{side}_g"])
            texts = self.problem_norm if side == "p" else self.anomaly_norm
            opposite = set(q[f"opposite_{side}"])
            idx = [i for i in range(len(s))
                   if (keep is None or i in keep) and i not in opposite]
            if not idx:
                self._cache[key] = None
            else:
                b = max(idx, key=lambda i: s[i])
                r = max((s[i] for i in idx if i != b and texts[i] != texts[b]), default=0.0)
                mu, sd = statistics.mean(s), statistics.pstdev(s)
                z = (s[b] - mu) / sd if sd > 1e-9 else 0.0
                self._cache[key] = (b, s[b], s[b] - r, z)
        return self._cache[key]

    def scope(self, present):
        return frozenset(i for i, l in enumerate(self.links) if any(p in present for _, p in l))


def takes(t, kind, c):
    _, score, margin, z = c
    return score >= t[kind] or (
        score >= t[f"{kind}_floor"] and (margin >= t[f"{kind}_margin"] or z >= t[f"{kind}_z"]))


def takes_error(t, e):
    return e is not None and takes(t, "error", e["c"]) and not e["vetoed"]


def closer_elsewhere(t, scoped, overall):
    """An absent problem's anomaly is clearly closer: ahead by the veto margin and a confident
    match of its own (the absolute threshold), or ahead by the wide margin."""
    ahead = overall[1] - scoped[1]
    return ahead > t["veto_margin"] and (
        overall[1] >= t["warning"] or ahead > t["veto_wide"])


def takes_anomaly(t, w):
    """The anomaly index a WARNING is taken for, or None (as `matching::match_case`)."""
    scoped, overall = w["scoped"], w["overall"]

    def stands(c):
        return (takes(t, "warning", c) and c[0] not in w["vetoed"]
                and (not w["neutral"] or c[1] >= t["warning"]))
    if scoped and overall and stands(scoped) and not closer_elsewhere(t, scoped, overall):
        return scoped[0]
    if overall and stands(overall):
        return overall[0]
    return None


class Facts:
    """What the rule weighs for every dev-set case, computed once (thresholds only compare)."""

    def __init__(self, data, model, lang):
        self.cases = []
        for case in data.models[model][lang]:
            qs, pid = case["queries"], case["problem"]
            removed = frozenset(
                i for i, l in enumerate(data.links) if all(p == pid for _, p in l))
            allowed = frozenset(range(len(data.links))) - removed
            runs = []
            for exclude in (None, pid):
                keep = None if exclude is None else frozenset(
                    i for i, p in enumerate(data.problems) if p != exclude)
                c = data.candidate(qs[0], "p", keep)
                error = None if c is None else {
                    "c": c, "problem": data.problems[c[0]],
                    "vetoed": qs[0]["recovery"] or c[0] in qs[0]["other_instance_p"]}
                warnings = []
                if error is not None:
                    present = {error["problem"]}
                    base = allowed if exclude is not None else None
                    scope = data.scope(present) & (base or frozenset(range(len(data.links))))
                    for q in qs[1:]:
                        # A WARNING that states a recovery stands for nothing; one that
                        # names no fault, only for an anomaly the KB words neutrally too.
                        vetoed = set(range(len(data.links))) if q["recovery"] else set(
                            q["other_instance_a"])
                        if not q["fault"]:
                            vetoed |= data.faulty
                        warnings.append({
                            "scoped": data.candidate(q, "a", scope),
                            "overall": data.candidate(q, "a", base),
                            "vetoed": vetoed, "neutral": not q["fault"]})
                runs.append((error, warnings))
            self.cases.append({"pid": pid, "anomalies": case["anomalies"], "runs": runs})


def evaluate(data, facts, t, cases=None):
    tp = fp = fn = loo = n = 0
    for k, case in enumerate(facts.cases):
        if cases is not None and k not in cases:
            continue
        n += 1
        pid = case["pid"]
        expected = {(a, pid) for a in case["anomalies"]}
        (error, warnings), (loo_error, loo_warnings) = case["runs"]
        rows = set()
        if takes_error(t, error):
            present = {error["problem"]}
            for w in warnings:
                a = takes_anomaly(t, w)
                if a is not None:
                    rows |= {(x, p) for x, p in data.links[a] if p in present}
        tp += len(rows & expected)
        fp += len(rows - expected)
        fn += len(expected - rows)
        # Leave one out: the case's problem (and anomalies only it has) are not in the KB.
        if takes_error(t, loo_error) and any(
                (a := takes_anomaly(t, w)) is not None
                and any(p == loo_error["problem"] for _, p in data.links[a])
                for w in loo_warnings):
            loo += 1
    precision = tp / (tp + fp) if tp + fp else 1.0
    recall = tp / (tp + fn) if tp + fn else 1.0
    return precision, recall, loo / max(n, 1)


def f1(p, r):
    return 2 * p * r / (p + r) if p + r else 0.0


def search(data, facts, cases, max_loo):
    best = None
    keys = list(GRID)
    for values in itertools.product(*(GRID[k] for k in keys)):
        t = dict(zip(keys, values))
        res = {lang: evaluate(data, facts[lang], t, cases) for lang in ("en", "ru")}
        if max(r[2] for r in res.values()) > max_loo:
            continue
        score = min(f1(p, r) for p, r, _ in res.values())
        if best is None or score > best[0]:
            best = (score, t, res)
    return best


def show(label, res):
    cells = "  ".join(f"{lang}: P {p:.3f} R {r:.3f} LOO {l:.3f}" for lang, (p, r, l) in res.items())
    print(f"  {label:28} {cells}")


def ranking(data, cos_of):
    """How often the right KB text is the best: ERROR among all problems, anomaly among the
    true problem's anomalies (what the rule can at most recover)."""
    out = {}
    for lang in ("en", "ru"):
        errors = anomalies = 0
        cases = data.models["heavy"][lang]
        for k, case in enumerate(cases):
            pid = case["problem"]
            q = case["queries"][0]
            s = combined(cos_of(lang, k, 0, "p"), q["lex_p_g"])
            errors += data.problems[max(range(len(s)), key=s.__getitem__)] == pid
            scope = data.scope({pid})
            for j, aid in enumerate(case["anomalies"], start=1):
                s = combined(cos_of(lang, k, j, "a"), case["queries"][j]["lex_a_g"])
                best = max(scope, key=s.__getitem__)
                anomalies += any(a == aid for a, _ in data.links[best])
        out[lang] = f"ERROR {errors}/{len(cases)}, anomaly {anomalies}/{2 * len(cases)}"
    return out


def show_ranking(data):
    """Top-1 of each model and of light+heavy ensembles (cosines averaged)."""
    def cos(model):
        return lambda lang, k, j, side: data.models[model][lang][k]["queries"][j][f"cos_{side}_g"]
    rows = [(m, cos(m)) for m in ("light", "heavy") if m in data.models]
    if len(rows) == 2:
        for w in (0.5, 0.6, 0.7):
            def mix(lang, k, j, side, w=w):
                h, li = cos("heavy")(lang, k, j, side), cos("light")(lang, k, j, side)
                return [w * a + (1 - w) * b for a, b in zip(h, li)]
            rows.append((f"{w:.1f} heavy + {1 - w:.1f} light", mix))
    print("top-1 (glossary applied):")
    for name, f in rows:
        r = ranking(data, f)
        print(f"  {name:24} en: {r['en']}  ru: {r['ru']}")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("scores")
    ap.add_argument("--search", action="store_true")
    ap.add_argument("--max-loo", type=float, default=MAX_LOO,
                    help="largest share of cases with a false link when their problem is left out")
    a = ap.parse_args()
    data = Data(a.scores)
    show_ranking(data)
    for model in data.models:
        n = len(data.models[model]["en"])
        # JSON has no infinity: the engine's "never by this test alone" arrives as null.
        current = {k: float("inf") if v is None else v
                   for k, v in data.models[model]["thresholds"].items()}
        facts = {lang: Facts(data, model, lang) for lang in ("en", "ru")}
        print(f"{model}: engine thresholds {current}")
        show("engine rule, all cases", {
            lang: evaluate(data, facts[lang], current) for lang in ("en", "ru")})
        if not a.search:
            continue
        odd, even = set(range(1, n, 2)), set(range(0, n, 2))
        for name, cases in (("all", None), ("odd", odd), ("even", even)):
            found = search(data, facts, cases, a.max_loo)
            if found is None:
                print(f"  search on {name}: nothing within the leave-one-out bound")
                continue
            _, t, res = found
            print(f"  best on {name} cases: {t}")
            show(f"  scored on {name}", res)
            if cases is not None:
                other = even if cases is odd else odd
                show("  scored on the other half", {
                    lang: evaluate(data, facts[lang], t, other) for lang in ("en", "ru")})


if __name__ == "__main__":
    main()
