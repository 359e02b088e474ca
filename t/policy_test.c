/*
 * policy_test.c - rescue on demand: the arm store (arm, expiry, one-shot,
 * tokens, persistence across reopen, a torn or damaged arms.json, a stale
 * temporary file), the policy of the configuration (host, rule, default),
 * the DHCP engine's gate (an armed-policy client gets an address and no
 * boot file until armed), the token check of protected entries' files, on
 * their names and on their bytes (a symlink, an image holding one), and
 * which requests are proven to come from a MAC (DHCP gave it the address).
 */
#include "config.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <pxeboot/pxeboot.h>
#include <pxeboot/dhcp_server.h>
#include "dhcp_pkt.h"
#include "tap.h"

static const uint8_t A[6] = {0x52, 0x54, 0x00, 0x00, 0x0a, 0x01};
static const uint8_t B[6] = {0x52, 0x54, 0x00, 0x00, 0x0b, 0x01};
static const int64_t T = 1700000000;

static char dir[256];

static void write_file(const char *name, const char *text)
{
	char p[512];
	FILE *f;

	snprintf(p, sizeof(p), "%s/%s", dir, name);
	f = fopen(p, "w");
	if (f) {
		fputs(text, f);
		fclose(f);
	}
}

static char *read_file(const char *name)
{
	char p[512], *buf = calloc(1, 65536);
	FILE *f;

	snprintf(p, sizeof(p), "%s/%s", dir, name);
	f = fopen(p, "r");
	if (f && buf) {
		size_t n = fread(buf, 1, 65535, f);
		buf[n] = '\0';
	}
	if (f)
		fclose(f);
	return buf;
}

