/* xanim: a full-screen animation at a steady frame rate, for the load
 * tests and benchmarks.
 *
 *   xanim FPS SECONDS
 *
 * Every frame repaints the whole root window (a background whose colour
 * changes every frame and a band that moves), so every frame damages the
 * whole screen and differs from the one before. The rate is held with
 * absolute deadlines (a late frame does not make the next one early), so
 * the load a test puts on the machine does not depend on how fast the
 * machine is. Prints "frames=N seconds=S fps=F" at the end, also when
 * stopped early by SIGTERM or SIGINT.
 */
#include <X11/Xlib.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
    (void)sig;
    stop = 1;
}

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
    if (argc != 3 || atof(argv[1]) <= 0 || atof(argv[2]) <= 0) {
        fprintf(stderr, "usage: xanim FPS SECONDS\n");
        return 2;
    }
    double period = 1.0 / atof(argv[1]), seconds = atof(argv[2]);
    Display *d = XOpenDisplay(NULL);
    if (!d) {
        fprintf(stderr, "xanim: cannot open display\n");
        return 1;
    }
    struct sigaction sa = {.sa_handler = on_signal};
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGINT, &sa, NULL);
    Window root = DefaultRootWindow(d);
    XWindowAttributes a;
    XGetWindowAttributes(d, root, &a);
    GC gc = XCreateGC(d, root, 0, NULL);
    XSetSubwindowMode(d, gc, IncludeInferiors);

    struct timespec next;
    clock_gettime(CLOCK_MONOTONIC, &next);
    double start = now();
    long n = 0;
    while (!stop && now() - start < seconds) {
        unsigned long c = (unsigned long)n * 0x010307u;
        XSetForeground(d, gc, c & 0xffffff);
        XFillRectangle(d, root, gc, 0, 0, (unsigned)a.width, (unsigned)a.height);
        XSetForeground(d, gc, ~c & 0xffffff);
        int band = a.width / 8;
        XFillRectangle(d, root, gc, (int)(n * 8 % (a.width + band)) - band, 0, (unsigned)band,
                       (unsigned)a.height);
        XSync(d, False); /* the frame is on screen before the next one starts */
        n++;
        long ns = next.tv_nsec + (long)(period * 1e9);
        next.tv_sec += ns / 1000000000;
        next.tv_nsec = ns % 1000000000;
        clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &next, NULL);
    }
    double secs = now() - start;
    printf("frames=%ld seconds=%.2f fps=%.1f\n", n, secs, (double)n / secs);
    XCloseDisplay(d);
    return 0;
}
