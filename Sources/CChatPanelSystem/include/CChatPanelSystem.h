#ifndef CHATPANEL_SYSTEM_H
#define CHATPANEL_SYSTEM_H
#include <sys/types.h>
#include <stddef.h>

/// Sends `state` (like "READY=1") to the datagram socket at `socket_path` (systemd's NOTIFY_SOCKET;
/// a leading '@' names an abstract socket). Returns 0, or -errno.
int cp_sd_notify(const char *socket_path, const char *state);

/// Reads the peer credentials (SO_PEERCRED) of a connected Unix socket. Returns 0, or -errno.
int cp_peer_credentials(int fd, pid_t *pid, uid_t *uid, gid_t *gid);

#endif
