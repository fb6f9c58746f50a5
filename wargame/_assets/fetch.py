"""Unpack the pinned npm packages' files into wargame/_assets/cdn/ (needs the npm registry).

    python -m wargame._assets.fetch            # after changing front_end.toml; commit cdn/
    python -m wargame._assets.fetch --check    # fetch again: exit 1 if cdn/ differs

Only a developer who changes a pin runs this; the files it writes are committed.
A tarball whose sha512 is not the pinned `integrity` is refused, and the folder
is replaced whole, so a package dropped from the pins leaves nothing behind.
WARGAME_NPM_REGISTRY names another registry (a mirror): the integrity check
still holds.
"""

from __future__ import annotations

import argparse
import base64
import filecmp
import hashlib
import io
import os
import posixpath
import re
import shutil
import sys
import tarfile
import tempfile
import urllib.request
from pathlib import Path

from wargame._assets import CDN, Pin, pins
from wargame.files import StrPath

REGISTRY = os.environ.get("WARGAME_NPM_REGISTRY", "https://registry.npmjs.org").rstrip("/")
FONT_FACE = re.compile(r"@font-face\s*\{[^}]*\}")
URL = re.compile(r"""url\(\s*['"]?([^'")]+)['"]?\s*\)""")
DOWNLOAD_SECONDS = 120


class FetchError(Exception):
    pass


def tarball(pin: Pin) -> bytes:
    """The package's tarball from the registry, refused unless its sha512 is the pinned one."""
    url = f"{REGISTRY}/{pin.name}/-/{pin.name.rsplit('/', 1)[-1]}-{pin.version}.tgz"
    with urllib.request.urlopen(url, timeout=DOWNLOAD_SECONDS) as response:
        data = response.read()
    algorithm, _, expected = pin.integrity.partition("-")
    if algorithm != "sha512":
        raise FetchError(f"{pin.name}: integrity must be sha512-..., not {pin.integrity!r}")
    found = base64.b64encode(hashlib.sha512(data).digest()).decode()
    if found != expected:
        raise FetchError(f"{url}: sha512 {found} is not the pinned {expected}")
    return data


def named_by(stylesheet: str, text: str) -> set[str]:
    """The files a stylesheet loads, beside it: everything it names, of its fonts the woff2."""
    fonts = [url for face in FONT_FACE.findall(text) for url in URL.findall(face)]
    others = URL.findall(FONT_FACE.sub("", text))
    wanted = [url for url in fonts if _path(url).endswith(".woff2")] + others
    folder = posixpath.dirname(stylesheet)
    return {
        posixpath.normpath(posixpath.join(folder, _path(url)))
        for url in wanted
        if not url.startswith(("data:", "#")) and "//" not in url
    }


def _path(url: str) -> str:
    return url.split("?")[0].split("#")[0]


def kept_files(pin: Pin, package: tarfile.TarFile) -> dict[str, bytes]:
    """The pinned files of one package, the files its kept stylesheets name, its notices."""
    members = {m.name.removeprefix("package/"): m for m in package.getmembers() if m.isfile()}
    kept: dict[str, bytes] = {}
    wanted = [*pin.files, *pin.notices]
    while wanted:
        path = wanted.pop()
        if path in kept:
            continue
        if path not in members:
            raise FetchError(f"{pin.name}@{pin.version} has no {path}")
        kept[path] = package.extractfile(members[path]).read()
        if path.endswith(".css"):
            wanted += named_by(path, kept[path].decode("utf-8"))
    return kept


def unpack(folder: StrPath) -> None:
    """Every pinned package's kept files, under `folder` as the CDN lays them out."""
    folder = Path(folder)
    for pin in pins():
        with tarfile.open(fileobj=io.BytesIO(tarball(pin)), mode="r:gz") as package:
            files = kept_files(pin, package)
        for path, data in files.items():
            target = folder / f"{pin.name}@{pin.version}" / path
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(data)
        print(f"{pin.name}@{pin.version}: {len(files)} files, {sum(map(len, files.values())):,} B")


def differences(ours: StrPath, theirs: StrPath) -> list[str]:
    """Files that are in one tree only or differ in content, relative to the trees' roots."""
    ours, theirs = Path(ours), Path(theirs)

    def listing(root: Path) -> set[str]:
        return {str(p.relative_to(root)) for p in root.rglob("*") if p.is_file()}

    mine, fresh = listing(ours), listing(theirs)
    changed = [p for p in mine & fresh if not filecmp.cmp(ours / p, theirs / p, shallow=False)]
    return sorted({*(mine ^ fresh), *changed})


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="compare with cdn/, change nothing")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(dir=CDN.parent) as staging:
        fresh = Path(staging) / "cdn"
        try:
            unpack(fresh)
        except (FetchError, OSError) as error:
            print(f"error: {error}", file=sys.stderr)
            return 1
        if args.check:
            changed = differences(CDN, fresh) if CDN.is_dir() else ["cdn/ is missing"]
            for path in changed:
                print(f"differs: {path}", file=sys.stderr)
            return 1 if changed else 0
        if CDN.exists():
            shutil.rmtree(CDN)
        fresh.rename(CDN)
    return 0


if __name__ == "__main__":
    sys.exit(main())
