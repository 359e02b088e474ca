/*
 * host_internal.h - a state the plugin host (plugin_host.c) keeps for one of
 * the library's own modules (the policy's, the recent clients'), so that the
 * host names none of them; private, never installed.
 */
#ifndef PXB_HOST_INTERNAL_H
#define PXB_HOST_INTERNAL_H

#include <pxeboot/plugin.h>

/*
 * The state kept on h (or on the host behind a plugin's handle) under key,
 * the address of something of the module's own. When there is none yet and
 * make is not NULL, make() is called and what it returns kept; fini frees
 * it when the host is freed. Returns the state, or NULL when there is none
 * and make is NULL, when make() returned NULL, or when the host has no room
 * for another (PXB_HOST_STATES).
 */
void *pxb__host_state(pxb_host *h, const void *key, void *(*make)(void), void (*fini)(void *));

#endif
