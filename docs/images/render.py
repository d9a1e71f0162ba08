#!/usr/bin/env python3
"""Draws what a run shows, as SVG images for the README.

Usage: render.py BINARY OUT_DIR

Runs the gate BINARY on the bundled sample, as a GitHub Actions step
would (a fixed clock, run URL and dataset date, the hash recorded in
fixtures/checksums.txt), and draws its job summary (OUT_DIR/summary.svg)
and its model card (OUT_DIR/card.svg) from the Markdown it wrote: headings,
paragraphs, tables and the precision-recall chart, in the order GitHub
shows them; <details> blocks stay closed. The drawing is plain SVG text,
byte for byte the same on every machine for the same Markdown, so the
test `readme` regenerates both and fails when the committed ones differ:
the README's pictures never go stale.
"""

import html
import os
import pathlib
import re
import subprocess
import sys
import tempfile

ROOT = pathlib.Path(__file__).resolve().parents[2]
WIDTH = 880
CHARS = 118  # characters a line at the body's font size
LINE = 17  # pixels a line
FONT = "-apple-system, 'Segoe UI', Helvetica, Arial, sans-serif"
MONO = "ui-monospace, SFMono-Regular, Menlo, Consolas, monospace"


def run_gate(binary, work):
    """The summary and the card of a passing run on the sample."""
    sample = work / "sample_validation.parquet"
    sample.write_bytes((ROOT / "fixtures/sample_validation.parquet").read_bytes())
    recorded = (ROOT / "fixtures/checksums.txt").read_text().splitlines()
    digest = next(l.split()[0] for l in recorded if l.endswith("sample_validation.parquet"))
    summary = work / "summary.md"
    summary.write_text("")
    (work / "output").write_text("")
    env = {
        "PATH": os.environ.get("PATH", ""),
        "GITHUB_ACTIONS": "true",
        "GITHUB_STEP_SUMMARY": str(summary),
        "GITHUB_OUTPUT": str(work / "output"),
        "GITHUB_WORKSPACE": str(work),
        "GITHUB_SERVER_URL": "https://github.com",
        "GITHUB_REPOSITORY": "acme/entity-resolution",
        "GITHUB_RUN_ID": "4242",
        "GITHUB_SHA": "0123456789abcdef0123456789abcdef01234567",
        "GITHUB_REF": "refs/heads/main",
        "SOURCE_DATE_EPOCH": "1760529600",
        "INPUT_VALIDATION_SET": "sample_validation.parquet",
        "INPUT_DATASET_HASH": digest,
        "INPUT_DATASET_DATE": "20251015",
        "INPUT_MODEL_ID": "er_20251015",
        "INPUT_MODEL_CARD": "er_20251015.md",
    }
    ran = subprocess.run([binary], cwd=work, env=env, capture_output=True, text=True)
    if ran.returncode != 0:
        sys.exit(f"the gate exited {ran.returncode} on the sample:\n{ran.stdout}{ran.stderr}")
    return summary.read_text(), (work / "er_20251015.md").read_text()


def plain(text):
    """Markdown inline marks dropped: code, bold, links, HTML comments."""
    text = re.sub(r"<!--.*?-->", "", text)
    text = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", text)
    return text.replace("`", "").replace("**", "").replace("<br>", " ").strip()


def wrap(text, width=CHARS):
    words, lines, line = text.split(), [], ""
    for word in words:
        if line and len(line) + 1 + len(word) > width:
            lines.append(line)
            line = word
        else:
            line = f"{line} {word}".strip()
    return lines + ([line] if line else [])


