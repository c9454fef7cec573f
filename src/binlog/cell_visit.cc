#include "binlog/cell_visit.h"

#include <string>

namespace vomsrepl::binlog {

Status CellError(const Cell& cell, StatusCode code, std::string_view message) {
  std::string m = "column ";
  if (cell.column != nullptr && !cell.column->name.empty()) {
    m += '`';
    m += cell.column->name;
    m += "` (#";
  } else {
    m += "(#";
  }
  m += std::to_string(cell.index);
  if (cell.column != nullptr) {
    m += ", ";
    m += ColumnTypeName(cell.column->type);
  }
  m += "): ";
  m += message;
  return Status(code, std::move(m));
}

Status CellError(const Cell& cell, const Status& status) { return CellError(cell, status.code(), status.message()); }

namespace cell_internal {

Status BadSize(size_t have, size_t want) {
  return Corruption("value has " + std::to_string(have) + " bytes, expected " + std::to_string(want));
}

Status BadPrefix(unsigned prefix_bytes, size_t have, uint64_t said) {
  if (prefix_bytes < 1 || prefix_bytes > 4)
    return Corruption("length-prefix size " + std::to_string(prefix_bytes) + " is not 1..4");
  if (have < prefix_bytes || said == UINT64_MAX) return Corruption("value shorter than its length prefix");
  return Corruption("length prefix says " + std::to_string(said) + " bytes, the value has " +
                    std::to_string(have - prefix_bytes));
}

Status BadBitMeta(unsigned nbits) { return Corruption("BIT metadata gives " + std::to_string(nbits) + " bits"); }

Status NoDecoder(ColumnType type) {
  return NotSupported("column type " + std::string(ColumnTypeName(type)) + " (" + std::to_string(unsigned(type)) +
                      ") has no value decoder");
}

}  // namespace cell_internal
}  // namespace vomsrepl::binlog
