#!/usr/bin/env python3
"""The version matrix: the corpus and a differential campaign through the C adapter built against each
OpenSSL release, next to the reference.

    tools/openssl/matrix.py [--versions "1.1.1w 3.0 3.5 3.6 4.0"] [--campaign-count N] [--seed S] [--out DIR]

A version is an exact release (1.1.1w, 3.6.3), a series (3.6: the newest 3.6.x the Debian mirror serves) or
`system` (the installed libcrypto). Each release is fetched and built by fetch-source.sh/build-libcrypto.sh
(cached); the adapter is compiled against it (cached by the adapter's source hash).

Every corpus case runs on every version under that version's profile (1.1.1 for 1.1.1w, 3.0 for 3.0.x, 3.2 from
3.2 on): a case written for another profile has its `profile` line rewritten (line numbers kept), and a case the
profile cannot express (3.0-only statements under 1.1.1, the stack functions before 3.2) is skipped. The campaign
of a 3.2 release generates profile 3.2 scenarios (3.0 ones with stack-function statements). Besides reference-vs-library, the libraries' own logs are compared with each other, and each
behaviour that differs between releases is listed with its scenario.

Writes DIR/matrix.json (read by annotate.py), DIR/report.md and DIR/cases/; prints the table, each difference
with its scenario and both logs, and last `matrix: V versions, N scenarios, D divergences, S skipped`.
Exit status 0 when D is 0, 1 otherwise, 2 on bad usage.
"""
from __future__ import annotations

import argparse
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
TOOLS = REPO / "tools" / "openssl"
CLI = REPO / "artifacts" / "asyncref"
ADAPTER_SRC = REPO / "src" / "adapters" / "openssl"
DELIBERATE = TOOLS / "deliberate-differences.json"
PROFILE_LINE = re.compile(r"^\s*profile\s+(\S+)\s*(#.*)?$")


def cache_root() -> Path:
    return Path(os.environ.get("ASYNCREF_OPENSSL_CACHE", REPO / "artifacts" / "openssl"))


@dataclass
class Version:
    spec: str
    release: str = ""
    profile: str = ""
    prefix: Path | None = None
    adapter: Path | None = None
    skipped: str = ""
    build_seconds: float = 0.0
    build_cold: bool = False
    adapter_seconds: float = 0.0
    cases: dict[str, dict] = field(default_factory=dict)
    campaign: dict = field(default_factory=dict)


def run(cmd: list[str], timeout: float | None = None, env: dict | None = None, cwd: Path | None = None):
    return subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, env=env, cwd=cwd, errors="replace")


def last_line(text: str) -> str:
    lines = [l for l in text.strip().splitlines() if l.strip()]
    return lines[-1] if lines else ""


def profile_of(release: str) -> str:
    """1.1.1 for 1.x; 3.2 (3.0 plus the stack functions) from 3.2 on, 4.x included; 3.0 for 3.0 and 3.1."""
    m = re.match(r"(\d+)\.(\d+)", release)
    major, minor = (int(m.group(1)), int(m.group(2))) if m else (3, 0)
    if major < 3:
        return "1.1.1"
    return "3.2" if (major, minor) >= (3, 2) else "3.0"


def adapter_hash() -> str:
    h = hashlib.sha256()
    for p in sorted(ADAPTER_SRC.glob("*.[ch]")):
        h.update(p.name.encode())
        h.update(p.read_bytes())
    return h.hexdigest()[:16]


def system_release() -> str:
    header = Path("/usr/include/openssl/opensslv.h")
    if header.exists():
        m = re.search(r'OPENSSL_FULL_VERSION_STR\s+"([^"]+)"', header.read_text(errors="replace"))
        if m:
            return m.group(1)
    return ""


def resolve(v: Version) -> None:
    if v.spec == "system":
        v.release = system_release()
        if not v.release:
            v.skipped = "no installed OpenSSL 3 headers (/usr/include/openssl/opensslv.h); apt-get install libssl-dev"
        return
    if re.fullmatch(r"\d+\.\d+\.\d+[a-z]*", v.spec):
        v.release = v.spec
        return
    r = run([str(TOOLS / "fetch-source.sh"), "--newest-fetchable", v.spec])
    if r.returncode != 0:
        v.skipped = last_line(r.stderr) or f"no {v.spec}.x source"
        return
    v.release = r.stdout.strip()


