/*
 * The floor for ChatPanel's RPC benchmark: a plain C ping-pong over a Unix socket with the
 * same framing as ChatPanel (4-byte big-endian length, then the body).
 *
 *   pingpong server PATH
 *       Echoes every frame back on its connection; one thread per connection.
 *   pingpong client PATH BODY_BYTES CALLS CALLERS
 *       CALLERS threads, each with its own connection, each making CALLS sequential round
 *       trips of a BODY_BYTES frame. Prints one line:
 *       "calls=N seconds=S calls_per_s=R p50_us=A p99_us=B user_s=U system_s=K"
 *       where U and K are the CPU seconds the client process used, in user mode and in the kernel.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#define MAX_FRAME (1u << 20)

static int read_full(int fd, void *buf, size_t len) {
    uint8_t *p = buf;
    while (len > 0) {
        ssize_t n = read(fd, p, len);
        if (n == 0) return -1;
        if (n < 0) {
            if (errno == EINTR) continue;
            return -1;
        }
        p += n;
        len -= (size_t)n;
    }
    return 0;
}

static int write_full(int fd, const void *buf, size_t len) {
    const uint8_t *p = buf;
    while (len > 0) {
        ssize_t n = write(fd, p, len);
        if (n < 0) {
            if (errno == EINTR) continue;
            return -1;
        }
        p += n;
        len -= (size_t)n;
    }
    return 0;
}

static void *serve_connection(void *arg) {
    int fd = (int)(intptr_t)arg;
    uint8_t *buf = malloc(4 + MAX_FRAME);
    for (;;) {
        uint32_t be;
        if (read_full(fd, &be, 4) != 0) break;
        uint32_t len = ntohl(be);
        if (len > MAX_FRAME) break;
        memcpy(buf, &be, 4);
        if (read_full(fd, buf + 4, len) != 0) break;
        if (write_full(fd, buf, 4 + len) != 0) break;
    }
    free(buf);
    close(fd);
    return NULL;
}

static int make_address(const char *path, struct sockaddr_un *addr) {
    memset(addr, 0, sizeof(*addr));
    addr->sun_family = AF_UNIX;
    if (strlen(path) >= sizeof(addr->sun_path)) return -1;
    strcpy(addr->sun_path, path);
    return 0;
}

static int run_server(const char *path) {
    struct sockaddr_un addr;
    if (make_address(path, &addr) != 0) return 1;
    unlink(path);
    int fd = socket(AF_UNIX, SOCK_STREAM, 0);
    if (fd < 0 || bind(fd, (struct sockaddr *)&addr, sizeof(addr)) != 0 || listen(fd, 256) != 0) {
        perror("listen");
        return 1;
    }
    for (;;) {
        int client = accept(fd, NULL, NULL);
        if (client < 0) continue;
        pthread_t thread;
        pthread_create(&thread, NULL, serve_connection, (void *)(intptr_t)client);
        pthread_detach(thread);
    }
}

struct caller {
    const char *path;
    uint32_t body;
    long calls;
    double *latencies_us;
    int failed;
};

static double now_us(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e6 + (double)ts.tv_nsec / 1e3;
}

static void *run_caller(void *arg) {
    struct caller *c = arg;
    struct sockaddr_un addr;
    make_address(c->path, &addr);
    int fd = socket(AF_UNIX, SOCK_STREAM, 0);
    if (connect(fd, (struct sockaddr *)&addr, sizeof(addr)) != 0) {
        c->failed = 1;
        return NULL;
    }
    uint8_t *out = calloc(1, 4 + c->body);
    uint8_t *in = malloc(4 + c->body);
    uint32_t be = htonl(c->body);
    memcpy(out, &be, 4);
    for (long i = 0; i < c->calls; i++) {
        double start = now_us();
        if (write_full(fd, out, 4 + c->body) != 0 || read_full(fd, in, 4 + c->body) != 0) {
            c->failed = 1;
            break;
        }
        c->latencies_us[i] = now_us() - start;
    }
    free(out);
    free(in);
    close(fd);
    return NULL;
}

static int compare(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static int run_client(const char *path, uint32_t body, long calls, int callers) {
    struct caller *cs = calloc((size_t)callers, sizeof(*cs));
    pthread_t *threads = calloc((size_t)callers, sizeof(*threads));
    double *all = malloc(sizeof(double) * (size_t)calls * (size_t)callers);
    double start = now_us();
    for (int i = 0; i < callers; i++) {
        cs[i] = (struct caller){path, body, calls, all + (size_t)i * (size_t)calls, 0};
        pthread_create(&threads[i], NULL, run_caller, &cs[i]);
    }
    for (int i = 0; i < callers; i++) pthread_join(threads[i], NULL);
    double seconds = (now_us() - start) / 1e6;
    for (int i = 0; i < callers; i++) {
        if (cs[i].failed) {
            fprintf(stderr, "a caller failed\n");
            return 1;
        }
    }
    size_t n = (size_t)calls * (size_t)callers;
    qsort(all, n, sizeof(double), compare);
    struct rusage usage;
    getrusage(RUSAGE_SELF, &usage);
    printf("calls=%zu seconds=%.3f calls_per_s=%.0f p50_us=%.1f p99_us=%.1f user_s=%.6f system_s=%.6f\n", n, seconds,
           (double)n / seconds, all[n / 2], all[(size_t)((double)n * 0.99)],
           (double)usage.ru_utime.tv_sec + (double)usage.ru_utime.tv_usec / 1e6,
           (double)usage.ru_stime.tv_sec + (double)usage.ru_stime.tv_usec / 1e6);
    return 0;
}

int main(int argc, char **argv) {
    if (argc == 3 && strcmp(argv[1], "server") == 0) return run_server(argv[2]);
    if (argc == 6 && strcmp(argv[1], "client") == 0)
        return run_client(argv[2], (uint32_t)atoi(argv[3]), atol(argv[4]), atoi(argv[5]));
    fprintf(stderr, "usage: pingpong server PATH | pingpong client PATH BODY_BYTES CALLS CALLERS\n");
    return 2;
}
