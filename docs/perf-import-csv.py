#!/usr/bin/env python3
"""Writes an import CSV of N rows for `campusdesk import` at scale (docs/performance.md,
"Import and export at scale"): ten common descriptions, six places, every tenth description
quoted with a line break inside, one row in BAD_EVERY refused (closed without closed_at).

usage: perf-import-csv.py ROWS OUT.csv [BAD_EVERY]   (BAD_EVERY 0: no bad rows; default 1000)
"""
import sys

rows, out = int(sys.argv[1]), sys.argv[2]
bad_every = int(sys.argv[3]) if len(sys.argv) > 3 else 1000
descriptions = ["Projector in the lecture hall does not turn on", "Printer jam on the second floor",
                "Wifi drops in the reading room", "Heating off in the seminar room", "Broken window latch",
                "Door badge reader rejects my card", "Leaking tap in the kitchen", "Cannot log in to the course portal",
                "Light flickers above the stairs", "Need a key for the lab"]
places = ["Library", "Hall A", "Hall B", "Science building", "Main office", "Sports hall"]
with open(out, "w", newline="") as f:
    f.write("description,location,reporter,status,opened_at,closed_at,category\r\n")
    for i in range(1, rows + 1):
        d = descriptions[i % 10]
        desc = f'"{d} (#{i})\r\nsecond line, with a comma"' if i % 10 == 0 else f"{d} (#{i})"
        day = 1 + i % 28
        opened = f"2025-{1 + i % 12:02d}-{day:02d}T{i % 24:02d}:{i % 60:02d}:00Z"
        if bad_every and i % bad_every == 0:
            f.write(f"{desc},{places[i % 6]},user{i % 977}@campus.example,closed,{opened},,\r\n")
        elif i % 3 == 0:
            closed = f"2025-{1 + i % 12:02d}-{day:02d}T23:59:00Z"
            f.write(f"{desc},{places[i % 6]},user{i % 977}@campus.example,closed,{opened},{closed},it\r\n")
        else:
            f.write(f"{desc},{places[i % 6]},user{i % 977}@campus.example,open,{opened},,\r\n")
