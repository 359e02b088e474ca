/*
 * conf_schema.c - the core schema: every setting libpxeboot and pxebootd
 * read, with type, default, limits and a line of documentation. Plugins
 * describe their own sections (struct pxb_plugin.settings); the library's
 * features (boot model, policy) register theirs (pxb__conf_register_schema).
 *
 * Fixed names (scripts and packaging rely on them): plugin_dir, state_dir,
 * user, group, allow_root, tftp.root, tftp.listen, http.root, http.listen, dhcp.mode,
 * dhcp.interfaces.
 */
#include "config.h"

#include <pxeboot/conf.h>
#include "conf_schema.h"

#ifndef PXB_PLUGIN_DIR
#define PXB_PLUGIN_DIR "/usr/local/lib/pxeboot"
#endif
#ifndef PXB_LOCALSTATEDIR
#define PXB_LOCALSTATEDIR "/var"
#endif

static const struct pxb_conf_setting general[] = {
	{"plugin_dir", PXB_CT_STRING, PXB_PLUGIN_DIR, 0, 0, NULL, pxb_check_abs_path,
	 "directory the plugins (NAME.so) are loaded from"},
	{"plugins", PXB_CT_STRINGS, "", 0, 0, NULL, NULL,
	 "plugins to load, by name, in order"},
	{"state_dir", PXB_CT_STRING, PXB_LOCALSTATEDIR "/lib/pxeboot", 0, 0, NULL,
	 pxb_check_abs_path, "directory for leases and other durable state"},
	{"user", PXB_CT_STRING, "", 0, 0, NULL, NULL,
	 "user to run as after binding sockets (empty: stay)"},
	{"group", PXB_CT_STRING, "", 0, 0, NULL, NULL,
	 "group to run as after binding sockets (empty: the user's group)"},
	{"allow_root", PXB_CT_BOOL, "false", 0, 0, NULL, NULL,
	 "serve as root when no user is set (otherwise pxebootd refuses to)"},
	{"log_level", PXB_CT_STRING, "info", 0, 0, "err|warning|notice|info|debug", NULL,
	 "least important level logged"},
	{"log_rate", PXB_CT_INT, "20", 0, 1000000, NULL, NULL,
	 "log lines a second each source may write at one level once serving (the rest are "
	 "counted and summarized); 0: no limit"},
	{"log_burst", PXB_CT_INT, "200", 1, 1000000, NULL, NULL,
	 "log lines each source may write at one level in a burst before log_rate applies"},
	{NULL, 0, NULL, 0, 0, NULL, NULL, NULL},
};

