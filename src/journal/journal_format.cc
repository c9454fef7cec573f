#include "journal/journal_format.h"

#include <cstring>

#include "binlog/byte_cursor.h"

namespace vomsrepl::journal {
namespace {

void PutLE(std::string* out, uint64_t v, int n) {
  for (int i = 0; i < n; ++i) out->push_back(char(uint8_t(v >> (8 * i))));
}

void PutBE(std::string* out, uint64_t v, int n) {
  for (int i = n - 1; i >= 0; --i) out->push_back(char(uint8_t(v >> (8 * i))));
}

uint64_t GetBE(const char* p, int n) {
  uint64_t v = 0;
  for (int i = 0; i < n; ++i) v = (v << 8) | uint8_t(p[i]);
  return v;
}

void PutString16(std::string* out, std::string_view s) {
  // Callers bound these (file names, GTIDs, state) well below 64 KiB.
  size_t n = s.size() > 0xffff ? 0xffff : s.size();
  PutLE(out, n, 2);
  out->append(s.data(), n);
}

binlog::ByteCursor Cursor(std::string_view v) {
  return binlog::ByteCursor(std::span<const std::byte>(reinterpret_cast<const std::byte*>(v.data()), v.size()));
}

void EncodeSourcePoint(const txn::SourcePoint& p, std::string* out) {
  PutString16(out, p.position.file);
  PutLE(out, p.position.offset, 8);
  PutString16(out, p.gtid);
  const auto& gtids = p.gtid_state.gtids();
  PutLE(out, gtids.size(), 2);
  for (const auto& g : gtids) {
    PutLE(out, g.domain_id, 4);
    PutLE(out, g.server_id, 4);
    PutLE(out, g.seq_no, 8);
  }
  PutLE(out, p.server_id, 4);
  PutLE(out, p.commit_time, 4);
}

void DecodeSourcePoint(binlog::ByteCursor& c, txn::SourcePoint* p) {
  p->position.file = std::string(c.ReadString(c.ReadU16()));
  p->position.offset = c.ReadU64();
  p->gtid = std::string(c.ReadString(c.ReadU16()));
  p->gtid_state = MariadbGtidList();
  uint16_t n = c.ReadU16();
  for (uint16_t i = 0; i < n && c.ok(); ++i) {
    MariadbGtid g;
    g.domain_id = c.ReadU32();
    g.server_id = c.ReadU32();
    g.seq_no = c.ReadU64();
    if (c.ok()) p->gtid_state.Update(g);
  }
  p->server_id = c.ReadU32();
  p->commit_time = c.ReadU32();
}

Status VersionError(const char* what, uint8_t version) {
  return Corruption(std::string(what) + " has format version " + std::to_string(version) + ", this vomsrepl reads " +
                    std::to_string(kRecordVersion) + " (written by another version, or damaged)");
}

}  // namespace

std::string TxnKey(uint64_t seq, uint32_t chunk) {
  std::string k;
  k.reserve(kTxnKeySize);
  k.push_back(kTxnPrefix);
  PutBE(&k, seq, 8);
  PutBE(&k, chunk, 4);
  return k;
}

bool ParseTxnKey(std::string_view key, uint64_t* seq, uint32_t* chunk) {
  if (key.size() != kTxnKeySize || key[0] != kTxnPrefix) return false;
  *seq = GetBE(key.data() + 1, 8);
  *chunk = uint32_t(GetBE(key.data() + 9, 4));
  return true;
}

void EncodeRecord(const txn::Transaction& t, uint64_t append_time_us, std::string* out) {
  EncodeRecordHeader(t, append_time_us, out);
  out->append(reinterpret_cast<const char*>(t.changes.data()), t.changes.size());
}

void EncodeRecordHeader(const txn::Transaction& t, uint64_t append_time_us, std::string* out) {
  out->clear();
  out->push_back(char(kRecordVersion));
  out->push_back(char((t.last_chunk ? 1 : 0) | (t.has_statement ? 2 : 0) | (t.mariadb_source ? 4 : 0)));
  PutLE(out, t.chunk, 4);
  PutLE(out, t.change_count, 4);
  PutLE(out, t.row_count, 8);
  PutLE(out, append_time_us, 8);
  EncodeSourcePoint(t.source, out);
  PutLE(out, t.changes.size(), 4);
}

namespace {

// Shared by DecodeRecord and DecodeRecordHeader: reads up to the changes.
Status ReadRecordHeader(binlog::ByteCursor& c, uint64_t seq, txn::Transaction* t, uint64_t* append_time_us,
                        uint32_t* changes_len) {
  uint8_t version = c.ReadU8();
  if (c.ok() && version != kRecordVersion)
    return VersionError(("journal record seq " + std::to_string(seq)).c_str(), version);
  uint8_t flags = c.ReadU8();
  t->last_chunk = (flags & 1) != 0;
  t->has_statement = (flags & 2) != 0;
  t->mariadb_source = (flags & 4) != 0;  // decode its changes with txn::ChangeFormat(mariadb_source)
  t->chunk = c.ReadU32();
  t->change_count = c.ReadU32();
  t->row_count = c.ReadU64();
  *append_time_us = c.ReadU64();
  DecodeSourcePoint(c, &t->source);
  *changes_len = c.ReadU32();
  if (!c.ok() || (flags & ~7u) != 0)
    return Corruption("journal record seq " + std::to_string(seq) + ": malformed header");
  return Status::OK();
}

}  // namespace

Status DecodeRecord(std::string_view value, uint64_t seq, uint32_t chunk, txn::Transaction* t,
                    uint64_t* append_time_us) {
  auto c = Cursor(value);
  uint32_t n = 0;
  VOMSREPL_RETURN_IF_ERROR(ReadRecordHeader(c, seq, t, append_time_us, &n));
  if (t->chunk != chunk)
    return Corruption("journal record seq " + std::to_string(seq) + ": key says chunk " + std::to_string(chunk) +
                      ", value says " + std::to_string(t->chunk));
  if (c.remaining() != n)
    return Corruption("journal record seq " + std::to_string(seq) + " chunk " + std::to_string(chunk) + ": " +
                      std::to_string(c.remaining()) + " bytes of changes, header says " + std::to_string(n));
  auto rest = c.ReadRest();
  t->seq = seq;
  t->changes.assign(rest.begin(), rest.end());
  return Status::OK();
}

Status DecodeRecordHeader(std::string_view value, uint64_t seq, bool* last_chunk, uint64_t* append_time_us,
                          uint32_t* commit_time) {
  auto c = Cursor(value);
  txn::Transaction t;
  uint32_t n = 0;
  VOMSREPL_RETURN_IF_ERROR(ReadRecordHeader(c, seq, &t, append_time_us, &n));
  if (c.remaining() != n)
    return Corruption("journal record seq " + std::to_string(seq) + ": changes length does not match the header");
  *last_chunk = t.last_chunk;
  *commit_time = t.source.commit_time;
  return Status::OK();
}

void EncodeCheckpoint(const SourceCheckpoint& cp, std::string* out) {
  out->clear();
  out->push_back(char(kRecordVersion));
  PutLE(out, cp.seq, 8);
  EncodeSourcePoint(cp.source, out);
}

Status DecodeCheckpoint(std::string_view value, SourceCheckpoint* cp) {
  auto c = Cursor(value);
  uint8_t version = c.ReadU8();
  if (c.ok() && version != kRecordVersion) return VersionError("journal checkpoint", version);
  cp->seq = c.ReadU64();
  DecodeSourcePoint(c, &cp->source);
  if (!c.ok() || !c.empty()) return Corruption("journal checkpoint: malformed value");
  return Status::OK();
}

void EncodeMirror(const ReplicaMirror& m, std::string* out) {
  out->clear();
  out->push_back(char(kRecordVersion));
  PutLE(out, m.seq, 8);
  PutLE(out, uint64_t(m.applied_time), 8);
  PutLE(out, m.commit_time, 4);
  PutString16(out, m.gtid);
  PutString16(out, m.position.file);
  PutLE(out, m.position.offset, 8);
  PutLE(out, m.state.size(), 4);
  out->append(m.state);
  if (m.retain_from != 0) PutLE(out, m.retain_from, 8);
}

Status DecodeMirror(std::string_view value, ReplicaMirror* m) {
  auto c = Cursor(value);
  uint8_t version = c.ReadU8();
  if (c.ok() && version != kRecordVersion) return VersionError("replica mirror", version);
  m->seq = c.ReadU64();
  m->applied_time = int64_t(c.ReadU64());
  m->commit_time = c.ReadU32();
  m->gtid = std::string(c.ReadString(c.ReadU16()));
  m->position.file = std::string(c.ReadString(c.ReadU16()));
  m->position.offset = c.ReadU64();
  m->state = std::string(c.ReadString(c.ReadU32()));
  m->retain_from = c.ok() && !c.empty() ? c.ReadU64() : 0;
  if (!c.ok() || !c.empty()) return Corruption("replica mirror: malformed value");
  return Status::OK();
}

std::string FormatMarker() {
  std::string v(kFormatMagic);
  PutLE(&v, kRecordVersion, 4);
  return v;
}

Status CheckFormatMarker(std::string_view value) {
  if (value.size() != kFormatMagic.size() + 4 || value.substr(0, kFormatMagic.size()) != kFormatMagic)
    return Corruption("not a vomsrepl journal (bad format marker)");
  auto c = Cursor(value.substr(kFormatMagic.size()));
  uint32_t version = c.ReadU32();
  if (version != kRecordVersion)
    return Corruption("journal format version " + std::to_string(version) + ", this vomsrepl reads " +
                      std::to_string(kRecordVersion));
  return Status::OK();
}

}  // namespace vomsrepl::journal
