#ifndef REGIE_CSQLITE_SHIM_H
#define REGIE_CSQLITE_SHIM_H
#include <sqlite3.h>

/// SQLITE_TRANSIENT is a macro of a function-pointer cast that Swift cannot import.
static inline sqlite3_destructor_type regie_sqlite_transient(void) { return SQLITE_TRANSIENT; }

/// sqlite3_db_config is variadic; Swift cannot call it directly.
static inline int regie_sqlite_enable_defensive(sqlite3 *db) {
    return sqlite3_db_config(db, SQLITE_DBCONFIG_DEFENSIVE, 1, (int *)0);
}
/// sqlite3_config is variadic too. Turns off SQLite's memory statistics, which take a process-wide mutex on every
/// allocation: with a writer and readers on their own threads, that one mutex is where they would meet. Must run
/// before SQLite is initialised (the first open); returns SQLITE_MISUSE afterwards, which is harmless.
static inline int regie_sqlite_configure(void) {
    return sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
}
#endif
