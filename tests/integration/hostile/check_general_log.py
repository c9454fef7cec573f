#!/usr/bin/env python3
"""What the apply account sent to a replica, judged from its general query log.

usage: check_general_log.py GENERAL_LOG EXPECTED_DDL_FILE ALLOWED_DBS_HEX FORBIDDEN_HEX...

  GENERAL_LOG        the replica's general log file (log_output=FILE)
  EXPECTED_DDL_FILE  the DDL statements the replica must have run verbatim, one a line
                     (UTF-8, as the master ran them, renamed databases rewritten)
  ALLOWED_DBS_HEX    comma-separated hex of the database names a USE may name
  FORBIDDEN_HEX      byte strings (hex) that must appear in no SQL text the applier
                     sent (Query, Prepare): values go as bound parameters only

Every entry of a connection of vomsrepl_apply is judged:
  Prepare   INSERT / UPDATE / DELETE / SELECT with `?` placeholders: once backquoted
            identifiers are cut out, no quote, no hex/bit literal, no NUL or non-ASCII
            byte, no number except the known constant ones remains;
  Query     BEGIN, COMMIT, ROLLBACK; the session settings; the DDL context (SET of
            numbers, USE of an allowed database); the state schema's own DDL; the
            metadata reads; or one of the expected DDL statements, byte for byte;
  Execute, Close stmt, Reset stmt, Connect, Quit: the server's own rendering of the
            above (Execute shows the parameters inlined), not judged, but the SQL-looking
            value must appear in some Execute line (it reached the replica as a parameter).
Anything else is reported. Exit 0 when all is as expected; prints a summary.
"""
import collections
import re
import sys

HEADER = re.compile(rb"^(?:\d{6}\s+\d{1,2}:\d\d:\d\d)?\t+\s*(\d+) ([A-Z][A-Za-z_ ]*?)\t(.*)$")
IDENT = re.compile(rb"`(?:[^`]|``)*`")
# The applier's own SQL, as texts (Query lines) it builds from constants.
SESSION = [
    re.compile(rb"^SET NAMES utf8mb4, character_set_results = binary, time_zone = '\+00:00', autocommit = 1, "
               rb"sql_mode = '[A-Z_,]*', foreign_key_checks = 1, unique_checks = 1, timestamp = DEFAULT, "
               rb"collation_server = DEFAULT(, explicit_defaults_for_timestamp = DEFAULT, "
               rb"check_constraint_checks = DEFAULT)?$"),
    re.compile(rb"^SET foreign_key_checks = [01](, unique_checks = [01])?$"),
    re.compile(rb"^SET unique_checks = [01]$"),
    # The DDL context: numbers only (sql_mode, collation ids, flags, timestamp).
    re.compile(rb"^SET [a-z_]+ = \d+(, [a-z_]+ = \d+)*$"),
    re.compile(rb"^(BEGIN|COMMIT|ROLLBACK)$"),
    re.compile(rb"^SELECT @@session\.max_allowed_packet$"),
    re.compile(rb"^SELECT @@global\.read_only, CURRENT_USER\(\)(, VERSION\(\))?$"),
    re.compile(rb"^SHOW GRANTS FOR CURRENT_USER\(\)$"),
    # Parallel apply (workers > 1): the replica's logging checked, the workers' sessions set.
    re.compile(rb"^SELECT @@global\.log_bin, @@global\.binlog_format$"),
    re.compile(rb"^SET SESSION TRANSACTION ISOLATION LEVEL READ COMMITTED$"),
    re.compile(rb"^SET SESSION innodb_lock_wait_timeout = \d+$"),
    re.compile(rb"^UPDATE `vomsrepl`\.`progress` SET `seq` = `seq` WHERE FALSE$"),
    re.compile(rb"^CREATE DATABASE IF NOT EXISTS `vomsrepl`$"),
    re.compile(rb"^CREATE TABLE IF NOT EXISTS `vomsrepl`\.`progress` \((?:[^;])*$", re.S),
    re.compile(rb"^CREATE TABLE IF NOT EXISTS `vomsrepl`\.`held_database` \((?:[^;])*$", re.S),
    re.compile(rb"^ALTER TABLE `vomsrepl`\.`progress` (?:[^;])*$", re.S),
]
# (DELETE `db`.`t` FROM: the multi-table form of the applier's joined DELETE.)
DML_KIND = re.compile(rb"^(INSERT INTO|INSERT IGNORE INTO|UPDATE|DELETE FROM|DELETE `(?:[^`]|``)*`\.`(?:[^`]|``)*` FROM) ")
# The applier's metadata reads (prepared, names as parameters): the channel lock, its
# progress row, the catalog's information_schema reads. Their constant literals:
METADATA_KIND = re.compile(rb"^(SELECT GET_LOCK\(\?, [02]\)$|SELECT RELEASE_LOCK\(\?\)$|SELECT .* FROM `vomsrepl`\.`progress` WHERE `channel` = \?$|"
                           rb"SELECT [`a-z_, ]+ FROM `vomsrepl`\.`held_database` WHERE `channel` = \?( ORDER BY `db`)?$|"
                           rb"SELECT .* FROM information_schema\.[A-Z_]+ )", re.S)
