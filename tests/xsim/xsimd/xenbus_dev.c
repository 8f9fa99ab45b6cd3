/* Each guest kernel's xenbus frontend bus, as Linux's xenbus_probe.c and
 * xenbus_probe_frontend.c show it in sysfs:
 *
 *   bus/xen/drivers/                      always, drivers or not
 *   bus/xen/devices/TYPE-ID -> ../../../devices/TYPE-ID
 *   devices/TYPE-ID/{nodename,devtype,modalias}, subsystem -> ../../bus/xen
 *
 * A device appears when the kernel's watch on device/ finds
 * device/TYPE/ID with its state at Initialising (xenbus_probe_node), and
 * goes when device/TYPE/ID goes. No driver comes with it: a kernel
 * frontend is a stand-in bound by `kernel-bind DOMID TYPE ID DRIVER`,
 * which adds bus/xen/drivers/DRIVER/TYPE-ID -> ../../../../devices/TYPE-ID
 * and devices/TYPE-ID/driver -> ../../bus/xen/drivers/DRIVER. Device types
 * are whatever the store holds: xsim knows none. */
#define _GNU_SOURCE 1
#include "xenbus_dev.h"

#include "ctl.h"
#include "domain.h"
#include "store.h"
#include "sysfs.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define NAME_MAX_LEN 64

struct xb_dev {
    unsigned domid;
    char type[NAME_MAX_LEN], id[NAME_MAX_LEN];
    char driver[NAME_MAX_LEN]; /* "" while no driver is bound */
    struct xb_dev *next;
};

static struct store *xb_store;
static struct xb_dev *devs;
static bool booted[XSIM_MAX_DOMID + 1];

static struct xb_dev *dev_find(unsigned domid, const char *type, const char *id)
{
    for (struct xb_dev *d = devs; d; d = d->next)
        if (d->domid == domid && !strcmp(d->type, type) && !strcmp(d->id, id))
            return d;
    return NULL;
}

#define DEV_NAME_LEN (2 * NAME_MAX_LEN + 2)

/* "TYPE-ID", the device's name in sysfs (frontend_bus_id). */
static void dev_name(const struct xb_dev *d, char *buf)
{
    snprintf(buf, DEV_NAME_LEN, "%s-%s", d->type, d->id);
}

/* A file of devices/TYPE-ID holding text and a newline. */
static int dev_attr(const struct xb_dev *d, const char *name, const char *attr, const char *text)
{
    char rel[256], val[300];
    snprintf(rel, sizeof(rel), "devices/%s/%s", name, attr);
    snprintf(val, sizeof(val), "%s\n", text);
    return sysfs_file(d->domid, rel, val, 0444);
}

static int dev_show(const struct xb_dev *d)
{
    char name[DEV_NAME_LEN], rel[256], val[256];
    dev_name(d, name);
    snprintf(rel, sizeof(rel), "devices/%s", name);
    if (sysfs_mkdir(d->domid, rel) < 0)
        return -1;
    snprintf(val, sizeof(val), "device/%s/%s", d->type, d->id);
    if (dev_attr(d, name, "nodename", val) < 0 || dev_attr(d, name, "devtype", d->type) < 0)
        return -1;
    snprintf(val, sizeof(val), "xen:%s", d->type);
    if (dev_attr(d, name, "modalias", val) < 0)
        return -1;
    snprintf(rel, sizeof(rel), "devices/%s/subsystem", name);
    if (sysfs_link(d->domid, rel, "../../bus/xen") < 0)
        return -1;
    snprintf(rel, sizeof(rel), "bus/xen/devices/%s", name);
    snprintf(val, sizeof(val), "../../../devices/%s", name);
    return sysfs_link(d->domid, rel, val);
}

static int dev_bind(struct xb_dev *d, const char *driver)
{
    char name[DEV_NAME_LEN], rel[256], target[256];
    dev_name(d, name);
    snprintf(rel, sizeof(rel), "bus/xen/drivers/%s", driver);
    if (sysfs_mkdir(d->domid, rel) < 0)
        return -1;
    snprintf(rel, sizeof(rel), "bus/xen/drivers/%s/%s", driver, name);
    snprintf(target, sizeof(target), "../../../../devices/%s", name);
    if (sysfs_link(d->domid, rel, target) < 0)
        return -1;
    snprintf(rel, sizeof(rel), "devices/%s/driver", name);
    snprintf(target, sizeof(target), "../../bus/xen/drivers/%s", driver);
    if (sysfs_link(d->domid, rel, target) < 0)
        return -1;
    snprintf(d->driver, sizeof(d->driver), "%s", driver);
    return 0;
}

