#!/usr/bin/env python3
"""bench/binlog_statement_group.py: the experiment of bench/binlog-statement-apply.

Reads mariadb-binlog's text output (row events as BINLOG '<base64>' statements) and
writes SQL for the mysql client: the format description once, then every G source
transactions as one replica transaction (BEGIN ... COMMIT), their events in one BINLOG
statement (MODE=group) or one BINLOG statement per source transaction (MODE=txn).
A DDL in the backlog stops it (the experiment only replays row events).

usage: binlog_statement_group.py G group|txn < mariadb-binlog-output > out.sql"""
import sys
G = int(sys.argv[1]); mode = sys.argv[2]
fde = None
out = sys.stdout
group = []      # base64 chunks of the current group
n_in_group = 0
cur = []        # chunks of the current source transaction
in_binlog = False
buf = []
txns = 0
def flush():
    global group, n_in_group
    if not group: return
    out.write("BEGIN;\n")
    if mode == "group":
        out.write("BINLOG '\n" + "\n".join(c for t in group for c in t) + "\n';\n")
    else:
        for t in group:
            out.write("BINLOG '\n" + "\n".join(t) + "\n';\n")
    out.write("COMMIT;\n")
    group = []; n_in_group = 0
for line in sys.stdin:
    if in_binlog:
        s = line.rstrip("\n")
        if s.startswith("'"):
            in_binlog = False
            if fde is None:
                fde = buf; out.write("BINLOG '\n" + "\n".join(fde) + "\n';\n")
            else:
                cur.extend(buf)
            buf = []
        else:
            buf.append(s)
        continue
    if line.startswith("BINLOG '"):
        in_binlog = True; buf = []; continue
    s = line.strip()
    if s.startswith("COMMIT/*!*/;") or s == "COMMIT/*!*/;":
        if cur:
            group.append(cur); cur = []; n_in_group += 1; txns += 1
            if n_in_group >= G: flush()
        continue
    if s.startswith("ALTER") or s.startswith("CREATE") or s.startswith("DROP"):
        sys.exit("DDL in the backlog: not handled by this experiment: " + s[:80])
flush()
sys.stderr.write(f"{txns} transactions\n")