def build(v: Version, log) -> None:
    if v.skipped:
        return
    v.profile = profile_of(v.release)
    tag = adapter_hash()
    cflags = ["gcc", "-std=gnu11", "-O2", "-Wall", "-Wextra", "-Werror", "-pthread"]
    sources = [str(p) for p in sorted(ADAPTER_SRC.glob("*.c"))]
    if v.spec == "system":
        out = REPO / "artifacts" / "matrix-adapters" / f"system-{v.release}-{tag}"
        link = ["-lcrypto"]
        include: list[str] = []
    else:
        stamp = cache_root() / v.release / ".asyncref-built"
        v.build_cold = not stamp.exists()
        start = time.monotonic()
        log(f"matrix: OpenSSL {v.release}: {'building libcrypto (cold, minutes)' if v.build_cold else 'libcrypto cached'}")
        r = run([str(TOOLS / "build-libcrypto.sh"), v.release])
        v.build_seconds = time.monotonic() - start
        if r.returncode != 0:
            v.skipped = last_line(r.stderr) or "build failed"
            return
        v.prefix = Path(r.stdout.strip())
        out = v.prefix / "adapter" / tag
        lib = v.prefix / "lib"
        link = [f"-L{lib}", "-lcrypto", f"-Wl,-rpath,{lib}"]
        include = [f"-I{v.prefix / 'include'}"]
    exe = out / "asyncref-openssl"
    if not exe.exists():
        start = time.monotonic()
        out.mkdir(parents=True, exist_ok=True)
        r = run(cflags + include + ["-o", str(exe) + ".tmp"] + sources + link)
        if r.returncode != 0:
            v.skipped = f"the adapter does not compile against {v.release}: {last_line(r.stderr)}"
            return
        os.replace(str(exe) + ".tmp", exe)
        v.adapter_seconds = time.monotonic() - start
    v.adapter = exe


# ---- the corpus ------------------------------------------------------------------------------------------------

def declared_profile(text: str) -> tuple[str, int | None]:
    for i, line in enumerate(text.split("\n")):
        m = PROFILE_LINE.match(line)
        if m:
            return m.group(1), i
        stripped = line.strip()
        if stripped and not stripped.startswith("#"):
            break
    return "3.0", None


def rewrite(text: str, profile: str) -> str | None:
    """The case under another profile, with every line number kept; None if it cannot be done that way."""
    current, index = declared_profile(text)
    if current == profile:
        return text
    lines = text.split("\n")
    if index is not None:
        lines[index] = f"profile {profile}"
    elif lines and lines[0].lstrip().startswith("#"):
        lines[0] = f"profile {profile}"  # the title comment gives way, so line numbers stay the same
    else:
        return None
    return "\n".join(lines)


def prepare_cases(case_dir: Path, out: Path, profiles: set[str]) -> dict[str, dict]:
    """NAME -> {source, declared, files: {profile: path or None}}."""
    cases: dict[str, dict] = {}
    for src in sorted(case_dir.rglob("*.scn")):
        name = src.relative_to(case_dir).with_suffix("").as_posix()
        text = src.read_text(encoding="utf-8")
        declared, _ = declared_profile(text)
        entry = {"source": str(src.relative_to(REPO)), "declared": declared, "files": {}, "rules": rules_of(text)}
        for profile in profiles:
            rewritten = rewrite(text, profile)
            if rewritten is None:
                entry["files"][profile] = None
                continue
            path = out / "cases" / profile / f"{name}.scn"
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(rewritten, encoding="utf-8")
            entry["files"][profile] = path
        cases[name] = entry
    return cases


def rules_of(text: str) -> list[str]:
    rules: list[str] = []
    for line in text.split("\n"):
        m = re.match(r"^#\s*rules:\s*(.*)$", line)
        if m:
            rules += m.group(1).split()
    return rules


OUTPUT_LIMIT = 1 << 20


