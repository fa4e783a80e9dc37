"""Puts freshly measured benchmark sections into docs/benchmarks.md, leaving the sections not run as they were.

usage: splice.py DOC SECTIONS_DIR DATE COMMIT MACHINE NAME...

Each section sits between <!-- bench:NAME --> and <!-- /bench:NAME --> and starts with the line saying where and
when it was measured, so a table never loses the machine, date and commit it belongs to.
"""
import os
import re
import sys

ORDER = ["folds", "reads", "window", "ingest", "webhook", "import", "identities"]
HEADER = """# Benchmarks

Measured by `bench/run.sh` (see `bench/README.md`). Every figure stands beside a baseline measured in the same run,
and the ratio between them is the result: absolute times depend on the machine and on Azurite. A figure that misses
its goal stays in its table with a sentence on why. Each section says on which machine, on which day and at which
commit it was measured; `bench/run.sh NAME` rewrites only that section.
"""


def main() -> None:
    doc, sections_dir, date, commit, machine, *names = sys.argv[1:]
    text = open(doc, encoding="utf-8").read() if os.path.exists(doc) else ""
    existing = {
        m.group(1): m.group(0)
        for m in re.finditer(r"<!-- bench:(\w+) -->.*?<!-- /bench:\1 -->", text, flags=re.S)
    }
    for name in names:
        path = os.path.join(sections_dir, name + ".md")
        if not os.path.exists(path):
            continue  # the benchmark failed: its previous figures stay, the run reports the failure
        body = open(path, encoding="utf-8").read().strip()
        provenance = f"_Measured {date} at commit `{commit}` on {machine}._"
        lines = body.splitlines()
        # The section's own heading first, then where it was measured.
        body = "\n".join(lines[:1] + ["", provenance] + lines[1:]) if lines and lines[0].startswith("#") else provenance + "\n\n" + body
        existing[name] = f"<!-- bench:{name} -->\n{body}\n<!-- /bench:{name} -->"
    ordered = [existing[n] for n in ORDER if n in existing] + [v for k, v in existing.items() if k not in ORDER]
    with open(doc, "w", encoding="utf-8") as out:
        out.write(HEADER + "\n" + "\n\n".join(ordered) + "\n")


if __name__ == "__main__":
    main()
