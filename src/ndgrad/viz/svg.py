"""SVG rendering of a ``viz.Graph`` in pure Python (the layout comes from ``layout.py``)."""
from xml.sax.saxutils import escape

from .layout import layered_layout

CHAR_W, LINE_H, PAD = 6.6, 14, 8


def _box_size(box):
    w = max(len(line) for line in box.lines) * CHAR_W + 2 * PAD
    h = len(box.lines) * LINE_H + 2 * PAD - 4
    return (max(w, 60), h)


def render_svg(g):
    boxes = {b.id: b for b in g.boxes}
    sizes = {i: _box_size(b) for i, b in boxes.items()}
    pos, routes, width, height = layered_layout(list(boxes), list(g.box_edges), lambda n: sizes[n])
    margin = 20
    frozen_lines = []
    if g.frozen:
        total = sum(f[3] for f in g.frozen)
        frozen_lines = ["excluded from the DAG (requires_grad=False)",
                        f"frozen: {len(g.frozen)} tensors, {total:,} parameters"]
        frozen_lines += [f"{n} {list(s)}" for n, s, _, _ in g.frozen[:12]]
        if len(g.frozen) > 12:
            frozen_lines.append(f"... and {len(g.frozen) - 12} more")
    fw = (max(len(s) for s in frozen_lines) * CHAR_W + 2 * PAD) if frozen_lines else 0
    fh = (len(frozen_lines) * LINE_H + 2 * PAD) if frozen_lines else 0
    title_h = 24 if g.title else 0
    legend_h = 26
    legend_w = sum(35 + len(label) * 5.6 for _, label in LEGEND) + 2 * margin
    W = max(width + 2 * margin + (fw + margin if fw else 0), legend_w)
    H = max(height, fh) + 2 * margin + title_h + legend_h
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{W:.0f}" height="{H:.0f}" '
           f'viewBox="0 0 {W:.0f} {H:.0f}" font-family="Helvetica, Arial, sans-serif" font-size="11">',
           '<defs><marker id="arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" '
           'orient="auto-start-reverse"><path d="M 0 0 L 10 5 L 0 10 z" fill="#555"/></marker></defs>',
           f'<rect x="0" y="0" width="{W:.0f}" height="{H:.0f}" fill="white"/>']
    if g.title:
        out.append(f'<text x="{margin}" y="{margin + 4}" font-size="14" font-weight="bold">{escape(g.title)}</text>')
    ox, oy = margin, margin + title_h
    for (s, d), pts in routes.items():
        path = " ".join(("M" if i == 0 else "L") + f" {x + ox:.1f} {y + oy:.1f}" for i, (x, y) in enumerate(pts))
        out.append(f'<path d="{path}" fill="none" stroke="#555" stroke-width="1" marker-end="url(#arrow)"/>')
    for i, b in boxes.items():
        x, y = pos[i]
        w, h = sizes[i]
        dash = ' stroke-dasharray="4 3"' if b.dashed else ""
        out.append(f'<g><rect x="{x + ox:.1f}" y="{y + oy:.1f}" width="{w:.1f}" height="{h:.1f}" rx="6" '
                   f'fill="{b.fill}" stroke="#444"{dash}/>')
        for k, line in enumerate(b.lines):
            weight = ' font-weight="bold"' if k == 0 else ""
            out.append(f'<text x="{x + ox + w / 2:.1f}" y="{y + oy + PAD + 10 + k * LINE_H:.1f}" '
                       f'text-anchor="middle"{weight}>{escape(line)}</text>')
        out.append("</g>")
    if frozen_lines:
        fx = width + 2 * margin
        out.append(f'<rect x="{fx:.1f}" y="{oy:.1f}" width="{fw:.1f}" height="{fh:.1f}" rx="6" fill="#e4e4e4" '
                   'stroke="#888" stroke-dasharray="4 3"/>')
        for k, line in enumerate(frozen_lines):
            weight = ' font-weight="bold"' if k < 2 else ""
            out.append(f'<text x="{fx + PAD:.1f}" y="{oy + PAD + 10 + k * LINE_H:.1f}"{weight}>{escape(line)}</text>')
    out.extend(_legend(margin, H - legend_h + 6))
    out.append("</svg>")
    return "\n".join(out)


LEGEND = (("#cfe8ff", "trainable leaf (requires_grad=True)"), ("#fff6d5", "backward node (grad_fn)"),
          ("#e4e4e4", "frozen: not in the DAG"), ("#c8f0c8", "output"))


def _legend(x, y):
    items = []
    for fill, label in LEGEND:
        items.append(f'<rect x="{x}" y="{y}" width="12" height="12" rx="2" fill="{fill}" stroke="#444"/>')
        items.append(f'<text x="{x + 17}" y="{y + 10}" fill="#333">{escape(label)}</text>')
        x += 17 + len(label) * 5.6 + 18
    return items
