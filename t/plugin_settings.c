/*
 * plugin_settings.c - a plugin that reads its settings straight from the
 * section it is given, to prove the host hands one (answering the schema
 * defaults) even when the file has no such section. It logs what it read.
 */
#include <pxeboot/plugin.h>

static const struct pxb_conf_setting settings[] = {
	{"word", PXB_CT_STRING, "dflt", 0, 0, NULL, NULL, "a string"},
	{"count", PXB_CT_INT, "7", 1, 100, NULL, NULL, "an integer"},
	{"flag", PXB_CT_BOOL, "true", 0, 0, NULL, NULL, "a boolean"},
	{"list", PXB_CT_STRINGS, "a,b", 0, 0, NULL, NULL, "an array"},
	{NULL, 0, NULL, 0, 0, NULL, NULL, NULL},
};

static pxb_host *host;

static int report(const pxb_conf_node *sec)
{
	char path[64];

	if (!sec)
		return PXB_ERR_INVAL;
	pxb_host_log(host, PXB_LOG_INFO, "%s: word=%s count=%lld flag=%d list=%u:%s",
		     pxb_conf_path(sec, path, sizeof(path)), pxb_conf_string(sec, "word"),
		     (long long)pxb_conf_int(sec, "count"), pxb_conf_bool(sec, "flag"),
		     pxb_conf_count(sec, "list"), pxb_conf_elem_string(sec, "list", 1));
	return 0;
}

static int init(pxb_host *h, const pxb_conf_node *sec, void **state)
{
	host = h;
	*state = NULL;
	return report(sec);
}

static int reload(void *state, const pxb_conf_node *sec)
{
	(void)state;
	return report(sec);
}

PXB_PLUGIN(.name = "settings", .version = "0", .summary = "reads its settings",
	   .settings = settings, .init = init, .reload = reload);
