/*
 * CSQLite: SQLite 3 for Swift. SQLITE_TRANSIENT is a macro casting -1 to a destructor function
 * pointer, which Swift cannot import; it tells SQLite to copy bound text and blobs before the
 * bind call returns, which is what Swift needs (its buffers live only for the call). The bind
 * functions that use it are wrapped here. Every shim symbol starts with csqlite_.
 */
#ifndef CSQLITE_SHIM_H
#define CSQLITE_SHIM_H

#include <sqlite3.h>

/* Binds UTF-8 text of `bytes` bytes (negative: up to the first NUL); SQLite copies it. */
static inline int csqlite_bind_text_transient(sqlite3_stmt *stmt, int index, const char *text, int bytes) {
    return sqlite3_bind_text(stmt, index, text, bytes, SQLITE_TRANSIENT);
}

/* Binds a blob of `bytes` bytes; SQLite copies it. */
static inline int csqlite_bind_blob_transient(sqlite3_stmt *stmt, int index, const void *blob, int bytes) {
    return sqlite3_bind_blob(stmt, index, blob, bytes, SQLITE_TRANSIENT);
}

#endif
