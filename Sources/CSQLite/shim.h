// The session extension (sqlite.org/sessionintro.html): Debian's libsqlite3 is built with it and the
// pre-update hook it needs, but sqlite3.h declares its API only when these are defined.
#define SQLITE_ENABLE_SESSION 1
#define SQLITE_ENABLE_PREUPDATE_HOOK 1
#include <sqlite3.h>

// sqlite3_db_config is variadic, which Swift cannot call; these wrappers fix the argument list.
static inline int csqlite_db_config_int(sqlite3 *db, int op, int value, int *out) {
    return sqlite3_db_config(db, op, value, out);
}

// sqlite3_config is variadic too. Memory statistics take a global mutex on every SQLite allocation;
// CampusDesk never reads them. Only effective before the library initialises (else SQLITE_MISUSE).
static inline int csqlite_disable_memstatus(void) {
    return sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
}