class Canvas:
    """SVG elements placed top to bottom."""

    def __init__(self):
        self.parts, self.y = [], 28

    def text(self, x, words, size=13, weight="normal", family=FONT, fill="#1f2328"):
        self.parts.append(
            f'<text x="{x}" y="{self.y}" font-family="{family}" font-size="{size}" '
            f'font-weight="{weight}" fill="{fill}">{html.escape(words)}</text>'
        )

    def heading(self, level, words):
        size = {1: 22, 2: 18, 3: 15}.get(level, 13)
        self.y += 8
        self.text(16, plain(words), size=size, weight="600")
        self.y += 8
        if level <= 2:
            self.parts.append(f'<line x1="16" x2="{WIDTH - 16}" y1="{self.y}" y2="{self.y}" stroke="#d1d9e0"/>')
        self.y += LINE

    def paragraph(self, words, prefix="", fill="#1f2328"):
        for i, line in enumerate(wrap(plain(words), CHARS - len(prefix))):
            self.text(16, (prefix if i == 0 else " " * len(prefix)) + line, fill=fill)
            self.y += LINE
        self.y += 6

    def table(self, rows):
        cells = [[plain(c) for c in row.strip().strip("|").split("|")] for row in rows]
        cells = [r for r in cells if not all(re.fullmatch(r":?-+:?", c.strip()) for c in r)]
        columns = max(len(r) for r in cells)
        widths = [max(len(r[i]) if i < len(r) else 0 for r in cells) for i in range(columns)]
        scale = min(1.0, (CHARS - 3 * columns) / max(1, sum(widths)))
        for n, row in enumerate(cells):
            x = 16
            for i, cell in enumerate(row):
                room = max(3, int(widths[i] * scale))
                shown = cell if len(cell) <= room else cell[: room - 1] + "…"
                self.text(x, shown, size=12, family=MONO, weight="600" if n == 0 else "normal")
                x += int((room + 3) * 7.2)
            self.y += LINE
        self.y += 8

    def chart(self, block):
        """The xychart's lines and bar, drawn on a 0-1 axis."""
        series = re.findall(r"^\s*(line|bar) \[([^\]]*)\]", block, re.M)
        palette = re.search(r'plotColorPalette": "([^"]*)"', block)
        colors = [c.strip() for c in palette.group(1).split(",")] if palette else []
        left, top, w, h = 56, self.y, WIDTH - 96, 220
        self.parts.append(f'<rect x="{left}" y="{top}" width="{w}" height="{h}" fill="none" stroke="#d1d9e0"/>')
        for tick in (0, 0.5, 1):
            y = top + h - tick * h
            self.parts.append(f'<text x="{left - 8}" y="{y + 4:.1f}" text-anchor="end" font-family="{FONT}" font-size="11" fill="#59636e">{tick}</text>')
        for k, (kind, values) in enumerate(series):
            ys = [float(v) for v in values.split(",")]
            step = w / max(1, len(ys) - 1)
            color = colors[k] if k < len(colors) else "#59636e"
            if kind == "bar":
                for i, v in enumerate(ys):
                    if v > 0:
                        x = left + i * step
                        self.parts.append(f'<rect x="{x - 3:.1f}" y="{top}" width="6" height="{h}" fill="{color}" opacity="0.7"/>')
                continue
            points = " ".join(f"{left + i * step:.1f},{top + h - v * h:.1f}" for i, v in enumerate(ys))
            self.parts.append(f'<polyline points="{points}" fill="none" stroke="{color}" stroke-width="2"/>')
        self.y += h + 24

    def svg(self):
        height = self.y + 12
        body = "\n".join(self.parts)
        return (
            f'<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{height}" '
            f'viewBox="0 0 {WIDTH} {height}">\n'
            f'<rect width="{WIDTH}" height="{height}" rx="6" fill="#ffffff" stroke="#d1d9e0"/>\n'
            f"{body}\n</svg>\n"
        )


def draw(markdown):
    canvas, lines, i, closed = Canvas(), markdown.splitlines(), 0, 0
    while i < len(lines):
        line = lines[i]
        if line.startswith("<details>"):
            summary = re.search(r"<summary>(.*?)</summary>", line)
            canvas.paragraph(summary.group(1) if summary else "Details", prefix="▸ ", fill="#59636e")
            closed += 1
        elif line.startswith("</details>"):
            closed = max(0, closed - 1)
        elif closed:
            pass
        elif line.startswith("```"):
            j = next((k for k in range(i + 1, len(lines)) if lines[k].startswith("```")), len(lines))
            if line.strip() == "```mermaid":
                canvas.chart("\n".join(lines[i + 1 : j]))
            i = j
        elif m := re.match(r"^(#{1,6}) (.*)", line):
            canvas.heading(len(m.group(1)), m.group(2))
        elif line.startswith("|"):
            j = i
            while j < len(lines) and lines[j].startswith("|"):
                j += 1
            canvas.table(lines[i:j])
            i = j - 1
        elif line.startswith(("- ", "* ")):
            canvas.paragraph(line[2:], prefix="• ")
        elif line.startswith(">"):
            canvas.paragraph(line.lstrip("> "), fill="#59636e")
        elif line.strip() and not line.startswith("<"):
            canvas.paragraph(line)
        i += 1
    return canvas.svg()


def main(argv):
    binary, out = os.path.abspath(argv[0]), pathlib.Path(argv[1])
    out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as work:
        summary, card = run_gate(binary, pathlib.Path(work))
    (out / "summary.svg").write_text(draw(summary), encoding="utf-8")
    (out / "card.svg").write_text(draw(card), encoding="utf-8")


if __name__ == "__main__":
    main(sys.argv[1:])
