#ifndef CHATPANEL_SYSTEM_H
#define CHATPANEL_SYSTEM_H
#include <sys/types.h>
#include <stddef.h>

/// Sends `state` (like "READY=1") to the datagram socket at `socket_path` (systemd's NOTIFY_SOCKET;
/// a leading '@' names an abstract socket). Returns 0, or -errno.
int cp_sd_notify(const char *socket_path, const char *state);

/// Whether a server listens on the Unix socket at `path`: 1 when a connect succeeds, 0 when the
/// file is a socket nobody listens on (a stale file left by a crash), or -errno.
int cp_unix_socket_is_live(const char *path);

#endif
