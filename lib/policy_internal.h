/*
 * policy_internal.h - how the plugin host keeps the policy, the arm store
 * and the model cache of pxb_policy_check_file (lib/policy.c); private.
 */
#ifndef PXB_POLICY_INTERNAL_H
#define PXB_POLICY_INTERNAL_H

#include <pxeboot/conf.h>
#include <pxeboot/plugin.h>

struct pxb__policy_slot;

/* The host's slot (plugin_host.c): NULL until pxb_host_set_policy. */
struct pxb__policy_slot **pxb__host_policy_slot(pxb_host *h);
/* Frees a slot (the model cache; policy and arms are the setter's). */
void pxb__policy_slot_free(struct pxb__policy_slot *s);
/* Adds policy.* and dhcp.hosts.*.policy to a configuration's schema. */
int pxb__policy_add_schema(pxb_conf *c);

#endif
