// MySQL binary JSON -> text, from hand-built documents (layout per MySQL
// sql/json_binary.h), partial JSON diffs (bytes and mysqlbinlog text from a
// MySQL 8 PARTIAL_UPDATE_ROWS event quoted in Vitess' binlog tests), and
// hostile documents that must give an error, never a crash or a hang.
#include <gtest/gtest.h>

#include <cstring>
#include <limits>
#include <string>
#include <vector>

#include "binlog/json_binary.h"

namespace vomsrepl::binlog {
namespace {

using Doc = std::vector<uint8_t>;

void Put(Doc& d, uint64_t v, int n) {
  for (int i = 0; i < n; ++i) d.push_back(uint8_t(v >> (8 * i)));
}

// Builds containers the way the server lays them out: header, entries, keys, values.
struct Element {
  std::string key;
  uint8_t type;
  Doc value;  // for inlined types: the inline bytes (padded by the builder)
};

bool Inlined(uint8_t type, bool large) {
  return type == 0x04 || type == 0x05 || type == 0x06 || (large && (type == 0x07 || type == 0x08));
}

Doc Container(bool object, bool large, const std::vector<Element>& elems) {
  const int w = large ? 4 : 2;
  size_t header = 2 * w + elems.size() * ((object ? w + 2 : 0) + 1 + w);
  Doc keys, values;
  std::vector<size_t> key_off, val_off;
  size_t pos = header;
  if (object)
    for (const Element& e : elems) {
      key_off.push_back(pos);
      keys.insert(keys.end(), e.key.begin(), e.key.end());
      pos += e.key.size();
    }
  for (const Element& e : elems) {
    if (Inlined(e.type, large)) {
      val_off.push_back(0);
      continue;
    }
    val_off.push_back(pos);
    values.insert(values.end(), e.value.begin(), e.value.end());
    pos += e.value.size();
  }
  Doc d;
  Put(d, elems.size(), w);
  Put(d, pos, w);
  if (object)
    for (size_t i = 0; i < elems.size(); ++i) {
      Put(d, key_off[i], w);
      Put(d, elems[i].key.size(), 2);
    }
  for (size_t i = 0; i < elems.size(); ++i) {
    d.push_back(elems[i].type);
    if (Inlined(elems[i].type, large)) {
      Doc v = elems[i].value;
      v.resize(size_t(w), 0);
      d.insert(d.end(), v.begin(), v.end());
    } else {
      Put(d, val_off[i], w);
    }
  }
  d.insert(d.end(), keys.begin(), keys.end());
  d.insert(d.end(), values.begin(), values.end());
  return d;
}

Doc Str(const std::string& s) {
  Doc d;
  size_t n = s.size();
  do {
    uint8_t b = n & 0x7f;
    n >>= 7;
    d.push_back(b | (n ? 0x80 : 0));
  } while (n);
  d.insert(d.end(), s.begin(), s.end());
  return d;
}

Doc WithType(uint8_t type, const Doc& v) {
  // Sized up front: GCC 12 at -O3 warns falsely on inserting into a 1-byte vector.
  Doc d(v.size() + 1);
  d[0] = type;
  std::copy(v.begin(), v.end(), d.begin() + 1);
  return d;
}

std::string Text(const Doc& d, JsonTextStyle style = JsonTextStyle::kCompact) {
  std::string out;
  Status st = AppendJsonBinaryText(Bytes(reinterpret_cast<const std::byte*>(d.data()), d.size()), style, out);
  return st.ok() ? out : "ERROR " + st.ToString();
}

Doc Le(uint64_t v, int n) {
  Doc d;
  Put(d, v, n);
  return d;
}

TEST(JsonBinary, Scalars) {
  EXPECT_EQ(Text({}), "null");
  EXPECT_EQ(Text({0x04, 0x00}), "null");
  EXPECT_EQ(Text({0x04, 0x01}), "true");
  EXPECT_EQ(Text({0x04, 0x02}), "false");
  EXPECT_EQ(Text(WithType(0x05, Le(uint16_t(-2), 2))), "-2");
  EXPECT_EQ(Text(WithType(0x06, Le(65535, 2))), "65535");
  EXPECT_EQ(Text(WithType(0x07, Le(uint32_t(-100000), 4))), "-100000");
  EXPECT_EQ(Text(WithType(0x08, Le(4294967295u, 4))), "4294967295");
  EXPECT_EQ(Text(WithType(0x09, Le(uint64_t(INT64_MIN), 8))), "-9223372036854775808");
  EXPECT_EQ(Text(WithType(0x0a, Le(UINT64_MAX, 8))), "18446744073709551615");
  double d = 0.1;
  uint64_t bits;
  std::memcpy(&bits, &d, 8);
  EXPECT_EQ(Text(WithType(0x0b, Le(bits, 8))), "0.1");
  d = 3.0;
  std::memcpy(&bits, &d, 8);
  EXPECT_EQ(Text(WithType(0x0b, Le(bits, 8))), "3.0");
  d = 1e300;
  std::memcpy(&bits, &d, 8);
  EXPECT_EQ(Text(WithType(0x0b, Le(bits, 8))), "1e+300");
  EXPECT_EQ(Text(WithType(0x0c, Str("a\"b\\c\n\x01\xc3\xa9"))), "\"a\\\"b\\\\c\\n\\u0001\xc3\xa9\"");
  EXPECT_EQ(Text(WithType(0x0c, Str(std::string(200, 'x')))), "\"" + std::string(200, 'x') + "\"");  // 2-byte length
}

TEST(JsonBinary, ObjectsAndArrays) {
  // {"a":1,"b":[true,null,"x"],"c":-70000} as a small object.
  Doc arr = Container(false, false, {{"", 0x04, {0x01}}, {"", 0x04, {0x00}}, {"", 0x0c, Str("x")}});
  Doc obj = Container(true, false, {{"a", 0x05, Le(1, 2)}, {"b", 0x02, arr}, {"c", 0x07, Le(uint32_t(-70000), 4)}});
  EXPECT_EQ(Text(WithType(0x00, obj)), "{\"a\":1,\"b\":[true,null,\"x\"],\"c\":-70000}");
  EXPECT_EQ(Text(WithType(0x00, obj), JsonTextStyle::kMysql), "{\"a\": 1, \"b\": [true, null, \"x\"], \"c\": -70000}");
  // Large object and array: int32 inlined.
  Doc larr = Container(false, true, {{"", 0x07, Le(uint32_t(-5), 4)}, {"", 0x0c, Str("y")}});
  Doc lobj = Container(true, true, {{"k", 0x03, larr}, {"e", 0x00, Container(true, false, {})}});
  EXPECT_EQ(Text(WithType(0x01, lobj)), "{\"k\":[-5,\"y\"],\"e\":{}}");
  EXPECT_EQ(Text(WithType(0x02, Container(false, false, {}))), "[]");
}

Doc Opaque(uint8_t field_type, const Doc& data) {
  Doc d{0x0f, field_type};
  Doc len = Str(std::string(data.begin(), data.end()));
  d.insert(d.end(), len.begin(), len.end());
  return d;
}

int64_t PackDateTime(int y, int mo, int d, int h, int mi, int s, int us) {
  int64_t ymd = ((int64_t(y) * 13 + mo) << 5) | d;
  int64_t hms = (h << 12) | (mi << 6) | s;
  return (((ymd << 17) | hms) << 24) + us;
}

TEST(JsonBinary, OpaqueValues) {
  // The json-opaque gold: {"a":"base64:type15:VQ=="}, {"b":"2012-03-18"},
  // {"c":"2012-03-18 11:30:45.000000"}, {"c":"87:31:46.654321"}, {"d":"123.456"}, {"e":"9.00"}.
  auto one = [](const std::string& key, const Doc& value) {
    Doc v(value.begin() + 1, value.end());  // drop the type byte: it goes in the entry
    return WithType(0x00, Container(true, false, {{key, value[0], v}}));
  };
  EXPECT_EQ(Text(one("a", Opaque(15, {'U'}))), "{\"a\":\"base64:type15:VQ==\"}");
  EXPECT_EQ(Text(one("b", Opaque(10, Le(uint64_t(PackDateTime(2012, 3, 18, 0, 0, 0, 0)), 8)))), "{\"b\":\"2012-03-18\"}");
  EXPECT_EQ(Text(one("c", Opaque(12, Le(uint64_t(PackDateTime(2012, 3, 18, 11, 30, 45, 0)), 8)))),
            "{\"c\":\"2012-03-18 11:30:45.000000\"}");
  EXPECT_EQ(Text(one("c", Opaque(7, Le(uint64_t(PackDateTime(2012, 3, 18, 11, 30, 45, 5)), 8)))),
            "{\"c\":\"2012-03-18 11:30:45.000005\"}");
  int64_t time = (int64_t((87 << 12) | (31 << 6) | 46) << 24) + 654321;
  EXPECT_EQ(Text(one("c", Opaque(11, Le(uint64_t(time), 8)))), "{\"c\":\"87:31:46.654321\"}");
  EXPECT_EQ(Text(one("c", Opaque(11, Le(uint64_t(-time), 8)))), "{\"c\":\"-87:31:46.654321\"}");
  // DECIMAL(6,3) 123.456: precision, scale, then the binary (3 int digits: 2 bytes, 3 frac: 2 bytes).
  Doc dec{6, 3, 0x80, 0x7b, 0x01, 0xc8};
  EXPECT_EQ(Text(one("d", Opaque(246, dec))), "{\"d\":\"123.456\"}");
  EXPECT_EQ(Text(one("d", Opaque(246, dec)), JsonTextStyle::kMysql), "{\"d\": 123.456}");
  Doc nine{3, 2, 0x89, 0x00};  // DECIMAL(3,2) 9.00
  EXPECT_EQ(Text(one("e", Opaque(246, nine))), "{\"e\":\"9.00\"}");
  EXPECT_EQ(Text(Opaque(12, {1, 2, 3})).rfind("ERROR Corruption", 0), 0u);  // temporal not 8 bytes
  EXPECT_EQ(Text(Opaque(246, {70, 0})).rfind("ERROR", 0), 0u);
}

TEST(JsonBinary, HostileDocumentsFailCleanly) {
  // Unknown type, unknown literal, truncated scalars.
  EXPECT_EQ(Text({0x0d}).rfind("ERROR Corruption", 0), 0u);
  EXPECT_EQ(Text({0x04, 0x07}).rfind("ERROR Corruption", 0), 0u);
  EXPECT_EQ(Text({0x09, 1, 2, 3}).rfind("ERROR Corruption", 0), 0u);
  EXPECT_EQ(Text({0x0c, 0x05, 'a'}).rfind("ERROR Corruption", 0), 0u);
  EXPECT_EQ(Text({0x0c, 0x80, 0x80, 0x80, 0x80, 0x80, 0x01}).rfind("ERROR Corruption", 0), 0u);
  // Container size beyond the document; count too large for the size.
  EXPECT_EQ(Text({0x02, 0x01, 0x00, 0xff, 0x00}).rfind("ERROR Corruption", 0), 0u);
  EXPECT_EQ(Text({0x02, 0xff, 0xff, 0x04, 0x00}).rfind("ERROR Corruption", 0), 0u);
  // Element offset out of range, and pointing into the header (itself).
  EXPECT_EQ(Text({0x02, 0x01, 0x00, 0x07, 0x00, 0x0c, 0x40, 0x00}).rfind("ERROR Corruption", 0), 0u);
  EXPECT_EQ(Text({0x02, 0x01, 0x00, 0x07, 0x00, 0x02, 0x00, 0x00}).rfind("ERROR Corruption", 0), 0u);
  // Key outside the object.
  Doc obj = Container(true, false, {{"a", 0x04, {0x01}}});
  obj[4] = 0xf0;
  EXPECT_EQ(Text(WithType(0x00, obj)).rfind("ERROR Corruption", 0), 0u);
  // Every truncation of a valid document is an error, never a crash.
  Doc arr = Container(false, false, {{"", 0x0c, Str("xyz")}, {"", 0x04, {0x01}}});
  Doc good = WithType(0x00, Container(true, false, {{"a", 0x02, arr}, {"b", 0x0c, Str("s")}}));
  ASSERT_EQ(Text(good), "{\"a\":[\"xyz\",true],\"b\":\"s\"}");
  for (size_t n = 1; n < good.size(); ++n) EXPECT_EQ(Text(Doc(good.begin(), good.begin() + long(n))).rfind("ERROR", 0), 0u) << n;
  // Every single-byte corruption: any result, but no crash (ASan/UBSan builds catch overreads).
  for (size_t i = 0; i < good.size(); ++i)
    for (int x : {0x00, 0x01, 0x7f, 0x80, 0xff}) {
      Doc bad = good;
      bad[i] = uint8_t(x);
      (void)Text(bad);
    }
}

TEST(JsonBinary, DeepNestingIsRefused) {
  // [[[[...]]]] 150 deep: each level a small array with one element at offset 7.
  const int depth = 150;
  Doc d;
  for (int i = 0; i < depth; ++i) {
    size_t remaining = size_t(depth - i - 1) * 7 + 4;  // the rest below this level
    Put(d, 1, 2);
    Put(d, 7 + remaining, 2);
    d.push_back(i + 1 < depth ? 0x02 : 0x04);
    Put(d, i + 1 < depth ? 7 : 1, 2);
  }
  Put(d, 0, 2);
  Put(d, 4, 2);  // innermost: an empty array (ignored: the last level inlines a literal)
  std::string r = Text(WithType(0x02, d));
  EXPECT_EQ(r.rfind("ERROR Corruption", 0), 0u) << r.substr(0, 80);
  EXPECT_NE(r.find("deeper"), std::string::npos) << r.substr(0, 200);
}

TEST(JsonBinary, SharedSubtreesCannotExplode) {
  // Each level: an array of 2 elements that both point at the same child
  // (offset 10). 60 levels would print 2^60 values; the walk budget stops it.
  const int levels = 60;
  Doc d;
  for (int i = 0; i < levels; ++i) {
    size_t size = size_t(levels - i) * 10 + 4;
    Put(d, 2, 2);
    Put(d, size, 2);
    d.push_back(0x02);
    Put(d, 10, 2);
    d.push_back(0x02);
    Put(d, 10, 2);
  }
  Put(d, 0, 2);
  Put(d, 4, 2);
  std::string r = Text(WithType(0x02, d));
  EXPECT_EQ(r.rfind("ERROR Corruption", 0), 0u) << r.substr(0, 80);
}

template <size_t N>
std::string Lit(const char (&s)[N]) {
  return std::string(s, N - 1);
}

std::string Diff(const std::string& bytes, uint32_t column = 3) {
  std::string out;
  Status st = AppendJsonDiffMysqlbinlog(AsBytes(bytes), column, out);
  return st.ok() ? out : "ERROR " + st.ToString();
}

TEST(JsonDiff, MysqlbinlogText) {
  // Diff lists and what mysqlbinlog -vvv printed for them (MySQL 8 event
  // bytes and output quoted in Vitess go/mysql/binlog_event_mysql56_test.go).
  EXPECT_EQ(Diff(Lit("\x00\x06$.role\x04\x0c\x02IC")), "JSON_REPLACE(@3, '$.role', 'IC')");
  EXPECT_EQ(Diff(Lit("\x01\x06$.role\x09\x0c\x07manager")), "JSON_INSERT(@3, '$.role', 'manager')");
  EXPECT_EQ(Diff(Lit("\x02\x08$.salary")), "JSON_REMOVE(@3, '$.salary')");
  EXPECT_EQ(Diff(Lit("\x00\x08$.salary\x02\x04\x00")), "JSON_REPLACE(@3, '$.salary', null)");
  EXPECT_EQ(Diff(Lit("\x00\x08$.salary\x03\x05\x6e\x00\x00\x06$.role\x04\x0c\x02IC")),
            "JSON_REPLACE(@3, '$.salary', 110,\n###      '$.role', 'IC')");
  EXPECT_EQ(Diff(Lit("\x00\x05$.day\x08\x0c\x06monday\x02\x10$.favorite_color")),
            "JSON_REMOVE(\n###      JSON_REPLACE(@3, '$.day', 'monday'),\n###      '$.favorite_color')");
  EXPECT_EQ(Diff(Lit("\x00\x05$.day\x09\x0c\x07tuesday\x02\x10$.favorite_color\x01\x07$.hobby\x08\x0c\x06skiing")),
            "JSON_INSERT(\n###      JSON_REMOVE(\n###      JSON_REPLACE(@3, '$.day', 'tuesday'),\n###      "
            "'$.favorite_color'),\n###      '$.hobby', 'skiing')");
  // INSERT into an array position is JSON_ARRAY_INSERT; an empty list is the column itself.
  EXPECT_EQ(Diff(Lit("\x01\x04$[1]\x03\x05\x07\x00"), 1), "JSON_ARRAY_INSERT(@1, '$[1]', 7)");
  EXPECT_EQ(Diff(std::string()), "@3");
}

TEST(JsonDiff, JsonAndErrors) {
  std::string out;
  ASSERT_TRUE(AppendJsonDiffJson(AsBytes(Lit("\x00\x06$.role\x04\x0c\x02IC\x02\x03$.x")), out).ok());
  EXPECT_EQ(out, "{\"json_diff\":[{\"op\":\"replace\",\"path\":\"$.role\",\"value\":\"IC\"},{\"op\":\"remove\",\"path\":\"$.x\"}]}");
  EXPECT_EQ(Diff(Lit("\x03\x01$")).rfind("ERROR Corruption", 0), 0u);          // bad operation
  EXPECT_EQ(Diff(Lit("\x00\x09$.a")).rfind("ERROR Corruption", 0), 0u);        // path past end
  EXPECT_EQ(Diff(Lit("\x00\x03$.a\x05\x0c")).rfind("ERROR Corruption", 0), 0u);  // value past end
  EXPECT_EQ(Diff(Lit("\x00\x03$.a\x02\x0c\x05")).rfind("ERROR Corruption", 0), 0u);  // bad string
  out = "keep";
  EXPECT_FALSE(AppendJsonDiffJson(AsBytes(Lit("\x00\x03$.a\x01\x0d")), out).ok());
  EXPECT_EQ(out, "keep");
}

TEST(JsonHelpers, Base64AndDouble) {
  auto b64 = [](const std::string& s) {
    std::string out;
    AppendBase64(AsBytes(s), out);
    return out;
  };
  EXPECT_EQ(b64(""), "");
  EXPECT_EQ(b64("f"), "Zg==");
  EXPECT_EQ(b64("fo"), "Zm8=");
  EXPECT_EQ(b64("foo"), "Zm9v");
  EXPECT_EQ(b64("foobar"), "Zm9vYmFy");
  std::string out;
  EXPECT_TRUE(AppendJsonDouble(-0.5, out));
  EXPECT_FALSE(AppendJsonDouble(std::numeric_limits<double>::infinity(), out));
  EXPECT_EQ(out, "-0.5");
}

}  // namespace
}  // namespace vomsrepl::binlog
