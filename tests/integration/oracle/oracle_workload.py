"""Seeded random workload for the replica-oracle matrix (run-oracle-matrix).

One database (default `voms_oracle`) whose tables cover every MariaDB 10.11 column type,
nullable and NOT NULL, as key and non-key column, and every kind of row key: a primary
key, a unique NOT NULL key only, a composite key, no key at all, keys on UUID, BINARY
and INET6 columns, generated columns (VIRTUAL and STORED, one indexed), foreign keys
(ON DELETE CASCADE and RESTRICT). Values: NULL, empty, boundaries (integer min/max,
DECIMAL(65,30) at full precision, zero dates and '0000-00-00' parts, TIME at +-838h,
TIMESTAMP at both ends), trailing 0x00 and trailing spaces in BINARY/CHAR, 4-byte UTF-8,
invalid UTF-8 in binary columns, BLOBs up to a few hundred KiB.

The generator keeps a model of what each table holds (its keys), so that every statement
it writes is accepted by a master at its defaults (sql_mode STRICT_TRANS_TABLES, ...):
an error from the master means the generator is wrong, and the test says so.

    gen = Workload(seed)
    sql = gen.schema()            # CREATE DATABASE + tables
    sql = gen.transactions(n)     # n transactions: inserts, updates of keys and
                                  # non-keys, deletes, multi-statement transactions,
                                  # rollbacks, and now and then a DDL

Everything is a function of the seed: the same seed writes the same SQL.
"""

import json
import random
import uuid

# ---------------------------------------------------------------------------------------
# Column types: (name, DDL type, value generator(rng) -> SQL literal).


def _ints(lo, hi):
    edges = [lo, hi, 0, 1, -1 if lo < 0 else 2]

    def gen(r):
        return str(r.choice(edges) if r.random() < 0.3 else r.randint(lo, hi))
    return gen


def _decimal(precision, scale, unsigned=False):
    whole = precision - scale

    def digits(n, r):
        return "".join(r.choice("0123456789") for _ in range(n)) if n else ""

    def gen(r):
        sign = "" if unsigned or r.random() < 0.5 else "-"
        if r.random() < 0.2:  # the largest value the type holds
            w, f = "9" * whole, "9" * scale
        else:
            w = digits(r.randint(1, max(1, whole)), r).lstrip("0") or "0"
            w = w[:whole] if whole else "0"
            f = digits(r.randint(0, scale), r)
        return sign + (w or "0") + ("." + f if f else "")
    return gen


def _float(r):
    return r.choice(["0", "-1.5", "3.4e38", "-3.4e38", "1.17549435e-38", "0.1", "-0.0",
                     repr(r.uniform(-1e6, 1e6)), repr(r.uniform(-1, 1))])


def _double(r):
    return r.choice(["0", "1.7976931348623157e308", "-2.2250738585072014e-308", "0.1",
                     repr(r.uniform(-1e300, 1e300)), repr(r.random())])


def _bit(n):
    def gen(r):
        return "b'" + "".join(r.choice("01") for _ in range(n)) + "'"
    return gen


def _year(r):
    return r.choice(["0", "1901", "2155", str(r.randint(1901, 2155))])


def _date_parts(r):
    return r.randint(1000, 9999), r.randint(1, 12), r.randint(1, 28)


def _date(r):
    x = r.random()
    if x < 0.1:
        return "'0000-00-00'"
    if x < 0.15:
        return "'2024-00-00'"  # zero parts: allowed by the default sql_mode
    if x < 0.25:
        return r.choice(["'1000-01-01'", "'9999-12-31'", "'2024-02-29'"])
    y, m, d = _date_parts(r)
    return "'%04d-%02d-%02d'" % (y, m, d)


def _time(frac):
    def gen(r):
        x = r.random()
        if x < 0.2:
            edge = r.choice(["-838:59:59", "838:59:59", "00:00:00", "-00:00:01"])
            return "'" + edge + ("." + "9" * frac if frac and edge.startswith(("8", "-8")) else "") + "'"
        sign = "-" if r.random() < 0.3 else ""
        s = "%s%d:%02d:%02d" % (sign, r.randint(0, 838), r.randint(0, 59), r.randint(0, 59))
        if frac:
            s += "." + "".join(r.choice("0123456789") for _ in range(frac))
        return "'" + s + "'"
    return gen


