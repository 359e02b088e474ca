/*
 * dhcp_boot.c - putting a boot choice (from the rule engine) into a reply:
 * the BOOTP file/sname/siaddr fields and options 66, 67 and 60.
 *
 * Both the file field and option 67 carry the boot file: PXE ROMs read the
 * field, clients that list 67 in their parameter request list read the
 * option (RFC 2132 9.5, PXE 2.1 spec 2.2.6).
 */
#include "config.h"

#include <string.h>

#include <pxeboot/dhcp.h>
#include "internal.h"

int pxb_dhcp_reply_apply_boot(struct pxb_dhcp_reply *r, const struct pxb_dhcp_msg *req,
			      const struct pxb_boot_choice *choice, struct in_addr server_addr)
{
	int rc;

	(void)req;
	if (!r || !choice)
		return PXB_ERR_INVAL;
	if (!choice->offer)
		return 0;
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
		rc = pxb_dhcp_reply_set(r, choice->opts[i].code, choice->opts[i].data,
					choice->opts[i].len);
		if (rc < 0)
			return rc;
	}
	return 0;
}
