/* The handle's one timer, a timerfd in the poll set, and the deadlines it
 * serves: a publish xenstore refused (retried), a skipped notification
 * (checked on), and the backend timeout.
 *
 * The timeout counts from the last step towards a backend (either end's
 * state changing), not from open, and it is judged only after the store
 * was read again: a process too busy to dispatch (an X server still
 * starting) finds the timer and the watch that would have answered it
 * ready at once, and the watch must win. Its line says what is true of
 * the backend it names. */
#include "private.h"

#include <errno.h>
#include <stdio.h>
#include <sys/timerfd.h>
#include <unistd.h>
#include <xen/io/xenbus.h>

uint64_t xfb_now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

/* Arm for the earliest deadline, or disarm. */
static void arm(struct xfb_front *f)
{
    if (f->timerfd < 0)
        return;
    uint64_t next = 0;
    for (int i = 0; i < XFB_DL_COUNT; i++)
        if (f->deadline[i] && (!next || f->deadline[i] < next))
            next = f->deadline[i];
    struct itimerspec its = {{0, 0}, {0, 0}};
    if (next) {
        its.it_value.tv_sec = (time_t)(next / 1000u);
        its.it_value.tv_nsec = (long)(next % 1000u) * 1000000L;
    }
    timerfd_settime(f->timerfd, next ? TFD_TIMER_ABSTIME : 0, &its, NULL);
}

void xfb_timer_set(struct xfb_front *f, enum xfb_deadline which, unsigned ms)
{
    f->deadline[which] = xfb_now_ms() + (ms ? ms : 1);
    arm(f);
}

void xfb_timer_clear(struct xfb_front *f, enum xfb_deadline which)
{
    if (!f->deadline[which])
        return;
    f->deadline[which] = 0;
    arm(f);
}

void xfb_timer_progress(struct xfb_front *f)
{
    f->progress_ms = xfb_now_ms();
    f->judged = false;
    if (f->connected || !f->attached)
        xfb_timer_clear(f, XFB_DL_TIMEOUT);
    else
        xfb_timer_set(f, XFB_DL_TIMEOUT, f->timeout_ms);
}

static void retry_publish(struct xfb_front *f)
{
    if (!f->publish_fails || f->state != XenbusStateInitialising)
        return;
    unsigned fails = f->publish_fails;
    xfb_xenbus_step(f);            /* publishes again, or re-arms the retry */
    if (f->publish_fails == fails) /* the backend left InitWait meanwhile */
        f->publish_fails = 0;
}

/* The line for a device that made no progress for timeout_ms. */
static void say_why(struct xfb_front *f)
{
    const char *be = f->be_path;
    unsigned ms = f->timeout_ms;
    int st = f->be_state;
    if (st == XenbusStateInitWait) {
        /* a backend is there: what stands between it and us? */
        if (f->kind == XFB_FRONT_VFB && !f->mem.fb)
            return; /* [XFB-003]: we have nothing to offer, and said so */
        if (f->warned_gref)
            xfb_log(f, XFB_LOG_ERROR,
                    "[XFB-014] %s %u: the backend (%s) waits in InitWait but offers no "
                    "feature-gref ([XFB-007]): not connected after %u ms; serve this guest with "
                    "xenfb-backend",
                    f->name, f->devid, be, ms);
        else if (f->warned_limits)
            xfb_log(f, XFB_LOG_ERROR,
                    "[XFB-014] %s %u: the backend (%s) waits in InitWait but the mode is beyond "
                    "its limits ([XFB-015]): not connected after %u ms",
                    f->name, f->devid, be, ms);
        else if (f->state == XenbusStateInitialised)
            xfb_log(f, XFB_LOG_ERROR,
                    "[XFB-014] %s %u: the backend (%s) is in InitWait and has not connected "
                    "%u ms after this frontend published %s: it may be stuck; its log says why",
                    f->name, f->devid, be, ms, f->fe_path);
        else
            xfb_log(f, XFB_LOG_ERROR,
                    "[XFB-014] %s %u: the backend (%s) waits in InitWait, but %s could not be "
                    "published in %u ms (xenstore refused it)",
                    f->name, f->devid, be, f->fe_path, ms);
        return;
    }
    if (st == XenbusStateConnected)
        xfb_log(f, XFB_LOG_ERROR,
                "[XFB-006] %s %u: no live backend after %u ms (%s says Connected, but its "
                "liveness byte is 0: a backend that exited): start xenfb-backend in domain %u",
                f->name, f->devid, ms, be, f->be_id);
    else if (st == XenbusStateClosing || st == XenbusStateClosed)
        xfb_log(f, XFB_LOG_ERROR,
                "[XFB-006] %s %u: the backend closed the device (%s, state %d) and has not come "
                "back after %u ms: its log says why; restart xenfb-backend in domain %u or "
                "attach the device again",
                f->name, f->devid, be, st, ms, f->be_id);
    else {
        char state[16] = "missing";
        if (st >= 0)
            snprintf(state, sizeof(state), "%d", st);
        xfb_log(f, XFB_LOG_ERROR,
                "[XFB-006] %s %u: no backend after %u ms (%s, state %s): start xenfb-backend in "
                "domain %u or check the device's configuration",
                f->name, f->devid, ms, be, state, f->be_id);
    }
}

static void timeout(struct xfb_front *f)
{
    if (!f->attached || f->connected || f->judged)
        return;
    /* The store first: what a pending watch would say may be the answer
     * (these steps record any progress they find). */
    xfb_device_check(f);
    xfb_xenbus_step(f);
    if (!f->attached || f->connected)
        return;
    uint64_t since = xfb_now_ms() - f->progress_ms;
    if (since < f->timeout_ms) {
        xfb_timer_set(f, XFB_DL_TIMEOUT, (unsigned)(f->timeout_ms - since));
        return;
    }
    if (f->state == XenbusStateClosing && f->regranting) {
        xfb_xenbus_regrant_timeout(f);
        return;
    }
    f->judged = true;
    say_why(f);
}

void xfb_timer_fired(struct xfb_front *f)
{
    uint64_t n;
    if (read(f->timerfd, &n, sizeof(n)) < 0 && errno != EAGAIN)
        return;
    uint64_t now = xfb_now_ms();
    bool due[XFB_DL_COUNT];
    for (int i = 0; i < XFB_DL_COUNT; i++) {
        due[i] = f->deadline[i] && f->deadline[i] <= now;
        if (due[i])
            f->deadline[i] = 0;
    }
    if (due[XFB_DL_RETRY])
        retry_publish(f);
    if (due[XFB_DL_LAZY] && f->kind == XFB_FRONT_VFB)
        xfb_fbring_lazy_check(f);
    if (due[XFB_DL_TIMEOUT])
        timeout(f);
    arm(f);
}
