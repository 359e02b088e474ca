/*
 * plugin_badabi.c - a plugin that claims a future ABI, to prove the host
 * refuses it.
 */
#include <pxeboot/plugin.h>

static int init(pxb_host *h, const pxb_conf_node *sec, void **state)
{
	(void)h;
	(void)sec;
	*state = 0;
	return 0;
}

PXB_EXPORT const struct pxb_plugin pxb_plugin_entry = {
	.abi = PXB_PLUGIN_ABI + 41,
	.size = sizeof(struct pxb_plugin),
	.name = "badabi",
	.version = "0",
	.init = init,
};