static void test_store(void)
{
	pxb_arms *a;
	struct pxb_arm x, y, z;
	int damaged = -1;
	char *text;

	ok(pxb_arms_open(dir, T, &a, &damaged) == 0 && damaged == 0, "open an empty store");
	is_int(pxb_arms_count(a), 0, "no arms");
	ok(pxb_arms_lookup(a, A, T, NULL) == PXB_ERR_NOENT, "A is not armed");
	is_int(pxb_arms_arm(a, A, "rescue", T, 0, T, &x), PXB_ERR_INVAL, "until must be later");
	is_int(pxb_arms_arm(a, A, "bad id!", T + 60, 0, T, &x), PXB_ERR_INVAL, "entry id checked");
	is_int(pxb_arms_arm(a, A, "rescue", T + 1800, 0, T, &x), 0, "arm A for 30 minutes");
	is_int((int)strlen(x.token), PXB_ARM_TOKEN_LEN, "token is 32 hex digits");
	is_str(x.entry, "rescue", "entry kept");
	ok(pxb_arms_lookup(a, A, T + 1799, &y) == 0 && strcmp(y.token, x.token) == 0,
	   "armed until the last second");
	ok(pxb_arms_lookup(a, A, T + 1800, NULL) == PXB_ERR_NOENT, "not armed at until");
	ok(pxb_arms_by_token(a, x.token, T + 10, &y) == 0 && !memcmp(y.mac, A, 6), "token finds A");
	ok(pxb_arms_by_token(a, x.token, T + 1800, NULL) == PXB_ERR_NOENT, "expired token refused");
	{
		char t2[PXB_ARM_TOKEN_LEN + 1];
		strcpy(t2, x.token);
		t2[5] = t2[5] == '0' ? '1' : '0';
		ok(pxb_arms_by_token(a, t2, T, NULL) == PXB_ERR_NOENT, "another token refused");
		ok(pxb_arms_by_token(a, "", T, NULL) == PXB_ERR_NOENT, "empty token refused");
	}
	is_int(pxb_arms_arm(a, B, NULL, T + 600, 1, T, &z), 0, "arm B once, no entry");
	ok(strcmp(z.token, x.token) != 0, "tokens differ");
	is_int(pxb_arms_spend(a, A, T + 1), 0, "A is not one-shot: nothing spent");
	is_int(pxb_arms_spend(a, B, T + 1), 1, "B spent by its boot");
	is_int(pxb_arms_spend(a, B, T + 2), 0, "B spent once");
	ok(pxb_arms_lookup(a, B, T + 2, NULL) == PXB_ERR_NOENT, "spent B is not armed");
	ok(pxb_arms_by_token(a, z.token, T + 2, NULL) == 0, "spent B's token still fetches files");
	pxb_arms_free(a);

	/* persistence */
	ok(pxb_arms_open(dir, T + 5, &a, &damaged) == 0 && damaged == 0, "reopen");
	is_int(pxb_arms_count(a), 2, "both arms survive");
	ok(pxb_arms_lookup(a, A, T + 5, &y) == 0 && strcmp(y.token, x.token) == 0 &&
	   strcmp(y.entry, "rescue") == 0 && y.until == T + 1800 && !y.once,
	   "A as it was armed");
	ok(pxb_arms_lookup(a, B, T + 5, NULL) == PXB_ERR_NOENT && pxb_arms_at(a, 1)->spent,
	   "B still spent");
	is_int(pxb_arms_disarm(a, B), 0, "disarm B");
	is_int(pxb_arms_disarm(a, B), PXB_ERR_NOENT, "disarm B again: nothing");
	pxb_arms_free(a);
	ok(pxb_arms_open(dir, T + 5, &a, NULL) == 0 && pxb_arms_count(a) == 1, "disarm is durable");
	pxb_arms_free(a);

	/* expiry on open */
	ok(pxb_arms_open(dir, T + 1800, &a, &damaged) == 0 && pxb_arms_count(a) == 0 &&
	   damaged == 0, "expired arms dropped on open");
	is_int(pxb_arms_arm(a, A, "rescue", T + 4000, 0, T + 1800, &x), 0, "arm A again");
	is_int(pxb_arms_arm(a, B, "", T + 2000, 0, T + 1800, &z), 0, "arm B again");
	is_int(pxb_arms_expire(a, T + 2000), 1, "expire drops B");
	pxb_arms_free(a);

	/* a torn file: the last line cut in the middle */
	ok(pxb_arms_open(dir, T + 1800, &a, NULL) == 0, "reopen");
	is_int(pxb_arms_arm(a, B, "", T + 3000, 1, T + 1800, &z), 0, "arm B");
	pxb_arms_free(a);
	text = read_file("arms.json");
	{
		char *second = strstr(text, "\n{\"mac\": \"52:54:00:00:0b:01\"");
		ok(second != NULL, "arms.json has one line per arm");
		if (second) {
			second[40] = '\0'; /* cut inside B's line, no newline */
			write_file("arms.json", text);
		}
	}
	free(text);
	ok(pxb_arms_open(dir, T + 1800, &a, &damaged) == 0 && damaged == 1, "torn file: damaged");
	ok(pxb_arms_lookup(a, A, T + 1800, &y) == 0 && strcmp(y.token, x.token) == 0,
	   "the whole line (A) is read");
	ok(pxb_arms_lookup(a, B, T + 1800, NULL) == PXB_ERR_NOENT, "the cut line (B) is not");
	pxb_arms_free(a);
	ok(pxb_arms_open(dir, T + 1800, &a, &damaged) == 0 && damaged == 0 &&
	   pxb_arms_count(a) == 1, "rewritten whole after reading the damage");
	pxb_arms_free(a);

	/* garbage, and a stale temporary file */
	write_file("arms.json", "{\"version\": 1, \"arms\": [\n{\"mac\": \"zz\"}\nnot json at all\n");
	write_file("arms.json.tmp", "half a write");
	ok(pxb_arms_open(dir, T, &a, &damaged) == 0 && damaged == 1 && pxb_arms_count(a) == 0,
	   "garbage: damaged, empty");
	is_int(pxb_arms_arm(a, A, NULL, T + 60, 0, T, NULL), 0, "arm over a stale .tmp");
	pxb_arms_free(a);
	ok(pxb_arms_open(dir, T, &a, &damaged) == 0 && damaged == 0 && pxb_arms_count(a) == 1,
	   "the new file is whole");
	pxb_arms_free(a);

	/* a damaged line holding a NUL byte does not take the next line with it */
	{
		static const char nul[] =
			"{\"version\": 1, \"arms\": [\n{\"mac\": \"x\0y\"},\n"
			"{\"mac\": \"52:54:00:00:0b:01\", \"entry\": \"\", \"created\": 1, "
			"\"until\": 1800000000, \"once\": false, \"spent\": false, "
			"\"token\": \"0123456789abcdef0123456789abcdef\"}\n]}\n";
		char p[512];
		FILE *f;

		snprintf(p, sizeof(p), "%s/arms.json", dir);
		f = fopen(p, "wb");
		if (f) {
			fwrite(nul, 1, sizeof(nul) - 1, f);
			fclose(f);
		}
		ok(pxb_arms_open(dir, T, &a, &damaged) == 0 && damaged == 1 &&
		   pxb_arms_lookup(a, B, T, NULL) == 0 && pxb_arms_count(a) == 1,
		   "a line with a NUL byte: damaged, the next line still read");
		pxb_arms_free(a);
	}

	/* in memory */
	ok(pxb_arms_open(NULL, T, &a, NULL) == 0 && pxb_arms_path(a) == NULL, "in-memory store");
	is_int(pxb_arms_arm(a, A, NULL, T + 60, 0, T, NULL), 0, "arm in memory");
	pxb_arms_free(a);
}

