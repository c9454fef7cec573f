-- Reference rows for the value printer (src/binlog/value_text.*): one table per
-- type family, edge values in each. Run on MariaDB 10.11 with
-- --log-bin --binlog-format=ROW --binlog-row-metadata=FULL; see README.md.
SET time_zone = '+00:00';
SET sql_mode = '';
SET NAMES utf8mb4;
CREATE DATABASE vt;
USE vt;

-- Integers: signed and unsigned, min, max, -1, 0, NULL.
CREATE TABLE ints (
  id INT PRIMARY KEY,
  t TINYINT, tu TINYINT UNSIGNED,
  s SMALLINT, su SMALLINT UNSIGNED,
  m MEDIUMINT, mu MEDIUMINT UNSIGNED,
  i INT, iu INT UNSIGNED,
  b BIGINT, bu BIGINT UNSIGNED
) ENGINE=InnoDB;
INSERT INTO ints VALUES
  (1, -128, 0, -32768, 0, -8388608, 0, -2147483648, 0, -9223372036854775808, 0),
  (2, 127, 255, 32767, 65535, 8388607, 16777215, 2147483647, 4294967295, 9223372036854775807, 18446744073709551615),
  (3, -1, 1, -1, 1, -1, 1, -1, 1, -1, 1),
  (4, 0, 128, 0, 32768, 0, 8388608, -1064764973, 3230202323, 0, 9223372036854775808),
  (5, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL);
UPDATE ints SET i = 42, b = -42 WHERE id = 3;
DELETE FROM ints WHERE id = 5;

-- Floating point.
CREATE TABLE floats (id INT PRIMARY KEY, f FLOAT, d DOUBLE, fu FLOAT UNSIGNED) ENGINE=InnoDB;
INSERT INTO floats VALUES
  (1, 0, 0, 0),
  (2, -1.5, -1.5, 1.5),
  (3, 3.14159, 3.141592653589793, 0.1),
  (4, 3.4e38, 1.7976931348623157e308, 1e-30),
  (5, -1.17549435e-38, 2.2250738585072014e-308, 123456789),
  (6, 1e20, 1e21, 100000),
  (7, 0.000001, 0.0001, 1234567),
  (8, NULL, NULL, NULL);

-- Fixed point.
CREATE TABLE decimals (
  id INT PRIMARY KEY,
  d1 DECIMAL(10,2), d2 DECIMAL(5,0), d3 DECIMAL(65,30), d4 DECIMAL(38,38), d5 DECIMAL(18,9) UNSIGNED, d6 DECIMAL(1,0)
) ENGINE=InnoDB;
INSERT INTO decimals VALUES
  (1, 0, 0, 0, 0, 0, 0),
  (2, -1.5, -1, -1.5, -0.5, 1.5, -9),
  (3, 12345678.90, 99999, 99999999999999999999999999999999999.999999999999999999999999999999,
      0.99999999999999999999999999999999999999, 999999999.999999999, 9),
  (4, -12345678.90, -99999, -99999999999999999999999999999999999.999999999999999999999999999999,
      -0.00000000000000000000000000000000000001, 0.000000001, 1),
  (5, 0.01, 100, 1234567890123456789012345678901234.567890123456789012345678901234, 0.12345678901234567890123456789012345678, 123.456, NULL),
  (6, 0.10, 7, -0.000000000000000000000000000001, 0.1, 100000000, 0);

-- Dates and times: fractional seconds 0..6, negatives, zero dates.
CREATE TABLE temporals (
  id INT PRIMARY KEY,
  dt DATE, y YEAR,
  t0 TIME, t1 TIME(1), t3 TIME(3), t6 TIME(6),
  d0 DATETIME, d2 DATETIME(2), d4 DATETIME(4), d6 DATETIME(6),
  s0 TIMESTAMP NULL, s1 TIMESTAMP(1) NULL, s5 TIMESTAMP(5) NULL, s6 TIMESTAMP(6) NULL
) ENGINE=InnoDB;
INSERT INTO temporals VALUES
  (1, '2017-04-24', 2017, '05:45:11', '05:45:11.1', '05:45:11.123', '05:45:11.123456',
      '2017-04-24 05:45:11', '2017-04-24 05:45:11.12', '2017-04-24 05:45:11.1234', '2017-04-24 05:45:11.123456',
      '2017-04-24 05:45:11', '2017-04-24 05:45:11.1', '2017-04-24 05:45:11.12345', '2017-04-24 05:45:11.123456'),
  (2, '0000-00-00', 0, '-507:48:27', '-00:00:00.1', '-838:59:59.000', '-838:59:59.000000',
      '0000-00-00 00:00:00', '0000-00-00 00:00:00.00', '0000-00-00 00:00:00.0000', '0000-00-00 00:00:00.000000',
      '0000-00-00 00:00:00', '0000-00-00 00:00:00.0', '0000-00-00 00:00:00.00000', '0000-00-00 00:00:00.000000'),
  (3, '1000-01-01', 1901, '838:59:59', '-01:02:03.4', '-00:00:00.001', '-00:00:00.000001',
      '1000-01-01 00:00:00', '1000-01-01 00:00:00.01', '1000-01-01 00:00:00.0001', '1000-01-01 00:00:00.000001',
      '1970-01-01 00:00:01', '1970-01-01 00:00:01.0', '1970-01-01 00:00:01.00001', '1970-01-01 00:00:01.000001'),
  (4, '9999-12-31', 2155, '00:00:00', '00:00:00.0', '-12:34:56.789', '-12:34:56.789012',
      '9999-12-31 23:59:59', '9999-12-31 23:59:59.99', '9999-12-31 23:59:59.9999', '9999-12-31 23:59:59.999999',
      '2038-01-19 03:14:07', '2038-01-19 03:14:07.9', '2038-01-19 03:14:07.99999', '2038-01-19 03:14:07.999999'),
  (5, '2012-03-18', 1999, '-00:00:01', '12:00:00.5', '100:00:00.010', '-00:00:00.500000',
      '2012-03-18 11:30:45', '2012-03-18 11:30:45.05', '2012-03-18 11:30:45.0005', '2012-03-18 11:30:45.000500',
      '2012-03-18 11:30:45', '2012-03-18 11:30:45.5', '2012-03-18 11:30:45.00500', '2012-03-18 11:30:45.654321'),
  (6, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL);

