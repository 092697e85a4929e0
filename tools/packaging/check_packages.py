#!/usr/bin/env python3
"""Checks the packages `make pack` wrote: each carries its README, licence, description and repository commit; each
library its XML docs next to its dll; AsyncRef.Testing its Coyote build step; AsyncRef.Cli installs as the .NET tool
`asyncref` and answers --version. Prints one line per check and ends with "N passed, M failed" (exit 1 on a failure).

Usage: check_packages.py DIR   (DIR holds the .nupkg files, e.g. artifacts/packages)
"""
import os
import re
import subprocess
import sys
import tempfile
import xml.etree.ElementTree as ET
import zipfile

LIBRARIES = ["AsyncRef", "AsyncRef.Testing"]
TOOL = "AsyncRef.Cli"
TOOL_COMMAND = "asyncref"
TFM = "net10.0"

results = []


def check(ok, what):
    results.append(ok)
    print(("ok   " if ok else "FAIL ") + what)
    return ok


def find_package(directory, package_id):
    pattern = re.compile(re.escape(package_id) + r"\.(\d+\.\d+\.\d+[^/]*)\.nupkg$")
    found = [(m.group(1), name) for name in os.listdir(directory) if (m := pattern.match(name))]
    return max(found) if found else (None, None)


def nuspec_metadata(package):
    name = next(n for n in package.namelist() if n.endswith(".nuspec") and "/" not in n)
    root = ET.fromstring(package.read(name))
    namespace = root.tag[: root.tag.index("}") + 1] if root.tag.startswith("{") else ""
    metadata = root.find(namespace + "metadata")
    return metadata, namespace


def check_common(package_id, package, metadata, ns):
    def text(tag):
        element = metadata.find(ns + tag)
        return (element.text or "").strip() if element is not None else ""

    readme = text("readme")
    if check(readme != "", f"{package_id}: nuspec names a README"):
        entry = package.read(readme).decode("utf-8") if readme in package.namelist() else ""
        check(len(entry) > 200 and entry.startswith("# "), f"{package_id}: {readme} is in the package and has content")
    license_element = metadata.find(ns + "license")
    check(license_element is not None and license_element.get("type") == "expression" and license_element.text,
          f"{package_id}: licence expression")
    check(len(text("description")) > 40, f"{package_id}: description")
    repository = metadata.find(ns + "repository")
    check(repository is not None and re.fullmatch(r"[0-9a-f]{40}", repository.get("commit", "")) is not None,
          f"{package_id}: repository commit (SourceLink)")


def check_library(directory, package_id):
    version, path = find_package(directory, package_id)
    if not check(path is not None, f"{package_id}: package present in {directory}"):
        return
    with zipfile.ZipFile(os.path.join(directory, path)) as package:
        metadata, ns = nuspec_metadata(package)
        check_common(package_id, package, metadata, ns)
        names = set(package.namelist())
        check(f"lib/{TFM}/{package_id}.dll" in names, f"{package_id}: lib/{TFM}/{package_id}.dll")
        docs = f"lib/{TFM}/{package_id}.xml"
        if check(docs in names, f"{package_id}: XML docs {docs}"):
            members = ET.fromstring(package.read(docs)).findall("./members/member")
            check(len(members) > 20, f"{package_id}: XML docs document {len(members)} members")
        if package_id == "AsyncRef.Testing":
            for folder in ("build", "buildTransitive"):
                check(f"{folder}/AsyncRef.Testing.targets" in names, f"{package_id}: {folder}/AsyncRef.Testing.targets")
            dependencies = {d.get("id") for d in metadata.iter(ns + "dependency")}
            check({"AsyncRef", "Microsoft.Coyote"} <= dependencies, f"{package_id}: depends on AsyncRef and Microsoft.Coyote")


def check_tool(directory):
    version, path = find_package(directory, TOOL)
    if not check(path is not None, f"{TOOL}: package present in {directory}"):
        return
    with zipfile.ZipFile(os.path.join(directory, path)) as package:
        metadata, ns = nuspec_metadata(package)
        check_common(TOOL, package, metadata, ns)
        types = {t.get("name") for t in metadata.iter(ns + "packageType")}
        check("DotnetTool" in types, f"{TOOL}: package type DotnetTool")
        settings = next((n for n in package.namelist() if n.endswith("/DotnetToolSettings.xml")), None)
        command = ET.fromstring(package.read(settings)).find("./Commands/Command") if settings else None
        check(command is not None and command.get("Name") == TOOL_COMMAND, f"{TOOL}: tool command '{TOOL_COMMAND}'")
    with tempfile.TemporaryDirectory(prefix="asyncref-tool-") as scratch:
        # A private package cache: the shared one may hold an older build of the same version.
        env = dict(os.environ, NUGET_PACKAGES=os.path.join(scratch, "nuget"), DOTNET_CLI_TELEMETRY_OPTOUT="1",
                   DOTNET_NOLOGO="1")
        tool_path = os.path.join(scratch, "tools")
        install = subprocess.run(["dotnet", "tool", "install", "--add-source", directory, "--tool-path", tool_path,
                                  "--version", version, TOOL], env=env, capture_output=True, text=True, timeout=300)
        if not check(install.returncode == 0, f"{TOOL}: dotnet tool install --add-source {directory} --tool-path DIR"):
            print(install.stdout + install.stderr)
            return
        run = subprocess.run([os.path.join(tool_path, TOOL_COMMAND), "--version"], env=env, capture_output=True,
                             text=True, timeout=120)
        check(run.returncode == 0 and run.stdout.strip().startswith(version),
              f"{TOOL}: installed '{TOOL_COMMAND} --version' prints {run.stdout.strip()!r}")


def main():
    if len(sys.argv) != 2 or not os.path.isdir(sys.argv[1]):
        print("usage: check_packages.py DIR (a folder of .nupkg files; `make pack` writes artifacts/packages)")
        return 2
    directory = os.path.abspath(sys.argv[1])
    for package_id in LIBRARIES:
        check_library(directory, package_id)
    check_tool(directory)
    failed = results.count(False)
    print(f"{len(results) - failed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
