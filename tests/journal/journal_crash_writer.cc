// journal_crash_writer STATE_DIR [every_commit|periodic|none]: appends the
// synthetic transactions of synthetic_transaction.h after the journal's
// checkpoint, forever, and prints each seq on stdout (flushed) once Append of
// its last chunk returned. With every_commit a printed seq is durable.
// journal_crash_test kills it with SIGKILL at random moments.
#include <unistd.h>

#include <cstdio>
#include <string>

#include "journal/journal.h"
#include "synthetic_transaction.h"

using namespace vomsrepl;

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: journal_crash_writer STATE_DIR [every_commit|periodic|none]\n");
    return 2;
  }
  journal::JournalOptions o;
  o.directory = argv[1];
  if (argc > 2) {
    auto p = journal::ParseSyncPolicy(argv[2]);
    if (!p.ok()) {
      std::fprintf(stderr, "%s\n", p.status().ToString().c_str());
      return 2;
    }
    o.sync = *p;
  }
  auto j = journal::Journal::Open(o);
  if (!j.ok()) {
    std::fprintf(stderr, "journal_crash_writer: %s\n", j.status().ToString().c_str());
    return 1;
  }
  std::printf("open %llu\n", static_cast<unsigned long long>((*j)->last_seq()));
  std::fflush(stdout);
  txn::Transaction t;
  for (uint64_t seq = (*j)->last_seq() + 1;; ++seq) {
    for (uint32_t c = 0; c < journal::testing::ChunksOf(seq); ++c) {
      journal::testing::FillChunk(seq, c, &t);
      Status s = (*j)->Append(t);
      if (!s.ok() || t.seq != seq) {
        std::fprintf(stderr, "journal_crash_writer: seq %llu: %s\n", static_cast<unsigned long long>(seq),
                     s.ToString().c_str());
        return 1;
      }
      // A pause between chunks makes a kill inside a transaction likely.
      if (!t.last_chunk) ::usleep(1000);
    }
    std::printf("%llu\n", static_cast<unsigned long long>(seq));
    std::fflush(stdout);
  }
}
