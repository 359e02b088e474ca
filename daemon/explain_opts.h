/*
 * explain_opts.h - the extra options in "pxebootctl explain": which options
 * a client gets from its host entry, the options by tag and its boot rule,
 * forced or not, and which lost to a source of higher precedence.
 */
#ifndef PXBD_EXPLAIN_OPTS_H
#define PXBD_EXPLAIN_OPTS_H

#include <pxeboot/conf.h>
#include <pxeboot/dhcp.h>

/*
 * Prints "options:" and one line per option step of t (host entry, options
 * by tag, boot rule, in order of precedence), their values and settings
 * read from the configuration r; nothing when t has no option step.
 */
void pxbctl_explain_options(const pxb_conf_node *r, const struct pxb_match_trace *t);

/* Prints the options of t that won and that reply m carries, as sent. */
void pxbctl_explain_reply_options(const struct pxb_match_trace *t, const struct pxb_dhcp_msg *m);

#endif