static void report(void *arg, const char *line)
{
	(void)arg;
	diag("%s", line);
}

static pxb_conf *conf_of(const char *text)
{
	pxb_conf *c = pxb_conf_new();

	if (pxb_conf_load_string(c, text, "test.conf", report, NULL) < 0 ||
	    pxb_conf_validate(c, 1, report, NULL) != 0) {
		pxb_conf_free(c);
		return NULL;
	}
	return c;
}

static const char *CONF =
	"dhcp = { mode = \"server\"; interfaces = [\"br0\"];\n"
	"  subnets = ( { network = \"198.18.0.0/24\"; pool_start = \"198.18.0.100\";"
	"                pool_end = \"198.18.0.150\"; } );\n"
	"  hosts = ( { name = \"labpc\"; mac = \"52:54:00:00:0a:01\"; policy = \"armed\"; },\n"
	"            { name = \"till\"; mac = \"52:54:00:00:0c:01\"; tags = [\"NOPXE\"]; } );\n"
	"  tags = ( { set = \"ENH\"; match = \"user-class\"; value = \"iPXE\"; },\n"
	"           { set = \"LAB\"; match = \"mac\"; value = \"52:54:00:00:0b:*\"; } );\n"
	"  boot = ( { tags = \"ENH\"; file = \"menu.ipxe\"; }, { file = \"undionly.kpxe\"; } );\n"
	"};\n"
	"policy = { default = \"always\"; protect = [\"rescue\"]; arm_for = \"10m\";\n"
	"  rules = ( { tags = \"LAB & !ENH\"; policy = \"armed\"; },\n"
	"            { tags = \"LAB & ENH\"; policy = \"armed\"; },\n"
	"            { tags = \"NOPXE\"; policy = \"never\"; } ); };\n"
	"entries = ( { id = \"rescue\"; kind = \"linux\"; kernel = \"/boot/r/vmlinuz\";\n"
	"              initrd = [\"/boot/r/initrd.img\", \"/boot/ucode.img\"]; },\n"
	"            { id = \"other\"; kind = \"linux\"; kernel = \"/boot/o/vmlinuz\"; } );\n";

static void client_of(struct pxb_client *c, const uint8_t mac[6], const char *tag)
{
	memset(c, 0, sizeof(*c));
	c->has_mac = 1;
	memcpy(c->mac, mac, 6);
	c->arch = PXB_ARCH_UNKNOWN;
	if (tag)
		pxb_client_add_tag(c, tag);
}

