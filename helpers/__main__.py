"""Command line: python -m helpers {info,build-tiny,run,prefetch}."""

import argparse
import sys

from . import config, course
from .errors import CourseError


def show_info(profile):
    """The run table of every lesson in a profile."""
    profiles = [profile] if profile else list(config.PROFILE_NAMES)
    for name in profiles:
        info = config.PROFILE_INFO[name]
        print(f"\nProfile `{name}`: for {info['for']}; times "
              f"{'measured' if info['measured'] else 'estimated'} on a {info['timed_on']}")
        print(f"  {'lesson':<46} {'models':<34} {'data':<22} time")
        for lesson, meta in config.LESSONS.items():
            row = config.PROFILES[lesson][name]
            models = ", ".join(config.MODELS[m] if name != "tiny" else f"tiny {config.TINY_MODELS[m]}"
                               for m in row["models"].values())
            data = ", ".join(config.DATASETS[d] if name != "tiny" else f"tiny {d}" for d in row["datasets"].values())
            print(f"  {lesson} {meta['title']:<43} {models:<34} {data or '-':<22} "
                  f"{course.format_seconds(row['seconds']['total'])}")


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m helpers", description="Tools for the LLM course.")
    sub = parser.add_subparsers(dest="command", required=True)
    info = sub.add_parser("info", help="show what each lesson uses in each profile")
    info.add_argument("--profile", choices=config.PROFILE_NAMES)
    sub.add_parser("build-tiny", help="build the tiny models and synthetic data (offline, < 1 min)")
    run = sub.add_parser("run", help="execute notebooks headless into build/ and write build/report.md")
    run.add_argument("notebooks", nargs="*", help="notebook paths (default: every lesson, in order)")
    run.add_argument("--profile", choices=config.PROFILE_NAMES)
    sub.add_parser("sync", help="regenerate setup cells, time tables and the README course map from helpers.config")
    pre = sub.add_parser("prefetch", help="download a profile's models and data for offline use")
    pre.add_argument("--profile", choices=config.PROFILE_NAMES, default="quick")
    args = parser.parse_args(argv)

    try:
        if args.command == "info":
            show_info(args.profile)
        elif args.command == "build-tiny":
            from . import tiny

            folder = tiny.ensure_built()
            print(f"Tiny fixtures: {folder}")
        elif args.command == "run":
            from .runner import run_notebooks

            return run_notebooks(args.notebooks, args.profile)
        elif args.command == "sync":
            from .notebook import sync

            changed = sync()
            print("\n".join(f"updated {path}" for path in changed) or "Everything is in sync.")
        elif args.command == "prefetch":
            from .prefetch import prefetch

            prefetch(args.profile)
    except CourseError as error:
        print(f"Error: {error}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
