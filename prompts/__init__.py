"""Prompt templates as versioned files: `prompts/<name>/<version>.md`.

A file starts with a front-matter header (name, version, description) and holds `## system`
and `## user` sections. The loader returns the version and a hash, so every report records
exactly which prompt produced it.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from pathlib import Path

PROMPTS_DIR = Path(__file__).parent


@dataclass(frozen=True)
class PromptFile:
    name: str
    version: str
    description: str
    system: str
    user: str
    sha256: str

    @property
    def ref(self) -> str:
        return f"{self.name}/{self.version}"


def _version_key(path: Path) -> tuple[int, ...]:
    return tuple(int(n) for n in re.findall(r"\d+", path.stem)) or (0,)


def available_versions(name: str) -> list[str]:
    folder = PROMPTS_DIR / name
    return [p.stem for p in sorted(folder.glob("v*.md"), key=_version_key)]


def load_prompt(name: str, version: str | None = None) -> PromptFile:
    """The named prompt at `version`, or its latest version."""
    versions = available_versions(name)
    if not versions:
        raise FileNotFoundError(f"no prompt named {name!r} in {PROMPTS_DIR}")
    version = version or versions[-1]
    path = PROMPTS_DIR / name / f"{version}.md"
    if not path.exists():
        raise FileNotFoundError(f"prompt {name!r} has no version {version!r} (have: {', '.join(versions)})")
    raw = path.read_text(encoding="utf-8")
    match = re.match(r"^---\n(.*?)\n---\n(.*)$", raw, re.S)
    if not match:
        raise ValueError(f"{path}: missing the --- header --- block")
    header = dict(
        (k.strip(), v.strip()) for k, v in (line.split(":", 1) for line in match.group(1).splitlines() if ":" in line)
    )
    sections = dict(re.findall(r"^## (\w+)\n(.*?)(?=^## \w+\n|\Z)", match.group(2), re.S | re.M))
    if header.get("version", version) != version:
        raise ValueError(f"{path}: header says version {header.get('version')!r}")
    return PromptFile(
        name=header.get("name", name),
        version=version,
        description=header.get("description", ""),
        system=sections.get("system", "").strip(),
        user=sections.get("user", "").strip(),
        sha256=hashlib.sha256(raw.encode()).hexdigest(),
    )
