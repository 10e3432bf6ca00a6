#!/usr/bin/env python3
"""Checks every #include in the sources against the include rules of docs/ARCHITECTURE.md.

The rules are read from the document itself (its ```include-rules block), so the map a
newcomer reads and what the build accepts cannot drift apart. Exit 0 when every include
follows them; otherwise one line per offending include (file:line: what and why), exit 1.
"""
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DOC = ROOT / "docs" / "ARCHITECTURE.md"
ENGINE_CMAKE = ROOT / "core" / "engine" / "CMakeLists.txt"
INCLUDE = re.compile(r'^\s*#\s*include\s*([<"])([^>"]+)[>"]')


def read_rules():
    text = DOC.read_text(encoding="utf-8")
    block = re.search(r"```include-rules\n(.*?)```", text, re.S)
    if not block:
        sys.exit(f"{DOC}: no ```include-rules block")
    layers, system = [], []
    for number, line in enumerate(block.group(1).splitlines(), 1):
        line = line.split("#", 1)[0].strip()
        if not line:
            continue
        if line.startswith("system "):
            # system PATTERN only-in FOLDER...
            parts = line.split()
            if len(parts) < 4 or parts[2] != "only-in":
                sys.exit(f"{DOC}: include-rules line {number}: expected 'system PATTERN only-in FOLDER...'")
            system.append((re.compile(parts[1]), parts[3:]))
            continue
        name, rest = line.split(":", 1) if ":" in line else (None, None)
        if name is None:
            sys.exit(f"{DOC}: include-rules line {number}: expected 'FOLDER: ALLOWED...'")
        layers.append((name.strip(), rest.split()))
    return layers, system


def engine_public_headers():
    """engine/<module>/<Header>.h paths that core/engine/CMakeLists.txt publishes."""
    text = ENGINE_CMAKE.read_text(encoding="utf-8")
    public = set()
    for entry in re.findall(r'"(\w+)\|[^|"]*\|([^|"]*)\|[^"]*"', text):
        module, headers = entry
        folder = "" if module == "top" else module + "/"
        for h in headers.split():
            public.add(f"engine/{folder}{h}")
    return public


def allowed(include, grants, public_engine):
    """Whether a quoted include like 'project/Project.h' is granted by one of `grants`."""
    first = include.split("/", 1)[0]
    for grant in grants:
        if grant == "self":
            continue
        if grant == "engine-public":
            if include in public_engine:
                return True
            continue
        layer, _, only = grant.partition("=")
        if first != layer:
            continue
        if not only or include.split("/", 1)[-1] in only.split(","):
            return True
    return False


def main():
    layers, system = read_rules()
    public_engine = engine_public_headers()
    problems = []
    checked = 0
    for folder, grants in layers:
        base = ROOT / folder
        own = {d.name for d in base.iterdir() if d.is_dir()} if "self" in grants else set()
        for path in sorted(list(base.rglob("*.h")) + list(base.rglob("*.cpp"))):
            rel = path.relative_to(ROOT).as_posix()
            is_header = path.suffix == ".h"
            for number, line in enumerate(path.read_text(encoding="utf-8", errors="replace").splitlines(), 1):
                m = INCLUDE.match(line)
                if not m:
                    continue
                checked += 1
                kind, target = m.groups()
                where = f"{rel}:{number}"
                if kind == "<":
                    for pattern, places in system:
                        if pattern.match(target) and not any(rel == p or rel.startswith(p.rstrip("/") + "/") for p in places):
                            problems.append(f"{where}: <{target}> is allowed only in {', '.join(places)}")
                    continue
                if ".." in target.split("/"):
                    problems.append(f'{where}: "{target}" climbs out of its folder; include through a layer name')
                    continue
                if "/" not in target:
                    continue  # a file beside it
                if target.split("/", 1)[0] in own:
                    continue  # the layer's own folder (ui/models, app/cli)
                if target.split("/", 1)[0] == folder.split("/")[-1]:
                    continue  # the layer's own headers
                if target.startswith("engine/") and is_header and folder == "core/jobs":
                    problems.append(f'{where}: "{target}": a jobs header names no engine header '
                                    "(callers above jobs must not see the engine); include it in the .cpp")
                    continue
                if not allowed(target, grants, public_engine):
                    problems.append(f'{where}: "{target}" is not among what {folder}/ may include: {" ".join(grants)}')
    # The engine's public headers are what jobs compiles against: never torch.
    for header in sorted(public_engine):
        path = ROOT / "core" / header
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            m = INCLUDE.match(line)
            if m and re.match(r"(torch|ATen|c10|caffe2)/", m.group(2)):
                problems.append(f"core/{header}:{number}: a public engine header includes <{m.group(2)}>")
    for p in problems:
        print(p)
    print(f"check-includes: {checked} includes in {len(layers)} folders, {len(problems)} against the rules of docs/ARCHITECTURE.md")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