/* The driver's directory stays: its module is still loaded. */
static void dev_unbind(struct xb_dev *d)
{
    char name[DEV_NAME_LEN], rel[256];
    if (!d->driver[0])
        return;
    dev_name(d, name);
    snprintf(rel, sizeof(rel), "bus/xen/drivers/%s/%s", d->driver, name);
    sysfs_remove(d->domid, rel);
    snprintf(rel, sizeof(rel), "devices/%s/driver", name);
    sysfs_remove(d->domid, rel);
    d->driver[0] = '\0';
}

static void dev_remove(struct xb_dev **pp)
{
    struct xb_dev *d = *pp;
    char name[DEV_NAME_LEN], rel[256];
    dev_unbind(d);
    dev_name(d, name);
    snprintf(rel, sizeof(rel), "bus/xen/devices/%s", name);
    sysfs_remove(d->domid, rel);
    snprintf(rel, sizeof(rel), "devices/%s", name);
    sysfs_remove(d->domid, rel);
    *pp = d->next;
    free(d);
}

/* The names listed at path (dom0's view), NUL-separated; NULL if none. */
static char *names_at(const char *path, size_t *len)
{
    char *list;
    if (store_directory(xb_store, NULL, 0, path, &list, len) < 0)
        return NULL;
    return list;
}

static bool in_list(const char *list, size_t len, const char *name)
{
    for (size_t off = 0; list && off < len; off += strlen(list + off) + 1)
        if (!strcmp(list + off, name))
            return true;
    return false;
}

/* xenbus_probe_node: a device not yet on the bus joins it when its state
 * reads Initialising. */
static void probe(unsigned domid, const char *type, const char *id)
{
    char path[192], *state;
    size_t len;
    if (dev_find(domid, type, id) || strlen(type) >= NAME_MAX_LEN || strlen(id) >= NAME_MAX_LEN)
        return;
    snprintf(path, sizeof(path), "/local/domain/%u/device/%s/%s/state", domid, type, id);
    if (store_read(xb_store, NULL, 0, path, &state, &len) < 0)
        return;
    bool fresh = !strcmp(state, "1");
    free(state);
    struct xb_dev *d = fresh ? calloc(1, sizeof(*d)) : NULL;
    if (!d)
        return;
    d->domid = domid;
    snprintf(d->type, sizeof(d->type), "%s", type);
    snprintf(d->id, sizeof(d->id), "%s", id);
    d->next = devs;
    devs = d;
    if (dev_show(d) < 0)
        dev_remove(&devs);
}

/* The bus of domid against its device/ directory. */
static void resync(unsigned domid)
{
    char path[160];
    size_t tlen, ilen;
    snprintf(path, sizeof(path), "/local/domain/%u/device", domid);
    char *types = names_at(path, &tlen);
    for (size_t t = 0; types && t < tlen; t += strlen(types + t) + 1) {
        snprintf(path, sizeof(path), "/local/domain/%u/device/%s", domid, types + t);
        char *ids = names_at(path, &ilen);
        for (size_t i = 0; ids && i < ilen; i += strlen(ids + i) + 1)
            probe(domid, types + t, ids + i);
        free(ids);
    }
    /* xenbus_dev_changed: a device whose node is gone leaves the bus */
    for (struct xb_dev **pp = &devs; *pp;) {
        struct xb_dev *d = *pp;
        bool gone = d->domid == domid;
        if (gone && in_list(types, tlen, d->type)) {
            snprintf(path, sizeof(path), "/local/domain/%u/device/%s", domid, d->type);
            char *ids = names_at(path, &ilen);
            gone = !in_list(ids, ilen, d->id);
            free(ids);
        }
        if (gone)
            dev_remove(pp);
        else
            pp = &d->next;
    }
    free(types);
}