static void test_policy(void)
{
	static const uint8_t C[6] = {0x52, 0x54, 0x00, 0x00, 0x0c, 0x01};
	static const uint8_t D[6] = {0x52, 0x54, 0x00, 0x00, 0x0d, 0x01};
	pxb_conf *c = conf_of(CONF), *bad;
	pxb_policy *p = NULL;
	pxb_arms *a = NULL;
	struct pxb_client cl;
	const char *src;
	uint8_t mac[6];

	ok(c != NULL, "configuration with a policy is valid");
	if (!c)
		return;
	ok(pxb_policy_from_conf(c, &p, report, NULL) == 0, "policy built");
	client_of(&cl, A, NULL);
	ok(pxb_policy_for_client(p, &cl, &src) == PXB_POLICY_ARMED && !strcmp(src, "host"),
	   "host entry says armed");
	client_of(&cl, B, "LAB");
	ok(pxb_policy_for_client(p, &cl, &src) == PXB_POLICY_ARMED && !strcmp(src, "rule"),
	   "rule by tag says armed");
	client_of(&cl, C, "NOPXE");
	ok(pxb_policy_for_client(p, &cl, &src) == PXB_POLICY_NEVER, "NOPXE: never");
	client_of(&cl, D, NULL);
	ok(pxb_policy_for_client(p, &cl, &src) == PXB_POLICY_ALWAYS && !strcmp(src, "default"),
	   "others: the default");
	ok(pxb_policy_uses_arms(p), "arms in use");
	ok(pxb_policy_protects(p, "rescue") && !pxb_policy_protects(p, "other"), "protect list");
	is_int((int)pxb_policy_arm_for(p), 600, "arm_for");
	ok(pxb_policy_resolve(p, "labpc", mac) == 0 && !memcmp(mac, A, 6), "host name resolves");
	ok(pxb_policy_resolve(p, "52-54-00-00-0b-01", mac) == 0 && !memcmp(mac, B, 6),
	   "MAC resolves");
	ok(pxb_policy_resolve(p, "nobody", mac) == PXB_ERR_NOENT, "unknown name");

	pxb_arms_open(NULL, T, &a, NULL);
	client_of(&cl, A, NULL);
	is_str(pxb_policy_gate(p, a, &cl, T), "not armed", "gate: A not armed");
	pxb_arms_arm(a, A, NULL, T + 60, 0, T, NULL);
	ok(pxb_policy_gate(p, a, &cl, T) == NULL, "gate: A armed may boot");
	ok(pxb_policy_gate(p, a, &cl, T + 60) != NULL, "gate: closed again at expiry");
	client_of(&cl, C, "NOPXE");
	is_str(pxb_policy_gate(p, a, &cl, T), "policy never", "gate: never");
	client_of(&cl, D, NULL);
	ok(pxb_policy_gate(p, a, &cl, T) == NULL, "gate: always");
	ok(pxb_policy_gate(NULL, NULL, &cl, T) == NULL, "no policy: every client may boot");
	pxb_arms_free(a);
	pxb_policy_free(p);
	pxb_conf_free(c);

	bad = conf_of("policy = { rules = ( { tags = \"A & &&& !\"; policy = \"armed\"; } ); };");
	ok(bad == NULL, "a bad tag expression is refused by validation");
	bad = conf_of("policy = { default = \"sometimes\"; };");
	ok(bad == NULL, "a bad policy name is refused");
	bad = conf_of("policy = { protect = [\"bad id!\"]; };");
	ok(bad != NULL, "protect ids are checked when the policy is built");
	if (bad) {
		p = NULL;
		is_int(pxb_policy_from_conf(bad, &p, report, NULL), PXB_ERR_CONFIG, "bad protect id");
		pxb_conf_free(bad);
	}
}

/* ---- the DHCP engine's gate ---- */

struct gate {
	pxb_policy *p;
	pxb_arms *a;
};

static const char *gate_fn(void *arg, const struct pxb_client *c, int64_t now)
{
	struct gate *g = arg;

	return pxb_policy_gate(g->p, g->a, c, now);
}

