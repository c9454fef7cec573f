// `vomsrepl stats FILE...`: what a binlog holds, per database and table
// (events, rows inserted/updated/deleted, bytes), per event type,
// transaction sizes, time range and decode rates. Rows are counted, not
// decoded into values, so this is the fast path of the decoder.
#pragma once

#include <cstdio>

#include <vomsrepl/status.h>

#include "app/binlog_walk.h"
#include "app/dump_command.h"

namespace vomsrepl::app {

struct StatsOptions {
  WalkInput input;  // files, or a live master
  WalkFilters filters;
  OutputFormat format = OutputFormat::kText;
};

Status RunStats(const StatsOptions& options, std::FILE* out);

}  // namespace vomsrepl::app
