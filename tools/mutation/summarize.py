#!/usr/bin/env python3
"""Summarises Stryker.NET JSON reports (mutation-testing-report-schema) as Markdown.

Usage: summarize.py REPORT.json [REPORT.json ...]
Several reports (e.g. one run per folder) are merged file by file; a file present in several reports takes the
report given last. Prints the score per folder (Runtime, WaitContext, Model), per file, and every mutant that
survived or was not covered, with its location, mutator and replacement.
"""
import json
import sys
from collections import OrderedDict

DETECTED = {"Killed", "Timeout"}
UNDETECTED = {"Survived", "NoCoverage"}


def load(paths):
    files = OrderedDict()
    for path in paths:
        with open(path, encoding="utf-8") as f:
            report = json.load(f)
        for name, data in report["files"].items():
            mutants = [m for m in data["mutants"] if m["status"] in DETECTED | UNDETECTED]
            if mutants:
                files[name] = (data, mutants)
    return files


def short(name):
    i = name.find("src/AsyncRef/")
    return name[i + len("src/AsyncRef/"):] if i >= 0 else name


def folder(name):
    return short(name).split("/")[0]


def counts(mutants):
    c = {s: 0 for s in ("Killed", "Timeout", "Survived", "NoCoverage")}
    for m in mutants:
        c[m["status"]] += 1
    detected = c["Killed"] + c["Timeout"]
    total = detected + c["Survived"] + c["NoCoverage"]
    return c, (100.0 * detected / total if total else 100.0), total


def row(label, mutants):
    c, score, total = counts(mutants)
    return f"| {label} | {score:.1f}% | {c['Killed']} | {c['Timeout']} | {c['Survived']} | {c['NoCoverage']} | {total} |"


def main(paths):
    files = load(paths)
    header = "| | score | killed | timeout | survived | no coverage | total |\n|---|---:|---:|---:|---:|---:|---:|"
    print("### Score per folder\n")
    print(header)
    folders = OrderedDict()
    for name, (_, mutants) in files.items():
        folders.setdefault(folder(name), []).extend(mutants)
    for name in sorted(folders):
        print(row(name, folders[name]))
    print(row("**all**", [m for ms in folders.values() for m in ms]))
    print("\n### Score per file\n")
    print(header)
    for name in sorted(files, key=short):
        print(row(short(name), files[name][1]))
    print("\n### Mutants not detected\n")
    for name in sorted(files, key=short):
        data, mutants = files[name]
        lines = data["source"].split("\n")
        for m in sorted((m for m in mutants if m["status"] in UNDETECTED), key=lambda m: (m["location"]["start"]["line"], m["location"]["start"]["column"])):
            line = m["location"]["start"]["line"]
            original = lines[line - 1].strip() if line - 1 < len(lines) else ""
            replacement = " ".join(m.get("replacement", "").split())
            print(f"- `{short(name)}:{line}` {m['status']}, {m['mutatorName']}: `{original[:110]}` → `{replacement[:110]}`")


if __name__ == "__main__":
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    main(sys.argv[1:])
