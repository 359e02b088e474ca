/*
 * fuzz_arms_load.c - libFuzzer target for the arm store's reader of
 * arms.json (lib/policy_arms.c): the input becomes <dir>/arms.json, followed by
 * one well-formed arm line of a MAC of its own and the closing "]}", and
 * the store is opened on it.
 *
 * Beyond "no crash, no leak", it checks what the store promises of a file
 * it read: the arms are in strict MAC order, none has expired, every entry
 * id and token is valid; a damaged file was written back whole, so a
 * reopen finds the same arms and no damage; damage in the lines before it
 * never costs the well-formed last arm (unless the input itself ended the
 * list with a "]}" line, or named the same MAC); every token finds its
 * arm; and a store that opened goes on working (an arm made after the load
 * is there after a reopen).
 */
#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include <pxeboot/pxeboot.h>
#include <pxeboot/policy.h>
#include "fuzz_scratch.h"

static const char *dir;
static char path[160];

static const int64_t now = 1700000000;
static const uint8_t last_mac[6] = {0xfe, 0xed, 0xfa, 0xce, 0x00, 0x01};
static const char last_line[] =
	"{\"mac\": \"fe:ed:fa:ce:00:01\", \"entry\": \"rescue\", \"created\": 1700000000, "
	"\"until\": 1700001800, \"once\": true, \"spent\": false, "
	"\"token\": \"00112233445566778899aabbccddeeff\"}\n]}\n";

static int token_ok(const char *t)
{
	size_t n = strlen(t);

	if (n != PXB_ARM_TOKEN_LEN)
		return 0;
	for (size_t i = 0; i < n; i++)
		if (!((t[i] >= '0' && t[i] <= '9') || (t[i] >= 'a' && t[i] <= 'f')))
			return 0;
	return 1;
}

/* The invariants of an open store. */
static void check(const pxb_arms *a)
{
	unsigned n = pxb_arms_count(a);

	for (unsigned i = 0; i < n; i++) {
		const struct pxb_arm *x = pxb_arms_at(a, i);
		struct pxb_arm got;

		if (!x || x->until <= now || !token_ok(x->token))
			abort();
		if (x->entry[0] && !pxb_boot_id_valid(x->entry))
			abort();
		if (i > 0 && memcmp(pxb_arms_at(a, i - 1)->mac, x->mac, 6) >= 0)
			abort();
		if (pxb_arms_by_token(a, x->token, now, &got) != 0 || strcmp(got.token, x->token))
			abort();
		if (!x->spent && (pxb_arms_lookup(a, x->mac, now, &got) != 0 ||
				  memcmp(got.mac, x->mac, 6)))
			abort();
	}
	if (pxb_arms_at(a, n))
		abort();
}

static int same(const pxb_arms *a, const pxb_arms *b)
{
	if (pxb_arms_count(a) != pxb_arms_count(b))
		return 0;
	for (unsigned i = 0; i < pxb_arms_count(a); i++) {
		const struct pxb_arm *x = pxb_arms_at(a, i), *y = pxb_arms_at(b, i);
		if (memcmp(x->mac, y->mac, 6) || strcmp(x->entry, y->entry) ||
		    x->created != y->created || x->until != y->until || x->once != y->once ||
		    x->spent != y->spent || strcmp(x->token, y->token))
			return 0;
	}
	return 1;
}

/* Does the input end the list itself, or name the last arm's MAC? */
static int last_may_go(const uint8_t *data, size_t size)
{
	static const char *const macs[] = {"fe:ed:fa:ce:00:01", "FE:ED:FA:CE:00:01",
					   "fe-ed-fa-ce-00-01", "FE-ED-FA-CE-00-01",
					   "feedface0001", "FEEDFACE0001"};

	for (size_t i = 0; i + 1 < size; i++)
		if ((i == 0 || data[i - 1] == '\n') && data[i] == ']' && data[i + 1] == '}')
			return 1;
	/* pxb_mac_parse takes other spellings too: any mix of case is enough here */
	for (size_t i = 0; i < size; i++)
		for (unsigned k = 0; k < sizeof(macs) / sizeof(macs[0]); k++) {
			size_t l = strlen(macs[k]);
			if (size - i >= l && !strncasecmp((const char *)data + i, macs[k], l))
				return 1;
		}
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const uint8_t mac[6] = {0x02, 0x00, 0x00, 0x00, 0x00, 0x01};
	pxb_arms *a, *b;
	struct pxb_arm made, got;
	int damaged, rc;
	FILE *f;

	if (!dir) {
		static const char *const names[] = {"arms.json", "arms.json.tmp", NULL};
		dir = fuzz_scratch_make("fuzz_arms", names);
		snprintf(path, sizeof(path), "%s/arms.json", dir);
	}
	f = fopen(path, "wb");
	if (!f)
		abort();
	if (size && fwrite(data, 1, size, f) != size)
		abort();
	/* The last arm on a line of its own, whatever the input ended with. */
	if (fputs(size && data[size - 1] != '\n' ? "\n" : "", f) < 0 || fputs(last_line, f) < 0)
		abort();
	fclose(f);

	rc = pxb_arms_open(dir, now, &a, &damaged);
	if (rc < 0) {
		if (rc != PXB_ERR_NOMEM && rc != PXB_ERR_IO)
			abort();
		return 0;
	}
	check(a);
	if (!last_may_go(data, size) && pxb_arms_lookup(a, last_mac, now, &got) != 0)
		abort(); /* a well-formed arm lost to the damage before it */

	/* Damage and expired arms were written back: the same store, undamaged. */
	if (pxb_arms_open(dir, now, &b, &damaged) != 0 || damaged || !same(a, b))
		abort();
	pxb_arms_free(b);

	/* The store goes on working. */
	rc = pxb_arms_arm(a, mac, "", now + 60, 0, now, &made);
	if (rc == 0) {
		check(a);
		if (pxb_arms_open(dir, now, &b, &damaged) != 0 || damaged || !same(a, b) ||
		    pxb_arms_lookup(b, mac, now, &got) != 0 || strcmp(got.token, made.token))
			abort();
		pxb_arms_free(b);
	} else if (rc != PXB_ERR_BUSY && rc != PXB_ERR_IO) {
		abort();
	}
	pxb_arms_free(a);
	unlink(path);
	return 0;
}
