#include "binlog/column_type.h"

namespace vomsrepl::binlog {

std::string_view ColumnTypeName(ColumnType type) {
  switch (type) {
    case ColumnType::kDecimal: return "DECIMAL";
    case ColumnType::kTiny: return "TINYINT";
    case ColumnType::kShort: return "SMALLINT";
    case ColumnType::kLong: return "INT";
    case ColumnType::kFloat: return "FLOAT";
    case ColumnType::kDouble: return "DOUBLE";
    case ColumnType::kNull: return "NULL";
    case ColumnType::kTimestamp: return "TIMESTAMP";
    case ColumnType::kLongLong: return "BIGINT";
    case ColumnType::kInt24: return "MEDIUMINT";
    case ColumnType::kDate: return "DATE";
    case ColumnType::kTime: return "TIME";
    case ColumnType::kDateTime: return "DATETIME";
    case ColumnType::kYear: return "YEAR";
    case ColumnType::kNewDate: return "NEWDATE";
    case ColumnType::kVarchar: return "VARCHAR";
    case ColumnType::kBit: return "BIT";
    case ColumnType::kTimestamp2: return "TIMESTAMP2";
    case ColumnType::kDateTime2: return "DATETIME2";
    case ColumnType::kTime2: return "TIME2";
    case ColumnType::kTypedArray: return "TYPED_ARRAY";
    case ColumnType::kVector: return "VECTOR";
    case ColumnType::kInvalid: return "INVALID";
    case ColumnType::kBool: return "BOOL";
    case ColumnType::kJson: return "JSON";
    case ColumnType::kNewDecimal: return "DECIMAL";
    case ColumnType::kEnum: return "ENUM";
    case ColumnType::kSet: return "SET";
    case ColumnType::kTinyBlob: return "TINYBLOB";
    case ColumnType::kMediumBlob: return "MEDIUMBLOB";
    case ColumnType::kLongBlob: return "LONGBLOB";
    case ColumnType::kBlob: return "BLOB";
    case ColumnType::kVarString: return "VARSTRING";
    case ColumnType::kString: return "STRING";
    case ColumnType::kGeometry: return "GEOMETRY";
  }
  return "UNKNOWN";
}

bool ColumnDesc::IsNumeric() const {
  switch (type) {
    case ColumnType::kTiny: case ColumnType::kShort: case ColumnType::kInt24:
    case ColumnType::kLong: case ColumnType::kLongLong: case ColumnType::kFloat:
    case ColumnType::kDouble: case ColumnType::kNewDecimal: case ColumnType::kDecimal:
    case ColumnType::kYear:
      return true;
    default:
      return false;
  }
}

bool ColumnDesc::IsString() const {
  switch (type) {
    case ColumnType::kVarchar: case ColumnType::kVarString: case ColumnType::kString:
    case ColumnType::kTinyBlob: case ColumnType::kMediumBlob: case ColumnType::kLongBlob:
    case ColumnType::kBlob: case ColumnType::kEnum: case ColumnType::kSet:
      return true;
    default:
      return false;
  }
}

}  // namespace vomsrepl::binlog
