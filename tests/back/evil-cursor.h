/* The cursor extension's lies for xfb-evil-front (--cursor): the header
 * and image pages, and the commands that write them. */
#ifndef XFB_EVIL_CURSOR_H
#define XFB_EVIL_CURSOR_H

#include <stdbool.h>
#include <stdint.h>
#include <xengnttab.h>

void evil_cursor_enable(void);
/* With the vfb page: grant the cursor pages to the backend domain. */
void evil_cursor_grant(xengntshr_handle *xgs, uint32_t bdom);
/* The reference to publish as cursor-gref, false: none. */
bool evil_cursor_gref(uint32_t *ref);
/* A command starting with "cursor"; notify() tells the backend.
 *   cursor W H HX HY VISIBLE   a header as given (under the sequence
 *                              count), the image opaque green
 *   cursorodd                  leave the count odd: a writer that died
 *                              mid-way
 *   cursorrace MS              for MS ms a second thread rewrites the
 *                              image and flips between legal headers
 *                              under the count, while this one notifies
 *                              each change of the count as soon as it
 *                              sees it
 *                              -> "cursorraced N notifications"
 * -> "cursor done" for the others. */
void evil_cursor_run(const char *line, void (*notify)(void));

#endif