static void test_engine(void)
{
	pxb_conf *c = conf_of(CONF);
	struct pxb_dhcp_setup *setup = NULL;
	struct pxb_dhcp_server *s = NULL;
	struct pxb_lease_store *leases = NULL;
	struct pxb_lease_config lc = {0};
	struct gate g = {0};
	struct pxb_dhcp_rx rx = {.ifname = "br0", .dst_port = 67, .src_port = 68};
	static struct pxb_dhcp_tx tx;
	struct pkt pk;
	const struct pxb_match_host_config *hosts;
	size_t nhosts;

	inet_pton(AF_INET, "198.18.0.1", &rx.local);
	if (!ok(c && pxb_dhcp_setup_from_conf(c, &setup, report, NULL) == 0, "dhcp setup"))
		return;
	pxb_policy_from_conf(c, &g.p, report, NULL);
	pxb_arms_open(NULL, T, &g.a, NULL);
	pxb_lease_open(&lc, T, &leases, NULL);
	hosts = pxb_dhcp_setup_hosts(setup, &nhosts);
	ok(pxb_dhcp_server_new(pxb_dhcp_setup_server(setup), pxb_dhcp_setup_rules(setup), hosts,
			       nhosts, leases, &s) == 0, "engine");
	pxb_dhcp_server_set_gate(s, gate_fn, &g);

	pkt_start(&pk, A, PXB_DHCPDISCOVER);
	pkt_end(&pk);
	pxb_dhcp_server_input(s, pk.b, pk.len, &rx, T, &tx);
	ok(tx.verdict == PXB_DHCP_V_OFFER && !tx.boot.offer && tx.yiaddr.s_addr,
	   "not armed: an address, no boot file");
	ok(tx.why && strstr(tx.why, "not armed"), "why says not armed (%s)", tx.why ? tx.why : "");

	pxb_arms_arm(g.a, A, "rescue", T + 60, 1, T, NULL);
	pxb_dhcp_server_input(s, pk.b, pk.len, &rx, T + 1, &tx);
	ok(tx.verdict == PXB_DHCP_V_OFFER && tx.boot.offer &&
	   strcmp(tx.boot.file, "undionly.kpxe") == 0, "armed: the boot file");
	pxb_arms_spend(g.a, A, T + 2);
	pxb_dhcp_server_input(s, pk.b, pk.len, &rx, T + 3, &tx);
	ok(tx.verdict == PXB_DHCP_V_OFFER && !tx.boot.offer, "spent: no boot file again");

	pkt_start(&pk, B, PXB_DHCPDISCOVER);
	pkt_end(&pk);
	pxb_dhcp_server_input(s, pk.b, pk.len, &rx, T, &tx);
	ok(tx.verdict == PXB_DHCP_V_OFFER && !tx.boot.offer, "LAB by rule: no boot file");
	pxb_dhcp_server_set_gate(s, NULL, NULL);
	pxb_dhcp_server_input(s, pk.b, pk.len, &rx, T, &tx);
	ok(tx.boot.offer, "no gate: the boot file");

	pxb_dhcp_server_free(s);
	pxb_lease_close(leases);
	pxb_dhcp_setup_free(setup);
	pxb_arms_free(g.a);
	pxb_policy_free(g.p);
	pxb_conf_free(c);
}

/* ---- protected files ---- */

