#define _GNU_SOURCE
#include "CChatPanelSystem.h"
#include <errno.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

int cp_sd_notify(const char *socket_path, const char *state) {
    if (socket_path == NULL || state == NULL) return -EINVAL;
    size_t path_len = strlen(socket_path);
    struct sockaddr_un addr;
    memset(&addr, 0, sizeof(addr));
    addr.sun_family = AF_UNIX;
    if (path_len == 0 || path_len >= sizeof(addr.sun_path)) return -EINVAL;
    memcpy(addr.sun_path, socket_path, path_len);
    socklen_t addr_len = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + path_len);
    if (socket_path[0] == '@') {
        addr.sun_path[0] = '\0'; /* abstract namespace */
    } else {
        addr_len += 1; /* include the terminating NUL */
    }
    int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (fd < 0) return -errno;
    ssize_t sent = sendto(fd, state, strlen(state), MSG_NOSIGNAL, (struct sockaddr *)&addr, addr_len);
    int err = sent < 0 ? -errno : 0;
    close(fd);
    return err;
}

int cp_unix_socket_is_live(const char *path) {
    struct sockaddr_un addr;
    memset(&addr, 0, sizeof(addr));
    addr.sun_family = AF_UNIX;
    size_t path_len = strlen(path);
    if (path_len == 0 || path_len >= sizeof(addr.sun_path)) return -ENAMETOOLONG;
    memcpy(addr.sun_path, path, path_len);
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) return -errno;
    int rc = connect(fd, (struct sockaddr *)&addr, sizeof(addr));
    int err = errno;
    close(fd);
    if (rc == 0) return 1;
    if (err == ECONNREFUSED) return 0;
    return -err;
}
