#ifndef CHATPANEL_SQLITE_H
#define CHATPANEL_SQLITE_H

/// Turns off SQLite's memory statistics (SQLITE_CONFIG_MEMSTATUS) for the process: every
/// sqlite3_malloc and sqlite3_free then stops taking the global memory mutex to count bytes.
/// Only sqlite3_memory_used(), sqlite3_memory_highwater() and the soft heap limit depend on them,
/// and nothing here reads them. sqlite3_config() is variadic, which Swift cannot call.
///
/// Must run before SQLite initializes (before the process opens its first connection); returns
/// SQLITE_OK, or SQLITE_MISUSE when SQLite is already initialized (the statistics stay on).
int cp_sqlite_disable_memory_statistics(void);

#endif