def run_adapter(adapter: Path, scn: Path, timeout: float = 20) -> dict:
    """Runs the adapter with bounded time and output: under 1.1.1 some UB scenarios never stop printing."""
    import selectors
    proc = subprocess.Popen([str(adapter), str(scn)], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    chunks = {proc.stdout: bytearray(), proc.stderr: bytearray()}
    sel = selectors.DefaultSelector()
    for stream in chunks:
        sel.register(stream, selectors.EVENT_READ)
    deadline = time.monotonic() + timeout
    status: int | str = ""
    open_streams = 2
    while open_streams:
        left = deadline - time.monotonic()
        if left <= 0:
            status = "timeout"
            break
        for key, _ in sel.select(left):
            data = key.fileobj.read1(65536)
            if not data:
                sel.unregister(key.fileobj)
                open_streams -= 1
                continue
            chunks[key.fileobj] += data
        if len(chunks[proc.stdout]) > OUTPUT_LIMIT:
            status = "output-limit"
            break
    if status:
        proc.kill()
    code = proc.wait()
    return {"exit": status or code,
            "stdout": chunks[proc.stdout][:OUTPUT_LIMIT].decode("utf-8", "replace"),
            "stderr": chunks[proc.stderr].decode("utf-8", "replace")}


def ub_index(reference: str) -> int | None:
    """The index of the reference log's first UB line (its lines before it are the defined part)."""
    for i, line in enumerate(reference.split("\n")):
        if " => UB " in line or line.startswith("UB "):
            return i
    return None


def reference_log(scn: Path) -> str:
    r = run([str(CLI), "run", str(scn)], timeout=60)
    return r.stdout if r.returncode == 0 else f"(asyncref run failed: {last_line(r.stderr)})\n"


def run_corpus(v: Version, cases: dict[str, dict]) -> None:
    runnable: list[tuple[str, Path]] = []
    for name, entry in cases.items():
        path = entry["files"].get(v.profile)
        record: dict = {"rewritten": entry["declared"] != v.profile}
        v.cases[name] = record
        if path is None:
            record.update(verdict="skipped", message="the case cannot be rewritten to this profile")
            continue
        raw = run_adapter(v.adapter, path)
        record["libcrypto"] = raw
        if raw["exit"] == 2:
            record.update(verdict="skipped", message=f"not expressible in profile {v.profile}: {last_line(raw['stderr'])}")
            continue
        runnable.append((name, path))
    if not runnable:
        return
    r = run([str(CLI), "check", "--json", "--impl", str(v.adapter)] + [str(p) for _, p in runnable], timeout=3600)
    try:
        report = json.loads(r.stdout)
    except json.JSONDecodeError:
        for name, _ in runnable:
            v.cases[name].update(verdict="error", message=f"asyncref check failed: {last_line(r.stderr)}")
        return
    by_file = {c["file"]: c for c in report["cases"]}
    for name, path in runnable:
        c = by_file.get(str(path))
        rec = v.cases[name]
        if c is None:
            rec.update(verdict="error", message="missing from asyncref check's report")
            continue
        rec.update(verdict=c["verdict"], message=c["message"], line=c["line"], reference=c["reference"], other=c["other"])
        if c["verdict"] in ("timeout", "output-too-large", "other-crashed"):
            # The library ran away (1.1.1's endless nested start) or crashed: fine if it happened after the point
            # where the reference reports UB and everything before it agreed.
            reference = reference_log(path)
            k = ub_index(reference)
            if k is not None and rec["libcrypto"]["stdout"].split("\n")[:k] == reference.split("\n")[:k]:
                rec.update(verdict="stopped-at-ub", message=f"agreed up to the UB point; then the library: {c['message']}")


# ---- the campaign ----------------------------------------------------------------------------------------------

def has_fuzz() -> bool:
    r = run([str(CLI), "fuzz", "--help"])
    return r.returncode == 0 and "--impl" in r.stdout


def run_campaign(v: Version, count: int, seed: int, out: Path, log) -> None:
    if count <= 0:
        v.campaign = {"kind": "none", "scenarios": 0, "divergences": 0, "note": "campaign disabled (--campaign-count 0)"}
        return
    start = time.monotonic()
    if has_fuzz():
        help_text = run([str(CLI), "fuzz", "--help"]).stdout
        cmd = [str(CLI), "fuzz", "--impl", str(v.adapter), "--seed", str(seed), "--count", str(count)]
        if "--profile" in help_text:
            cmd += ["--profile", v.profile]
        elif v.profile != "3.0":
            v.campaign = {"kind": "fuzz", "scenarios": 0, "divergences": 0, "skipped": count,
                          "note": f"asyncref fuzz generates profile 3.0 scenarios only; none run on a {v.profile} library"}
            return
        report_dir = out / f"campaign-{v.release}"
        for flag in ("--out", "--output"):
            if flag in help_text:
                cmd += [flag, str(report_dir)]
                break
        log(f"matrix: OpenSSL {v.release}: campaign: {' '.join(cmd[1:])}")
        r = run(cmd, timeout=6 * 3600)
        v.campaign = parse_fuzz(r, count, report_dir / "report.json")
        v.campaign["command"] = "asyncref " + " ".join(cmd[1:]).replace(str(v.adapter), "ADAPTER")
    else:
        env = dict(os.environ, ASYNCREF_DIFFERENTIAL_TESTS=str(count), ASYNCREF_DIFFERENTIAL_ADAPTER=str(v.adapter),
                   ASYNCREF_DIFFERENTIAL_PROFILE=v.profile)
        cmd = ["dotnet", "test", "tests/Property", "-c", os.environ.get("CONFIG", "Debug"), "--no-build",
               "--filter", "FullyQualifiedName~Differential"]
        log(f"matrix: OpenSSL {v.release}: campaign: differential property, {count} scenarios (asyncref fuzz is not available)")
        r = run(cmd, timeout=6 * 3600, env=env, cwd=REPO)
        passed = r.returncode == 0
        counterexample = REPO / "artifacts" / "counterexamples" / "differential.scn"
        v.campaign = {"kind": "property", "scenarios": count, "divergences": 0 if passed else 1,
                      "note": "DifferentialProperties (FsCheck, random seed) pointed at this adapter"}
        if not passed:
            v.campaign["failure"] = "\n".join(l for l in r.stdout.splitlines() if "reference:" in l or "libcrypto:" in l or "replay:" in l)
            if counterexample.exists():
                saved = out / f"campaign-{v.release}.scn"
                shutil.copy(counterexample, saved)
                v.campaign["scenario"] = str(saved)
    v.campaign["seconds"] = round(time.monotonic() - start, 1)


def parse_fuzz(r, count: int, report_path: Path) -> dict:
    """The campaign's scenarios and divergences: from its report.json when it wrote one, else from its text."""
    result: dict = {"kind": "fuzz", "scenarios": 0, "divergences": 0, "exit": r.returncode}
    if report_path.exists():
        data = json.loads(report_path.read_text())
        result["scenarios"] = int(data.get("scenarios", 0))
        result["divergences"] = int(data.get("outcomes", {}).get("divergence", 0))
        result["outcomes"] = data.get("outcomes", {})
        classes = data.get("divergences", [])
        if classes:
            result["failure"] = "\n".join(f"{c.get('count')}x {c.get('message')} (replay: {c.get('file')})" for c in classes)
            first = next((c.get("file") for c in classes if c.get("file")), None)
            if first and (report_path.parent / first).exists():
                result["scenario"] = str(report_path.parent / first)
        return result
    text = r.stdout + "\n" + r.stderr
    m = re.search(r"(\d+)\s+scenarios", text)
    result["scenarios"] = int(m.group(1)) if m else (count if r.returncode == 0 else 0)
    m = re.search(r"(\d+)\s+divergen", text)
    result["divergences"] = int(m.group(1)) if m else (0 if r.returncode == 0 else 1)
    result["output"] = "\n".join(text.strip().splitlines()[-30:])
    return result


# ---- differences between releases ------------------------------------------------------------------------------

def version_differences(versions: list[Version], cases: dict[str, dict]) -> list[dict]:
    """Cases whose library logs differ between releases, compared up to the reference's UB point."""
    diffs = []
    live = [v for v in versions if not v.skipped]
    for name, entry in cases.items():
        ran = [(v, v.cases[name]["libcrypto"]) for v in live
               if v.cases.get(name, {}).get("verdict") not in (None, "skipped") and "libcrypto" in v.cases[name]]
        if len({(raw["stdout"], raw["exit"]) for _, raw in ran}) <= 1:
            continue
        groups: dict[str, list[str]] = {}
        references: dict[str, str] = {}
        for v, raw in ran:
            if v.profile not in references:
                references[v.profile] = reference_log(entry["files"][v.profile])
            k = ub_index(references[v.profile])
            if k is None:
                shown = raw["stdout"] + (f"(exit status {raw['exit']})\n" if raw["exit"] != 0 else "")
            else:
                shown = "".join(l + "\n" for l in raw["stdout"].split("\n")[:k]) + "(the reference reports UB here)\n"
            groups.setdefault(shown, []).append(v.release)
        if len(groups) > 1:
            diffs.append({"case": name, "source": entry["source"], "rules": entry["rules"],
                          "groups": [{"versions": vs, "log": log} for log, vs in groups.items()]})
    return diffs


# ---- report ----------------------------------------------------------------------------------------------------

def load_deliberate() -> list[dict]:
    if DELIBERATE.exists():
        return json.loads(DELIBERATE.read_text())["differences"]
    return []


def deliberate_reason(deliberate: list[dict], case: str, release: str) -> str | None:
    for d in deliberate:
        if d["case"] == case and any(release.startswith(p) for p in d["versions"]):
            return d["reason"]
    return None


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--versions", default=os.environ.get("MATRIX_VERSIONS", "1.1.1w 3.0 3.5 3.6 4.0"))
    ap.add_argument("--cases", default=str(REPO / "spec" / "cases"))
    ap.add_argument("--campaign-count", type=int, default=int(os.environ.get("MATRIX_CAMPAIGN_COUNT", "20000")))
    ap.add_argument("--seed", type=int, default=int(os.environ.get("MATRIX_SEED", "20260101")))
    ap.add_argument("--out", default=str(REPO / "artifacts" / "matrix"))
    args = ap.parse_args()

    def log(msg: str) -> None:
        print(msg, file=sys.stderr, flush=True)

    if not CLI.exists():
        print(f"matrix: {CLI} is missing: run `make build` first", file=sys.stderr)
        return 2
    out = Path(args.out)
    if out.exists():
        shutil.rmtree(out)
    out.mkdir(parents=True)

    versions = [Version(spec) for spec in args.versions.split()]
    for v in versions:
        resolve(v)
        build(v, log)
        if v.skipped:
            log(f"matrix: {v.spec}: skipped: {v.skipped}")
    seen: set[str] = set()
    for v in versions:  # one row per release even if two specs name the same one
        if not v.skipped and v.release in seen:
            v.skipped = f"duplicate of {v.release}"
        seen.add(v.release)

    profiles = {v.profile for v in versions if not v.skipped}
    cases = prepare_cases(Path(args.cases), out, profiles or {"3.0"})
    deliberate = load_deliberate()
    for v in versions:
        if v.skipped:
            continue
        log(f"matrix: OpenSSL {v.release}: corpus ({len(cases)} cases, profile {v.profile})")
        run_corpus(v, cases)
        run_campaign(v, args.campaign_count, args.seed, out, log)

    diffs = version_differences(versions, cases)
    return report(versions, cases, diffs, deliberate, args, out)


def report(versions, cases, diffs, deliberate, args, out: Path) -> int:
    lines: list[str] = []
    header = ("| OpenSSL | profile | cases run | matched | stopped at UB | divergent | skipped | "
              "campaign scenarios | campaign divergences | libcrypto build |")
    lines += [header, "|" + "---|" * 10]
    total_scenarios = total_div = total_skipped = 0
    divergences: list[tuple[Version, str, dict, str | None]] = []
    for v in versions:
        if v.skipped:
            lines.append(f"| {v.spec} | - | - | - | - | - | {len(cases)} | - | - | skipped: {v.skipped} |")
            total_skipped += len(cases)
            continue
        counts = {"match": 0, "stopped-at-ub": 0, "divergent": 0, "skipped": 0}
        for name, rec in v.cases.items():
            verdict = rec.get("verdict")
            if verdict == "match":
                counts["match"] += 1
            elif verdict == "stopped-at-ub":
                counts["stopped-at-ub"] += 1
            elif verdict in ("skipped", "skipped-profile"):
                counts["skipped"] += 1
            else:
                counts["divergent"] += 1
                divergences.append((v, name, rec, deliberate_reason(deliberate, name, v.release)))
        ran = counts["match"] + counts["stopped-at-ub"] + counts["divergent"]
        camp = v.campaign
        camp_n = camp.get("scenarios", 0)
        camp_d = camp.get("divergences", 0)
        camp_cell = str(camp_n) + (f" ({camp['kind']})" if camp.get("kind") not in (None, "fuzz") else "")
        if camp.get("skipped"):
            camp_cell = f"skipped: {camp.get('note', '')}"
        total_scenarios += ran + camp_n
        total_skipped += counts["skipped"] + camp.get("skipped", 0)
        total_div += camp_d
        if v.spec == "system":
            build_cell = "installed"
        else:
            build_cell = f"{'cold' if v.build_cold else 'warm'} {v.build_seconds:.1f} s"
            stamp = cache_root() / v.release / ".asyncref-built"
            cpu = re.search(r"^cpu-seconds (\d+)", stamp.read_text(), re.M) if stamp.exists() else None
            if cpu:
                build_cell += f" (cold build: {cpu.group(1)} s CPU)"
        label = f"{v.release} (installed)" if v.spec == "system" else v.release
        lines.append(f"| {label} | {v.profile} | {ran} | {counts['match']} | {counts['stopped-at-ub']} | "
                     f"{counts['divergent']} | {counts['skipped']} | {camp_cell} | {camp_d} | {build_cell} |")
    counted = [d for d in divergences if d[3] is None]
    total_div += len(counted)
    lines.append("")
    lines.append("Cases run = corpus cases run under the release's profile (a case written for the other profile has its "
                 "`profile` line rewritten); skipped = cases the profile cannot express.")

    detail: list[str] = []
    for v, name, rec, reason in divergences:
        scn = cases[name]["files"][v.profile]
        detail.append(f"### {name} on OpenSSL {v.release}" + (" (deliberate, not counted)" if reason else ""))
        if reason:
            detail.append(f"Deliberate: {reason}")
        detail.append(f"{rec.get('message', '')}")
        detail.append(f"- reference: `{rec.get('reference')}`\n- libcrypto: `{rec.get('other')}`")
        detail.append("Scenario:\n```\n" + Path(scn).read_text() + "```")
        detail.append("Reference log:\n```\n" + reference_log(Path(scn)) + "```")
        raw = rec.get("libcrypto", {})
        detail.append(f"libcrypto {v.release} log (exit {raw.get('exit')}):\n```\n" + raw.get("stdout", "") + raw.get("stderr", "") + "```")
    for v in versions:
        c = v.campaign
        if c.get("divergences"):
            detail.append(f"### campaign on OpenSSL {v.release}")
            detail.append("```\n" + (c.get("failure") or c.get("output") or json.dumps(c.get("raw", {}), indent=1)) + "\n```")
            if c.get("scenario"):
                detail.append("Scenario:\n```\n" + Path(c["scenario"]).read_text() + "```")

    diff_lines: list[str] = []
    for d in diffs:
        diff_lines.append(f"### {d['case']} ({d['source']})")
        diff_lines.append("Scenario:\n```\n" + (REPO / d["source"]).read_text(encoding="utf-8") + "```")
        for g in d["groups"]:
            diff_lines.append(f"{', '.join(g['versions'])}:\n```\n{g['log']}```")

    summary = (f"matrix: {sum(1 for v in versions if not v.skipped)} versions, {total_scenarios} scenarios, "
               f"{total_div} divergences, {total_skipped} skipped")
    text = "\n".join(lines)
    if detail:
        text += "\n\n## Divergences from the reference\n\n" + "\n\n".join(detail)
    if diff_lines:
        text += "\n\n## Behaviour that differs between releases\n\n" + "\n\n".join(diff_lines)
    print(text)
    print(summary)

    data = {
        "seed": args.seed,
        "campaignCount": args.campaign_count,
        "summary": summary,
        "versions": [{
            "spec": v.spec, "release": v.release, "profile": v.profile, "skipped": v.skipped,
            "installed": v.spec == "system",
            "buildSeconds": round(v.build_seconds, 1), "buildCold": v.build_cold,
            "cases": {n: {k: r.get(k) for k in ("verdict", "rewritten", "message", "reference", "other")}
                      for n, r in v.cases.items()},
            "campaign": {k: c for k, c in v.campaign.items() if k != "raw"},
        } for v in versions],
        "caseRules": {n: e["rules"] for n, e in cases.items()},
        "caseSources": {n: e["source"] for n, e in cases.items()},
        "caseProfiles": {n: e["declared"] for n, e in cases.items()},
        "differences": diffs,
        "divergences": [{"case": n, "release": v.release, "deliberate": reason} for v, n, _, reason in divergences],
    }
    # Paths relative to the repository, so the file can be kept in spec/.
    (out / "matrix.json").write_text(json.dumps(data, indent=1).replace(str(REPO) + "/", "") + "\n")
    (out / "report.md").write_text(text + "\n" + summary + "\n")
    return 0 if total_div == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
