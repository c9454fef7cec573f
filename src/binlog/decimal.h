// DECIMAL (MYSQL_TYPE_NEWDECIMAL) values in their binary row form.
//
// Format: MySQL strings/decimal.cc (decimal_bin_size, bin2decimal,
// decimal2string). A DECIMAL(p,s) value holds intg = p - s integer digits and
// s fraction digits, stored big-endian in groups of 9 digits per 4 bytes, the
// leftover digits of each part in 1..4 bytes (dig2bytes), integer part first
// with its leftover group leading, fraction part with its leftover group
// trailing. The top bit of the first byte is the sign (1 = non-negative, it is
// flipped on store); a negative value has every byte inverted.
//
// The TABLE_MAP metadata of a NEWDECIMAL column is two bytes, precision then
// scale; ColumnDesc::meta holds them as precision << 8 | scale.
//
// No floating point anywhere: text is built digit group by digit group.
#pragma once

#include <cstddef>
#include <string>

#include <vomsrepl/status.h>

#include "binlog/byte_cursor.h"

namespace vomsrepl::binlog {

inline constexpr unsigned kDecimalMaxPrecision = 65;
// MariaDB allows 38 fraction digits (DECIMAL(38,38)); MySQL 30.
inline constexpr unsigned kDecimalMaxScale = 38;

// Bytes a DECIMAL(precision, scale) value occupies; 0 if the pair is
// impossible (precision 0 or > 65, scale > precision or > 38).
size_t DecimalBinarySize(unsigned precision, unsigned scale);

// Appends the exact text of a binary DECIMAL(precision, scale) value, as
// decimal2string prints it: '-' if negative, the integer part without
// leading zeros ("0" if none), then '.' and exactly `scale` digits when
// scale > 0 ("-1.50", "0.000", "99999"). Allocation: none beyond growing `out`.
// Errors: Corruption if `bytes` is not exactly DecimalBinarySize long or a
// digit group holds a value larger than its digit count allows;
// InvalidArgument if (precision, scale) is impossible. `out` is unchanged on error.
Status AppendDecimalText(Bytes bytes, unsigned precision, unsigned scale, std::string& out);

}  // namespace vomsrepl::binlog