void xenbus_store_changed(const struct store_events *ev)
{
    unsigned last = ~0u;
    for (size_t i = 0; i < ev->num; i++) {
        unsigned domid;
        int n = 0;
        if (sscanf(ev->ev[i].path, "/local/domain/%u/device%n", &domid, &n) != 1 || !n ||
            (ev->ev[i].path[n] && ev->ev[i].path[n] != '/') || domid > XSIM_MAX_DOMID ||
            !booted[domid] || domid == last)
            continue;
        resync(domid);
        last = domid;
    }
}

int xenbus_domain_created(unsigned domid)
{
    if (sysfs_mkdir(domid, "bus/xen/drivers") < 0 || sysfs_mkdir(domid, "bus/xen/devices") < 0 ||
        sysfs_mkdir(domid, "devices") < 0)
        return -1;
    booted[domid] = true;
    resync(domid);
    return 0;
}

void xenbus_domain_destroyed(unsigned domid)
{
    booted[domid] = false;
    for (struct xb_dev **pp = &devs; *pp;) {
        if ((*pp)->domid == domid) {
            struct xb_dev *d = *pp;
            *pp = d->next;
            free(d); /* the tree goes with the domain's */
        } else {
            pp = &(*pp)->next;
        }
    }
}

/* ---- ctl verbs ---- */

static bool valid_name(const char *s)
{
    return *s && strlen(s) < NAME_MAX_LEN &&
           strspn(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-") ==
               strlen(s);
}

static int cmd_bind(int argc, char **argv, FILE *out, const char **err)
{
    bool bind = !strcmp(argv[0], "kernel-bind");
    unsigned long domid;
    (void)out;
    if (argc != (bind ? 5 : 4) || ctl_parse_uint(argv[1], XSIM_MAX_DOMID, &domid) < 0 ||
        (bind && !valid_name(argv[4]))) {
        *err =
            bind ? "usage: kernel-bind DOMID TYPE ID DRIVER" : "usage: kernel-unbind DOMID TYPE ID";
        return -1;
    }
    struct xb_dev *d = dev_find((unsigned)domid, argv[2], argv[3]);
    if (!d) {
        *err = ctl_errf("domain %lu has no %s-%s on its xenbus (device/%s/%s at state 1 makes it)",
                        domid, argv[2], argv[3], argv[2], argv[3]);
        return -1;
    }
    if (!bind) {
        dev_unbind(d);
        return 0;
    }
    if (d->driver[0] && strcmp(d->driver, argv[4])) {
        *err = ctl_errf("%s-%s is bound to %s already", argv[2], argv[3], d->driver);
        return -1;
    }
    if (!d->driver[0] && dev_bind(d, argv[4]) < 0) {
        *err = ctl_errf("sysfs: %s", strerror(errno));
        return -1;
    }
    return 0;
}

static int cmd_devices(int argc, char **argv, FILE *out, const char **err)
{
    unsigned long domid = 0;
    if (argc > 2 || (argc == 2 && ctl_parse_uint(argv[1], XSIM_MAX_DOMID, &domid) < 0)) {
        *err = "usage: kernel-devices [DOMID]";
        return -1;
    }
    for (unsigned dom = 0; dom <= XSIM_MAX_DOMID; dom++) {
        if (!booted[dom] || (argc == 2 && dom != domid))
            continue;
        for (struct xb_dev *d = devs; d; d = d->next)
            if (d->domid == dom)
                fprintf(out, "%u %s-%s%s%s\n", dom, d->type, d->id, d->driver[0] ? " " : "",
                        d->driver);
    }
    return 0;
}

void xenbus_init(struct store *s)
{
    xb_store = s;
    ctl_register("kernel-bind",
                 "kernel-bind DOMID TYPE ID DRIVER: a kernel frontend (a stand-in) drives "
                 "TYPE-ID in that guest's sysfs",
                 cmd_bind);
    ctl_register("kernel-unbind", "kernel-unbind DOMID TYPE ID: no kernel driver on it any more",
                 cmd_bind);
    ctl_register("kernel-devices",
                 "kernel-devices [DOMID]: the devices on each guest kernel's xenbus: DOMID "
                 "TYPE-ID [DRIVER]",
                 cmd_devices);
}
