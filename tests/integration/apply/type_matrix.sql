-- Type matrix for the applier integration test (tests/integration/apply): run on the
-- sandbox master (binlog ROW, row metadata FULL); the test builds Transactions from the
-- binlog, applies them to a replica and compares every table. Edge values of every
-- type, hostile identifiers, partial images (MINIMAL / NOBLOB), tables with a composite
-- key, a unique key only, no key, generated columns, key changes.
SET time_zone = '+00:00';
SET sql_mode = '';
SET NAMES utf8mb4;
CREATE DATABASE voms_types CHARACTER SET utf8mb4;
USE voms_types;

CREATE TABLE ints (
  id INT PRIMARY KEY,
  t TINYINT, tu TINYINT UNSIGNED, s SMALLINT, su SMALLINT UNSIGNED,
  m MEDIUMINT, mu MEDIUMINT UNSIGNED, i INT, iu INT UNSIGNED,
  b BIGINT, bu BIGINT UNSIGNED, bo BOOLEAN, y YEAR
) ENGINE=InnoDB;
INSERT INTO ints VALUES
  (1, -128, 0, -32768, 0, -8388608, 0, -2147483648, 0, -9223372036854775808, 0, 0, 0),
  (2, 127, 255, 32767, 65535, 8388607, 16777215, 2147483647, 4294967295, 9223372036854775807, 18446744073709551615, 1, 2155),
  (3, -1, 1, -1, 1, -1, 1, -1, 1, -1, 1, NULL, 1901),
  (4, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL);
UPDATE ints SET bu = 9223372036854775808, i = 42 WHERE id = 3;
DELETE FROM ints WHERE id = 4;

CREATE TABLE floats (id INT PRIMARY KEY, f FLOAT, d DOUBLE, fu FLOAT UNSIGNED,
  d1 DECIMAL(10,2), d2 DECIMAL(65,30), d3 DECIMAL(38,38), d4 DECIMAL(5,0) UNSIGNED) ENGINE=InnoDB;
INSERT INTO floats VALUES
  (1, 0, 0, 0, 0, 0, 0, 0),
  (2, -1.5, -1.5, 1.5, -12345678.90, -99999999999999999999999999999999999.999999999999999999999999999999,
      -0.00000000000000000000000000000000000001, 99999),
  (3, 3.4e38, 1.7976931348623157e308, 1e-30, 0.01, 1234567890123456789012345678901234.567890123456789012345678901234,
      0.99999999999999999999999999999999999999, 1),
  (4, -1.17549435e-38, 2.2250738585072014e-308, 0.1, NULL, NULL, NULL, NULL),
  (5, NULL, NULL, NULL, -0.5, 0.000000000000000000000000000001, 0.1, 0);
UPDATE floats SET f = 3.14159, d = -d WHERE id IN (2, 3);

CREATE TABLE temporals (
  id INT PRIMARY KEY, dt DATE,
  t0 TIME, t1 TIME(1), t2 TIME(2), t3 TIME(3), t4 TIME(4), t5 TIME(5), t6 TIME(6),
  d0 DATETIME, d1 DATETIME(1), d3 DATETIME(3), d6 DATETIME(6),
  s0 TIMESTAMP NULL, s2 TIMESTAMP(2) NULL, s4 TIMESTAMP(4) NULL, s6 TIMESTAMP(6) NULL
) ENGINE=InnoDB;
INSERT INTO temporals VALUES
  (1, '2017-04-24', '05:45:11', '05:45:11.1', '05:45:11.12', '05:45:11.123', '05:45:11.1234', '05:45:11.12345',
      '05:45:11.123456', '2017-04-24 05:45:11', '2017-04-24 05:45:11.1', '2017-04-24 05:45:11.123',
      '2017-04-24 05:45:11.123456', '2017-04-24 05:45:11', '2017-04-24 05:45:11.12', '2017-04-24 05:45:11.1234',
      '2017-04-24 05:45:11.123456'),
  (2, '0000-00-00', '-838:59:59', '-00:00:00.1', '-12:34:56.05', '-838:59:59.000', '-00:00:00.0001',
      '-01:00:00.00001', '-838:59:59.999999', '0000-00-00 00:00:00', '0000-00-00 00:00:00.0',
      '0000-00-00 00:00:00.000', '0000-00-00 00:00:00.000000', '0000-00-00 00:00:00', '0000-00-00 00:00:00.00',
      '0000-00-00 00:00:00.0000', '0000-00-00 00:00:00.000000'),
  (3, '1000-01-01', '838:59:59', '838:59:59.9', '838:59:59.99', '838:59:59.999', '838:59:59.9999',
      '838:59:59.99999', '838:59:59.999999', '9999-12-31 23:59:59', '9999-12-31 23:59:59.9',
      '9999-12-31 23:59:59.999', '9999-12-31 23:59:59.999999', '2038-01-19 03:14:07', '1970-01-01 00:00:01.01',
      '2038-01-19 03:14:07.9999', '2038-01-19 03:14:07.999999'),
  (4, '2024-02-29', NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL),
  (5, '2024-00-00', '00:00:00', '-00:00:00.0', NULL, NULL, NULL, NULL, '00:00:00.000001',
      '2024-02-00 00:00:00', NULL, NULL, NULL, '1999-12-31 23:59:59', NULL, NULL, NULL);
