/*
 * journal_store.c - the built-in lease store "journal" (pxeboot/lease_store.h):
 * the lease table kept in <state_dir>/leases.journal (lib/lease_journal.c).
 * It commits at once: one write and one fdatasync per batch, then reports
 * the batch settled from within commit(). Nothing is ever rejected: this
 * server alone gives the addresses.
 */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <pxeboot/lease_store.h>
#include "daemon.h"
#include "dhcp_driver.h"

struct journal {
	struct pxb_lease_store *leases;
	pxb_lease_settled_fn settled;
	void *settled_arg;
	int failed_logged;
};

static int journal_open(void *arg, const pxb_conf *conf, int64_t now,
			pxb_lease_settled_fn settled, void *settled_arg,
			struct pxb_lease_store **table, void **be)
{
	const char *dir = pxb_conf_string(pxb_conf_root(conf), "state_dir");
	struct pxb_lease_config lc = {.state_dir = dir};
	struct pxb_lease_load_stats st;
	struct journal *j;
	int rc;

	(void)arg;
	if (mkdir(dir, 0700) < 0 && errno != EEXIST) {
		pxbd_log(PXB_LOG_ERR, "dhcp", "state_dir %s: %s", dir, strerror(errno));
		return PXB_ERR_IO;
	}
	j = calloc(1, sizeof(*j));
	if (!j)
		return PXB_ERR_NOMEM;
	rc = pxb_lease_open(&lc, now, &j->leases, &st);
	if (rc == PXB_ERR_PROTO || rc == PXB_ERR_UNSUPP) {
		/* leases we cannot read may be held: give none rather than give them twice */
		pxbd_log(PXB_LOG_ERR, "dhcp", "%s/leases.journal %s: DHCP is off, TFTP and HTTP go "
			 "on. The file is left as it is. To give addresses again, rename it to "
			 "%s/leases.journal.damaged and restart pxebootd: the leases that can be "
			 "read are salvaged and addresses are probed before they are offered", dir,
			 rc == PXB_ERR_PROTO ? "has a damaged header or is not a lease journal"
					     : "is of another version", dir);
		free(j);
		return 1;
	}
	if (rc < 0) {
		pxbd_log(PXB_LOG_ERR, "dhcp", "state_dir %s: cannot open the lease journal: %s", dir,
			 pxb_strerror(rc));
		free(j);
		return rc;
	}
	if (st.loss)
		pxbd_log(PXB_LOG_ERR, "dhcp", "%s/leases.journal was damaged: %llu lease(s) "
			 "restored from %llu record(s), %llu damaged stretch(es) of %llu byte(s) "
			 "skipped, their leases lost; the damaged file is kept as %s/%s; addresses "
			 "are probed before they are offered (dhcp.probe)", dir,
			 (unsigned long long)st.leases, (unsigned long long)st.records,
			 (unsigned long long)st.damaged_regions,
			 (unsigned long long)st.damaged_bytes, dir, st.kept_aside);
	else
		pxbd_log(PXB_LOG_INFO, "dhcp", "%llu lease(s) restored from %s/leases.journal%s",
			 (unsigned long long)st.leases, dir,
			 st.torn_bytes ? " (torn tail cut off)" : "");
	j->settled = settled;
	j->settled_arg = settled_arg;
	*table = j->leases;
	*be = j;
	return 0;
}

static int journal_commit(void *be)
{
	struct journal *j = be;
	int rc = pxb_lease_flush(j->leases);

	if (rc < 0 && !j->failed_logged++)
		pxbd_log(PXB_LOG_ERR, "dhcp", "lease journal could not be written: holding "
			 "acknowledgements until it can");
	if (rc == 0)
		j->failed_logged = 0;
	j->settled(j->settled_arg, pxb_lease_durable_seq(j->leases), NULL, 0);
	return rc;
}

static void journal_close(void *be)
{
	struct journal *j = be;

	if (!j)
		return;
	pxb_lease_close(j->leases);
	free(j);
}

const struct pxb_lease_backend pxbd_lease_journal = {
	.name = "journal",
	.open = journal_open,
	.commit = journal_commit,
	.close = journal_close,
};
