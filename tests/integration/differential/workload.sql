-- Differential workload, run after tests/data/mariadb-types/types.sql (which creates the
-- database vt with one table per type family and INSERTs edge values). This file adds
-- what types.sql lacks for the differential test (tests/integration/differential):
-- UPDATEs and DELETEs on every table (so before and after images differ and MINIMAL
-- images carry only some columns), values of 64 KiB and more, every fractional-second
-- precision 0..6, more character sets, generated columns, a table without a primary
-- key (MINIMAL images then log every column) and a table of more than 250 columns.
-- No value contains the text ' /* ' except in the table `comments`, whose values check
-- that the comparison strips only the last ' /* ' of a line.
SET time_zone = '+00:00';
SET sql_mode = '';
SET NAMES utf8mb4;
USE vt;

-- UPDATE and DELETE on every type-family table of types.sql.
UPDATE ints SET t = t + 1, bu = 18446744073709551615 WHERE id = 1;
UPDATE ints SET s = NULL, mu = 0 WHERE id IN (2, 4);
DELETE FROM ints WHERE id = 3;
UPDATE floats SET f = -f, d = d / 3 WHERE id IN (2, 3, 7);
UPDATE floats SET fu = NULL WHERE id = 1;
DELETE FROM floats WHERE id = 6;
UPDATE decimals SET d3 = -d3, d4 = 0.00000000000000000000000000000000000001 WHERE id IN (3, 5);
UPDATE decimals SET d6 = NULL, d1 = -0.01 WHERE id = 1;
DELETE FROM decimals WHERE id = 4;
UPDATE temporals SET t6 = '-838:59:58.999999', s6 = '2001-02-03 04:05:06.000007', y = 1901 WHERE id = 1;
UPDATE temporals SET dt = NULL, d0 = '2000-01-01 00:00:00' WHERE id IN (2, 5);
DELETE FROM temporals WHERE id = 3;
UPDATE old_temporals SET t = '-00:00:01', d = '2020-02-29 12:00:00' WHERE id = 1;
DELETE FROM old_temporals WHERE id = 4;
UPDATE strings SET v = 'changed', c300 = '' WHERE id IN (1, 3);
UPDATE strings SET c = 'ñ€😀', vb = NULL WHERE id = 2;
DELETE FROM strings WHERE id = 4;
UPDATE blobs SET lb = REPEAT('y', 70001), tt = NULL WHERE id = 2;
UPDATE blobs SET mt = REPEAT('€', 30000) WHERE id = 1;
DELETE FROM blobs WHERE id = 4;
UPDATE enums SET e = 'a', s64 = 'b31,b32' WHERE id IN (2, 3);
DELETE FROM enums WHERE id = 4;
UPDATE bits SET b17 = b'1', b64 = 0 WHERE id = 2;
DELETE FROM bits WHERE id = 3;
UPDATE others SET i6 = 'ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff', j = '{"k": "ü"}' WHERE id = 1;
UPDATE others SET g = ST_GeomFromText('MULTIPOINT(1 1,2 2)'), u = NULL WHERE id = 2;
DELETE FROM others WHERE id = 4;

