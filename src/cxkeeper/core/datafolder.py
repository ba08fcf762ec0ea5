"""What the data folder holds, by name: the default folder and the embedded store's file. Here,
in the lowest layer, so the command line's plumbing (`core.cli`) can tell a folder with a
workspace from one without before Django starts; `cxkeeper.datadir` creates and guards it."""

DEFAULT_DATA_DIR = "./cxkeeper-data"
STORE_FILE = "cxkeeper.sqlite3"  # the embedded store (SQLite) inside the data folder
