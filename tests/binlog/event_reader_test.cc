// EventReader and non-row events against the real-server fixtures of
// tests/data/binlogs (MANIFEST.md gives each file's source and gold values).
#include "binlog/event_reader.h"

#include <gtest/gtest.h>
#include <zlib.h>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <map>
#include <string>
#include <vector>

#include "binlog/compression.h"
#include "binlog/crc32.h"
#include "binlog/events.h"

namespace vomsrepl::binlog {
namespace {

std::string DataPath(const std::string& rel) { return std::string(VOMSREPL_TEST_DATA_DIR) + "/binlogs/" + rel; }

std::vector<std::byte> ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::vector<char> c((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  std::vector<std::byte> b(c.size());
  std::memcpy(b.data(), c.data(), c.size());
  return b;
}

struct Walk {
  Status end;  // status that ended the walk
  std::vector<ReadEvent> events;
  std::vector<std::byte> data;
  FormatDescription fde;
};

// Walks a whole file; the ReadEvent frames point into `data`, which the Walk owns
// (inner payload frames are not kept valid after the walk).
Walk WalkFile(const std::string& rel, bool verify = true) {
  Walk w;
  w.data = ReadFile(DataPath(rel));
  EventReader r(Bytes(w.data.data(), w.data.size()), rel, verify);
  for (;;) {
    ReadEvent ev;
    Status s = r.Next(&ev);
    if (!s.ok()) {
      w.end = s;
      break;
    }
    w.events.push_back(ev);
  }
  w.fde = r.format();
  return w;
}

bool CleanEnd(const Walk& w) {
  return w.end.code() == StatusCode::kOutOfRange && w.end.message().rfind("end of file", 0) == 0;
}

// Every fixture walks to its end, except those the MANIFEST says are truncated
// or from pre-release servers.
TEST(EventReaderFixtures, EveryFixtureWalksToTheEnd) {
  std::map<std::string, StatusCode> expected_failures = {
      {"rust_mysql_common/binlog_truncated_event.000001", StatusCode::kOutOfRange},
      {"rust_mysql_common/binlog_truncated_prev_gtid_event.000001", StatusCode::kOutOfRange},
  };
  int files = 0;
  for (const auto& entry : std::filesystem::recursive_directory_iterator(DataPath(""))) {
    if (!entry.is_regular_file()) continue;
    std::string path = entry.path().string();
    std::string rel = path.substr(DataPath("").size());
    auto bytes = ReadFile(path);
    if (bytes.size() < 4 || std::memcmp(bytes.data(), kBinlogMagic, 4) != 0) continue;  // companion files
    ++files;
    Walk w = WalkFile(rel);
    auto it = expected_failures.find(rel);
    if (it != expected_failures.end()) {
      EXPECT_EQ(w.end.code(), it->second) << rel << ": " << w.end.ToString();
      EXPECT_FALSE(CleanEnd(w)) << rel;
    } else {
      EXPECT_TRUE(CleanEnd(w)) << rel << ": " << w.end.ToString();
    }
  }
  EXPECT_GE(files, 55);
}

// The frames of this relay log are whole; its last QUERY event (171 bytes at
// offset 91204) holds a body shorter than its own fields announce.
TEST(EventReaderFixtures, CorruptRelayLogStopsAtItsTruncatedQuery) {
  Walk w = WalkFile("rust_mysql_common/corrupt-relay-bin.000624");
  ASSERT_TRUE(CleanEnd(w)) << w.end.ToString();
  std::vector<std::byte> scratch;
  uint64_t first_bad = 0;
  size_t queries = 0;
  for (const auto& ev : w.events) {
    if (ev.frame.header.type != EventType::kQuery) continue;
    ++queries;
    auto q = DecodeQuery(EventType::kQuery, ev.frame.body, w.fde, scratch);
    if (!q.ok() && first_bad == 0) {
      first_bad = ev.offset;
      EXPECT_EQ(q.status().code(), StatusCode::kCorruption);
      EXPECT_EQ(ev.frame.header.event_length, 171u);
    }
  }
  EXPECT_GT(queries, 100u);
  EXPECT_EQ(first_bad, 91204u);
}

TEST(EventReaderFixtures, ChecksumAlgorithmAndFlavour) {
  EXPECT_EQ(WalkFile("gh-ost/mysql-bin.000066").fde.checksum, ChecksumAlg::kCrc32);
  Walk m = WalkFile("binlog-parser/fixtures/mysql-bin.07");
  EXPECT_TRUE(m.fde.IsMariaDB());
  EXPECT_EQ(m.fde.server_version.substr(0, 7), "10.0.15");
  EXPECT_EQ(m.fde.checksum, ChecksumAlg::kOff);
  EXPECT_EQ(WalkFile("rust_mysql_common/bug11747887-bin.000003").fde.checksum, ChecksumAlg::kOff);
  EXPECT_EQ(WalkFile("rust_mysql_common/bug16266.000001").fde.checksum, ChecksumAlg::kOff);
}

TEST(EventReaderFixtures, RustMysqlBinlogGtidAndQuery) {
  Walk w = WalkFile("rust-mysql-binlog/bin-log.000001");
  ASSERT_TRUE(CleanEnd(w));
  bool saw_gtid = false, saw_create = false;
  std::vector<std::byte> scratch;
  for (const auto& ev : w.events) {
    if (ev.frame.header.type == EventType::kGtid && !saw_gtid) {
      auto g = DecodeMysqlGtid(EventType::kGtid, ev.frame.body);
      ASSERT_TRUE(g.ok());
      if (g->gno == 14918) {
        saw_gtid = true;
        EXPECT_EQ(FormatUuid(g->sid), "87cee3a4-6b31-11e7-bdfd-0d98d6698870");
      }
    }
    if (ev.frame.header.type == EventType::kQuery) {
      auto q = DecodeQuery(EventType::kQuery, ev.frame.body, w.fde, scratch);
      ASSERT_TRUE(q.ok()) << q.status().ToString();
      if (q->query.find("CREATE TABLE foo") != std::string_view::npos) saw_create = true;
    }
    if (ev.frame.header.type == EventType::kTableMap && ev.offset == 598) {
      EXPECT_EQ(ev.frame.header.timestamp, 1550192291u);  // first row-carrying transaction
    }
  }
  EXPECT_TRUE(saw_gtid);
  EXPECT_TRUE(saw_create);
}

TEST(EventReaderFixtures, MariadbGtidsAndGtidList) {
  auto gtids_of = [](const std::string& rel, std::vector<MariaGtidListEntry>* list) {
    Walk w = WalkFile(rel);
    EXPECT_TRUE(CleanEnd(w)) << w.end.ToString();
    std::vector<std::string> out;
    for (const auto& ev : w.events) {
      if (ev.frame.header.type == EventType::kMariaGtid) {
        auto g = DecodeMariaGtid(ev.frame.body, ev.frame.header.server_id);
        EXPECT_TRUE(g.ok());
        out.push_back(std::to_string(g->domain_id) + "-" + std::to_string(g->server_id) + "-" +
                      std::to_string(g->seq_no));
      }
      if (ev.frame.header.type == EventType::kMariaGtidList && list) {
        EXPECT_TRUE(DecodeMariaGtidList(ev.frame.body, *list).ok());
      }
    }
    return out;
  };
  std::vector<MariaGtidListEntry> list;
  auto g9 = gtids_of("mariadb-poc/domain_id_0/mariadb-repl-bin.000009", &list);
  ASSERT_FALSE(g9.empty());
  EXPECT_EQ(g9.front(), "0-10-292194");
  EXPECT_EQ(g9.back(), "0-10-292196");
  ASSERT_EQ(list.size(), 1u);
  EXPECT_EQ(list[0].seq_no, 292193u);
  EXPECT_EQ(list[0].server_id, 10u);
  auto g10 = gtids_of("mariadb-poc/domain_id_0/mariadb-repl-bin.000010", &list);
  ASSERT_FALSE(g10.empty());
  EXPECT_EQ(g10.front(), "0-10-292197");
  EXPECT_EQ(g10.back(), "0-10-292206");
  ASSERT_EQ(list.size(), 1u);
  EXPECT_EQ(list[0].seq_no, 292196u);
  auto g1 = gtids_of("mariadb-poc/domain_id_0/mariadb-repl-bin.000001", &list);
  EXPECT_TRUE(g1.empty());
  EXPECT_TRUE(list.empty());
  auto m = gtids_of("rust_mysql_common/mariadb-bin.000001", nullptr);
  EXPECT_EQ(m, (std::vector<std::string>{"0-1-1", "0-1-2"}));
}

TEST(EventReaderFixtures, TaggedGtidsAndPreviousGtids) {
  Walk w = WalkFile("rust_mysql_common/binlog_transaction_with_GTID_TAG.000001");
  ASSERT_TRUE(CleanEnd(w)) << w.end.ToString();
  bool saw_prev = false, saw_tagged = false;
  for (const auto& ev : w.events) {
    if (ev.frame.header.type == EventType::kPreviousGtids) {
      auto p = DecodePreviousGtids(ev.frame.body);
      ASSERT_TRUE(p.ok()) << p.status().ToString();
      ASSERT_EQ(p->size(), 2u);
      EXPECT_EQ(FormatUuid((*p)[0].sid), "55778904-0299-11f1-b1b8-4ef0c4956feb");
      EXPECT_EQ((*p)[0].tag, "");
      ASSERT_EQ((*p)[0].intervals.size(), 1u);
      EXPECT_EQ((*p)[0].intervals[0].start, 1u);
      EXPECT_EQ((*p)[0].intervals[0].end, 14u);
      EXPECT_EQ((*p)[1].tag, "mytag");
      ASSERT_EQ((*p)[1].intervals.size(), 1u);
      EXPECT_EQ((*p)[1].intervals[0].start, 1u);
      EXPECT_EQ((*p)[1].intervals[0].end, 3u);
      saw_prev = true;
    }
    if (ev.frame.header.type == EventType::kGtidTagged) {
      auto g = DecodeMysqlGtid(EventType::kGtidTagged, ev.frame.body);
      ASSERT_TRUE(g.ok()) << g.status().ToString();
      EXPECT_EQ(g->tag, "mytag");
      EXPECT_EQ(g->gno, 3u);
      EXPECT_EQ(FormatUuid(g->sid), "55778904-0299-11f1-b1b8-4ef0c4956feb");
      saw_tagged = true;
    }
  }
  EXPECT_TRUE(saw_prev);
  EXPECT_TRUE(saw_tagged);

  Walk u = WalkFile("rust_mysql_common/binlog_transaction_previous_GTID_no_tag.000001");
  ASSERT_TRUE(CleanEnd(u));
  for (const auto& ev : u.events) {
    if (ev.frame.header.type != EventType::kPreviousGtids) continue;
    auto p = DecodePreviousGtids(ev.frame.body);
    ASSERT_TRUE(p.ok());
    ASSERT_EQ(p->size(), 1u);
    EXPECT_EQ(FormatUuid((*p)[0].sid), "b9b88c66-0755-11f1-9899-4a9da94c4d71");
    ASSERT_EQ((*p)[0].intervals.size(), 1u);
    EXPECT_EQ((*p)[0].intervals[0].start, 1u);
    EXPECT_EQ((*p)[0].intervals[0].end, 3u);
  }
}

TEST(EventReaderFixtures, TransactionPayloadInnerEvents) {
  Walk w = WalkFile("rust_mysql_common/transaction_compression.000001");
  ASSERT_TRUE(CleanEnd(w)) << w.end.ToString();
  std::vector<EventType> inner;
  for (const auto& ev : w.events)
    if (ev.inside_payload) inner.push_back(ev.frame.header.type);
  EXPECT_EQ(inner, (std::vector<EventType>{EventType::kQuery, EventType::kTableMap, EventType::kWriteRowsV2,
                                           EventType::kXid}));
}

TEST(EventReaderFixtures, CanalFirstEventOfTsdb3) {
  Walk w = WalkFile("canal/binlog/tsdb/mysql-bin.000003");
  ASSERT_TRUE(CleanEnd(w));
  bool found = false;
  for (const auto& ev : w.events) {
    if (ev.offset == 219) {
      found = true;
      EXPECT_EQ(ev.frame.header.timestamp, 1505467103u);
    }
  }
  EXPECT_TRUE(found);
}

TEST(EventReaderFixtures, IncidentUserVarIntvarRand) {
  Walk inc = WalkFile("rust_mysql_common/bug40482-bin.000001");
  ASSERT_TRUE(CleanEnd(inc));
  int incidents = 0;
  for (const auto& ev : inc.events) {
    if (ev.frame.header.type != EventType::kIncident) continue;
    auto i = DecodeIncident(ev.frame.body);
    ASSERT_TRUE(i.ok()) << i.status().ToString();
    ++incidents;
  }
  EXPECT_EQ(incidents, 1);

  Walk v = WalkFile("rust_mysql_common/ver_5_1_23.001");
  ASSERT_TRUE(CleanEnd(v));
  bool x4 = false, rand = false, intvar = false;
  for (const auto& ev : v.events) {
    switch (ev.frame.header.type) {
      case EventType::kUserVar: {
        auto u = DecodeUserVar(ev.frame.body);
        ASSERT_TRUE(u.ok());
        if (u->name == "x" && !u->is_null && u->value_type == 2 && u->value.size() == 8)
          x4 = LoadLE<8>(u->value.data()) == 4;
        break;
      }
      case EventType::kRand: rand = DecodeRand(ev.frame.body).ok(); break;
      case EventType::kIntvar: intvar = DecodeIntvar(ev.frame.body).ok(); break;
      default: break;
    }
  }
  EXPECT_TRUE(x4);
  EXPECT_TRUE(rand);
  EXPECT_TRUE(intvar);
}

TEST(EventReaderFixtures, RotateAtEndNamesNextFile) {
  Walk w = WalkFile("percona-binlog-server/data_80045_gtid/binlog.000001");
  ASSERT_TRUE(CleanEnd(w));
  ASSERT_EQ(w.events.back().frame.header.type, EventType::kRotate);
  auto r = DecodeRotate(w.events.back().frame.body, w.fde);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->next_file, "binlog.000002");
  EXPECT_EQ(r->position, 4u);
}

// leveldb log_test style: damage a real file every way and never crash.
TEST(EventReaderCorruption, FlippedByteIsACrcError) {
  auto data = ReadFile(DataPath("gh-ost/mysql-bin.000066"));
  data[300] ^= std::byte{0x10};
  EventReader r(Bytes(data.data(), data.size()), "x");
  Status s;
  ReadEvent ev;
  while ((s = r.Next(&ev)).ok()) {
  }
  EXPECT_EQ(s.code(), StatusCode::kCorruption) << s.ToString();
  EXPECT_NE(s.message().find("CRC32 mismatch"), std::string::npos) << s.ToString();
}

TEST(EventReaderCorruption, EveryTruncationIsAnErrorOrACleanEnd) {
  auto full = ReadFile(DataPath("rust_mysql_common/mariadb-bin.000001"));
  for (size_t n = 0; n < full.size(); ++n) {
    std::vector<std::byte> data(full.begin(), full.begin() + long(n));
    EventReader r(Bytes(data.data(), data.size()), "t");
    ReadEvent ev;
    Status s;
    size_t guard = 0;
    while ((s = r.Next(&ev)).ok() && ++guard < 10000) {
    }
    ASSERT_FALSE(s.ok());
    if (!r.at_end()) {
      EXPECT_TRUE(s.code() == StatusCode::kOutOfRange || s.code() == StatusCode::kCorruption) << n << " " << s.ToString();
    }
  }
}

TEST(EventReaderCorruption, EveryFlippedBitNeverCrashes) {
  auto full = ReadFile(DataPath("rust_mysql_common/transaction_compression.000001"));
  for (size_t i = 4; i < full.size(); ++i) {
    for (int bit = 0; bit < 8; bit += 3) {
      auto data = full;
      data[i] ^= std::byte(uint8_t(1u << bit));
      EventReader r(Bytes(data.data(), data.size()), "f");
      ReadEvent ev;
      size_t guard = 0;
      while (r.Next(&ev).ok() && ++guard < 10000) {
      }
      EXPECT_LT(guard, 10000u);
    }
  }
}

TEST(EventReaderCorruption, BadEventLengths) {
  auto full = ReadFile(DataPath("gh-ost/mysql-bin.000066"));
  for (uint32_t len : {0u, 18u, 19u, 0x7fffffffu}) {
    auto data = full;
    // Second event starts after the FDE.
    uint32_t fde_len = uint32_t(LoadLE<4>(data.data() + 4 + 9));
    size_t at = 4 + fde_len + 9;
    std::memcpy(data.data() + at, &len, 4);
    EventReader r(Bytes(data.data(), data.size()), "len");
    ReadEvent ev;
    ASSERT_TRUE(r.Next(&ev).ok());
    Status s = r.Next(&ev);
    EXPECT_FALSE(s.ok()) << len;
  }
}

TEST(EventReaderCorruption, NotABinlog) {
  std::string text = "hello world, not a binlog";
  EventReader r(AsBytes(text), "text.txt");
  ReadEvent ev;
  Status s = r.Next(&ev);
  EXPECT_EQ(s.code(), StatusCode::kCorruption);
  EXPECT_NE(s.message().find("not a binlog"), std::string::npos);
}

TEST(Crc32, MatchesZlib) {
  std::vector<std::byte> buf(1000);
  for (size_t i = 0; i < buf.size(); ++i) buf[i] = std::byte(uint8_t(i * 7 + 3));
  for (size_t n : {0, 1, 7, 64, 200, 1000}) {
    uLong z = ::crc32(0, reinterpret_cast<const Bytef*>(buf.data()), uInt(n));
    EXPECT_EQ(Crc32(0, Bytes(buf.data(), n)), uint32_t(z)) << n;
  }
  uint32_t a = Crc32(0, Bytes(buf.data(), 300));
  EXPECT_EQ(Crc32(a, Bytes(buf.data() + 300, 700)), Crc32(0, Bytes(buf.data(), 1000)));
}

TEST(Compression, MariadbZlibRoundTripAndErrors) {
  std::string text = "INSERT INTO voms_x.t VALUES (1),(2),(3) /* padding padding padding */";
  uLongf clen = compressBound(uLong(text.size()));
  std::vector<std::byte> packed(2 + clen);
  packed[0] = std::byte{0x81};
  packed[1] = std::byte(uint8_t(text.size()));
  ASSERT_EQ(compress(reinterpret_cast<Bytef*>(packed.data() + 2), &clen, reinterpret_cast<const Bytef*>(text.data()),
                     uLong(text.size())),
            Z_OK);
  packed.resize(2 + clen);
  std::vector<std::byte> out;
  ASSERT_TRUE(UncompressMariadbPayload(Bytes(packed.data(), packed.size()), out).ok());
  EXPECT_EQ(AsStringView(Bytes(out.data(), out.size())), text);
  auto wrong = packed;
  wrong[1] = std::byte(uint8_t(text.size() + 1));
  EXPECT_EQ(UncompressMariadbPayload(Bytes(wrong.data(), wrong.size()), out).code(), StatusCode::kCorruption);
  auto bad_head = packed;
  bad_head[0] = std::byte{0x05};
  EXPECT_EQ(UncompressMariadbPayload(Bytes(bad_head.data(), bad_head.size()), out).code(), StatusCode::kCorruption);
  EXPECT_EQ(UncompressMariadbPayload(Bytes(packed.data(), packed.size()), out, 10).code(), StatusCode::kDataLoss);
  EXPECT_FALSE(UncompressZstdPayload(Bytes(packed.data(), packed.size()), 0, out).ok());
}

}  // namespace
}  // namespace vomsrepl::binlog