-- Every fractional-second precision 0..6 of TIME, DATETIME and TIMESTAMP.
CREATE TABLE fsp (
  id INT PRIMARY KEY,
  t0 TIME(0), t1 TIME(1), t2 TIME(2), t3 TIME(3), t4 TIME(4), t5 TIME(5), t6 TIME(6),
  d0 DATETIME(0), d1 DATETIME(1), d2 DATETIME(2), d3 DATETIME(3), d4 DATETIME(4), d5 DATETIME(5), d6 DATETIME(6),
  s0 TIMESTAMP(0) NULL, s1 TIMESTAMP(1) NULL, s2 TIMESTAMP(2) NULL, s3 TIMESTAMP(3) NULL,
  s4 TIMESTAMP(4) NULL, s5 TIMESTAMP(5) NULL, s6 TIMESTAMP(6) NULL
) ENGINE=InnoDB;
INSERT INTO fsp VALUES
  (1, '-838:59:59', '-838:59:59.9', '-838:59:59.99', '-838:59:59.999', '-838:59:59.9999', '-838:59:59.99999', '-838:59:59.999999',
      '1000-01-01 00:00:00', '1000-01-01 00:00:00.1', '1000-01-01 00:00:00.01', '1000-01-01 00:00:00.001',
      '1000-01-01 00:00:00.0001', '1000-01-01 00:00:00.00001', '1000-01-01 00:00:00.000001',
      '1970-01-01 00:00:01', '1970-01-01 00:00:01.1', '1970-01-01 00:00:01.01', '1970-01-01 00:00:01.001',
      '1970-01-01 00:00:01.0001', '1970-01-01 00:00:01.00001', '1970-01-01 00:00:01.000001'),
  (2, '838:59:59', '838:59:59.9', '838:59:59.99', '838:59:59.999', '838:59:59.9999', '838:59:59.99999', '838:59:59.999999',
      '9999-12-31 23:59:59', '9999-12-31 23:59:59.9', '9999-12-31 23:59:59.99', '9999-12-31 23:59:59.999',
      '9999-12-31 23:59:59.9999', '9999-12-31 23:59:59.99999', '9999-12-31 23:59:59.999999',
      '2038-01-19 03:14:07', '2038-01-19 03:14:07.9', '2038-01-19 03:14:07.99', '2038-01-19 03:14:07.999',
      '2038-01-19 03:14:07.9999', '2038-01-19 03:14:07.99999', '2038-01-19 03:14:07.999999'),
  (3, '-00:00:00', '-00:00:00.1', '-00:00:00.01', '-00:00:00.001', '-00:00:00.0001', '-00:00:00.00001', '-00:00:00.000001',
      '0000-00-00 00:00:00', '0000-00-00 00:00:00.0', '0000-00-00 00:00:00.00', '0000-00-00 00:00:00.000',
      '0000-00-00 00:00:00.0000', '0000-00-00 00:00:00.00000', '0000-00-00 00:00:00.000000',
      '0000-00-00 00:00:00', '0000-00-00 00:00:00.0', '0000-00-00 00:00:00.00', '0000-00-00 00:00:00.000',
      '0000-00-00 00:00:00.0000', '0000-00-00 00:00:00.00000', '0000-00-00 00:00:00.000000'),
  (4, '-01:00:00', '-12:34:56.5', '-12:34:56.05', '-12:34:56.005', '-12:34:56.0005', '-12:34:56.00005', '-12:34:56.000005',
      '2024-02-29 12:34:56', '2024-02-29 12:34:56.5', '2024-02-29 12:34:56.05', '2024-02-29 12:34:56.005',
      '2024-02-29 12:34:56.0005', '2024-02-29 12:34:56.00005', '2024-02-29 12:34:56.000005',
      '2024-02-29 12:34:56', '2024-02-29 12:34:56.5', '2024-02-29 12:34:56.05', '2024-02-29 12:34:56.005',
      '2024-02-29 12:34:56.0005', '2024-02-29 12:34:56.00005', '2024-02-29 12:34:56.000005'),
  (5, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL,
      NULL, NULL, NULL, NULL, NULL, NULL, NULL);
UPDATE fsp SET t3 = '-00:00:00.999', d5 = '1999-12-31 23:59:59.99999', s2 = '2000-01-01 00:00:00.01' WHERE id = 4;
UPDATE fsp SET t0 = '00:00:00', t6 = '00:00:00.000001', s6 = '1970-01-01 00:00:01.5' WHERE id IN (1, 5);
DELETE FROM fsp WHERE id = 2;

-- Character sets with other widths, long VARCHAR (2-byte length), NATIONAL CHAR.
CREATE TABLE charsets (
  id INT PRIMARY KEY,
  l1 CHAR(5) CHARACTER SET latin1, a1 CHAR(5) CHARACTER SET ascii, u3 CHAR(5) CHARACTER SET utf8mb3,
  u16 CHAR(3) CHARACTER SET utf16, u32 VARCHAR(3) CHARACTER SET utf32, ucs VARCHAR(4) CHARACTER SET ucs2,
  bin CHAR(5) CHARACTER SET binary, nc NATIONAL CHAR(4), v VARCHAR(16000) CHARACTER SET utf8mb4,
  vbig VARBINARY(300)
) ENGINE=InnoDB;
INSERT INTO charsets VALUES
  (1, '', '', '', '', '', '', '', '', '', ''),
  (2, 'café', 'abc', 'ñ€', 'añ', 'a€', 'ñ€', x'0001', 'ü', REPEAT('é', 16000), REPEAT(x'00ff', 150)),
  (3, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL),
  (4, 'ÿ', '~', '😀', '€', '😀', 'a', 'a    ', 'x', 'short', x'0a');
UPDATE charsets SET u16 = 'z', v = REPEAT('😀', 16000) WHERE id = 2;
DELETE FROM charsets WHERE id = 4;

-- Large values: 64 KiB and more of BLOB and TEXT, multi-byte, up to 1 MiB.
CREATE TABLE big (id INT PRIMARY KEY, b BLOB, t TEXT, mb MEDIUMBLOB, lt LONGTEXT) ENGINE=InnoDB;
INSERT INTO big VALUES
  (1, REPEAT(x'ab', 65535), REPEAT('a', 65535), REPEAT(x'00', 16777215 DIV 64), REPEAT('€', 349526)),
  (2, REPEAT(x'0a', 65535), REPEAT('é', 32767), REPEAT(x'7f', 65536), REPEAT('x', 1048576)),
  (3, '', '', '', '');
UPDATE big SET t = REPEAT('😀', 16383), mb = REPEAT(x'1f', 70000) WHERE id = 3;
DELETE FROM big WHERE id = 1;

-- No primary key: MINIMAL before images carry every column.
CREATE TABLE nokey (a INT, b VARCHAR(10), c DOUBLE, d DATETIME(3)) ENGINE=InnoDB;
INSERT INTO nokey VALUES (1, 'one', 1.0, '2001-01-01 01:01:01.001'), (2, 'two', NULL, NULL),
  (2, 'two', NULL, NULL), (NULL, NULL, NULL, NULL);