static void test_files(void)
{
	pxb_conf *c = conf_of(CONF);
	pxb_vfs *v = pxb_vfs_new();
	pxb_host *h = pxb_host_new(v, NULL, NULL);
	pxb_policy *p = NULL;
	pxb_arms *a = NULL;
	struct pxb_arm x, o, used;
	const char *why;
	char err[256];

	if (!ok(c && h && pxb_host_init_all(h, c, err, sizeof(err)) == 0, "host"))
		return;
	pxb_policy_from_conf(c, &p, report, NULL);
	pxb_arms_open(NULL, T, &a, NULL);
	ok(pxb_policy_check_file(h, "/boot/r/vmlinuz", NULL, T, NULL, &why) == 0,
	   "no policy on the host: everything served");
	pxb_host_set_policy(h, p, a);
	ok(pxb_host_policy(h) == p && pxb_host_arms(h) == a, "host holds policy and arms");
	ok(pxb_policy_check_file(h, "/boot/r/vmlinuz", NULL, T, NULL, &why) == PXB_ERR_ACCESS &&
	   why && strstr(why, "no token"), "kernel of a protected entry: refused without token");
	ok(pxb_policy_check_file(h, "/boot/r/sub/root.sfs", NULL, T, NULL, &why) == PXB_ERR_ACCESS,
	   "a file under its dir: refused");
	ok(pxb_policy_check_file(h, "/boot/ucode.img", NULL, T, NULL, &why) == PXB_ERR_ACCESS,
	   "an initrd outside its dir: refused");
	ok(pxb_policy_check_file(h, "/boot/rescue.txt", NULL, T, NULL, &why) == 0,
	   "a neighbour of its dir (/boot/r vs /boot/rescue.txt): served");
	ok(pxb_policy_check_file(h, "/boot/o/vmlinuz", NULL, T, NULL, &why) == 0,
	   "an unprotected entry: served");
	pxb_arms_arm(a, A, "rescue", T + 60, 0, T, &x);
	pxb_arms_arm(a, B, "other", T + 60, 0, T, &o);
	ok(pxb_policy_check_file(h, "/boot/r/vmlinuz", x.token, T, &used, &why) == 0 &&
	   !memcmp(used.mac, A, 6), "with A's token: served, the arm is told");
	ok(pxb_policy_check_file(h, "/boot/r/vmlinuz", o.token, T, NULL, &why) == PXB_ERR_ACCESS &&
	   strstr(why, "another entry"), "a token armed for another entry: refused");
	ok(pxb_policy_check_file(h, "/boot/r/vmlinuz", x.token, T + 60, NULL, &why) ==
		   PXB_ERR_ACCESS && strstr(why, "expired"), "after expiry: refused");
	pxb_arms_disarm(a, A);
	ok(pxb_policy_check_file(h, "/boot/r/vmlinuz", x.token, T, NULL, &why) == PXB_ERR_ACCESS,
	   "after disarm: refused");
	pxb_arms_arm(a, A, NULL, T + 60, 0, T, &x);
	ok(pxb_policy_check_file(h, "/boot/r/initrd.img", x.token, T, NULL, &why) == 0,
	   "an arm naming no entry fetches any protected entry");
	pxb_host_set_policy(h, NULL, NULL);
	pxb_host_free(h);
	pxb_vfs_free(v);
	pxb_arms_free(a);
	pxb_policy_free(p);
	pxb_conf_free(c);
}

/* ---- who is proven to be a MAC (DHCP gave it the address asking) ---- */

static void test_proven(void)
{
	pxb_vfs *v = pxb_vfs_new();
	pxb_host *h = pxb_host_new(v, NULL, NULL);
	struct pxb_lease_config lc = {0};
	struct pxb_lease_store *st = NULL;
	struct pxb_lease_key key;
	struct pxb_client cl;
	struct in_addr a100, a101, a120, zero = {0};

	inet_pton(AF_INET, "198.18.0.100", &a100);
	inet_pton(AF_INET, "198.18.0.101", &a101);
	inet_pton(AF_INET, "198.18.0.120", &a120);
	ok(!pxb_policy_client_proven(h, A, a100, T), "no DHCP seen: A is nobody's word");
	client_of(&cl, A, NULL);
	cl.addr = a100;
	pxb_host_note_client(h, &cl);
	ok(pxb_policy_client_proven(h, A, a100, T), "A from the address DHCP gave it: proven");
	ok(!pxb_policy_client_proven(h, A, a101, T), "A from another address: not proven");
	ok(!pxb_policy_client_proven(h, B, a100, T), "B from A's address: not proven");
	ok(!pxb_policy_client_proven(h, A, zero, T), "no address: not proven");
	/* A's next DISCOVER (no address yet) takes the binding away */
	cl.addr = zero;
	pxb_host_note_client(h, &cl);
	ok(!pxb_policy_client_proven(h, A, a100, T), "A noted without an address: not proven");
	/* A lease (after a restart, the recent clients are gone) proves it too. */
	if (ok(pxb_lease_open(&lc, T, &st, NULL) == 0, "lease store in memory")) {
		pxb_lease_key_hw(&key, 1, B, 6);
		pxb_lease_stage_bind(st, &key, ntohl(a120.s_addr), T + 600, NULL, T, NULL);
		pxb_lease_flush(st);
		pxb_host_set_leases(h, st);
		ok(pxb_policy_client_proven(h, B, a120, T), "B from its bound lease: proven");
		ok(!pxb_policy_client_proven(h, A, a120, T), "A from B's lease: not proven");
		ok(!pxb_policy_client_proven(h, B, a120, T + 600), "an expired lease proves nothing");
		pxb_host_set_leases(h, NULL);
		pxb_lease_close(st);
	}
	pxb_host_free(h);
	pxb_vfs_free(v);
}

