#include "binlog/temporal.h"

#include <string_view>

namespace vomsrepl::binlog {
namespace {

constexpr uint32_t kFracDivisor[7] = {1000000, 100000, 10000, 1000, 100, 10, 1};

Status BadSize(std::string_view what, size_t got, size_t want) {
  return Corruption(std::string(what) + " value has " + std::to_string(got) + " bytes, expected " +
                    std::to_string(want));
}

Status BadFsp(std::string_view what, unsigned fsp) {
  return Corruption(std::string(what) + " fractional-second precision " + std::to_string(fsp) + " is over 6");
}

Status OutOfRange(std::string_view what) { return Corruption(std::string(what) + " value has a field out of range"); }

bool ValidDate(const DateValue& d) { return d.month <= 12 && d.day <= 31; }
bool ValidClock(uint32_t minute, uint32_t second, uint32_t micro) {
  return minute <= 59 && second <= 59 && micro <= 999999;
}

// Reads the fraction bytes of a *2 type as an unsigned big-endian number and
// scales it to microseconds. Format: my_time.cc (1 byte: 1/100 s, 2 bytes:
// 1/10000 s, 3 bytes: microseconds).
uint32_t UnsignedFraction(const std::byte* p, unsigned fsp) {
  switch ((fsp + 1) / 2) {
    case 1: return uint32_t(LoadBE<1>(p)) * 10000;
    case 2: return uint32_t(LoadBE<2>(p)) * 100;
    case 3: return uint32_t(LoadBE<3>(p));
    default: return 0;
  }
}

// Appends `v` in decimal, zero-padded to at least `width` digits.
void AppendPadded(uint64_t v, unsigned width, std::string& out) {
  char buf[24];
  char* end = buf + sizeof buf;
  char* p = end;
  do {
    *--p = char('0' + v % 10);
    v /= 10;
  } while (v != 0);
  while (unsigned(end - p) < width) *--p = '0';
  out.append(p, size_t(end - p));
}

void AppendFraction(uint32_t micro, unsigned fsp, std::string& out) {
  if (fsp == 0 || fsp > 6) return;
  out.push_back('.');
  AppendPadded(micro / kFracDivisor[fsp], fsp, out);
}

void AppendClock(uint32_t hour, uint32_t minute, uint32_t second, std::string& out) {
  AppendPadded(hour, 2, out);
  out.push_back(':');
  AppendPadded(minute, 2, out);
  out.push_back(':');
  AppendPadded(second, 2, out);
}

// Days since 1970-01-01 to a civil date (proleptic Gregorian), after
// H. Hinnant's "civil_from_days" (public-domain algorithm description).
DateValue CivilFromDays(int64_t days) {
  days += 719468;
  const int64_t era = (days >= 0 ? days : days - 146096) / 146097;
  const uint32_t doe = uint32_t(days - era * 146097);
  const uint32_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const uint32_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const uint32_t mp = (5 * doy + 2) / 153;
  const uint32_t day = doy - (153 * mp + 2) / 5 + 1;
  const uint32_t month = mp < 10 ? mp + 3 : mp - 9;
  const int64_t year = int64_t(yoe) + era * 400 + (month <= 2 ? 1 : 0);
  return DateValue{uint32_t(year), month, day};
}

}  // namespace

// Format: MySQL sql/field.cc Field_newdate (3 bytes: day 5 bits, month 4, year 15).
Result<DateValue> DecodeDate(Bytes bytes) {
  if (bytes.size() != 3) return BadSize("DATE", bytes.size(), 3);
  uint32_t v = uint32_t(LoadLE<3>(bytes.data()));
  DateValue d{v >> 9, (v >> 5) & 15, v & 31};
  if (!ValidDate(d)) return OutOfRange("DATE");
  return d;
}

// Format: MySQL sql/field.cc Field_time (3 bytes signed, +-HHMMSS).
Result<TimeValue> DecodeTime(Bytes bytes) {
  if (bytes.size() != 3) return BadSize("TIME", bytes.size(), 3);
  int32_t v = int32_t(LoadLE<3>(bytes.data()));
  if (v & 0x800000) v -= 0x1000000;
  TimeValue t;
  t.negative = v < 0;
  uint32_t a = uint32_t(v < 0 ? -v : v);
  t.hour = a / 10000;
  t.minute = a / 100 % 100;
  t.second = a % 100;
  if (!ValidClock(t.minute, t.second, 0)) return OutOfRange("TIME");
  return t;
}

Result<TimeValue> TimeFromPacked(int64_t packed) {
  TimeValue t;
  t.negative = packed < 0;
  // The magnitude fits: the packed value is at most 48 bits.
  uint64_t a = t.negative ? uint64_t(0) - uint64_t(packed) : uint64_t(packed);
  uint64_t hms = a >> 24;
  t.hour = uint32_t((hms >> 12) % (1u << 10));
  t.minute = uint32_t((hms >> 6) % (1u << 6));
  t.second = uint32_t(hms % (1u << 6));
  t.micro = uint32_t(a % (1u << 24));
  if ((hms >> 22) != 0 || !ValidClock(t.minute, t.second, t.micro)) return OutOfRange("TIME");
  return t;
}

// Format: MySQL sql-common/my_time.cc my_time_packed_from_binary.
Result<TimeValue> DecodeTime2(Bytes bytes, unsigned fsp) {
  if (fsp > 6) return BadFsp("TIME2", fsp);
  if (bytes.size() != Time2Size(fsp)) return BadSize("TIME2", bytes.size(), Time2Size(fsp));
  const std::byte* p = bytes.data();
  int64_t intpart = int64_t(LoadBE<3>(p)) - 0x800000;
  int64_t packed = 0;
  switch ((fsp + 1) / 2) {
    case 0:
      packed = intpart * (int64_t(1) << 24);
      break;
    case 1: {
      int64_t frac = int64_t(LoadBE<1>(p + 3));  // unsigned, as my_time.cc reads it
      if (intpart < 0 && frac != 0) {
        intpart += 1;
        frac -= 0x100;
      }
      packed = intpart * (int64_t(1) << 24) + frac * 10000;
      break;
    }
    case 2: {
      int64_t frac = int64_t(LoadBE<2>(p + 3));
      if (intpart < 0 && frac != 0) {
        intpart += 1;
        frac -= 0x10000;
      }
      packed = intpart * (int64_t(1) << 24) + frac * 100;
      break;
    }
    default:
      packed = int64_t(LoadBE<6>(p)) - 0x800000000000LL;
      break;
  }
  auto t = TimeFromPacked(packed);
  if (!t.ok()) return OutOfRange("TIME2");
  return t;
}

// Format: MySQL sql/field.cc Field_datetime (8 bytes, YYYYMMDDhhmmss).
Result<DateTimeValue> DecodeDateTime(Bytes bytes) {
  if (bytes.size() != 8) return BadSize("DATETIME", bytes.size(), 8);
  uint64_t v = LoadLE<8>(bytes.data());
  uint64_t date = v / 1000000, time = v % 1000000;
  DateTimeValue d;
  d.date = DateValue{uint32_t(date / 10000), uint32_t(date / 100 % 100), uint32_t(date % 100)};
  d.hour = uint32_t(time / 10000);
  d.minute = uint32_t(time / 100 % 100);
  d.second = uint32_t(time % 100);
  if (d.date.year > 9999 || !ValidDate(d.date) || d.hour > 23 || !ValidClock(d.minute, d.second, 0))
    return OutOfRange("DATETIME");
  return d;
}

Result<DateTimeValue> DateTimeFromPacked(int64_t packed) {
  if (packed < 0) return OutOfRange("DATETIME");
  uint64_t a = uint64_t(packed);
  DateTimeValue d;
  d.micro = uint32_t(a % (1u << 24));
  uint64_t intpart = a >> 24;
  uint64_t ymd = intpart >> 17, hms = intpart % (1u << 17);
  uint64_t ym = ymd >> 5;
  d.date = DateValue{uint32_t(ym / 13), uint32_t(ym % 13), uint32_t(ymd % (1u << 5))};
  d.hour = uint32_t(hms >> 12);
  d.minute = uint32_t((hms >> 6) % (1u << 6));
  d.second = uint32_t(hms % (1u << 6));
  if (d.date.year > 9999 || !ValidDate(d.date) || d.hour > 23 || !ValidClock(d.minute, d.second, d.micro))
    return OutOfRange("DATETIME");
  return d;
}

// Format: MySQL sql-common/my_time.cc my_datetime_packed_from_binary.
Result<DateTimeValue> DecodeDateTime2(Bytes bytes, unsigned fsp) {
  if (fsp > 6) return BadFsp("DATETIME2", fsp);
  if (bytes.size() != DateTime2Size(fsp)) return BadSize("DATETIME2", bytes.size(), DateTime2Size(fsp));
  const std::byte* p = bytes.data();
  int64_t intpart = int64_t(LoadBE<5>(p)) - 0x8000000000LL;
  if (intpart < 0) return OutOfRange("DATETIME2");
  uint32_t micro = UnsignedFraction(p + 5, fsp);
  auto d = DateTimeFromPacked(intpart * (int64_t(1) << 24) + micro);
  if (!d.ok()) return OutOfRange("DATETIME2");
  return d;
}

// Format: MySQL sql/field.cc Field_timestamp (4 bytes little-endian seconds).
Result<TimestampValue> DecodeTimestamp(Bytes bytes) {
  if (bytes.size() != 4) return BadSize("TIMESTAMP", bytes.size(), 4);
  return TimestampValue{uint32_t(LoadLE<4>(bytes.data())), 0};
}

// Format: MySQL sql-common/my_time.cc my_timestamp_from_binary.
Result<TimestampValue> DecodeTimestamp2(Bytes bytes, unsigned fsp) {
  if (fsp > 6) return BadFsp("TIMESTAMP2", fsp);
  if (bytes.size() != Timestamp2Size(fsp)) return BadSize("TIMESTAMP2", bytes.size(), Timestamp2Size(fsp));
  TimestampValue t{uint32_t(LoadBE<4>(bytes.data())), UnsignedFraction(bytes.data() + 4, fsp)};
  if (t.micro > 999999) return OutOfRange("TIMESTAMP2");
  return t;
}

// Format: MySQL sql/field.cc Field_year (1 byte, 0 or year - 1900).
Result<uint32_t> DecodeYear(Bytes bytes) {
  if (bytes.size() != 1) return BadSize("YEAR", bytes.size(), 1);
  uint32_t v = std::to_integer<uint8_t>(bytes[0]);
  return v == 0 ? 0u : 1900u + v;
}

void AppendDate(const DateValue& v, char separator, std::string& out) {
  AppendPadded(v.year, 4, out);
  out.push_back(separator);
  AppendPadded(v.month, 2, out);
  out.push_back(separator);
  AppendPadded(v.day, 2, out);
}

void AppendTime(const TimeValue& v, unsigned fsp, std::string& out) {
  if (v.negative) out.push_back('-');
  AppendClock(v.hour, v.minute, v.second, out);
  AppendFraction(v.micro, fsp, out);
}

void AppendDateTime(const DateTimeValue& v, unsigned fsp, std::string& out) {
  AppendDate(v.date, '-', out);
  out.push_back(' ');
  AppendClock(v.hour, v.minute, v.second, out);
  AppendFraction(v.micro, fsp, out);
}

void AppendTimestampEpoch(const TimestampValue& v, unsigned fsp, std::string& out) {
  AppendPadded(v.seconds, 1, out);
  AppendFraction(v.micro, fsp, out);
}

void AppendTimestampUtc(const TimestampValue& v, unsigned fsp, std::string& out) {
  DateTimeValue d;
  if (v.seconds != 0 || v.micro != 0) {
    d.date = CivilFromDays(int64_t(v.seconds / 86400));
    uint32_t s = v.seconds % 86400;
    d.hour = s / 3600;
    d.minute = s / 60 % 60;
    d.second = s % 60;
    d.micro = v.micro;
  }
  AppendDateTime(d, fsp, out);
}

}  // namespace vomsrepl::binlog
