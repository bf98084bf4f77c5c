#!/usr/bin/env python3
"""Writes the gen_cases.py spec of the performance benchmark: 30 cases in the organizers'
layout (Test Cases/TestCase N), each with 2-12 WARNING/ERROR lines taken from the official
KB (exact texts, generic anomalies, two-id texts) and a few paraphrases, at deterministic
positions. With gen_cases.py --lines 50000 this is 30 x 10 files x 50,000 = 15 M lines."""
import csv
import json
import random
import sys

kb_path, out = sys.argv[1], sys.argv[2]
rows = list(csv.reader(open(kb_path, encoding="utf-8-sig"), delimiter=";"))[1:]
by_problem = {}
for a_id, a_text, p_id, p_text in rows:
    by_problem.setdefault(int(p_id), (p_text, []))[1].append(a_text)
files = ["app_server1_log.txt", "app_server2_log.txt", "db_server_log.txt", "web_server_log.txt",
         "firewall_log.txt", "router_log.txt", "backup_server_log.txt", "storage_system_log.txt",
         "switch1_log.txt", "switch2_log.txt"]
paraphrases = ["Network routing anomaly detected", "Database performance is slow",
               "the RAID array is degraded", "Overheating alert on the host"]
rng = random.Random(2025)
cases = []
for n in range(1, 31):
    problem = rng.choice(sorted(by_problem))
    p_text, anomalies = by_problem[problem]
    lines = []
    used = set()
    def place(level, msg):
        while True:
            f, ln = rng.choice(files), rng.randint(100, 49_900)
            if (f, ln) not in used:
                used.add((f, ln))
                lines.append({"file": f, "line_no": ln, "level": level, "source": "os", "message": msg})
                return
    place("ERROR", p_text)
    for a in rng.sample(anomalies, k=min(len(anomalies), rng.randint(1, 8))):
        place("WARNING", a)
    for _ in range(rng.randint(0, 2)):
        place("WARNING", rng.choice(paraphrases))
    cases.append({"n": n, "start": f"2025-10-{(n % 28) + 1:02d}T00:00:00", "lines": lines})
json.dump({"root": "Test Cases", "case_dir": "TestCase {n}", "cases": cases}, open(out, "w"), indent=1)
