#!/usr/bin/env python3
"""Writes tolerant variants of strict .inp files: the same network as other writers and hand edits put it.

    python3 tests/data/water/tolerant/make_variants.py      # rewrites tests/data/water/tolerant/*.inp

For each strict network NET (pumps.inp, Net1.inp) it writes
  NET.wntr.inp  as WNTR writes files: upper-case keywords, column-header comments, [CONTROLS] in WNTR's form
                ("Pump PU2 Closed IF Tank TK above 20", "... AT CLOCKTIME 22:00:00"), times as h:mm:ss;
  NET.gui.inp   as the EPANET GUI writes them: CR-LF line ends, tab-separated columns padded with blanks, a
                ';' closing every data line, [TAGS], [COORDINATES], [LABELS], [BACKDROP], a latin-1 title;
  NET.odd.inp   what EPANET tolerates by hand: section headers in
                any case with text after them ([junctions], [TANKS]tanks), a section split in two and repeated, sections
                in another order, comments after every field, numbers as 1e2, .5 and +3, unit words
                (24 hours), keyword prefixes (HEADL, Dura, Unba, Patt, Glob Effi, Spee), tokens after the last field, a last pump keyword
                without value, [DEMANDS] MULTIPLY, text after [END].
Each must solve to the heads of the strict file (tests/unit/models/water/inp_reader_test.cpp).
"""
import pathlib
import re

HERE = pathlib.Path(__file__).resolve().parent
DATA = HERE.parent


def sections(text):
    out, name = [], None
    for raw in text.splitlines():
        line = raw.split(";", 1)[0].strip()
        if not line:
            continue
        if line.startswith("["):
            name = line.strip("[]").upper()
            out.append((name, []))
            continue
        out[-1][1].append(line.split())
    return out


def number_forms(tok, i):
    """An equal number written another way (1e2, .5, +3), cycling by position."""
    try:
        v = float(tok)
    except ValueError:
        return tok
    if not re.fullmatch(r"[0-9.]+", tok):
        return tok
    form = i % 3
    if form == 0 and v == int(v) and v >= 100 and int(v) % 100 == 0:
        return f"{v / 100:g}e2"
    if form == 1 and tok.startswith("0.") and len(tok) > 2:
        return tok[1:]
    if form == 2:
        return "+" + tok
    return tok


def wntr_control(toks):
    # LINK id setting IF NODE id ABOVE|BELOW level  ->  Pump|Pipe id Setting IF Tank|Junction id above|below level
    link, setting = toks[1], toks[2].capitalize()
    kind = "Pump" if link.upper().startswith("PU") or link in ("9", "335") else "Link"
    if toks[3].upper() == "IF":
        node = toks[5]
        obj = "Tank" if node.upper().startswith("TK") or node in ("2",) else "Junction"
        return f"{kind} {link} {setting} IF {obj} {node} {toks[6].lower()} {toks[7]}"
    value = toks[5]
    unit = toks[6].upper() if len(toks) > 6 else ""
    if unit in ("AM", "PM"):
        h = float(value) % 12 + (12 if unit == "PM" else 0)
        value = f"{int(h):02d}:{int(round(h % 1 * 60)):02d}:00"
    elif ":" not in value:
        h = float(value)
        value = f"{int(h):02d}:{int(round(h % 1 * 60)):02d}:00"
    return f"{kind} {link} {setting} AT {toks[4].upper()} {value}"


def write_wntr(secs, title):
    lines = ["[TITLE]", title, ""]
    for name, rows in secs:
        if name == "TITLE":
            continue
        lines.append(f"[{name}]")
        if name == "JUNCTIONS":
            lines.append(";ID                      Elevation       Demand Pattern                 ")
        for t in rows:
            if name == "CONTROLS":
                lines.append(wntr_control(t))
            elif name == "TIMES":
                key, val = t[:-1], t[-1]
                if len(t) >= 2 and t[-1].upper() in ("AM", "PM"):
                    h = float(t[-2]) % 12 + (12 if t[-1].upper() == "PM" else 0)
                    lines.append(" ".join(t[:-2]).upper() + f"   {int(h):02d}:00:00")
                elif re.fullmatch(r"[0-9]+:[0-9]+", val):
                    hh, mm = val.split(":")
                    lines.append(" ".join(key).upper() + f"   {int(hh):02d}:{int(mm):02d}:00")
                else:
                    lines.append(" ".join(t).upper())
            else:
                lines.append(" " + " ".join(f"{x:<16}" for x in t) + ";")
        lines.append("")
    lines.append("[END]")
    return "\n".join(lines) + "\n"


def write_gui(secs, title):
    lines = ["[TITLE]", title + " \xe9dition \xb0C", ""]
    nodes = []
    for name, rows in secs:
        if name == "TITLE":
            continue
        lines.append(f"[{name}]")
        if name in ("JUNCTIONS", "RESERVOIRS", "TANKS"):
            nodes += [t[0] for t in rows]
        for t in rows:
            if name in ("RULES", "CONTROLS", "OPTIONS", "TIMES", "ENERGY"):
                lines.append(" ".join(t))
            else:
                lines.append(" " + "".join(f"{x:<16}\t" for x in t) + ";")
        lines.append("")
    lines += ["[TAGS]", " NODE \tNOT_A_NODE\tzone-A", "", "[COORDINATES]"]
    lines += [f" {n:<16}\t{100.0 * i:.2f}\t{50.0:.2f}" for i, n in enumerate(nodes)]
    lines += ["", "[LABELS]", " 10.00 20.00 \"Pump station\"", "", "[BACKDROP]", " DIMENSIONS 0.00 0.00 10000.00 10000.00",
              " UNITS None", "", "[END]"]
    return "\r\n".join(lines) + "\r\n"