def _datetime(frac):
    def gen(r):
        x = r.random()
        if x < 0.1:
            return "'0000-00-00 00:00:00'"
        if x < 0.2:
            return r.choice(["'1000-01-01 00:00:00'", "'9999-12-31 23:59:59" + ("." + "9" * frac if frac else "") + "'"])
        y, m, d = _date_parts(r)
        s = "%04d-%02d-%02d %02d:%02d:%02d" % (y, m, d, r.randint(0, 23), r.randint(0, 59), r.randint(0, 59))
        if frac:
            s += "." + "".join(r.choice("0123456789") for _ in range(frac))
        return "'" + s + "'"
    return gen


def _timestamp(frac):
    def gen(r):
        x = r.random()
        if x < 0.1:
            return "'0000-00-00 00:00:00'"
        if x < 0.2:
            return r.choice(["'1970-01-01 00:00:01'", "'2038-01-19 03:14:07" + ("." + "9" * frac if frac else "") + "'"])
        y = r.randint(1971, 2037)
        s = "%04d-%02d-%02d %02d:%02d:%02d" % (y, r.randint(1, 12), r.randint(1, 28), r.randint(0, 23),
                                              r.randint(0, 59), r.randint(0, 59))
        if frac:
            s += "." + "".join(r.choice("0123456789") for _ in range(frac))
        return "'" + s + "'"
    return gen


LATIN1 = "abcXYZ 019 éàüÿñÑ'\"\\`%_"
UNICODE = "abc XYZ é ñ € 中文 😀 𝄞 ' \" \\ ` \t"


def _quote_text(s):
    return "'" + s.replace("\\", "\\\\").replace("'", "''") + "'"


def _hex(b):
    return "x''" if not b else "x'" + b.hex() + "'"


def _text(alphabet, max_chars, trailing_spaces=True):
    def gen(r):
        x = r.random()
        if x < 0.1:
            return "''"
        n = r.randint(1, max_chars)
        s = "".join(r.choice(alphabet) for _ in range(n))
        if trailing_spaces and r.random() < 0.2:
            s = s[: max(0, max_chars - 2)] + "  "
        return _quote_text(s[:max_chars])
    return gen


def _bytes(max_len, trailing_zeros=True):
    def gen(r):
        x = r.random()
        if x < 0.1:
            return "x''"
        n = r.randint(1, max_len)
        b = bytes(r.getrandbits(8) for _ in range(n))
        if trailing_zeros and r.random() < 0.4:
            b = b[: max(0, n - 3)] + b"\x00\x00\x00"
        if r.random() < 0.1:
            b = b"\xc3\x28\xff\xfe"[:n]  # invalid UTF-8
        return _hex(b[:max_len])
    return gen