# (GET_LOCK's wait: 2 s for the channel lock, 0 for the lock naming its holder.)
METADATA_CONSTANTS = re.compile(rb"'(|%Y-%m-%d %H:%i:%s\.%f|%unsigned%|NEVER|YES|PRIMARY|, )'|\b0\b|^SELECT GET_LOCK\(\?, 2\)$")
DML_CONSTANTS = re.compile(rb"\bUTC_TIMESTAMP\(6\)")
LITERAL = re.compile(rb"['\"\\]|\b[xXbB]'|0x|\d|[^\x20-\x7e]")


def unquote_ident(token):
    return token[1:-1].replace(b"``", b"`")


def main():
    log_path, ddl_path, dbs_hex = sys.argv[1:4]
    forbidden = [bytes.fromhex(h) for h in sys.argv[4:]]
    expected_ddl = [l for l in open(ddl_path, "rb").read().split(b"\n") if l]
    allowed_dbs = {bytes.fromhex(h) for h in dbs_hex.split(",") if h}

    entries = []  # (thread, command, argument)
    for line in open(log_path, "rb").read().rstrip(b"\n").split(b"\n"):
        m = HEADER.match(line)
        if m:
            entries.append([int(m.group(1)), m.group(2).decode(), m.group(3)])
        elif entries:
            entries[-1][2] += b"\n" + line
    apply_threads = {t for t, c, a in entries if c == "Connect" and a.startswith(b"vomsrepl_apply@")}
    if not apply_threads:
        print("no connection of vomsrepl_apply in the general log")
        return 1
    bad, counts, ddl_seen = [], {}, collections.Counter()
    sqlish_in_execute = False
    for t, c, a in entries:
        if t not in apply_threads:
            continue
        counts[c] = counts.get(c, 0) + 1
        if c in ("Execute", "Close stmt", "Reset stmt", "Connect", "Quit"):
            if c == "Execute" and forbidden and forbidden[0] in a:
                sqlish_in_execute = True
            continue
        for f in forbidden:
            if f in a:
                bad.append(f"{c} holds a value (0x{f.hex()}): {a[:300]!r}")
        if c == "Prepare":
            rest = IDENT.sub(b"I", a)
            if b"?" not in a:
                bad.append(f"Prepare without a placeholder: {a[:300]!r}")
            elif DML_KIND.match(a):
                if LITERAL.search(DML_CONSTANTS.sub(b"K", rest)):
                    bad.append(f"prepared DML with a literal in its text: {a[:300]!r}")
            elif METADATA_KIND.match(a):
                if LITERAL.search(METADATA_CONSTANTS.sub(b"K", rest)):
                    bad.append(f"metadata read with an unexpected literal: {a[:300]!r}")
            elif a != b"SET time_zone = ?":
                bad.append(f"Prepare of an unexpected form: {a[:300]!r}")
        elif c == "Query":
            if a in expected_ddl:
                ddl_seen[a] += 1
                continue
            m = re.match(rb"^USE (`(?:[^`]|``)*`)$", a)
            if m:
                # The state schema: the session goes back to it after a DDL.
                if unquote_ident(m.group(1)) not in allowed_dbs | {b"vomsrepl"}:
                    bad.append(f"USE of an unexpected database: {a!r}")
                continue
            if not any(p.match(a) for p in SESSION):
                bad.append(f"unexpected Query: {a[:300]!r}")
        elif c == "Init DB":
            if a not in allowed_dbs:
                bad.append(f"Init DB of an unexpected database: {a!r}")
        else:
            bad.append(f"unexpected command {c}: {a[:300]!r}")
    # Each expected DDL as often as the master ran it (more after a recovery re-run).
    for d, n in collections.Counter(expected_ddl).items():
        if ddl_seen[d] < n:
            bad.append(f"expected DDL run verbatim {ddl_seen[d]} of {n} times: {d[:300]!r}")
    if forbidden and not sqlish_in_execute:
        bad.append("the SQL-looking value is in no Execute line: did it reach the replica as a parameter?")
    summary = ", ".join(f"{k} {v}" for k, v in sorted(counts.items()))
    print(f"general log: {len(apply_threads)} apply connection(s): {summary}; "
          f"{sum(min(ddl_seen[d], n) for d, n in collections.Counter(expected_ddl).items())} of "
          f"{len(expected_ddl)} expected DDL statements run verbatim")
    for b in bad[:40]:
        print("  " + b)
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