# Headers as EPANET 2.2 matches them: the whole "[NAME]" at the start of the token, in any case.
HEADERS = {"JUNCTIONS": "[junctions]", "PIPES": "[Pipes]", "RESERVOIRS": "[Reservoirs];", "TANKS": "[TANKS]tanks",
           "PUMPS": "[pumps]", "PATTERNS": "[PATTERNS]", "CURVES": "[curves]", "OPTIONS": "[Options]",
           "TIMES": "[times]", "CONTROLS": "[Controls]", "RULES": "[rules]", "ENERGY": "[energy]",
           "DEMANDS": "[demands]", "STATUS": "[status]", "QUALITY": "[quality]"}
# Keywords as EPANET 2.2 matches them: by the prefix in its text.h.
SHORT = {"UNBALANCED": "Unba", "CONTINUE": "cont", "PATTERN": "Patt", "HYDRAULIC": "Hydr", "TIMESTEP": "Time",
         "REPORT": "Repo", "START": "Star", "GLOBAL": "Glob", "EFFICIENCY": "Effi", "SPEED": "Spee",
         "TRIALS": "Trial", "ACCURACY": "Accu", "QUALITY": "Qual", "SPECIFIC": "Spec", "VISCOSITY": "Visc"}


# The fields that hold numbers (IDs and pattern names may be numbers too and stay as written).
NUMERIC_FIELDS = {"JUNCTIONS": {1, 2}, "RESERVOIRS": {1}, "TANKS": {1, 2, 3, 4, 5, 6}, "PIPES": {3, 4, 5, 6},
                  "DEMANDS": {1}, "EMITTERS": {1}}


def shorten(t):
    return [SHORT.get(x.upper(), x) for x in t]


def odd_row(name, t, i):
    numeric = NUMERIC_FIELDS.get(name)
    if numeric:
        toks = [number_forms(x, i + j) if j in numeric else x for j, x in enumerate(t)]
        return " ".join(toks) + "   ; a comment with ; and [brackets]"
    if name == "PATTERNS":
        return " ".join([t[0]] + [number_forms(x, i + j) for j, x in enumerate(t[1:])])
    if name == "CURVES":
        return " ".join(t) + "  extra  tokens"
    if name == "ENERGY":
        return " ".join(shorten(t))
    if name == "PUMPS":
        return " ".join(shorten(t)) + " PATTERN"  # a last keyword without value: ignored by EPANET
    if name == "OPTIONS":
        k = t[0].upper()
        if k == "HEADLOSS":
            return "headl " + " ".join(t[1:])
        if k == "UNITS":
            return "units " + t[1].lower()
        return " ".join(shorten(t))
    if name == "TIMES":
        k = t[0].upper()
        if k == "DURATION" and re.fullmatch(r"[0-9]+(:00)?", t[-1]):
            return f"Dura {t[-1].split(':')[0]} hours"
        return " ".join(shorten(t))
    return " ".join(t)


def write_odd(secs, title):
    order = sorted(secs, key=lambda s: {"OPTIONS": 9, "TIMES": 8, "PATTERNS": 7, "CURVES": 6}.get(s[0], 0), reverse=True)
    lines = ["[Title]", title]
    for name, rows in order:
        if name == "TITLE":
            continue
        if name == "END":
            lines += ["[DEMANDS]", "MULTIPLY 1.0", ""]
        header = HEADERS.get(name, f"[{name}]")
        half = (len(rows) + 1) // 2 if name in ("JUNCTIONS", "PIPES") and len(rows) > 2 else len(rows)
        lines.append(header)
        for i, t in enumerate(rows[:half]):
            lines.append("\t" + odd_row(name, t, i))
        if half < len(rows):
            lines += ["", "[OPTIONS]", "; an empty repeated section", f"[{name}]"]
            for i, t in enumerate(rows[half:]):
                lines.append("  " + odd_row(name, t, half + i))
        if name == "DEMANDS" or (name == "JUNCTIONS" and not any(s[0] == "DEMANDS" for s in secs)):
            pass
        lines.append("")
    lines += ["anything [here] is ignored"]
    return "\n".join(lines) + "\n"


def main():
    for strict in ("pumps.inp", "Net1.inp"):
        text = (DATA / strict).read_text(encoding="latin-1")
        secs = sections(text)
        title = next((" ".join(" ".join(r) for r in rows) for n, rows in secs if n == "TITLE"), "")
        stem = strict[:-4]
        (HERE / f"{stem}.wntr.inp").write_text(write_wntr(secs, title), encoding="latin-1", newline="")
        (HERE / f"{stem}.gui.inp").write_text(write_gui(secs, title), encoding="latin-1", newline="")
        (HERE / f"{stem}.odd.inp").write_text(write_odd(secs, title), encoding="latin-1", newline="")


if __name__ == "__main__":
    main()