UPDATE temporals SET t6 = '-00:00:00.000001', s6 = '2001-02-03 04:05:06.000007' WHERE id = 1;
DELETE FROM temporals WHERE id = 4;

CREATE TABLE strings (
  id INT PRIMARY KEY,
  l1 VARCHAR(20) CHARACTER SET latin1, c1 CHAR(10) CHARACTER SET latin1,
  u4 VARCHAR(40) CHARACTER SET utf8mb4, cu CHAR(5) CHARACTER SET utf8mb4,
  u3 VARCHAR(20) CHARACTER SET utf8mb3, u16 VARCHAR(10) CHARACTER SET utf16,
  bin BINARY(6), vb VARBINARY(300), c300 CHAR(255) CHARACTER SET utf8mb4,
  tb TINYBLOB, bl BLOB, mb MEDIUMBLOB, tt TINYTEXT, tx TEXT CHARACTER SET latin1, lt LONGTEXT
) ENGINE=InnoDB;
INSERT INTO strings VALUES
  (1, 'café ÿ', 'Ñandú', '😀 ñ € 𝄞', '😀😀', 'ñ€', 'añ€', x'000102000000', x'00ff00ff',
      REPEAT('é', 255), x'00', x'000000', REPEAT(x'00ab', 40000), 'tiny', 'ÀÉÎÕÜ', REPEAT('😀', 100000)),
  (2, '', '', '', '', '', '', '', '', '', '', '', '', '', '', ''),
  (3, 'a''b\\c"d`e', ' lead', 'trail  ', 'x ', 'q', 'z', 'abc', x'0a0d09', 'spaces   ', x'5c27', 'quote''s',
      x'ff', 'x', 'y', 'z'),
  (4, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL);
UPDATE strings SET u4 = '𝄞 changed 😀', bl = REPEAT(x'00', 70000) WHERE id = 1;
UPDATE strings SET l1 = 'ÿÿÿ', vb = NULL WHERE id = 2;
DELETE FROM strings WHERE id = 4;

