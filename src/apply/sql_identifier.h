// SQL identifiers: how the applier names databases, tables and columns.
//
// Values never go into SQL text (they are bound as prepared-statement
// parameters); identifiers cannot be bound, so they are backquoted with every
// embedded backquote doubled, after validation.
#pragma once

#include <string>
#include <string_view>

#include <vomsrepl/status.h>

namespace vomsrepl::apply {

// Checks what MariaDB accepts for a database/table/column name: 1..64
// characters (UTF-8 code points), no NUL, no trailing space, valid UTF-8.
Status ValidateIdentifier(std::string_view name);

// Appends `name` backquoted, embedded backquotes doubled: a`b -> `a``b`.
void AppendQuotedIdentifier(std::string& out, std::string_view name);
std::string QuoteIdentifier(std::string_view name);
// `db`.`table`, each part quoted as above.
std::string QualifiedName(std::string_view db, std::string_view table);

}  // namespace vomsrepl::apply
