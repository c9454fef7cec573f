// ChangeFormat: the FormatDescription to decode the TABLE_MAP and rows
// bodies of a Transaction's changes with (transaction.h): binlog v4
// post-header lengths (6-byte table ids) and the source's server flavour.
#pragma once

#include "binlog/format_description.h"

namespace vomsrepl::txn {

inline binlog::FormatDescription ChangeFormat(bool mariadb_source) {
  binlog::FormatDescription f = binlog::FormatDescription::DefaultV4();
  f.flavor = mariadb_source ? binlog::ServerFlavor::kMariaDB : binlog::ServerFlavor::kMySQL;
  return f;
}

}  // namespace vomsrepl::txn
