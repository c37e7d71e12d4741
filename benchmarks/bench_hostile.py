"""Hostile input files against a plain pyarrow read of a normal export of the same size.

Times (each in a fresh process): a 10 MB single-line CSV header (refused by max_columns), a
10 MB data line of extra fields (read), the XFD1048576 workbook and a sharedStrings zip bomb
(both refused before calamine allocates anything). Goal (issue: safety): each in seconds,
a small multiple of the floor, with bounded memory.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
sys.path.insert(0, str(Path(__file__).parents[1] / "tests" / "clean"))
from _measure import gb, interleaved  # noqa: E402

HEADER = "Referral No,Individual No,Date of Referral,Service Type,Partner,Due Date,FU Date,Result"
ROW = "REF-{i},IND-{i},03/11/2026,medical,UNICEF,10/11/2026,,pending\n"
NS = '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'


def make_files(folder: Path) -> dict[str, Path]:
    from test_hostile_files import _shared_strings_bomb, write_xlsx

    files = {}
    normal = folder / "normal" / "referrals.csv"
    normal.parent.mkdir()
    with normal.open("w") as fh:
        fh.write(HEADER + "\n")
        i = 0
        while fh.tell() < 10_000_000:
            fh.write(ROW.format(i=i))
            i += 1
    files["normal"] = normal
    header = folder / "header" / "cases.csv"
    header.parent.mkdir()
    header.write_bytes(b"a," * 5_000_000 + b"a\n1,2\n")
    files["header"] = header
    extra = folder / "extra" / "referrals.csv"
    extra.parent.mkdir()
    extra.write_bytes((HEADER + "\n" + ROW.format(i=1)[:-1] + "," * 10_000_000 + "\n").encode())
    files["extra"] = extra
    xfd = folder / "xfd" / "cases.xlsx"
    xfd.parent.mkdir()
    write_xlsx(
        xfd,
        f'{NS}<sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>id</t></is></c></row>'
        '<row r="1048576"><c r="XFD1048576"><v>1</v></c></row></sheetData></worksheet>',
    )
    files["xfd"] = xfd
    bomb = folder / "bomb" / "hosts.xlsx"
    bomb.parent.mkdir()
    _shared_strings_bomb(bomb, 800_000_000)
    files["bomb"] = bomb
    return files


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=3, help="best of N runs per step")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        files = make_files(Path(tmp))
        setup = "from protection_workbench.clean.read import read_table\n"
        refused = (
            "from protection_workbench.errors import InputFileError\n"
            "def refused(p):\n"
            "    try:\n"
            "        read_table(p)\n"
            "    except InputFileError:\n"
            "        return\n"
            "    raise SystemExit('not refused: ' + p)\n"
        )
        steps = {
            "floor": (
                f"pacsv.read_csv({str(files['normal'])!r})",
                "import pyarrow.csv as pacsv",
            ),
            "normal 10 MB CSV read_table": (f"read_table({str(files['normal'])!r})", setup),
            "10 MB header line (refused)": (f"refused({str(files['header'])!r})", setup + refused),
            "10 MB line of extra fields (read)": (f"read_table({str(files['extra'])!r})", setup),
            "XFD1048576 workbook (refused)": (f"refused({str(files['xfd'])!r})", setup + refused),
            "800 MB sharedStrings bomb (refused)": (
                f"refused({str(files['bomb'])!r})",
                setup + refused,
            ),
        }
        measured = interleaved(steps, args.repeat)
        sizes = {k: p.stat().st_size for k, p in files.items()}
    floor = measured.pop("floor")
    print(f"files: {', '.join(f'{k} {v / 1e6:.2f} MB' for k, v in sizes.items())}")
    print(f"floor  pyarrow.csv.read_csv of a normal 10 MB export: {floor['seconds']:.3f} s")
    for name, m in measured.items():
        ratio = m["seconds"] / floor["seconds"]
        print(f"{name}: {m['seconds']:.3f} s ({ratio:.1f}x the floor), peak {gb(m['peak_bytes'])}")


if __name__ == "__main__":
    main()
