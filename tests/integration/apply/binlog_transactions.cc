#include "binlog_transactions.h"

#include <limits>

#include "source/file_stream.h"
#include "txn/filter_rules.h"
#include "txn/transaction_assembler.h"

namespace vomsrepl::apply::testing {
namespace {

// Numbers the delivered transactions in order, as the journal does; skipped
// (filtered) transactions take no number.
class NumberingSink final : public txn::TransactionSink {
 public:
  NumberingSink(uint64_t first_seq, std::vector<txn::Transaction>& out) : next_seq_(first_seq), out_(out) {}

  Status OnTransaction(txn::Transaction&& t) override {
    if (!t.last_chunk) return Internal("the assembler chunked a transaction despite an unlimited chunk size");
    t.seq = next_seq_++;
    out_.push_back(std::move(t));
    return Status::OK();
  }
  Status OnPositionAdvanced(const txn::SourcePoint&) override { return Status::OK(); }
  Status OnAbandon(uint32_t) override { return Internal("nothing abandons a transaction of a file stream"); }

 private:
  uint64_t next_seq_;
  std::vector<txn::Transaction>& out_;
};

}  // namespace

Result<std::vector<txn::Transaction>> TransactionsFromBinlog(const std::vector<std::string>& files,
                                                             uint64_t start_offset, uint64_t first_seq) {
  source::FileStreamOptions options;
  options.files = files;
  options.start_position = start_offset;
  source::FileStream stream(options);
  VOMSREPL_RETURN_IF_ERROR(stream.Validate());

  std::vector<txn::Transaction> out;
  NumberingSink sink(first_seq, out);
  const txn::FilterRules rules;
  txn::AssemblerOptions assembler_options;
  assembler_options.max_transaction_bytes = std::numeric_limits<size_t>::max();
  txn::TransactionAssembler assembler(rules, sink, assembler_options);
  assembler.Reset(MariadbGtidList());

  source::FileEvent ev;
  while (true) {
    Status st = stream.Next(&ev);
    if (st.code() == StatusCode::kOutOfRange) break;
    VOMSREPL_RETURN_IF_ERROR(st);
    VOMSREPL_RETURN_IF_ERROR(assembler.Feed(ev.event, *ev.file, *ev.format));
  }
  if (assembler.in_transaction()) return DataLoss("the binlog ends inside a transaction");
  return out;
}

}  // namespace vomsrepl::apply::testing
