/* The web viewer: Debian's noVNC page, bridged to each guest's VNC
 * listener by one websockify child process. websockify serves the page
 * (--web) and looks each WebSocket's token up in a directory holding one
 * file per guest ("domN: HOST:PORT"), which this viewer writes when a
 * guest appears and removes when it goes. The page for domain N:
 *   http://ADDR:PORT/vnc.html?autoconnect=1&path=websockify%3Ftoken%3DdomN
 *
 * noVNC cannot speak VeNCrypt X509Plain, the only authentication the VNC
 * listener offers, and websockify's own HTTP authentication takes the
 * password on its command line (visible to every local user): so the web
 * viewer listens on loopback only, unless --insecure-no-auth.
 */
#include "config.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <aml.h>

#include "privdrop.h"
#include "serve.h"

static struct {
    char addr[64];
    int port;
    char dir[256]; /* the token files */
    bool own_dir;  /* created by us: removed at exit */
    pid_t pid;
} w;

struct web_view {
    struct view_guest *vg;
    char token_file[300];
};

static int parse_web(const char *spec)
{
    const char *colon = strrchr(spec, ':');
    const char *port = colon ? colon + 1 : spec;
    size_t alen = colon ? (size_t)(colon - spec) : 0;
    if (alen >= sizeof(w.addr))
        return -1;
    if (colon) {
        memcpy(w.addr, spec, alen);
        w.addr[alen] = '\0';
    } else {
        strcpy(w.addr, "127.0.0.1");
    }
    char *end;
    long p = strtol(port, &end, 10);
    if (!*port || *end || p < 1 || p > 65535)
        return -1;
    w.port = (int)p;
    return 0;
}

static int make_dir(const struct serve_opts *o)
{
    if (o->state_dir) {
        snprintf(w.dir, sizeof(w.dir), "%s/web-tokens", o->state_dir);
        if (mkdir(w.dir, 0700) < 0 && errno != EEXIST)
            return -1;
    } else {
        const char *run = getenv("XDG_RUNTIME_DIR");
        snprintf(w.dir, sizeof(w.dir), "%s/xenfb-web.XXXXXX", run && *run ? run : "/tmp");
        if (!mkdtemp(w.dir))
            return -1;
        w.own_dir = true;
    }
    /* --user: the daemon writes the tokens after it became the user */
    if (o->user && chown(w.dir, o->uid, o->gid) < 0)
        return -1;
    return 0;
}

static void spawn(const struct serve_opts *o)
{
    char listen[96], web[300], source[300];
    snprintf(listen, sizeof(listen), "%s:%d", w.addr, w.port);
    snprintf(web, sizeof(web), "--web=%s", o->novnc_dir ? o->novnc_dir : "/usr/share/novnc");
    snprintf(source, sizeof(source), "--token-source=%s", w.dir);
    const char *prog = o->websockify ? o->websockify : "websockify";
    pid_t pid = fork();
    if (pid < 0)
        return;
    if (pid == 0) {
        /* its own process group, so that stopping it stops the workers
         * it forks; and it dies with us */
        setpgid(0, 0);
        prctl(PR_SET_PDEATHSIG, SIGTERM);
        sigset_t none;
        sigemptyset(&none);
        sigprocmask(SIG_SETMASK, &none, NULL);
        if (o->user && getuid() == 0 && privdrop_to(o->uid, o->gid) < 0) {
            fprintf(stderr, "xenfb-backend: websockify: cannot become user %s: %s\n", o->user,
                    strerror(errno));
            _exit(127);
        }
        execlp(prog, prog, web, "--token-plugin=TokenFile", source, listen, (char *)NULL);
        fprintf(stderr, "xenfb-backend: cannot run %s: %s\n", prog, strerror(errno));
        _exit(127);
    }
    setpgid(pid, pid);
    w.pid = pid;
}

static void on_child(void *obj)
{
    (void)obj;
    int st;
    pid_t pid;
    while ((pid = waitpid(-1, &st, WNOHANG)) > 0)
        if (pid == w.pid) {
            w.pid = 0;
            view_log(NULL, XFB_LOG_ERROR, "websockify exited (status %d): no web viewer",
                     WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st));
        }
}