/* ---- every path to a protected file's bytes ---- */

static void img_release(struct pxb_file *f)
{
	if (f->fd >= 0)
		close(f->fd);
	f->fd = -1;
}

/* A provider serving two extents of one file, as catalog-iso serves an image's files. */
static char img_path[300];

static int img_open(void *arg, const char *rel, const struct pxb_client *c, struct pxb_file *f)
{
	int fd;

	(void)arg;
	(void)c;
	if (strcmp(rel, "vmlinuz") != 0 && strcmp(rel, "readme") != 0)
		return PXB_ERR_NOENT;
	fd = open(img_path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return PXB_ERR_IO;
	memset(f, 0, sizeof(*f));
	f->fd = fd;
	f->fd_offset = strcmp(rel, "vmlinuz") == 0 ? 2048 : 8192;
	f->size = 1000;
	f->release = img_release;
	return 0;
}

static const struct pxb_vfs_provider img_provider = {.name = "img", .open = img_open};

static const char *BYTES_CONF =
	"policy = { protect = [\"rescue\", \"live\"]; };\n"
	"entries = ( { id = \"rescue\"; kind = \"linux\"; kernel = \"/boot/r/vmlinuz\";\n"
	"              initrd = [\"/boot/r/initrd.img\"]; },\n"
	"            { id = \"live\"; kind = \"linux\"; kernel = \"/img/vmlinuz\"; },\n"
	"            { id = \"other\"; kind = \"linux\"; kernel = \"/boot/o/vmlinuz\"; } );\n";

/* Opens path in v and checks its bytes (token may be NULL). */
static int check_open(pxb_host *h, const char *path, const char *token, const char **why)
{
	struct pxb_file f;
	int rc;

	if (pxb_vfs_open(pxb_host_vfs(h), path, PXB_VFS_HTTP, NULL, &f) < 0)
		return 1; /* not a PXB_ERR_*: the file is missing */
	rc = pxb_policy_check_open(h, &f, token, T, NULL, why);
	pxb_file_close(&f);
	return rc;
}

/* A host with the policy of conf and an arm store in memory, and its undoing. */
struct fixture {
	pxb_conf *c;
	pxb_vfs *v;
	pxb_host *h;
	pxb_policy *p;
	pxb_arms *a;
};

static void fixture_free(struct fixture *fx)
{
	pxb_host_set_policy(fx->h, NULL, NULL);
	pxb_host_free(fx->h);
	pxb_vfs_free(fx->v);
	pxb_arms_free(fx->a);
	pxb_policy_free(fx->p);
	pxb_conf_free(fx->c);
}

static void test_bytes(void)
{
	struct fixture fx = {.c = conf_of(BYTES_CONF), .v = pxb_vfs_new()};
	pxb_host *h = fx.h = pxb_host_new(fx.v, NULL, NULL);
	struct pxb_arm x;
	const char *why;
	char root[300], cmd[8192], err[256];

	snprintf(root, sizeof(root), "%s/root", dir);
	snprintf(img_path, sizeof(img_path), "%s/root/images/live.img", dir);
	snprintf(cmd, sizeof(cmd),
		 "mkdir -p '%1$s/boot/r/sub' '%1$s/boot/o' '%1$s/images' '%1$s/links' && "
		 "echo k >'%1$s/boot/r/vmlinuz' && echo i >'%1$s/boot/r/initrd.img' && "
		 "echo s >'%1$s/boot/r/sub/root.sfs' && echo o >'%1$s/boot/o/vmlinuz' && "
		 "head -c 16384 /dev/zero >'%1$s/images/live.img' && "
		 "ln -s ../boot/r/vmlinuz '%1$s/links/k' && ln -s ../boot/r '%1$s/links/d' && "
		 "ln -s ../boot/o/vmlinuz '%1$s/links/o'", root);
	if (!ok(fx.c && h && system(cmd) == 0 &&
		pxb_vfs_mount_dir(fx.v, "/", root, PXB_VFS_ALL) == 0 &&
		pxb_vfs_mount_provider(fx.v, "/img", &img_provider, NULL, PXB_VFS_ALL) == 0 &&
		pxb_host_init_all(h, fx.c, err, sizeof(err)) == 0, "a tree with links and an image"))
		return;
	pxb_policy_from_conf(fx.c, &fx.p, report, NULL);
	pxb_arms_open(NULL, T, &fx.a, NULL);
	pxb_host_set_policy(h, fx.p, fx.a);
	ok(check_open(h, "/boot/r/vmlinuz", NULL, &why) == PXB_ERR_ACCESS && why &&
	   strstr(why, "no token"), "the kernel's own bytes: refused without a token");
	ok(pxb_policy_check_file(h, "/links/k", NULL, T, NULL, &why) == 0 &&
	   check_open(h, "/links/k", NULL, &why) == PXB_ERR_ACCESS,
	   "a symlink to the kernel: its name passes, its bytes are refused");
	ok(check_open(h, "/links/d/sub/root.sfs", NULL, &why) == PXB_ERR_ACCESS,
	   "a file under the entry's directory through a linked directory: refused");
	ok(check_open(h, "/links/o", NULL, &why) == 0, "a symlink to an unprotected kernel: served");
	ok(check_open(h, "/boot/o/vmlinuz", NULL, &why) == 0, "an unprotected kernel: served");
	ok(check_open(h, "/images/live.img", NULL, &why) == PXB_ERR_ACCESS,
	   "the image holding a protected kernel: refused");
	ok(check_open(h, "/img/vmlinuz", NULL, &why) == PXB_ERR_ACCESS,
	   "the protected kernel inside the image: refused");
	ok(check_open(h, "/img/readme", NULL, &why) == 0,
	   "another file of that image, outside the kernel's bytes: served");
	pxb_arms_arm(fx.a, A, "rescue", T + 60, 0, T, &x);
	ok(check_open(h, "/links/k", x.token, &why) == 0, "the symlink with the arm's token: served");
	ok(check_open(h, "/images/live.img", x.token, &why) == PXB_ERR_ACCESS && why &&
	   strstr(why, "another entry"), "the image with a token for another entry: refused");
	fixture_free(&fx);
}

/* ---- the token in an armed boot's URLs ---- */

static void test_urls(void)
{
	pxb_boot_model *m = pxb_boot_model_new();
	struct pxb_boot_entry e = {.id = "rescue", .kind = PXB_BOOT_LINUX,
				   .kernel = "/boot/r/vmlinuz"};
	struct pxb_client cl;
	struct pxb_boot_ctx x;
	char url[512];

	client_of(&cl, A, NULL);
	inet_pton(AF_INET, "198.18.0.1", &cl.server_addr);
	cl.http_port = 80;
	pxb_boot_add_entry(m, &e);
	pxb_boot_ctx_init(&x, m, &cl, NULL);
	pxb_boot_file_url(&x, &e, e.kernel, url, sizeof(url));
	is_str(url, "http://198.18.0.1/boot/r/vmlinuz", "no token: a plain URL");
	cl.token = "00112233445566778899aabbccddeeff";
	pxb_boot_ctx_init(&x, m, &cl, NULL);
	pxb_boot_file_url(&x, &e, e.kernel, url, sizeof(url));
	is_str(url, "http://198.18.0.1/boot/r/vmlinuz?token=00112233445566778899aabbccddeeff",
	       "armed: the path carries ?token=");
	pxb_boot_file_url(&x, &e, "http://mirror.example/k?x=${token}", url, sizeof(url));
	is_str(url, "http://mirror.example/k?x=00112233445566778899aabbccddeeff",
	       "a full URL only where it says ${token}");
	pxb_boot_model_free(m);
}

int main(void)
{
	char tmpl[] = "/tmp/pxb-policy-XXXXXX";
	char cmd[600];

	plan_lazy();
	if (!mkdtemp(tmpl))
		return 1;
	snprintf(dir, sizeof(dir), "%s", tmpl);
	test_store();
	test_policy();
	test_engine();
	test_files();
	test_proven();
	test_bytes();
	test_urls();
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	if (system(cmd) != 0)
		diag("could not remove %s", dir);
	return done_testing();
}
