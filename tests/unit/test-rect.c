/* Rectangle clamping and union, with the hostile values a peer can send. */
#include "proto/rect.h"

#include "tap.h"

struct clamp_case {
    const char *what;
    struct xfb_rect in;
    bool nonempty;
    struct xfb_rect out;
};

static const struct clamp_case clamp_cases[] = {
    {"inside", {10, 20, 30, 40}, true, {10, 20, 30, 40}},
    {"whole surface", {0, 0, 800, 600}, true, {0, 0, 800, 600}},
    {"past right and bottom", {790, 590, 100, 100}, true, {790, 590, 10, 10}},
    {"negative origin", {-5, -7, 10, 10}, true, {0, 0, 5, 3}},
    {"entirely left", {-100, 0, 50, 10}, false, {0, 0, 0, 0}},
    {"entirely below", {0, 600, 10, 10}, false, {0, 0, 0, 0}},
    {"zero width", {1, 1, 0, 10}, false, {0, 0, 0, 0}},
    {"negative height", {1, 1, 10, -10}, false, {0, 0, 0, 0}},
    {"x + w overflows int32", {INT32_MAX - 1, 0, INT32_MAX, 5}, false, {0, 0, 0, 0}},
    {"huge covering", {INT32_MIN, INT32_MIN, INT32_MAX, INT32_MAX}, false, {0, 0, 0, 0}},
    {"huge from origin", {0, 0, INT32_MAX, INT32_MAX}, true, {0, 0, 800, 600}},
};

static void test_rect_clamp_table(void)
{
    for (size_t i = 0; i < sizeof(clamp_cases) / sizeof(clamp_cases[0]); i++) {
        const struct clamp_case *c = &clamp_cases[i];
        struct xfb_rect r = c->in;
        bool ne = xfb_rect_clamp(&r, 800, 600);
        ok(ne == c->nonempty && r.x == c->out.x && r.y == c->out.y && r.w == c->out.w &&
               r.h == c->out.h,
           "clamp %s -> %d,%d %dx%d", c->what, r.x, r.y, r.w, r.h);
    }
}

static void test_rect_clamp_empty_surface(void)
{
    struct xfb_rect r = {0, 0, 10, 10};
    ok(!xfb_rect_clamp(&r, 0, 600), "zero-width surface clamps everything away");
}

static void test_rect_union(void)
{
    struct xfb_rect u =
        xfb_rect_union((struct xfb_rect){10, 10, 10, 10}, (struct xfb_rect){30, 5, 5, 30});
    ok(u.x == 10 && u.y == 5 && u.w == 25 && u.h == 30, "union is the bounding box");
    u = xfb_rect_union((struct xfb_rect){0, 0, 0, 0}, (struct xfb_rect){3, 4, 5, 6});
    ok(u.x == 3 && u.y == 4 && u.w == 5 && u.h == 6, "union with an empty rect is the other");
    u = xfb_rect_union((struct xfb_rect){1, 1, 0, 0}, (struct xfb_rect){2, 2, -1, 3});
    ok(xfb_rect_empty(u), "union of two empties is empty");
}

int main(void)
{
    plan(15);
    test_rect_clamp_table();
    test_rect_clamp_empty_surface();
    test_rect_union();
    return done_testing();
}