static int web_init(struct xfb_serve *s)
{
    const struct serve_opts *o = serve_opts(s);
    if (parse_web(o->web) < 0) {
        view_log(NULL, XFB_LOG_ERROR, "bad --web '%s': want PORT or ADDR:PORT", o->web);
        return -1;
    }
    if (!serve_addr_is_loopback(w.addr) && !o->insecure_no_auth) {
        view_log(NULL, XFB_LOG_ERROR,
                 "refusing the web viewer on %s: noVNC cannot authenticate to this VNC "
                 "server; it listens on loopback only, unless --insecure-no-auth",
                 w.addr);
        return -1;
    }
    if (o->password_file) {
        view_log(NULL, XFB_LOG_ERROR,
                 "--web cannot be used with --password-file: noVNC cannot do VeNCrypt "
                 "X509Plain");
        return -1;
    }
    if (make_dir(o) < 0) {
        view_log(NULL, XFB_LOG_ERROR, "cannot create the web token directory %s: %s", w.dir,
                 strerror(errno));
        return -1;
    }
    struct aml_signal *sig = aml_signal_new(SIGCHLD, on_child, NULL, NULL);
    if (!sig || aml_start(aml_get_default(), sig) < 0) {
        view_log(NULL, XFB_LOG_ERROR, "cannot watch child processes");
        return -1;
    }
    aml_unref(sig);
    spawn(o);
    if (!w.pid) {
        view_log(NULL, XFB_LOG_ERROR, "cannot start websockify: %s", strerror(errno));
        return -1;
    }
    view_log(NULL, XFB_LOG_INFO, "web viewer on http://%s:%d/ (websockify pid %d)", w.addr, w.port,
             (int)w.pid);
    return 0;
}

static void web_fini(struct xfb_serve *s)
{
    (void)s;
    if (w.pid > 0) {
        kill(-w.pid, SIGTERM);
        waitpid(w.pid, NULL, 0);
        w.pid = 0;
    }
    if (w.own_dir)
        rmdir(w.dir);
}

static void *web_attach(struct view_guest *vg)
{
    if (!vg->vnc_port && !vg->vnc_path[0]) {
        errno = ENOTCONN; /* no VNC listener to bridge to */
        return NULL;
    }
    struct web_view *v = calloc(1, sizeof(*v));
    if (!v)
        return NULL;
    v->vg = vg;
    snprintf(v->token_file, sizeof(v->token_file), "%s/dom%d", w.dir, vg->domid);
    FILE *f = fopen(v->token_file, "w");
    if (!f) {
        int e = errno;
        free(v);
        errno = e;
        return NULL;
    }
    if (vg->vnc_path[0])
        fprintf(f, "dom%d: unix_socket:%s\n", vg->domid, vg->vnc_path);
    else
        fprintf(f, "dom%d: %s:%d\n", vg->domid, vg->vnc_host, vg->vnc_port);
    fclose(f);
    view_log(vg, XFB_LOG_INFO,
             "web viewer: http://%s:%d/vnc.html?autoconnect=1&path=websockify%%3Ftoken%%3Ddom%d",
             w.addr, w.port, vg->domid);
    return v;
}

static void web_surface(void *view, const struct xfb_back_surface *s)
{
    (void)view;
    (void)s;
}

static void web_damage(void *view, int x, int y, int w_, int h)
{
    (void)view;
    (void)x;
    (void)y;
    (void)w_;
    (void)h;
}

static void web_gone(void *view)
{
    struct web_view *v = view;
    unlink(v->token_file);
}

static void web_destroy(void *view)
{
    struct web_view *v = view;
    unlink(v->token_file);
    free(v);
}

const struct view_ops view_web_ops = {
    .name = "web",
    .init = web_init,
    .fini = web_fini,
    .attach = web_attach,
    .surface = web_surface,
    .damage = web_damage,
    .gone = web_gone,
    .destroy = web_destroy,
};