UPDATE nokey SET b = 'TWO' WHERE a = 2;
DELETE FROM nokey WHERE a IS NULL;

-- Generated columns (STORED and VIRTUAL), invisible columns, a unique key without PK.
CREATE TABLE gen (
  id INT NOT NULL, v INT,
  vs INT AS (v * 2) STORED, vv VARCHAR(20) AS (CONCAT('v=', v)) VIRTUAL,
  hidden INT INVISIBLE DEFAULT 7, UNIQUE KEY (id)
) ENGINE=InnoDB;
INSERT INTO gen (id, v) VALUES (1, 10), (2, NULL), (3, -5);
UPDATE gen SET v = v + 1, hidden = 8 WHERE id IN (1, 3);
DELETE FROM gen WHERE id = 2;

-- Other integer and floating spellings, BOOLEAN, zerofill.
CREATE TABLE misc (
  id INT PRIMARY KEY, bo BOOLEAN, z INT(5) ZEROFILL, fz FLOAT(7,3), dz DOUBLE(10,4) UNSIGNED,
  r REAL, dc NUMERIC(4,2), dd DECIMAL(65,0), dz30 DECIMAL(30,30), y4 YEAR(4)
) ENGINE=InnoDB;
INSERT INTO misc VALUES
  (1, TRUE, 42, 1234.567, 123456.7891, -0.0, -99.99, 99999999999999999999999999999999999999999999999999999999999999999,
      0.999999999999999999999999999999, 1901),
  (2, FALSE, 0, -9999.999, 0, 1e-300, 0.01, -99999999999999999999999999999999999999999999999999999999999999999,
      -0.000000000000000000000000000001, 2155),
  (3, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL);
UPDATE misc SET r = 2.5, dd = 0 WHERE id = 1;
DELETE FROM misc WHERE id = 2;

-- Spatial subtypes.
CREATE TABLE geoms (
  id INT PRIMARY KEY, p POINT, l LINESTRING, pg POLYGON, mp MULTIPOINT, ml MULTILINESTRING,
  mpg MULTIPOLYGON, gc GEOMETRYCOLLECTION
) ENGINE=InnoDB;
INSERT INTO geoms VALUES
  (1, POINT(0, 0), ST_GeomFromText('LINESTRING(0 0,10 10)'), ST_GeomFromText('POLYGON((0 0,4 0,4 4,0 4,0 0),(1 1,2 1,2 2,1 1))'),
      ST_GeomFromText('MULTIPOINT(0 0,1 1)'), ST_GeomFromText('MULTILINESTRING((0 0,1 1),(2 2,3 3))'),
      ST_GeomFromText('MULTIPOLYGON(((0 0,1 0,1 1,0 0)),((5 5,6 5,6 6,5 5)))'),
      ST_GeomFromText('GEOMETRYCOLLECTION(POINT(1 1),LINESTRING(0 0,1 1))')),
  (2, NULL, NULL, NULL, NULL, NULL, NULL, NULL);
UPDATE geoms SET p = POINT(-180, 90) WHERE id = 1;
DELETE FROM geoms WHERE id = 2;

-- Values that contain the comment markers themselves.
CREATE TABLE comments (id INT PRIMARY KEY, s VARCHAR(40), t TEXT) ENGINE=InnoDB;
INSERT INTO comments VALUES (1, 'a /* b */ c', ' /* INT meta=0 nullable=0 is_null=0 */'), (2, '/*', '*/');
UPDATE comments SET s = 'x /* y' WHERE id = 1;
DELETE FROM comments WHERE id = 2;

-- Several rows per event, and a multi-table transaction.
CREATE TABLE multi (id INT PRIMARY KEY, n INT, s VARCHAR(8)) ENGINE=InnoDB;
INSERT INTO multi SELECT seq, seq * 3, CONCAT('r', seq) FROM seq_1_to_500;
BEGIN;
UPDATE multi SET n = -n WHERE id % 7 = 0;
DELETE FROM multi WHERE id % 11 = 0;
INSERT INTO nokey VALUES (9, 'nine', 9.5, '2009-09-09 09:09:09.999');
COMMIT;

-- More than 250 columns (the column count and bitmaps use their long forms).
SET SESSION group_concat_max_len = 65536;
SET @ddl = (SELECT CONCAT('CREATE TABLE wide (id INT PRIMARY KEY, ',
                          GROUP_CONCAT(CONCAT('c', seq, ' SMALLINT') ORDER BY seq), ') ENGINE=InnoDB')
            FROM seq_1_to_300);
PREPARE create_wide FROM @ddl;
EXECUTE create_wide;
DEALLOCATE PREPARE create_wide;
INSERT INTO wide (id, c1, c150, c255, c256, c300) VALUES (1, 1, -1, 255, 256, -32768), (2, NULL, 0, 0, 0, 32767);
UPDATE wide SET c299 = 5, c1 = NULL WHERE id = 1;
DELETE FROM wide WHERE id = 2;
