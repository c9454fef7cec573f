// `vomsrepl stats FILE...`: what a binlog holds, per database and table
// (events, rows inserted/updated/deleted, bytes), per event type,
// transaction sizes, time range and decode rates. Rows are counted, not
// decoded into values, so this is the fast path of the decoder. With
// --master --follow it also prints the traffic per interval as it comes
// (stats_follow.h) and the totals when stopped (SIGINT/SIGTERM).
#pragma once

#include <chrono>
#include <cstdio>

#include <vomsrepl/status.h>

#include "app/binlog_walk.h"
#include "app/dump_command.h"

namespace vomsrepl::app {

struct StatsOptions {
  WalkInput input;  // files, or a live master
  WalkFilters filters;
  OutputFormat format = OutputFormat::kText;
  // --follow: a line (or a redrawn screen, or a JSON line) per interval of
  // what came in (stats_follow.h), the totals at the end; 0: totals only.
  std::chrono::milliseconds interval{0};
};

Status RunStats(const StatsOptions& options, std::FILE* out);

}  // namespace vomsrepl::app