-- Pre-5.6 temporal formats (MYSQL_TYPE_TIME/DATETIME/TIMESTAMP, fsp 0), as a
-- server with mysql56_temporal_format=OFF creates them.
SET GLOBAL mysql56_temporal_format = OFF;
CREATE TABLE old_temporals (id INT PRIMARY KEY, t TIME, d DATETIME, s TIMESTAMP NULL) ENGINE=InnoDB;
SET GLOBAL mysql56_temporal_format = ON;
INSERT INTO old_temporals VALUES
  (1, '05:45:11', '2017-04-24 05:45:11', '2017-04-24 05:45:11'),
  (2, '-507:48:27', '0000-00-00 00:00:00', '0000-00-00 00:00:00'),
  (3, '838:59:59', '9999-12-31 23:59:59', '2038-01-19 03:14:07'),
  (4, '-838:59:59', '1000-01-01 00:00:00', '1970-01-01 00:00:01'),
  (5, NULL, NULL, NULL);

-- Strings: CHAR/VARCHAR/BINARY/VARBINARY, empty, multi-byte, control bytes,
-- quotes and backslashes, long VARCHAR (2-byte length).
CREATE TABLE strings (
  id INT PRIMARY KEY,
  c CHAR(10) CHARACTER SET utf8mb4, v VARCHAR(20) CHARACTER SET latin1, vl VARCHAR(300) CHARACTER SET utf8mb4,
  bn BINARY(4), vb VARBINARY(10), c300 CHAR(255) CHARACTER SET utf8mb4
) ENGINE=InnoDB;
INSERT INTO strings VALUES
  (1, '', '', '', '', '', ''),
  (2, 'abc', 'abc', 'abc', 'ab', 'ab', 'abc'),
  (3, 'héllo €😀', 'café', REPEAT('x', 300), x'00010203', x'00ff7f80', 'ü'),
  (4, 'it''s', 'a\\b', 'line1\nline2\ttab\r', x'27275c22', x'0a0d09', 'q''\\'),
  (5, NULL, NULL, NULL, NULL, NULL, NULL),
  (6, 'trail  ', 'trail  ', 'trail  ', 'a', '  ', REPEAT('€', 255)),
  (7, 'x\0y', 'ÿ\Z', x'7f', x'20', x'2020', ' lead');

-- BLOB and TEXT of every size.
CREATE TABLE blobs (
  id INT PRIMARY KEY,
  tb TINYBLOB, b BLOB, mb MEDIUMBLOB, lb LONGBLOB,
  tt TINYTEXT, tx TEXT CHARACTER SET utf8mb4, mt MEDIUMTEXT, lt LONGTEXT
) ENGINE=InnoDB;
INSERT INTO blobs VALUES
  (1, '', '', '', '', '', '', '', ''),
  (2, x'00ff', 'blob', x'deadbeef', REPEAT('z', 70000), 'tiny', 'text ü', 'medium', 'long'),
  (3, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL),
  (4, x'1f20', 'it''s', 'back\\slash', 'nul\0byte', 'é', '😀', 'x', x'c3');