CREATE TABLE others (
  id INT PRIMARY KEY,
  e ENUM('a', 'b', 'ç', ''), s SET('x', 'y', 'z', 'w'),
  s64 SET('b1','b2','b3','b4','b5','b6','b7','b8','b9','b10','b11','b12','b13','b14','b15','b16',
          'b17','b18','b19','b20','b21','b22','b23','b24','b25','b26','b27','b28','b29','b30','b31','b32',
          'b33','b34','b35','b36','b37','b38','b39','b40','b41','b42','b43','b44','b45','b46','b47','b48',
          'b49','b50','b51','b52','b53','b54','b55','b56','b57','b58','b59','b60','b61','b62','b63','b64'),
  b1 BIT(1), b17 BIT(17), b64 BIT(64),
  j JSON, g GEOMETRY, p POINT, u UUID, i6 INET6
) ENGINE=InnoDB;
INSERT INTO others VALUES
  (1, 'ç', 'x,z', 'b1,b64', b'1', b'10101010101010101', b'1111111111111111111111111111111111111111111111111111111111111111',
      '{"a": [1, 2.5, "ü"], "b": null, "c": {"d": true}}', ST_GeomFromText('POLYGON((0 0,4 0,4 4,0 4,0 0))'),
      POINT(1.5, -2.25), '123e4567-e89b-12d3-a456-426614174000', '2001:db8::1'),
  (2, '', '', '', b'0', b'0', b'0', '[]', ST_GeomFromText('POINT(0 0)', 4326), POINT(0, 0), NULL, '::'),
  (3, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL),
  (4, 'a', 'x,y,z,w', 'b32,b33', b'1', b'1', b'1000000000000000000000000000000000000000000000000000000000000000',
      '"text"', ST_GeomFromText('MULTIPOINT(1 1,2 2)'), POINT(-180, 90), '00000000-0000-0000-0000-000000000000',
      '255.255.255.255');
UPDATE others SET e = 'b', s = 'y', j = '{"k": "ü"}', b17 = b'1' WHERE id = 1;
DELETE FROM others WHERE id = 4;

-- Hostile identifiers: backquote, quotes, spaces, non-ASCII, reserved words.
CREATE TABLE `we``ird tab'le ç` (
  `id``x` INT PRIMARY KEY, `sel ect` VARCHAR(10), `"q"` INT, `ñame ü` TEXT, `order` INT
) ENGINE=InnoDB;
INSERT INTO `we``ird tab'le ç` VALUES (1, 'a', 1, 'ü', 1), (2, 'b', 2, '😀', 2), (3, 'c', 3, NULL, 3);
UPDATE `we``ird tab'le ç` SET `sel ect` = 'z', `order` = 9 WHERE `id``x` = 2;
DELETE FROM `we``ird tab'le ç` WHERE `id``x` = 3;

-- Keys: composite primary key (with a key change), unique key only, no key at all.
CREATE TABLE composite (a INT, b VARCHAR(20), c INT, PRIMARY KEY (a, b)) ENGINE=InnoDB;
INSERT INTO composite SELECT seq % 10, CONCAT('k', seq), seq FROM seq_1_to_300;
UPDATE composite SET c = -c WHERE a = 3;
UPDATE composite SET b = CONCAT(b, '-moved') WHERE a = 4;
DELETE FROM composite WHERE a = 5;
CREATE TABLE uniq (x INT NOT NULL, y INT, z VARCHAR(5), UNIQUE KEY (x)) ENGINE=InnoDB;
INSERT INTO uniq VALUES (1, 1, 'a'), (2, NULL, 'b'), (3, 3, NULL);
UPDATE uniq SET y = 22 WHERE x = 2;
DELETE FROM uniq WHERE x = 3;
CREATE TABLE nokey (a INT, b VARCHAR(10), c DOUBLE, d DATETIME(3)) ENGINE=InnoDB;
INSERT INTO nokey VALUES (1, 'one', 1.0, '2001-01-01 01:01:01.001'), (2, 'two', NULL, NULL),
  (2, 'two', NULL, NULL), (NULL, NULL, NULL, NULL);
UPDATE nokey SET b = 'TWO' WHERE a = 2 LIMIT 1;
DELETE FROM nokey WHERE a IS NULL;

-- Generated and invisible columns.
CREATE TABLE gen (
  id INT NOT NULL PRIMARY KEY, v INT,
  vs INT AS (v * 2) STORED, vv VARCHAR(20) AS (CONCAT('v=', v)) VIRTUAL,
  hidden INT INVISIBLE DEFAULT 7
) ENGINE=InnoDB;
INSERT INTO gen (id, v) VALUES (1, 10), (2, NULL), (3, -5);
UPDATE gen SET v = v + 1, hidden = 8 WHERE id IN (1, 3);
DELETE FROM gen WHERE id = 2;

