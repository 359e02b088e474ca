/*
 * policy_internal.h - what the policy_*.c files share of each other; private.
 */
#ifndef PXB_POLICY_INTERNAL_H
#define PXB_POLICY_INTERNAL_H

#include <pxeboot/policy.h>

/* How many entries (ids, or "*") the policy protects; 0 for NULL (policy_rules.c). */
unsigned pxb__policy_nprotect(const pxb_policy *p);

#endif