-- ENUM and SET (1- and 2-byte enum, 1..8-byte sets).
CREATE TABLE enums (
  id INT PRIMARY KEY,
  e ENUM('a','b','c'), s SET('x','y','z'),
  e2 ENUM('v000','v001','v002','v003','v004','v005','v006','v007','v008','v009','v010','v011','v012','v013','v014','v015','v016','v017','v018','v019','v020','v021','v022','v023','v024','v025','v026','v027','v028','v029','v030','v031','v032','v033','v034','v035','v036','v037','v038','v039','v040','v041','v042','v043','v044','v045','v046','v047','v048','v049','v050','v051','v052','v053','v054','v055','v056','v057','v058','v059','v060','v061','v062','v063','v064','v065','v066','v067','v068','v069','v070','v071','v072','v073','v074','v075','v076','v077','v078','v079','v080','v081','v082','v083','v084','v085','v086','v087','v088','v089','v090','v091','v092','v093','v094','v095','v096','v097','v098','v099','v100','v101','v102','v103','v104','v105','v106','v107','v108','v109','v110','v111','v112','v113','v114','v115','v116','v117','v118','v119','v120','v121','v122','v123','v124','v125','v126','v127','v128','v129','v130','v131','v132','v133','v134','v135','v136','v137','v138','v139','v140','v141','v142','v143','v144','v145','v146','v147','v148','v149','v150','v151','v152','v153','v154','v155','v156','v157','v158','v159','v160','v161','v162','v163','v164','v165','v166','v167','v168','v169','v170','v171','v172','v173','v174','v175','v176','v177','v178','v179','v180','v181','v182','v183','v184','v185','v186','v187','v188','v189','v190','v191','v192','v193','v194','v195','v196','v197','v198','v199','v200','v201','v202','v203','v204','v205','v206','v207','v208','v209','v210','v211','v212','v213','v214','v215','v216','v217','v218','v219','v220','v221','v222','v223','v224','v225','v226','v227','v228','v229','v230','v231','v232','v233','v234','v235','v236','v237','v238','v239','v240','v241','v242','v243','v244','v245','v246','v247','v248','v249','v250','v251','v252','v253','v254','v255','v256','v257','v258','v259'),
  s9 SET('s0','s1','s2','s3','s4','s5','s6','s7','s8'),
  s64 SET('b00','b01','b02','b03','b04','b05','b06','b07','b08','b09','b10','b11','b12','b13','b14','b15','b16','b17','b18','b19','b20','b21','b22','b23','b24','b25','b26','b27','b28','b29','b30','b31','b32','b33','b34','b35','b36','b37','b38','b39','b40','b41','b42','b43','b44','b45','b46','b47','b48','b49','b50','b51','b52','b53','b54','b55','b56','b57','b58','b59','b60','b61','b62','b63')
) ENGINE=InnoDB;
INSERT INTO enums VALUES
  (1, 'a', '', 'v000', '', ''),
  (2, 'c', 'x,y,z', 'v259', 's0,s8', 'b00,b63'),
  (3, '', 'y', 'v255', 's8', 'b63'),
  (4, NULL, NULL, NULL, NULL, NULL),
  (5, 'b', 'x,z', 'v256', 's0,s1,s2,s3,s4,s5,s6,s7,s8', 'b00,b01,b02,b03,b04,b05,b06,b07,b08,b09,b10,b11,b12,b13,b14,b15,b16,b17,b18,b19,b20,b21,b22,b23,b24,b25,b26,b27,b28,b29,b30,b31,b32,b33,b34,b35,b36,b37,b38,b39,b40,b41,b42,b43,b44,b45,b46,b47,b48,b49,b50,b51,b52,b53,b54,b55,b56,b57,b58,b59,b60,b61,b62,b63');

-- BIT of several widths.
CREATE TABLE bits (id INT PRIMARY KEY, b1 BIT(1), b5 BIT(5), b8 BIT(8), b17 BIT(17), b64 BIT(64)) ENGINE=InnoDB;
INSERT INTO bits VALUES
  (1, b'0', b'0', b'0', b'0', b'0'),
  (2, b'1', b'11111', b'11111111', b'11111111111111111', 0xFFFFFFFFFFFFFFFF),
  (3, b'1', b'10101', b'10000001', b'10000000000000001', 0x8000000000000001),
  (4, NULL, NULL, NULL, NULL, NULL);

-- Spatial, INET4/INET6/UUID, JSON (a LONGTEXT alias with a check in MariaDB).
CREATE TABLE others (
  id INT PRIMARY KEY,
  g GEOMETRY, p POINT,
  i4 INET4, i6 INET6, u UUID,
  j JSON
) ENGINE=InnoDB;
INSERT INTO others VALUES
  (1, ST_GeomFromText('POINT(1 2)'), ST_GeomFromText('POINT(-1.5 0)'),
      '127.0.0.1', '::1', '123e4567-e89b-12d3-a456-426655440000', '{"a": 1, "b": [true, null, "x"]}'),
  (2, ST_GeomFromText('LINESTRING(0 0,1 1,2 2)'), ST_GeomFromText('POINT(0 0)'),
      '255.255.255.255', '2001:db8::ff00:42:8329', '00000000-0000-0000-0000-000000000000', '"it''s"'),
  (3, NULL, NULL, NULL, NULL, NULL, NULL),
  (4, ST_GeomFromText('POLYGON((0 0,1 0,1 1,0 0))'), ST_GeomFromText('POINT(1e300 -1e-300)'),
      '0.0.0.0', '::ffff:1.2.3.4', 'ffffffff-ffff-ffff-ffff-ffffffffffff', '[]');
