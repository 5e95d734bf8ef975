"""build/report.md of a headless run: per notebook its status, wall time against the profile's time and peak
memory; every step that printed a time estimate with the time its cell took; the checks a stand-in run skipped; the
exercise solutions that passed; every results table the lessons recorded, and one summary figure of them."""

from pathlib import Path

from .. import config, profiles, results

RATIO_LIMIT = 1.3  # a printed estimate within this factor of the measured time counts as right


def lesson_of(path):
    return Path(path).name[:2]


def _estimate(lesson, profile, key):
    return config.PROFILES.get(lesson, {}).get(profile, {}).get("seconds", {}).get(key)


def estimate_holds(measured, estimate):
    """A printed time is right within RATIO_LIMIT; one that reads "under 10 s" when the step took under 10 s."""
    if estimate < profiles.SHORT_STEP_S:
        return measured < profiles.SHORT_STEP_S
    return 1 / RATIO_LIMIT <= measured / estimate <= RATIO_LIMIT


def _ratio(measured, estimate, compare=True):
    if not estimate or not compare:
        return ""
    return f"{measured / estimate:.2f}" + ("" if estimate_holds(measured, estimate) else " ⚠")


def write_report(rows, profile, results_dir, report_path, note="", compare=True):
    """build/report.md. compare=False (a capped smoke run) shows the profile's times without ratios: fewer steps and
    rows make the measured times incomparable with them."""
    results_dir = Path(results_dir)
    found = results.load_all(results_dir) if results_dir.exists() else {}
    exercises = results.exercise_outcomes(results_dir)
    skipped = results.skipped_checks(results_dir)
    lines = ["# Course run report", "", f"Profile: `{profile}`" + (f" ({note})" if note else ""), "",
             "| notebook | status | wall time | profile's time | measured / profile's | peak memory | "
             "exercise solutions passing | checks skipped |", "|---" * 8 + "|"]
    for row in rows:
        lesson = lesson_of(row["path"])
        outcomes = exercises.get(lesson, {})
        solved = sum(results.solution_passed(o) for o in outcomes.values())
        estimate = _estimate(lesson, profile, "total")
        lines.append(f"| {row['path'].name} | {row['status']} | {row['seconds']:.1f} s | "
                     f"{f'{estimate} s' if estimate else ''} | {_ratio(row['seconds'], estimate, compare)} | "
                     f"{row['peak_gb']:.2f} GB | {solved} of {len(outcomes)} | {len(skipped.get(lesson, []))} |")
    lines.append(f"| all | | {sum(r['seconds'] for r in rows):.1f} s | | | "
                 f"{max((r['peak_gb'] for r in rows), default=0):.2f} GB (max) | | |")
    if not compare:
        lines += ["", "A capped run (fewer steps and rows than the profile's): its times cannot be compared with the "
                      "profile's, so no ratios are shown."]
    for row in rows:
        if row["error"]:
            lines += ["", f"**{row['path'].name} failed:** `{row['error']}`"]
    lines += ["", "## Timed steps", "",
              f"Each step that prints its time estimate, with the time its cell took (⚠: off by more than "
              f"{RATIO_LIMIT}×, or over {profiles.SHORT_STEP_S} s where it reads 'under {profiles.SHORT_STEP_S} s'), "
              "then the slowest cells without an estimate.", "",
              "| notebook | cell | step | estimate | measured | measured / estimate |", "|---" * 6 + "|"]
    for row in rows:
        lesson = lesson_of(row["path"])
        for index, seconds, key in row["cells"]:
            if key:
                estimate = _estimate(lesson, profile, key)
                lines.append(f"| {row['path'].name} | {index} | {key} | {estimate} s | {seconds:.1f} s | "
                             f"{_ratio(seconds, estimate, compare)} |")
        slow = sorted((c for c in row["cells"] if not c[2]), key=lambda c: -c[1])[:2]
        for index, seconds, _ in slow:
            lines.append(f"| {row['path'].name} | {index} | (no estimate) | | {seconds:.1f} s | |")
    if any(skipped.values()):
        lines += ["", "## Checks skipped (stand-in weights)", "",
                  "Each needs the real checkpoints; the basis says why they should pass it, and with what margin.", "",
                  "| notebook | check | on the stand-ins | basis |", "|---|---|---|---|"]
        for row in rows:
            for entry in skipped.get(lesson_of(row["path"]), []):
                lines.append(f"| {row['path'].name} | {entry['check']} | {entry['detail']} | "
                             f"{entry.get('basis', '')} |")
    for row in rows:
        for table, content in found.get(lesson_of(row["path"]), {}).items():
            lines += ["", f"## {row['path'].stem}: {table} (profile `{content['profile']}`)", ""]
            lines += _markdown_table(content["rows"])
    figure = summary_figure(found, report_path.with_name("summary.png"))
    if figure:
        lines += ["", "## Summary figure", "", f"![Headline results of every lesson]({figure.name})"]
    report_path.write_text("\n".join(lines) + "\n")
    return report_path


def summary_figure(found, path):
    """One PNG with a panel per recorded results table that named columns to plot: grouped bars, per row."""
    import matplotlib

    matplotlib.use("Agg", force=False)
    import matplotlib.pyplot as plt

    from ..plots import grouped_bars

    panels = []
    for lesson, tables in found.items():
        for table, content in tables.items():
            columns = content.get("plot", [])
            table_rows = {row: {c: values[c] for c in columns if isinstance(values.get(c), (int, float))}
                          for row, values in content["rows"].items()}
            table_rows = {row: values for row, values in table_rows.items() if values}
            if table_rows:
                panels.append((f"{lesson}: {table}", table_rows))
    if not panels:
        return None
    columns = 2
    rows = (len(panels) + columns - 1) // columns
    fig, axes = plt.subplots(rows, columns, figsize=(14, 3.8 * rows), squeeze=False)
    for ax, (title, table) in zip(axes.flat, panels):
        grouped_bars(table, title=title[:70], ax=ax)
    for ax in list(axes.flat)[len(panels):]:
        ax.axis("off")
    fig.tight_layout()
    fig.savefig(path, dpi=80)
    plt.close(fig)
    return path


def _markdown_table(rows):
    columns = list(dict.fromkeys(c for row in rows.values() for c in row))
    lines = ["| | " + " | ".join(columns) + " |", "|---" * (len(columns) + 1) + "|"]
    for name, row in rows.items():
        lines.append(f"| {name} | " + " | ".join(str(row.get(c, "")) for c in columns) + " |")
    return lines
