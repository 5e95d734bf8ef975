"""Maintainers' tools, never imported by a lesson: the command line (cli), running notebooks headless with a report
(runner), generating the setup cells and tables of the notebooks and README (authoring), and downloading a profile
for offline use (prefetch)."""
