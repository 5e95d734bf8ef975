"""Command line: python -m helpers {info,build-tiny,run,sync,prefetch} (helpers/__main__.py calls main)."""

import argparse
import sys

from .. import config, profiles
from ..errors import CourseError


def show_info(profile=None):
    """The run table of every lesson in a profile (or in every profile)."""
    for name in [profile] if profile else config.PROFILE_NAMES:
        rows = [profiles.lesson_summary(lesson, name) for lesson in config.LESSONS]
        print(f"\nProfile `{name}`: for {rows[0]['for']}; times {rows[0]['timed_on']}")
        print(f"  {'lesson':<46} {'models':<34} {'data':<22} time")
        for row in rows:
            print(f"  {row['lesson']} {row['title']:<43} {', '.join(row['models']):<34} "
                  f"{', '.join(row['datasets']) or '-':<22} {row['time']}")


def parser():
    top = argparse.ArgumentParser(prog="python -m helpers", description="Tools for the LLM course.")
    sub = top.add_subparsers(dest="command", required=True)
    info = sub.add_parser("info", help="show what each lesson uses in each profile")
    info.add_argument("--profile", choices=config.PROFILE_NAMES)
    sub.add_parser("build-tiny", help="build (or verify, and repair) the tiny models and synthetic data, offline")
    run = sub.add_parser("run", help="execute notebooks headless into build/ and write build/report.md")
    run.add_argument("notebooks", nargs="*", help="notebook paths (default: every lesson, in order)")
    run.add_argument("--profile", choices=config.PROFILE_NAMES)
    run.add_argument("--stand-in-weights", action="store_true",
                     help="the models have random weights (real-size stand-ins): checks that need pretrained "
                          "weights report 'skipped' instead of failing; for maintainers' smoke runs")
    run.add_argument("--max-steps", type=int, metavar="N", help="train at most N optimizer steps per run")
    run.add_argument("--max-rows", type=int, metavar="N", help="use at most N rows of each data set")
    run.add_argument("--budget", action="store_true",
                     help="fail when a notebook is over the profile's time or memory budget (BUDGETS in "
                          "helpers/tools/runner.py)")
    sub.add_parser("sync", help="regenerate setup cells, time tables and the README course map from helpers.config")
    pre = sub.add_parser("prefetch", help="download a profile's models, data and metrics for offline use")
    pre.add_argument("--profile", choices=config.PROFILE_NAMES, default="quick")
    return top


def main(argv=None):
    args = parser().parse_args(argv)
    try:
        if args.command == "info":
            show_info(args.profile)
        elif args.command == "build-tiny":
            from ..tiny import ensure_built

            print(f"Tiny models and data: {ensure_built(check_hashes=True)}")
        elif args.command == "run":
            from .runner import run_notebooks

            return run_notebooks(args.notebooks, args.profile, stand_in_weights=args.stand_in_weights,
                                 max_steps=args.max_steps, max_rows=args.max_rows, budget=args.budget)
        elif args.command == "sync":
            from .authoring import sync

            changed = sync()
            print("\n".join(f"updated {path}" for path in changed) or "Everything is in sync.")
        elif args.command == "prefetch":
            from .prefetch import prefetch

            prefetch(args.profile)
    except CourseError as error:
        print(f"Error: {error}", file=sys.stderr)
        return 1
    except OSError as error:  # a folder the course cannot write, a full disk: say which, without a traceback
        print(f"Error: {type(error).__name__}: {error}", file=sys.stderr)
        return 1
    return 0
