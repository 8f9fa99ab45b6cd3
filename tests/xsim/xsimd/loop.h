/* xsimd's event loop: one epoll set, callbacks per fd, one-shot timers.
 * Single-threaded: every callback runs on the loop's thread, so module state
 * needs no locking. */
#ifndef XSIMD_LOOP_H
#define XSIMD_LOOP_H

#include <stdint.h>

typedef void (*loop_io_fn)(int fd, uint32_t events, void *data);
typedef void (*loop_timer_fn)(void *data);

/* Watch fd for EPOLLIN/EPOLLOUT/... ; 0, or -1 + errno. */
int loop_add(int fd, uint32_t events, loop_io_fn fn, void *data);
/* Change the event mask of a watched fd. */
int loop_mod(int fd, uint32_t events);
/* Stop watching fd (does not close it). Safe to call from a callback,
 * including for the fd whose callback is running. */
void loop_del(int fd);

/* Listen on the Unix socket PATH (replacing a stale one) of the given
 * type (SOCK_STREAM or SOCK_SEQPACKET) and watch it: fn runs when a peer
 * connects. The listening fd, or -1 + errno (ENAMETOOLONG for a path that
 * does not fit a socket address). */
int loop_listen(const char *path, int type, loop_io_fn fn, void *data);

/* Call fn(data) once, ms milliseconds from now. Returns a timer id > 0. */
uint64_t loop_timer_add(uint64_t ms, loop_timer_fn fn, void *data);
void loop_timer_cancel(uint64_t id);

/* Run until loop_quit(); 0, or -1 + errno on an epoll failure. */
int loop_run(void);
void loop_quit(void);

#endif