static const struct pxb_conf_setting tftp[] = {
	{"enable", PXB_CT_BOOL, "true", 0, 0, NULL, NULL, "serve TFTP"},
	{"root", PXB_CT_STRING, "/srv/pxeboot/tftp", 0, 0, NULL, pxb_check_abs_path,
	 "directory served at / over TFTP"},
	{"listen", PXB_CT_STRING, "0.0.0.0:69", 0, 0, NULL, pxb_check_listen,
	 "address (and port) TFTP requests arrive on"},
	{"max_blksize", PXB_CT_INT, "65464", 8, 65464, NULL, NULL,
	 "largest block size granted (RFC 2348)"},
	{"secure", PXB_CT_BOOL, "false", 0, 0, NULL, NULL,
	 "serve only files below tftp.root owned by the user pxebootd runs as (as root: only "
	 "those readable by all), as dnsmasq's tftp-secure; generated files are not concerned"},
	{"max_windowsize", PXB_CT_INT, "64", 1, 65535, NULL, NULL,
	 "largest window granted (RFC 7440)"},
	{"max_window_bytes", PXB_CT_INT, "131072", 512, 16777216, NULL, NULL,
	 "largest window granted in bytes (windowsize x blksize, RFC 7440 sec 3): a window "
	 "larger than the client's receive buffer loses its tail; 128 KiB fits Linux's "
	 "default buffer in paced chunks"},
	{"timeout", PXB_CT_INT, "1", 1, 255, NULL, NULL,
	 "seconds before a block is sent again unless the client asks otherwise"},
	{"min_timeout_ms", PXB_CT_INT, "20", 1, 255000, NULL, NULL,
	 "floor of the retransmission timeout once round trips have been measured "
	 "(RFC 6298); tftp.timeout is the first timeout and the ceiling"},
	{"retries", PXB_CT_INT, "6", 1, 100, NULL, NULL,
	 "times a block is sent again before the transfer is abandoned"},
	{"udp_segmentation", PXB_CT_BOOL, "true", 0, 0, NULL, NULL,
	 "send a window's blocks in one UDP segmentation offload write (Linux 4.18 UDP_SEGMENT) "
	 "where the kernel, the route's MTU and the device allow, else one datagram each"},
	{"coalesce_us", PXB_CT_INT, "100", 0, 10000, NULL, NULL,
	 "with 32 or more transfers running, the TFTP thread wakes at most once per this many "
	 "microseconds and takes every datagram that has come (interrupt moderation: less CPU "
	 "time in a boot storm, each datagram waits at most this long); 0: at once"},
	{"max_transfers", PXB_CT_INT, "2000", 1, 100000, NULL, NULL,
	 "transfers served at once, all clients together"},
	{"max_per_client", PXB_CT_INT, "16", 1, 1000, NULL, NULL,
	 "transfers served at once to one client address"},
	{"max_client_timeout", PXB_CT_INT, "10", 1, 255, NULL, NULL,
	 "largest timeout option (RFC 2349) accepted, in seconds; a client asking more gets "
	 "tftp.timeout and no timeout in the OACK, so a transfer nobody acknowledges ends "
	 "within a few of these"},
	{"rate", PXB_CT_INT, "1000", 0, 1000000, NULL, NULL,
	 "TFTP requests taken per second from all sources together, in bursts of up to one "
	 "second's worth; others are dropped unanswered (clients send theirs again); 0: no "
	 "limit"},
	{"rate_per_source", PXB_CT_INT, "50", 0, 1000000, NULL, NULL,
	 "TFTP requests taken per second from one source address, in bursts of up to one "
	 "second's worth; others are dropped unanswered; 0: no limit"},
	{"max_unacked", PXB_CT_INT, "512", 0, 100000, NULL, NULL,
	 "transfers whose client has not acknowledged anything yet (its address is unproven), "
	 "all sources together; from half of it on a source holding one gets no second; "
	 "requests over it are dropped unanswered; 0: no limit"},
	{"max_unacked_per_source", PXB_CT_INT, "16", 0, 100000, NULL, NULL,
	 "transfers whose client has not acknowledged anything yet, from one source address; "
	 "requests over it are dropped unanswered; 0: no limit"},
	{"max_unacked_bytes_per_source", PXB_CT_INT, "65536", 0, 1073741824, NULL, NULL,
	 "bytes the unacknowledged transfers of one source may still send (first packet and "
	 "its 2 resends each); a source at it gets no new transfer until one is acknowledged "
	 "or ends; 0: no limit"},
	{NULL, 0, NULL, 0, 0, NULL, NULL, NULL},
};

/* http.root and http.listen belong to the core: the namespace is shared. */
static const struct pxb_conf_setting http[] = {
	{"root", PXB_CT_STRING, "/srv/pxeboot/http", 0, 0, NULL, pxb_check_abs_path,
	 "directory served at / over HTTP"},
	{"listen", PXB_CT_STRING, "0.0.0.0:80", 0, 0, NULL, pxb_check_listen,
	 "address (and port) of the HTTP server"},
	{NULL, 0, NULL, 0, 0, NULL, NULL, NULL},
};

/* The file namespace TFTP and HTTP share (tftp.root, http.root, the catalogs' mounts). */
static const struct pxb_conf_setting vfs[] = {
	{"serve_dotfiles", PXB_CT_BOOL, "false", 0, 0, NULL, NULL,
	 "serve and list paths with a component starting with '.' (.git, .htpasswd); "
	 "false: they are answered as missing"},
	{NULL, 0, NULL, 0, 0, NULL, NULL, NULL},
};