def _binary(n, as_key=False):
    def gen(r):
        x = r.random()
        if x < 0.15:
            return _hex(b"\x00" * n)
        if x < 0.3:
            # The server pads it with 0x00; a key literal is written whole, so that a
            # WHERE on it finds the row (a binary comparison does not pad).
            return _hex(b"A".ljust(n, b"\x00") if as_key else b"A")
        b = bytes(r.getrandbits(8) for _ in range(n))
        if r.random() < 0.5:
            b = b[: n // 2] + b"\x00" * (n - n // 2)
        return _hex(b)
    return gen


def _blob(max_len):
    def gen(r):
        if r.random() < 0.05 and max_len > 100000:
            n = r.randint(100000, 300000)  # a long BLOB
            return "REPEAT(x'00ab', %d)" % (n // 2)
        return _bytes(min(max_len, 300))(r)
    return gen


def _longtext(r):
    if r.random() < 0.05:
        return "REPEAT('😀é', %d)" % r.randint(10000, 50000)
    return _text(UNICODE, 200)(r)


ENUM_MEMBERS = ["a", "b", "c d", "é", "x" * 20]
SET_MEMBERS = ["x", "y", "z", "w"]
SET64_MEMBERS = ["m%d" % i for i in range(1, 65)]


def _enum(r):
    return _quote_text(r.choice(ENUM_MEMBERS))


def _set(members):
    def gen(r):
        return _quote_text(",".join(m for m in members if r.random() < 0.3))
    return gen


def _json(r):
    doc = r.choice([
        {}, [], None, 0, -1.5, "", "é😀", True,
        {"a": r.randint(-10, 10), "b": [1, 2, {"c": "x'y"}], "u": "€"},
        [r.random(), r.randint(-2**63, 2**63 - 1), "tab\there", None, False],
        {"nested": {"deep": [{"k": i} for i in range(r.randint(0, 5))]}},
    ])
    return _quote_text(json.dumps(doc, ensure_ascii=r.random() < 0.5))


def _uuid(r):
    x = r.random()
    if x < 0.1:
        return "'00000000-0000-0000-0000-000000000000'"
    u = uuid.UUID(int=r.getrandbits(128), version=r.choice([1, 4]))
    s = str(u)
    if r.random() < 0.3:
        s = s[:-2] + "00"  # a trailing 0x00 byte
    return "'" + s + "'"


def _inet4(r):
    x = r.random()
    if x < 0.1:
        return "'0.0.0.0'"
    parts = [r.randint(0, 255) for _ in range(4)]
    if r.random() < 0.3:
        parts[3] = 0
    return "'%d.%d.%d.%d'" % tuple(parts)


def _inet6(r):
    x = r.random()
    if x < 0.1:
        return "'::'"
    if x < 0.2:
        return r.choice(["'::1:0'", "'ffff::'", "'::ffff:1.2.3.0'"])
    groups = ["%x" % r.getrandbits(16) for _ in range(8)]
    if r.random() < 0.3:
        groups[7] = "0"
    return "'" + ":".join(groups) + "'"


def _geometry(kind):
    def point(r):
        return "%d %d" % (r.randint(-1000, 1000), r.randint(-1000, 1000))

    def wkt(r, k):
        if k == "POINT":
            return "POINT(%s)" % point(r)
        if k == "LINESTRING":
            return "LINESTRING(%s)" % ",".join(point(r) for _ in range(r.randint(2, 5)))
        if k == "POLYGON":
            a, b = r.randint(0, 100), r.randint(1, 100)
            return "POLYGON((%d %d,%d %d,%d %d,%d %d))" % (a, a, a + b, a, a + b, a + b, a, a)
        if k == "MULTIPOINT":
            return "MULTIPOINT(%s)" % ",".join(point(r) for _ in range(r.randint(1, 4)))
        if k == "GEOMETRYCOLLECTION":
            return "GEOMETRYCOLLECTION(%s,%s)" % (wkt(r, "POINT"), wkt(r, "LINESTRING"))
        return wkt(r, r.choice(["POINT", "LINESTRING", "POLYGON", "MULTIPOINT", "GEOMETRYCOLLECTION"]))

    def gen(r):
        return "ST_GeomFromText('%s')" % wkt(r, kind)
    return gen


TYPES = [
    ("ti", "TINYINT", _ints(-128, 127)),
    ("tiu", "TINYINT UNSIGNED", _ints(0, 255)),
    ("si", "SMALLINT", _ints(-32768, 32767)),
    ("siu", "SMALLINT UNSIGNED", _ints(0, 65535)),
    ("mi", "MEDIUMINT", _ints(-8388608, 8388607)),
    ("miu", "MEDIUMINT UNSIGNED", _ints(0, 16777215)),
    ("i", "INT", _ints(-2**31, 2**31 - 1)),
    ("iu", "INT UNSIGNED", _ints(0, 2**32 - 1)),
    ("bi", "BIGINT", _ints(-2**63, 2**63 - 1)),
    ("biu", "BIGINT UNSIGNED", _ints(0, 2**64 - 1)),
    ("bo", "BOOLEAN", _ints(-128, 127)),
    ("d65", "DECIMAL(65,30)", _decimal(65, 30)),
    ("d10", "DECIMAL(10,2) UNSIGNED", _decimal(10, 2, unsigned=True)),
    ("d18", "DECIMAL(18,0)", _decimal(18, 0)),
    ("d38", "DECIMAL(38,38)", _decimal(38, 38)),
    ("fl", "FLOAT", _float),
    ("db", "DOUBLE", _double),
    ("b1", "BIT(1)", _bit(1)),
    ("b13", "BIT(13)", _bit(13)),
    ("b64", "BIT(64)", _bit(64)),
    ("yr", "YEAR", _year),
    ("dt", "DATE", _date),
    ("tm", "TIME", _time(0)),
    ("tm3", "TIME(3)", _time(3)),
    ("tm6", "TIME(6)", _time(6)),
    ("dtm", "DATETIME", _datetime(0)),
    ("dtm2", "DATETIME(2)", _datetime(2)),
    ("dtm6", "DATETIME(6)", _datetime(6)),
    ("ts", "TIMESTAMP", _timestamp(0)),
    ("ts4", "TIMESTAMP(4)", _timestamp(4)),
    ("ts6", "TIMESTAMP(6)", _timestamp(6)),
    ("chl", "CHAR(10) CHARACTER SET latin1", _text(LATIN1, 10)),
    ("chu", "CHAR(20) CHARACTER SET utf8mb4", _text(UNICODE, 20)),
    ("chb", "CHAR(12) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin", _text(UNICODE, 12)),
    ("vcu", "VARCHAR(300) CHARACTER SET utf8mb4", _text(UNICODE, 300)),
    ("vcl", "VARCHAR(100) CHARACTER SET latin1", _text(LATIN1, 100)),
    ("vca", "VARCHAR(40) CHARACTER SET ascii", _text("abcdefxyz0189 _-", 40)),
    ("bn", "BINARY(8)", _binary(8)),
    ("bn1", "BINARY(1)", _binary(1)),
    ("vb", "VARBINARY(64)", _bytes(64)),
    ("tb", "TINYBLOB", _bytes(255)),
    ("bl", "BLOB", _blob(65535)),
    ("mb", "MEDIUMBLOB", _blob(16777215)),
    ("lb", "LONGBLOB", _blob(2**32 - 1)),
    ("tt", "TINYTEXT", _text(UNICODE, 60)),
    ("tx", "TEXT CHARACTER SET latin1", _text(LATIN1, 300)),
    ("mt", "MEDIUMTEXT", _text(UNICODE, 300)),
    ("lt", "LONGTEXT", _longtext),
    ("en", "ENUM('a','b','c d','é','xxxxxxxxxxxxxxxxxxxx')", _enum),
    ("st", "SET('x','y','z','w')", _set(SET_MEMBERS)),
    ("s64", "SET(%s)" % ",".join("'%s'" % m for m in SET64_MEMBERS), _set(SET64_MEMBERS)),
    ("js", "JSON", _json),
    ("uu", "UUID", _uuid),
    ("i4", "INET4", _inet4),
    ("i6", "INET6", _inet6),
    ("ge", "GEOMETRY", _geometry("GEOMETRY")),
    ("pt", "POINT", _geometry("POINT")),
    ("ls", "LINESTRING", _geometry("LINESTRING")),
    ("pg", "POLYGON", _geometry("POLYGON")),
    ("mp", "MULTIPOINT", _geometry("MULTIPOINT")),
    ("gc", "GEOMETRYCOLLECTION", _geometry("GEOMETRYCOLLECTION")),
]
TYPE_BY_NAME = {t[0]: t for t in TYPES}
# Types whose column cannot have a literal DEFAULT (BLOB/TEXT/JSON/GEOMETRY may, from
# 10.2, but we give every NOT NULL value explicitly anyway).


# Types a primary key can be of (BLOB/TEXT/JSON/GEOMETRY cannot, without a prefix):
# one table `key_<type>` each, so that every type is found by its key value.
KEY_TYPES = ["ti", "tiu", "si", "siu", "mi", "miu", "i", "iu", "bi", "biu", "d65", "d10", "d38", "fl", "db",
             "b1", "b13", "b64", "yr", "dt", "tm", "tm6", "dtm", "dtm6", "ts", "ts6", "chl", "chu", "chb",
             "vcu", "vcl", "bn", "vb", "en", "st", "s64", "uu", "i4", "i6"]


class Table:
    """A table of the workload: its DDL, its columns and a model of its keys.

    loose: two different literals may be the same key value (a PAD SPACE or
    case-insensitive collation, a FLOAT): statements go as INSERT IGNORE /
    UPDATE IGNORE, so that the master never fails; the model then over-counts,
    and an UPDATE or DELETE may find no row, which the binlog simply does not show."""

    def __init__(self, name, columns, key, ddl_tail="", key_gen=None, writable=None, loose=False):
        self.name = name
        self.columns = columns          # [(column name, type name)] of written columns
        self.key = key                  # key column names ([] = no key)
        self.ddl_tail = ddl_tail
        self.key_gen = key_gen          # rng -> tuple of key literals (None: no key)
        self.rows = []                  # key tuples (or whole rows for a keyless table)
        self.writable = writable or [c for c, _ in columns if c not in key]
        self.loose = loose


class Workload:
    def __init__(self, seed, database="voms_oracle", batch=1):
        self.rng = random.Random(seed)
        self.db = database
        # batch > 1 (the long run): a multi-row INSERT writes `batch` times as many rows
        # and a range UPDATE spans `batch` times as many ids. With batch == 1 the random
        # stream, and so the SQL of a seed, is what it always was.
        self.batch = batch
        self.tables = {}
        self.next_id = 1
        self.ddl_count = 0
        self.indexes = {}  # table -> [(index name, column)] added by _ddl
        self.stats = {"transactions": 0, "rollbacks": 0, "ddl": 0, "statements": 0,
                      "rows_inserted": 0, "rows_updated": 0, "rows_deleted": 0}

    # -- schema ----------------------------------------------------------------------
    def _fresh_id(self):
        self.next_id += self.rng.randint(1, 3)
        return self.next_id

    def schema(self):
        r = self.rng
        out = ["SET time_zone = '+00:00';", "SET NAMES utf8mb4;",
               "CREATE DATABASE `%s` CHARACTER SET utf8mb4;" % self.db, "USE `%s`;" % self.db]

        def add(t, create):
            self.tables[t.name] = t
            out.append(create)

        every = [("id", "id")] + [(n, n) for n, _, _ in TYPES]
        cols = ",\n  ".join("`%s` %s NULL" % (n, ddl) for n, ddl, _ in TYPES)
        add(Table("t_null", every, ["id"], key_gen=lambda r: (str(self._fresh_id()),)),
            "CREATE TABLE t_null (id INT NOT NULL PRIMARY KEY,\n  %s) ENGINE=InnoDB;" % cols)
        cols = ",\n  ".join("`%s` %s NOT NULL" % (n, ddl) for n, ddl, _ in TYPES)
        add(Table("t_notnull", every, ["id"], key_gen=lambda r: (str(self._fresh_id()),)),
            "CREATE TABLE t_notnull (id BIGINT UNSIGNED NOT NULL PRIMARY KEY,\n  %s) ENGINE=InnoDB;" % cols)
        add(Table("k_uuid", [("u", "uu"), ("v", "vcu"), ("n", "i"), ("i6", "i6")], ["u"],
                  key_gen=lambda r: (_uuid(r),)),
            "CREATE TABLE k_uuid (u UUID NOT NULL PRIMARY KEY, v VARCHAR(300) NULL, n INT NULL, i6 INET6 NULL);")
        add(Table("k_binary", [("b", "bn16"), ("v", "vb"), ("n", "biu")], ["b"],
                  key_gen=lambda r: (_binary(16, as_key=True)(r),)),
            "CREATE TABLE k_binary (b BINARY(16) NOT NULL PRIMARY KEY, v VARBINARY(64) NULL, "
            "n BIGINT UNSIGNED NULL);")
        add(Table("k_composite", [("a", "i"), ("b", "vca"), ("c", "dtm6"), ("v", "lt"), ("d", "d65")],
                  ["a", "b", "c"],
                  key_gen=lambda r: (_ints(-5, 5)(r), _quote_text("k%d" % self._fresh_id()), _datetime(6)(r))),
            "CREATE TABLE k_composite (a INT NOT NULL, b VARCHAR(40) CHARACTER SET ascii NOT NULL, "
            "c DATETIME(6) NOT NULL, v LONGTEXT NULL, d DECIMAL(65,30) NULL, PRIMARY KEY (a, b, c));")
        add(Table("k_unique", [("u", "i6"), ("v", "tx"), ("n", "i"), ("t", "ts6")], ["u"],
                  key_gen=lambda r: (_inet6(r),)),
            "CREATE TABLE k_unique (u INET6 NOT NULL, v TEXT CHARACTER SET latin1 NULL, n INT NULL, "
            "t TIMESTAMP(6) NULL, UNIQUE KEY uk (u), KEY kn (n));")
        add(Table("k_none", [("a", "i"), ("b", "vcu"), ("c", "bl"), ("f", "fl"), ("e", "en")], [],
                  key_gen=None),
            "CREATE TABLE k_none (a INT NULL, b VARCHAR(300) NULL, c BLOB NULL, f FLOAT NULL, "
            "e ENUM('a','b','c d','é','xxxxxxxxxxxxxxxxxxxx') NULL);")
        add(Table("k_generated", [("id", "i"), ("a", "i"), ("b", "vca")], ["id"],
                  key_gen=lambda r: (str(self._fresh_id()),), writable=["a", "b"]),
            "CREATE TABLE k_generated (id INT NOT NULL PRIMARY KEY, a INT NULL, b VARCHAR(40) NULL, "
            "g1 BIGINT AS (a * 2) VIRTUAL, g2 VARCHAR(60) AS (CONCAT(b, '-', a)) STORED, "
            "g3 VARCHAR(60) AS (UPPER(b)) VIRTUAL, KEY kg2 (g2), KEY kg3 (g3));")
        add(Table("fk_parent", [("id", "i"), ("name", "vcu")], ["id"],
                  key_gen=lambda r: (str(self._fresh_id()),)),
            "CREATE TABLE fk_parent (id INT NOT NULL PRIMARY KEY, name VARCHAR(300) NULL);")
        add(Table("fk_child", [("id", "i"), ("parent_id", "fk"), ("v", "vb")], ["id"],
                  key_gen=lambda r: (str(self._fresh_id()),)),
            "CREATE TABLE fk_child (id INT NOT NULL PRIMARY KEY, parent_id INT NULL, v VARBINARY(64) NULL, "
            "CONSTRAINT fkc FOREIGN KEY (parent_id) REFERENCES fk_parent (id) ON DELETE CASCADE ON UPDATE CASCADE);")
        for typ in KEY_TYPES:
            name, ddl, gen = TYPE_BY_NAME[typ]
            add(Table("key_" + name, [("k", typ), ("v", "i"), ("w", "vcu")], ["k"],
                      key_gen=(lambda g: lambda r: (g(r),))(gen), loose=True),
                "CREATE TABLE `key_%s` (k %s NOT NULL PRIMARY KEY, v INT NULL, w VARCHAR(300) NULL);" % (name, ddl))
        return "\n".join(out) + "\n"

    # -- values ----------------------------------------------------------------------
    def _value(self, table, col, typ, nullable=True):
        r = self.rng
        if typ == "fk":
            parents = self.tables["fk_parent"].rows
            if not parents or r.random() < 0.2:
                return "NULL"
            return r.choice(parents)[0]
        if typ == "bn16":
            return _binary(16)(r)
        if nullable and r.random() < 0.15:
            return "NULL"
        return TYPE_BY_NAME[typ][2](r)

    def _nullable(self, table, col):
        return table.name != "t_notnull" and col not in table.key

    def _key_where(self, table, key):
        return " AND ".join("`%s` = %s" % (c, v) for c, v in zip(table.key, key))

    # -- statements ------------------------------------------------------------------
    def _insert(self, t):
        r = self.rng
        rows = []
        for _ in range(r.choice([1, 1, 1, 2, 3]) * self.batch):
            if t.key_gen:
                key = t.key_gen(r)
                if key in t.rows or any(k == key for k in (x[0] for x in rows)):
                    continue
            else:
                key = None
            vals = []
            for c, typ in t.columns:
                if t.key and c in t.key:
                    vals.append(key[t.key.index(c)])
                elif c in t.writable:
                    vals.append(self._value(t, c, typ, self._nullable(t, c)))
            rows.append((key, vals))
        if not rows:
            return None
        cols = [c for c, _ in t.columns if (t.key and c in t.key) or c in t.writable]
        for key, _ in rows:
            if key is not None:
                t.rows.append(key)
        if not t.key:
            t.rows.append(None)
        self.stats["rows_inserted"] += len(rows)
        return "INSERT %sINTO `%s` (%s) VALUES %s;" % (
            "IGNORE " if t.loose else "", t.name, ", ".join("`%s`" % c for c in cols),
            ", ".join("(" + ", ".join(v) + ")" for _, v in rows))

    def _set_clause(self, t, n_max=6):
        r = self.rng
        cols = r.sample(t.writable, min(len(t.writable), r.randint(1, n_max)))
        typ = dict(t.columns)
        return ", ".join("`%s` = %s" % (c, self._value(t, c, typ[c], self._nullable(t, c))) for c in cols)

    def _update(self, t):
        r = self.rng
        if not t.rows:
            return self._insert(t)
        if not t.key:
            # A keyless table: change one row of those with a given `a`.
            return "UPDATE `%s` SET %s WHERE `a` <=> %s LIMIT 1;" % (
                t.name, self._set_clause(t, 3), self._value(t, "a", "i"))
        key = r.choice(t.rows)
        if r.random() < 0.15 and t.key_gen:
            # The key itself changes (with some other columns).
            new = t.key_gen(r)
            if new in t.rows:
                return None
            t.rows[t.rows.index(key)] = new
            sets = ", ".join("`%s` = %s" % (c, v) for c, v in zip(t.key, new))
            if r.random() < 0.5:
                sets += ", " + self._set_clause(t, 2)
            self.stats["rows_updated"] += 1
            return "UPDATE %s`%s` SET %s WHERE %s;" % ("IGNORE " if t.loose else "", t.name, sets,
                                                      self._key_where(t, key))
        self.stats["rows_updated"] += 1
        return "UPDATE `%s` SET %s WHERE %s;" % (t.name, self._set_clause(t), self._key_where(t, key))

    def _delete(self, t):
        r = self.rng
        if not t.rows:
            return None
        if not t.key:
            t.rows.pop()
            return "DELETE FROM `%s` WHERE `a` <=> %s LIMIT 1;" % (t.name, self._value(t, "a", "i"))
        key = r.choice(t.rows)
        t.rows.remove(key)
        if t.name == "fk_parent":  # ON DELETE CASCADE: the children go too
            child = self.tables["fk_child"]
            child.rows = [k for k in child.rows if True]  # child ids stay valid keys
        self.stats["rows_deleted"] += 1
        return "DELETE FROM `%s` WHERE %s;" % (t.name, self._key_where(t, key))

    def _bulk_update(self, t):
        # Many rows in one statement (a range of ids), only on integer-keyed tables.
        if t.key != ["id"] or t.name in ("fk_parent", "fk_child") or len(t.rows) < 3:
            return None
        ids = sorted(int(k[0]) for k in t.rows)
        lo = self.rng.choice(ids)
        self.stats["rows_updated"] += 1
        return "UPDATE `%s` SET %s WHERE id BETWEEN %d AND %d;" % (t.name, self._set_clause(t, 2), lo,
                                                                   lo + 20 * self.batch)

    def _statement(self):
        r = self.rng
        keyed = [n for n in self.tables if n.startswith("key_")]
        other = [n for n in self.tables if not n.startswith("key_")]
        t = self.tables[r.choice(keyed if keyed and r.random() < 0.3 else other)]
        x = r.random()
        if x < 0.45 or len(t.rows) < 3:
            s = self._insert(t)
        elif x < 0.75:
            s = self._update(t)
        elif x < 0.82:
            s = self._bulk_update(t)
        else:
            s = self._delete(t)
        if s:
            self.stats["statements"] += 1
        return s

    def _ddl(self):
        r = self.rng
        self.ddl_count += 1
        n = self.ddl_count
        self.stats["ddl"] += 1
        choice = r.choice(["add_column", "late_table", "index", "modify"])
        if choice == "add_column":
            t = self.tables[r.choice(["t_null", "k_uuid", "k_none"])]
            added = [c for c, _ in t.columns if c.startswith("x") and c[1:].isdigit()]
            if len(added) >= 8:  # a long run stays within the server's column and row-size limits
                col = r.choice(added)
                t.columns = [(c, typ) for c, typ in t.columns if c != col]
                t.writable.remove(col)
                return "ALTER TABLE `%s` DROP COLUMN `%s`;" % (t.name, col)
            col = "x%d" % n
            typ = r.choice(["i", "vcu", "dtm6", "uu", "i6", "bn"])
            t.columns.append((col, typ))
            t.writable.append(col)
            return "ALTER TABLE `%s` ADD COLUMN `%s` %s NULL;" % (t.name, col, TYPE_BY_NAME[typ][1])
        if choice == "late_table":
            name = "late_%d" % n
            self.tables[name] = Table(name, [("id", "i"), ("u", "uu"), ("v", "vcu")], ["id"],
                                      key_gen=lambda r: (str(self._fresh_id()),))
            return ("CREATE TABLE `%s` (id INT NOT NULL PRIMARY KEY, u UUID NULL, v VARCHAR(300) NULL) "
                    "ENGINE=InnoDB;" % name)
        if choice == "index":
            t = self.tables[r.choice(["t_null", "k_composite"])]
            indexes = self.indexes.setdefault(t.name, [])
            # An index on a column that a DROP COLUMN removed went with it.
            names = {c for c, _ in t.columns}
            indexes[:] = [(ix, c) for ix, c in indexes if c in names]
            if len(indexes) >= 8:  # at most 64 keys per table
                ix, _ = indexes.pop(r.randrange(len(indexes)))
                return "ALTER TABLE `%s` DROP INDEX `%s`;" % (t.name, ix)
            col = r.choice([c for c, typ in t.columns if typ in ("i", "dtm6", "vca", "d65")] or ["id"])
            indexes.append(("ix%d" % n, col))
            return "ALTER TABLE `%s` ADD INDEX `ix%d` (`%s`);" % (t.name, n, col)
        lates = [k for k in self.tables if k.startswith("late_")]
        if lates and r.random() < 0.5:
            name = r.choice(lates)
            del self.tables[name]
            return "DROP TABLE `%s`;" % name
        return "ALTER TABLE k_unique MODIFY v TEXT CHARACTER SET latin1 NULL COMMENT 'c%d';" % n

    def transactions(self, n):
        r = self.rng
        out = ["SET time_zone = '+00:00';", "SET NAMES utf8mb4;", "USE `%s`;" % self.db]
        for _ in range(n):
            if r.random() < 0.02:
                out.append(self._ddl())
                continue
            rollback = r.random() < 0.05
            k = r.choice([1, 1, 2, 3, 5, 8])
            if k == 1 and not rollback:
                s = self._statement()
                if s:
                    out.append(s)
                    self.stats["transactions"] += 1
                continue
            if rollback:
                # A rolled-back transaction leaves no trace: its model changes are undone
                # by working on a copy.
                saved = {name: list(t.rows) for name, t in self.tables.items()}
                saved_stats = dict(self.stats)
                stmts = [s for s in (self._statement() for _ in range(k)) if s]
                for name, rows in saved.items():
                    if name in self.tables:
                        self.tables[name].rows = rows
                self.stats = saved_stats
                self.stats["rollbacks"] += 1
                out.append("BEGIN;\n" + "\n".join(stmts) + "\nROLLBACK;")
                continue
            stmts = [s for s in (self._statement() for _ in range(k)) if s]
            if stmts:
                out.append("BEGIN;\n" + "\n".join(stmts) + "\nCOMMIT;")
                self.stats["transactions"] += 1
        return "\n".join(out) + "\n"


if __name__ == "__main__":
    import argparse
    import sys
    p = argparse.ArgumentParser(description="print the oracle workload's SQL")
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--transactions", type=int, default=100)
    p.add_argument("--batch", type=int, default=1, help="rows per multi-row INSERT and ids per range UPDATE, times N")
    a = p.parse_args()
    w = Workload(a.seed, batch=a.batch)
    sys.stdout.write(w.schema())
    sys.stdout.write(w.transactions(a.transactions))
