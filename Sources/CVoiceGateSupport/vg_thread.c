/* Why C: pj_thread_register needs a descriptor that outlives every pj call the thread makes. A
 * C thread-local gives exactly that lifetime without allocation or cleanup. */
#include "vg_thread.h"
#include <pj/os.h>
#include <string.h>

static __thread pj_thread_desc vg_desc;
static __thread pj_thread_t *vg_self;

pj_status_t vg_thread_register(const char *name) {
    if (pj_thread_is_registered()) return PJ_SUCCESS;
    memset(vg_desc, 0, sizeof(vg_desc));
    return pj_thread_register(name, vg_desc, &vg_self);
}

int vg_thread_is_registered(void) { return pj_thread_is_registered() ? 1 : 0; }