static const struct pxb_conf_setting dhcp[] = {
	{"mode", PXB_CT_STRING, "off", 0, 0, "server|proxy|off", NULL,
	 "off: no DHCP; proxy: boot information beside another DHCP server; server: addresses too"},
	{"interfaces", PXB_CT_STRINGS, "", 0, 0, NULL, NULL,
	 "interfaces DHCP is served on (required unless mode is off)"},
	{"broadcast_only", PXB_CT_BOOL, "false", 0, 0, NULL, NULL,
	 "proxy mode: port 67 takes broadcasts only, its unicast (renewals) is left to the "
	 "DHCP server of the same host; relayed requests are then not heard"},
	{"lease_time", PXB_CT_STRING, "1h", 0, 0, NULL, pxb_check_duration,
	 "lease time of subnets that do not set their own"},
	{"lease_store", PXB_CT_STRING, "journal", 0, 0, NULL, NULL,
	 "where leases are committed: journal (state_dir/leases.journal) or a store a plugin "
	 "provides (pgsql: PostgreSQL, shared by several servers)"},
	{"decline_quarantine", PXB_CT_STRING, "10m", 0, 0, NULL, pxb_check_duration,
	 "how long an address a client declined (in use elsewhere) is not handed out"},
	{"probe", PXB_CT_STRING, "after-loss", 0, 0, "after-loss|always|never", NULL,
	 "ping an address before offering it (RFC 2131 4.4.1): after leases were lost, always, or never"},
	{"probe_timeout_ms", PXB_CT_INT, "500", 10, 10000, NULL, NULL,
	 "how long a probed address has to answer before it is offered, in milliseconds"},
	{"relays", PXB_CT_STRINGS, "", 0, 0, NULL, pxb_check_ipv4,
	 "relays whose requests leave from an address other than their giaddr; without: a "
	 "request with a giaddr is taken only from port 67 of that giaddr"},
	{"rate", PXB_CT_INT, "40000", 0, 10000000, NULL, NULL,
	 "DHCP datagrams per second read per interface; more are dropped unanswered and "
	 "counted (0: no limit)"},
	{"rate_burst", PXB_CT_INT, "0", 0, 10000000, NULL, NULL,
	 "datagrams per interface read at once before dhcp.rate applies (0: as many as dhcp.rate)"},
	{"subnets", PXB_CT_LIST, NULL, 0, 0, NULL, NULL,
	 "networks addresses are given on (server mode), or restricts proxy mode"},
	{"subnets.*.interface", PXB_CT_STRING, NULL, 0, 0, NULL, NULL,
	 "interface of this network; unset: the only one in dhcp.interfaces, or relayed"},
	{"subnets.*.network", PXB_CT_STRING, NULL, 0, 0, NULL, pxb_check_cidr,
	 "the network, e.g. \"198.18.0.0/24\" (required)"},
	{"subnets.*.pool_start", PXB_CT_STRING, NULL, 0, 0, NULL, pxb_check_ipv4,
	 "first address handed out"},
	{"subnets.*.pool_end", PXB_CT_STRING, NULL, 0, 0, NULL, pxb_check_ipv4,
	 "last address handed out"},
	{"subnets.*.router", PXB_CT_STRING, NULL, 0, 0, NULL, pxb_check_ipv4, "default gateway (option 3)"},
	{"subnets.*.dns", PXB_CT_STRINGS, NULL, 0, 0, NULL, pxb_check_ipv4,
	 "name servers (option 6), up to 4"},
	{"subnets.*.domain", PXB_CT_STRING, NULL, 0, 0, NULL, NULL, "domain name (option 15)"},
	{"subnets.*.lease_time", PXB_CT_STRING, NULL, 0, 0, NULL, pxb_check_duration,
	 "lease time here (default dhcp.lease_time)"},
	{"subnets.*.server", PXB_CT_STRING, NULL, 0, 0, NULL, pxb_check_ipv4,
	 "our address on this network (default: the interface's address)"},
	{"hosts", PXB_CT_LIST, NULL, 0, 0, NULL, NULL, "known machines, by MAC"},
	{"hosts.*.name", PXB_CT_STRING, NULL, 0, 0, NULL, NULL, "a name for logs"},
	{"hosts.*.mac", PXB_CT_STRING, NULL, 0, 0, NULL, pxb_check_mac_pattern,
	 "hardware address (required)"},
	{"hosts.*.address", PXB_CT_STRING, NULL, 0, 0, NULL, pxb_check_ipv4,
	 "fixed address (reserved: never given to anyone else)"},
	{"hosts.*.tags", PXB_CT_STRINGS, NULL, 0, 0, NULL, NULL, "tags this host carries"},
	{"hosts.*.noboot", PXB_CT_BOOL, "false", 0, 0, NULL, NULL,
	 "never offer this host a boot file (an address only)"},
	{"hosts.*.options", PXB_CT_LIST, NULL, 0, 0, NULL, NULL,
	 "options sent to this host (win over options by tag and a boot rule's)"},
	{"hosts.*.options.*.code", PXB_CT_INT, NULL, 1, 254, NULL, NULL, "option code"},
	{"hosts.*.options.*.value", PXB_CT_STRING, NULL, 0, 0, NULL, NULL, "option value"},
	{"hosts.*.options.*.hex", PXB_CT_BOOL, "false", 0, 0, NULL, NULL, "value is hex octets"},
	{"hosts.*.options.*.force", PXB_CT_BOOL, "false", 0, 0, NULL, NULL,
	 "sent whatever the client's option 55 lists"},
	{"options", PXB_CT_LIST, NULL, 0, 0, NULL, NULL,
	 "options sent to every client whose tags hold (dnsmasq's dhcp-option=tag:...)"},
	{"options.*.tags", PXB_CT_STRING, "", 0, 0, NULL, NULL,
	 "tag expression: TAG and !TAG joined by & (empty: every client)"},
	{"options.*.code", PXB_CT_INT, NULL, 1, 254, NULL, NULL, "option code"},
	{"options.*.value", PXB_CT_STRING, NULL, 0, 0, NULL, NULL, "option value"},
	{"options.*.hex", PXB_CT_BOOL, "false", 0, 0, NULL, NULL, "value is hex octets"},
	{"options.*.force", PXB_CT_BOOL, "false", 0, 0, NULL, NULL,
	 "sent whatever the client's option 55 lists"},
	{"tags", PXB_CT_LIST, NULL, 0, 0, NULL, NULL, "conditions that set tags, tried in order"},
	{"tags.*.set", PXB_CT_STRING, NULL, 0, 0, NULL, NULL, "the tag set when it holds (required)"},
	{"tags.*.match", PXB_CT_STRING, NULL, 0, 0,
	 "user-class|vendor-class|vendor-prefix|arch|mac|circuit-id|remote-id|interface|subnet|giaddr|client-addr|option|option-equals|option-contains|option-prefix|option-item|user-class-contains",
	 NULL, "what is tested (required)"},
	{"tags.*.value", PXB_CT_STRING, NULL, 0, 0, NULL, NULL,
	 "what it is compared with (\"iPXE\", \"7,9\", \"52:54:00:*:*:*\", ...)"},
	{"tags.*.hex", PXB_CT_BOOL, "false", 0, 0, NULL, NULL, "value is hex octets"},
	{"tags.*.option", PXB_CT_INT, "0", 1, 254, NULL, NULL,
	 "option code for option, option-equals, option-contains, option-prefix and option-item"},
	{"tag_if", PXB_CT_LIST, NULL, 0, 0, NULL, NULL,
	 "derived tags (dnsmasq's tag-if), tried in order after hosts and dhcp.tags"},
	{"tag_if.*.set", PXB_CT_STRINGS, NULL, 0, 0, NULL, NULL,
	 "the tags added when the expression holds (required)"},
	{"tag_if.*.tags", PXB_CT_STRING, "", 0, 0, NULL, NULL,
	 "tag expression: TAG and !TAG joined by & (empty: always)"},
	{"boot", PXB_CT_LIST, NULL, 0, 0, NULL, NULL,
	 "boot rules: the first whose tags hold gives the boot file"},
	{"boot.*.name", PXB_CT_STRING, NULL, 0, 0, NULL, NULL, "a name for logs"},
	{"boot.*.tags", PXB_CT_STRING, "", 0, 0, NULL, NULL,
	 "tag expression: TAG and !TAG joined by & (empty: always)"},
	{"boot.*.file", PXB_CT_STRING, NULL, 0, 0, NULL, NULL, "boot file or URL"},
	{"boot.*.noboot", PXB_CT_BOOL, "false", 0, 0, NULL, NULL,
	 "holding this rule means no boot offer (wins over every other rule)"},
	{"boot.*.server_name", PXB_CT_STRING, NULL, 0, 0, NULL, NULL,
	 "TFTP server name (sname, option 66)"},
	{"boot.*.next_server", PXB_CT_STRING, NULL, 0, 0, NULL, pxb_check_ipv4,
	 "TFTP server address (siaddr; default: ours)"},
	{"boot.*.options", PXB_CT_LIST, NULL, 0, 0, NULL, NULL, "extra options sent with this file"},
	{"boot.*.options.*.code", PXB_CT_INT, NULL, 1, 254, NULL, NULL, "option code"},
	{"boot.*.options.*.value", PXB_CT_STRING, NULL, 0, 0, NULL, NULL, "option value"},
	{"boot.*.options.*.hex", PXB_CT_BOOL, "false", 0, 0, NULL, NULL, "value is hex octets"},
	{"boot.*.options.*.force", PXB_CT_BOOL, "false", 0, 0, NULL, NULL,
	 "sent whatever the client's option 55 lists"},
	{"arch_files", PXB_CT_LIST, NULL, 0, 0, NULL, NULL,
	 "boot file by client architecture when no boot rule holds"},
	{"arch_files.*.arch", PXB_CT_STRING, NULL, 0, 0, NULL, NULL,
	 "bios, efi-ia32, efi-x64, efi-bc, efi-arm64, efi-x64-http, ... or a number"},
	{"arch_files.*.file", PXB_CT_STRING, NULL, 0, 0, NULL, NULL, "boot file or URL"},
	{NULL, 0, NULL, 0, 0, NULL, NULL, NULL},
};

const struct pxb__schema_table pxb__core_schema[] = {
	{NULL, general},
	{"tftp", tftp},
	{"http", http},
	{"vfs", vfs},
	{"dhcp", dhcp},
	{NULL, NULL},
};
