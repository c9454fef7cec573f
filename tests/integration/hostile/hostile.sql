-- The master's statements of tests/integration/hostile_test.sh, run once per replicated
-- database with @DB@ replaced by its backquoted name, @ADB@ by its name in double quotes
-- (the last statements run under ANSI_QUOTES and NO_BACKSLASH_ESCAPES: the rename must
-- rewrite that qualifier, after a string ending in a backslash, and nothing inside a
-- string). One statement per line for the DDL: the test reads the lines starting with
-- CREATE / ALTER / RENAME / TRUNCATE / DROP as the DDL the replicas must run verbatim;
-- every other statement is DML (row events).
CREATE DATABASE @DB@ CHARACTER SET utf8mb4 COLLATE utf8mb4_general_ci;
CREATE TABLE @DB@.`t``1 'q" \ é` (`k``ey 'é"` INT NOT NULL PRIMARY KEY, `select` VARCHAR(100) CHARACTER SET utf8mb4 NULL, `what?` TEXT CHARACTER SET utf8mb4 NULL, `b``l 'o" \b é` BLOB NULL, `vb` VARBINARY(64) NULL, `l1 é` VARCHAR(200) CHARACTER SET latin1 NULL, `l1t` TEXT CHARACTER SET latin1 NULL, `sq "'\` VARCHAR(100) CHARACTER SET utf8mb4 NULL, `e` VARCHAR(10) NULL, `bn` BINARY(4) NULL, `d ``'"` VARCHAR(40) NOT NULL DEFAULT 'd''ef "\\ é') ENGINE=InnoDB;
/* the default database for the unqualified names below */ USE @DB@;
CREATE TABLE `k2 ``é'"\` (`s ``k'` VARCHAR(50) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NOT NULL, `l ``k"` VARBINARY(20) NOT NULL, `lk` VARCHAR(20) CHARACTER SET latin1 COLLATE latin1_bin NOT NULL, `from` INT NULL, `v?` MEDIUMBLOB NULL, PRIMARY KEY (`s ``k'`, `l ``k"`, `lk`)) ENGINE=InnoDB;
INSERT INTO @DB@.`t``1 'q" \ é` (`k``ey 'é"`, `select`, `what?`, `b``l 'o" \b é`, `vb`, `l1 é`, `l1t`, `sq "'\`, `e`, `bn`) VALUES
  (1, _utf8mb4 X'610062000063', CONCAT('😀 é 𝄞', _utf8mb4 X'000A09', '🎉'), X'00FFFEC328E282F09F00', X'C0AFEDA080FF00', _latin1 X'808182838485868788898A8B8C8D8E8F909192939495969798999A9B9C9D9E9FA0A1A2A3A4A5A6A7A8A9AAABACADAEAFB0B1B2B3B4B5B6B7B8B9BABBBCBDBEBFC0C1C2C3C4C5C6C7C8C9CACBCCCDCECFD0D1D2D3D4D5D6D7D8D9DADBDCDDDEDFE0E1E2E3E4E5E6E7E8E9EAEBECEDEEEFF0F1F2F3F4F5F6F7F8F9FAFBFCFDFEFF', _latin1 X'808182838485868788898A8B8C8D8E8F909192939495969798999A9B9C9D9E9FA0A1A2A3A4A5A6A7A8A9AAABACADAEAFB0B1B2B3B4B5B6B7B8B9BABBBCBDBEBFC0C1C2C3C4C5C6C7C8C9CACBCCCDCECFD0D1D2D3D4D5D6D7D8D9DADBDCDDDEDFE0E1E2E3E4E5E6E7E8E9EAEBECEDEEEFF0F1F2F3F4F5F6F7F8F9FAFBFCFDFEFF', '\'); DROP TABLE x; --', '', X'01'),
  (2, NULL, NULL, NULL, NULL, NULL, NULL, '"); DELETE FROM t; -- \\', NULL, NULL),
  (3, '', '', '', '', '', '', '?', '', X'00000000'),
  (4, 'plain', 'x', 'y', 'z', _latin1 X'E9E8FF', 'ÿ', '\' OR 1=1 -- ', 'n', 'abcd');
INSERT INTO `k2 ``é'"\` VALUES (CONCAT('k😀', _utf8mb4 X'00'), X'FF00', _latin1 X'A0FF', 1, X'00'), ('k😀', X'FF', _latin1 X'A0', 2, NULL), ('', '', '', 3, ''), ('k🎉', X'', _latin1 X'80', 4, X'DEADBEEF');
BEGIN;
UPDATE @DB@.`t``1 'q" \ é` SET `select` = '', `e` = '', `sq "'\` = 'x\'); DROP DATABASE mysql; --', `l1 é` = _latin1 X'808182838485868788898A8B8C8D8E8F909192939495969798999A9B9C9D9E9FA0A1A2A3A4A5A6A7A8A9AAABACADAEAFB0B1B2B3B4B5B6B7B8B9BABBBCBDBEBFC0C1C2C3C4C5C6C7C8C9CACBCCCDCECFD0D1D2D3D4D5D6D7D8D9DADBDCDDDEDFE0E1E2E3E4E5E6E7E8E9EAEBECEDEEEFF0F1F2F3F4F5F6F7F8F9FAFBFCFDFEFF' WHERE `k``ey 'é"` = 2;
UPDATE @DB@.`t``1 'q" \ é` SET `select` = NULL, `e` = NULL, `vb` = X'00' WHERE `k``ey 'é"` = 3;
UPDATE `k2 ``é'"\` SET `v?` = X'00FF00', `from` = NULL WHERE `s ``k'` = CONCAT('k😀', _utf8mb4 X'00');
UPDATE `k2 ``é'"\` SET `l ``k"` = X'FE00FE' WHERE `lk` = _latin1 X'A0';
COMMIT;
DELETE FROM @DB@.`t``1 'q" \ é` WHERE `k``ey 'é"` = 4;
DELETE FROM `k2 ``é'"\` WHERE `s ``k'` = '';
ALTER TABLE @DB@.`t``1 'q" \ é` ADD COLUMN `new ``c'"\ é?` VARCHAR(30) CHARACTER SET utf8mb4 NULL AFTER `select`;
INSERT INTO @DB@.`t``1 'q" \ é` (`k``ey 'é"`, `new ``c'"\ é?`, `sq "'\`) VALUES (5, CONCAT('🙂', _utf8mb4 X'00'), '\'); DROP TABLE x; --');
UPDATE @DB@.`t``1 'q" \ é` SET `new ``c'"\ é?` = '' WHERE `k``ey 'é"` = 1;
RENAME TABLE `k2 ``é'"\` TO `k2 renamed ``ü'"\?`;
INSERT INTO `k2 renamed ``ü'"\?` VALUES ('after 😀', X'00', _latin1 X'FF', 5, X'C3');
UPDATE `k2 renamed ``ü'"\?` SET `from` = 42 WHERE `from` = 2;
ALTER TABLE `k2 renamed ``ü'"\?` ADD COLUMN `order` INT NULL FIRST;
UPDATE `k2 renamed ``ü'"\?` SET `order` = 7;
DELETE FROM `k2 renamed ``ü'"\?` WHERE `from` = 4;
RENAME TABLE @DB@.`t``1 'q" \ é` TO @DB@.`t``1 renamed 'q" \ é`;
UPDATE @DB@.`t``1 renamed 'q" \ é` SET `what?` = CONCAT(_utf8mb4 X'00', '🎉') WHERE `k``ey 'é"` = 5;
ALTER TABLE @DB@.`t``1 renamed 'q" \ é` RENAME COLUMN `e` TO `e ``renamed'"\ é`;
CREATE INDEX `i ``x'"\ é` ON @DB@.`t``1 renamed 'q" \ é` (`select`(10), `e ``renamed'"\ é`);
UPDATE @DB@.`t``1 renamed 'q" \ é` SET `e ``renamed'"\ é` = CONCAT('é', _utf8mb4 X'00') WHERE `k``ey 'é"` = 3;
CREATE TABLE @DB@.`drop me ``é'"\` (`id` INT NOT NULL PRIMARY KEY, `v` BLOB NULL);
INSERT INTO @DB@.`drop me ``é'"\` VALUES (1, X'00'), (2, X'FF');
TRUNCATE TABLE @DB@.`drop me ``é'"\`;
INSERT INTO @DB@.`drop me ``é'"\` VALUES (3, X'C3');
DROP TABLE `drop me ``é'"\`;
SET SESSION sql_mode = CONCAT(@@sql_mode, ',ANSI_QUOTES,NO_BACKSLASH_ESCAPES');
CREATE TABLE @ADB@."t3 ""ansi"" `x` \" ("a ""q""" VARCHAR(20) NOT NULL DEFAULT 'ends \' PRIMARY KEY, "b" INT NULL, "c" VARCHAR(60) NOT NULL DEFAULT 'in a string: voms_r`x ''y" \z ü', CONSTRAINT "fk ""1""" FOREIGN KEY ("b") REFERENCES @ADB@."t`1 renamed 'q"" \ é" ("k`ey 'é""")) ENGINE=InnoDB;
INSERT INTO @ADB@."t3 ""ansi"" `x` \" ("a ""q""", "b") VALUES ('v\', 1), ('w''\', NULL);
UPDATE @ADB@."t3 ""ansi"" `x` \" SET "c" = '\' WHERE "b" = 1;
