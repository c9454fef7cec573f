// Date and time column values in their binary row forms, and their text.
//
// Formats: MySQL sql-common/my_time.cc (my_time_packed_from_binary,
// my_datetime_packed_from_binary, my_timestamp_from_binary,
// TIME_from_longlong_time_packed, TIME_from_longlong_datetime_packed) for the
// 5.6 "*2" types; MySQL internals docs / sql/field.cc for the old DATE, TIME,
// DATETIME, TIMESTAMP and YEAR; MariaDB sql/log_event_client.cc
// log_event_print_value for the text mariadb-binlog prints.
//
// Every decoder checks the exact byte count and the field ranges (month <= 12,
// day <= 31, minutes and seconds <= 59, microseconds < 10^6, hours <= 23 in a
// DATETIME); zero dates ('0000-00-00') and zero parts are valid.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

#include <vomsrepl/status.h>

#include "binlog/byte_cursor.h"

namespace vomsrepl::binlog {

struct DateValue {
  uint32_t year = 0;  // 0..9999 in practice; the old 3-byte DATE allows up to 32767
  uint32_t month = 0;
  uint32_t day = 0;
};

struct TimeValue {
  bool negative = false;
  uint32_t hour = 0;  // up to 838 on the server, 1023 in the TIME2 bit field
  uint32_t minute = 0;
  uint32_t second = 0;
  uint32_t micro = 0;  // microseconds, already scaled (0.5 s is 500000)
};

struct DateTimeValue {
  DateValue date;
  uint32_t hour = 0;
  uint32_t minute = 0;
  uint32_t second = 0;
  uint32_t micro = 0;
};

struct TimestampValue {
  uint32_t seconds = 0;  // since the epoch, UTC; 0 is the zero timestamp
  uint32_t micro = 0;
};

// Bytes of a TIME2 / DATETIME2 / TIMESTAMP2 value with `fsp` (0..6) fractional
// digits: 3 / 5 / 4 plus (fsp + 1) / 2.
inline constexpr size_t Time2Size(unsigned fsp) { return 3 + (fsp + 1) / 2; }
inline constexpr size_t DateTime2Size(unsigned fsp) { return 5 + (fsp + 1) / 2; }
inline constexpr size_t Timestamp2Size(unsigned fsp) { return 4 + (fsp + 1) / 2; }

// DATE / NEWDATE: 3 bytes little-endian, day | month << 5 | year << 9.
Result<DateValue> DecodeDate(Bytes bytes);
// Old TIME: 3 bytes little-endian signed, +-HHMMSS as a decimal number.
Result<TimeValue> DecodeTime(Bytes bytes);
// TIME2: 3 bytes big-endian (offset 0x800000: sign, 1 unused bit, 10 bits
// hour, 6 minute, 6 second), then the fraction; negative values store the
// two's complement of the whole packed value.
Result<TimeValue> DecodeTime2(Bytes bytes, unsigned fsp);
// Old DATETIME: 8 bytes little-endian, YYYYMMDDhhmmss as a decimal number.
Result<DateTimeValue> DecodeDateTime(Bytes bytes);
// DATETIME2: 5 bytes big-endian (offset 0x8000000000: sign, 17 bits
// year * 13 + month, 5 day, 5 hour, 6 minute, 6 second), then the fraction.
Result<DateTimeValue> DecodeDateTime2(Bytes bytes, unsigned fsp);
// Old TIMESTAMP: 4 bytes little-endian seconds.
Result<TimestampValue> DecodeTimestamp(Bytes bytes);
// TIMESTAMP2: 4 bytes big-endian seconds, then the fraction.
Result<TimestampValue> DecodeTimestamp2(Bytes bytes, unsigned fsp);
// YEAR: 1 byte, 0 is the zero year, otherwise 1900 + byte.
Result<uint32_t> DecodeYear(Bytes bytes);

// Text forms. Each appends to `out` and allocates nothing else. `fsp` 0 prints
// no fraction; 1..6 prints that many digits (truncated micro, as the server).
// "YYYY-MM-DD" (`separator` '-'), or "YYYY:MM:DD" as mariadb-binlog prints DATE.
void AppendDate(const DateValue& v, char separator, std::string& out);
// "[-]HH:MM:SS[.f]" (hours at least 2 digits: "-838:59:59").
void AppendTime(const TimeValue& v, unsigned fsp, std::string& out);
// "YYYY-MM-DD HH:MM:SS[.f]".
void AppendDateTime(const DateTimeValue& v, unsigned fsp, std::string& out);
// Epoch seconds "1493012711[.f]", as mariadb-binlog prints TIMESTAMP.
void AppendTimestampEpoch(const TimestampValue& v, unsigned fsp, std::string& out);
// The same instant as UTC "YYYY-MM-DD HH:MM:SS[.f]"; 0 prints the zero
// timestamp "0000-00-00 00:00:00".
void AppendTimestampUtc(const TimestampValue& v, unsigned fsp, std::string& out);

// Packed 8-byte forms used inside MySQL binary JSON OPAQUE values.
// Format: MySQL sql-common/my_time.cc TIME_from_longlong_datetime_packed /
// TIME_from_longlong_time_packed.
Result<DateTimeValue> DateTimeFromPacked(int64_t packed);
Result<TimeValue> TimeFromPacked(int64_t packed);

}  // namespace vomsrepl::binlog