-- AUTO_INCREMENT with an explicit 0 (NO_AUTO_VALUE_ON_ZERO on the replica).
SET SESSION sql_mode = 'NO_AUTO_VALUE_ON_ZERO';
CREATE TABLE autoinc (id INT AUTO_INCREMENT PRIMARY KEY, v INT) ENGINE=InnoDB;
INSERT INTO autoinc VALUES (0, 0), (NULL, 1), (NULL, 2);
SET SESSION sql_mode = '';

-- Partial row images.
SET SESSION binlog_row_image = 'MINIMAL';
CREATE TABLE minimal (id INT PRIMARY KEY, a INT, b VARCHAR(20), c TEXT) ENGINE=InnoDB;
INSERT INTO minimal VALUES (1, 1, 'one', 'x'), (2, 2, 'two', 'y'), (3, 3, 'three', NULL);
UPDATE minimal SET b = 'ONE' WHERE id = 1;
UPDATE minimal SET a = NULL, c = 'z' WHERE id = 2;
DELETE FROM minimal WHERE id = 3;
UPDATE nokey SET c = 2.5 WHERE a = 1;
SET SESSION binlog_row_image = 'NOBLOB';
UPDATE strings SET l1 = 'noblob' WHERE id = 1;
UPDATE minimal SET c = 'blob changed' WHERE id = 1;
SET SESSION binlog_row_image = 'FULL';

-- Many rows per event and a multi-table transaction.
CREATE TABLE multi (id INT PRIMARY KEY, n INT, s VARCHAR(8)) ENGINE=InnoDB;
INSERT INTO multi SELECT seq, seq * 3, CONCAT('r', seq) FROM seq_1_to_3000;
BEGIN;
UPDATE multi SET n = -n WHERE id % 7 = 0;
DELETE FROM multi WHERE id % 11 = 0;
INSERT INTO nokey VALUES (9, 'nine', 9.5, '2009-09-09 09:09:09.999');
INSERT INTO multi VALUES (11, 0, 'again');
COMMIT;

-- DDL in the middle: ALTER then rows of the new shape.
ALTER TABLE multi ADD COLUMN extra VARCHAR(10) DEFAULT 'def', ADD INDEX (n);
UPDATE multi SET extra = 'set' WHERE id < 5;

-- Multi-row UPDATEs of every type family (applied with bulk execution: one
-- parameter array per column, NULLs as indicators).
UPDATE ints SET bo = 1 - IFNULL(bo, 0) WHERE id IN (1, 2, 3);
UPDATE floats SET fu = 2.5 WHERE id IN (1, 2, 3, 4, 5);
UPDATE temporals SET t1 = '-01:01:01.1' WHERE id IN (1, 2, 3, 5);
UPDATE strings SET tt = 'bulk' WHERE id IN (1, 2, 3);
UPDATE others SET s = 'w' WHERE id IN (1, 2, 3);
UPDATE `we``ird tab'le ç` SET `"q"` = -1 WHERE `id``x` IN (1, 2);
UPDATE uniq SET z = 'u' WHERE x IN (1, 2);

-- CREATE TABLE ... SELECT: the DDL and its rows in one group.
CREATE TABLE ctas ENGINE=InnoDB SELECT id, n, s FROM multi WHERE id < 50;

-- MariaDB counts YEAR among the numeric columns of the signedness metadata and
-- GEOMETRY among the charset columns (MySQL counts neither): decoded with the
-- wrong flavour, the columns after them get each other's signedness and charset.
CREATE TABLE flavour (
  id INT PRIMARY KEY, y YEAR, iu INT UNSIGNED, ti TINYINT, g GEOMETRY,
  l1 VARCHAR(4) CHARACTER SET latin1, u8 VARCHAR(4) CHARACTER SET utf8mb4, bu BIGINT UNSIGNED
) ENGINE=InnoDB;
INSERT INTO flavour VALUES
  (1, 2024, 4294967295, -1, POINT(1, 2), 0xE9FF, '😀é', 18446744073709551615),
  (2, NULL, 2147483648, -128, NULL, 'a', 'b', 9223372036854775808);
UPDATE flavour SET iu = 4294967294, ti = -2 WHERE id = 1;
