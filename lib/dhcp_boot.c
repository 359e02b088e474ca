/*
 * dhcp_boot.c - putting a boot choice (from the rule engine) into a reply:
 * the BOOTP file/sname/siaddr fields, options 66, 67 and 60, the extra
 * options of the rule, the host and the tags, and PXELINUX's (RFC 5071).
 *
 * Both the file field and option 67 carry the boot file: PXE ROMs read the
 * field, clients that list 67 in their parameter request list read the
 * option (RFC 2132 9.5, PXE 2.1 spec 2.2.6).
 */
#include "config.h"

#include <string.h>

#include <pxeboot/dhcp.h>
#include "internal.h"

/* PXELINUX options (RFC 5071): 208 magic, 209 config file, 210 path prefix, 211 reboot time. */
#define OPT_PXELINUX_MAGIC 208
#define OPT_PXELINUX_LAST 211

static int set_opt(struct pxb_dhcp_reply *r, uint8_t code, const uint8_t *data, size_t len,
		   int force)
{
	return force ? pxb_dhcp_reply_set_forced(r, code, data, len)
		     : pxb_dhcp_reply_set(r, code, data, len);
}

/*
 * RFC 5071 section 4.5 (and 5.5, 6.5): options 209-211 are sent when
 * listed in option 55 "but MUST also be supplied" when the administrator
 * configured them, because PXELINUX never lists them. Section 3.3: a
 * PXELINUX before 3.55 reads none of them without option 208 carrying the
 * magic F1:00:74:7E, so 208 goes with them. All are sent whatever 55 says.
 */
static int pxelinux_options(struct pxb_dhcp_reply *r)
{
	static const uint8_t magic[4] = { 0xf1, 0x00, 0x74, 0x7e };
	int any = 0, rc;

	for (unsigned i = 0; i < r->nopts; i++)
		if (r->opts[i].code > OPT_PXELINUX_MAGIC && r->opts[i].code <= OPT_PXELINUX_LAST)
			any = 1;
	if (!any)
		return 0;
	rc = pxb_dhcp_reply_set_forced(r, OPT_PXELINUX_MAGIC, magic, sizeof(magic));
	if (rc < 0)
		return rc;
	for (unsigned i = 0; i < r->nopts; i++)
		if (r->opts[i].code > OPT_PXELINUX_MAGIC && r->opts[i].code <= OPT_PXELINUX_LAST)
			r->opts[i].force = 1;
	return 0;
}

int pxb_dhcp_reply_apply_boot(struct pxb_dhcp_reply *r, const struct pxb_dhcp_msg *req,
			      const struct pxb_boot_choice *choice, struct in_addr server_addr)
{
	int rc;

	(void)req;
	if (!r || !choice)
		return PXB_ERR_INVAL;
	if (!choice->offer)
		goto client;
	r->siaddr = choice->has_next_server ? choice->next_server : server_addr;
	if (choice->file[0]) {
		/* A URL longer than the field goes in option 67 only. */
		if (strlen(choice->file) < sizeof(r->file))
			(void)pxb_dhcp_reply_set_file(r, choice->file);
		rc = pxb_dhcp_reply_set_str(r, PXB_OPT_BOOTFILE, choice->file);
		if (rc < 0)
			return rc;
	}
	if (choice->server_name[0]) {
		(void)pxb_dhcp_reply_set_sname(r, choice->server_name);
		rc = pxb_dhcp_reply_set_str(r, PXB_OPT_TFTP_SERVER, choice->server_name);
		if (rc < 0)
			return rc;
	}
	/* UEFI HTTP boot ignores offers without 60 "HTTPClient" (UEFI 2.x, 24.7.2). */
	if (choice->http) {
		rc = pxb_dhcp_reply_set_str(r, PXB_OPT_VENDOR_CLASS, "HTTPClient");
		if (rc < 0)
			return rc;
	}
	for (unsigned i = 0; i < choice->nopts && i < PXB_BOOT_MAX_OPTS; i++) {
		rc = set_opt(r, choice->opts[i].code, choice->opts[i].data, choice->opts[i].len,
			     choice->opts[i].force);
		if (rc < 0)
			return rc;
	}
client:
	/* The host's and the tags' options, set last: they win over the rule's. */
	for (unsigned i = 0; i < choice->nclient_opts && i < PXB_CLIENT_MAX_OPTS; i++) {
		rc = set_opt(r, choice->client_opts[i].code, choice->client_opts[i].data,
			     choice->client_opts[i].len, choice->client_opts[i].force);
		if (rc < 0)
			return rc;
	}
	return pxelinux_options(r);
}
